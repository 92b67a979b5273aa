"""`chainrule sweep`'s folds learn their preprocessing from their own training rows: each fold's score
equals scikit-learn's cross_val_score of a Pipeline (its scalers, imputers and one-hot encoder, then
chainrule's estimator) on the same folds. The sweep computed the scaling on the whole file before
cutting the folds, so each fold's held-out rows shaped the inputs its model trained on."""
import numpy as np
import pytest

pd = pytest.importorskip("pandas")
from sklearn.compose import ColumnTransformer  # noqa: E402
from sklearn.datasets import load_iris  # noqa: E402
from sklearn.impute import SimpleImputer  # noqa: E402
from sklearn.model_selection import StratifiedKFold, cross_val_score  # noqa: E402
from sklearn.pipeline import Pipeline, make_pipeline  # noqa: E402
from sklearn.preprocessing import OneHotEncoder, StandardScaler  # noqa: E402

from chainrule.sklearn import BackpropClassifier  # noqa: E402
from chainrule.sweep import run_sweep  # noqa: E402

FIT = {"epochs": 8, "batch_size": 16}
FOLDS = ["split0_test_score", "split1_test_score", "split2_test_score"]


def _iris():
    d = load_iris(as_frame=True).frame
    d["species"] = np.array(["setosa", "versicolor", "virginica"])[d.pop("target")]
    return d


def _scikit_learn(pipeline_head, X, y, params: dict, scoring: str, seed: int) -> np.ndarray:
    """Each fold's score by scikit-learn: the preprocessing steps fit on the fold's training rows in a
    Pipeline with chainrule's classifier, on the sweep's folds (shuffled, seeded by the seed)."""
    pipe = Pipeline([*pipeline_head, ("net", BackpropClassifier(random_state=seed, **FIT, **params))])
    return cross_val_score(pipe, X, y, scoring=scoring, cv=StratifiedKFold(3, shuffle=True, random_state=seed))


@pytest.mark.filterwarnings("ignore:(Stochastic Optimizer|.* finished fits ran every epoch)")   # few epochs
def test_each_folds_score_is_a_pipelines_with_the_scaling_of_its_training_rows(tmp_path):
    """A few extreme values in the file: the whole file's means and scales, used by every fold, were
    theirs even in the folds that hold them out."""
    d = _iris()
    d.loc[[5, 60, 120], "petal length (cm)"] = [80.0, -60.0, 95.0]
    d.to_csv(tmp_path / "iris.csv", index=False)
    res = run_sweep(tmp_path / "iris.csv", "species", "hidden=8;lr=1e-2,3e-2", scoring="neg_log_loss", seed=2, **FIT)
    X, y = d.drop(columns="species").to_numpy(), np.unique(d["species"], return_inverse=True)[1]
    assert len(res.table) == 2
    for _, row in res.table.iterrows():
        want = _scikit_learn([("scale", StandardScaler())], X, y, {"hidden_layer_sizes": (8,),
                                                                   "learning_rate": row["lr"]}, "neg_log_loss", 2)
        np.testing.assert_allclose(row[FOLDS].to_numpy(float), want, rtol=1e-9)


@pytest.mark.filterwarnings("ignore:(Stochastic Optimizer|.* finished fits ran every epoch)")   # few epochs
def test_imputed_and_text_columns_are_learnt_from_each_folds_training_rows(tmp_path):
    """--impute's fill values and a text column's categories come from the fold's training rows too, as
    SimpleImputer and OneHotEncoder(handle_unknown='ignore') in a Pipeline."""
    d = _iris()
    rng = np.random.default_rng(0)
    d["soil"] = rng.choice(["clay", "loam", "sand"], size=len(d))
    d.loc[[7, 77], "soil"] = "peat"                      # a category some folds' training rows lack
    d.loc[[3, 40, 90, 130], "sepal width (cm)"] = np.nan
    d.loc[[11, 100], "soil"] = np.nan
    d.to_csv(tmp_path / "soil.csv", index=False)
    res = run_sweep(tmp_path / "soil.csv", "species", "hidden=8", impute="mean", scoring="neg_log_loss", seed=1,
                    **FIT)
    numeric = [c for c in d.columns if c not in ("species", "soil")]
    columns = ColumnTransformer([("num", make_pipeline(SimpleImputer(strategy="mean"), StandardScaler()), numeric),
                                 ("text", make_pipeline(SimpleImputer(strategy="most_frequent"),
                                                        OneHotEncoder(handle_unknown="ignore")), ["soil"])],
                                sparse_threshold=1.0)
    y = np.unique(d["species"], return_inverse=True)[1]
    want = _scikit_learn([("columns", columns)], d.drop(columns="species"), y, {"hidden_layer_sizes": (8,)},
                         "neg_log_loss", 1)
    np.testing.assert_allclose(res.table.loc[0, FOLDS].to_numpy(float), want, rtol=1e-9)


@pytest.mark.filterwarnings("ignore:(Stochastic Optimizer|.* finished fits ran every epoch)")   # few epochs
def test_the_best_model_keeps_the_whole_files_preprocessing(tmp_path):
    """The refit on every row, and the file it writes, are scaled with every row's statistics."""
    import chainrule as cr
    d = _iris()
    d.loc[[5, 60], "petal length (cm)"] = [80.0, -60.0]
    d.to_csv(tmp_path / "iris.csv", index=False)
    res = run_sweep(tmp_path / "iris.csv", "species", "hidden=8", out_dir=tmp_path / "sw", **FIT)
    X, y = d.drop(columns="species").to_numpy(), np.unique(d["species"], return_inverse=True)[1]
    scaled = StandardScaler().fit_transform(X)
    want = BackpropClassifier(random_state=0, hidden_layer_sizes=(8,), **FIT).fit(scaled, y).predict_proba(scaled)
    np.testing.assert_allclose(res.best_estimator.predict_proba(scaled), want, rtol=1e-9)
    _, extra = cr.load(tmp_path / "sw" / "best_model.npz", with_extra=True)
    np.testing.assert_allclose(extra["tabular"]["means"], X.mean(axis=0), rtol=1e-12)
    np.testing.assert_allclose(extra["tabular"]["scales"], X.std(axis=0), rtol=1e-12)


def test_a_column_with_values_only_in_a_folds_held_out_rows_is_a_clear_error(tmp_path):
    """Nothing in that fold's training rows to fill the column's gaps with, nor to scale it by: said as
    `train` says it, not a candidate 'failed' in one fold."""
    from sklearn.model_selection import KFold

    from chainrule.errors import ValidationError
    rng = np.random.default_rng(0)
    d = pd.DataFrame({"x": rng.normal(size=30), "z": np.nan, "y": rng.normal(size=30)})
    held_out = next(iter(KFold(3, shuffle=True, random_state=0).split(d)))[1]
    d.loc[held_out, "z"] = rng.normal(size=len(held_out))
    d.to_csv(tmp_path / "z.csv", index=False)
    with pytest.raises(ValidationError, match=r"column 'z' has no values in the training rows"):
        run_sweep(tmp_path / "z.csv", "y", "hidden=4", impute="mean", epochs=1)
