"""`chainrule explain`: one forward and backward pass of a network, every number, as the seeds write it."""
from __future__ import annotations

import argparse
import json

import numpy as np

from ..errors import ValidationError


def register(sub) -> None:
    p = sub.add_parser(
        "explain", help="every number of one forward and backward pass, as the seeds write it",
        formatter_class=argparse.RawDescriptionHelpFormatter,
        description="Explain one forward and backward pass (and with --lr the update) of the seed network "
                    "(the default), a network given by options, or a saved model.",
        epilog="examples:\n  chainrule explain --format markdown\n"
               "  chainrule explain --layers 2,3,2 --activation tanh --loss sse --seed 0 "
               "--inputs 0.05,0.1 --targets 0.01,0.99 --lr 0.5\n"
               "  chainrule explain --model model.npz --inputs 1,2,3,4 --targets 0 --layer 1\n"
               "  chainrule explain --formulas")
    p.add_argument("--layers", help="widths, comma separated, e.g. 2,3,2 (a new network)")
    p.add_argument("--activation", default="sigmoid", help="activation of every layer of --layers")
    p.add_argument("--loss", default="sse")
    p.add_argument("--seed", type=int, default=0, help="initial weights of --layers")
    p.add_argument("--weights", help="weights: a saved .npz model or a JSON list [W1, b1, W2, b2, ...]")
    p.add_argument("--model", help="a saved model (.npz) to explain")
    p.add_argument("--inputs", help="one sample per ';', values separated by ',', e.g. 0.05,0.1")
    p.add_argument("--targets", help="targets, like --inputs (or a class label per sample)")
    p.add_argument("--lr", type=float, help="also show the gradient-descent update with this learning rate")
    p.add_argument("--layer", type=int, help="only the parameters of this layer (0 = first)")
    p.add_argument("--neuron", type=int, help="with --layer: only this neuron's parameters")
    p.add_argument("--formulas", action="store_true", help="print the general formulas of the network instead")
    p.add_argument("--format", choices=["text", "markdown", "json"], default="text")
    p.set_defaults(func=run)


def _rows(text: str, name: str) -> np.ndarray:
    try:
        rows = [[float(v) for v in row.split(",") if v.strip()] for row in text.split(";") if row.strip()]
        return np.array(rows)
    except ValueError:
        raise ValidationError(f"--{name} must be numbers separated by ',' (samples by ';'); got {text!r}") from None


def _network(args):
    import chainrule as cr
    if args.model:
        return cr.load(args.model), None, None, None
    if not args.layers:
        return cr.examples.seed_network()
    try:
        widths = [int(w) for w in args.layers.split(",")]
    except ValueError:
        raise ValidationError(f"--layers must be integers separated by ',', e.g. 2,3,2; got {args.layers!r}") from None
    if len(widths) < 2:
        raise ValidationError(f"--layers needs at least two widths (inputs and outputs); got {args.layers!r}")
    net = cr.Network([cr.Dense(a, b, args.activation) for a, b in zip(widths, widths[1:])], loss=args.loss,
                     seed=args.seed)
    if args.weights:
        if args.weights.endswith(".npz"):
            net.set_weights(cr.load(args.weights).get_weights())
        else:
            with open(args.weights) as f:
                net.set_weights([np.array(w, dtype=float) for w in json.load(f)])
    return net, None, None, None


def run(args) -> int:
    from ..teach.explain import explain
    from ..teach.formulas import general
    net, X, Y, lr = _network(args)
    if args.formulas:
        print(general(net), end="")
        return 0
    if args.inputs is not None or X is None:
        if args.inputs is None or args.targets is None:
            raise ValidationError("--inputs and --targets are needed to explain this network")
        X, Y = _rows(args.inputs, "inputs"), _rows(args.targets, "targets")
        if Y.shape[1] == 1 and net.n_outputs > 1:
            Y = Y[:, 0]                       # class labels
    lr = args.lr if args.lr is not None else lr
    report = explain(net, X, Y, lr=lr, layer=args.layer, neuron=args.neuron)
    print({"text": report.text, "markdown": report.markdown, "json": report.to_json}[args.format]().rstrip())
    return 0
