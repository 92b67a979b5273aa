"""export --input-type read its value by name only, where to_onnx(input_type=...) reads any NumPy spelling ('double',
'f8' refused by the command, taken by Python); and input_type='float' was NumPy's float64 silently, where ONNX's FLOAT
is float32 ('int' alike: C's is int32), a graph declared for another type than the deployer meant. Both read one way
now, 'float' and 'int' refused naming the two readings."""
import numpy as np
import onnx
import pytest
from conftest import cmd

import chainrule as cr

ort = pytest.importorskip("onnxruntime")
X = np.arange(-6, 9).reshape(5, 3)


@pytest.mark.parametrize("spelling, fed", [("double", np.float64), ("f8", np.float64), ("i8", np.int64),
                                           ("int32", np.int32)])
def test_export_reads_input_type_as_to_onnx_does(tmp_path, spelling, fed):
    net = cr.Network([cr.Dense(3, 4, "tanh"), cr.Dense(4, 2)], dtype="float32", seed=70)
    net.save(tmp_path / "m.npz")
    out = tmp_path / "m.onnx"
    result = cmd("export", str(tmp_path / "m.npz"), str(out), "--input-type", spelling)
    assert result.returncode == 0, result.stderr
    model = onnx.load(out)
    assert onnx.helper.tensor_dtype_to_np_dtype(model.graph.input[0].type.tensor_type.elem_type) == fed
    session = ort.InferenceSession(str(out), providers=["CPUExecutionProvider"])
    got = session.run(None, {"input": X.astype(fed)})[0]
    np.testing.assert_allclose(got, net.predict(X.astype(fed)), rtol=2e-6, atol=2e-6)


@pytest.mark.parametrize("word", ["float", "FLOAT", "int"])
def test_float_is_refused_naming_numpys_and_onnxs_reading(tmp_path, word):
    net = cr.Network([cr.Dense(3, 2)], seed=70)
    said = rf"{word!r} is {word.lower()}64 to NumPy but {word.lower()}32 to (ONNX|C)"
    with pytest.raises(cr.errors.ValidationError, match=said):
        cr.to_onnx(net, input_type=word)
    net.save(tmp_path / "m.npz")
    result = cmd("export", str(tmp_path / "m.npz"), str(tmp_path / "m.onnx"), "--input-type", word)
    assert result.returncode == 2
    assert f"argument --input-type: {word!r} is {word.lower()}64 to NumPy but {word.lower()}32" in result.stderr
    assert f"{word.lower()}32 or {word.lower()}64" in result.stderr and not (tmp_path / "m.onnx").exists()

