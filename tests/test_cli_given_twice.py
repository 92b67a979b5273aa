"""A file given both as a command's argument and as its option: the refusal says which was which (it said
"--out given twice: 'o.onnx' and --out 'p.onnx'", the first not an --out at all), and one file spelled two ways
(./m.npz and m.npz) is one file, not refused."""
import pytest
from conftest import cmd, csv_model

pytest.importorskip("onnx")


def test_export_names_the_out_argument_and_the_out_option(tmp_path):
    model, _ = csv_model(tmp_path)
    done = cmd("export", model, "o.onnx", "--out", "p.onnx", cwd=tmp_path)
    assert done.returncode == 2
    assert "--out given twice: the OUT argument 'o.onnx' and --out 'p.onnx'; give it once" in done.stderr
    assert not (tmp_path / "o.onnx").exists() and not (tmp_path / "p.onnx").exists()


def test_one_file_spelled_two_ways_is_given_once(tmp_path):
    import onnx
    model, _ = csv_model(tmp_path)
    done = cmd("export", model, "o.onnx", "--out", "./o.onnx", cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    onnx.checker.check_model(onnx.load(tmp_path / "o.onnx"))
    explained = cmd("explain", "m.npz", "--model", "./m.npz", "--inputs", "10,50,red", "--targets", "cat",
                    "--layer", "1", "--neuron", "0", cwd=tmp_path)
    assert explained.returncode == 0, explained.stderr
    refused = cmd("explain", "m.npz", "--model", "n.npz", cwd=tmp_path)
    assert "--model given twice: the MODEL argument 'm.npz' and --model 'n.npz'" in refused.stderr
