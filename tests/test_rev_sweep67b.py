"""run_sweep(verbose=N)'s lines: docs/scale.md shows the lines as printed, and the fits run two at a time or on a Dask
cluster print the same lines as one at a time (each as it finishes, in this process)."""
import re
import warnings
from pathlib import Path

import pytest

pytest.importorskip("pandas")
from chainrule.sweep import run_sweep  # noqa: E402

SCALE = Path(__file__).parent.parent / "docs" / "scale.md"
FIT = {"epochs": 2, "batch_size": 16}
GRID = {"hidden": [16], "lr": [0.01, 0.1]}


def _timeless(text: str) -> list[str]:
    """The lines, sorted, their times and scores out (they differ run to run)."""
    return sorted(re.sub(r"(?<=time=)\s*\S+|(?<=score=)\S+", "", line) for line in text.splitlines())


def _sweep(sweep_data, capsys, verbose: int, **how) -> str:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")       # the fits' few epochs
        run_sweep(sweep_data / "iris.csv", "species", GRID, cv=3, verbose=verbose, **FIT, **how)
    return capsys.readouterr().out


@pytest.mark.parametrize("verbose", [2, 3])
def test_the_docs_lines_are_those_printed(verbose, sweep_data, capsys):
    said = re.findall(r"`(\[CV[^`]*\] END [^`]*)`", SCALE.read_text(encoding="utf-8"))
    shown = next(line for line in said if ("[CV]" in line) == (verbose == 2))
    printed = _sweep(sweep_data, capsys, verbose).splitlines()
    fold = "[CV 2/3]" if verbose == 3 else "[CV]"
    line = next(p for p in printed if p.startswith(fold) and "lr=0.01;" in p)
    time, score = re.search(r"time=(.*)$", shown)[1], re.search(r"score=(\S+)", shown)
    line = re.sub(r"(?<=time=).*$", time, line)
    if score:
        line = re.sub(r"(?<=score=)\S+", score[1], line)
    assert line == shown


def test_two_jobs_print_every_fits_line(sweep_data, capsys):
    one = _sweep(sweep_data, capsys, 3)
    two = _sweep(sweep_data, capsys, 3, n_jobs=2)
    assert len(one.splitlines()) == 7 and _timeless(two) == _timeless(one), (one, two)


def test_a_dask_cluster_prints_every_fits_line(sweep_data, capsys):
    distributed = pytest.importorskip("distributed")
    from chainrule.workers import worker_env
    one = _sweep(sweep_data, capsys, 3)
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, host="127.0.0.1", processes=True,
                                  dashboard_address=None, env=worker_env(1)) as cluster:
        on_dask = _sweep(sweep_data, capsys, 3, scheduler=cluster.scheduler_address)
    assert _timeless(on_dask) == _timeless(one), (one, on_dask)
