"""Output names: an empty --out (`--out "$OUT"` unset) is refused as argparse reads it, naming the option, by every
command that writes (predict, train, plot and data refused it only once they ran, in other words than export's);
export writes ONNX only under a name ending in .onnx, as plot writes only .png and .svg names."""
from pathlib import Path

import pytest
from conftest import cmd

import chainrule as cr

IRIS = str(Path(cr.__file__).parent / "data" / "examples" / "iris.csv")


@pytest.fixture(scope="module")
def model(tmp_path_factory):
    path = tmp_path_factory.mktemp("m") / "iris.npz"
    r = cmd("train", IRIS, "--target", "species", "--epochs", "1", "--quiet", "--out", path)
    assert r.returncode == 0, r.stderr
    return path


@pytest.mark.parametrize("argv, expected", [
    (["predict", "MODEL", IRIS, "--out", ""], "the name of the CSV file to write"),
    (["train", IRIS, "--target", "species", "--out", ""], "the name of the model file to write"),
    (["plot", "network", "--model", "MODEL", "--out", ""], "the name of the figure to write"),
    (["data", "iris.csv", "--out", ""], "a folder to copy into"),
])
def test_an_empty_output_name_is_a_usage_error_naming_the_option(argv, expected, model, tmp_path):
    argv = [model if a == "MODEL" else a for a in argv]
    r = cmd(*argv, cwd=tmp_path)
    last = r.stderr.splitlines()[-1]
    assert r.returncode == 2 and last.startswith(f"chainrule {argv[0]}: error: argument --out: expected {expected}")
    assert last.endswith("got ''") and "usage: chainrule" in r.stderr
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize("name", ["model.bin", "model", "model.onnx.bak"])
def test_export_refuses_a_name_not_ending_in_onnx(name, model, tmp_path):
    """Refused before the model is read or onnx imported: no skip without onnx."""
    r = cmd("export", model, tmp_path / name)
    assert r.returncode == 2 and f"must end in .onnx (export writes an ONNX model); got '{tmp_path / name}'" in r.stderr
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize("name", ["model.txt", "model.pkl"])
def test_export_refuses_another_formats_ending_naming_it(name, model, tmp_path):
    """A name of another format's ending is refused by the writers' one rule (nn/filenames.py), naming the ending."""
    pytest.importorskip("onnx")
    r = cmd("export", model, tmp_path / name)
    ending = name[name.rindex("."):]
    assert r.returncode == 2 and f"{ending} is a" in r.stderr and "Give a name ending in .onnx" in r.stderr
    assert list(tmp_path.iterdir()) == []


def test_export_writes_an_onnx_name_in_any_case(model, tmp_path):
    """`M.ONNX` is an ONNX name (plot takes .PNG alike); onnxruntime runs what is written there."""
    ort = pytest.importorskip("onnxruntime")
    assert cmd("export", model, tmp_path / "M.ONNX").returncode == 0
    session = ort.InferenceSession(str(tmp_path / "M.ONNX"))
    assert [o.name for o in session.get_outputs()] == ["prediction", "probabilities"]


def test_plot_refuses_an_empty_history_as_read(tmp_path):
    """`--history "$RUN"` unset plotted the current folder's history.jsonl (Path('') is '.') as if it were named; it
    is refused as --out is, before anything is drawn."""
    cwd = tmp_path / "here"
    r = cmd("train", IRIS, "--target", "species", "--epochs", "2", "--quiet", "--out", tmp_path / "m.npz",
            "--checkpoint-dir", cwd)
    assert r.returncode == 0 and (cwd / "history.jsonl").is_file(), r.stderr
    r = cmd("plot", "curves", "--history", "", "--out", tmp_path / "c.png", cwd=cwd)
    last = r.stderr.splitlines()[-1]
    assert r.returncode == 2 and last.startswith("chainrule plot: error: argument --history: expected a run's "
                                                 "--checkpoint-dir") and last.endswith("got ''"), r.stderr
    assert not (tmp_path / "c.png").exists()
