"""`chainrule export`: a model file to ONNX, with its CSV preprocessing when it has one."""
from __future__ import annotations

import argparse
import os

from ..errors import ValidationError
from ..teach.width import say, word
from . import numbers
from .usage import OptionError


def register(sub) -> None:
    p = sub.add_parser(
        "export", help="write a model file as ONNX (onnxruntime, other languages)",
        formatter_class=argparse.RawDescriptionHelpFormatter,
        description="Export a chainrule model (.npz), or a Keras model (.keras) as info reads it, to ONNX. A "
                    "model from `chainrule train` keeps its CSV preprocessing in the graph: one input per column, "
                    "outputs 'prediction' and, for a "
                    "classifier, 'probabilities'. Needs onnx: pip install onnx (the onnx extra: "
                    "pip install '.[onnx]' in chainrule's checkout).",
        epilog="examples:\n  chainrule export iris.npz iris.onnx\n"
               "  chainrule export diabetes.npz diabetes.onnx --opset 18")
    p.add_argument("model", help="chainrule model file (.npz), or a .keras file")
    p.add_argument("out_file", nargs="?", metavar="out", type=onnx_name, help="ONNX file to write (.onnx)")
    p.add_argument("--out", type=onnx_name, help="the same as out: the ONNX file to write")
    p.add_argument("--opset", type=numbers.opset, default=17, help="ONNX opset version, 17 or later (default: 17)")
    p.add_argument("--input-type", metavar="DTYPE", type=input_type, default=None,
                   help="the dtype onnxruntime is fed for the input (default: the network's, float64 or float32; "
                        "onnxruntime refuses any other): e.g. int64, cast to the network's dtype in the graph. Not "
                        "for a CSV model, whose columns keep their types")
    p.add_argument("--no-checks", dest="checks", action="store_false",
                   help="leave out the graph's checks: by default it refuses what `chainrule predict` refuses (NaN "
                        "or infinite inputs, a missing value, a layer's overflow) and computes a float32 layer's "
                        "overflowing rows again in float64, a few microseconds a run")
    p.set_defaults(func=run)


def onnx_name(text: str) -> str:
    """OUT and --out as argparse reads them: empty (`export m.npz "$OUT"` unset) is refused naming the argument,
    where it was said as "the output is empty" once the model was read; so is a name not ending in .onnx (as
    plot's --out must end in .png or .svg: onnxruntime and Netron find the file by it), where it was refused only
    once the command ran, without the usage; another format's ending (m.txt, m.pkl) is named by save's rule."""
    from ..nn.filenames import folder_end, name_ending
    if text == "":
        raise argparse.ArgumentTypeError("expected the name of the ONNX file to write, e.g. model.onnx; got ''")
    # a folder that exists, or 'm.onnx/', is said as a folder's when run ("give a file name", "without it:
    # 'm.onnx'"); 'out/' is refused here for its ending, where its advice, 'out', was then refused in a second round
    end = folder_end(text)
    bare = text[:len(text) - len(end[0])] if end else text
    if not bare.lower().endswith(".onnx") and not os.path.isdir(text):
        try:
            name_ending(text, "onnx", repr(text))
        except ValidationError as exc:
            raise argparse.ArgumentTypeError(str(exc)) from None
        raise argparse.ArgumentTypeError(f"must end in .onnx (export writes an ONNX model); got {text!r}")
    return text


def input_type(text: str) -> str:
    """--input-type: one of to_onnx's INPUT_TYPES, read as to_onnx reads it (NumPy's spellings: 'double', 'i8'),
    refused with the usage where it is none."""
    from ..saving.onnx import AMBIGUOUS, INPUT_TYPES, input_dtype
    try:
        return input_dtype(text).name
    except ValidationError as exc:
        said = str(exc).removeprefix("input_type ") if text.strip().lower() in AMBIGUOUS else \
            f"expected one of {', '.join(INPUT_TYPES)} (or NumPy's name of one: double, i8); got {text!r}"
        raise argparse.ArgumentTypeError(said) from None


def run(args) -> int:
    from ..saving.runlock import output_held
    from .tabular import output_path
    if args.out is None:
        # said as argparse says a missing argument: under export's usage (it was a bare 'chainrule: error:' line)
        raise OptionError("export needs the ONNX file to write: chainrule export MODEL OUT (or --out OUT), e.g. "
                          "chainrule export model.npz model.onnx")
    # checked as train's and predict's --out: never the model read, a folder, a device, another kind of file
    # named "the output" as output_path names it: given as `out` or --out
    out = output_path(args.out, {"model file": args.model}, option="the output", kind="onnx")
    with output_held(out, option="the output", job="export"):     # a second job on it is refused while this runs
        return _export(args)


def _export(args) -> int:
    import chainrule as cr

    from ..data.tabular import Preprocessing
    from ..saving.onnx import to_onnx
    from .reading import refuse_special
    refuse_special(args.model, "model file", "a file: give the path of the chainrule model file (.npz)")
    from ..errors import ModelFileError, ValidationError
    from .tabular import quoted
    try:
        if str(args.model).lower().endswith(".keras"):      # read as info and explain read it: a network, no CSV
            net, extra = cr.load_foreign(args.model), None
        else:
            net, extra = cr.load(args.model, with_extra=True)
    except (ModelFileError, ValidationError) as exc:      # the file named quoted, as info and predict name it
        raise quoted(exc, args.model) from None
    stored = (extra or {}).get("tabular")              # a CSV preprocessing, checked as `predict` checks it
    pre = None if stored is None else Preprocessing.from_json(stored).to_json()
    if pre is not None and args.input_type is not None:       # to_onnx's refusal named its input_type=, not the option
        raise OptionError(f"--input-type {args.input_type} is for a network's one input; {word(args.model)} is a "
                          "`chainrule train` model, whose graph takes each raw column as its type says (numbers as "
                          "double, NaN where missing; text as string): leave --input-type out")
    model = to_onnx(net, args.out, opset=args.opset, preprocessing=pre, checks=args.checks,
                    input_type=args.input_type)
    graph = model.graph
    inputs = ", ".join(f"{v.name!r}" for v in graph.input)
    outputs = ", ".join(f"{v.name!r}" for v in graph.output)
    bare = ("" if args.input_type is None else f"; input {args.input_type}") + ("" if args.checks else "; no checks")
    say(f"wrote {word(args.out)} (ONNX opset {args.opset}; inputs {inputs}; outputs {outputs}{bare})")
    return 0
