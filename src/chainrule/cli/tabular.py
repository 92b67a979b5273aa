"""What `train`, `predict`, `evaluate` and `info` share: the option values, the
output paths (checked before any work), the model file with its preprocessing, and the metrics. How
they read a CSV file, and the column options, are reading.py's, re-exported here."""
from __future__ import annotations

import argparse
import os
import re
import shlex
import stat
from pathlib import Path
from typing import Any

from ..errors import ChainruleError, ModelFileError, ValidationError, counted
from ..teach.width import say
from .metrics import evaluate_rows, metrics, part, predict_rows, regression_metrics  # noqa: F401 (metrics.py's)
from .numbers import whole
from .reading import (  # noqa: F401  (the reading is reading.py's; the commands import it from here too)
    COLUMN_OPTIONS,
    add_column_options,
    add_csv_options,
    as_in_file,
    as_trained,
    column_list,
    keep_reading,
    model_file,
    named_text,
    once,
    read,
    reading_marks,
    said_left_out,
    separator_how,
)

# -- option values, checked by argparse (a bad value is a usage error naming the option) ----------
positive_int = whole("a positive integer", lambda v: v >= 1)       # --epochs, --batch-size, --chunk-rows, ...
seed = whole("a non-negative integer", lambda v: v >= 0)          # --seed: numbers.py's one rule, as --cv's


def learning_rate(text: str) -> float:
    """--lr of train and explain: the engine's rule (nn/checks.py learning_rate: a finite number >= 0, as torch.optim
    takes it; 0 trains nothing; -0 is 0) in the form of every numeric option's refusal ("expected ...; got 'TEXT'"),
    the text as typed: one rule, one message for both commands, whatever was wrong with the text."""
    from ..nn.checks import learning_rate as checked
    try:
        value = checked(float(text), "--lr")
        if value == 0 and text.strip().startswith("-") and re.search(r"[^\D0]", re.split(r"[eE]", text)[0]):
            raise ValueError(text)                  # -1e-400: below 0, not a rate that rounds to it
    except (ValueError, ValidationError):
        raise argparse.ArgumentTypeError(f"expected a finite number >= 0, e.g. 0.001; got {text!r}") from None
    if value == 0 and read_as_zero(text):
        raise argparse.ArgumentTypeError(f"expected a finite number >= 0, e.g. 0.001; got {text!r}{read_as_zero(text)}"
                                         ": a rate of 0 trains nothing; give 0 to mean it")
    return value


def read_as_zero(text: str) -> str:
    """', which float64 reads as 0 (...)' where `text` is a number written with a digit 1-9 that float64 reads as 0
    (1e-400), else '': the words of train's --lr and sweep's --grid lr=, which name the value as typed."""
    try:
        zero = float(text) == 0
    except ValueError:
        return ""
    return ", which float64 reads as 0 (its smallest is 5e-324)" if zero and re.search(
        r"[^\D0]", re.split(r"[eE]", text)[0]) else ""


def fraction(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        value = -1.0
    if not 0.0 <= value < 1.0:
        raise argparse.ArgumentTypeError(f"expected a fraction in [0, 1), e.g. 0.2; got {text!r}")
    return value


# -- output paths -------------------------------------------------------------------------------
STDOUT = ("-", "/dev/stdout")


def other_kind(target: Path, kind: str, shown: str) -> None:
    """Refuse to replace a read-only file or an existing file that holds another kind of data than
    `kind` ("model", "csv", "onnx"), or to write under a name whose ending says another format:
    a typo in --out (train's --out data.csv, export's model.csv) replaced the user's data. By
    content, as the API's saves check it (saving.files.replaceable)."""
    from ..saving.files import replaceable
    try:
        replaceable(target, kind, shown)
    except PermissionError as exc:
        raise ValidationError(f"{shown}: {exc.strerror}") from None


def output_path(path: str, inputs: dict[str, str], option: str = "--out", stdout_ok: bool = False,
                kind: str | None = None) -> Path | None:
    """Where to write `path` (None: standard output), checked before any work: never one of the
    command's `inputs` (same file after links), never a folder, FIFO or device, never an existing
    file of another `kind` than the one written (see `other_kind`); a symbolic link is written
    through (its target is replaced atomically)."""
    if stdout_ok and path in STDOUT:
        return None
    from ..data.csvfile import short
    shown = short(str(path), 200)
    if not str(path):             # Path('') is '.', the folder
        raise ValidationError(f"{option} is empty; give a file name")
    from ..nn.filenames import folder_end
    folder = folder_end(str(path))       # Path drops it: 'm.npz/' and 'm.npz/.' wrote m.npz
    if folder:
        raise ValidationError(f"{option} {shown} ends in {folder[0]!r}, a folder's name; {folder[1]}")
    given = Path(os.path.expanduser(path))
    from ..saving.modelkind import dangling, looped
    if given.is_symlink() and looped(given):       # realpath stops inside the loop: found only after the work
        raise ValidationError(f"cannot write {option} {shown}{dangling(given)}: no file ends them to write; give "
                              "another file name")
    target = Path(os.path.realpath(given))
    for what, name in inputs.items():
        if name is None or name in STDOUT:
            continue
        src = Path(os.path.realpath(os.path.expanduser(name)))
        if src == target or (src.exists() and target.exists() and os.path.samefile(src, target)):
            raise ValidationError(f"{option} {shown} is the {what} this command reads: it would be overwritten. "
                                  "Choose another output file")
    if target.exists():
        mode = target.stat().st_mode
        if stat.S_ISDIR(mode):
            raise ValidationError(f"{option} {shown} is a folder; give a file name")
        if not stat.S_ISREG(mode):
            hint = " (use - for standard output)" if stdout_ok else ""
            raise ValidationError(f"{option} {shown} is not a regular file (a pipe, device or socket); chainrule "
                                  f"writes a file and renames it into place{hint}")
    if kind is not None:                 # a new file too: its name may say another format
        other_kind(target, kind, f"{option} {shown}")
    if not target.parent.is_dir():
        raise ValidationError(f"cannot write {shown}: the folder {short(str(target.parent), 200)} does not exist")
    if not os.access(target.parent, os.W_OK):
        raise ValidationError(f"cannot write {shown}: the folder {short(str(target.parent), 200)} is not writable")
    takes_files(target.parent, shown)
    return target


def takes_files(folder: Path, shown: str) -> None:
    """Refuse a folder that is there and writable by its permissions but cannot hold a new file (/proc, /sys, a
    read-only mount): found by making one and removing it, said with the system's reason, before any work (the
    write at the end said 'no such file or directory' of a folder that exists)."""
    import errno
    import tempfile

    from ..data.csvfile import short
    try:
        handle, probe = tempfile.mkstemp(dir=folder, prefix=".chainrule-", suffix=".tmp")
    except OSError as exc:
        why = (exc.strerror or str(exc)).lower()
        system = (": a folder of the system's own files (such as /proc or /sys) takes no others"
                  if exc.errno == errno.ENOENT else "")
        raise ValidationError(f"cannot write {shown}: the folder {short(str(folder), 200)} exists, but no file can "
                              f"be created in it ({why}){system}; give a path in another folder") from None
    try:                                   # removed whatever comes between (Ctrl-C): nothing left behind
        os.close(handle)
    finally:
        os.unlink(probe)


# -- model files ----------------------------------------------------------------------------------
def load_model(path, need_preprocessing: bool = True):
    """(network, preprocessing or None, extra) of a model file; a refusal names it quoted, as the command's
    other messages name a file ('my model.npz' is one name)."""
    try:
        return _load_model(path, need_preprocessing)
    except (ModelFileError, ValidationError) as exc:
        raise quoted(exc, path) from None


def quoted(exc: ChainruleError, path) -> ChainruleError:
    """`exc` with the `path` it starts with quoted ('m.csv' is not a chainrule model file: ...), as the library's
    words (chainrule.load's) name it bare; another refusal unchanged."""
    from ..data.csvfile import short
    text, name = str(exc), str(path)
    if type(exc) not in (ModelFileError, ValidationError) or not text.startswith(name) \
            or text[len(name):len(name) + 1] not in (" ", ":"):
        return exc
    return type(exc)(short(name, 200) + text[len(name):])


def _load_model(path, need_preprocessing: bool = True):
    import chainrule as cr

    from ..data.tabular import Preprocessing
    from .reading import refuse_special
    refuse_special(path, "model file", "a file: give the path of the chainrule model file (.npz)")
    if exported_graph(path) is not None:
        raise ValidationError(f"{path} is an ONNX graph written by `chainrule export` with its CSV preprocessing; "
                              "chainrule's commands read the .npz model it was exported from (`chainrule info` "
                              "describes this graph; onnxruntime runs it)")
    if str(path).lower().endswith((".onnx", ".keras")):       # another library's model: no preprocessing
        if need_preprocessing:
            from ..saving.onnx_target import estimator_file
            export = estimator_file(path)
            if export:
                raise ValidationError(f"{path} is {export}; `predict` and `evaluate` need a model trained by "
                                      "`chainrule train`, which names the columns it reads: run this graph with "
                                      "onnxruntime on the estimator's rows, or train on the CSV file")
            try:
                cr.load_foreign(path)
                readable = " (explain and info read this one)"
            except (ChainruleError, ImportError):      # not a network chainrule reads: nothing to promise
                readable = ""
            raise ValidationError(f"{path} is a model of another library; `predict` and `evaluate` need a model "
                                  f"trained by `chainrule train`{readable}")
        return cr.load_foreign(path), None, {}
    net, extra = cr.load(path, with_extra=True)
    extra = extra or {}
    if "tabular" not in extra:
        if need_preprocessing:
            raise ValidationError(f"{path} is a chainrule model without CSV preprocessing (saved by Network.save); "
                                  "`predict` and `evaluate` need a model trained by `chainrule train`. This one reads "
                                  f"{counted(net.n_inputs, 'raw feature')}: from Python, "
                                  "chainrule.load(path).predict(X) and .evaluate(X, y)" + _explain_way(net, path))
        return net, None, extra
    try:
        pre = Preprocessing.from_json(extra["tabular"])
    except ModelFileError as exc:                   # which model file: predict reads two files
        raise ModelFileError(f"{path}: {exc}") from None
    outputs = len(pre.classes) if pre.task == "classification" else 1
    if (pre.n_features, outputs) != (net.n_inputs, net.n_outputs):       # each part checked alone when read
        raise ModelFileError(f"{path}: the CSV preprocessing does not fit the network: it encodes {pre.n_features} "
                             f"inputs and {outputs} output{'s' * (outputs != 1)} ({pre.task}), the network has "
                             f"{net.n_inputs} and {net.n_outputs}; the file is damaged or put together from two models")
    return net, pre, extra


def _explain_way(net, path) -> str:
    """The `chainrule explain` call that reads a model without CSV preprocessing, as it runs when pasted: one
    sample's --inputs and --targets, and a slice that explain writes out when the whole network is too large."""
    from ..teach.notation import MAX_PARAMETERS, neuron_fits
    from .explain_sample import _example
    targets = "0" if net.task == "multiclass" else _example(net.n_outputs)
    call = f"chainrule explain --model {shlex.quote(str(path))} --inputs {_example(net.n_inputs)} --targets {targets}"
    if net.n_params > MAX_PARAMETERS:
        fits = [k for k, lay in enumerate(net.dense_layers) if neuron_fits(lay.n_in)]
        if not fits:            # no neuron small enough to write out: explain has nothing to show
            return ""
        call += f" --layer {fits[-1]} --neuron 0"
    return f"; here, with your values in place of these, `{call}`"


def exported_graph(path):
    """The ONNX model in `path` if `chainrule export` wrote it with a CSV preprocessing (one input per
    column, outputs 'prediction' and 'probabilities': not a network `from_onnx` reads); else None. Told by
    its content as the error of any other command tells it (`filecontent.kind_of`), whatever its name."""
    from ..data.filecontent import kind_of
    try:
        if not Path(path).is_file() or kind_of(Path(path))[0] != "exported":
            return None
        import onnx
        return onnx.load(str(path))
    except Exception:  # noqa: BLE001  (unreadable, or its external data missing: load_foreign says which)
        return None


def describe_export(path, model) -> None:
    """What `chainrule info` says of a graph from `chainrule export` with its CSV preprocessing."""
    from onnx import TensorProto

    from ..data.csvfile import names, short
    kinds = {TensorProto.DOUBLE: "number", TensorProto.STRING: "text"}
    graph = model.graph
    say(f"{short(str(path), 200)}: an ONNX graph written by `chainrule export` (chainrule "
        f"{model.producer_version or 'of unknown version'}) with its CSV preprocessing built in")
    if model.doc_string:
        say(model.doc_string)
    inputs = [f"{short(v.name)} ({kinds.get(v.type.tensor_type.elem_type, 'other')})" for v in graph.input]
    more = f", and {len(inputs) - 20} more" if len(inputs) > 20 else ""
    say(f"inputs, one per CSV column: {', '.join(inputs[:20])}{more}")
    say(f"outputs: {names([v.name for v in graph.output], 20)}")
    opsets = ", ".join(f"{o.domain or 'ai.onnx'} {o.version}" for o in model.opset_import)
    say(f"opsets: {opsets}")
    say("chainrule info, predict, evaluate and explain read the .npz model it was exported from; "
        "onnxruntime runs this graph")


#: how many classes a line lists; past it, the line says how many more and how to list them all
SHOWN_CLASSES = 20


def more_classes(k: int, model: Any) -> str:
    """', ... (N more: `chainrule info MODEL --classes` lists them all)' after the first SHOWN_CLASSES of `k`
    classes, '' where all are shown: train's and info's lines of classes (a model's, an exported graph's) cut alike."""
    if k <= SHOWN_CLASSES:
        return ""
    import shlex
    return f", ... ({k - SHOWN_CLASSES} more: `chainrule info {shlex.quote(str(model))} --classes` lists them all)"
