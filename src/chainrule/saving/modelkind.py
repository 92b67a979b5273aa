"""What a file given as a model holds when it is not the kind its reader takes: told by its content
(never by unpickling or importing anything: reading never executes code), with what to do instead.

One classifier, `kind_of`, for `load` (and `chainrule export`, `info`, `predict`, which read models
through it) and `from_onnx`: `load` says "an ONNX model: read it with chainrule.from_onnx", "a
PyTorch file: torch.load it yourself, then from_torch", `from_onnx` "a chainrule model file: read
it with chainrule.load", rather than only "not an .npz archive" or protobuf's parse error.
"""
from __future__ import annotations

import bz2
import lzma
import os
import pickletools
import struct
import zipfile
import zlib
from io import BytesIO
from pathlib import Path

from ..errors import ModelFileError
from .files import _is_onnx, file_kind

NOT_NPZ = "is not a chainrule model file (not an .npz archive)"
WRITTEN = "a model file is the .npz that net.save or `chainrule train --out` writes"
#: the first bytes of compressed streams (joblib.dump(..., compress=...) writes each)
COMPRESSED = {b"\x1f\x8b": "gzip", b"BZh": "bz2", b"\xfd7zXZ": "xz", b"\x04\x22\x4d\x18": "lz4"}
#: the number torch.save's older (pickle) format writes first
TORCH_MAGIC = b"\x8a\nl\xfc\x9cF\xf9 j\xa8P\x19"
#: names torch's files often have; they only add torch.load to the readers of a pickle (its content decides)
TORCH_SUFFIXES = (".pt", ".pth", ".bin", ".ckpt")
UNPICKLE = "chainrule never unpickles (that runs code)"
EXPORTED = ("an ONNX graph already exported by `chainrule export` (with its CSV preprocessing), not a network: use "
            "the .npz model it came from; `chainrule info` describes this graph, onnxruntime runs it")
#: each reader's file and the pattern of its files in a folder
READERS = {"model": ("model file", "the chainrule model file (.npz)", "*.npz"),
           "onnx": ("ONNX file", "the ONNX file (.onnx)", "*.onnx")}


def not_a_file(path: Path, reader: str = "model") -> str:
    """Why `path` cannot be read: it is missing, or a folder (named as such, with its files of `reader`'s kind)."""
    file, wanted, pattern = READERS[reader]
    if not path.is_dir():
        return f"{file} {str(path)!r} does not exist or is not a file"
    found = sorted(p.name for p in path.glob(pattern))
    inside = f" (it holds {', '.join(found[:3])}{' ...' if len(found) > 3 else ''})" if found else ""
    if (path / "saved_model.pb").is_file():
        inside = (" (a TensorFlow SavedModel: chainrule reads Keras' .keras files, keras.saving.load_model then "
                  "chainrule.from_keras)")
    return f"{path} is a folder, not a file: give the path of {wanted}{inside}"


def not_a_zip(path: Path) -> str:
    """`load`'s refusal of a file that is no zip archive, naming what it holds and what to read it with."""
    kind, said = kind_of(path)
    if kind == "onnx":
        said = ("an ONNX model: read it with chainrule.from_onnx(path), then net.save('model.npz') for a model file; "
                "`chainrule info` and `explain` read it as it is, and it is ONNX already (no export)")
    elif kind in ("empty", "npy", "text"):
        said += f"; {WRITTEN}" + (", given first (chainrule predict MODEL DATA)" if kind == "text" else "")
    elif kind == "csv":
        said += f"; {WRITTEN}, given first (chainrule predict MODEL DATA)"
    elif kind == "model":
        return (f"{path} is a chainrule model file cut short (copy or download incomplete?): its end, the member "
                "list, is missing; copy or save it again")
    elif kind == "binary":
        return f"{path} is not a chainrule model file: it is not an .npz (zip) archive"
    return f"{path} {NOT_NPZ}: it is {said}"


def not_onnx(path: Path, error: str) -> str:
    """`from_onnx`'s refusal of a file onnx could not read: what it holds, or `error` (onnx's own words) where
    it looks like an ONNX model or like nothing known."""
    try:
        kind, said = kind_of(path)
    except OSError:
        return f"{path} is not a valid ONNX model: {error}"
    if kind == "model":
        said = ("a chainrule model file (.npz): read it with chainrule.load(path); cr.to_onnx or `chainrule export` "
                "writes its ONNX")
        if not zipfile.is_zipfile(path):
            said = "a chainrule model file (.npz) cut short (copy or download incomplete?)"
    elif kind in ("onnx", "binary"):
        return f"{path} is not a valid ONNX model: {error}"
    return f"{path} is not a valid ONNX model: it is {said}"


def foreign_zip(path: Path, names: list[str]) -> str | None:
    """`load`'s refusal of a zip archive of another framework (a PyTorch or Keras file), else None. `names`: its
    members, or its first member alone (an archive of too many members to list)."""
    said = _foreign(names)
    return None if said is None else f"{path} is not a chainrule model file: it is {said}"


def first_member(path: Path) -> str:
    """The name of a zip archive's first member, from its first local header ('' if there is none)."""
    with open(path, "rb") as f:
        head = f.read(30 + 1024)
    if len(head) < 30 or head[:4] != b"PK\x03\x04":
        return ""
    size = struct.unpack("<H", head[26:28])[0]
    return head[30:30 + size].decode("utf-8", errors="replace")


def kind_of(path: Path) -> tuple[str, str]:
    """(kind, what the file is with what reads it), told by its content. The kinds: "empty", "onnx", "exported"
    (a graph of `chainrule export`), "npy", "hdf5", "pickle", "compressed" (a pickle or other data), "model" (a
    chainrule model file, perhaps cut short), "torch" and "keras" (their zip archives), "npz" (np.savez's
    arrays), "zip", "csv" (chainrule's predictions), "text" and "binary" (none of those)."""
    with open(path, "rb") as f:
        head = f.read(4096)
        size = os.fstat(f.fileno()).st_size
        onnx = bool(head) and _is_onnx(f, size)
        f.seek(max(0, size - 64))
        tail = f.read()
    if not head:
        return "empty", "empty (0 bytes; a copy or download cut short?)"
    if onnx:
        return ("exported", EXPORTED) if _exported(path) else ("onnx", "an ONNX model")
    if head.startswith(b"\x93NUMPY"):
        return "npy", "one NumPy array (np.save)"
    if head.startswith(b"\x89HDF\r\n\x1a\n"):
        if path.name.lower().endswith(".weights.h5") and b"model_config" not in head:   # Keras' save_weights names
            return "hdf5", ("an HDF5 file of Keras weights (model.save_weights; no model in it, "
                            "keras.models.load_model refuses it): build the model in Keras, "
                            "model.load_weights(path), then chainrule.from_keras(model)")
        return "hdf5", ("an HDF5 file (a Keras .h5 model or .weights.h5 weights?): load the model with "
                        "keras.models.load_model, then chainrule.from_keras(model)")
    if head[:1] == b"\x80" and 2 <= head[1] <= 5 or _text_pickle(head, tail):
        if head[2:].startswith(TORCH_MAGIC):
            return "pickle", f"a PyTorch file (torch.save's older format); {UNPICKLE}: {_yourself('torch')}"
        torch = path.suffix.lower() in TORCH_SUFFIXES       # a name alone: both readers
        return "pickle", (f"a pickle (joblib.dump or pickle.dump); {UNPICKLE}: "
                          f"{_yourself('either' if torch else 'joblib')}")
    packed = next((name for magic, name in COMPRESSED.items() if head.startswith(magic)), None)
    if packed is None and _zlib(head):
        packed = "zlib"
    if packed is None and head[:1] == b"]" and _unpacks_to_pickle("lzma", head):    # joblib's 'lzma': no magic
        packed = "lzma"
    if packed is not None:
        if _unpacks_to_pickle(packed, head):        # torch.save never compresses: joblib's
            article = "an" if packed in ("xz", "lz4") else "a"
            return "compressed", f"{article} {packed}-compressed pickle (joblib); {UNPICKLE}: {_yourself('joblib')}"
        return "compressed", f"{packed}-compressed data: decompress it first"
    found = file_kind(path)
    if found == "model":
        return "model", "a chainrule model file (.npz)"
    if found == "zip":
        if not zipfile.is_zipfile(path):         # no member list at its end: cut short before it
            if first_member(path) == "params.npy":               # a model file's first member, as save writes it
                return "model", "a chainrule model file (.npz) cut short (copy or download incomplete?)"
            return "zip", ("a zip archive cut short (copy or download incomplete?): its end, the member list, is "
                           "missing")
        names = _names(path)
        foreign = _foreign(names)
        if foreign is not None:
            return ("torch" if "PyTorch" in foreign else "keras"), foreign
        if names and all(n.endswith(".npy") for n in names):
            return "npz", (f"a NumPy archive of arrays ({', '.join(n[:-4] for n in names[:3])}"
                           f"{' ...' if len(names) > 3 else ''}; np.savez), with no model in it")
        return "zip", "a zip archive of another kind"
    if found == "csv":
        return "csv", "chainrule's predictions (CSV)"
    if found == "text":
        return "text", "text (a CSV file of data?)"
    return "binary", "binary data of another kind"


def _foreign(names: list[str]) -> str | None:
    """What a zip archive of these members is, if a PyTorch or Keras file, with what reads it; else None."""
    if any(n == "data.pkl" or n.endswith("/data.pkl") or "/data/" in n for n in names):
        return f"a PyTorch file (torch.save's zip of pickles); {UNPICKLE}: {_yourself('torch')}"
    keras = {"config.json", "metadata.json", "model.weights.h5"}
    if (len(names) == 1 and names[0] in keras) or ("config.json" in names and keras & set(names) - {"config.json"}):
        return ("a Keras model: read it with chainrule.load_foreign(path) (a name ending in .keras) or "
                "chainrule.from_keras(keras.saving.load_model(path))")
    return None


def _names(path: Path) -> list[str]:
    """A zip archive's member names, or its first alone where it lists more than a model has."""
    from .npzcheck import check_member_list
    try:
        check_member_list(path, path.stat().st_size)
        with zipfile.ZipFile(path) as zf:
            return zf.namelist()
    except (ModelFileError, zipfile.BadZipFile, OSError):
        return [first_member(path)]


def _exported(path: Path) -> bool:
    """Whether the ONNX file is a graph of `chainrule export` with its CSV preprocessing (as `chainrule predict`
    tells it: producer chainrule, an output 'prediction')."""
    try:
        import onnx
        model = onnx.load(str(path), load_external_data=False)
    except Exception:  # noqa: BLE001  (onnx missing or the file unreadable: an ONNX model, said as such)
        return False
    return exported(model)


def exported(model) -> bool:
    """Whether an onnx.ModelProto is a graph of `chainrule export` with its CSV preprocessing."""
    return model.producer_name == "chainrule" and "prediction" in [v.name for v in model.graph.output]


def _zlib(head: bytes) -> bool:
    """A zlib stream: its header's check bits, no preset dictionary, and its first bytes inflate."""
    if len(head) < 2 or head[0] & 0x0F != 8 or (head[0] * 256 + head[1]) % 31 or head[1] & 0x20:
        return False
    try:
        zlib.decompressobj().decompress(head)
    except zlib.error:
        return False
    return True


def _unpacks_to_pickle(packed: str, head: bytes) -> bool:
    """Whether the compressed stream's first bytes inflate to a pickle's (protocol 2 to 5)."""
    try:
        if packed == "gzip":
            start = zlib.decompressobj(wbits=31).decompress(head, 2)
        elif packed == "zlib":
            start = zlib.decompressobj().decompress(head, 2)
        elif packed == "bz2":
            start = bz2.BZ2Decompressor().decompress(head, 2)
        elif packed in ("xz", "lzma"):
            start = lzma.LZMADecompressor(lzma.FORMAT_XZ if packed == "xz" else lzma.FORMAT_ALONE).decompress(head, 2)
        else:
            return True                 # lz4: no reader in Python's library; joblib's own compression
    except (zlib.error, OSError, EOFError, lzma.LZMAError):
        return False
    return len(start) == 2 and start[0] == 0x80 and 2 <= start[1] <= 5


def _text_pickle(head: bytes, tail: bytes) -> bool:
    """A pickle of protocol 0 or 1 (pickle.dump(obj, f, protocol=0)): its first bytes read as pickle's
    instructions (disassembled, not run) from a mark, global or empty container, and it ends with STOP."""
    if not tail.endswith(b".") or head[:1] not in (b"(", b"c", b"}", b"]", b")"):
        return False
    count = 0
    try:
        for _ in pickletools.genops(BytesIO(head)):
            count += 1
            if count >= 3:
                break
    except (ValueError, EOFError, UnicodeDecodeError):
        pass
    return count >= 3


def _yourself(reader: str) -> str:
    torch = "torch.load it yourself (from a source you trust), then chainrule.from_torch(model)"
    joblib = "joblib.load it yourself (from a source you trust), then chainrule.from_sklearn(model)"
    return {"torch": torch, "joblib": joblib, "either": f"{torch}; or, a scikit-learn model, {joblib}"}[reader]

