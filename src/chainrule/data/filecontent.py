"""What a file holds, told by its content (never by unpickling or importing anything: reading never executes
code): `file_kind` (what saving replaces a file with only by data of its own kind, and what a CSV reader refuses
as a model) and `kind_of` (a model, its ONNX export, another framework's file, a pickle, arrays, with what reads
each). Below both of their readers: saving's refusals of a file given as a model (`saving.modelkind`) and data's
of a model given where a CSV file goes (`data.filekind`)."""
from __future__ import annotations

import bz2
import csv
import lzma
import os
import pickletools
import struct
import zipfile
import zlib
from io import BytesIO
from pathlib import Path
from typing import IO

#: the member that holds a chainrule model's description (npz.py): no other archive has it
MODEL_MEMBER = b"__format__.npy"
#: the member that holds a weights file's description (weights.py: save_weights)
WEIGHTS_MEMBER = b"__weights__.npy"
#: ModelProto's fields (onnx.proto): number -> wire type (0 varint, 2 bytes)
ONNX_FIELDS = {1: 0, 2: 2, 3: 2, 4: 2, 5: 0, 6: 2, 7: 2, 8: 2, 14: 2, 20: 2, 25: 2}
#: the first bytes of compressed streams (joblib.dump(..., compress=...) writes each)
COMPRESSED = {b"\x1f\x8b": "gzip", b"BZh": "bz2", b"\xfd7zXZ": "xz", b"\x04\x22\x4d\x18": "lz4"}
#: the number torch.save's older (pickle) format writes first
TORCH_MAGIC = b"\x8a\nl\xfc\x9cF\xf9 j\xa8P\x19"
#: names torch's files often have; they only add torch.load to the readers of a pickle (its content decides)
TORCH_SUFFIXES = (".pt", ".pth", ".bin", ".ckpt")
UNPICKLE = "chainrule never unpickles (that runs code)"
EXPORTED = ("an ONNX graph already exported by `chainrule export` (with its CSV preprocessing), not a network: use "
            "the .npz model it came from; `chainrule info` describes this graph, onnxruntime runs it")
#: what a file cut short most likely met, said wherever one is refused
CUT_SHORT = "a copy stopped early?"
#: a model file holds the description, the parameters and the optimizer's state arrays
MAX_MEMBERS = 64


def file_kind(path: str | os.PathLike) -> str:
    """What a file holds, by its content: "empty", "model" (an archive naming chainrule's description
    member, also when damaged: a model is replaced by a model), "weights" (save_weights'), "onnx" (a
    ModelProto's fields),
    "csv" (text whose first line names a 'prediction' column, as `chainrule predict` writes, comma- or
    tab-separated), or
    else "zip", "text" or "binary"."""
    with open(path, "rb") as f:
        head = f.read(65536)
        if not head:
            return "empty"
        size = os.fstat(f.fileno()).st_size
        f.seek(max(0, size - 65536))             # the zip's member list is at its end
        tail = f.read()
        if MODEL_MEMBER in head or MODEL_MEMBER in tail:
            return "model"
        if head.startswith(b"PK") and (WEIGHTS_MEMBER in head or WEIGHTS_MEMBER in tail):
            return "weights"
        if head.startswith(b"PK"):
            return "zip"
        if _is_onnx(f, size):
            return "onnx"
    from .filekind import binary_head
    if binary_head(head[:4096]):
        return "binary"
    first = head.decode("utf-8-sig", errors="replace").splitlines()[0] if head.strip() else ""
    fields = [*next(csv.reader([first]), []), *next(csv.reader([first], delimiter="\t"), [])]  # a .tsv's: tabs
    return "csv" if "prediction" in fields else "text"


def _is_onnx(f: IO[bytes], size: int) -> bool:
    """Whether the file's top-level protobuf fields are a ModelProto's, with its ir_version and graph
    (read field by field: a large model is not read whole)."""
    seen, at = set(), 0
    for _ in range(100_000):
        if at >= size:
            break
        f.seek(at)
        chunk = f.read(20)
        key, n = _varint(chunk, 0)
        value, n = _varint(chunk, n)
        if key is None or value is None or ONNX_FIELDS.get(key >> 3) != key & 7:
            return False
        at += n + (value if key & 7 == 2 else 0)
        seen.add(key >> 3)
    return at == size and {1, 7} <= seen


def _varint(data: bytes, at: int) -> tuple[int | None, int]:
    """A protobuf varint at `at`: (value, the position after it), or (None, at) if there is none."""
    value = 0
    for i in range(10):
        if at + i >= len(data):
            return None, at
        value |= (data[at + i] & 0x7F) << (7 * i)
        if data[at + i] < 0x80:
            return value, at + i + 1
    return None, at


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
        return "empty", f"empty (0 bytes; {CUT_SHORT})"
    if _model_start(path, head):
        return "model", f"a chainrule model file (.npz) cut short ({CUT_SHORT})"
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
            if first_member(path) == MODEL_FIRST.decode():        # a model file's first member, as save writes it
                return "model", f"a chainrule model file (.npz) cut short ({CUT_SHORT})"
            return "zip", (f"a zip archive cut short ({CUT_SHORT}): its end, the member list, is "
                           "missing")
        names = _names(path)
        foreign = framework_archive(names)
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


#: the first member of a model file, as save writes it
MODEL_FIRST = b"params.npy"


def _model_start(path: Path, head: bytes) -> bool:
    """Whether a file named as a model (.npz) is the start of one cut before its first member's name is whole
    (under 40 bytes: 'P' read as text, 'PK...' as a zip of no known kind): the words of a longer cut."""
    if path.suffix.lower() != ".npz" or len(head) >= 30 + len(MODEL_FIRST):
        return False
    if len(head) < 30:
        return b"PK\x03\x04".startswith(head[:4])
    size = struct.unpack("<H", head[26:28])[0]
    return head.startswith(b"PK\x03\x04") and size == len(MODEL_FIRST) and MODEL_FIRST.startswith(head[30:])


def framework_archive(names: list[str]) -> str | None:
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
    try:
        listed = members_listed(path, path.stat().st_size)
        if listed is not None and not too_many(*listed):
            with zipfile.ZipFile(path) as zf:
                return zf.namelist()
    except (zipfile.BadZipFile, OSError):
        pass
    return [first_member(path)]


def members_listed(path: Path, size: int) -> tuple[int, int] | None:
    """(members, bytes of member list) that a zip archive's end record declares (its zip64 record's where it has
    one), read before zipfile reads the list; None where the file has no end record."""
    with open(path, "rb") as f:
        f.seek(max(0, size - 22 - 65535))
        tail = f.read()
        at = tail.rfind(b"PK\x05\x06")
        if at < 0 or len(tail) - at < 22:
            return None
        count, directory = struct.unpack("<HL", tail[at + 10:at + 16])
        if (count == 0xFFFF or directory == 0xFFFFFFFF) and tail[at - 20:at - 16] == b"PK\x06\x07":
            offset = struct.unpack("<Q", tail[at - 12:at - 4])[0]      # the zip64 end record holds the counts
            f.seek(offset)
            record = f.read(56)
            if len(record) == 56 and record[:4] == b"PK\x06\x06":
                count, directory = struct.unpack("<QQ", record[32:48])
    return count, directory


def too_many(count: int, directory: int, limit: int = MAX_MEMBERS) -> bool:
    """Whether an archive lists more than `limit` members (a model file's by default; 300,000 members took zipfile
    seconds and hundreds of MB to read)."""
    return count > limit or directory > limit * 1024


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

