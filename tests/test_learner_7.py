"""The teaching text a student reads: mse's dE/dout with its 2 and its mean's divisor, E_total without a
divisor of 1 (both checked against torch autograd), and the text broken to the terminal's width, measured."""
import re

import numpy as np
import pytest
from test_derive_6 import evaluate, report_line

import chainrule as cr

torch = pytest.importorskip("torch")


def sample(outputs, samples, act="linear", loss="mse"):
    net = cr.Network([cr.Dense(2, 3, "tanh"), cr.Dense(3, outputs, act)], loss=loss, seed=0)
    X = np.array([[0.05, 0.1], [0.3, -0.2], [-0.4, 0.7]])[:samples]
    Y = np.array([[0.01, 0.99, 0.5], [0.2, 0.4, 0.6], [0.7, 0.1, 0.2]])[:samples, :outputs]
    if loss == "categorical_crossentropy":
        Y = np.eye(outputs)[[0, 1, 0][:samples]]
    return net, X, Y


@pytest.mark.parametrize("samples", [1, 2, 3])
@pytest.mark.parametrize("outputs", [1, 2, 3])
def test_mses_error_derivative_shows_where_its_2_and_its_mean_went(outputs, samples):
    """mse's dE/dout_o1 read out_o1 - target_o1 for 2 outputs: the 2 of the square and the 1/2 of the mean had
    cancelled out of sight. The line now writes 2 * (out - target) / its divisor, by name and (one sample) by
    count; the formula, its names replaced by the counts and each sample's output and target, is torch's
    dE/dout of E = mean((target - out)^2) for every sample, and so are its numbers and its value."""
    net, X, Y = sample(outputs, samples)
    line = report_line(cr.explain(net, X, Y).text(), "dE/dout_o1")
    parts = line.split(" = ")
    divisor = {(1, 1): "", (1, 2): " / n_outputs", (2, 1): " / n_samples"}.get(
        (min(samples, 2), min(outputs, 2)), " / (n_samples * n_outputs)")
    assert parts[1] == "2 * (out_o1 - target_o1)" + divisor, line
    out = torch.tensor(net.predict(X), requires_grad=True)
    ((torch.tensor(Y) - out) ** 2).mean().backward()
    truth = out.grad[:, 0].tolist()
    for s in range(samples):
        formula = parts[1].replace("n_samples", str(samples)).replace("n_outputs", str(outputs))
        formula = formula.replace("out_o1", repr(out[s, 0].item())).replace("target_o1", repr(float(Y[s, 0])))
        assert evaluate(formula) == pytest.approx(truth[s], abs=1e-12)
    if samples == 1:
        assert parts[2].endswith(f" / {outputs}") == (outputs > 1) and evaluate(parts[2]) == pytest.approx(
            truth[0], abs=1e-9)
    assert [float(v) for v in re.findall(r"-?\d+\.\d+", parts[-1])] == pytest.approx(truth, abs=1e-9)


TORCH_E = {   # E_o of one sample and E_total as torch computes them
    "sse": (lambda o, t: 0.5 * (t - o) ** 2, lambda o, t: 0.5 * ((t - o) ** 2).sum() / len(o)),
    "mse": (lambda o, t: (t - o) ** 2, lambda o, t: ((t - o) ** 2).mean()),
    "binary_crossentropy": (lambda o, t: -(t * torch.log(o) + (1 - t) * torch.log(1 - o)),
                            lambda o, t: torch.nn.functional.binary_cross_entropy(o, t)),
    "categorical_crossentropy": (lambda o, t: -t * torch.log(o), lambda o, t: -(t * torch.log(o)).sum() / len(o)),
}
ACT = {"sse": "sigmoid", "mse": "linear", "binary_crossentropy": "sigmoid", "categorical_crossentropy": "softmax"}


@pytest.mark.parametrize("samples", [1, 3])
@pytest.mark.parametrize("outputs", [1, 2])
@pytest.mark.parametrize("loss", list(TORCH_E))
def test_e_total_is_written_without_a_divisor_of_one(loss, outputs, samples):
    """mse's E_total of one output and one sample read E_total = (E_o1) / (n_samples * n_outputs), a divisor of
    1 written out. Each count of 1 is now left out (E_total = E_o1, (E_o1 + E_o2) / n_outputs, sum_samples(E_o1)
    / n_samples); the line, its E_o torch's and its counts put in, is torch's loss, for every loss."""
    if loss == "categorical_crossentropy" and outputs == 1:
        outputs = 3
    net, X, Y = sample(outputs, samples, ACT[loss], loss)
    text = cr.explain(net, X, Y).text()
    formula = report_line(text, "E_total").split(" = ")[1]
    assert not re.search(r"(?<!sum_samples)\(E_o\d\)|/ 1\b", formula), formula
    if samples == 1 and (outputs == 1 or loss in ("sse", "categorical_crossentropy")):
        assert formula == " + ".join(f"E_o{j + 1}" for j in range(outputs))
    o, t = torch.tensor(net.predict(X)), torch.tensor(Y)
    names = {f"E_o{j + 1}": TORCH_E[loss][0](o[:, j], t[:, j]).numpy() for j in range(outputs)}
    value = eval(formula, {"sum_samples": np.sum, "n_samples": samples, "n_outputs": outputs, **names})
    assert float(np.sum(value)) == pytest.approx(float(TORCH_E[loss][1](o, t)), rel=1e-12)

