"""`chainrule data`: the small example files shipped with chainrule, copied where you want them."""
from __future__ import annotations

import shutil
import sys
from importlib import resources
from pathlib import Path

from ..data.misnamed import bundled, examples
from ..errors import ValidationError, closest
from .reading import output_name
from .usage import OptionError

FILE_SUFFIXES = (".csv", ".npz", ".txt", ".gz", ".tsv", ".onnx")    # what --out names as a file, not a folder


def register(sub) -> None:
    p = sub.add_parser(
        "data", help="copy a small example data set (iris.csv, ...) to try the other commands on",
        description="Copy example files shipped with chainrule into a folder (the current one by default). "
                    "Without a name, list them.",
        epilog="examples:\n  chainrule data\n  chainrule data iris.csv diabetes.csv\n"
               "  chainrule data iris.csv --out data/")
    p.add_argument("names", nargs="*", metavar="NAME",
                   help=f"example files to copy, e.g. iris.csv (one of: {', '.join(examples())}); none: list them "
                        "with what each holds")
    p.add_argument("--out", default=None, metavar="DIR",
                   type=output_name("--out", "a folder to copy into", "data/", "for the current folder"),
                   help="folder to copy into, created if it does not exist, e.g. --out data/ (default: ., the "
                        "current folder)")
    p.add_argument("--force", action="store_true",
                   help="replace a file of the same name there (default: such a file is left as it is and "
                        "nothing is copied)")
    p.set_defaults(func=run)


def run(args) -> int:
    from ..teach.width import columns, fit_lines
    about = examples()
    if not args.names and (args.out is not None or args.force):     # a listing copies nothing: said, not ignored
        given = ([f"--out {args.out!r}"] if args.out is not None else []) + (["--force"] if args.force else [])
        raise OptionError(f"{' '.join(given)} {'need' if len(given) > 1 else 'needs'} the NAMEs of the example files "
                          f"to copy (e.g. chainrule data iris.csv {' '.join(given)}); without a name, chainrule data "
                          "lists them")
    if not args.names:
        width = max(len(n) for n in about)
        for name, text in about.items():      # a description too wide for the terminal continues under itself
            print(fit_lines(f"{name:<{width}}  {text}", columns(sys.stdout), " " * (width + 2)))
        return 0
    unknown = [n for n in args.names if n not in about]
    if unknown:
        # the bundled name however spelt ('iris', 'Iris', 'IRIS.csv'), a typo's likely name (as columns'), or its stem's
        stems = {Path(n).stem.lower(): n for n in about}
        stem = Path(unknown[0]).stem.lower()
        likely = bundled(unknown[0]) or closest(unknown[0], about) or stems.get(closest(stem, stems) or "")
        hint = f" (did you mean {likely!r}?)" if likely else ""
        raise ValidationError(f"no example file {unknown[0]!r}{hint}; there are {', '.join(about)}")
    args.out = "." if args.out is None else args.out
    folder = Path(args.out)
    if folder.exists() and not folder.is_dir():
        raise ValidationError(f"--out {args.out!r} is not a folder")
    if not folder.exists() and folder.suffix.lower() in FILE_SUFFIXES:     # --out iris.csv made a folder iris.csv
        raise ValidationError(f"--out {args.out!r} names a file: --out is the folder to copy into (e.g. --out data/), "
                              f"each file keeping its name ({', '.join(dict.fromkeys(args.names))})")
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except FileExistsError:          # a file on the way: data/iris.csv/x
        raise ValidationError(f"--out {args.out!r} is not a folder") from None
    wanted = list(dict.fromkeys(args.names))     # a name given twice is copied once
    copies = resources.files("chainrule.data") / "examples"
    same = {name for name in wanted if not args.force and (folder / name).is_file()
            and (folder / name).read_bytes() == (copies / name).read_bytes()}    # a README's steps run again
    there = [folder / name for name in wanted if (folder / name).exists() and name not in same]
    if there and not args.force:                 # checked for every file before any is written
        raise ValidationError(f"{str(there[0])!r} exists already (not chainrule's copy of it); use --force to "
                              "replace it")
    for name in wanted:
        dest = folder / name
        if name in same:
            print(f"kept {dest}: it is chainrule's copy already", file=sys.stderr)
            continue
        with resources.as_file(copies / name) as src:
            shutil.copyfile(src, dest)
        print(f"wrote {dest}", file=sys.stderr)
    return 0
