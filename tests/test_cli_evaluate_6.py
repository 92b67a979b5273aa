"""`chainrule evaluate`'s loss is the engine's (Network.evaluate's): computed by it, not restated. The truth
is the categorical cross-entropy from the network's logits by NumPy in float64 (log-softmax), which holds
where a true class's probability underflows to 0 (the loss from probabilities stops at -log(p) = 100)."""
import numpy as np
import pytest

pd = pytest.importorskip("pandas")
from conftest import cli_in_process as cli  # noqa: E402
from conftest import iris_table  # noqa: E402

import chainrule as cr  # noqa: E402
from chainrule.data.tabular import Preprocessing  # noqa: E402
from chainrule.saving.npz import save  # noqa: E402


def logits_truth(net, X, labels, w=None):
    """The mean (weighted: by w, over sum(w)) of -log softmax(z)[label] from float64 logits z."""
    from scipy.special import logsumexp
    a = np.asarray(X, dtype=np.float64)
    for layer in net.layers:
        z = a @ layer.W.astype(np.float64) + layer.b.astype(np.float64)
        a = layer.activation(z) if layer is not net.layers[-1] else z
    terms = logsumexp(a, axis=1) - a[np.arange(len(labels)), labels]
    return float(np.average(terms, weights=w))


@pytest.mark.parametrize("weighted", [False, True])
def test_evaluate_loss_of_a_confident_wrong_row_is_the_engines(tmp_path, capsys, weighted):
    d = iris_table()
    d["w"] = 1.0 + np.arange(len(d)) % 3
    path = tmp_path / "iris.csv"
    d.to_csv(path, index=False)
    model = tmp_path / "m.npz"
    code, _, err = cli(capsys, "train", path, "--target", "species", "--drop", "w", "--epochs", "2", "--out", model,
                       "--quiet")
    assert code == 0, err
    net, extra = cr.load(model, with_extra=True)
    net.layers[-1].W[...] *= 1e4             # logits 1e4 apart: a wrong row's true class has probability 0
    net.layers[-1].b[...] *= 1e4
    save(net, model, extra=extra)
    pre = Preprocessing.from_json(extra["tabular"])
    X, labels = pre.transform(d[pre.columns]), pre.encode_target(d)
    labels = labels.argmax(axis=1) if labels.ndim == 2 else labels
    assert (net.predict(X).argmax(axis=1) != labels).any()        # some row is confidently wrong
    args = ["--weight", "w"] if weighted else []
    code, out, err = cli(capsys, "evaluate", model, path, *args)
    assert code == 0, err
    loss = float(next(line for line in out.splitlines() if line.startswith("loss: ")).split(": ")[1])
    truth = logits_truth(net, X, labels, d["w"].to_numpy() if weighted else None)
    assert truth > 200                                            # beyond what probabilities can give
    assert loss == pytest.approx(truth, rel=1e-4)
