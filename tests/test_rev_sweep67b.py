"""run_sweep(verbose=N)'s lines: docs/scale.md shows the lines as printed, and the fits run two at a time or on a Dask
cluster print the same lines as one at a time (each as it finishes, in this process)."""
import contextlib
import io
import re
import warnings
from pathlib import Path

import numpy as np
import pytest

pytest.importorskip("pandas")
from chainrule.errors import ValidationError  # noqa: E402
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


VERBOSE_TAKEN = [True, np.bool_(True), np.int64(2), 3]
VERBOSE_REFUSED = [-1, 1.5, np.float64(1.0), "2", None]


def _gridsearch_takes(verbose) -> bool:
    """Whether GridSearchCV's own check of its arguments takes `verbose`: the truth run_sweep's follows."""
    from sklearn.linear_model import LogisticRegression
    from sklearn.model_selection import GridSearchCV
    from sklearn.utils._param_validation import InvalidParameterError
    X, y = np.arange(8.0).reshape(-1, 1), np.arange(8) % 2
    try:
        with contextlib.redirect_stdout(io.StringIO()):
            GridSearchCV(LogisticRegression(), {"C": [1.0]}, cv=2, verbose=verbose).fit(X, y)
    except InvalidParameterError:
        return False
    return True


@pytest.mark.parametrize("verbose", VERBOSE_TAKEN + VERBOSE_REFUSED, ids=repr)
def test_verbose_is_taken_where_gridsearchcv_takes_it(verbose, sweep_data, capsys):
    if not _gridsearch_takes(verbose):
        with pytest.raises(ValidationError, match=r"verbose must be an integer >= 0.*; got "):
            run_sweep(sweep_data / "iris.csv", "species", GRID, cv=3, verbose=verbose, **FIT)
        return
    assert _timeless(_sweep(sweep_data, capsys, verbose)) == _timeless(_sweep(sweep_data, capsys, int(verbose)))


def test_the_taken_and_refused_are_gridsearchcvs():
    assert [_gridsearch_takes(v) for v in VERBOSE_TAKEN + VERBOSE_REFUSED] == [True] * 4 + [False] * 5
