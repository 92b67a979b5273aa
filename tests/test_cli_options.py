"""The CSV command line's options: what train, sweep, predict and evaluate accept, refuse and say."""
import numpy as np
import pytest

pd = pytest.importorskip("pandas")
from conftest import cli_in_process as cli  # noqa: E402
from conftest import iris_table  # noqa: E402
from sklearn.datasets import load_iris  # noqa: E402

import chainrule as cr  # noqa: E402


@pytest.fixture(scope="module")
def iris_csv(tmp_path_factory):
    d = iris_table()
    path = tmp_path_factory.mktemp("data") / "iris.csv"
    d.to_csv(path, index=False)
    return path


def test_train_momentum_is_sgds_and_rmsprops_and_refused_elsewhere(iris_csv, tmp_path, capsys):
    """--optimizer sgd was SGD(lr=0.001, momentum=0) with no way to give it momentum."""
    for name, momentum in (("sgd", 0.9), ("rmsprop", 0.5)):
        out = tmp_path / f"{name}.npz"
        code, _, err = cli(capsys, "train", iris_csv, "--target", "species", "--epochs", "1", "--optimizer", name,
                           "--momentum", momentum, "--out", out, "--quiet")
        assert code == 0, err
        opt = cr.load(out).optimizer
        assert (type(opt).__name__.lower(), opt.lr, opt.momentum) == (name, 1e-3, momentum)
    code, _, err = cli(capsys, "train", iris_csv, "--target", "species", "--epochs", "1", "--optimizer", "sgd",
                       "--out", tmp_path / "plain.npz", "--quiet")
    assert code == 0, err
    assert (cr.load(tmp_path / "plain.npz").optimizer.lr, cr.load(tmp_path / "plain.npz").optimizer.momentum) == \
        (1e-3, 0.0)
    # momentum moves the weights: one epoch with and without it differ
    assert not np.allclose(cr.load(tmp_path / "plain.npz").params, cr.load(tmp_path / "sgd.npz").params)
    code, _, err = cli(capsys, "train", iris_csv, "--target", "species", "--momentum", "0.9",
                       "--out", tmp_path / "adam.npz")
    assert code == 2 and "--momentum is for --optimizer sgd or rmsprop; 'adam' has no momentum" in err
    assert not (tmp_path / "adam.npz").exists()
    code, _, err = cli(capsys, "train", iris_csv, "--target", "species", "--optimizer", "sgd", "--momentum", "-1",
                       "--out", tmp_path / "neg.npz")
    assert code == 2 and "--momentum: expected a finite number >= 0" in err


def test_train_refuses_chunk_rows_without_stream(iris_csv, tmp_path, capsys):
    """--chunk-rows 40 without --stream was accepted and did nothing."""
    code, _, err = cli(capsys, "train", iris_csv, "--target", "species", "--chunk-rows", "40",
                       "--out", tmp_path / "m.npz")
    assert code == 2 and "--chunk-rows needs --stream" in err
    assert not (tmp_path / "m.npz").exists()
    code, _, err = cli(capsys, "train", iris_csv, "--target", "species", "--chunk-rows", "40", "--stream",
                       "--epochs", "1", "--out", tmp_path / "m.npz")
    assert code == 0 and "in chunks of 40 rows" in err


def test_train_activation_list_says_one_for_all_layers(iris_csv, tmp_path, capsys):
    """'sigmoid,relu' was "not known ... Did you mean 'sigmoid'?"."""
    code, _, err = cli(capsys, "train", iris_csv, "--target", "species", "--hidden", "8,8",
                       "--activation", "sigmoid,relu", "--out", tmp_path / "m.npz")
    assert code == 2 and "--activation takes one activation, used by every hidden layer" in err
    assert "Did you mean" not in err


def test_sweep_takes_trains_column_options_and_all_cpus(iris_csv, tmp_path, capsys):
    """sweep had no --drop (its ID warning advised it), --features or --max-categories, refused --jobs -1, and read
    'early_stopping=True' as a string: an ID and a second target column were inputs."""
    from chainrule.data.tabular import Preprocessing
    d = pd.read_csv(iris_csv)
    d["id"] = np.arange(len(d))
    d["is_setosa"] = (d["species"] == "setosa").astype(int)           # a second target: a leak
    d["colour"] = np.array(["red", "green", "blue"])[np.arange(len(d)) % 3]
    path = tmp_path / "iris-extra.csv"
    d.to_csv(path, index=False)
    code, out, err = cli(capsys, "sweep", path, "--target", "species", "--grid", "hidden=4;early_stopping=True,false",
                         "--epochs", "2", "--cv", "2", "--drop", "id,is_setosa", "--max-categories", "2",
                         "--jobs", "-1", "--out-dir", tmp_path / "sweep")
    assert code == 0, err
    assert "left out: ['id', 'is_setosa']" in err
    pre = Preprocessing.from_json(cr.load(tmp_path / "sweep" / "best_model.npz", with_extra=True)[1]["tabular"])
    assert pre.columns == [c for c in d.columns if c not in ("species", "id", "is_setosa")]
    assert len(pre.categories["colour"]) == 2 and pre.other == {"colour": 1}
    table = pd.read_csv(tmp_path / "sweep" / "sweep_results.csv")
    assert sorted(table["early_stopping"].tolist()) == [False, True]
    code, _, err = cli(capsys, "sweep", path, "--target", "species", "--grid", "hidden=4", "--features",
                       "petal length (cm)", "--drop", "species", "--out-dir", tmp_path / "no")
    assert code == 2 and "the target column 'species' cannot be in --drop: " in err
    code, _, err = cli(capsys, "sweep", path, "--target", "species", "--grid", "hidden=4", "--jobs", "0")
    assert code == 2 and "argument --jobs: expected a nonzero integer" in err


@pytest.mark.parametrize("stream", [[], ["--stream"]])
def test_train_says_a_continuous_target_made_into_classes(tmp_path, capsys, stream):
    """--task classification on a continuous target made one class per row (network 5-64-200) and said nothing."""
    rng = np.random.default_rng(0)
    X = rng.normal(size=(200, 5))
    d = pd.DataFrame(X, columns=list("abcde"))
    d["y"] = X @ np.arange(5) + rng.normal(size=200)
    path = tmp_path / "reg.csv"
    d.to_csv(path, index=False)
    assert d["y"].nunique() == 200                       # the truth the warning must state
    code, _, err = cli(capsys, "train", path, "--target", "y", "--task", "classification", "--epochs", "1",
                       "--out", tmp_path / "m.npz", "--quiet", *stream)
    assert code == 0, err
    assert ("warning: target column 'y' has 200 classes for 200 rows (200 seen once): a regression target? "
            "(--task regression)") in err
    code, _, err = cli(capsys, "train", path, "--target", "y", "--epochs", "1", "--out", tmp_path / "r.npz",
                       *stream)
    assert code == 0 and "classes for" not in err and "regression of 'y'" in err


def test_classes_with_enough_rows_are_not_warned_about():
    """Iris' 3 classes of 50 rows, and a 9-row file (too few rows to judge), say nothing; most classes seen once do."""
    import warnings

    from chainrule.data.tabular import ColumnWarning, Preprocessing
    iris = load_iris(as_frame=True).frame
    small = pd.DataFrame({"x": np.arange(9.0), "t": list("abcdefghi")})
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        Preprocessing.fit(iris, "target")
        Preprocessing.fit(small, "t")
    few = pd.DataFrame({"x": np.tile([0.0, 1.0], 6), "t": list("aaaabbbbcdef")})    # 6 classes, 4 seen once: most
    with pytest.warns(ColumnWarning, match=r"'t' has 6 classes for 12 rows \(4 seen once\): too few rows"):
        Preprocessing.fit(few, "t")


def _metrics(out: str) -> dict[str, float]:
    return {k: float(v) for k, _, v in (line.partition(": ") for line in out.splitlines())
            if k in ("loss", "accuracy", "mse", "rmse", "mae", "r2")}


def test_evaluate_weight_weighs_the_metrics_as_python_does(iris_csv, tmp_path, capsys):
    """evaluate had no --weight and silently dropped the column train weighed its rows by."""
    from sklearn.metrics import mean_absolute_error, mean_squared_error, r2_score

    from chainrule.data.tabular import Preprocessing
    d = pd.read_csv(iris_csv)
    d["w"] = np.where(d["species"] == "virginica", 3.0, 1.0) * (1 + np.arange(len(d)) % 4)
    path = tmp_path / "weighted.csv"
    d.to_csv(path, index=False)
    model = tmp_path / "m.npz"
    code, _, err = cli(capsys, "train", path, "--target", "species", "--weight", "w", "--epochs", "5",
                       "--out", model, "--quiet")
    assert code == 0, err
    code, out, err = cli(capsys, "evaluate", model, path)        # the column is there, not given: said
    assert code == 0 and "trained with --weight 'w', which this file has: these metrics are unweighted" in err
    plain = _metrics(out)
    code, out, err = cli(capsys, "evaluate", model, path, "--weight", "w")
    assert code == 0, err
    net, extra = cr.load(model, with_extra=True)
    pre = Preprocessing.from_json(extra["tabular"])
    truth = net.evaluate(pre.transform(d[pre.columns]), pre.encode_target(d), sample_weight=d["w"].to_numpy(),
                         weight_reduction="mean_with_sample_weight")     # the command line's: scikit-learn's
    got = _metrics(out)
    assert got == pytest.approx(truth, rel=1e-5) and got != pytest.approx(plain, rel=1e-5)
    # a regression: sklearn's weighted metrics of the model's predictions
    code, _, err = cli(capsys, "train", path, "--target", "petal width (cm)", "--drop", "species", "--weight", "w",
                       "--epochs", "5", "--out", tmp_path / "r.npz", "--quiet")
    assert code == 0, err
    code, out, err = cli(capsys, "evaluate", tmp_path / "r.npz", path, "--weight", "w")
    assert code == 0, err
    net, extra = cr.load(tmp_path / "r.npz", with_extra=True)
    pre = Preprocessing.from_json(extra["tabular"])
    pred, y, w = pre.decode(net.predict(pre.transform(d[pre.columns]))), d["petal width (cm)"], d["w"]
    assert _metrics(out) == pytest.approx({"mse": mean_squared_error(y, pred, sample_weight=w),
                                           "rmse": mean_squared_error(y, pred, sample_weight=w) ** 0.5,
                                           "mae": mean_absolute_error(y, pred, sample_weight=w),
                                           "r2": r2_score(y, pred, sample_weight=w)}, rel=1e-5)
    d["w"] = d["w"].astype(object)
    d.loc[4, "w"] = "heavy"
    d.to_csv(path, index=False)
    code, _, err = cli(capsys, "evaluate", model, path, "--weight", "w")
    assert code == 2 and "--weight column 'w' must hold numbers >= 0; line 6 has 'heavy'" in err
    for col, said in (("nope", "--weight: column 'nope' is not in the file"),
                      ("sepal length (cm)", "is the model's target or one of its inputs")):
        code, _, err = cli(capsys, "evaluate", model, path, "--weight", col)
        assert code == 2 and said in err


def test_predict_names_the_wrong_separator_every_missing_column_and_swapped_arguments(iris_csv, tmp_path, capsys):
    model = tmp_path / "m.npz"
    code, _, err = cli(capsys, "train", iris_csv, "--target", "species", "--epochs", "1", "--out", model, "--quiet")
    assert code == 0, err
    header = iris_csv.read_text().splitlines()[0]
    for command in ("predict", "evaluate"):
        code, _, err = cli(capsys, command, model, iris_csv, "--sep", ";")
        assert code == 2 and f"the header was read as one column '{header[:30]}" in err
        assert "with --sep ';': is the separator ','? (give --sep ',')" in err
        code, _, err = cli(capsys, command, iris_csv, model)
        assert code == 2 and f"the model comes first (chainrule {command} {model} {iris_csv})" in err
    # told by content as save tells them: a zip that is no model (a spreadsheet), an ONNX model first
    import zipfile
    with zipfile.ZipFile(tmp_path / "book.xlsx", "w") as z:
        z.writestr("xl/workbook.xml", "<workbook/>")
    cr.Network([cr.Dense(4, 3, "softmax")], loss="categorical_crossentropy", seed=0).to_onnx(tmp_path / "p.onnx")
    for first, second in ((iris_csv, tmp_path / "book.xlsx"), (tmp_path / "p.onnx", model)):
        code, _, err = cli(capsys, "predict", first, second)
        assert code == 2 and "the model comes first" not in err and "is a model file" not in err, err
    d = pd.read_csv(iris_csv)
    d.drop(columns=["sepal width (cm)", "petal width (cm)"]).to_csv(tmp_path / "part.csv", index=False)
    code, _, err = cli(capsys, "predict", model, tmp_path / "part.csv")
    assert code == 2 and "columns ['sepal width (cm)', 'petal width (cm)'] are missing" in err
