"""Network.summary(print_fn=...) as Keras' Model.summary: print_fn called once with the whole table (Keras 3 hands
it the table at once); it was refused (an unexpected keyword), so summary(print_fn=logger.info) failed."""
import os

import pytest

import chainrule as cr

os.environ.setdefault("KERAS_BACKEND", "torch")


def test_print_fn_gets_the_table_once_as_keras_gives_it():
    keras = pytest.importorskip("keras")
    theirs: list = []
    model = keras.Sequential([keras.Input((4,)), keras.layers.Dense(8, activation="relu"), keras.layers.Dense(2)])
    keras_returned = model.summary(print_fn=theirs.append)
    assert len(theirs) == 1 and isinstance(theirs[0], str) and "Total params" in theirs[0]
    net = cr.Network([cr.Dense(4, 8, "relu"), cr.Dense(8, 2)], seed=0)
    ours: list = []
    returned = net.summary(print_fn=ours.append)
    assert ours == [str(net.summary())] and returned is keras_returned is None
    assert "Total params: 58" in ours[0]              # 4 * 8 + 8 + 8 * 2 + 2, Keras' count of the same layers
    assert model.count_params() == 58


def test_print_fn_not_a_function_is_named():
    with pytest.raises(cr.errors.ChainruleTypeError, match=r"print_fn must be a function .*; got str"):
        cr.Network([cr.Dense(4, 2)], seed=0).summary(print_fn="print")


def test_summary_with_print_fn_shows_once_at_the_prompt(capsys):
    """summary(print_fn=print) at the Python prompt showed the table twice: print_fn printed it, then the prompt
    echoed the returned table. Keras' summary returns None; with print_fn so does ours (without, the table)."""
    keras = pytest.importorskip("keras")
    model = keras.Sequential([keras.Input((4,)), keras.layers.Dense(2)])
    net = cr.Network([cr.Dense(4, 2)], seed=0)
    for summarise in (model.summary, net.summary):
        returned = summarise(print_fn=print)
        if returned is not None:                       # what the prompt does with a returned value
            print(repr(returned))
    shown = capsys.readouterr().out
    assert shown.count("Total params") == 2 and shown.count("Total params: 10\n") == 1
    assert "Total params: 10\n" in net.summary()     # without print_fn the table is returned, to print or show


def test_summary_reads_as_keras_output_shapes_and_counts_per_layer():
    """summary() printed each layer and its count but no output shape, and no trainable / non-trainable totals as
    Keras' table does: each row's output shape and count, and the totals, are now Keras' for the same layers."""
    import re
    keras = pytest.importorskip("keras")
    model = keras.Sequential([keras.Input((784,)), keras.layers.Dense(256, activation="relu"),
                              keras.layers.Dropout(0.2), keras.layers.Dense(128, activation="relu"),
                              keras.layers.Dense(10, activation="softmax")])
    model.layers[2].trainable = False
    theirs: list = []
    model.summary(print_fn=theirs.append)
    keras_rows = re.findall(r"\((?:Dense|Dropout)\)\s*│\s*(\(None, \d+\))\s*│\s*([\d,]+)", theirs[0])
    keras_totals = re.findall(r"(Total|Trainable|Non-trainable) params: ([\d,]+)", theirs[0])
    net = cr.Network([cr.Dense(784, 256, "relu"), cr.Dropout(0.2), cr.Dense(256, 128, "relu"),
                      cr.Dense(128, 10, "softmax")], loss="categorical_crossentropy", seed=0)
    net.layers[2].trainable = False
    ours = net.summary()                                   # layer 2's long repr wraps, its cells on its first line
    assert re.findall(r"^  \d: \S.*?\s+(\(None, \d+\))\s+([\d,]+)$", ours, re.M) == keras_rows
    assert re.findall(r"(Total|Trainable|Non-trainable) params: ([\d,]+)$", ours, re.M) == keras_totals
    assert keras_totals[0] == ("Total", "235,146")


def test_summary_keeps_to_80_columns_wrapping_a_long_layer_as_keras_wraps_its_names():
    """A layer whose repr is long (its trainable dict, a parametrised activation) made every line of the table as
    wide: 90 and more columns. Keras keeps its table to a fixed width, wrapping a long name inside its column; here
    at most 80, the layer's repr whole over its lines and its shape and count on its first."""
    import re
    net = cr.Network([cr.Dense(784, 256, {"name": "leaky_relu", "alpha": 0.2}, trainable={"W": True, "b": False}),
                      cr.Dropout(0.2), cr.Dense(256, 10, "softmax")], loss="categorical_crossentropy", seed=0)
    lines = net.summary().splitlines()
    assert max(len(line) for line in lines) <= 80, net.summary()
    first = next(i for i, line in enumerate(lines) if line.startswith("  0: "))
    second = next(i for i, line in enumerate(lines) if line.startswith("  1: "))
    cells = re.fullmatch(r"  0: (.*?)\s+\(None, 256\)\s+([\d,]+)", lines[first])
    assert cells and cells[2] == f"{784 * 256 + 256:,}", lines[first]
    rejoined = " ".join([cells[1], *(line.strip() for line in lines[first + 1:second])])
    assert rejoined == repr(net.layers[0])
    assert lines[-2:] == [f"  Trainable params: {784 * 256 + 2570:,}", "  Non-trainable params: 256"]
