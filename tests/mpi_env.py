"""The real `mpiexec` the MPI tests run: the one beside this interpreter, from the mpich wheel of
the mpi extra (the test extras install it). Imported by each MPI test file: a missing mpiexec beside an
installed mpi4py fails the file, not skips it. run_job and untimed: how the *_ranks files run their job scripts and
compare what they print."""
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

pytest.importorskip("mpi4py")
MPIEXEC = Path(sys.executable).parent / "mpiexec"
HERE = Path(__file__).parent
if str(HERE) not in sys.path:
    sys.path.insert(0, str(HERE))      # the scripts mpiexec runs import their neighbours (mpi_12, ...)

if not MPIEXEC.exists():
    pytest.fail(f"mpi4py is installed but {MPIEXEC} is not: install the mpich wheel (pip install 'mpich>=4.2')")


def run_job(script: str, *args, ranks: int = 2, mpi4py_main: bool = False, **variables) -> subprocess.CompletedProcess:
    """The job `script` beside this file, given `args`, under `mpiexec -n ranks` (`python -m mpi4py` where
    mpi4py_main) or, ranks=0, as one process; `variables` added to its environment. A hung or failed job fails."""
    mpiexec = [str(MPIEXEC), "-n", str(ranks), sys.executable, *(["-m", "mpi4py"] if mpi4py_main else [])]
    line = mpiexec if ranks else [sys.executable]
    try:
        r = subprocess.run([*line, str(HERE / script), *map(str, args)], capture_output=True, text=True, timeout=90,
                           check=False, env={**os.environ, "CHAINRULE_MPI_TIMEOUT": "30", **variables})
    except subprocess.TimeoutExpired as exc:
        pytest.fail(f"the job hung: {exc.stderr!r}")
    assert r.returncode == 0, r.stderr
    return r


def untimed(out: str) -> list[str]:
    """The lines printed, their times ("0s", "417us/step") left out: the rest is the same digit for digit."""
    return [re.sub(r"\d+(\.\d+)?[mun]?s(/step)?\b", "T", line) for line in out.splitlines()]
