"""`chainrule sweep` and chainrule.sweep on this machine: the grid, the table, the best model that
`chainrule predict` reads, and the errors for bad input."""

import numpy as np
import pytest

pd = pytest.importorskip("pandas")
from conftest import cli, cmd  # noqa: E402
from sklearn.model_selection import GridSearchCV, StratifiedKFold  # noqa: E402
from sklearn.pipeline import make_pipeline  # noqa: E402
from sklearn.preprocessing import StandardScaler  # noqa: E402

import chainrule as cr  # noqa: E402
from chainrule.errors import UnknownNameError, ValidationError  # noqa: E402
from chainrule.sklearn import BackpropClassifier, BackpropRegressor  # noqa: E402
from chainrule.sweep import ALIASES, as_softmax, parse_grid, run_sweep  # noqa: E402


def test_parse_grid():
    assert parse_grid("hidden=16,32x16;lr=1e-3,0.01") == {"hidden": [(16,), (32, 16)], "lr": [0.001, 0.01]}
    assert parse_grid(" activation = relu,tanh ; epochs=5 ;") == {"activation": ["relu", "tanh"], "epochs": [5]}
    for bad in ["", "hidden", "=1,2", "hidden=16,,32", "hidden=a", "lr=1;lr=2"]:
        with pytest.raises(ValidationError):
            parse_grid(bad)


def test_an_argument_named_twice_by_its_alias_and_its_name_is_refused(sweep_data, tmp_path):
    """'lr=0.1;learning_rate=0.0001' ran one of the two and reported lr=0.0001, a value never given to lr."""
    for grid, first, second in (("lr=0.1;learning_rate=0.0001", "lr", "learning_rate"),
                                ("batch_size=8;batch=16", "batch_size", "batch"),
                                ("hidden=4;hidden_layer_sizes=8", "hidden", "hidden_layer_sizes")):
        with pytest.raises(ValidationError, match=f"the grid names {ALIASES[first]} twice, as {first!r} and "
                                                  f"{second!r}: give one"):
            run_sweep(sweep_data / "iris.csv", "species", grid, out_dir=tmp_path, cv=2, epochs=1)
    assert not list(tmp_path.iterdir())


def test_sweep_reads_a_file_as_train_does(sweep_data, tmp_path):
    """sweep had no --sep, --encoding, --decimal or --thousands: a European file could not be swept. The
    best model keeps the marks, so predict reads the same file without them."""
    d = pd.read_csv(sweep_data / "iris.csv")
    first = d.columns[0]
    mean = d[first].mean()
    d[first] = [f"{v * 1000:,.1f}".replace(",", " ").replace(".", ",").replace(" ", ".") for v in
                d[first]]                                                     # 5.100,0: '.' thousands, ',' decimal
    d.to_csv(tmp_path / "eu.csv", sep=";", index=False, encoding="latin-1")
    r = cli("sweep", tmp_path / "eu.csv", "--target", "species", "--grid", "hidden=4", "--epochs", "2", "--cv", "2",
            "--decimal", ",", "--thousands", ".", "--encoding", "latin-1", "--out-dir", tmp_path / "sw")
    assert r.returncode == 0, r.stderr
    net, extra = cr.load(tmp_path / "sw" / "best_model.npz", with_extra=True)
    assert (extra["tabular"]["decimal"], extra["tabular"]["thousands"]) == (",", ".")
    assert extra["tabular"]["means"][0] == pytest.approx(1000 * mean, rel=1e-12)
    r = cli("predict", tmp_path / "sw" / "best_model.npz", tmp_path / "eu.csv", "--encoding", "latin-1")
    assert r.returncode == 0 and len(r.stdout.splitlines()) == 151, r.stderr


def test_sweep_names_columns_as_the_file_spells_them(tmp_path):
    """A header 'age, income, y' has ' y' and ' income': train took --target y, sweep did not."""
    rows = "".join(f"{i % 7}, {'ab'[i % 2]}, {i % 2}\n" for i in range(20))
    (tmp_path / "sp.csv").write_text("age, income, y\n" + rows)
    r = cmd("sweep", tmp_path / "sp.csv", "--target", "y", "--text", "income", "--grid", "lr=0.01", "--cv", "2",
            "--epochs", "1", "--out-dir", tmp_path / "sw")
    assert r.returncode == 0, r.stderr
    tab = cr.load(tmp_path / "sw" / "best_model.npz", with_extra=True)[1]["tabular"]
    assert (tab["target"], tab["text"]) == (" y", [" income"])


def _refit(X, y, estimator, best):
    """The search's refit, done again here: the estimator with the best parameters on all rows."""
    return estimator.set_params(**best).fit(X, y)


@pytest.mark.filterwarnings("ignore:(Stochastic Optimizer|.* finished fits ran every epoch)")   # few epochs
def test_binary_sweep_best_model_equals_the_estimator(sweep_data, tmp_path):
    res = run_sweep(sweep_data / "binary.csv", "species", "hidden=4,8;lr=1e-2,3e-2", out_dir=tmp_path, cv=3,
                    epochs=10, batch_size=16, seed=3)
    table = pd.read_csv(tmp_path / "sweep_results.csv")
    assert len(table) == 4 and list(table["rank_test_score"]) == sorted(table["rank_test_score"])
    assert table.loc[0, "mean_test_score"] == pytest.approx(res.best_score)
    np.testing.assert_allclose(table[["split0_test_score", "split1_test_score", "split2_test_score"]].mean(axis=1),
                               table["mean_test_score"], rtol=1e-12)
    # the same search through scikit-learn directly
    from chainrule.data.tabular import Preprocessing
    df = pd.read_csv(sweep_data / "binary.csv")
    pre = Preprocessing.fit(df, "species")
    X, y = pre.transform(df), pre.encode_target(df)
    raw = df.drop(columns="species").to_numpy()         # each fold scaled with its training rows, as a Pipeline
    direct = GridSearchCV(make_pipeline(StandardScaler(), BackpropClassifier(random_state=3, epochs=10, batch_size=16)),
                          {"backpropclassifier__hidden_layer_sizes": [(4,), (8,)],
                           "backpropclassifier__learning_rate": [1e-2, 3e-2]},
                          cv=StratifiedKFold(3, shuffle=True, random_state=3)).fit(raw, y)     # the sweep's folds
    np.testing.assert_allclose(np.sort(table["mean_test_score"]), np.sort(direct.cv_results_["mean_test_score"]))
    # the file holds a 2-way softmax whose probabilities are the sigmoid classifier's
    net, extra = cr.load(tmp_path / "best_model.npz", with_extra=True)
    assert net.n_outputs == 2 and extra["tabular"]["classes"] == ["versicolor", "virginica"]
    proba = direct.best_estimator_.predict_proba(raw)
    np.testing.assert_allclose(net.predict(X), proba, rtol=1e-9, atol=1e-15)
    assert res.best_params == {k.split("__")[1]: v for k, v in direct.best_params_.items()}   # the estimator's names
    assert extra["sweep"]["best_params"] == {"hidden": "x".join(map(str, res.best_params["hidden_layer_sizes"])),
                                             "lr": res.best_params["learning_rate"]}
    again = BackpropClassifier(random_state=3, epochs=10, batch_size=16, **res.best_params).fit(X, y)
    np.testing.assert_allclose(again.predict_proba(X), res.best_estimator.predict_proba(X), rtol=1e-12)


@pytest.mark.filterwarnings("ignore:(Stochastic Optimizer|.* finished fits ran every epoch)")   # few epochs
def test_as_softmax_is_the_same_model():
    rng = np.random.default_rng(0)
    clf = BackpropClassifier(hidden_layer_sizes=(5, 3), epochs=3, random_state=0)
    X = rng.normal(size=(40, 4))
    clf.fit(X, (X[:, 0] > 0).astype(int))
    net = as_softmax(clf.network_)
    np.testing.assert_allclose(net.predict(X), clf.predict_proba(X), rtol=1e-12, atol=1e-15)


@pytest.mark.filterwarnings("ignore:(Stochastic Optimizer|.* finished fits ran every epoch)")   # few epochs
def test_regression_sweep(sweep_data, tmp_path):
    res = run_sweep(sweep_data / "diabetes.csv", "target", {"hidden": [(8,)], "alpha": [0.0, 1e-3]}, out_dir=tmp_path,
                    epochs=5, batch_size=16)
    assert res.scoring == "r2" and set(res.table["alpha"]) == {0.0, 1e-3}
    net, extra = cr.load(tmp_path / "best_model.npz", with_extra=True)
    assert net.n_outputs == 1 and extra["tabular"]["task"] == "regression"
    from chainrule.data.tabular import Preprocessing
    df = pd.read_csv(sweep_data / "diabetes.csv")
    pre = Preprocessing.fit(df, "target")
    X, y = pre.transform(df), pre.encode_target(df)[:, 0]
    est = _refit(X, y, BackpropRegressor(random_state=0, epochs=5, batch_size=16),
                 res.best_params)
    np.testing.assert_allclose(net.predict(X)[:, 0], est.predict(X), rtol=1e-12)


def test_bad_input_is_named(sweep_data, tmp_path):
    with pytest.raises(UnknownNameError, match="hiden.*Did you mean 'hidden'"):
        run_sweep(sweep_data / "iris.csv", "species", "hiden=4")
    with pytest.raises(UnknownNameError, match="scoring='acuracy'"):
        run_sweep(sweep_data / "iris.csv", "species", "hidden=4", scoring="acuracy")
    with pytest.raises(ValidationError, match="'nope' is not in the file"):
        run_sweep(sweep_data / "iris.csv", "nope", "hidden=4")
    with pytest.raises(ValidationError, match="cv must be"):
        run_sweep(sweep_data / "iris.csv", "species", "hidden=4", cv=1)
    (tmp_path / "file").write_text("x")
    with pytest.raises(ValidationError, match="is a file, not a folder"):
        run_sweep(sweep_data / "iris.csv", "species", "hidden=4", out_dir=tmp_path / "file")


def test_cli_sweep_then_predict(sweep_data, tmp_path):
    out = tmp_path / "sweep"
    r = cmd("sweep", sweep_data / "iris.csv", "--target", "species", "--grid", "hidden=4,8x4;lr=3e-2", "--epochs", "10",
            "--out-dir", out)
    assert r.returncode == 0, r.stderr
    assert "2 candidates x 3 folds on this machine; accuracy" in r.stdout
    first = pd.read_csv(out / "sweep_results.csv").iloc[0]           # the best row; its lr as --grid wrote it
    assert first["lr"] == 3e-2
    assert f"best: hidden={first['hidden']}, lr=3e-2 (accuracy {first['mean_test_score']:.4f})" in r.stdout
    r = cmd("predict", out / "best_model.npz", sweep_data / "iris.csv", "--proba")
    assert r.returncode == 0, r.stderr
    got = pd.read_csv(__import__("io").StringIO(r.stdout))
    assert list(got.columns) == ["prediction", "proba_setosa", "proba_versicolor", "proba_virginica"]
    assert (got["prediction"] == pd.read_csv(sweep_data / "iris.csv")["species"]).mean() > 0.8
    r = cmd("sweep", sweep_data / "iris.csv", "--target", "species", "--grid", "hiden=4", "--out-dir", out)
    assert r.returncode == 2 and "Did you mean 'hidden'" in r.stderr


@pytest.mark.filterwarnings("ignore:(Stochastic Optimizer|.* finished fits ran every epoch)")   # few epochs
def test_the_folds_are_shuffled_rows_seeded_by_seed(sweep_data, tmp_path):
    """`--seed` "seeds the folds", but the folds were the file's rows in order: a file sorted by
    its target gave folds that extrapolate (R2 about -10, the same for every seed)."""
    df = pd.read_csv(sweep_data / "diabetes.csv").sort_values("target")
    df.to_csv(tmp_path / "sorted.csv", index=False)
    scores = [run_sweep(tmp_path / "sorted.csv", "target", "hidden=16", cv=3, epochs=30, batch_size=16, seed=seed,
                        learning_rate=1e-2).best_score for seed in (0, 1)]
    assert min(scores) > 0.0, scores
    assert scores[0] != scores[1]                       # other folds for another seed


def test_sweep_reads_missing_markers_and_text_columns_as_train(sweep_data, tmp_path):
    """`sweep` had no --na-values (its error suggested it) once only the empty cell, NA and NaN were
    missing; the model it writes keeps the markers for predict."""
    df = pd.read_csv(sweep_data / "iris.csv")
    df["sepal length (cm)"] = df["sepal length (cm)"].astype(object)
    df.loc[[2, 9], "sepal length (cm)"] = "N/A"
    df.to_csv(tmp_path / "na.csv", index=False)
    r = cmd("sweep", tmp_path / "na.csv", "--target", "species", "--grid", "hidden=4", "--epochs", "3",
            "--impute", "median", "--out-dir", tmp_path / "s")
    assert r.returncode == 2 and "Give --na-values 'N/A'" in r.stderr
    r = cmd("sweep", tmp_path / "na.csv", "--target", "species", "--grid", "hidden=4", "--epochs", "3",
            "--impute", "median", "--na-values", "N/A", "--out-dir", tmp_path / "s")
    assert r.returncode == 0, r.stderr
    assert cmd("predict", tmp_path / "s" / "best_model.npz", tmp_path / "na.csv").returncode == 0


def test_parse_grid_reads_true_and_false_as_booleans():
    """'early_stopping=True' was the string 'True', which the estimator refused."""
    assert parse_grid("early_stopping=True,false;warm_start=TRUE") == {"early_stopping": [True, False],
                                                                       "warm_start": [True]}
    assert all(type(v) is bool for v in parse_grid("early_stopping=true,False")["early_stopping"])
    assert parse_grid("epochs=1") == {"epochs": [1]} and type(parse_grid("epochs=1")["epochs"][0]) is int


@pytest.mark.filterwarnings("ignore:(Stochastic Optimizer|.* finished fits ran every epoch)")   # few epochs
def test_sweep_returns_the_columns_left_out_and_names_its_arguments(sweep_data, capsys):
    """run_sweep(drop=...) printed "left out: ..." from the library, and its errors named --drop and --features."""
    from chainrule.data.columns import select_columns
    res = run_sweep(sweep_data / "iris.csv", "species", "hidden=4", cv=2, epochs=1, drop=["sepal width (cm)"])
    assert res.left_out == ["sepal width (cm)"] and capsys.readouterr().err == ""
    df = pd.read_csv(sweep_data / "iris.csv")
    kept, left = select_columns(df, "species", ["petal length (cm)"], [])
    assert list(kept.columns) == ["petal length (cm)", "species"]
    assert left == ["sepal length (cm)", "sepal width (cm)", "petal width (cm)"]
    for kwargs, said in (({"drop": ["species"]}, "the target column 'species' cannot be in drop: "),
                         ({"drop": ["nope"]}, "drop: column 'nope' is not in the file"),
                         ({"features": ["petal length (cm)"], "text_columns": ["sepal length (cm)"]},
                          "text_columns: column 'sepal length (cm)' is not among features")):
        with pytest.raises(ValidationError) as exc:
            run_sweep(sweep_data / "iris.csv", "species", "hidden=4", cv=2, epochs=1, **kwargs)
        assert said in str(exc.value) and "--" not in str(exc.value)
    assert capsys.readouterr().err == ""
