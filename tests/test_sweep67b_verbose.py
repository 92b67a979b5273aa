"""run_sweep's verbose is the search's, as GridSearchCV's: its lines on stdout in GridSearchCV's words (1 the count of
fits, 2 a line per fit, 3 its fold and score too); each fit's own lines are the grid's."""
import re
import warnings

import pytest

pd = pytest.importorskip("pandas")
from sklearn.model_selection import GridSearchCV, StratifiedKFold  # noqa: E402

from chainrule.errors import ValidationError  # noqa: E402
from chainrule.sklearn import BackpropClassifier  # noqa: E402
from chainrule.sweep import run_sweep  # noqa: E402

FIT = {"epochs": 3, "batch_size": 16}
GRID = {"learning_rate": [0.01, 0.1], "activation": ["relu", "tanh"]}


def _timeless(text: str) -> list[str]:
    """The lines without their times, scores (the sweep standardises the inputs) and the dots that align them."""
    return [re.sub(r"END \.+", "END ", re.sub(r" total time=.*|(?<=score=)\S+", "", line))
            for line in text.splitlines()]


@pytest.mark.parametrize("verbose", [1, 2, 3])
def test_verbose_prints_gridsearchcvs_lines(verbose, sweep_data, capsys):
    cv = StratifiedKFold(2, shuffle=True, random_state=0)
    r = run_sweep(sweep_data / "iris.csv", "species", GRID, cv=cv, verbose=verbose, **FIT)
    ours = capsys.readouterr().out
    df = pd.read_csv(sweep_data / "iris.csv")
    X, y = df.drop(columns="species").to_numpy(), df.species.to_numpy()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        GridSearchCV(BackpropClassifier(**FIT), GRID, cv=cv, verbose=verbose).fit(X, y)
    theirs = capsys.readouterr().out
    assert ours.splitlines()[0] == "Fitting 2 folds for each of 4 candidates, totalling 8 fits"
    assert ours.splitlines()[0] == theirs.splitlines()[0]
    if verbose == 1:
        assert len(ours.splitlines()) == 1, ours
    else:      # a fit's line, its candidate as GridSearchCV names it; the scores too at 3 (same folds)
        assert sorted(_timeless(ours)) == sorted(_timeless(theirs)), (ours, theirs)
        assert "Iteration" not in ours            # no fit's own lines
    if verbose == 3:          # the scores printed are the table's
        printed = sorted(float(s) for s in re.findall(r"score=(\S+)", ours))
        assert printed == sorted(round(v, 3) for k in (0, 1) for v in r.table[f"split{k}_test_score"])


def test_each_fits_own_verbose_is_the_grids(sweep_data, capsys):
    run_sweep(sweep_data / "iris.csv", "species", {"verbose": [1]}, cv=2, **FIT)
    out = capsys.readouterr().out
    assert "Iteration 1, loss = " in out and "Fitting" not in out, out


@pytest.mark.parametrize("bad", [-1, 1.5, "2"])
def test_a_bad_verbose_is_named(bad, sweep_data):
    with pytest.raises(ValidationError, match=r"verbose must be an integer >= 0.*got"):
        run_sweep(sweep_data / "iris.csv", "species", GRID, cv=2, verbose=bad, **FIT)
