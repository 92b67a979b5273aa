"""`chainrule sweep`'s refusals of its --grid name what the user typed: a grid name it does not know (`--grid name
'Lr'`, not run_sweep's `grid name='Lr'`), a name given twice (`--grid names ...`), and a regression's class_weight,
whose advice is the command's --weight COL (as its --class-weight's), not run_sweep's weight='COL', and which a
grid of none alone is refused as too (it was called an unknown grid name). run_sweep keeps Python's words."""
import pytest
from conftest import cmd

pytest.importorskip("pandas")
from chainrule.errors import UnknownNameError, ValidationError  # noqa: E402
from chainrule.sklearn import BackpropClassifier  # noqa: E402
from chainrule.sweep import run_sweep  # noqa: E402


def last(r) -> str:
    return r.stderr.strip().splitlines()[-1]


def test_the_grids_names_are_said_as_typed(sweep_data, tmp_path):
    base = ("sweep", sweep_data / "iris.csv", "--target", "species", "--epochs", "1", "--cv", "2",
            "--out-dir", tmp_path / "s")
    assert "Lr" not in BackpropClassifier().get_params()          # the estimator's names: the truth
    r = cmd(*base, "--grid", "Lr=0.1")
    assert r.returncode == 2 and last(r).startswith("chainrule: error: --grid name 'Lr' is not known; expected one of "
                                                    "activation, "), last(r)
    assert last(r).endswith(" Did you mean 'lr'?"), last(r)
    r = cmd(*base, "--grid", "lr=0.1;learning_rate=0.2")
    assert r.returncode == 2 and last(r) == ("chainrule: error: --grid names learning_rate twice, as 'lr' and "
                                             "'learning_rate': give one"), last(r)
    with pytest.raises(UnknownNameError, match=r"^grid name='Lr' is not known"):
        run_sweep(sweep_data / "iris.csv", "species", {"Lr": [0.1]})
    with pytest.raises(ValidationError, match=r"^the grid names learning_rate twice"):
        run_sweep(sweep_data / "iris.csv", "species", {"lr": [0.1], "learning_rate": [0.2]})


def test_a_regressions_grid_class_weight_is_refused_in_the_commands_words(sweep_data, tmp_path):
    diabetes = sweep_data / "diabetes.csv"
    base = ("sweep", diabetes, "--target", "target", "--epochs", "1", "--cv", "2", "--out-dir", tmp_path / "s")
    option = cmd(*base, "--grid", "lr=0.01", "--class-weight", "balanced")     # the command's own advice: the truth
    assert option.returncode == 2 and last(option).endswith("(--weight COL weighs its rows)"), last(option)
    for spelled in ("balanced", "none", "none,balanced"):
        r = cmd(*base, "--grid", f"class_weight={spelled}")
        first = spelled.split(",")[0]
        assert r.returncode == 2 and last(r) == (f"chainrule: error: --grid: class_weight={first}: class_weight is "
                                                 "for classification; 'target' is a regression target (--weight COL "
                                                 "weighs its rows)"), last(r)
    with pytest.raises(ValidationError, match=r"^grid: class_weight=None: class_weight is for classification; "
                                              r"'target' is a regression target \(a column of sample weights, "
                                              r"weight='COL', weighs its rows\)$"):
        run_sweep(diabetes, "target", {"class_weight": [None]}, epochs=1, cv=2, out_dir=None)
