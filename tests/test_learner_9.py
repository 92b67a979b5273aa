"""What a student reads of `chainrule explain` for several samples and at a narrow `--width`: every loss's
dE/dout (or fused delta) names its mean's divisor as mse's does, each checked against torch autograd; and the
text broken to the width, measured on the command's output."""
import json
import re

import pytest
from conftest import cli_in_process
from test_derive_6 import evaluate
from test_explain_mend import NETWORKS

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
    values = re.findall(r"-?\d+(?:\.\d+)?(?:e-?\d+)?", parts[-1].split("   (")[0])     # 0 as 0, zeros dropped
    assert [float(v) for v in values] == pytest.approx(truth, abs=1e-9)
    notes = re.findall(r"fused: ([^;)]*(?:\([^)]*\)[^;)]*)*)\)$", text, re.M)
    assert all(n.endswith(f" / {name}") if name else " / " not in n for n in notes), notes
    assert len(notes) == (3 if fused else 0), text


SLICE = ["--layers", "2,2,2", "--loss", "sse", "--inputs", "0.05,0.1;0.2,0.3", "--targets", "0.01,0.99;1,0",
         "--layer", "1", "--neuron", "0"]
BCE = ["--layers", "2,2,2", "--loss", "binary_crossentropy"]
WIDTHS = range(40, 121)


def texts(capsys, args):
    """explain's text unbroken, and broken to each width of WIDTHS as the command breaks it (the command run
    at two widths; `fit_width` of the unbroken text at the others, the breaking the command does)."""
    from chainrule.teach.report import fit_width
    wide = run(capsys, "explain", *args, "--width", 0)
    for w in (40, 61):
        assert run(capsys, "explain", *args, "--width", w) == fit_width(wide, w)
    return wide, {w: fit_width(wide, w) for w in WIDTHS}


def whole_brackets(wide, narrow, width):
    """The brackets (with the name before one, log(...)) that `narrow` breaks inside although they would fit
    on a line of their own at no indent: with the "= " a value after the first starts its line with (a bare "="
    is never a line of its own, as a batch's E_total = ... = ((...) + (...)) / 2 would need), and in prose at
    the indent its lines continue at (a batch's "E_total adds the E_o ...: ((...) + (...)) / 6 gives ..."; prose
    keeps its indent)."""
    from test_learner_8 import breaks, pairs
    broken = []
    for line, at, _ in breaks(wide, narrow):
        for a, b in [(a, b) for a, b in pairs(line) if line[a] != "["]:    # a list breaks at its commas
            while a > 0 and not line[a - 1].isspace():
                a -= 1
            after_first = line[:a].endswith(" = ") and line[:a].count(" = ") >= 2
            prose = " = " not in line[:a] and ": " in line[:a]
            room = width - 2 * after_first - (len(line) - len(line.lstrip()) + 2) * prose
            if a < at < b and b - a <= room and not line[:at].rstrip().endswith(";"):     # a note's clauses part
                broken.append(line[a:b])
    return broken


OTHERS = [NETWORKS[k] for k in (0, 2, 3, 5)]      # cross-entropy after softmax, mse over 4 rows, a slice, bce
OTHER_IDS = ["cce 2 rows", "mse 4 rows", "softmax slice", "bce leaky_relu 3 rows"]


@pytest.mark.parametrize("args", [SLICE, BCE, *OTHERS], ids=["sse slice, 2 samples", "bce seed sample", *OTHER_IDS])
def test_a_bracket_that_fits_on_a_line_is_never_broken(capsys, args):
    """At --width 40 the note "(hidden layer 1: --layer 0 derives them)" broke inside its parentheses although it
    fits on a line of its own at no indent, and at --width 61 binary cross-entropy's E_o1 = -(... + ...) broke
    inside its bracket, its only place to break, although the bracket fits on a line after the E_o1 = line. For
    every width 40..120, no bracket that fits on a line is broken, no line is wider than the width (where it
    holds more than one word), and the text, joined again, is the unbroken text."""
    wide, narrow = texts(capsys, args)
    for w, text in narrow.items():
        assert [ln for ln in text.splitlines() if len(ln) > w and len(ln.split()) > 1] == [], w
        assert text.split() == wide.split(), w
        assert whole_brackets(wide, text, w) == [], (w, whole_brackets(wide, text, w))
    note = "(hidden layer 1: --layer 0 derives them)"
    if args is SLICE:
        assert note in narrow[40].splitlines(), narrow[40]
    elif args is BCE:
        lines = narrow[61].splitlines()
        k = next(i for i, ln in enumerate(lines) if ln.startswith("  E_o1 ="))
        assert lines[k] == "  E_o1 =" and lines[k + 1].strip() == (
            "-(target_o1 log out_o1 + (1 - target_o1) log(1 - out_o1))"), lines[k:k + 3]
        assert lines[k + 2].strip().startswith("= "), lines[k:k + 3]


def continuations(text):
    """Runs of lines that continue one part of an equation, each starting with its operator (+, -, *, /)."""
    runs, run_ = [], []
    for line in text.splitlines():
        if re.match(r" *[-+*/] ", line):
            run_.append(line)
        else:
            runs, run_ = runs + [run_] if len(run_) > 1 else runs, []
    return runs + ([run_] if len(run_) > 1 else [])


@pytest.mark.parametrize("args", [SLICE, BCE, ["--layers", "2,2,2", "--activation", "sigmoid,sigmoid", "--loss", "sse",
                                                "--inputs", "0.5,0.2;0.3,0.1", "--targets", "0.1,0.9;0.2,0.3"],
                                                *OTHERS],
                         ids=["sse slice", "bce seed sample", "sse 2 samples", *OTHER_IDS])
def test_the_continuations_of_a_part_share_one_column(capsys, args):
    """--width 40 wrote "= [0.020851039, 0.079718655]" / "  * [0.249796100, 0.249991309]" / "   * [0.2, 0.1]":
    the piece moved left to fit sat one column left of its neighbour. A part's continuations now move left
    together: for every width 40..120, the lines that continue one part start in one column."""
    _, narrow = texts(capsys, args)
    for w, text in narrow.items():
        for run_ in continuations(text):
            assert len({len(ln) - len(ln.lstrip()) for ln in run_}) == 1, (w, run_)


def test_bracketed_words_in_prose_that_fit_no_line_fill_the_line_before(capsys):
    """`chainrule example --width 50` wrote "...with the original" / "weights" / "(those the seed's own w1+..w4+ are
    computed" / "from) the error is ...": a bracket that fits on no line went to a line of its own and broke there
    anyway, leaving "weights" alone. Such words now fill the line before, as the rest of the sentence does: for every
    width 40..80, a line that starts with a bracket it does not close had no room for that bracket's first word."""
    from chainrule.teach.report import fit_width
    from chainrule.teach.worked_example import render, worked_example
    figures, report = worked_example()
    for published in (False, True):
        for w in range(40, 81):
            wide = render(figures, report, as_published=published, width=w)
            lines = fit_width(wide, w).splitlines()
            assert fit_width(wide, w).split() == wide.split()
            for before, line in zip(lines, lines[1:]):
                words = line.split()
                if words and words[0].startswith("(") and line.count("(") > line.count(")") and before.strip():
                    assert len(before) + 1 + len(words[0]) > w, (w, before, line)
    assert run(capsys, "example", "--width", 50) == fit_width(render(figures, report, width=50), 50)
