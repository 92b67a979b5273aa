"""`chainrule explain`: one forward and backward pass of a network, every number, as the seeds write it."""
from __future__ import annotations

import json
import re
import sys

import numpy as np

from ..errors import ModelFileError, UnknownNameError, ValidationError
from ..nn.loss_outputs import OutputMismatch
from ..nn.numeric import as_whole
from . import model_argument, numbers
from .tabular import learning_rate, model_file, named_text, quoted, seed
from .usage import OptionError, as_option


def register(sub) -> None:
    p = sub.add_parser(
        "explain", help="every number of one forward and backward pass, as the seeds write it",
        description="Explain one forward and backward pass (and with --lr the update) of the seed network "
                    "(the default), a network given by options, or a saved model. A model from `chainrule train` "
                    "takes a row of a CSV file (--data, --row) or raw column values (--inputs), and class names "
                    "as targets.",
        epilog="examples:\n  chainrule explain --format markdown\n"
               "  chainrule explain --layers 2,3,2 --activation tanh --lr 0.5\n"
               "  chainrule explain --layers 4,8,3 --activation relu,softmax --loss categorical_crossentropy\n"
               "  chainrule explain --model iris.npz --data iris.csv --row 1 --layer 1 --neuron 0\n"
               "  chainrule explain --model iris.npz --inputs 5.1,3.5,1.4,0.2 --targets setosa --layer 1 --neuron 0\n"
               "  chainrule explain --formulas")
    seed_net = "for the seed's network"     # an empty value (an unset variable) refused: it meant the option left out
    p.add_argument("--layers", type=named_text("--layers", "the widths of a new network", "2,3,2", seed_net),
                   help="widths of a new network, comma separated, e.g. 2,3,2")
    from ..nn.activations import ACTIVATIONS, LeakyReLU
    from ..teach.numbers import fmt
    p.add_argument("--activation", type=named_text("--activation", "activation names", "relu,softmax", "for sigmoid"),
                   help="with --layers: one activation for every layer (default: sigmoid), or a comma "
                                        "list: one per layer, or two for hidden,output (e.g. relu,softmax); one of "
                                        f"{', '.join(sorted(ACTIVATIONS))} (leaky_relu's slope below 0: "
                                        f"{fmt(LeakyReLU().alpha)})")
    p.add_argument("--loss", type=named_text("--loss", "a loss's name", "mse", "for sse"),
                   help="with --layers: sse (default), mse, binary_crossentropy, categorical_crossentropy")
    p.add_argument("--seed", type=seed, metavar="N",
                   help="with --layers: seed of the initial weights (and random sample) (default: 0)")
    p.add_argument("--weights", type=named_text("--weights", "a .npz model or a JSON list of weights", "m.npz",
                                                      "for random weights of --seed"),
                   help="with --layers: a saved .npz model or a JSON list [W1, b1, W2, b2, ...] as "
                                     "Network.get_weights gives: each W a list of rows, one row per input (its "
                                     "weights to each neuron), W[input][neuron], shape inputs x neurons; a square "
                                     "W is read so too (a transposed one is not detected)")
    p.add_argument("--model", type=model_file,
                   help="a saved model to explain: chainrule's .npz, an ONNX (.onnx) or Keras (.keras) file")
    model_argument(p, parse=model_file)
    p.add_argument("--data", type=named_text("--data", "a CSV file", "iris.csv", "to give the sample by --inputs"),
                   help="with --model: a CSV file to take the sample from (see --row)")
    p.add_argument("--row", type=numbers.row, metavar="N",
                   help="with --data: the row to explain (1 = the first row below the header) (default: 1)")
    p.add_argument("--inputs", help="one sample per ';', values separated by ',' (a trained model: one sample, its "
                                    "columns' raw values in order; an empty value is missing, filled as predict "
                                    "fills it if the model was trained with --impute)")
    p.add_argument("--targets", help="targets like --inputs, or a class label (a class name for a trained model; "
                                     "with --data it replaces the row's own target)")
    p.add_argument("--lr", type=learning_rate,
                   help="also show the gradient-descent update with this learning rate")
    p.add_argument("--layer", type=_signed, metavar="N",
                   help="only the parameters of this layer of weights, 0-based: --layer 0 is the first layer of "
                        "weights (into hidden layer 1, units h1, h2, ... or h1_1, h1_2, ...), -1 the last")
    p.add_argument("--neuron", type=_signed, metavar="N",
                   help="with --layer: only this neuron's derivation, 0-based: --neuron 0 is the layer's first unit "
                        "(h1 or h1_1; o1 in the output layer), -1 its last")
    p.add_argument("--formulas", action="store_true", help="print the general formulas of the network instead "
                                                           "(Markdown with LaTeX)")
    p.add_argument("--format", choices=["text", "markdown", "json"], help="output format (default: text)")
    from .example import add_width
    add_width(p)
    from .tabular import add_csv_options
    add_csv_options(p)                    # --data is read as train read its file, unless these say otherwise
    p.set_defaults(func=run)


def _weights(path: str, net) -> None:
    """--weights: a saved .npz model's weights or a JSON list [W1, b1, W2, b2, ...], set on `net`."""
    import chainrule as cr
    try:
        if path.endswith(".npz"):
            arrays = cr.load(path).get_weights()
        else:
            with open(path) as f:
                arrays = [np.array(w, dtype=float) for w in _json_arrays(json.load(f))]
            square = [k // 2 + 1 for k, w in enumerate(arrays)              # 1 x 1: nothing to transpose
                      if k % 2 == 0 and w.ndim == 2 and w.shape[0] == w.shape[1] > 1]
            if square:                          # a transposed square W fits too: say how it is read
                _note(f"--weights: W{', W'.join(map(str, square))} square, read as W[input][neuron] (a row per "
                      "input), as Network.get_weights writes it")
        net.set_weights(arrays)
    except FileNotFoundError:
        raise ValidationError(f"--weights: no such file {path!r}") from None
    except ModelFileError as exc:               # not a model file: named once, quoted, as the MODEL argument is
        raise ModelFileError(f"--weights: {quoted(exc, path)}") from None
    except (ValueError, TypeError) as exc:      # JSON's errors, arrays of the wrong shapes
        from ..data.csvfile import short
        shapes = [list(a.shape) for a in net.get_weights()]
        raise ValidationError(f"--weights {short(path, 200)}: {exc} (expected a JSON list [W1, b1, W2, b2, ...] of the "
                              f"--layers shapes {shapes}, or a .npz model)") from None


def _json_arrays(loaded) -> list:
    """--weights' JSON as a list of arrays, each a list: an object, a plain number or a list of plain numbers (one
    array flattened) named as what it is, not as NumPy's words for the first item it could not read."""
    kinds = {dict: "a JSON object", str: "a JSON string", bool: "a JSON true or false", type(None): "null"}
    got = (kinds.get(type(loaded), "a plain number") if not isinstance(loaded, list)
           else "an empty list" if not loaded
           else f"a list of {len(loaded)} {'plain numbers' if all(_number(w) for w in loaded) else 'values'}, not of "
                "arrays" if not any(isinstance(w, list) for w in loaded)
           else "")
    if got:
        raise ValueError(f"got {got}")
    return loaded


def _number(value) -> bool:
    """A JSON number, as json.load gives it (true and false are not)."""
    return isinstance(value, (int, float)) and not isinstance(value, bool)


_held: list[str] = []       # this run's notes: said once its refusals are past (a refusal comes before any output)


def _note(text: str) -> None:
    _held.append(f"note: {text}")


def _say_notes(width: int | None) -> None:
    """The held notes on stderr, fitted to --width where given (as stdout is), else to stderr's terminal."""
    from ..teach.width import say
    for text in _held:
        say(text, sys.stderr, width)                # no --width: a terminal's width; in a pipe one line
    _held.clear()


def _check_options(args) -> None:
    """Refuse options that the chosen source of the network would ignore; then fill in the defaults."""
    given = [name for name in ("activation", "loss", "seed", "weights", "data", "row", "inputs", "targets", "lr",
                               "layer", "neuron") if getattr(args, name) is not None]
    if args.layers and args.model:
        cut = next((f"--{o} '{getattr(args, o)} {args.model}'" for o in ("activation", "layers")
                    if (getattr(args, o) or "").endswith(",")), None)       # `--activation relu, softmax`
        read = "" if getattr(args, "model_file", None) != args.model else (
            f"; {args.model!r} was read as the model file MODEL" + (f" (a list with spaces is quoted: {cut})"
                                                                   if cut else ""))
        raise OptionError(f"give --layers (a new network) or --model (a saved one), not both{read}")
    if not args.layers:
        source = "a --model has its own" if args.model else "the default seed network has its own"
        for name in ("activation", "loss", "seed", "weights"):
            if name in given:
                raise OptionError(f"--{name} needs --layers (it describes a new network; {source})")
    if args.formulas:
        for name in ("data", "row", "inputs", "targets", "lr", "layer", "neuron"):
            if name in given:
                raise OptionError(f"--{name} has no use with --formulas, which prints the general formulas of the "
                                  "network, not one pass: leave one of them out")
        if args.format not in (None, "markdown"):
            raise OptionError(f"--formulas prints Markdown with LaTeX: --format must be markdown or left out; "
                              f"got {args.format}")
    if "data" in given and not args.model:
        raise OptionError("--data needs --model (a model from `chainrule train` explains a row of a CSV file)")
    if "row" in given and "data" not in given:
        raise OptionError("--row needs --data (the CSV file the row is taken from)")
    if "data" in given and "inputs" in given:
        raise OptionError("give the sample by --data and --row, or by --inputs, not both")
    reading = [o for o in ("sep", "encoding", "decimal", "thousands", "na_values") if getattr(args, o)]
    if reading and "data" not in given:
        raise OptionError(f"--{reading[0].replace('_', '-')} needs --data (it says how to read that CSV file)")
    if "neuron" in given and "layer" not in given:
        raise OptionError("--neuron needs --layer (the layer the neuron is in)")
    args.activation = args.activation or "sigmoid"
    args.loss = args.loss or "sse"
    args.seed = 0 if args.seed is None else args.seed
    args.row = 1 if args.row is None else args.row
    args.format = args.format or "text"


#: --layer and --neuron: 0-based, negative ones from the end as Python counts them (the range is the network's)
_signed = numbers.whole("a 0-based index (-1: the last)", lambda v: True)


def activations(text: str, n_layers: int) -> list[str]:
    """--activation: one name for every layer, one per layer, or two (hidden layers, output layer)."""
    names = [a.strip() for a in text.split(",")]
    if not all(names):
        raise ValidationError(f"--activation {text!r} has an empty name (a ',' at an end, or two together); expected "
                              "names separated by ',', e.g. relu,softmax")
    if len(names) == 1:
        return names * n_layers
    if len(names) == n_layers:
        return names
    if len(names) == 2 and n_layers > 1:
        return [names[0]] * (n_layers - 1) + [names[1]]
    if n_layers == 1:           # two names (hidden,output) dropped the first unsaid: --layers 2,2 has no hidden layer
        raise ValidationError(f"--activation needs one name: --layers of two widths has one layer of weights, the "
                              f"output layer, and no hidden layer; got {len(names)}: {text!r}")
    raise ValidationError(f"--activation needs one name, one per layer ({n_layers}) or two (hidden,output); got "
                          f"{len(names)}: {text!r}")


def _network(args):
    """(network, X, Y, lr, preprocessing) from the options; X, Y None when the options must give them."""
    import chainrule as cr
    if args.model:
        from .tabular import load_model
        net, pre, _ = load_model(args.model, need_preprocessing=False)
        return net, None, None, None, pre
    if not args.layers:
        return (*cr.examples.seed_network(), None)
    parts = args.layers.split(",")
    widths = [w for w in map(as_whole, parts) if w is not None]     # ASCII digits, as every whole number
    if len(widths) < len(parts):
        raise ValidationError(f"--layers must be integers separated by ',', e.g. 2,3,2; got {args.layers!r}")
    if any(w < 1 for w in widths):
        raise ValidationError(f"--layers widths must be positive integers; got {min(widths)} in {args.layers!r}")
    if len(widths) < 2:
        raise ValidationError(f"--layers needs at least two widths (inputs and outputs); got {args.layers!r}")
    acts = activations(args.activation, len(widths) - 1)
    try:
        net = cr.Network([cr.Dense(a, b, act) for a, b, act in zip(widths, widths[1:], acts)], loss=args.loss,
                         seed=args.seed)
    except UnknownNameError as exc:    # the library's activation='x' as the option typed, --activation 'x'
        raise as_option(exc, "activation", "loss") from None
    except OutputMismatch as exc:      # the command has no loss of its own, which takes_logits would declare
        said = f"{exc.reason}. Give the output layer {exc.activation}"
        if len(acts) == 1:                          # no hidden layer: the output's name alone
            raise ValidationError(f"{said}: here --activation {exc.activation}") from None
        hidden = ",".join(acts[:-1]) if len(set(acts[:-1])) > 1 else acts[0]
        raise ValidationError(f"{said}: --activation HIDDEN,OUTPUT sets it apart, here --activation "
                              f"{hidden},{exc.activation}") from None
    if args.weights:
        _weights(args.weights, net)
    elif args.inputs is None and not args.formulas:
        _note(f"random initial weights (--seed {args.seed})")
    return net, None, None, None, None


def _markdown(lines: list[str]) -> str:
    """The header lines as a Markdown list (indented lines nested), each item's text as code, as written whatever
    backticks a column's or class's name holds."""
    from ..teach.escape import code_span
    return "\n".join(("  - " if line.startswith("  ") else "- ") + code_span(line.strip()) for line in lines)


def run(args) -> int:
    from ..saving.npzcheck import standard_json
    from ..teach.explain import explain
    from ..teach.formulas import general
    from ..teach.notation import as_options
    from ..teach.width import fit_width
    from .example import width
    from .explain_sample import check_sample, missing_sample, option_rows, random_sample
    from .explain_slice import slice_line
    _held.clear()
    _check_options(args)
    columns = width(args)
    net, X, Y, lr, pre = _network(args)
    if args.formulas:
        _say_notes(args.width)
        print(general(net), end="")
        return 0
    if pre is None and X is not None and args.inputs is None and args.targets is not None:
        args.inputs = ";".join(",".join(repr(float(v)) for v in row) for row in X)   # the seed's inputs, these targets
    if pre is None and args.data is not None:
        raise ValidationError(f"--data needs a model from `chainrule train`, which knows the CSV's columns; "
                              f"{args.model} is a network without them (saved by Network.save, or an ONNX or "
                              "Keras file): give its sample with --inputs and --targets")
    header: list[str] = []
    if pre is not None:
        from ..teach.numbers import single_precision
        from .explain_sample import tabular_sample
        with single_precision(net.dtype == np.float32):        # its inputs as the report writes them
            X, Y, header = tabular_sample(args, pre)
    elif args.inputs is not None or X is None:
        if args.inputs is None and args.targets is None and args.layers:
            X, Y, said = random_sample(net, args.seed)
            _note(said)
        elif args.inputs is None or args.targets is None:
            raise missing_sample(net, args)
        else:
            X, Y = option_rows(args.inputs, "inputs"), option_rows(args.targets, "targets")
            check_sample(net, X, Y)
            if Y.shape[1] == 1 and net.n_outputs > 1:
                Y = Y[:, 0]                       # class labels
    lr = args.lr if args.lr is not None else lr
    try:
        report = explain(net, X, Y, lr=lr, layer=args.layer, neuron=args.neuron)
    except ValidationError as exc:
        text = str(exc)
        if "explain prints at most" in text:        # the engine's advice (slice_advice) in the command's words
            raise ValidationError(as_options(text)) from None
        if "samples; this call has" in text:
            raise ValidationError(text.split(". Explain fewer")[0] + ": give at most that many with --inputs and "
                                  "--targets (samples separated by ';')") from None
        text = re.sub(r"\b(layer|neuron|lr)\b(?= must)", r"--\1", text, count=1)
        text = as_options(re.sub(r"^neuron (\d+) of layer (\d+) has", r"--neuron \1 of --layer \2 has", text))
        if args.inputs is not None and pre is None:         # the engine's names of the samples: X, Y
            text = re.sub(r"^X and Y\b", "--inputs and --targets", text)
            text = re.sub(r"^X\b", "--inputs", re.sub(r"^Y\b", "--targets", text))
        raise ValidationError(text) from None
    _say_notes(args.width)
    classes = report.data.get("target_classes")
    if pre is not None and pre.task == "classification" and classes and classes["labels"] is not None:
        named = [pre.classes[c] for c in classes["labels"]]                     # a trained model's own words,
        classes["names"] = [v.item() if isinstance(v, np.generic) else v for v in named]     # as the CSV held them
        classes["column"] = str(pre.target)         # as the outputs line says them: 'species' = 'setosa'
    extra = {}                                      # what the header says, as JSON: stdout holds only the object
    if header:
        extra = {"sample": header[0].split(": ", 1)[1], "sample_lines": [line.strip() for line in header[1:]]}
    if args.layer is not None:
        header.append(slice_line(net, args.layer, args.neuron))
        extra["slice_line"] = header[-1].split(": ", 1)[1]
    if args.format == "json":
        print(standard_json({**extra, **report.to_dict()}, "explain's report", indent=2))   # as Report.to_json
        return 0
    shown = {"text": report.text, "markdown": report.markdown}[args.format]().rstrip()   # --neuron: cut by the report
    shown = as_options(shown)           # the report's Python calls in the command's words
    if header:
        print(_markdown(header) if args.format == "markdown" else fit_width("\n".join(header), columns), end="\n\n")
    print(shown if args.format == "markdown" else fit_width(shown, columns))
    return 0
