"""`chainrule explore`: the browser explorer, served on this machine (127.0.0.1 by default)."""
from __future__ import annotations

import argparse
import sys

from . import model_argument, numbers
from .reading import model_file, named_text
from .usage import OptionError


def register(sub) -> None:
    p = sub.add_parser(
        "explore", help="see backpropagation happen in the browser, driven by the engine",
        description="Serve the explorer: the seed's 2-2-2 network (or your model and CSV file) drawn in the "
                    "browser, every number computed by chainrule's engine. Prints the URL, with a random token "
                    "that every request needs, and opens it.",
        epilog="examples:\n  chainrule explore\n  chainrule explore --no-browser --port 8765\n"
               "  chainrule explore --data iris.csv --target species\n  chainrule explore --model iris.npz",
        formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--port", type=numbers.port, default=8765,
                   help="port to listen on (default: 8765; 0: any free port)")
    p.add_argument("--host", default="127.0.0.1",
                   help="address to listen on (default: 127.0.0.1, this machine only)")
    p.add_argument("--no-browser", action="store_true", help="print the URL only, do not open a browser")
    p.add_argument("--model", type=model_file,
                   help="a model file (.npz written by chainrule) to open instead of the seed network")
    model_argument(p, parse=model_file)
    none = "for the seed's network"         # empty (`--data "$F"` unset): refused, not taken for the option left out
    p.add_argument("--data", type=named_text("--data", "a CSV file to train on", "iris.csv", none),
                   help="a CSV file to train on (needs --target)")
    p.add_argument("--target", type=named_text("--target", "the column of --data to predict", "species",
                                               "and no --data " + none), metavar="COL",
                   help="the column of --data to predict")
    p.set_defaults(func=run)


def start(args):
    """What every new page opens on: the files named on the command line, read once, here."""
    from ..teach.explore.session import Session, Start
    net = table = pre = None
    name = ""
    if args.model:
        from .tabular import load_model
        net, pre, _ = load_model(args.model, need_preprocessing=False)     # its CSV preprocessing, if any
        name = args.model
    if args.data:
        if not args.target:
            raise OptionError("--data needs --target, the column to predict")
        from ..teach.explore.engine import tabular
        read_csv, _ = tabular()
        table = read_csv(args.data)
        name = args.data
    elif args.target:
        raise OptionError("--target needs --data, the CSV file")
    s = Start(net, table, args.target, name, pre)
    Session(s).state()    # the files are checked now, before the server starts (and the seed's figures cached)
    return s


def run(args) -> int:
    try:
        import starlette  # noqa: F401
        import uvicorn  # noqa: F401
    except ModuleNotFoundError as exc:         # exit 5, as every missing optional part (cli.exit_code)
        from ..extras import absent, install
        if not absent(exc, "starlette", "uvicorn"):     # there but broken (click missing): its own error says which
            raise
        raise ImportError("this command needs Starlette and uvicorn: " + install(["starlette", "uvicorn"], "explore")) \
            from None
    import secrets

    from ..teach.explore.server import Server, address, bind, create_app
    from ..teach.explore.session import Session
    first = start(args)
    token = secrets.token_urlsafe(24)
    sock = bind(args.host, args.port, busy=": choose another with --port N, or --port 0 for any free one")
    server = Server(create_app(token, lambda: Session(first)), sock)
    url = f"http://{address(args.host, server.port)}/?token={token}"
    if args.host not in ("127.0.0.1", "localhost", "::1"):
        print(f"chainrule explore: listening on {args.host}: anyone who can reach it and has the token can use it",
              file=sys.stderr)
    server.start()
    print(f"chainrule explore: serving at {url}\n(press Ctrl+C to stop)", flush=True)
    if not args.no_browser:
        import webbrowser
        webbrowser.open(url)
    try:
        server.thread.join()
    except KeyboardInterrupt:
        pass
    finally:
        server.stop()
    return 0
