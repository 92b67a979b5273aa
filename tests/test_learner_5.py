"""A student's session with `chainrule explain` and `chainrule example`: the seed's 2-2-2 network and
their own (3-4-2 tanh/softmax with cross-entropy, ReLU hidden layers, a two-hidden-layer regression
with mse, one sigmoid output with binary cross-entropy, float32). Every printed number is read back
from the text and checked against torch autograd; the notation against the seed's; the lines
against an 80-column terminal."""
import re

import numpy as np
import pytest
from conftest import cli_in_process

import chainrule as cr

torch = pytest.importorskip("torch")

ACTS = {"sigmoid": torch.sigmoid, "tanh": torch.tanh, "relu": torch.relu, "linear": lambda z: z,
        "softmax": lambda z: torch.softmax(z, dim=1)}


def torch_pass(net, X, Y):
    """E_total, each layer's net and out, and each layer's (dW, db) by autograd, in the network's dtype;
    E the loss as the seeds and PyTorch define it (sse: 1/2 sum over outputs, mean over samples)."""
    dtype = torch.float32 if net.dtype == np.float32 else torch.float64
    params = [(torch.tensor(np.array(d.W), dtype=dtype, requires_grad=True),
               torch.tensor(np.array(d.b), dtype=dtype, requires_grad=True)) for d in net.dense_layers]
    a, nets, outs = torch.tensor(np.asarray(X, dtype=float), dtype=dtype), [], []
    for (W, b), d in zip(params, net.dense_layers):
        z = a @ W + b
        a = ACTS[d.activation.name](z)
        nets.append(z)
        outs.append(a)
    t = torch.tensor(np.asarray(Y, dtype=float), dtype=dtype)
    loss = net.loss_function.name
    if loss == "sse":
        E = 0.5 * ((t - a) ** 2).sum(dim=1).mean()
    elif loss == "mse":
        E = ((t - a) ** 2).mean()
    elif loss == "binary_crossentropy":
        E = torch.nn.functional.binary_cross_entropy(a, t)
    else:
        E = -(t * torch.log(a)).sum(dim=1).mean()
    E.backward()
    return (float(E), [z.detach().numpy() for z in nets], [o.detach().numpy() for o in outs],
            [(W.grad.numpy(), b.grad.numpy()) for W, b in params])


def printed(text, lhs):
    """The value at the end of the line whose left side is `lhs` (one sample)."""
    line = next(ln for ln in text.splitlines() if ln.strip().startswith(lhs + " = "))
    return float(re.sub(r" {3}\(.*\)$", "", line.strip()).rsplit(" = ", 1)[1])


def check_every_number(net, X, Y, text):
    """The forward values, E_total and every dE/dw and dE/db the text prints, against torch."""
    E, nets, outs, grads = torch_pass(net, X, Y)
    rtol, atol = (2e-6, 1e-7) if net.dtype == np.float32 else (1e-9, 6e-10)
    names = cr.teach.notation.neuron_names(net)
    assert printed(text, "E_total") == pytest.approx(E, rel=rtol, abs=atol)
    k = 0
    for l, d in enumerate(net.dense_layers):
        for j, unit in enumerate(names[l + 1]):
            assert printed(text, f"net_{unit}") == pytest.approx(nets[l][0, j], rel=rtol, abs=atol)
            assert printed(text, f"out_{unit}") == pytest.approx(outs[l][0, j], rel=rtol, abs=atol)
            for i in range(d.n_in):      # w numbered neuron by neuron: w<k> is W[i, j]
                w = f"w{k + j * d.n_in + i + 1}"
                assert printed(text, f"dE/d{w}") == pytest.approx(grads[l][0][i, j], rel=rtol, abs=atol), w
            assert printed(text, f"dE/db_{unit}") == pytest.approx(grads[l][1][j], rel=rtol, abs=atol)
        k += d.W.size


def student_networks():
    """The student's own networks: (name, net, X, Y), one sample each."""
    rng = np.random.default_rng(5)
    nets = {
        "3-4-2 tanh/softmax, cross-entropy": cr.Network([cr.Dense(3, 4, "tanh"), cr.Dense(4, 2, "softmax")],
                                                        loss="categorical_crossentropy", seed=1),
        "2-3-2 relu/sigmoid, sse": cr.Network([cr.Dense(2, 3, "relu"), cr.Dense(3, 2, "sigmoid")], seed=2),
        "2-3-3-1 relu regression, mse": cr.Network([cr.Dense(2, 3, "relu"), cr.Dense(3, 3, "relu"),
                                                    cr.Dense(3, 1, "linear")], loss="mse", seed=3),
        "2-3-1 tanh/sigmoid, binary cross-entropy": cr.Network([cr.Dense(2, 3, "tanh"), cr.Dense(3, 1, "sigmoid")],
                                                               loss="binary_crossentropy", seed=4),
        "3-4-2 tanh/softmax float32": cr.Network([cr.Dense(3, 4, "tanh"), cr.Dense(4, 2, "softmax")],
                                                 loss="categorical_crossentropy", dtype="float32", seed=1),
    }
    for name, net in nets.items():
        for d in net.dense_layers:                   # biases too, so that every term shows
            d.b[...] = rng.uniform(-0.5, 0.5, d.b.shape)
        X = rng.uniform(-1, 1, (1, net.n_inputs)).round(2)
        if net.dense_layers[-1].activation.name == "softmax":
            Y = np.eye(net.n_outputs)[[1]]
        else:
            Y = rng.uniform(0, 1, (1, net.n_outputs)).round(2)
        yield name, net, X, Y


@pytest.mark.parametrize("name", [n for n, *_ in student_networks()])
def test_every_printed_number_of_a_students_network_is_autograds(name):
    net, X, Y = next((n, x, y) for nm, n, x, y in student_networks() if nm == name)
    check_every_number(net, X, Y, cr.explain(net, X, Y, lr=0.1).text())


def test_every_printed_number_of_the_seed_is_autograds():
    net, X, Y, lr = cr.examples.seed_network()
    check_every_number(net, X, Y, cr.explain(net, X, Y, lr=lr).text())


def forward_lines(text):
    lines = text.split("Forward pass", 1)[1].split("Error (", 1)[0].splitlines()
    return [ln.strip() for ln in lines if ln.strip()]


def test_softmax_outputs_come_after_every_net_input_they_read():
    """out_o1 of a softmax is exp(net_o1) / (exp(net_o1) + exp(net_o2)): the line showed net_o2's value
    before net_o2 itself was derived. Every net_ a forward line reads is derived on a line above it."""
    net = cr.Network([cr.Dense(3, 4, "tanh"), cr.Dense(4, 3, "softmax")], loss="categorical_crossentropy", seed=1)
    X, Y = np.array([[0.64, 0.27, 0.04]]), np.array([[0.0, 1.0, 0.0]])
    for text in (cr.explain(net, X, Y).text(), cr.explain(net, X, Y).markdown()):
        seen: set[str] = set()
        for line in (forward_lines(text) if "Forward pass\n" in text else text.splitlines()):
            m = re.match(r"^\$*(net|out)_\{?(\w+?)\}? = ", line)
            if not m:
                continue
            rhs = line.split(" = ", 1)[1]
            read = set(re.findall(r"net_\{?([a-z]\d+(?:_\d+)?)\}?", rhs))
            assert read <= seen | ({m.group(2)} if m.group(1) == "out" else set()), line
            if m.group(1) == "net":
                seen.add(m.group(2))


@pytest.mark.parametrize("loss,act", [("sse", "sigmoid"), ("mse", "linear"), ("binary_crossentropy", "sigmoid"),
                                      ("categorical_crossentropy", "softmax")])
def test_each_error_line_names_its_target_as_the_seed_does(loss, act):
    """The seed writes E_o1 = 1/2 (target_o1 - out_o1)^2: every symbol of an error line is target_<o> or
    out_<o> (binary cross-entropy wrote a bare t, a symbol the report defines nowhere), and the line's
    value is that formula computed with the printed target and output."""
    net = cr.Network([cr.Dense(2, 2, "tanh"), cr.Dense(2, 2, act)], loss=loss, seed=0)
    X, Y = np.array([[0.3, -0.6]]), np.array([[0.0, 1.0]])
    text = cr.explain(net, X, Y).text()
    out = net.predict(X)[0]
    for j, o in enumerate(("o1", "o2")):
        line = next(ln.strip() for ln in text.splitlines() if ln.strip().startswith(f"E_{o} = "))
        formula = line.split(" = ")[1]
        symbols = set(re.findall(r"[A-Za-z_][A-Za-z_0-9]*", formula)) - {"log"}
        assert symbols == {f"target_{o}", f"out_{o}"}, line
        t, y = Y[0, j], out[j]
        value = {"sse": 0.5 * (t - y) ** 2, "mse": (t - y) ** 2, "categorical_crossentropy": -t * np.log(y),
                 "binary_crossentropy": -(t * np.log(y) + (1 - t) * np.log(1 - y))}[loss]
        assert printed(text, f"E_{o}") == pytest.approx(value, abs=1e-9), line


def test_a_given_weight_is_written_one_way_in_every_line():
    """A student's weights typed as 0.45 are written 0.45 in the forward pass and in the chain rule (as
    the seed writes them); the line deriving a hidden delta from the layer above wrote 0.450000000."""
    net = cr.Network([cr.Dense(2, 2, "sigmoid"), cr.Dense(2, 2, "sigmoid"), cr.Dense(2, 2, "sigmoid")], seed=0)
    weights = [0.15, 0.2, 0.25, 0.3, 0.4, 0.45, 0.5, 0.55, 0.6, 0.65, 0.7, 0.75]
    for k, d in enumerate(net.dense_layers):
        d.W[...] = np.array(weights[4 * k:4 * k + 4]).reshape(2, 2)
        d.b[...] = 0.35
    text = cr.explain(net, np.array([[0.05, 0.1]]), np.array([[0.01, 0.99]]), lr=0.5).text()
    assert "dE/dnet_h2_1 = (" in text                  # the hidden delta's own line is shown
    for w in weights:
        assert f"{w:.9f}" not in text, f"{w} also written {w:.9f}"
        assert re.search(rf"(?<![\d.]){w}(?![\d])", text), w


STUDENT_COMMANDS = [
    ["explain", "--lr", "0.5"],                                                   # the seed
    ["explain", "--layers", "3,4,2", "--activation", "tanh,softmax", "--loss", "categorical_crossentropy",
     "--inputs", "0.64,0.27,0.04", "--targets", "1", "--lr", "0.1"],
    ["explain", "--layers", "2,3,3,1", "--activation", "relu,relu,linear", "--loss", "mse", "--inputs", "0.5,-0.2",
     "--targets", "0.7", "--lr", "0.1"],
    ["explain", "--layers", "2,3,1", "--activation", "tanh,sigmoid", "--loss", "binary_crossentropy",
     "--inputs", "0.5,0.2;0.1,0.9", "--targets", "1;0", "--lr", "0.5"],
    ["explain", "--layers", "3,4,2", "--activation", "tanh,softmax", "--loss", "categorical_crossentropy",
     "--inputs", "0.64,0.27,0.04", "--targets", "1", "--layer", "1", "--neuron", "0"],
    ["example"],
    ["example", "--as-published"],
]


@pytest.mark.parametrize("args", STUDENT_COMMANDS, ids=[" ".join(a[:4]) for a in STUDENT_COMMANDS])
def test_the_text_fits_an_80_column_terminal_and_says_the_same(capsys, args):
    """Lines of 100 to 250 columns wrapped mid-number in a student's terminal: --width 80 (a terminal's
    width is the default) breaks each equation at its = signs (then + or *), and the text, joined
    again, is the same text as unbroken (--width 0, as when piped)."""
    code, wide, _ = cli_in_process(capsys, *args, "--width", "0")
    assert code == 0 and max(len(ln) for ln in wide.splitlines()) > 80
    code, narrow, _ = cli_in_process(capsys, *args, "--width", "80")
    assert code == 0
    assert [ln for ln in narrow.splitlines() if len(ln) > 80] == []
    assert narrow.split() == wide.split()


def test_a_broken_equation_continues_under_its_first_equals_sign(capsys):
    code, out, _ = cli_in_process(capsys, "explain", "--width", "80")
    lines = out.splitlines()
    k = next(i for i, ln in enumerate(lines) if ln.startswith("  dE/dw5 = "))
    assert lines[k + 1].index("= ") == lines[k].index(" = ") + 1
    assert lines[k + 1].strip() == "= 0.74136507 * 0.186815602 * 0.593269992 = 0.082167041"       # the seed's figures


def test_a_width_too_narrow_to_read_is_refused_with_what_to_type(capsys):
    code, out, err = cli_in_process(capsys, "explain", "--width", "10")
    assert code == 2 and out == ""
    assert "argument --width: expected 0 (never break lines) or at least 40 columns; got '10'" in err


def test_a_terminal_gets_its_width_without_asking(capsys, monkeypatch):
    """`make demo` and `chainrule example` print to a terminal: its width is the default."""
    import sys
    monkeypatch.setenv("COLUMNS", "80")
    monkeypatch.setattr(sys.stdout, "isatty", lambda: True)
    code, out, _ = cli_in_process(capsys, "example")
    assert code == 0 and "dE/dw5 = " in out
    assert max(len(ln) for ln in out.splitlines()) <= 80


def test_a_target_you_gave_is_written_as_you_typed_it():
    """docs/guide.md: "a weight or target you gave drops its trailing zeros (0.15)". The seed's targets
    0.01 and 0.99 read 0.01 in dE/dout_o1's line but 0.010000000 in E_o1's, and a class target 1 read
    1.000000000 in the fused delta's numbers."""
    net, X, Y, lr = cr.examples.seed_network()
    text = cr.explain(net, X, Y, lr=lr).text()
    assert "E_o1 = 1/2 (target_o1 - out_o1)^2 = 1/2 (0.01 - " in text       # the target among the numbers
    assert "1/2 (0.99 - " in text and "0.010000000" not in text and "0.990000000" not in text
    net = cr.Network([cr.Dense(3, 4, "tanh"), cr.Dense(4, 2, "softmax")], loss="categorical_crossentropy", seed=1)
    text = cr.explain(net, np.array([[0.64, 0.27, 0.04]]), np.array([[1.0, 0.0]])).text()
    out = net.predict(np.array([[0.64, 0.27, 0.04]]))[0]
    assert f"dE/dnet_o1 = out_o1 - target_o1 = {out[0]:.9f} - 1 = {out[0] - 1:.9f}   (fused)" in text
    assert "-(1 * log(" in text and "-(0 * log(" in text


CLASSIFIER = ["--layers", "3,4,2", "--activation", "tanh,softmax", "--loss", "categorical_crossentropy"]


@pytest.mark.parametrize("given,option", [
    (CLASSIFIER + ["--targets", "0,1"], "--inputs"),
    (["--layers", "2,2", "--inputs", "1,2"], "--targets"),
    (CLASSIFIER + ["--inputs", "1,2,3"], "--targets"),
    (CLASSIFIER + ["--inputs", "1,2,3", "--targets", "5"], "--targets"),
    (CLASSIFIER + ["--inputs", "1,2,3", "--targets", "0.5"], "--targets"),
    (CLASSIFIER + ["--inputs", "1,2,3;1,1,1", "--targets", "1;2"], "--targets"),
], ids=["inputs missing", "targets missing", "class target missing", "class 5 of 2", "class 0.5", "class 2 of 2"])
def test_a_refused_sample_says_what_to_type_and_that_runs(capsys, given, option):
    """"--inputs and --targets are needed" named neither the missing one nor its shape, and a class label
    out of range answered in the Python API's words (class labels in Y ... LabelEncoder). The refusal
    names the option and its shape with an example; typed in place of what was refused, it runs."""
    code, out, err = cli_in_process(capsys, "explain", *given)
    assert code == 2 and out == ""
    message = err.strip().splitlines()[-1]
    assert option in message and " in Y" not in message and "LabelEncoder" not in message
    suggested = re.findall(rf"{option} (\S+?)[,.]?(?= |\)|$)", message.split(";", 1)[-1])
    assert suggested, message
    for value in suggested:
        args = list(given)
        if option in args:
            args[args.index(option) + 1] = ";".join([value] * args[args.index("--inputs") + 1].count(";")
                                                    + [value]) if option == "--targets" else value
        else:
            args += [option, value]
        code, out, err = cli_in_process(capsys, "explain", *args)
        assert code == 0, (args, err)
        assert "Backward pass" in out


def test_the_example_says_how_its_names_are_the_seeds(capsys):
    """The seed names two biases, b1 and b2, and writes dE_total/dw5; `chainrule example`'s derivation
    names four (b_h1 .. b_o2) and writes dE/dw5, while its own table below uses the seed's dE_total/dw5:
    the header, before the derivation, says which is which."""
    code, out, _ = cli_in_process(capsys, "example", "--width", "0")
    head = out.split("Forward pass")[0]
    for bias, seeds in (("b_h1", "b1"), ("b_h2", "b1"), ("b_o1", "b2"), ("b_o2", "b2")):
        assert bias in out.split("Forward pass")[1]          # the derivation uses the name...
        assert re.search(rf"{bias}\b[^;]*the seed's {seeds}|{bias}\b[^;]*its {seeds}", head), bias  # ...said here
    assert "dE_total/dw5" in out.split("Every figure")[1] and "dE/dw5 = " in out
    assert "dE/dx is the seed's dE_total/dx" in head


@pytest.mark.parametrize("make", [
    lambda: cr.examples.seed_network()[:3],
    lambda: (cr.Network([cr.Dense(3, 4, "tanh"), cr.Dense(4, 3, "softmax")], seed=1), np.array([[0.6, 0.2, 0.1]]),
             np.array([[0.0, 1.0, 0.0]])),                               # sse after softmax: its Jacobian
    lambda: (cr.Network([cr.Dense(2, 2, "relu"), cr.Dense(2, 2, "tanh"), cr.Dense(2, 1, "sigmoid")],
                        loss="binary_crossentropy", seed=2), np.array([[0.5, 0.2]]), np.array([[1.0]])),
], ids=["seed", "softmax Jacobian", "two hidden layers"])
def test_the_markdown_names_the_total_error_one_way(make):
    """The seed writes dE_total/dw5 = dE_total/dout_o1 * dout_o1/dnet_o1 * dnet_o1/dw5; the Markdown wrote
    the same derivative dE_total/dout_o1 on one line and dE/dout_o1 in the chain two lines below. Every
    derivative of the total error is written with E_total (E_o1, E_o2: the outputs' own errors, kept)."""
    net, X, Y = make()
    md = cr.explain(net, X, Y, lr=0.5).markdown()
    assert "\\partial E_{total}}{\\partial out_{" in md or "\\partial E_{total}}{\\partial net_{" in md
    assert re.findall(r"\\partial E\}", md) == []


@pytest.mark.parametrize("layers,loss", [
    ([cr.Dense(2, 3, "tanh"), cr.Dense(3, 1, "sigmoid")], "binary_crossentropy"),
    ([cr.Dense(2, 3, "relu"), cr.Dense(3, 1, "relu"), cr.Dense(1, 1, "linear")], "mse"),
    ([cr.Dense(2, 2, "sigmoid"), cr.Dense(2, 2, "sigmoid")], "sse"),
], ids=["one sigmoid output", "a hidden layer one wide", "seed-like"])
def test_every_factor_a_chain_reads_is_derived_above_it(layers, loss):
    """dE/dw1 = dE/dout_h1 * dout_h1/dnet_h1 * dnet_h1/dw1 reads dE/dout_h1; with one output (one path
    through the layer above) no line said what dE/dout_h1 was: the line above was dE_o1/dout_h1. Every
    dE/dout_ and dout_/dnet_ a gradient's chain reads is the left side of a line above it, and its
    value there is the value the chain multiplies (autograd's for dE/dout)."""
    net = cr.Network(layers, loss=loss, seed=3)
    X, Y = np.array([[0.5, -0.4]]), np.array([[1.0] * net.n_outputs])
    text = cr.explain(net, X, Y).text()
    derived: dict[str, str] = {}
    for line in (ln.strip() for ln in text.splitlines()):
        parts = line.split("   (")[0].split(" = ")
        if re.match(r"dE/d(w|b_)", parts[0]) and len(parts) == 4 and "dout_" in parts[1]:
            names, values = parts[1].split(" * "), parts[2].split(" * ")
            for name, value in zip(names[:2], values[:2]):
                assert name in derived, (name, line)
                assert float(derived[name]) == pytest.approx(float(value.strip("()")), abs=1e-9)
        derived.setdefault(parts[0], parts[-1])


@pytest.mark.parametrize("args", [["explain", "--format", "json"], ["explain", "--format", "markdown"],
                                  ["explain", "--formulas"], ["example", "--format", "markdown"]])
def test_width_with_a_format_it_cannot_break_is_refused(capsys, args):
    """Options a command would ignore are refused (explain's rule); --width only breaks the text format."""
    code, out, err = cli_in_process(capsys, *args, "--width", "80")
    assert code == 2 and out == "" and "leave --width out" in err
    code, out, err = cli_in_process(capsys, *args)
    assert code == 0 and out
