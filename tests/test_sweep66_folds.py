"""cv and groups as GridSearchCV takes them: an iterable of (train, test) index pairs (a generator, read once), and a
splitter of groups (GroupKFold, LeaveOneGroupOut) with the file's column of the rows' groups, GridSearchCV.fit's
groups: the same folds as those index pairs given as a list, each group's rows in one test fold, the column not an
input."""
import numpy as np
import pandas as pd
import pytest
from sklearn.model_selection import GroupKFold, KFold, LeaveOneGroupOut

from chainrule.errors import ValidationError
from chainrule.sweep import run_sweep

pytestmark = pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")   # 2 epochs: fast
FIT = {"epochs": 2}


def _scores(res, n: int) -> np.ndarray:
    return np.array([res.cv_results_[f"split{k}_test_score"] for k in range(n)])


@pytest.fixture
def grouped(sweep_data, tmp_path):
    d = pd.read_csv(sweep_data / "iris.csv")
    d.insert(0, "plot", np.arange(len(d)) % 5)       # 5 groups of rows, each of every species
    d.to_csv(tmp_path / "grouped.csv", index=False)
    return tmp_path / "grouped.csv", d


def test_a_generator_of_index_pairs_is_taken_as_their_list(sweep_data):
    pairs = list(KFold(3, shuffle=True, random_state=1).split(np.zeros(150)))
    listed = run_sweep(sweep_data / "iris.csv", "species", {"lr": [0.01, 0.05]}, cv=pairs, **FIT)
    generated = run_sweep(sweep_data / "iris.csv", "species", {"lr": [0.01, 0.05]}, cv=(p for p in pairs), **FIT)
    assert generated.n_splits_ == 3
    np.testing.assert_array_equal(_scores(generated, 3), _scores(listed, 3))


def test_groups_cut_the_folds_as_group_kfold_of_the_column(grouped):
    path, d = grouped
    X, y = d.drop(columns=["plot", "species"]), d.species
    pairs = list(GroupKFold(5).split(X, y, d["plot"]))
    ours = run_sweep(path, "species", {"lr": [0.01, 0.05]}, cv=GroupKFold(5), groups="plot", **FIT)
    same = run_sweep(path, "species", {"lr": [0.01, 0.05]}, cv=pairs, drop=["plot"], **FIT)
    np.testing.assert_array_equal(_scores(ours, 5), _scores(same, 5))
    assert list(ours.feature_names_in_) == list(X.columns)       # the groups are not an input
    one_out = run_sweep(path, "species", {"lr": [0.01]}, cv=LeaveOneGroupOut(), groups="plot", **FIT)
    assert one_out.n_splits_ == LeaveOneGroupOut().get_n_splits(X, y, d["plot"]) == 5


@pytest.mark.parametrize(("kwargs", "said"), [
    ({"groups": "plots"}, r"groups: column 'plots' is not in the file \(did you mean 'plot'\?\)"),
    ({"groups": "species"}, r"the groups column 'species' cannot also be the target"),
    ({"groups": "plot", "drop": ["plot"]},
     r"the groups column .plot. cannot also be the target, the weight column, in features or in drop"),
])
def test_a_wrong_groups_column_is_named(grouped, kwargs, said):
    with pytest.raises(ValidationError, match=said):
        run_sweep(grouped[0], "species", {"lr": [0.01]}, cv=GroupKFold(5), **kwargs, **FIT)


def test_a_group_missing_on_a_row_is_named_with_its_line(grouped, tmp_path):
    path, d = grouped
    d.loc[3, "plot"] = np.nan
    d.to_csv(tmp_path / "gap.csv", index=False)
    with pytest.raises(ValidationError, match=r"groups column 'plot' is missing on 1 of 150 rows \(first on line 5\)"):
        run_sweep(tmp_path / "gap.csv", "species", {"lr": [0.01]}, cv=GroupKFold(5), groups="plot", **FIT)


def test_a_splitter_of_groups_without_them_says_how_to_give_them(grouped):
    with pytest.raises(ValueError, match="groups") as truth:
        next(GroupKFold(5).split(np.zeros((10, 1)), np.zeros(10)))
    with pytest.raises(ValidationError) as got:
        run_sweep(grouped[0], "species", {"lr": [0.01]}, cv=GroupKFold(5), **FIT)
    assert str(got.value).endswith(f"rows: {truth.value} (give groups='COLUMN', the file's column of the rows' groups)")


def test_a_group_missing_after_a_blank_line_names_its_line_in_the_file(grouped, tmp_path):
    path, _ = grouped
    lines = path.read_text().splitlines()
    lines.insert(3, "")                                    # a blank line among the rows: pandas skips it
    lines[6] = "," + lines[6].split(",", 1)[1]             # no group on the file's line 7
    (tmp_path / "gap.csv").write_text("\n".join(lines) + "\n")
    line = next(i + 1 for i, text in enumerate((tmp_path / "gap.csv").read_text().splitlines()) if text.startswith(","))
    with pytest.raises(ValidationError, match=rf"missing on 1 of 150 rows \(first on line {line}\)"):
        run_sweep(tmp_path / "gap.csv", "species", {"lr": [0.01]}, cv=GroupKFold(5), groups="plot", **FIT)


def test_a_splitter_that_counts_its_folds_from_the_groups_writes_the_best_model(grouped, tmp_path):
    import chainrule as cr
    path, d = grouped
    res = run_sweep(path, "species", {"lr": [0.01]}, cv=LeaveOneGroupOut(), groups="plot", out_dir=tmp_path / "s",
                    **FIT)
    assert res.model_path is not None and res.model_path.exists()
    folds = LeaveOneGroupOut().get_n_splits(groups=d["plot"])
    assert cr.load(res.model_path, with_extra=True)[1]["sweep"]["cv"] == res.n_splits_ == folds


def test_the_weight_column_as_the_groups_is_named_as_both_not_as_absent(grouped, tmp_path):
    _, d = grouped
    d.assign(w=1.0).to_csv(tmp_path / "w.csv", index=False)
    said = r"the groups column 'w' cannot also be the target, the weight column"
    with pytest.raises(ValidationError, match=said) as got:
        run_sweep(tmp_path / "w.csv", "species", {"lr": [0.01]}, cv=GroupKFold(5), groups="w", weight="w", **FIT)
    assert "not in the file" not in str(got.value)


@pytest.mark.parametrize(("cv", "said"), [
    (range(3), r"cv: item 1 of 3 must be a \(train, test\) pair of row index arrays, as KFold\(\).split\(X\) gives; "
               r"got 0"),
    ((k for k in [4, 5]), r"cv: item 1 of 2 must be a \(train, test\) pair of row index arrays"),
    (iter([]), r"cv: no \(train, test\) index pairs given"),
    ([(np.arange(100), np.arange(100, 151))], r"cv: the test rows of fold 1 of 1 must be indices of the file's 150 "
                                              r"rows \(0 to 149\), at least one"),
    ([(np.arange(100), np.array([], dtype=int))], r"the test rows of fold 1 of 1 must be indices .* at least one"),
    ([(np.arange(100.0), np.arange(100, 150))], r"the train rows of fold 1 of 1 must be indices"),
])
def test_index_pairs_that_are_not_pairs_of_the_files_rows_are_named(sweep_data, cv, said):
    assert len(pd.read_csv(sweep_data / "iris.csv")) == 150
    with pytest.raises(ValidationError, match=said):
        run_sweep(sweep_data / "iris.csv", "species", {"lr": [0.01]}, cv=cv, **FIT)


def test_boolean_masks_of_the_rows_are_taken_as_their_indices(sweep_data):
    pairs = list(KFold(3, shuffle=True, random_state=2).split(np.zeros(150)))
    masks = [(np.isin(np.arange(150), a), np.isin(np.arange(150), b)) for a, b in pairs]
    listed = run_sweep(sweep_data / "iris.csv", "species", {"lr": [0.01]}, cv=pairs, **FIT)
    masked = run_sweep(sweep_data / "iris.csv", "species", {"lr": [0.01]}, cv=masks, **FIT)
    np.testing.assert_array_equal(_scores(masked, 3), _scores(listed, 3))
