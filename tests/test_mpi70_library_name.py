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
    monkeypatch.setattr(rank_warnings, "_warned", [])
    monkeypatch.setattr(MPI, "Get_library_version", lambda: REPORTS[name])
    with warnings.catch_warnings(record=True) as told:
        warnings.simplefilter("always")
        rank_warnings.alone_among_ranks(MPI.COMM_SELF)
    said = [str(w.message) for w in told]
    assert len(said) == 1 and f"({name})" in said[0], said
