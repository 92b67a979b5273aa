"""Under a real `mpiexec -n 2`: a fit given a comm of 1 rank (COMM_SELF, a Split of one rank each) in a process of
several trains alone, and is warned once a process, as a fit without comm= is; each of the two warnings is said once,
whichever came first (one flag made the first silence the other); both say what happens (a separate network on all
the data in each process) and what comm= of all the ranks does instead. evaluate after an MPI fit gives every rank
the numbers of one process over the whole data."""
import numpy as np
import pytest
from mpi_env import run_job  # noqa: E402  (skips without mpi4py, fails without mpiexec)

ALONE, ONE_RANK = "fit without comm=", "comm has 1 rank"


def run(*args, ranks: int = 2, **variables):
    return run_job("mpi71_job.py", *args, ranks=ranks, PYTHONWARNINGS="default", **variables)


def said(err: str, words: str) -> list[str]:
    return [line for line in err.splitlines() if words in line]


@pytest.mark.parametrize("mode", ["self", "split"])
def test_a_fit_given_a_comm_of_one_rank_among_several_is_warned_once_a_process(tmp_path, mode):
    err = run(tmp_path, mode).stderr
    lines = said(err, ONE_RANK)
    assert len(lines) == 2, err                      # each of the two processes, once for its two fits
    assert sorted("as rank 0 of 2" in line for line in lines) == [False, True], lines
    assert all("pass comm=MPI.COMM_WORLD" in line and f"message={ONE_RANK!r}" in line for line in lines), lines
    assert "mpi71_job.py" in err.split(ONE_RANK)[0].splitlines()[-1], err     # the script's line


def test_a_fit_given_a_comm_of_one_rank_filtered_as_said_is_not_warned(tmp_path):
    assert ONE_RANK not in run(tmp_path, "self_intended").stderr


@pytest.mark.parametrize("mode", ["both", "both_self_first"])
def test_the_two_warnings_are_each_said_once_a_process_whichever_comes_first(tmp_path, mode):
    err = run(tmp_path, mode).stderr
    assert len(said(err, ALONE)) == 2 and len(said(err, ONE_RANK)) == 2, err


def test_the_warnings_say_what_happens_and_what_comm_does_instead(tmp_path):
    err = run(tmp_path, "both").stderr
    for line in said(err, ALONE) + said(err, ONE_RANK):
        assert "own copy" not in line, line
        assert "separate network on all the data it was given" in line, line
        assert "its own rows of every batch, the gradients averaged" in line, line


def test_evaluate_after_an_mpi_fit_gives_every_rank_one_processs_numbers(tmp_path):
    run(tmp_path, "evaluate")
    run(tmp_path, "evaluate", "one", ranks=0)
    one = np.load(tmp_path / "evaluate-one.npy")
    for rank in range(2):
        np.testing.assert_allclose(np.load(tmp_path / f"evaluate-rank{rank}.npy"), one, rtol=1e-12, atol=1e-12,
                                   err_msg=f"rank {rank}")


@pytest.mark.parametrize("weights", ["sample_weight", "class_weight"])
def test_weights_beside_comm_are_refused_as_docs_scale_says(weights):
    """docs/scale.md: the ranks train unweighted rows, as `--weight` and `--class-weight` beside `--mpi`."""
    from mpi4py import MPI
    from mpi71_job import data, network

    from chainrule.errors import ValidationError
    X, y = data()
    given = {"sample_weight": np.ones(len(y)), "class_weight": "balanced"}[weights]
    with pytest.raises(ValidationError, match=rf"^{weights} and comm \(MPI\) cannot be combined: weighted training "
                                              rf"runs in one process; fit without comm, or without {weights}$"):
        network().fit(X, y, epochs=1, verbose=0, comm=MPI.COMM_SELF, **{weights: given})
