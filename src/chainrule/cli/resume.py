"""train --resume: the line saying where a resumed run starts (the engine's BackupAndRestore restores it), a warning
where it has nothing left to train, the refusal of a file in the checkpoint's place that is no checkpoint, and of one
whose run read its file otherwise (--stream, --chunk-rows), said before the file is read."""
from __future__ import annotations

import re
import stat
import sys
import warnings
from pathlib import Path

from ..callers import caller_level
from ..saving.checkpoint import HISTORY
from ..teach.width import say
from ..training import callbacks


class ResumeNote(callbacks.Callback):
    """Says where a resumed run starts."""

    def __init__(self, folder: str):
        self.folder = folder
        self.nothing_left = False         # the checkpoint had done every epoch: fit trains none (as Keras' fit)

    def on_train_begin(self, params):
        done, total = params.get("initial_epoch", 0), params["epochs"]
        if not done:
            say(f"no checkpoint in {_named(self.folder)} yet: starting at epoch 1 of {total}", sys.stderr)
        elif done >= total:           # fit trains nothing (as Keras' fit with initial_epoch == epochs): a warning,
            self.nothing_left = True  # said under --quiet too (the run did not do what was asked)
            warnings.warn(f"nothing left to train: the checkpoint in {_named(self.folder)} has finished epoch {done} "
                          f"and --epochs is {total}; resume with a larger --epochs (e.g. --epochs {2 * done}) to train "
                          "more", stacklevel=caller_level())
        else:
            say(f"resumed from epoch {done} of {total}", sys.stderr)


def check(args, described, hidden: list[int], activation) -> None:
    """schedule.check_resume (another run's --schedule), its refusal of a file that is no checkpoint said in a
    checkpoint's words: a model file's advice (the .npz net.save writes) did not fit there; then the
    options a checkpoint of another run had (target, columns, network), refused before the CSV file is read."""
    from ..errors import ModelFileError
    from ..saving.checkpoint import checkpoint_path
    from . import schedule
    if args.checkpoint_dir:
        _history(Path(args.checkpoint_dir) / HISTORY)
    if args.checkpoint_dir and not args.resume:
        _fresh(checkpoint_path(args.checkpoint_dir))
    path = checkpoint_path(args.checkpoint_dir) if args.resume and args.checkpoint_dir else None
    try:
        if path is not None and path.exists() and not path.is_file():    # a folder, a pipe: fit's words were a
            raise ModelFileError(f"{path} is not a regular file")          # model file's, or it waited on the pipe
        loaded = schedule.check_resume(args, described)
    except ModelFileError as exc:
        assert path is not None
        raise ModelFileError(f"--resume: {_named(path)} is {_not_one(_what(path, str(exc)))}: --resume "
                             "goes on from the checkpoint.npz that `chainrule train --checkpoint-dir` wrote in that "
                             f"folder; to start over, give another --checkpoint-dir, or move {_named(path)} away and "
                             "train without --resume") from None
    if loaded is not None and path is not None:
        _same_run(args, path, loaded[0], loaded[1], hidden, activation)


def _same_run(args, path: Path, net, extra: dict, hidden: list[int], activation) -> None:
    """The options of the checkpoint's run that its metadata holds, compared with these: a checkpoint of another
    run (another target, columns or network) is refused at once, not after the CSV file was read."""
    from ..data.csvfile import names, short
    from ..data.stored import check_stored
    from ..errors import ModelFileError, ValidationError
    try:
        tab = check_stored(extra["tabular"])
    except ModelFileError:          # damaged metadata: nothing to compare, the resume goes on as it would have
        return
    inputs = [*tab.get("numeric", []), *tab.get("text", [])]
    widths = [layer.n_out for layer in net.layers[:-1]]
    acts = {layer.activation.name for layer in net.layers[:-1]}
    differ = []
    if args.target != tab.get("target"):
        differ.append(f"--target {short(tab.get('target'))} (this run: {short(args.target)})")
    if args.task and args.task != tab.get("task"):
        differ.append(f"a {tab.get('task')} (this run: --task {args.task})")
    if args.features and set(args.features) != set(inputs) or set(args.drop) & set(inputs):
        given = f"--features {','.join(args.features)}" if args.features else f"--drop {','.join(args.drop)}"
        differ.append(f"the input columns {names(inputs, 20)} (this run: {given})")
    elif missing := _not_in_header(args, inputs):
        differ.append(f"the input columns {names(inputs, 20)} (this run's {str(args.csv)!r} has no "
                      f"{names(missing, 5)})")
    if widths != hidden:
        differ.append(f"--hidden {','.join(map(str, widths)) or repr('')} (this run: "
                      f"--hidden {','.join(map(str, hidden)) or repr('')})")
    elif hidden and acts != {activation.name}:
        differ.append(f"--activation {','.join(sorted(acts))} (this run: --activation {activation.name})")
    if str(net.dtype) != args.dtype:
        differ.append(f"--dtype {net.dtype} (this run: --dtype {args.dtype})")
    if "weight" in extra and extra["weight"] != args.weight:     # (not recorded: unweighted, or written before)
        differ.append(f"--weight {short(extra['weight'])} (this run: "
                      f"{'--weight ' + short(args.weight) if args.weight else 'no --weight'})")
    why = ""
    if "stream" in extra and not _same_reading(extra["stream"], reading(args)):     # (not recorded: written before)
        differ.append(f"{_read_as(extra['stream'])} (this run: {_read_as(reading(args))})")
        why = (" (--stream learns the means and spreads chunk by chunk, chunks smaller than the file giving inputs "
               "that differ in their last digits, and keeps the encoded rows in a file, read batch by batch: a "
               "checkpoint resumes with the reading that wrote it)")
    if differ:
        raise ValidationError(f"cannot resume from {_named(path)}: it was written by another run, which had "
                              f"{'; '.join(differ)}{why}; resume with the options it had, or use another "
                              "--checkpoint-dir")


class ChunkRowsDefault:
    """--chunk-rows's default in the help of train, predict and evaluate: chunks.CHUNK_ROWS, imported only when the
    help is shown (every command builds every parser; a job without a file read in chunks does not import it)."""

    def __str__(self) -> str:
        from ..data.chunks import CHUNK_ROWS
        return str(CHUNK_ROWS)


def _not_in_header(args, inputs: list[str]) -> list[str]:
    """The checkpoint's input columns the CSV file's header lacks (another file's columns), told from its first
    line alone; none where the header cannot be read so (a pipe, read once; a compressed file; the target not in it:
    the file's reading says why)."""
    from ..data.header import header_fields, seems_separated
    from ..data.separators import given_separator
    if not Path(args.csv).is_file():
        return []
    sep = given_separator(args.sep) if args.sep else seems_separated(args.csv, args.encoding)
    header = [c.strip() for c in header_fields(args.csv, sep, args.encoding)] if sep else []
    if args.target.strip() not in header:
        return []
    return [c for c in inputs if c.strip() not in header]


def reading(args, rows: int | None = None) -> dict | None:
    """How the run read its file (`rows`: the file's, once read), which its checkpoint records: --stream's chunks
    shape the inputs' last digits (CsvStream's CHUNK_ROWS where --chunk-rows is not given)."""
    if not args.stream:
        return None
    # here: a job without --stream does not import the stream's reader
    from ..data.chunks import CHUNK_ROWS
    return {"chunk_rows": args.chunk_rows or CHUNK_ROWS, "rows": rows}


def _same_reading(saved: dict | None, now: dict | None) -> bool:
    """The same chunks: the same --chunk-rows, or both at least the file's rows (one chunk)."""
    if saved is None or now is None:
        return saved is now
    whole = saved.get("rows")
    return saved["chunk_rows"] == now["chunk_rows"] or whole is not None and min(saved["chunk_rows"],
                                                                                 now["chunk_rows"]) >= whole


def _read_as(read: dict | None) -> str:
    return f"--stream --chunk-rows {read['chunk_rows']}" if read else "no --stream"


def _history(path: Path) -> None:
    """A named pipe (or a device) in the place of the run's history.jsonl, which a run reads (--resume) and writes
    beside its checkpoint, is refused before any reading: the run waited on it for ever."""
    from ..errors import ModelFileError
    if path.exists() and not path.is_file() and not path.is_dir():     # a folder there: the writer says so
        raise ModelFileError(f"--checkpoint-dir: {_named(path)} is {_what(path, '')}, not the run's history (the "
                             f"{HISTORY} a run writes beside its checkpoint, and --resume reads): reading or writing "
                             f"it would wait for another process; give another --checkpoint-dir, or move "
                             f"{_named(path)} away")


def _fresh(path: Path) -> None:
    """A new run refuses to replace a file in the checkpoint's place it cannot read (fit's refusal, said after the
    CSV file was read and with a model file's words): said first, in a checkpoint's. A whole .npz is fit's to judge
    (a finished run's checkpoint is replaced; an unfinished one's, or a model file, is refused)."""
    import zipfile

    from ..data.filecontent import kind_of
    from ..errors import ModelFileError
    if not path.exists() or path.is_file() and kind_of(path)[0] == "model" and zipfile.is_zipfile(path):
        return
    fate = "could not write its checkpoint there" if path.is_dir() else "would replace it"   # a folder stays
    raise ModelFileError(f"--checkpoint-dir: {_named(path)} is {_not_one(_what(path, ''))}, and a new run {fate}: give "
                         f"another --checkpoint-dir, or move {_named(path)} away")


def _named(path) -> str:
    """A checkpoint's file or folder as every message of the commands names a file: quoted ('my run/ck' one name)."""
    from ..data.csvfile import short
    return short(str(path), 200)


#: a checkpoint (or a model) cut short is one that cannot be read, not "not a checkpoint"
CUT = "a chainrule checkpoint or model file cut short or damaged (a copy incomplete, a full disk?)"


def _not_one(what: str) -> str:
    """What the file is, and why --resume cannot go on from it."""
    return f"{what}, which cannot be read" if what == CUT else f"{what}, not a training checkpoint"


def _what(path: Path, refused: str) -> str:
    """What the file in a checkpoint's place holds, by its content (`refused`: the reader's words)."""
    import zipfile

    from ..data.filecontent import kind_of
    if path.is_dir():
        return "a folder"
    if not path.is_file():         # opening a named pipe to read it waits for a writer, for ever where none comes
        return "a named pipe (FIFO)" if stat.S_ISFIFO(path.stat().st_mode) else "a device or socket, not a regular file"
    kind, said = kind_of(path)
    if "is a model file, not a training checkpoint" in refused:
        return "a chainrule model file (net.save or `chainrule train --out` writes one)"
    if kind == "model" and zipfile.is_zipfile(path):       # whole, and refused for what it holds (its version?)
        return f"an .npz file that cannot be read ({refused})"
    if kind == "model":
        return CUT
    if kind == "empty":
        return "empty (0 bytes)"
    if kind in ("onnx", "exported"):
        return "an ONNX model"
    head = re.split(r"; |: |, not ", said)[0]      # what it is, without how to read it
    return head if head.count("(") == head.count(")") else head.split(" (")[0]
