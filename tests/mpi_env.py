"""The real `mpiexec` the MPI tests run: the one beside this interpreter, from the mpich wheel of
the mpi extra (the test extras install it). Imported by each MPI test file: a missing mpiexec beside an
installed mpi4py fails the file, not skips it."""
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
