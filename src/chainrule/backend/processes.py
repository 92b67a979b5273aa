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
