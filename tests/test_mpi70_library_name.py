"""The warning for a fit given a comm of 1 rank where a launcher of another MPI library started several processes
names mpi4py's library whole, as MPI reports it (its first line, to the comma): Open MPI's read "(Open...)"."""
import warnings

import pytest

from chainrule.training import rank_warnings

MPI = pytest.importorskip("mpi4py.MPI")

REPORTS = {"Open MPI v4.1.5": "Open MPI v4.1.5, package: Open MPI builder@host Distribution, ident: 4.1.5, repo "
                              "rev: v4.1.5, Feb 23, 2023\x00",
           "MPICH Version: 4.1.2": "MPICH Version:      4.1.2\nMPICH Release date: Tue Jun  6 2023\n",
           "Intel(R) MPI Library 2021.10 for Linux* OS": "Intel(R) MPI Library 2021.10 for Linux* OS\n\n"}


@pytest.mark.parametrize("name", REPORTS)
def test_the_comm_of_one_rank_warning_names_mpi4pys_library(monkeypatch, name):
    monkeypatch.setenv("PMI_SIZE", "2")                   # as a launcher sets it; this process's parent has not
    monkeypatch.setattr(rank_warnings, "_warned", set())
    monkeypatch.setattr(MPI, "Get_library_version", lambda: REPORTS[name])
    with warnings.catch_warnings(record=True) as told:
        warnings.simplefilter("always")
        rank_warnings.alone_among_ranks(MPI.COMM_SELF)
    said = [str(w.message) for w in told]
    assert len(said) == 1 and f"({name})" in said[0], said


def test_the_comm_of_one_rank_warning_under_srun_says_srun_with_pmi(monkeypatch):
    """srun without --mpi=pmi2 starts processes each rank 0 of 1, as `train --mpi` says: the fit's warning said to
    run an mpiexec, which a Slurm job does not use."""
    for name in rank_warnings.LAUNCHERS:
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("SLURM_STEP_NUM_TASKS", "2")
    monkeypatch.setattr(rank_warnings, "_warned", set())
    with warnings.catch_warnings(record=True) as told:
        warnings.simplefilter("always")
        rank_warnings.alone_among_ranks(MPI.COMM_SELF)
    said = [str(w.message) for w in told]
    assert len(said) == 1 and "srun started 2 processes" in said[0] and "srun --mpi=pmi2" in said[0], said
    assert "mpiexec" not in said[0], said


def test_train_mpi_refusal_names_mpi4pys_library_whole(monkeypatch):
    from chainrule.cli.mpi_job import mpi_world
    from chainrule.errors import ValidationError
    monkeypatch.setenv("OMPI_COMM_WORLD_SIZE", "2")
    monkeypatch.setattr(MPI, "Get_library_version", lambda: REPORTS["Open MPI v4.1.5"])
    with pytest.raises(ValidationError, match=r"mpi4py uses \(Open MPI v4\.1\.5\): run "):
        mpi_world()


def test_the_comm_of_one_rank_warning_where_each_is_rank_0_of_1_says_the_launcher_not_comm(monkeypatch):
    """A fit given comm=MPI.COMM_WORLD under another MPI library's mpiexec (each process rank 0 of 1) was told what
    "comm= of all the ranks" would do, as if it had not passed it: the remedy there is mpi4py's mpiexec."""
    monkeypatch.setenv("PMI_SIZE", "2")
    monkeypatch.setattr(rank_warnings, "_warned", set())
    with warnings.catch_warnings(record=True) as told:
        warnings.simplefilter("always")
        rank_warnings.alone_among_ranks(MPI.COMM_WORLD)
    said = [str(w.message) for w in told]
    assert len(said) == 1 and "each process trains a separate network on all the data it was given" in said[0], said
    assert "with comm=" not in said[0] and "beside this Python" in said[0], said
