"""What defines a training run, for BackupAndRestore: its network, optimizer, batches and a hash of its data (read
from disk a chunk at a time), and their differences in words, so that resuming refuses to continue another run."""
from __future__ import annotations

import hashlib
from typing import Any

import numpy as np

from ..data import advice
from ..training.sparse_rows import SparseRows
from ..training.streaming import LazyRows, OneHotRows, Subset


def fingerprint(trainer) -> dict:
    """What defines a run: resuming with another architecture, optimizer, data or targets would
    continue something unrelated. Data read from disk batch by batch is read once more here, in
    chunks, for its hash (the rows of one file shared by X and the validation data, once)."""
    net = trainer.net
    seen: dict[tuple, str] = {}
    found = {"network": net.config(), "optimizer": net.optimizer.config(), "X": _data(trainer.X, seen),
             "Y": _data(trainer.Y, seen), "validation": [_data(v, seen) for v in trainer.validation_data or ()],
             "batch_size": trainer.batch_size, "shuffle": trainer.shuffle}
    weights = [getattr(trainer, "weight", None), getattr(trainer, "validation_weight", None)]
    if any(w is not None for w in weights):     # unweighted runs keep the fingerprint they always had
        found["sample_weight"] = [_data(w, seen) for w in weights]
    return found


CHUNK = 1 << 16          # rows (or stored values) hashed at a time


def _data(a: Any, seen: dict | None = None) -> dict | None:
    """Shape, dtype and a hash of the values of an input or target array, those read lazily from
    disk included (a chunk at a time); None for a sequence of batches."""
    if a is None:
        return None
    if isinstance(a, np.ndarray):
        digest = hashlib.blake2b(np.ascontiguousarray(a).data, digest_size=16).hexdigest()
        return {"shape": list(a.shape), "dtype": a.dtype.name, "hash": digest}
    if isinstance(a, OneHotRows):      # the bytes of its one-hot rows, a range at a time: the dense array's hash
        h = hashlib.blake2b(digest_size=16)
        for s in range(0, a.shape[0], CHUNK):
            h.update(a[s:s + CHUNK].data)
        return {"shape": list(a.shape), "dtype": a.dtype.name, "hash": h.hexdigest()}
    if isinstance(a, LazyRows):
        digest = _rows_hash(a, seen if seen is not None else {})     # {} is falsy: `seen or {}` forgot the rows hashed
        return {"shape": list(a.shape), "dtype": np.dtype(a.source.dtype).name, "hash": digest}
    parts = [getattr(a, k, None) for k in ("data", "indices", "indptr")]
    if all(isinstance(p, np.ndarray) for p in parts):          # a sparse CSR matrix
        h = hashlib.blake2b(digest_size=16)
        for p in parts:
            h.update(np.ascontiguousarray(p).data)
        return {"shape": list(a.shape), "dtype": a.dtype.name, "hash": h.hexdigest()}
    shape = getattr(a, "shape", None)
    return {"shape": list(shape)} if shape is not None else None


def _rows_hash(a: LazyRows, seen: dict) -> str:
    """The hash of rows [start, stop) of an out-of-core or CSR source, read in order a chunk at a
    time (a dense range hashes as the same rows in memory would); for a Subset, its source's rows
    (hashed once per fingerprint: `seen`) and then which of them, in which order."""
    if isinstance(a, Subset):
        h = hashlib.blake2b(_rows_hash(a.inner, seen).encode(), digest_size=16)
        for s in range(0, a.rows.shape[0], CHUNK):
            h.update(np.ascontiguousarray(a.rows[s:s + CHUNK], dtype=np.int64).data)
        return h.hexdigest()
    key = (id(a.source), a.start, a.stop)
    if key in seen:
        return seen[key]
    h, src, pages = hashlib.blake2b(digest_size=16), a.source, a.pages()
    if isinstance(a, SparseRows):
        lo, hi = int(src.indptr[a.start]), int(src.indptr[a.stop])
        for s in range(a.start, a.stop, CHUNK):          # where each row starts, counted from the first
            h.update((np.asarray(src.indptr[s:min(s + CHUNK, a.stop) + 1], dtype=np.int64) - lo).data)
        for part in (src.indices, src.data):
            for s in range(lo, hi, CHUNK):
                h.update(np.ascontiguousarray(part[s:min(s + CHUNK, hi)]).data)
                pages.touched(min(CHUNK, hi - s), part.itemsize, contiguous=True)
    else:
        for s in range(a.start, a.stop, CHUNK):
            block = np.ascontiguousarray(src[s:min(s + CHUNK, a.stop)])
            h.update(block.data)
            pages.touched(block.shape[0], block.shape[1] * block.itemsize, contiguous=True)
    seen[key] = h.hexdigest()
    return seen[key]


def differences(saved: dict, now: dict) -> list[str]:
    """What differs between two fingerprints, in words: the `chainrule` command's (its options, their values as
    typed) where it trains, else Python's (fit's arguments, the optimizer's config)."""
    found = []
    command = advice.caller() in ("command", "sweep command")      # Python's run_sweep and CsvStream: its words
    a, b = saved.get("optimizer") or {}, now["optimizer"]
    # (a setting an older checkpoint lacks, clip_value, is its None: not a difference)
    keys = [k for k in sorted(set(a) | set(b)) if a.get(k) != b.get(k)]
    if keys:
        if command and any(k in advice.WORDS for k in keys):   # the rest follows from --optimizer: no option of its own
            keys = [k for k in keys if k in advice.WORDS]
        said = (lambda k: advice.give(k) if k in advice.WORDS else k) if command else str
        value = _typed if command else repr
        found.append("the optimizer (" + ", ".join(f"{said(k)} {value(a.get(k))} -> {value(b.get(k))}"
                                                   for k in keys) + ")")
    names = {"X": "the inputs X", "Y": "the targets Y", "validation": "the validation data",
             "sample_weight": "the sample weights"}
    for key, what in names.items():
        a, b = saved.get(key), now.get(key)
        if _same(a, b):
            continue
        what = advice.give(key) if key in advice.WORDS else what
        was, now_ = _shape(a), _shape(b)
        if was == now_:
            found.append(f"{what} (same shape {now_}, other values)")
        else:
            found.append(f"{what} (shape {was} in the checkpoint, {now_} now)")
    for key in ("batch_size", "shuffle"):
        if saved.get(key) != now[key]:
            name, value = (advice.give(key) if key in advice.WORDS else key), _typed if command else repr
            found.append(f"{name} ({value(saved.get(key))} in the checkpoint, {value(now[key])} now)")
    return found


def _typed(value: Any) -> str:
    """An option's value as the command line types it: 1 (not 1.0), adam (not 'Adam'), none where not given, a
    schedule's starting rate as --lr (the --schedule itself is compared before: cli.schedule.check_resume)."""
    if isinstance(value, dict) and isinstance(value.get("lr"), (int, float)):
        value = value["lr"]
    if value is None:
        return "none"
    if isinstance(value, float):
        return f"{value:g}"
    return value.lower() if isinstance(value, str) else repr(value)


def _same(saved: Any, now: Any) -> bool:
    """Equal fingerprints of data; one written before data read from disk was hashed (its shape
    alone) is compared by that shape, so that such a run can still resume."""
    if isinstance(saved, list) and isinstance(now, list):
        return len(saved) == len(now) and all(map(_same, saved, now))
    if isinstance(saved, dict) and isinstance(now, dict) and set(saved) == {"shape"}:
        return saved == {"shape": now.get("shape")}
    return saved == now


def _shape(d: Any) -> Any:
    if isinstance(d, list):                   # validation data: a pair
        return [_shape(x) for x in d]
    return d.get("shape") if isinstance(d, dict) else d
