"""Names a writer refuses before writing: an empty one, a folder's (by how it ends, or one that is there),
another format's ending.

Below the fit loop (nn), so that every writer reads one rule: save, to_onnx, ModelCheckpoint, CSVLogger, the
plots and the command line's --out.
"""
from __future__ import annotations

import errno
import os
import stat
from typing import Any

from ..errors import ValidationError

#: KINDS: what each writer writes (in messages) and its name ending; ENDINGS: name -> (kind or None, what, how)
KINDS = {"model": ("a chainrule model (.npz)", ".npz"), "onnx": ("an ONNX model", ".onnx"),
         "csv": ("a CSV file of predictions", ".csv (or .tsv for tab-separated)")}
ENDINGS = {".npz": ("model", "a chainrule model's", "cr.save(net, path) writes one"),
           ".onnx": ("onnx", "an ONNX model's", "cr.to_onnx(net, path) or `chainrule export` writes one"),
           ".keras": (None, "a Keras model's", "chainrule writes no Keras files; cr.to_onnx writes ONNX"),
           ".h5": (None, "a Keras or HDF5 file's", "chainrule writes no HDF5 files; cr.to_onnx writes ONNX"),
           ".pt": (None, "a PyTorch file's", "torch.save(cr.to_torch(net), path) writes one"),
           ".pth": (None, "a PyTorch file's", "torch.save(cr.to_torch(net), path) writes one"),
           ".csv": ("csv", "a CSV file's", "`chainrule predict --out` writes predictions"),
           ".json": (None, "a JSON file's", "chainrule's models are .npz files"),
           ".pkl": (None, "a pickle's", "chainrule's models are .npz files, never pickles: cr.load reads them"),
           ".pickle": (None, "a pickle's", "chainrule's models are .npz files, never pickles: cr.load reads them"),
           ".joblib": (None, "a joblib file's", "joblib.dump(estimator, path) writes one of a chainrule.sklearn "
                       "estimator"),
           ".safetensors": (None, "a safetensors file's", "chainrule's models are .npz files"),
           ".hdf5": (None, "an HDF5 file's", "chainrule writes no HDF5 files; cr.to_onnx writes ONNX"),
           **{end: ("csv", "a text file's", "`chainrule predict --out` writes tab-separated predictions")
              for end in (".txt", ".tsv", ".tab")}}


#: endings under which plain CSV text does not read back: pandas.read_csv decompresses by name (compression='infer'),
#: a spreadsheet opens a workbook by it
NOT_PLAIN_CSV = (".gz", ".bz2", ".zip", ".xz", ".zst", ".tar", ".xlsx", ".xlsm", ".xlsb", ".xls", ".ods", ".parquet")


#: name endings whose files are read as tab-separated: .tsv and .tab by pandas' users and spreadsheets, .txt as
#: Excel's "Text (Tab delimited)" files; a comma there made one column of each line
TAB_ENDINGS = (".tsv", ".tab", ".txt")


def ending_separator(path: str | os.PathLike) -> str:
    """The field separator a writer of CSV text uses for `path` where none is given (predict's --out, CSVLogger's
    default): a tab under a tab-separated file's ending, else a comma. A separator given is used as given, as
    Keras' CSVLogger uses it (code written for Keras gives separator='\\t' for a file named .csv too)."""
    return "\t" if os.fsdecode(os.fspath(path)).lower().endswith(TAB_ENDINGS) else ","


def name_ending(path: Any, kind: str, shown: str, what: str | None = None) -> None:
    """Refuse `kind` (KINDS) under another format's name ending: save's rule (files.replaceable), ModelCheckpoint's,
    predict's --out, CSVLogger's (`what` it writes, where not KINDS'); CSV text also under a compressed file's or a
    workbook's (p.csv.gz)."""
    ending = next((e for e in NOT_PLAIN_CSV if os.fsdecode(os.fspath(path)).lower().endswith(e)), None)
    if kind == "csv" and ending:
        raise ValidationError(f"{shown} ends in {ending}, which pandas and spreadsheets read as another format "
                              "(compressed, a workbook, Parquet); this writes plain CSV text: give a name ending in "
                              ".csv, or compress the file after (gzip predictions.csv)")
    suffix = os.path.splitext(os.fsdecode(os.fspath(path)))[1].lower()
    if suffix in ENDINGS and ENDINGS[suffix][0] != kind:
        (_, named, how), (written, ending) = ENDINGS[suffix], KINDS[kind]
        what = what or written
        raise ValidationError(f"{shown}: {suffix} is {named} ending ({how}); this writes {what}, which would then "
                              f"be read as the wrong format. Give a name ending in {ending}")


def a_file_name(path: str | os.PathLike, who: str = "") -> None:
    """Refuse an empty name and a folder's name (one ending in a separator, or in '/.'), as open() refuses them,
    with our words (after `who`, 'ModelCheckpoint: '): Path reads '' as '.', the folder, and 'm.onnx/' and
    'm.onnx/.' as 'm.onnx', which a writer then wrote."""
    text = os.fsdecode(os.fspath(path))
    if not text:
        raise FileNotFoundError(errno.ENOENT, f"{who}Cannot write a file: the name is empty (give a file name)", text)
    folder = folder_end(text)
    if folder:
        raise IsADirectoryError(errno.EISDIR, f"{who}Cannot write a file there: the name ends in {folder[0]!r}, a "
                                f"folder's ({folder[1]})", text)


def not_a_folder(path: str | os.PathLike, who: str = "") -> None:
    """`a_file_name`, then a folder already there ('.', '..', 'd', 'd/..'): refused as open() refuses it (the
    same class and errno) and in save's words, by every writer (save, to_onnx, ModelCheckpoint, CSVLogger)."""
    a_file_name(path, who)
    text = os.fsdecode(os.fspath(path))
    if os.path.isdir(text):
        raise IsADirectoryError(errno.EISDIR, f"{who}Cannot write a file there: it is a folder (give a file name in "
                                "it)", text)


def folder_end(text: str) -> tuple[str, str] | None:
    """(the end, the advice) where `text` names a folder by how it ends: in a separator ('m.onnx/', 'm.onnx//') or
    in '.' after one ('m.onnx/.'), which Path drops (and a writer wrote m.onnx); None for a file's name. The
    advice: the name without that end, unless that is a folder too (or nothing)."""
    seps = tuple(sep for sep in (os.sep, os.altsep) if sep)
    bare = text
    while bare.endswith(seps) or bare.endswith(tuple(sep + "." for sep in seps)):
        bare = bare[:-1]
    if bare == text:
        return None
    if bare and not os.path.isdir(bare):
        return text[len(bare):], f"give the file name without it: {bare!r}"
    return text[len(bare):], "give a file name in the folder"


def open_pipe(path: str, who: str = "") -> int | None:
    """A named pipe (os.mkfifo) at `path` opened for writing without waiting (open() waits until some process reads
    it: a fit that logs to it would hang), its descriptor made blocking again; None where `path` is no pipe. One
    that no process reads now is refused, naming it, after `who` ('CSVLogger: ')."""
    try:
        if not stat.S_ISFIFO(os.stat(path).st_mode):
            return None
    except OSError:
        return None
    try:
        fd = os.open(path, os.O_WRONLY | os.O_NONBLOCK)
    except OSError as exc:
        if exc.errno != errno.ENXIO:
            raise
        raise OSError(errno.ENXIO, f"{who}Cannot write to it: it is a named pipe (FIFO) that no process reads, and "
                      "writing would wait for one (start its reader first, or give a regular file's name)",
                      path) from None
    os.set_blocking(fd, True)
    return fd


def regular_or_absent(path: str | os.PathLike, who: str = "") -> None:
    """A writer that replaces its file (save's rename) refuses one that is not a regular file (a named pipe, a
    device, a socket; `saving.files.writable_target`): refused before training, after `who`, in those words."""
    text = os.fsdecode(os.fspath(path))
    if os.path.exists(text) and not stat.S_ISREG(os.stat(text).st_mode):
        raise OSError(errno.EINVAL, f"{who}Cannot replace it: it is not a regular file (a FIFO, device or socket)",
                      text)
