"""Whether the process a lock file names still runs: the locks of the background compiling
(warmup.py) and of a checkpoint folder (saving/runlock.py) are taken over from a process that ended, and
the temporary file of a save killed midway (saving/files.py's `atomic_write`, named by its writer) is removed."""
from __future__ import annotations

import contextlib
import hashlib
import os
import re
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


def same_process(pid: int, started: int | None) -> bool:
    """Whether process `pid` of this machine runs and is the one that started at `started` (`start_ticks`,
    recorded by it): a later process given its id is not. None, or not known here: its id is trusted."""
    return running(pid) and (started is None or start_ticks(pid) in (None, started))


def temp_prefix(name: str) -> str:
    """'.<name>.' cut so that the temporary name (prefix, writer: at most 28 characters, 8 random characters,
    '.tmp') fits in 255 bytes."""
    return "." + os.fsdecode(os.fsencode(name)[:200]) + "."


def writer() -> str:
    """'PID.STARTED-MACHINE' of a temporary file's name: this process, when it started (`start_ticks`; left out where
    unknown), and this machine and PID namespace (6 hex digits of `machine`), so that a file left by a killed
    writer is told from one being written, here or elsewhere, by no clock: a file's time, compared with its
    writer's start, is the file server's clock, or this one's before it was set."""
    started = start_ticks(os.getpid())
    return f"{os.getpid()}{'' if started is None else f'.{started}'}-{_machine_tag()}"


def _machine_tag() -> str:
    return hashlib.sha256(machine().encode()).hexdigest()[:6]


def sweep_temporaries(folder: str | Path, name: str | None = None) -> None:
    """Remove the temporary files (of `name`'s saves; None: of any file) that `atomic_write` left in `folder`
    when its process was killed as it saved (kill -9, out of memory): before, each stayed for good. Only
    chainrule's names (`writer`), of this machine, whose writer is gone (its id ended, or was given to a process
    that started otherwise); an older chainrule's (without a writer) and anything else are kept."""
    start = re.escape(temp_prefix(name)) if name is not None else r"\..+\."
    pattern = re.compile(start + r"(\d+)(?:\.(\d+))?-" + _machine_tag() + r"\.[0-9a-f]{8}\.tmp")
    try:
        entries = list(os.scandir(str(folder)))
    except OSError:                 # a folder that cannot be listed: the save itself says what is wrong
        return
    for entry in entries:
        found = pattern.fullmatch(entry.name)
        if found is None:
            continue
        try:
            started = None if found.group(2) is None else int(found.group(2))
            if entry.is_file(follow_symlinks=False) and not same_process(int(found.group(1)), started):
                os.unlink(entry.path)
        except OSError:             # removed meanwhile, or not ours to remove
            continue
