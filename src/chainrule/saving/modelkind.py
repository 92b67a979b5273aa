"""What a file given as a model holds when it is not the kind its reader takes: told by its content
(never by unpickling or importing anything: reading never executes code), with what to do instead.

One classifier, `data.filecontent.kind_of` (below data's CSV readers, which refuse a model given as data),
for `load` (and `chainrule export`, `info`, `predict`, which read models
through it) and `from_onnx`: `load` says "an ONNX model: read it with chainrule.from_onnx", "a
PyTorch file: torch.load it yourself, then from_torch", `from_onnx` "a chainrule model file: read
it with chainrule.load", rather than only "not an .npz archive" or protobuf's parse error.
"""
from __future__ import annotations

import errno
import os
import zipfile
from pathlib import Path

from ..data.filecontent import CUT_SHORT, framework_archive, kind_of

NOT_NPZ = "is not a chainrule model file (not an .npz archive)"
WRITTEN = "a model file is the .npz that net.save or `chainrule train --out` writes"
class Said(str):
    """Words that name the file already ("cannot save 'm.npz'"), given where a check takes a path: kept as they are."""


def named(path) -> str:
    """A file as every saving and loading message names it: quoted as repr quotes it, so that 'my model.npz' reads
    as one name and a name ending in ':' or a space is seen whole."""
    return path if isinstance(path, Said) else repr(os.fspath(path))


def about(message: str, path) -> str:
    """`message` (a refusal that begins with `named(path)`) with that name left out, for a message that names the
    file already: "'m.npz' has format version 9" as "it has format version 9", "'m.npz': ..." as "...";
    another message as it is."""
    name = named(path)
    if message.startswith(name + ": "):
        return message[len(name) + 2:]
    return "it" + message[len(name):] if message.startswith(name + " ") else message


#: each reader's file and the pattern of its files in a folder


READERS = {"model": ("model file", "the chainrule model file (.npz)", "*.npz"),
           "onnx": ("ONNX file", "the ONNX file (.onnx)", "*.onnx"),
           "weights": ("weights file", "the weights file (.npz) that save_weights writes", "*.npz")}


def not_a_file(path: Path, reader: str = "model") -> str:
    """Why `path` cannot be read: it is missing, or a folder (named as such, with its files of `reader`'s kind)."""
    file, wanted, pattern = READERS[reader]
    if not path.is_dir():
        return f"{file} {named(path)} does not exist or is not a file{not_expanded(path)}{dangling(path)}"
    found = sorted(p.name for p in path.glob(pattern))
    inside = f" (it holds {', '.join(found[:3])}{' ...' if len(found) > 3 else ''})" if found else ""
    if (path / "saved_model.pb").is_file():
        inside = (" (a TensorFlow SavedModel: chainrule reads Keras' .keras files, keras.saving.load_model then "
                  "chainrule.from_keras)")
    return f"{named(path)} is a folder, not a file: give the path of {wanted}{inside}"


def not_expanded(path: Path) -> str:
    """Where a missing path starts with '~': Python, unlike the shell, does not read it as the home folder."""
    return " ('~' is not expanded: os.path.expanduser(path) gives your home's)" if str(path).startswith("~") else ""


def dangling(path: Path) -> str:
    """Where a missing path is a symbolic link: what it points to, which is missing (`ls` shows the link, so
    "does not exist" alone reads as wrong)."""
    if not path.is_symlink():
        return ""
    if looped(path):
        return f" (it is a link to {named(os.readlink(path))}, and the links lead back to themselves: a loop)"
    return f" (it is a link to {named(os.readlink(path))}, which does not exist)"


def looped(path: Path) -> bool:
    """Whether the symbolic link `path` is one of a loop of links (a -> b -> a), which no file ends."""
    try:
        os.path.realpath(path, strict=True)
    except OSError as exc:
        return exc.errno == errno.ELOOP
    return False


AGAIN = "; copy or save it again"     # not_a_zip's advice for a model cut short (a checkpoint's own says otherwise)


def not_a_zip(path: Path) -> str:
    """`load`'s refusal of a file that is no zip archive, naming what it holds and what to read it with."""
    kind, said = kind_of(path)
    if kind == "onnx":
        said = ("an ONNX model: read it with chainrule.from_onnx(path), then net.save('model.npz') for a model file; "
                "`chainrule info` and `explain` read it as it is, and it is ONNX already (no export)")
    elif kind in ("empty", "npy", "text", "csv"):     # the order of predict's files is predict's to say
        said += f"; {WRITTEN}"
    elif kind == "model":
        return (f"{named(path)} is a chainrule model file cut short ({CUT_SHORT}): its end, the member "
                f"list, is missing{AGAIN}")
    elif kind == "binary":
        return f"{named(path)} is not a chainrule model file: it is not an .npz (zip) archive"
    return f"{named(path)} {NOT_NPZ}: it is {said}"


def not_onnx(path: Path, error: str) -> str:
    """`from_onnx`'s refusal of a file onnx could not read: what it holds, or `error` (onnx's own words) where
    it looks like an ONNX model or like nothing known."""
    try:
        kind, said = kind_of(path)
    except OSError:
        return f"{named(path)} is not a valid ONNX model: {error}"
    if kind == "model":
        said = ("a chainrule model file (.npz): read it with chainrule.load(path); cr.to_onnx or `chainrule export` "
                "writes its ONNX")
        if not zipfile.is_zipfile(path):
            said = f"a chainrule model file (.npz) cut short ({CUT_SHORT})"
    elif kind in ("onnx", "binary"):
        return f"{named(path)} is not a valid ONNX model: {error}"
    return f"{named(path)} is not a valid ONNX model: it is {said}"


def foreign_zip(path: Path, names: list[str]) -> str | None:
    """`load`'s refusal of a zip archive of another framework (a PyTorch or Keras file), else None. `names`: its
    members, or its first member alone (an archive of too many members to list)."""
    said = framework_archive(names)
    return None if said is None else f"{named(path)} is not a chainrule model file: it is {said}"
