"""run_sweep's verbose lines against GridSearchCV's: at verbose 10 GridSearchCV prints a START line before each fit
(its fold and candidate numbers) and its END line after it; on a Dask cluster every fit's line is printed too."""
import re
import warnings

import pytest

pd = pytest.importorskip("pandas")
from sklearn.model_selection import GridSearchCV, StratifiedKFold  # noqa: E402

from chainrule.sklearn import BackpropClassifier  # noqa: E402
from chainrule.sweep import run_sweep  # noqa: E402

FIT = {"epochs": 2, "batch_size": 16}
GRID = {"learning_rate": [0.01, 0.1], "activation": ["relu", "tanh"]}
pytestmark = pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")


def _timeless(text: str) -> list[str]:
    return [re.sub(r"(END|START) \.+", r"\1 ", re.sub(r"\.+$| total time=.*|(?<=score=)\S+", "", line))
            for line in text.splitlines()]


def _theirs(sweep_data, cv, verbose, capsys):
    df = pd.read_csv(sweep_data / "iris.csv")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        GridSearchCV(BackpropClassifier(**FIT), GRID, cv=cv, verbose=verbose).fit(
            df.drop(columns="species").to_numpy(), df.species.to_numpy())
    return capsys.readouterr().out


def test_verbose_10_prints_gridsearchcvs_start_lines_in_order(sweep_data, capsys):
    cv = StratifiedKFold(2, shuffle=True, random_state=0)
    run_sweep(sweep_data / "iris.csv", "species", GRID, cv=cv, verbose=10, **FIT)
    ours = capsys.readouterr().out
    theirs = _theirs(sweep_data, cv, 10, capsys)
    assert any(" START " in line for line in theirs.splitlines())
    assert _timeless(ours) == _timeless(theirs), (ours, theirs)
    starts = [line for line in ours.splitlines() if " START " in line]
    assert all(len(line) == 80 for line in starts), starts      # dots to 80 columns, as scikit-learn's


def test_every_fit_on_dask_prints_its_line(sweep_data, dask_client, capsys):
    cv = StratifiedKFold(2, shuffle=True, random_state=0)
    run_sweep(sweep_data / "iris.csv", "species", GRID, cv=cv, verbose=10, scheduler=dask_client, **FIT)
    ours = capsys.readouterr().out
    theirs = _theirs(sweep_data, cv, 10, capsys)
    assert sorted(_timeless(ours)) == sorted(_timeless(theirs)), (ours, theirs)
