"""Whether the process a lock file names still runs: the locks of the background compiling
(warmup.py) and of a checkpoint folder (saving/runlock.py) are taken over from a process that ended."""
from __future__ import annotations

import contextlib
import os
import socket
from pathlib import Path


def machine() -> str:
    """This machine and PID namespace, as a lock names them: containers that share a host name and
    a volume number their processes each on their own."""
    with contextlib.suppress(OSError):
        return f"{socket.gethostname()}:{os.stat('/proc/self/ns/pid').st_ino}"
    return socket.gethostname()


def running(pid: int) -> bool:
    """Whether process `pid` (of this machine) runs: POSIX's signal 0, and a zombie (ended, not
    reaped: a killed run in a container whose first process reaps nothing) counts as ended.
    Elsewhere taken to run: on Windows os.kill would end the process."""
    if os.name != "posix":
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except OSError:                 # another user's: it runs
        return True
    with contextlib.suppress(OSError, IndexError):     # Linux
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0] != "Z"
    return True


#: a process that started this long after a file's time cannot have written it (the boot time that turns a
#: process's start into a clock time is whole seconds; the clock may have been set meanwhile by a little)
STARTED_SLACK = 2.0


def start_ticks(pid: int) -> int | None:
    """When process `pid` started, in clock ticks since boot (Linux's /proc/PID/stat, its 22nd field): the
    same for the process's whole life, another for a later process given the same id; None where unknown."""
    with contextlib.suppress(OSError, IndexError, ValueError):
        return int(Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[19])
    return None


def started_after(pid: int, moment: float) -> bool:
    """Whether the process now numbered `pid` started after `moment` (a file's time, seconds since the
    epoch): then it did not write that file, its writer ended and the id was given again. False where
    unknown (not Linux), as a lock is then trusted to its id."""
    ticks = start_ticks(pid)
    if ticks is None:
        return False
    with contextlib.suppress(OSError, ValueError, StopIteration):
        boot = next(int(line.split()[1]) for line in Path("/proc/stat").read_text().splitlines()
                    if line.startswith("btime "))
        return boot + ticks / os.sysconf("SC_CLK_TCK") > moment + STARTED_SLACK
    return False


def wrote(pid: int, moment: float) -> bool:
    """Whether process `pid` of this machine may have written a file last changed at `moment`: it runs, and
    started before (a process whose id was given again, after the writer's kill -9, did not)."""
    return running(pid) and not started_after(pid, moment)
