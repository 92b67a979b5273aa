"""`chainrule sweep` names what the user typed: its options (--scoring acuracy, --n-iter 3), not run_sweep's
arguments (scoring='acuracy', n_iter=3); a grid's class_weight it cannot take as the grid's other refused values
(`--grid: key=value: ...`, with the values a text grid can write); --jobs beside --scheduler, which would be ignored,
is refused. run_sweep keeps Python's names."""
from pathlib import Path

import pytest
from conftest import cmd, free_port

pytest.importorskip("pandas")
from sklearn.metrics import get_scorer_names  # noqa: E402

from chainrule.errors import UnknownNameError, ValidationError  # noqa: E402
from chainrule.sweep import run_sweep  # noqa: E402

ROOT = Path(__file__).parent.parent


def last(r) -> str:
    return r.stderr.strip().splitlines()[-1]


def test_the_commands_refusals_and_warnings_name_its_options(sweep_data, tmp_path):
    iris = sweep_data / "iris.csv"
    base = ("sweep", iris, "--target", "species", "--epochs", "1", "--cv", "2", "--out-dir", tmp_path / "s")
    assert "acuracy" not in get_scorer_names() and "r2" in get_scorer_names()    # scikit-learn's names: the truth
    r = cmd(*base, "--grid", "lr=0.01", "--scoring", "acuracy")
    assert r.returncode == 2 and last(r).startswith("chainrule: error: --scoring acuracy is not known; expected one "
                                                    "of accuracy, "), last(r)
    r = cmd(*base, "--grid", "lr=0.01", "--scoring", "r2")
    assert r.returncode == 2 and last(r).startswith("chainrule: error: --scoring r2 is a regression metric; "), last(r)
    r = cmd(*base, "--grid", "class_weight=none,foo")
    assert r.returncode == 2 and last(r) == ("chainrule: error: --grid: class_weight=foo: class_weight must be "
                                             "balanced or none (unweighted); weights by label are given with "
                                             "--class-weight LABEL=W[,LABEL=W] (one weighting for every fit; "
                                             "run_sweep's grid in Python compares several: {label: weight} dicts); "
                                             "got 'foo'"), last(r)
    address = f"tcp://127.0.0.1:{free_port()}"                    # nothing listens: refused before any connection
    r = cmd(*base, "--grid", "lr=0.01", "--jobs", "2", "--scheduler", address)
    assert r.returncode == 2 and r.stderr.startswith("usage: chainrule sweep ") and last(r) == (
        "chainrule sweep: error: --jobs 2 is for fits on this machine; with --scheduler the Dask cluster's workers "
        "run the fits, one a worker thread: leave --jobs out"), last(r)
    row = next(line for line in (ROOT / "docs" / "errors.md").read_text().splitlines()
               if line.startswith("| --jobs beside --scheduler |"))
    assert last(r) == "chainrule sweep: error: " + row.split(" | ")[2]         # docs/errors.md says it as printed
    r = cmd(*base, "--grid", "lr=0.01", "--n-iter", "3", "--no-refit")
    assert r.returncode == 0, r.stderr
    said = [line for line in r.stderr.splitlines() if "more than the grid's" in line]
    assert said == ["chainrule: warning: --n-iter 3 is more than the grid's 1 candidate: each is run once, in the "
                    "order RandomizedSearchCV draws them (without --n-iter: the grid's order)"], r.stderr


def test_run_sweep_names_its_arguments(sweep_data):
    iris = sweep_data / "iris.csv"
    with pytest.raises(UnknownNameError, match=r"^scoring='acuracy' is not known"):
        run_sweep(iris, "species", "lr=0.01", scoring="acuracy")
    with pytest.raises(ValidationError, match=r"^grid: class_weight=foo: class_weight must be 'balanced', None "
                                              r"\(unweighted\) or \{label: weight\}; got 'foo'$"):
        run_sweep(iris, "species", {"class_weight": [None, "foo"]}, epochs=1, cv=2)
    with pytest.raises(ValidationError, match=r"^n_jobs is for fits on this machine; with scheduler the Dask"):
        run_sweep(iris, "species", "lr=0.01", n_jobs=-2, scheduler=f"tcp://127.0.0.1:{free_port()}")


def test_every_worker_thread_beside_a_scheduler_is_taken(sweep_data, tmp_path):
    """n_jobs=-1 is how scikit-learn's searches use every worker thread of joblib's Dask backend (docs/scale.md):
    what a scheduler's sweep does, so not refused; the sweep goes on to reach the scheduler (nothing listens here)."""
    iris = sweep_data / "iris.csv"
    address = f"tcp://127.0.0.1:{free_port()}"
    with pytest.raises(ValidationError, match=r"^cannot reach the Dask scheduler at "):
        run_sweep(iris, "species", "lr=0.01", n_jobs=-1, scheduler=address, out_dir=tmp_path / "s")
    r = cmd("sweep", iris, "--target", "species", "--grid", "lr=0.01", "--jobs", "-1", "--scheduler", address,
            "--out-dir", tmp_path / "s")
    assert r.returncode != 0 and "cannot reach the Dask scheduler at " in last(r), last(r)
