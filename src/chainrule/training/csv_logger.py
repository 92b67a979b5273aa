"""CSVLogger: each epoch's logs as a row of a CSV file, written as the epoch ends (Keras' callback)."""
from __future__ import annotations

import csv
import errno
import os
import warnings
from collections.abc import Iterable
from typing import IO, Any

import numpy as np

from ..callers import caller_level
from ..errors import ValidationError
from ..nn import checks as check
from ..nn.filenames import ending_separator, name_ending
from .callback import Callback


class CSVLogger(Callback):
    """Write `epoch` (from 0, as History and Keras count) and the epoch's logs as one row per epoch,
    flushed at once: a run stopped part-way keeps its rows.

    The file is the one Keras 3's CSVLogger writes for the same logs: the columns are `epoch`, then
    the first epoch's log names sorted (accuracy, loss, val_accuracy, val_loss); logs without
    validation get val_ columns too, written NA (Keras' room for validation that runs only some
    epochs), as is a value an epoch does not log; values as Keras writes them (numbers as str() writes
    them: a float as repr), lines ended by CRLF (the csv module's excel dialect). Without a `separator`, the name's:
    a tab in a .tsv, .tab or .txt file, else a comma (Keras writes commas whatever the name), and appending, the
    file's own, its header's (a log Keras wrote as log.txt gets commas); a name of another
    format (.npz, .xlsx, .csv.gz) is refused, as predict's --out refuses it.

    The file is replaced at the first epoch's end unless `append=True`; a run resumed from its
    checkpoint (`checkpoint_dir`) always appends, under the header the file has. Appending, the
    header is written only into a new or empty file, as Keras does; unlike Keras, the rows end as
    the file's first line ends (LF in a file written by other tools, where Keras would add CRLF rows
    to LF ones), and a file whose last line has no line end gets one first (Keras would join the
    first row to that line); logs the file has no column for are named in a warning and left out
    (Keras writes its own columns under the file's header, misaligned). Under MPI (`comm`), rank 0 alone
    writes: give it on every rank or on rank 0 alone; given to other ranks alone it writes nothing, and rank 0
    warns."""

    def __init__(self, filename: str | os.PathLike, separator: str | None = None, append: bool = False):
        self.filename = os.fspath(check.path_like(filename, "CSVLogger: filename"))
        if not self.filename:       # refused here, not when fit starts; in open()'s class, as save refuses ''
            raise FileNotFoundError(errno.ENOENT, "CSVLogger: filename is empty (give a file name, such as "
                                    "'training.csv')", self.filename)
        if separator is not None and (not isinstance(separator, str) or len(separator) != 1
                                      or separator in '"\r\n'):
            raise ValidationError(f"CSVLogger: separator must be one character (not a quote or a line break); "
                                  f"got {separator!r}")
        name_ending(self.filename, "csv", f"CSVLogger: filename {self.filename!r}", "a training log in CSV text")
        self.given_separator = separator
        self.separator = ending_separator(self.filename) if separator is None else separator
        self.append = check.flag(append, "CSVLogger: append")
        self.keys: list[str] | None = None
        self.writes, self.started, self.resumed_at = True, False, 0
        self.line_end = "\r\n"              # the csv module's; appending, the file's own
        #: a named pipe's writing end, held from the probe before training to the fit's end: its reader (`cat`)
        #: sees the end of its input when the last writer closes it, and the next open would wait for another
        self.pipe: IO[str] | None = None

    def on_train_begin(self, params: dict[str, Any]) -> None:
        """Nothing is written yet (a fit refused after this, by another callback or a resume's check,
        leaves the file as it was); only the folder is checked."""
        self.writes = params.get("rank", 0) == 0        # under MPI every rank runs the callbacks; rank 0 writes
        self.on_train_end()                             # a pipe a fit stopped by an error left open
        self.started, self.keys, self.resumed_at = False, None, \
            int(params.get("initial_epoch") or 0) if params.get("resumed", True) else 0
        if not self.writes:
            return
        from ..nn.filenames import not_a_folder, open_pipe
        not_a_folder(self.filename, "CSVLogger: ")      # as open() would refuse them after the first epoch's training
        folder = os.path.dirname(os.path.abspath(self.filename))
        if not (os.path.isdir(folder) and os.access(folder, os.W_OK)):
            raise ValidationError(f"CSVLogger: cannot write {self.filename!r}: the folder {folder!r} does not exist "
                                  "or cannot be written")
        # a named pipe no process reads: refused, where the first row would wait for one after an epoch's training;
        # one a process reads is held open for the fit, its rows written through it (`pipe`)
        pipe = open_pipe(self.filename, "CSVLogger: ")
        if pipe is not None:
            if self.append or self.resumed_at:
                os.close(pipe)
                raise ValidationError(f"CSVLogger: cannot append to {self.filename!r}: it is a named pipe (FIFO), "
                                      "whose rows cannot be read back (append=False, or a regular file)")
            self.pipe = os.fdopen(pipe, "w", newline="", encoding="utf-8")
        elif os.path.exists(self.filename):
            try:                # a file that refuses writing (/proc/version): open()'s error before training, not
                open(self.filename, "ab").close()       # after (nothing written)
            except OSError as exc:
                raise type(exc)(exc.errno, f"CSVLogger: Cannot write the file: {exc.strerror}", self.filename) from None

    def _start(self) -> None:
        """At the first epoch's end: replace the file, or append to it (append=True, a resumed run)."""
        resumed = bool(self.resumed_at)
        self.line_end = "\r\n"
        self.separator = self.given_separator or ending_separator(self.filename)
        if self.pipe is not None:           # nothing to replace: its rows go to its reader
            return
        if (self.append or resumed) and os.path.exists(self.filename):
            self.line_end = self._line_end()
            self.separator = self.given_separator or self._file_separator() or self.separator
            rows = self._rows()
            self.keys = rows[0][1:] if rows else None
            if resumed:                     # rows of the epochs the resumed run trains again (an interruption
                self._keep_before(rows, self.resumed_at)    # after the row, before the checkpoint)
            return
        self._open("w").close()

    def _open(self, mode: str) -> IO[str]:
        try:
            return open(self.filename, mode, newline="", encoding="utf-8")
        except OSError as exc:
            raise ValidationError(f"CSVLogger: cannot write {self.filename!r}: {exc.strerror or exc}") from None

    def _line_end(self) -> str:
        """How the file's first line ends ("\r\n" if it has none); a last line without an end gets it."""
        try:
            with open(self.filename, "rb") as f:
                first = f.readline()
                size = f.seek(0, os.SEEK_END)
                f.seek(max(size - 1, 0))
                last = f.read(1)
        except OSError as exc:
            raise ValidationError(f"CSVLogger: cannot append to {self.filename!r}: {exc.strerror or exc}") from None
        end = "\n" if first.endswith(b"\n") and not first.endswith(b"\r\n") else "\r\n"
        if size and last != b"\n":
            with self._open("a") as f:
                f.write(end)
        return end

    def _file_separator(self) -> str | None:
        """The separator of the file's header, the character after its 'epoch' (Keras' and this writer's first
        column): a log written with commas before (by Keras, whatever its name) is appended to with commas, not
        read as one column under a .txt name's tabs."""
        with open(self.filename, newline="", encoding="utf-8", errors="replace") as f:
            first = f.readline()
        return first[5] if first.startswith("epoch") and first[5:6] not in ("", '"', "\r", "\n") else None

    def _rows(self) -> list[list[str]]:
        """The rows of an existing file, its header first."""
        try:
            with open(self.filename, newline="", encoding="utf-8") as f:
                return list(csv.reader(f, delimiter=self.separator))
        except (OSError, UnicodeDecodeError, csv.Error) as exc:
            raise ValidationError(f"CSVLogger: cannot append to {self.filename!r}: it cannot be read as CSV "
                                  f"({exc})") from None

    def _keep_before(self, rows: list[list[str]], epoch: int) -> None:
        """Rewrite the file without the rows of `epoch` and after (written beside, then moved over)."""
        kept = rows[:1] + [r for r in rows[1:] if not (r and r[0].isdigit() and int(r[0]) >= epoch)]
        if len(kept) == len(rows):
            return
        part = self.filename + ".part"
        with open(part, "w", newline="", encoding="utf-8") as f:
            csv.writer(f, delimiter=self.separator, lineterminator=self.line_end).writerows(kept)
        os.replace(part, self.filename)

    def on_epoch_end(self, epoch: int, logs: dict[str, float]) -> None:
        if not self.writes:
            return
        if not self.started:
            self._start()
            self.started = True
            header = self.keys
            left = [] if header is None else [k for k in logs if k not in header]
            if header is not None and left:     # Keras writes its own columns under the file's header: misaligned
                warnings.warn(f"CSVLogger: {self.filename!r} has the columns {['epoch', *header]}; this run's "
                              f"{left} are not among them and are not written (append=False, or another file, "
                              "keeps them)", UserWarning, stacklevel=caller_level())
        if self.pipe is not None:
            try:
                self._write(self.pipe, epoch, logs)
                self.pipe.flush()           # each epoch's row to the reader as the epoch ends
            except OSError as exc:          # its reader gone (EPIPE): said so, not a flush's traceback
                pipe, self.pipe = self.pipe, None
                try:
                    pipe.close()
                except OSError:
                    pass
                raise type(exc)(exc.errno, f"CSVLogger: Cannot write to it: {exc.strerror} (the process that read "
                                "the named pipe closed it)", self.filename) from None
            return
        with self._open("a") as f:          # opened and closed each epoch: nothing left open if training stops
            self._write(f, epoch, logs)

    def _write(self, f: IO[str], epoch: int, logs: dict[str, float]) -> None:
        writer = csv.writer(f, delimiter=self.separator, lineterminator=self.line_end)
        if self.keys is None:               # the first epoch's logs name the columns, as Keras'
            self.keys = columns(logs)
            writer.writerow(["epoch", *self.keys])
        writer.writerow([epoch, *(cell(logs[k]) if k in logs else "NA" for k in self.keys)])

    def on_train_end(self) -> None:
        """A pipe's writing end closed: its reader sees the end of the rows."""
        if self.pipe is not None:
            pipe, self.pipe = self.pipe, None
            pipe.close()


def cell(value: Any) -> Any:
    """A logged value as Keras' CSVLogger writes it (its handle_value): a str or a number as it is, which the csv
    module writes as str() does (a float as repr: 0.2800000011920929; a callback's int 3 as 3, np.float32(0.1) as
    0.1), and a list or array of more than zero dimensions as "[a, b]"."""
    if isinstance(value, str) or not isinstance(value, Iterable) or (isinstance(value, np.ndarray)
                                                                    and value.ndim == 0):
        return value
    return '"[' + ", ".join(map(str, value)) + ']"'


def columns(logs: dict[str, float]) -> list[str]:
    """Keras' columns for these logs: sorted, and val_ ones for each when none is validation's."""
    keys = sorted(logs)
    if keys and not any(k.startswith("val_") for k in keys):
        keys += [f"val_{k}" for k in keys]
    return keys
