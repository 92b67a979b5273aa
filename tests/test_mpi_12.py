"""Under a real `mpiexec`: a fit argument that only one rank gets wrong (checked before training) is
the error of one process on every rank, with the rank named, at once: before, the ranks whose checks
passed waited at the meeting until CHAINRULE_MPI_TIMEOUT ended the job with no word of the error, or
(callbacks, optimizer) waited after it for ever. Weighted validation data give every rank the val_
logs of one process: before, the ranks ignored the weights. A callback's warning is rank 0's alone, as
its lines are: every rank warned the same words. GradientDiagnostics' saturation is the global batch's, as
in one process: it was each rank's shard's (and an empty shard's the batch before's)."""
import json
import os
import subprocess
import sys

import mpi_12  # noqa: E402
import numpy as np
import pytest
from mpi_env import HERE, MPIEXEC  # noqa: E402  (skips without mpi4py, fails without mpiexec)


def test_an_argument_wrong_on_one_rank_is_raised_on_every_rank(tmp_path):
    try:
        r = subprocess.run([str(MPIEXEC), "-n", "2", sys.executable, str(HERE / "mpi_12.py"), str(tmp_path), "wrong"],
                           capture_output=True, text=True, timeout=40, check=False,
                           env={**os.environ, "CHAINRULE_MPI_TIMEOUT": "10"})
    except subprocess.TimeoutExpired as exc:
        pytest.fail(f"the job hung: {exc.stderr!r}")
    assert r.returncode == 0, r.stderr
    seen = [json.loads((tmp_path / f"rank{k}.json").read_text()) for k in range(2)]
    assert seen[0] == seen[1]
    for name, (wrong, words) in mpi_12.WRONG.items():
        if name == "sample_weight":                 # refused under MPI alone
            one = f"ValidationError: {words}"
        else:                                       # the error of one process given the same argument
            with pytest.raises(Exception) as info:
                mpi_12.fit(None, wrong)
            one = f"{type(info.value).__name__}: {info.value}"
            assert words in one
        kind, _, message = one.partition(": ")
        assert seen[0][name].startswith(f"{kind}: rank 1 of 2 failed before training: {message}"), (name, seen[0][name])


@pytest.mark.parametrize("n", [2, 3])
def test_weighted_validation_data_log_what_one_process_logs(n, tmp_path):
    r = subprocess.run([str(MPIEXEC), "-n", str(n), sys.executable, str(HERE / "mpi_12.py"), str(tmp_path),
                        "weighted"], capture_output=True, text=True, timeout=60, check=False,
                       env={**os.environ, "CHAINRULE_MPI_TIMEOUT": "20"})
    assert r.returncode == 0, r.stderr
    seen = [json.loads((tmp_path / f"rank{k}.json").read_text()) for k in range(n)]
    assert all(other == seen[0] for other in seen[1:])
    for name, opts in mpi_12.WEIGHTED.items():
        one = mpi_12.weighted(None, dict(opts))               # one process, the same fit
        assert sorted(seen[0][name]) == sorted(one), name
        assert any(key.startswith("val_") for key in one)
        for key, values in one.items():
            np.testing.assert_allclose(seen[0][name][key], values, rtol=1e-12, err_msg=f"{name}: {key}")


def test_callbacks_warn_on_rank_0_alone(tmp_path):
    script = [sys.executable, str(HERE / "mpi_12.py"), str(tmp_path), "warnings"]
    one = subprocess.run(script, capture_output=True, text=True, timeout=60, check=True)       # no mpiexec
    r = subprocess.run([str(MPIEXEC), "-n", "3", *script], capture_output=True, text=True, timeout=60, check=False,
                       env={**os.environ, "CHAINRULE_MPI_TIMEOUT": "20"})
    assert r.returncode == 0, r.stderr
    said = [line for line in one.stderr.splitlines() if "Warning: " in line]
    assert len(said) == 3 and "Early stopping conditioned on metric `val_loss`" in said[0]
    assert [line for line in r.stderr.splitlines() if "Warning: " in line] == said


def test_gradient_diagnostics_read_the_global_batch(tmp_path):
    r = subprocess.run([str(MPIEXEC), "-n", "3", sys.executable, str(HERE / "mpi_12.py"), str(tmp_path),
                        "diagnostics"], capture_output=True, text=True, timeout=60, check=False,
                       env={**os.environ, "CHAINRULE_MPI_TIMEOUT": "20"})
    assert r.returncode == 0, r.stderr
    seen = [json.loads((tmp_path / f"rank{k}.json").read_text()) for k in range(3)]
    assert all(other == seen[0] for other in seen[1:])
    one = mpi_12.diagnosed(None, True)                        # one process, the same fit
    assert sorted(seen[0]["every rank"]) == sorted(one) and 0 < one["saturation/1"][0] < 1
    for key, values in one.items():
        np.testing.assert_allclose(seen[0]["every rank"][key], values, rtol=1e-9, err_msg=key)
    assert seen[0]["rank 0 alone"].startswith("GradientDiagnostics must be given to every rank alike")
