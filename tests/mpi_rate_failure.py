"""Run by tests/test_mpi_rate_failure.py under mpiexec (`--mpi` in the arguments): `chainrule train ARGS` whose rank 1
alone fails in its second epoch with the engine's TrainingDiverged, after the --schedule has raised the rate: a
failure that ends the job through MPI_Abort. The test's one process runs the command with `failing` in its own
process."""
import sys

from chainrule.cli import main, schedule
from chainrule.errors import TrainingDiverged
from chainrule.nn.divergence import REMEDIES

logged = schedule.RateLog.on_epoch_begin


def failing(self, epoch):
    logged(self, epoch)
    if epoch == 1 and _rank() in (None, 1):
        raise TrainingDiverged("training diverged in epoch 2, batch 1: the loss became inf; the "
                               f"weights are those of the last finite step. Try {REMEDIES}.")


def _rank():
    if "--mpi" not in sys.argv:
        return None
    from mpi4py import MPI
    return MPI.COMM_WORLD.Get_rank()


if __name__ == "__main__":
    schedule.RateLog.on_epoch_begin = failing
    sys.exit(main(sys.argv[1:]))
