"""A single sigmoid output's 0/1 labels: the class line says the targets once, and what they are ("each sample's
class, 1 or 0"), not "target_o1 = [1, 0]: classes 1, 0" with the error line's "(target [1, 0])" after it again."""
from __future__ import annotations

import numpy as np
import pytest

import chainrule as cr

X = np.array([[0.5, -1.0], [1.0, 2.0], [0.3, 0.1]])


def _sigmoid(k=1):
    return cr.Network([cr.Dense(2, 2, "sigmoid"), cr.Dense(2, k, "sigmoid")], loss="binary_crossentropy", seed=0)


@pytest.mark.parametrize("n", [1, 3])
def test_a_sigmoids_labels_are_said_once_before_the_error(n):
    Y = np.array([1, 0, 1])[:n]
    report = cr.explain(_sigmoid(), X[:n], Y)
    text = report.text()
    values = "1" if n == 1 else "[1, 0, 1]"
    said = [line.strip() for line in text.splitlines() if line.strip().startswith("target_o1 = ")]
    whose = "the sample's" if n == 1 else "each sample's"
    assert said == [f"target_o1 = {values}: {whose} class, 1 or 0"], said
    assert "classes 1, 0" not in text and f"(target {values})" not in text
    assert report.to_dict()["targets"][0]["value"] == Y.astype(float).tolist()    # the numbers the error reads
    out = _sigmoid().predict(X[:n])[:, 0]
    bce = -(Y * np.log(out) + (1 - Y) * np.log(1 - out))
    assert report.to_dict()["errors"][0]["value"] == pytest.approx(bce.tolist())


def test_softmax_labels_of_several_samples_are_not_repeated_after_each_error():
    net = cr.Network([cr.Dense(2, 3, "softmax")], loss="categorical_crossentropy", seed=0)
    text = cr.explain(net, X[:2], [2, 0]).text()
    assert "classes 2, 0 as one-hot rows, one per sample" in text
    assert "(target [" not in text


def test_targets_given_as_numbers_keep_their_note_after_the_error():
    net, _, _, _ = cr.examples.seed_network()
    text = cr.explain(net, [[0.05, 0.1], [0.2, 0.3]], [[0.01, 0.99], [0.5, 0.5]]).text()
    assert "(target [0.01, 0.5])" in text and "(target [0.99, 0.5])" in text


@pytest.mark.parametrize("n, whose", [(1, "each output's"), (2, "each sample's and output's")])
def test_the_fused_note_says_what_the_mean_is_over(n, whose):
    """One sample of two sigmoid outputs: the 1/2 of dE/dnet_o is binary cross-entropy's mean over the outputs
    (torch's BCE of mean reduction), which the note called "each sample's" though there was one sample."""
    torch = pytest.importorskip("torch")
    net = _sigmoid(2)
    Y = np.array([[1.0, 0.0], [0.0, 1.0]])[:n]
    d = cr.explain(net, X[:n], Y).to_dict()
    text = cr.explain(net, X[:n], Y).text()
    assert f"leaves out_o - target_o, {whose} before the mean's 1/{2 * n};" in " ".join(text.split())
    W1, b1, W2, b2 = (torch.tensor(a) for a in net.get_weights())
    z = (torch.sigmoid(torch.tensor(X[:n]) @ W1 + b1) @ W2 + b2).requires_grad_()
    E = torch.nn.functional.binary_cross_entropy_with_logits(z, torch.tensor(Y))
    E.backward()
    deltas = {p["name"]: p for p in d["parameters"]}
    assert d["E_total"] == pytest.approx(E.item(), abs=1e-12)
    assert deltas["b_o1"]["dE/dnet"] == pytest.approx(z.grad[:, 0].tolist(), abs=1e-12)
