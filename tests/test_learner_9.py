"""What a student reads of `chainrule explain` for several samples and at a narrow `--width`: every loss's
dE/dout (or fused delta) names its mean's divisor as mse's does, each checked against torch autograd; and the
text broken to the width, measured on the command's output."""
import json
import re

import pytest
from conftest import cli_in_process
from test_derive_6 import evaluate

torch = pytest.importorskip("torch")

W = [[[0.15, 0.25], [0.2, 0.3]], [0.35, 0.35], [[0.4, 0.5], [0.45, 0.55]], [0.6, 0.6]]
X = [[0.05, 0.1], [0.3, -0.2], [0.7, 0.4]]
T = [[0.01, 0.99], [0.8, 0.1], [0.3, 0.6]]
ONE_HOT = [[0.0, 1.0], [1.0, 0.0], [0.0, 1.0]]
NAMES = {(1, 1): "", (1, 2): "n_outputs", (2, 1): "n_samples", (2, 2): "(n_samples * n_outputs)"}
CASES = [  # loss, output activation, whether its delta is fused, whether it averages the outputs too
    ("sse", "sigmoid", False, False), ("mse", "linear", False, True),
    ("binary_crossentropy", "sigmoid", True, True), ("binary_crossentropy", "softmax", False, True),
    ("categorical_crossentropy", "softmax", True, False), ("categorical_crossentropy", "sigmoid", False, False),
]


def run(capsys, *args):
    code, out, err = cli_in_process(capsys, *args)
    assert code == 0, err
    return out


def explain_args(folder, loss, act, samples):
    (folder / "w.json").write_text(json.dumps(W))
    targets = ONE_HOT if loss == "categorical_crossentropy" else T
    return ["explain", "--layers", "2,2,2", "--activation", f"sigmoid,{act}", "--loss", loss,
            "--weights", folder / "w.json", "--inputs", ";".join(",".join(map(str, x)) for x in X[:samples]),
            "--targets", ";".join(",".join(map(str, t)) for t in targets[:samples]), "--layer", "1", "--neuron", "0"]


def torch_output(loss, act, samples):
    """out of o1 per sample, and dE/dout_o1 (dE/dnet_o1 where `fused`) per sample, E as torch defines the loss."""
    x = torch.tensor(X[:samples], dtype=torch.float64)
    y = torch.tensor((ONE_HOT if loss == "categorical_crossentropy" else T)[:samples], dtype=torch.float64)
    (W1, b1, W2, b2) = (torch.tensor(w, dtype=torch.float64, requires_grad=True) for w in W)
    net = torch.sigmoid(x @ W1 + b1) @ W2 + b2
    net.retain_grad()
    out = {"sigmoid": torch.sigmoid, "linear": lambda z: z, "softmax": lambda z: torch.softmax(z, 1)}[act](net)
    out.retain_grad()
    E = {"sse": lambda: 0.5 * ((y - out) ** 2).sum() / samples, "mse": lambda: ((y - out) ** 2).mean(),
         "binary_crossentropy": lambda: torch.nn.functional.binary_cross_entropy(out, y),
         "categorical_crossentropy": lambda: -(y * torch.log(out)).sum() / samples}[loss]()
    E.backward()
    return out[:, 0].tolist(), out.grad[:, 0].tolist(), net.grad[:, 0].tolist(), y[:, 0].tolist()


@pytest.mark.parametrize("samples", [1, 2, 3])
@pytest.mark.parametrize(("loss", "act", "fused", "outputs"), CASES, ids=[f"{c[0]} {c[1]}" for c in CASES])
def test_every_loss_names_its_means_divisor_as_mse_does(capsys, tmp_path, loss, act, fused, outputs, samples):
    """For several samples the fused delta and sse's, binary and categorical cross-entropy's dE/dout wrote the
    mean's divisor as a bare count, "(out_o1 - target_o1) / 2", where mse's line named it, "/ n_outputs". Every
    loss's line now names it (n_samples, n_outputs, or both), and one sample's numbers give its value; the
    formula with the counts and each sample's output and target put in is torch's derivative, as are the
    numbers and the value; the gradient lines' note "(fused: ...)" names it too."""
    text = run(capsys, *explain_args(tmp_path, loss, act, samples))
    name = NAMES[min(samples, 2), 2 if outputs else 1]
    lhs = "dE/dnet_o1" if fused else "dE/dout_o1"
    line = next(t.strip() for t in text.splitlines() if t.strip().startswith(lhs + " = "))
    parts = line.removesuffix("   (fused)").split(" = ")
    assert parts[1].endswith(f" / {name}") if name else "n_" not in parts[1], line
    assert not re.search(r" / \d", parts[1]), line
    out, dout, dnet, target = torch_output(loss, act, samples)
    truth = dnet if fused else dout
    for s in range(samples):
        formula = parts[1].replace("n_samples", str(samples)).replace("n_outputs", "2" if outputs else "1")
        formula = formula.replace("sum(target)", "1").replace("out_o1", repr(out[s])).replace("target_o1",
                                                                                             repr(target[s]))
        assert evaluate(formula) == pytest.approx(truth[s], abs=1e-12), (s, line)
    if samples == 1:
        divisor = 2 if outputs else 1
        assert parts[2].endswith(f" / {divisor}") == (divisor > 1), line
        assert evaluate(parts[2]) == pytest.approx(truth[0], abs=1e-8), line
    assert [float(v) for v in re.findall(r"-?\d+\.\d+", parts[-1])] == pytest.approx(truth, abs=1e-9)
    notes = re.findall(r"fused: ([^;)]*(?:\([^)]*\)[^;)]*)*)\)$", text, re.M)
    assert all(n.endswith(f" / {name}") if name else " / " not in n for n in notes), notes
    assert len(notes) == (3 if fused else 0), text
