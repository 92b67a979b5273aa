"""What a file given as a chainrule model holds when it is none: told by its first bytes (never by
unpickling or importing anything: loading never executes code), with what to do instead.

`load` (and `chainrule export`, `info`, `predict`, which read models through it) says "an ONNX model:
read it with chainrule.from_onnx", "a PyTorch file: torch.load it yourself, then from_torch", rather
than only "not an .npz archive".
"""
from __future__ import annotations

import os
from pathlib import Path

from .files import _is_onnx, file_kind

NOT_NPZ = "is not a chainrule model file (not an .npz archive)"
WRITTEN = "a model file is the .npz that net.save or `chainrule train --out` writes"
#: the first bytes of compressed streams (joblib.dump(..., compress=...) writes each)
COMPRESSED = {b"\x1f\x8b": "gzip", b"BZh": "bz2", b"\xfd7zXZ": "xz", b"\x04\x22\x4d\x18": "lz4"}
#: the number torch.save's older (pickle) format writes first
TORCH_MAGIC = b"\x8a\nl\xfc\x9cF\xf9 j\xa8P\x19"
TORCH_SUFFIXES = (".pt", ".pth", ".bin", ".ckpt")
UNPICKLE = "chainrule never unpickles (that runs code)"


def not_a_file(path: Path) -> str:
    """Why `path` cannot be loaded: it is missing, or a folder (named as such, with its model files)."""
    if not path.is_dir():
        return f"model file {str(path)!r} does not exist or is not a file"
    found = sorted(p.name for p in path.glob("*.npz"))
    inside = f" (it holds {', '.join(found[:3])}{' ...' if len(found) > 3 else ''})" if found else ""
    if (path / "saved_model.pb").is_file():
        inside = (" (a TensorFlow SavedModel: chainrule reads Keras' .keras files, keras.saving.load_model then "
                  "chainrule.from_keras)")
    return f"{path} is a folder, not a file: give the path of the chainrule model file (.npz){inside}"


def not_a_zip(path: Path) -> str:
    """The refusal of a file that is no zip archive, naming what it holds and what to read it with."""
    with open(path, "rb") as f:
        head = f.read(64)
        size = os.fstat(f.fileno()).st_size
        onnx = bool(head) and _is_onnx(f, size)
    suffix = path.suffix.lower()
    said = f"{path} {NOT_NPZ}: it is"
    if not head:
        return f"{said} empty (0 bytes; a copy or download cut short?); {WRITTEN}"
    if onnx:
        return (f"{said} an ONNX model: read it with chainrule.from_onnx(path), then net.save('model.npz') for a "
                "model file; `chainrule info` and `explain` read it as it is, and it is ONNX already (no export)")
    if head.startswith(b"\x93NUMPY"):
        return f"{said} one NumPy array (np.save); {WRITTEN}"
    if head.startswith(b"\x89HDF\r\n\x1a\n"):
        return (f"{said} an HDF5 file (a Keras .h5 model?): load it with keras.models.load_model, then "
                "chainrule.from_keras(model)")
    torch = head[2:].startswith(TORCH_MAGIC) or suffix in TORCH_SUFFIXES
    if head[:1] == b"\x80" and 2 <= head[1] <= 5:
        what = "a PyTorch file (torch.save's older format)" if torch else "a pickle (joblib.dump or pickle.dump)"
        return f"{said} {what}; {UNPICKLE}: {_unpickle_yourself(torch)}"
    packed = next((name for magic, name in COMPRESSED.items() if head.startswith(magic)), None)
    if packed is None and head[0] == 0x78 and (head[0] * 256 + head[1]) % 31 == 0:
        packed = "zlib"
    if packed is not None:
        if suffix in (".joblib", ".pkl", ".pickle") or torch:
            return f"{said} a {packed}-compressed pickle (joblib); {UNPICKLE}: {_unpickle_yourself(torch)}"
        return f"{said} {packed}-compressed data: decompress it first"
    if file_kind(path) in ("text", "csv"):
        return f"{said} text (a CSV file of data?); {WRITTEN}, given first (chainrule predict MODEL DATA)"
    return f"{path} is not a chainrule model file: it is not an .npz (zip) archive"


def foreign_zip(path: Path, names: list[str]) -> str | None:
    """The refusal of a zip archive of another framework (a PyTorch or Keras file), else None."""
    said = f"{path} is not a chainrule model file: it is"
    if any(n == "data.pkl" or n.endswith("/data.pkl") for n in names):
        return f"{said} a PyTorch file (torch.save's zip of pickles); {UNPICKLE}: {_unpickle_yourself(True)}"
    if "config.json" in names and ("metadata.json" in names or "model.weights.h5" in names):
        return (f"{said} a Keras model: read it with chainrule.load_foreign(path) (a name ending in .keras) or "
                "chainrule.from_keras(keras.saving.load_model(path))")
    return None


def _unpickle_yourself(torch: bool) -> str:
    if torch:
        return "torch.load it yourself (from a source you trust), then chainrule.from_torch(model)"
    return "joblib.load it yourself (from a source you trust), then chainrule.from_sklearn(model)"
