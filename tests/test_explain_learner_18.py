"""explain read as a learner: its --help did not name the activations --activation takes (leaky_relu, linear),
and a cross-entropy after a non-probability output was refused in Python's words ("Use activation='sigmoid' on the
output layer (or a loss that declares takes_logits = True)"), a loss the command cannot declare; the refusal now
gives the --activation that runs, and that command runs."""
import re
import shlex

import pytest
from conftest import cmd


def test_the_help_names_every_activation_the_option_takes():
    from chainrule.nn.activations import ACTIVATIONS
    text = " ".join(cmd("explain", "--help").stdout.split())
    said = re.search(r"--activation ACTIVATION (.*?) --loss", text)[1]
    for name in ("sigmoid", "tanh", "relu", "leaky_relu", "linear", "softmax"):
        assert name in ACTIVATIONS and re.search(rf"\b{name}\b", said), (name, said)
    r = cmd("explain", "--layers", "2,2,1", "--activation", "leaky_relu,linear", "--loss", "mse", "--inputs", "1,-2",
            "--targets", "0.5")
    assert r.returncode == 0 and "1 if net_h1 > 0 else 0.01" in r.stdout, r.stderr


@pytest.mark.parametrize("activation, loss", [("relu", "binary_crossentropy"), ("relu,linear", "binary_crossentropy"),
                                              ("tanh", "categorical_crossentropy"),
                                              ("relu,tanh,linear", "binary_crossentropy")])
def test_a_probability_loss_after_another_output_is_refused_in_the_commands_words(activation, loss):
    widths = "2,2,2,1" if activation.count(",") == 2 else ("2,2,2" if "categorical" in loss else "2,2,1")
    targets = "1,0" if widths.endswith(",2") else "1"
    base = ["explain", "--layers", widths, "--loss", loss, "--inputs", "1,2", "--targets", targets]
    r = cmd(*base, "--activation", activation)
    assert r.returncode == 2 and "takes_logits" not in r.stderr and "activation='" not in r.stderr, r.stderr
    given = re.search(r"here (--activation \S+)$", r.stderr.strip())
    assert given, r.stderr
    assert cmd(*base, *shlex.split(given[1])).returncode == 0, given[1]      # the advice runs


@pytest.mark.parametrize("widths, slice_", [("200,1", ["--layer", "0", "--neuron", "0"]), ("200,3,1", ["--layer", "0"]),
                                            ("200,300", [])])
def test_a_network_too_wide_to_write_out_is_refused_in_the_commands_words(widths, slice_):
    """Where no slice fits, the command's refusal pointed at Python alone as if it were the command's own
    ("neuron 0 of layer 0 has 201 parameters ... (net.gradients and gradcheck give its numbers)"): it now names the
    options given and says that those calls are Python's (the command has no gradients of its own)."""
    import chainrule as cr
    n_in, n_out = int(widths.split(",")[0]), int(widths.split(",")[-1])
    r = cmd("explain", "--layers", widths, "--inputs", ",".join(["0.1"] * n_in), "--targets",
            ",".join(["0"] * n_out), *slice_)
    assert r.returncode == 2 and "in Python, net.gradients(X, Y) and chainrule.gradcheck give" in r.stderr, r.stderr
    assert ("--neuron 0 of --layer 0 has 201 parameters" in r.stderr) == ("--neuron" in slice_), r.stderr
    assert hasattr(cr.Network, "gradients") and callable(cr.gradcheck)        # the calls it names exist


@pytest.mark.parametrize("widths, activation, loss, targets, usual", [
    ("2,1", "relu", "binary_crossentropy", "1", "sigmoid"), ("2,3", "tanh", "categorical_crossentropy", "1,0,0",
                                                            "softmax")])
def test_a_network_of_one_layer_is_given_one_activation(widths, activation, loss, targets, usual):
    """A network of one layer has no hidden layers, yet the refusal gave it two names, hidden and output
    ('here --activation relu,sigmoid'): one name, the output's, is what it takes."""
    base = ["explain", "--layers", widths, "--loss", loss, "--inputs", "1,2", "--targets", targets]
    r = cmd(*base, "--activation", activation)
    assert r.returncode == 2 and r.stderr.strip().endswith(f"here --activation {usual}"), r.stderr
    assert "HIDDEN" not in r.stderr, r.stderr
    assert cmd(*base, "--activation", usual).returncode == 0


@pytest.mark.parametrize("act, loss, needed", [("relu", "binary_crossentropy", "sigmoid"),
                                               ("tanh", "categorical_crossentropy", "softmax")])
def test_the_engines_refusal_carries_the_activation_it_needs(act, loss, needed):
    """The command rebuilt its refusal by a regular expression on the engine's English; the error now carries the
    activation the loss needs and the reason without Python's advice, which the command reads."""
    import chainrule as cr
    with pytest.raises(cr.errors.ValidationError) as exc:
        cr.Network([cr.Dense(2, 2, act)], loss=loss)
    assert exc.value.activation == needed and "Use activation" not in exc.value.reason
    assert str(exc.value).startswith(exc.value.reason)
    r = cmd("explain", "--layers", "2,2", "--activation", act, "--loss", loss, "--inputs", "1,2", "--targets", "1,0")
    assert r.returncode == 2 and r.stderr.rstrip().endswith(f". Give the output layer {needed}: here --activation "
                                                            f"{needed}"), r.stderr


def test_the_help_reads_leaky_relus_slope_from_its_default(monkeypatch):
    """--help wrote '(leaky_relu's slope below 0: 0.01)' by hand; it is read from LeakyReLU's default."""
    from chainrule.nn.activations import LeakyReLU
    text = " ".join(cmd("explain", "--help").stdout.split())
    assert "(leaky_relu's slope below 0: 0.01)" in text
    monkeypatch.setattr(LeakyReLU.__init__, "__defaults__", (0.2,))
    text = " ".join(cmd("explain", "--help").stdout.split())
    assert "(leaky_relu's slope below 0: 0.2)" in text, text
