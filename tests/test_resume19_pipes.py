"""A named pipe (os.mkfifo) as a writer's file: CSVLogger's first row waited, after an epoch's training, for a
process to read the pipe, forever where none did (a Keras user does not expect a hang); ModelCheckpoint refused
it (save's rule: not a regular file) only after the first epoch's training."""
import os
import subprocess
import sys

import numpy as np
import pytest

import chainrule as cr

pytestmark = pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="named pipes are POSIX's")

FIT = """
import sys
import numpy as np, chainrule as cr
X = np.random.default_rng(0).normal(size=(20, 2))
net = cr.Network([cr.Dense(2, 1)], loss="mse", seed=0)
try:
    net.fit(X, X[:, :1], epochs=2, verbose=0, callbacks=[cr.CSVLogger(sys.argv[1])])
finally:
    print("epochs trained:", net.epochs_trained)
"""


def data():
    X = np.random.default_rng(0).normal(size=(20, 2))
    return X, X[:, :1]


def test_a_pipe_no_process_reads_is_refused_before_training(tmp_path):
    """A real process: the hang is what is tested."""
    pipe = tmp_path / "log.csv"
    os.mkfifo(pipe)
    r = subprocess.run([sys.executable, "-c", FIT, str(pipe)], capture_output=True, text=True, timeout=30,
                       check=False)
    assert r.returncode == 1
    assert r.stdout == "epochs trained: 0\n"
    assert r.stderr.splitlines()[-1] == (
        f"OSError: [Errno 6] CSVLogger: Cannot write to it: it is a named pipe (FIFO) that no process reads, and "
        f"writing would wait for one (start its reader first, or give a regular file's name): '{pipe}'")


def reading(pipe):
    """A process reading the pipe: its read end held open (without waiting for a writer) for the whole fit."""
    return os.open(pipe, os.O_RDONLY | os.O_NONBLOCK)


def test_a_pipe_a_process_reads_gets_each_epochs_row(tmp_path):
    pipe = tmp_path / "log.csv"
    os.mkfifo(pipe)
    fd = reading(pipe)
    X, Y = data()
    net = cr.Network([cr.Dense(2, 1)], loss="mse", seed=0)
    try:
        history = net.fit(X, Y, epochs=2, verbose=0, callbacks=[cr.CSVLogger(str(pipe))])
        rows = os.read(fd, 65536).decode().splitlines()
    finally:
        os.close(fd)
    assert rows[0] == "epoch,loss,val_loss"
    assert [float(row.split(",")[1]) for row in rows[1:]] == history.history["loss"]


def test_appending_to_a_pipe_is_refused_before_training(tmp_path):
    pipe = tmp_path / "log.csv"
    os.mkfifo(pipe)
    fd = reading(pipe)
    X, Y = data()
    net = cr.Network([cr.Dense(2, 1)], loss="mse", seed=0)
    try:
        with pytest.raises(cr.errors.ValidationError,
                           match=r"^CSVLogger: cannot append to .*: it is a named pipe \(FIFO\), whose rows cannot be "
                                 r"read back \(append=False, or a regular file\)$"):
            net.fit(X, Y, epochs=2, verbose=0, callbacks=[cr.CSVLogger(str(pipe), append=True)])
    finally:
        os.close(fd)
    assert net.epochs_trained == 0


def test_model_checkpoint_refuses_a_pipe_before_training(tmp_path):
    pipe = tmp_path / "m.npz"
    os.mkfifo(pipe)
    X, Y = data()
    net = cr.Network([cr.Dense(2, 1)], loss="mse", seed=0)
    with pytest.raises(OSError) as said:
        net.fit(X, Y, epochs=2, verbose=0, callbacks=[cr.ModelCheckpoint(str(pipe))])
    assert str(said.value) == ("[Errno 22] ModelCheckpoint: Cannot replace it: it is not a regular file (a FIFO, "
                               f"device or socket): '{pipe}'")
    assert net.epochs_trained == 0
    assert pipe.exists() and not pipe.is_file()      # left as it was


class WriterHeld(cr.callbacks.Callback):
    """At each epoch's start: whether some process holds the pipe's writing end (a read that finds nothing gets
    EAGAIN), or none does (the end of the input, where `cat`, reading the pipe, exits)."""

    def __init__(self, fd):
        super().__init__()
        self.fd, self.held, self.read = fd, [], b""

    def on_epoch_begin(self, epoch, logs=None):
        try:
            got = os.read(self.fd, 65536)
        except BlockingIOError:
            got = None
        self.held.append(got != b"")
        self.read += got or b""


def test_a_pipe_is_held_open_from_the_check_to_the_fits_end(tmp_path):
    """The check before training opened the pipe and closed it: its reader (`cat log.csv`) saw the end of its input
    and exited, and the first row then waited, after an epoch's training, for another reader, forever."""
    pipe = tmp_path / "log.csv"
    os.mkfifo(pipe)
    fd = reading(pipe)
    X, Y = data()
    net = cr.Network([cr.Dense(2, 1)], loss="mse", seed=0)
    held = WriterHeld(fd)
    try:
        history = net.fit(X, Y, epochs=2, verbose=0, callbacks=[cr.CSVLogger(str(pipe)), held])
        rows = (held.read + os.read(fd, 65536)).decode().splitlines()
        end = os.read(fd, 65536)
    finally:
        os.close(fd)
    assert held.held == [True, True]
    assert [float(row.split(",")[1]) for row in rows[1:]] == history.history["loss"]
    assert end == b""                     # closed at the fit's end: its reader sees the end of the rows


class CloseAfterFirst(cr.callbacks.Callback):
    def __init__(self, fd):
        super().__init__()
        self.fd = fd

    def on_epoch_end(self, epoch, logs=None):
        if epoch == 0:
            os.close(self.fd)          # the reader goes away


def test_a_pipe_whose_reader_goes_away_is_said_so(tmp_path):
    pipe = tmp_path / "log.csv"
    os.mkfifo(pipe)
    fd = reading(pipe)
    X, Y = data()
    net = cr.Network([cr.Dense(2, 1)], loss="mse", seed=0)
    with pytest.raises(BrokenPipeError) as said:
        net.fit(X, Y, epochs=3, verbose=0, callbacks=[CloseAfterFirst(fd), cr.CSVLogger(str(pipe))])
    assert str(said.value) == ("[Errno 32] CSVLogger: Cannot write to it: Broken pipe (the process that read the "
                               f"named pipe closed it): '{pipe}'")
    assert net.epochs_trained == 1


def test_model_checkpoint_names_itself_refusing_a_pipe_its_filled_name_finds(tmp_path):
    """A name with fields ({epoch}) is known only at the save: the pipe is refused then, naming ModelCheckpoint as
    the fixed name's refusal does (save's words alone said nothing of which writer)."""
    os.mkfifo(tmp_path / "m-2.npz")
    X, Y = data()
    net = cr.Network([cr.Dense(2, 1)], loss="mse", seed=0)
    with pytest.raises(OSError) as said:
        net.fit(X, Y, epochs=3, verbose=0, callbacks=[cr.ModelCheckpoint(str(tmp_path / "m-{epoch}.npz"))])
    assert str(said.value) == ("[Errno 22] ModelCheckpoint: Cannot replace it: it is not a regular file (a FIFO, "
                               f"device or socket): '{tmp_path / 'm-2.npz'}'")
    assert (tmp_path / "m-1.npz").is_file() and net.epochs_trained == 2
