"""What the command line says of ordinary and odd inputs: the target column in a file given to predict (normal,
not an ignored column), another run's checkpoint refused before its CSV file is read, sweep's options beside the
grid's said as argparse says its usage errors, archives and UTF-16 files named with a command that works, and
/dev/stdin on a terminal with nothing piped in (it waited, silent)."""
from __future__ import annotations

import gzip
import io
import os
import shlex
import subprocess
import sys
import tarfile
import zipfile

import numpy as np
import pandas as pd
import pytest
from conftest import cmd


@pytest.fixture
def data(tmp_path):
    """A regression file (a, b -> y) with a column 'note' the model is not trained on."""
    x = np.random.default_rng(0).normal(size=(40, 2))
    frame = pd.DataFrame({"a": x[:, 0], "b": x[:, 1], "y": x[:, 0] - x[:, 1], "note": "n"})
    frame.to_csv(tmp_path / "d.csv", index=False)
    return tmp_path / "d.csv"


def trained(data, *more):
    r = cmd("train", data, "--target", "y", "--drop", "note", "--hidden", "4", "--epochs", "1", "--quiet",
            "--out", data.parent / "m.npz", *more)
    assert r.returncode == 0, r.stderr
    return data.parent / "m.npz"


def test_predict_names_as_ignored_only_the_columns_that_are_neither_inputs_nor_target(data):
    model = trained(data)
    r = cmd("predict", model, data)
    header = list(pd.read_csv(data).columns)
    assert r.returncode == 0, r.stderr
    ignored = [c for c in header if c not in ("a", "b", "y")]            # the inputs, the target: as trained
    assert f"ignored columns the model does not use: {ignored}" in r.stderr, r.stderr
    assert "'y'" not in r.stderr, r.stderr
    assert len(r.stdout.splitlines()) == 1 + len(pd.read_csv(data))


def test_predict_on_the_training_file_of_a_weighted_model_does_not_call_its_weights_ignored(data):
    pd.read_csv(data).assign(w=1.0).to_csv(data, index=False)
    model = trained(data, "--weight", "w")
    r = cmd("predict", model, data)
    assert r.returncode == 0 and "ignored columns the model does not use: ['note']\n" in r.stderr, r.stderr


@pytest.mark.parametrize("options, said", [
    (["--target", "b"], "--target 'y' (this run: 'b')"),
    (["--hidden", "7"], "--hidden 4 (this run: --hidden 7)"),
    (["--activation", "tanh"], "--activation relu (this run: --activation tanh)"),
    (["--dtype", "float32"], "--dtype float64 (this run: --dtype float32)"),
    (["--features", "a"], "the input columns ['a', 'b'] (this run: --features a)"),
])
def test_resume_of_another_runs_checkpoint_is_refused_before_the_file_is_read(data, options, said):
    base = ["train", data, "--target", "y", "--drop", "note", "--hidden", "4", "--epochs", "2",
            "--checkpoint-dir", data.parent / "ck", "--out", data.parent / "m.npz"]
    assert cmd(*base).returncode == 0
    later = [*base, "--resume", "--epochs", "3"]
    for option in options[::2]:                      # these options replace the first run's
        at = later.index(option) if option in later else None
        if at is not None:
            del later[at:at + 2]
    r = cmd(*later, *options)
    assert r.returncode == 2 and said in r.stderr, r.stderr
    assert "another --checkpoint-dir" in r.stderr and "read 'd.csv'" not in r.stderr, r.stderr


@pytest.mark.parametrize("tabular", [["y"], {"target": "y", "numeric": 5}])
def test_resume_from_a_checkpoint_whose_column_metadata_is_damaged_still_resumes(data, tabular):
    import json
    base = ["train", data, "--target", "y", "--drop", "note", "--hidden", "4", "--checkpoint-dir", data.parent / "ck",
            "--out", data.parent / "m.npz", "--quiet"]
    assert cmd(*base, "--epochs", "1").returncode == 0
    path = data.parent / "ck" / "checkpoint.npz"
    arrays = dict(np.load(path))
    described = json.loads(str(arrays["__format__"]))
    described["extra"]["tabular"] = tabular        # its network and optimizer whole: the resume needs only those
    arrays["__format__"] = np.array(json.dumps(described))
    np.savez(path, **arrays)
    r = cmd(*base, "--epochs", "2", "--resume")
    assert r.returncode == 0 and "internal error" not in r.stderr, r.stderr
    assert len((data.parent / "ck" / "history.jsonl").read_text().splitlines()) == 2


def argparse_form(stderr: str, command: str) -> tuple[str, str]:
    """(the usage, the error line) of a usage error as argparse says it."""
    usage, _, error = stderr.rpartition(f"chainrule {command}: error: ")
    return usage, error


@pytest.mark.parametrize("options", [
    ["--grid", "epochs=1,2", "--epochs", "3"],
    ["--grid", "batch=4,8", "--batch-size", "2"],
    ["--grid", "lr=0.1", "--jobs", "2", "--scheduler", "tcp://127.0.0.1:1"],
])
def test_sweep_options_that_do_not_go_together_are_said_as_argparse_says_its_own(data, options):
    own = cmd("sweep", data, "--target", "y", "--grid", "lr=0.1", "--epochs", "0")     # argparse's refusal
    r = cmd("sweep", data, "--target", "y", "--out-dir", data.parent / "s", *options)
    usage, error = argparse_form(r.stderr, "sweep")
    assert r.returncode == own.returncode == 2 and usage == argparse_form(own.stderr, "sweep")[0], r.stderr
    assert error.startswith(options[-2] if options[-2] != "--scheduler" else "--jobs 2"), error
    assert not (data.parent / "s").exists()


def test_train_options_that_do_not_go_together_are_said_as_argparse_says_its_own(data):
    own = cmd("train", data, "--target", "y", "--out", "m.npz", "--epochs", "0")
    r = cmd("train", data, "--target", "y", "--out", "m.npz", "--chunk-rows", "5")
    usage, error = argparse_form(r.stderr, "train")
    assert r.returncode == 2 and usage == argparse_form(own.stderr, "train")[0] and "--chunk-rows" in error, r.stderr


def two_file_tar(folder, data, mode="w:gz"):
    path = folder / ("two.tar.gz" if mode == "w:gz" else "two.tar")
    with tarfile.open(path, mode) as archive:
        archive.add(data, "a.csv")
        archive.add(data, "b.csv")
    return path


@pytest.mark.parametrize("piped", [False, True])
def test_a_tar_of_several_files_is_told_with_a_command_that_unpacks_it(data, tmp_path, piped):
    path = two_file_tar(tmp_path, data)
    given = "/dev/stdin" if piped else str(path)
    r = subprocess.run([sys.executable, "-m", "chainrule.cli", "train", given, "--target", "y", "--out",
                        str(tmp_path / "o.npz")], input=path.read_bytes() if piped else None, capture_output=True,
                       check=False, timeout=120, text=False)
    err = r.stderr.decode()
    assert r.returncode == 2 and "a tar archive of 2 files ['a.csv', 'b.csv']" in err, err
    advice = err[err.index("unpack it first (") + len("unpack it first ("):err.index(") and give one of them")]
    out = tmp_path / "unpacked"
    out.mkdir()
    if piped:                               # '... > data.tar': the pipe saved, then the command as said
        saved, command = advice.split("; ")
        assert saved == "... > data.tar"
        (out / "data.tar").write_bytes(path.read_bytes())
    else:
        command = advice
    subprocess.run(shlex.split(command), cwd=out, check=True, timeout=60)
    assert (out / "a.csv").read_bytes() == (out / "b.csv").read_bytes() == data.read_bytes()


def test_a_piped_zip_is_told_to_be_saved_and_given_which_then_reads(data, tmp_path):
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.write(data, "d.csv")
    r = subprocess.run([sys.executable, "-m", "chainrule.cli", "train", "/dev/stdin", "--target", "y", "--out",
                        str(tmp_path / "o.npz")], input=buffer.getvalue(), capture_output=True, check=False,
                       timeout=120)
    err = r.stderr.decode()
    assert r.returncode == 2 and "save it first (... > data.zip) and give data.zip" in err and "funzip" not in err
    (tmp_path / "data.zip").write_bytes(buffer.getvalue())          # as said: then it is read
    done = cmd("train", tmp_path / "data.zip", "--target", "y", "--epochs", "1", "--out", tmp_path / "o.npz")
    assert done.returncode == 0, done.stderr


@pytest.mark.parametrize("codec", ["utf-16-le", "utf-16-be"])
@pytest.mark.parametrize("packed", [False, True])
@pytest.mark.parametrize("stream", [False, True])
def test_utf16_without_its_mark_is_named_with_the_encoding_that_reads_it(data, tmp_path, codec, packed, stream):
    raw = data.read_text().encode(codec)
    path = tmp_path / ("w.csv.gz" if packed else "w.csv")
    path.write_bytes(gzip.compress(raw) if packed else raw)
    more = ["--stream"] if stream else []
    r = cmd("train", path, "--target", "y", "--epochs", "1", "--out", tmp_path / "o.npz", *more)
    said = f"give --encoding {codec}"
    assert r.returncode == 2 and said in r.stderr and "NUL bytes)" not in r.stderr, r.stderr
    done = cmd("train", path, "--target", "y", "--epochs", "1", "--out", tmp_path / "o.npz", "--encoding", codec,
               *more)
    assert done.returncode == 0, done.stderr


def test_a_binary_file_is_still_not_text(tmp_path):
    from chainrule.data.opening import utf16_unmarked
    assert utf16_unmarked(bytes(range(256)) * 4) is None
    assert utf16_unmarked(b"\x00" * 64) is None


@pytest.mark.parametrize("command", [["predict", "MODEL", "/dev/stdin"],
                                     ["train", "/dev/stdin", "--target", "y", "--out", "o.npz", "--stream"]])
def test_dev_stdin_on_a_terminal_is_said_at_once(data, tmp_path, command):
    model = trained(data)
    leader, follower = os.openpty()                # standard input a terminal, as a shell's with nothing piped
    try:
        r = subprocess.run([sys.executable, "-m", "chainrule.cli", *[str(model) if c == "MODEL" else c
                                                                     for c in command]],
                           stdin=follower, capture_output=True, text=True, cwd=tmp_path, timeout=60, check=False)
    finally:
        os.close(follower)
        os.close(leader)
    assert r.returncode == 2 and "'/dev/stdin' is a terminal, with nothing piped in" in r.stderr, r.stderr


def test_a_terminal_named_with_a_file_piped_in_is_not_said_to_have_nothing_piped(data, tmp_path):
    """A terminal device named as the data (a pseudo-terminal's own path, as /dev/tty names a shell's) while a CSV
    file is piped in: the refusal said "with nothing piped in", untrue; it says the name is a terminal, not a file."""
    model = trained(data)
    leader, follower = os.openpty()
    terminal = os.ttyname(follower)
    try:
        r = subprocess.run([sys.executable, "-m", "chainrule.cli", "predict", str(model), terminal],
                           input=data.read_text(), capture_output=True, text=True, cwd=tmp_path, timeout=60,
                           check=False)
    finally:
        os.close(follower)
        os.close(leader)
    assert r.returncode == 2 and f"CSV file '{terminal}' is a terminal, not a file" in r.stderr, r.stderr
    assert "nothing piped" not in r.stderr, r.stderr


@pytest.mark.parametrize("n, val_split", [(1, 0.2), (3, 0.9)])
def test_a_val_split_that_leaves_no_training_row_says_what_it_holds_out(data, tmp_path, n, val_split):
    import math
    pd.read_csv(data).head(n).to_csv(tmp_path / "few.csv", index=False)
    held = n - math.floor(n * (1 - val_split))                        # Keras' count of validation rows
    r = cmd("train", tmp_path / "few.csv", "--target", "y", "--val-split", val_split, "--out", tmp_path / "o.npz")
    rows = "row" if n == 1 else "rows"
    assert r.returncode == 2 and held == n, r.stderr
    assert f"--val-split {val_split} leaves no row to train on: it holds out {held} of the file's {n} {rows}" \
        in r.stderr, r.stderr


@pytest.mark.parametrize("option, value", [("--features", "a,y"), ("--drop", "y")])
def test_the_target_among_the_inputs_names_the_option_given(data, tmp_path, option, value):
    r = cmd("train", data, "--target", "y", option, value, "--out", tmp_path / "o.npz")
    other = {"--features": "--drop", "--drop": "--features"}[option]
    assert r.returncode == 2 and f"the target column 'y' cannot be in {option}: " in r.stderr, r.stderr
    assert other not in r.stderr, r.stderr


@pytest.mark.parametrize("command, own, refused, said", [
    ("explore", ["--port", "x"], ["--data", "DATA"], "--data needs --target"),
    ("plot", ["network"], ["network", "--data", "moons", "--out", "x.png"], "--data is for `plot boundary`"),
    ("plot", ["network"], ["boundary", "--model", "MODEL", "--out", "x.png"], "--model is for `plot network`"),
    ("plot", ["network"], ["curves", "--out", "x.png"], "plot curves needs --history"),
    ("explain", ["--row", "x"], ["MODEL", "--model", "other.npz"], "--model given twice"),
])
def test_other_commands_options_that_do_not_go_together_are_said_as_argparse_says_its_own(data, command, own,
                                                                                            refused, said):
    model = trained(data)
    r = cmd(command, *[{"MODEL": model, "DATA": data}.get(a, a) for a in refused])
    usage, error = argparse_form(r.stderr, command)
    assert r.returncode == 2 and usage == argparse_form(cmd(command, *own).stderr, command)[0], r.stderr
    assert usage.startswith(f"usage: chainrule {command} ") and error.startswith(said), r.stderr


def test_an_option_refusal_on_every_mpi_rank_is_a_refusal_not_an_internal_error():
    """mpiexec -n 2 chainrule train ... --mpi --stream: each rank refuses the options and the ranks' meeting carries
    the refusal to rank 0, which says it (exit 2 as without MPI; the meeting made an internal error of it)."""
    from chainrule.cli import error_line
    from chainrule.cli.usage import OptionError
    from chainrule.training.meeting import rebuilt, report
    said = report(OptionError("--stream and --mpi cannot be combined: give one of them"))
    line, code = error_line(rebuilt([said, said]))
    assert (line, code) == ("chainrule: error: ranks 0, 1 of 2 failed before training: --stream and --mpi cannot be "
                            "combined: give one of them", 2)
