"""`chainrule export` as a new user: --input-type given for a `chainrule train` model was refused in the Python
argument's name ("input_type is for a network's one input"), not the option's, on a bare 'chainrule: error:' line; an
export without its OUT was not said as argparse says a missing argument (the command's usage, then its error line).
Both are now said under export's usage, exit code 2, naming the option, and nothing is written."""
import pytest
from conftest import cmd

pytest.importorskip("onnx")
ROWS = "a,b,y\n" + "".join(f"{i % 7},{(i * 3) % 5},{'xy'[i % 2]}\n" for i in range(40))


@pytest.fixture
def model(tmp_path):
    (tmp_path / "t.csv").write_text(ROWS)
    assert cmd("train", "t.csv", "--target", "y", "--epochs", "1", "--out", "m.npz", "--quiet",
               cwd=tmp_path).returncode == 0
    return tmp_path


@pytest.mark.parametrize("words, said", [
    (["m.npz", "m.onnx", "--input-type", "int64"], "--input-type int64 is for a network's one input; m.npz is a "
                                                   "`chainrule train` model"),
    (["m.npz", "--input-type", "float32"], "export needs the ONNX file to write"),
    (["m.npz"], "export needs the ONNX file to write: chainrule export MODEL OUT (or --out OUT)"),
])
def test_export_refusals_are_said_under_its_usage(model, words, said):
    done = cmd("export", *words, cwd=model)
    assert done.returncode == 2 and done.stdout == "", done.stderr
    lines = done.stderr.strip().splitlines()
    assert lines[0].startswith("usage: chainrule export "), done.stderr
    assert lines[-1].startswith(f"chainrule export: error: {said}"), done.stderr
    assert "input_type" not in done.stderr and not (model / "m.onnx").exists()


def test_input_type_still_exports_a_network(model, tmp_path):
    """The refusal is for a CSV model alone: a network's one input still takes --input-type (onnxruntime runs it)."""
    import numpy as np
    ort = pytest.importorskip("onnxruntime")

    import chainrule as cr
    net = cr.Network([cr.Dense(2, 3, "tanh"), cr.Dense(3, 1, "linear")], loss="mse", seed=0)
    net.save(tmp_path / "n.npz")
    done = cmd("export", "n.npz", "n.onnx", "--input-type", "int64", cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    x = np.array([[1, 2], [3, -4]], dtype=np.int64)
    got = ort.InferenceSession(str(tmp_path / "n.onnx")).run(None, {"input": x})[0]
    np.testing.assert_allclose(got, net.predict(x.astype(np.float64)), rtol=0, atol=1e-12)
