"""`chainrule plot`: figures saved as PNG or SVG, without a display."""
from __future__ import annotations

import argparse


def register(sub) -> None:
    p = sub.add_parser(
        "plot", help="save figures: a network with its weights, decision boundaries, the guide's figures",
        formatter_class=argparse.RawDescriptionHelpFormatter,
        description="Draw figures into files (PNG or SVG by the extension).\n"
                    "  network   a small network with its weights and, for the seed network, its gradients\n"
                    "  boundary  a single-layer network's boundary beside a hidden layer's (xor, moons, circles)\n"
                    "  demo      every figure of docs/guide.md into a folder",
        epilog="examples:\n  chainrule plot network --out seed.png\n  chainrule plot network --model model.npz "
               "--out model.svg\n  chainrule plot boundary --data moons --out moons.png\n"
               "  chainrule plot demo --out docs/figures")
    p.add_argument("kind", choices=["network", "boundary", "demo"])
    p.add_argument("--out", required=True, help="file to write (a folder for demo)")
    p.add_argument("--model", help="network: a saved model instead of the seed network")
    p.add_argument("--data", choices=["xor", "moons", "circles"], default="xor", help="boundary: the data set")
    p.set_defaults(func=run)


def run(args) -> int:
    from ..teach import plot
    from ..teach.figures import all_figures, boundary_pair
    if args.kind == "network":
        if args.model:
            from ..io import load
            path = plot.network_diagram(load(args.model), args.out)
        else:
            from ..examples import seed_network
            from ..explain import explain
            net, X, Y, lr = seed_network()
            path = plot.network_diagram(net, args.out, report=explain(net, X, Y, lr=lr))
        print(f"wrote {path}")
    elif args.kind == "boundary":
        print(f"wrote {boundary_pair(args.data, args.out)}")
    else:
        for path in all_figures(args.out):
            print(f"wrote {path}")
    return 0
