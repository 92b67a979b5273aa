"""Large finite numbers are numbers: a sum of them that overflows in a finiteness check warns of
nothing, and outputs that overflow the plain pass are computed again with care by the command line
as by net.predict. Oracle: NumPy in float64."""
import sys
import warnings
from pathlib import Path

import numpy as np
import pytest
import scipy.sparse as sp

import chainrule as cr

sys.path.insert(0, str(Path(__file__).parent))
from conftest import cli_in_process  # noqa: E402


def softmax64(z):
    z = z - z.max(axis=1, keepdims=True)
    return np.exp(z) / np.exp(z).sum(axis=1, keepdims=True)


def test_sparse_and_dense_inputs_of_1e308_warn_of_nothing():
    """A CSR X whose values sum past float64's range raised a RuntimeWarning in the input check."""
    net = cr.Network([cr.Dense(2, 1, "linear")], loss="mse", seed=0)
    net.dense_layers[0].W[:] = 1e-300
    X = np.array([[1e308, 1e308], [1.0, 0.0]])
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        for given in (X, sp.csr_matrix(X)):
            np.testing.assert_allclose(net.predict(given).ravel(), X @ net.dense_layers[0].W.ravel(), rtol=1e-12)


def test_outputs_of_1e308_pass_the_forward_check_without_a_warning():
    net = cr.Network([cr.Dense(1, 2, "linear")], loss="mse", seed=0)
    net.dense_layers[0].W[:] = 1.5
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        out = net.forward(np.array([[1e308]]))
    assert np.isfinite(out).all() and out[0, 0] == 1.5e308


def test_a_model_of_huge_finite_weights_saves_and_loads_without_a_warning(tmp_path):
    """The saved-weights check summed them: 'overflow encountered in reduce' on save and on load."""
    net = cr.Network([cr.Dense(2, 3, "tanh")], loss="mse", seed=0)
    net.dense_layers[0].W[:] = 1e308
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        cr.save(net, tmp_path / "m.npz")
        back = cr.load(tmp_path / "m.npz")
    np.testing.assert_array_equal(back.dense_layers[0].W, net.dense_layers[0].W)


@pytest.fixture
def overflowing_model(tmp_path):
    """A float32 CSV model whose output logits overflow float32 for most rows (weights near 3e38):
    the plain pass gives inf - inf = NaN, the careful pass softmax's 0s and 1s."""
    from chainrule.data.tabular import Preprocessing, read_csv
    rng = np.random.default_rng(5)
    rows = rng.uniform(-1, 1, (30, 2))
    text = "a,b,kind\n" + "".join(f"{a:.3f},{b:.3f},{'up' if a + b > 0 else 'down'}\n" for a, b in rows)
    (tmp_path / "t.csv").write_text(text)
    pre = Preprocessing.fit(read_csv(str(tmp_path / "t.csv")), "kind")
    net = cr.Network([cr.Dense(2, 4, "tanh"), cr.Dense(4, 2, "softmax")], loss="categorical_crossentropy",
                     dtype="float32", seed=1)
    W = net.dense_layers[1].W
    W[:] = (W.astype(np.float64) / np.abs(W).max() * 3e38).astype(np.float32)
    cr.save(net, tmp_path / "m.npz", extra={"tabular": pre.to_json()})
    X = pre.transform(read_csv(str(tmp_path / "t.csv")), dtype=np.float64)
    h = np.tanh(X @ net.dense_layers[0].W.astype(np.float64) + net.dense_layers[0].b)
    expected = softmax64(h @ W.astype(np.float64) + net.dense_layers[1].b)
    with np.errstate(all="ignore"):
        plain = softmax64(np.float32(h) @ W + net.dense_layers[1].b)
    assert not np.isfinite(plain).all()                  # the plain float32 pass cannot give every row
    return tmp_path, pre, expected


def test_predict_and_evaluate_compute_overflowing_rows_with_care(overflowing_model, capsys):
    """`chainrule predict` and `evaluate` refused such rows ('the model gives NaN or infinite outputs
    for 1 row') and printed NumPy's 'overflow encountered in reduce'; net.predict gave them."""
    folder, pre, expected = overflowing_model
    code, out, err = cli_in_process(capsys, "predict", folder / "m.npz", folder / "t.csv", "--proba")
    assert code == 0, err
    assert "warning" not in err
    lines = out.splitlines()
    assert lines[0] == "prediction,proba_down,proba_up"
    got = np.array([[float(v) for v in ln.split(",")[1:]] for ln in lines[1:]])
    np.testing.assert_allclose(got, expected, atol=1e-6)
    assert [ln.split(",")[0] for ln in lines[1:]] == [pre.classes[k] for k in expected.argmax(axis=1)]
    code, out, err = cli_in_process(capsys, "evaluate", folder / "m.npz", folder / "t.csv")
    assert code == 0, err
    truth = [ln.rsplit(",", 1)[1] for ln in (folder / "t.csv").read_text().splitlines()[1:]]
    accuracy = np.mean([pre.classes[k] == t for k, t in zip(expected.argmax(axis=1), truth)])
    assert f"accuracy: {accuracy:.6g}" in out
