"""`chainrule evaluate` and `predict` where a row's pass overflows the model's dtype, through the real command
line: evaluate's loss is the engine's (Network.evaluate now gives it too), predict's refusal says what the engine's
says (`overflow.Failures`: outputs finite but come through an overflow, the layer named), and the one row evaluate
cannot give (logits beyond float64) is refused naming its line. The truth: NumPy's float64 pass and log-sum-exp."""
import numpy as np
import pytest

pd = pytest.importorskip("pandas")
from conftest import cli  # noqa: E402
from conftest import cli_in_process as cli_here  # noqa: E402
from test_cli_csv import error_line  # noqa: E402
from test_cli_evaluate_6 import logits_truth  # noqa: E402
from test_cli_evaluate_7 import metric, overflowing_model, trained_iris  # noqa: E402

import chainrule as cr  # noqa: E402
from chainrule.data.tabular import Preprocessing  # noqa: E402
from chainrule.saving.npz import save  # noqa: E402


def test_evaluate_of_overflowed_rows_is_the_same_in_python_and_on_the_command_line(tmp_path, capsys):
    """Network.evaluate refused the rows `chainrule evaluate` computed with care: now both give the truth."""
    model, t, net, pre = overflowing_model(tmp_path, capsys)
    path = tmp_path / "far.csv"
    t.to_csv(path, index=False)
    X, labels = pre.transform(t[pre.columns], dtype=net.dtype), pre.encode_target(t)
    code, out, err = cli_here(capsys, "evaluate", model, path)
    assert code == 0, err
    truth = logits_truth(net, X, labels)
    python = net.evaluate(X, labels)
    assert python["loss"] == pytest.approx(truth, rel=1e-5)
    assert metric(out, "loss") == pytest.approx(python["loss"], rel=1e-5)
    assert metric(out, "accuracy") == pytest.approx(python["accuracy"])


def test_predict_says_an_output_came_through_an_overflow_naming_the_layer_and_the_line(tmp_path, capsys):
    """A ReLU unit beyond float32 under a tanh: the plain outputs are finite (tanh of inf is 1), but no layer gives
    the network's; the command said "NaN or infinite outputs" of them."""
    d, path, model, _, extra = trained_iris(tmp_path, capsys, "float32")
    pre = Preprocessing.from_json(extra["tabular"])
    n_in = len(pre.transform(d[pre.columns].head(1))[0])
    net = cr.Network([cr.Dense(n_in, 1, "relu"), cr.Dense(1, 1, "tanh"), cr.Dense(1, 3, "softmax")],
                     loss="categorical_crossentropy", dtype="float32", seed=0)
    net.layers[0].W[...] = 0.0
    net.layers[0].W[0, 0] = 1e38
    net.layers[0].b[...] = 0.0
    save(net, model, extra=extra)
    t = d.head(10).copy()
    column = pre.columns[0]
    t.loc[[4, 7], column] = d[column].mean() + 5 * d[column].std(ddof=0)     # lines 6 and 9: 5 * 1e38, beyond
    t.to_csv(path, index=False)
    X = pre.transform(t[pre.columns], dtype=np.float32)
    with np.errstate(over="ignore"):
        z = X @ net.layers[0].W
        plain = np.tanh(np.maximum(z, 0))
    assert list(np.flatnonzero(np.isinf(z[:, 0]))) == [4, 7] and np.isfinite(plain).all()
    said = ("the network's outputs are finite but wrong for 2 of the 10 rows of 'iris.csv' (first: line 6): layer 0 "
            "(Dense(4, 1, activation='relu')) overflows float32 there, and those outputs came through the overflow: "
            "those inputs are far outside the training range (or the weights damaged): check them, or train the model "
            "with --dtype float64")         # the layer said once (its overflow was said twice)
    for command in ("predict", "evaluate"):     # evaluate refuses the rows predict refuses, in its words
        assert error_line(cli(command, model, path.name, cwd=tmp_path)) == f"chainrule: error: {said}"
    with pytest.raises(cr.errors.ValidationError, match="Layer 0 "):   # Python's words: as they were
        net.predict(X)
    with pytest.raises(cr.errors.ValidationError, match="Layer 0 "):
        net.evaluate(X, pre.encode_target(t))


def test_evaluate_refuses_a_row_whose_logits_even_float64_cannot_hold_naming_its_line(tmp_path, capsys):
    """A float64 model whose class-0 logit is 1e300 times a hidden unit passing input 0 on: a row whose input 0 is
    1e10 standard deviations out has a logit of 1e310. predict gives its probabilities (1, 0, 0); its loss reads
    the logit, beyond float64: refused naming the file's line (no test reached this refusal)."""
    model, t, net, pre = overflowing_model(tmp_path, capsys, "float64", logit=1e300, far=1e10, rows=12, at=5,
                                           epochs=1)                  # line 7
    first = net.layers[0]
    far = tmp_path / "far.csv"
    t.to_csv(far, index=False)
    X = pre.transform(t[pre.columns])
    with np.errstate(over="ignore"):
        logit = np.maximum(X[5] @ first.W[:, 0], 0) * 1e300
    assert np.isinf(logit)
    done = cli("predict", model, far)
    assert done.returncode == 0, done.stderr                                # predict gives the row
    line = error_line(cli("evaluate", model, far.name, cwd=tmp_path))
    assert "no loss for 1 of the 12 rows of 'far.csv' (first: line 7)" in line
    assert "beyond float64 even computed again in float64" in line and "--dtype float64" in line
