"""`chainrule compile --help` says which networks train in the tiny networks' loop, as the loop itself decides."""
from conftest import cmd

from chainrule.backend import tiny


def test_compile_help_names_every_condition_of_the_tiny_loop():
    """The help said 'layers at most 4 units wide' alone: a 2-2-1 network trained with Adam, or with a cross-entropy
    loss or a softmax, or four such layers, is no tiny network (tiny.widths refuses it) and runs on the general loop."""
    words = " ".join(cmd("compile", "--help").stdout.split())
    assert f"at most {tiny.MAX_LAYERS} Dense layers, each at most {tiny.TINY} units wide" in words, words
    assert "the sse or mse loss, SGD, no softmax" in words, words
