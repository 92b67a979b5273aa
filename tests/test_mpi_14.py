"""Under a real `mpiexec`: a warning that only some ranks give (a callback given to one rank alone) is
shown once, by rank 0, with the ranks named, after training: before, every rank other than 0 ignored all
its warnings, so the job said nothing. Warnings that every rank gives alike are still shown once."""
import os
import subprocess
import sys

from mpi_env import HERE, MPIEXEC  # noqa: E402  (skips without mpi4py, fails without mpiexec)


def warned(stderr: str) -> list[str]:
    return [line for line in stderr.splitlines() if "Warning: " in line]


def test_a_warning_of_some_ranks_is_shown_by_rank_0_with_the_ranks_named(tmp_path):
    script = [sys.executable, str(HERE / "mpi_12.py"), str(tmp_path), "one rank warns"]
    one = subprocess.run([*script, "all"], capture_output=True, text=True, timeout=60, check=True)   # no mpiexec
    r = subprocess.run([str(MPIEXEC), "-n", "3", *script, "some"], capture_output=True, text=True, timeout=60,
                       check=False, env={**os.environ, "CHAINRULE_MPI_TIMEOUT": "20"})
    assert r.returncode == 0, r.stderr
    said = warned(one.stderr)                                    # one process: each callback's warning once
    assert len(said) == 3, one.stderr
    checkpoint, early, plateau = (next(line for line in said if words in line) for words in
                                  ("Can save best model only", "Early stopping conditioned", "Learning rate reduction"))

    def named(line: str, who: str) -> str:                       # one process's line, its message after the ranks
        where, kind, message = line.split(": ", 2)
        return f"{where}: {kind}: {who} of 3: {message}"
    assert warned(r.stderr) == [checkpoint, named(early, "ranks 1, 2"), named(plateau, "rank 1")]


def test_a_rank_s_warning_is_shown_when_every_rank_raises_the_same_error(tmp_path):
    script = [sys.executable, str(HERE / "mpi_12.py"), str(tmp_path), "one rank warns, then diverges"]
    one = subprocess.run([*script, "all"], capture_output=True, text=True, timeout=60, check=True)   # no mpiexec
    r = subprocess.run([str(MPIEXEC), "-n", "2", *script, "some"], capture_output=True, text=True, timeout=60,
                       check=False, env={**os.environ, "CHAINRULE_MPI_TIMEOUT": "20"})
    assert r.returncode == 0, r.stderr
    said = warned(one.stderr)                        # the rank's own warning, the loss's GradientWarning: once each
    assert len(said) == 2, one.stderr
    own = next(line for line in said if "this rank's own" in line)
    where, kind, message = own.split(": ", 2)
    exploded = next(line for line in said if "GradientWarning: the loss exploded" in line)
    assert sorted(warned(r.stderr)) == sorted([exploded, f"{where}: {kind}: rank 1 of 2: {message}"])


def test_train_quiet_s_job_says_its_warning_alone(tmp_path):
    """`train --mpi --quiet`: stderr holds the warning a one-process run says, and nothing else; the ranks other
    than 0 ended saying "ResourceWarning: unclosed file <... name='/dev/null'>" (their stdout and stderr, at exit)."""
    from conftest import iris_table
    iris_table().to_csv(tmp_path / "iris.csv", index=False)
    args = ["-m", "chainrule.cli", "train", str(tmp_path / "iris.csv"), "--target", "species", "--epochs", "2",
            "--schedule", "step:step_size=10", "--quiet", "--out"]
    one = subprocess.run([sys.executable, *args, str(tmp_path / "one.npz")], capture_output=True, text=True,
                         timeout=60, check=True)
    r = subprocess.run([str(MPIEXEC), "-n", "2", sys.executable, *args, str(tmp_path / "m.npz"), "--mpi"],
                       capture_output=True, text=True, timeout=60, check=False,
                       env={**os.environ, "OMP_NUM_THREADS": "1", "CHAINRULE_MPI_TIMEOUT": "20"})
    assert r.returncode == 0, r.stderr
    assert len(one.stderr.splitlines()) == 1 and "step_size=10" in one.stderr, one.stderr
    assert r.stderr == one.stderr
