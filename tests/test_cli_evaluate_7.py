"""`chainrule evaluate` of a classifier computes the engine's loss and accuracy a chunk of the file at a time:
the numbers of Network.evaluate on the whole file's rows (and of NumPy's log-sum-exp from the logits), with memory
that does not grow with the file's length (docs/tabular.md); rows whose float32 pass overflows, which predict gives,
are evaluated from their logits computed with care (float64), not refused."""
import tracemalloc

import numpy as np
import pytest

pd = pytest.importorskip("pandas")
from conftest import cli, iris_table  # noqa: E402
from conftest import cli_in_process as cli_here  # noqa: E402
from test_cli_evaluate_6 import logits_truth  # noqa: E402

import chainrule as cr  # noqa: E402
from chainrule.data.tabular import Preprocessing  # noqa: E402
from chainrule.saving.npz import save  # noqa: E402


def metric(out, name):
    return float(next(line for line in out.splitlines() if line.startswith(f"{name}: ")).split(": ")[1])


@pytest.mark.parametrize("weighted", [False, True])
def test_chunked_loss_and_accuracy_are_the_engines_on_the_whole_file(tmp_path, capsys, weighted):
    d = iris_table()
    d["w"] = 1.0 + np.arange(len(d)) % 3
    d.loc[40:79, "w"] = 0.0                     # a chunk that weighs nothing
    path, model = tmp_path / "iris.csv", tmp_path / "m.npz"
    d.to_csv(path, index=False)
    code, _, err = cli_here(capsys, "train", path, "--target", "species", "--drop", "w", "--epochs", "3",
                            "--out", model, "--quiet")
    assert code == 0, err
    net, extra = cr.load(model, with_extra=True)
    pre = Preprocessing.from_json(extra["tabular"])
    X, labels = pre.transform(d[pre.columns]), pre.encode_target(d)
    w = d["w"].to_numpy() if weighted else None
    args = ["--weight", "w"] if weighted else []
    code, out, err = cli_here(capsys, "evaluate", model, path, "--chunk-rows", "40", *args)
    assert code == 0, err
    whole = net.evaluate(X, labels, sample_weight=w, weight_reduction="mean_with_sample_weight")
    assert metric(out, "loss") == pytest.approx(whole["loss"], rel=1e-5)
    assert metric(out, "loss") == pytest.approx(logits_truth(net, X, labels, w), rel=1e-4)
    right = (net.predict(X).argmax(axis=1) == labels).astype(float)
    assert metric(out, "accuracy") == pytest.approx(np.average(right, weights=w), rel=1e-5)


def test_evaluate_memory_does_not_grow_with_the_rows(tmp_path, capsys, monkeypatch):
    """The peak from the file's check on (the check, `rowcheck`, reads in blocks of its own) to the metrics."""
    from chainrule.cli import evaluate
    check = evaluate.checked

    def checked(*args, **kwargs):
        info = check(*args, **kwargs)
        tracemalloc.reset_peak()
        return info
    monkeypatch.setattr(evaluate, "checked", checked)
    rng = np.random.default_rng(0)
    width = 60

    def table(n):
        d = pd.DataFrame(rng.normal(size=(n, width)).round(3), columns=[f"c{i}" for i in range(width)])
        d["y"] = np.where(d["c0"] + d["c1"] > 0, "a", "b")
        return d

    small = tmp_path / "small.csv"
    table(400).to_csv(small, index=False)
    model = tmp_path / "m.npz"
    code, _, err = cli_here(capsys, "train", small, "--target", "y", "--epochs", "1", "--dtype", "float32",
                            "--out", model, "--quiet")
    assert code == 0, err
    peaks = {}
    for n in (4000, 16000):
        path = tmp_path / f"rows{n}.csv"
        table(n).to_csv(path, index=False)
        tracemalloc.start()
        code, out, err = cli_here(capsys, "evaluate", model, path, "--chunk-rows", "1000")
        peaks[n] = tracemalloc.get_traced_memory()[1]
        tracemalloc.stop()
        assert code == 0, err
    per_row = (peaks[16000] - peaks[4000]) / 12000
    assert per_row < width * 4, peaks                  # less than one float32 copy of the inputs a row


def trained_iris(tmp_path, capsys, dtype: str, epochs: int = 1):
    """iris.csv and a model `chainrule train` made of it in `dtype`: the table, the file's and the model's paths,
    the model's network and extra."""
    d = iris_table()
    path, model = tmp_path / "iris.csv", tmp_path / f"m{dtype[-2:]}.npz"
    d.to_csv(path, index=False)
    code, _, err = cli_here(capsys, "train", path, "--target", "species", "--dtype", dtype, "--epochs", str(epochs),
                            "--out", model, "--quiet")
    assert code == 0, err
    net, extra = cr.load(model, with_extra=True)
    return d, path, model, net, extra


def overflowing_model(tmp_path, capsys, dtype="float32", logit=10.0, far=1e38, rows=20, at=3, epochs=2):
    """An iris model (float32 by default) whose hidden unit 0 passes input 0 on (weight 1) and the output's
    class-0 logit takes `logit` times it, and the first `rows` rows of iris with row `at`'s input 0 `far`
    standard deviations out: by default a logit of 1e39, beyond float32, while its exact outputs (softmax:
    1, 0, 0) are finite."""
    d, _, model, net, extra = trained_iris(tmp_path, capsys, dtype, epochs)
    first, last = net.layers[0], net.layers[-1]
    first.W[:, 0], first.b[0] = 0.0, 0.0
    first.W[0, 0] = 1.0
    last.W[0, :], last.W[0, 0] = 0.0, logit
    save(net, model, extra=extra)
    pre = Preprocessing.from_json(extra["tabular"])
    t = d.head(rows).copy()
    column = pre.columns[0]
    t.loc[at, column] = d[column].mean() + far * d[column].std(ddof=0)
    return model, t, net, pre


def test_a_float32_overflow_that_predict_survives_is_evaluated_from_careful_logits(tmp_path, capsys):
    """evaluate refused such a file in Python's terms ('rows of X', dtype='float64') though predict gave it."""
    model, t, net, pre = overflowing_model(tmp_path, capsys)
    path = tmp_path / "far.csv"
    t.to_csv(path, index=False)
    X, labels = pre.transform(t[pre.columns], dtype=net.dtype), pre.encode_target(t)
    assert np.isfinite(net.predict(X)).all()           # the exact outputs are finite ...
    done = cli("predict", model, path)
    assert done.returncode == 0, done.stderr           # ... and predict gives them
    done = cli("evaluate", model, path)
    assert done.returncode == 0, done.stderr
    assert metric(done.stdout, "loss") == pytest.approx(logits_truth(net, X, labels), rel=1e-4)
    right = (net.predict(X).argmax(axis=1) == labels).astype(float)
    assert metric(done.stdout, "accuracy") == pytest.approx(right.mean())
