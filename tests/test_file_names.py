"""A name ending in a separator, or an empty one, given to a writer: pathlib reads 'm.onnx/' as 'm.onnx', which
to_onnx and save wrote as a file (and train --out, predict --out), and '' as '.', which the refusal named. Every
writer refuses both now, as Python's own open() refuses them (the same class and errno), and writes nothing."""
import errno
import os

import numpy as np
import pytest
from conftest import cmd
from test_errors import _documented_messages

import chainrule as cr


def net():
    return cr.Network([cr.Dense(2, 3, "tanh"), cr.Dense(3, 1)], seed=0)


def opened(name: str) -> OSError:
    """What Python's open() raises for the name, the independent truth of its class and errno."""
    try:
        open(name, "wb").close()
    except OSError as exc:
        return exc
    raise AssertionError(f"open({name!r}) wrote a file")


WRITERS = {"save": lambda path: net().save(path), "cr.save": lambda path: cr.save(net(), path),
           "to_onnx": lambda path: cr.to_onnx(net(), path), "save_weights": lambda path: net().save_weights(path)}


@pytest.mark.parametrize("writer", WRITERS)
@pytest.mark.parametrize("name, row", [("m.npz/", "save to a folder's name"), ("", "save to an empty name")])
def test_every_writer_refuses_a_folders_name_and_an_empty_one_as_open_does(writer, name, row, tmp_path, monkeypatch):
    if writer == "to_onnx":
        pytest.importorskip("onnx")
        name = name.replace(".npz", ".onnx")
    monkeypatch.chdir(tmp_path)
    truth = opened(name)
    with pytest.raises(OSError) as info:
        WRITERS[writer](name)
    assert type(info.value) is type(truth) and info.value.errno == truth.errno and info.value.filename == name
    assert os.listdir(tmp_path) == []
    if writer == "to_onnx" or name == "":                    # docs/errors.md's rows, whole
        assert str(info.value) == _documented_messages()[row]


@pytest.mark.parametrize("weights_only", [False, True])
def test_model_checkpoint_refuses_a_folders_name_before_the_first_epoch(weights_only, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    network = net()
    before = network.params.copy()
    with pytest.raises(IsADirectoryError) as info:
        network.fit(np.zeros((4, 2)), np.zeros((4, 1)), epochs=1, verbose=0,
                    callbacks=[cr.ModelCheckpoint("ck.npz/", save_weights_only=weights_only)])
    assert info.value.errno == errno.EISDIR == opened("ck.npz/").errno
    assert str(info.value) == _documented_messages()["ModelCheckpoint folder's name"]
    assert os.listdir(tmp_path) == [] and np.array_equal(network.params, before)     # no folder made, no training


def _documented_output(case: str) -> str:
    from pathlib import Path
    doc = (Path(__file__).parent.parent / "docs" / "errors.md").read_text()
    table = doc.split("Output paths (checked before anything is read or trained):", 1)[1].split("\n\n", 2)[1]
    rows = {c[0]: c[1] for c in ([x.strip() for x in line.strip().strip("|").split(" | ")]
                                 for line in table.splitlines()) if len(c) == 2}
    return rows[case]


def test_the_commands_refuse_a_folders_name_and_an_empty_one(sweep_data, tmp_path):
    """train --out, predict --out and export's output: nothing written, the option named (export's 'the output';
    its empty name, as every --out's, is refused as argparse reads it, in docs/errors.md's command-line table)."""
    pytest.importorskip("onnx")
    data = sweep_data / "iris.csv"
    model = tmp_path / "m.npz"
    assert cmd("train", data, "--target", "species", "--epochs", "1", "--out", model).returncode == 0
    runs = [(["train", data, "--target", "species", "--epochs", "1"], "--out", "m.npz"),
            (["predict", model, data], "--out", "p.csv"), (["export", model], "the output", "m.onnx")]
    for args, option, name in runs:
        for given, case in ((f"{name}/", "a folder's name"), ("", "an empty name")):
            out = [given] if option == "the output" else ["--out", given]
            r = cmd(*args, *out, cwd=tmp_path)
            assert r.returncode == 2, (args, given, r.stderr)
            if given == "":        # refused as argparse reads it, each naming what it writes
                said = f"chainrule {args[0]}: error: argument {'out' if option == 'the output' else '--out'}: expected"
                assert r.stderr.splitlines()[-1].startswith(said) and r.stderr.endswith("got ''\n"), r.stderr
                continue
            said = _documented_output(case).replace("--out", option).replace("m.npz", name)
            assert r.stderr.splitlines()[-1] == f"chainrule: error: {said}", r.stderr
    assert sorted(os.listdir(tmp_path)) == ["m.npz"]


@pytest.mark.parametrize("name", ["c.png/", ""])
def test_a_plot_refuses_a_folders_name_and_an_empty_one(name, tmp_path, monkeypatch):
    pytest.importorskip("matplotlib")
    from chainrule.teach.plot import training_curves
    monkeypatch.chdir(tmp_path)
    history = net().fit(np.zeros((4, 2)), np.zeros((4, 1)), epochs=2, verbose=0)
    truth = opened(name)
    with pytest.raises(OSError) as info:
        training_curves(history, name)
    assert type(info.value) is type(truth) and info.value.errno == truth.errno and info.value.filename == name
    assert os.listdir(tmp_path) == []


@pytest.mark.parametrize("writer", WRITERS)
def test_every_writer_refuses_a_name_ending_in_slash_dot(writer, tmp_path, monkeypatch):
    """'m.npz/.' names the folder m.npz, as open() reads it (it refuses to write there); Path drops the '/.' as it
    drops a '/', and save and to_onnx wrote the file m.npz."""
    name = "m.onnx/." if writer == "to_onnx" else "m.npz/."
    if writer == "to_onnx":
        pytest.importorskip("onnx")
    monkeypatch.chdir(tmp_path)
    opened(name)                                            # open() refuses it too
    with pytest.raises(IsADirectoryError) as info:
        WRITERS[writer](name)
    assert info.value.errno == errno.EISDIR and info.value.filename == name
    assert "ends in '/.'" in str(info.value) and repr(name[:-2]) in str(info.value)
    assert os.listdir(tmp_path) == []


@pytest.mark.parametrize("writer", WRITERS)
def test_a_folders_name_given_with_its_slash_is_not_advised_as_a_file_name(writer, tmp_path, monkeypatch):
    """'out/' where out is a folder: open() says it is one; the advice was to give 'out' (a folder too)."""
    if writer == "to_onnx":
        pytest.importorskip("onnx")
    monkeypatch.chdir(tmp_path)
    os.mkdir("out")
    truth = opened("out/")
    with pytest.raises(OSError) as info:
        WRITERS[writer]("out/")
    assert type(info.value) is type(truth) and info.value.errno == truth.errno
    assert "'out'" not in str(info.value) and "give a file name in the folder" in str(info.value)
    assert os.listdir(tmp_path) == ["out"] and os.listdir("out") == []


def test_model_checkpoint_and_plots_refuse_a_name_ending_in_slash_dot(tmp_path, monkeypatch):
    pytest.importorskip("matplotlib")
    from chainrule.teach.plot import training_curves
    monkeypatch.chdir(tmp_path)
    network = net()
    with pytest.raises(IsADirectoryError, match="ends in '/.'"):
        network.fit(np.zeros((4, 2)), np.zeros((4, 1)), epochs=1, verbose=0, callbacks=[cr.ModelCheckpoint("ck.npz/.")])
    history = network.fit(np.zeros((4, 2)), np.zeros((4, 1)), epochs=2, verbose=0)
    with pytest.raises(IsADirectoryError, match="ends in '/.'"):
        training_curves(history, "c.png/.")
    assert os.listdir(tmp_path) == []


def test_the_commands_refuse_a_name_ending_in_slash_dot_and_a_folder_with_its_slash(sweep_data, tmp_path):
    """train --out 'p.npz/.' said 'saved p.npz/.' and wrote p.npz; export wrote p.onnx. 'out/' (a folder) was
    answered 'give the file name without it: 'out'', a folder."""
    pytest.importorskip("onnx")
    data = sweep_data / "iris.csv"
    assert cmd("train", data, "--target", "species", "--epochs", "1", "--out", tmp_path / "m.npz").returncode == 0
    os.mkdir(tmp_path / "out")
    runs = [(["train", data, "--target", "species", "--epochs", "1"], "--out", "p.npz"),
            (["predict", tmp_path / "m.npz", data], "--out", "p.csv"), (["export", tmp_path / "m.npz"], None, "p.onnx")]
    for args, option, name in runs:
        slash_dot = f"'{name}/.' ends in '/.', a folder's name; give the file name without it: '{name}'"
        folder = _documented_output("a folder's name, with its folder").replace("--out ", "")     # docs/errors.md's
        for given, said in ((f"{name}/.", slash_dot), ("out/", folder)):
            r = cmd(*args, *([given] if option is None else [option, given]), cwd=tmp_path)
            assert r.returncode == 2 and r.stderr.splitlines()[-1].endswith(said), (given, r.stderr)
    assert sorted(os.listdir(tmp_path)) == ["m.npz", "out"] and os.listdir(tmp_path / "out") == []


def test_a_sweeps_empty_out_dir_is_refused_not_read_as_this_folder(sweep_data, tmp_path, monkeypatch):
    """--out-dir '' (a variable left unset) wrote sweep_results.csv and best_model.npz here: Path('') is '.', where
    Python's own os.makedirs('') refuses the empty name."""
    from chainrule.errors import ValidationError
    from chainrule.sweep import run_sweep
    with pytest.raises(FileNotFoundError):
        os.makedirs("")
    r = cmd("sweep", sweep_data / "iris.csv", "--target", "species", "--grid", "lr=0.01", "--epochs", "1", "--cv",
            "2", "--out-dir", "", cwd=tmp_path)
    assert r.returncode == 2 and r.stderr.splitlines()[-1] == ("chainrule sweep: error: argument --out-dir: expected a "
                                                               "folder for the results, e.g. sweep (or no --out-dir "
                                                               "for ./sweep); got ''")
    monkeypatch.chdir(tmp_path)
    with pytest.raises(ValidationError, match=r"^out_dir is empty; give a folder name \(None: write nothing\)$"):
        run_sweep(sweep_data / "iris.csv", "species", "lr=0.01", epochs=1, cv=2, out_dir="")
    assert os.listdir(tmp_path) == []


@pytest.mark.parametrize("name", ["log.csv/", "", "log.csv/."])
def test_csv_logger_refuses_a_folders_name_and_an_empty_one_before_the_first_epoch(name, tmp_path, monkeypatch):
    """CSVLogger opened its file at the first epoch's end: open() refused it there, after an epoch of training."""
    monkeypatch.chdir(tmp_path)
    opened(name)                                            # open() refuses it too
    network = net()
    before = network.params.copy()
    with pytest.raises(OSError) as info:
        network.fit(np.zeros((4, 2)), np.ones((4, 1)), epochs=1, verbose=0, callbacks=[cr.CSVLogger(name)])
    assert info.value.filename == name and str(info.value).startswith(f"[Errno {info.value.errno}] CSVLogger: ")
    assert os.listdir(tmp_path) == [] and np.array_equal(network.params, before)     # no training, nothing written


@pytest.mark.parametrize("writer", WRITERS)
def test_a_files_name_with_a_slash_is_refused_in_opens_class(writer, tmp_path, monkeypatch):
    """'m.npz/' where m.npz is a file: open() raises NotADirectoryError (ENOTDIR), not IsADirectoryError; the file
    is left as it was."""
    name = "m.onnx" if writer == "to_onnx" else "m.npz"
    if writer == "to_onnx":
        pytest.importorskip("onnx")
    monkeypatch.chdir(tmp_path)
    with open(name, "wb") as f:
        f.write(b"kept")
    truth = opened(name + "/")
    with pytest.raises(OSError) as info:
        WRITERS[writer](name + "/")
    assert type(info.value) is type(truth) and info.value.errno == truth.errno and info.value.filename == name + "/"
    assert f"give the file name without it: {name!r}" in str(info.value)
    with open(name, "rb") as f:
        assert f.read() == b"kept"


CALLBACK_WRITERS = {"ModelCheckpoint": cr.ModelCheckpoint, "CSVLogger": cr.CSVLogger}


@pytest.mark.parametrize("writer", [*WRITERS, *CALLBACK_WRITERS])
@pytest.mark.parametrize("name", [".", "..", "d", "d/..", "d/"])
def test_every_writer_refuses_a_folder_that_is_there_as_open_does_in_one_message(writer, name, tmp_path, monkeypatch):
    """One rule for every writer: a CSVLogger given '.', '..' or 'd/..' raised ValidationError 'Is a directory' after
    an epoch of training, where save raises IsADirectoryError; ModelCheckpoint on 'd/' said 'filepath names a
    folder' where save says the name ends in '/'."""
    if writer == "to_onnx":
        pytest.importorskip("onnx")
    (tmp_path / "run").mkdir()
    monkeypatch.chdir(tmp_path / "run")
    os.mkdir("d")
    truth = opened(name)
    network = net()
    before = network.params.copy()
    with pytest.raises(OSError) as info:
        if writer in CALLBACK_WRITERS:
            network.fit(np.zeros((4, 2)), np.ones((4, 1)), epochs=1, verbose=0,
                        callbacks=[CALLBACK_WRITERS[writer](name)])
        else:
            WRITERS[writer](name)
    assert type(info.value) is type(truth) and info.value.errno == truth.errno and info.value.filename == name
    said = str(info.value).replace("ModelCheckpoint: ", "").replace("CSVLogger: ", "")
    advice = "the name ends in '/', a folder's (give a file name in the folder)" if name.endswith("/") else \
        "it is a folder (give a file name in it)"
    assert said == f"[Errno 21] Cannot write a file there: {advice}: {name!r}"
    assert np.array_equal(network.params, before) and os.listdir(tmp_path / "run") == ["d"]


def test_csv_logger_refuses_a_file_that_cannot_be_written_before_the_first_epoch(tmp_path):
    """/proc/version (a regular file the kernel will not let be written, even by root): open()'s error came after
    an epoch of training, as a ValidationError."""
    name = "/proc/version"
    if not os.path.exists(name):
        pytest.skip("needs Linux's /proc")
    try:
        open(name, "a").close()
    except OSError as exc:
        truth = exc
    network = net()
    before = network.params.copy()
    with pytest.raises(OSError) as info:
        network.fit(np.zeros((4, 2)), np.ones((4, 1)), epochs=1, verbose=0, callbacks=[cr.CSVLogger(name)])
    assert type(info.value) is type(truth) and info.value.errno == truth.errno and info.value.filename == name
    assert str(info.value).startswith(f"[Errno {truth.errno}] CSVLogger: ")
    assert np.array_equal(network.params, before)
