"""input_type for 64-bit integers as NumPy and torch spell them ('long', 'l', torch.long): the graph's input is
INT64, onnxruntime is fed int64 rows, and the outputs equal predict of the same rows."""
from __future__ import annotations

import numpy as np
import pytest
from conftest import cmd

import chainrule as cr

onnx = pytest.importorskip("onnx")
ort = pytest.importorskip("onnxruntime")
torch = pytest.importorskip("torch")

X = np.array([[1, -2, 3], [40, 5, -7], [0, 0, 0]], dtype=np.int64)


def _run(model, rows):
    session = ort.InferenceSession(model.SerializeToString(), providers=["CPUExecutionProvider"])
    return session.run(None, {"input": rows})[0]


@pytest.mark.parametrize("dtype,tol", [("float64", 1e-12), ("float32", 1e-6)])
@pytest.mark.parametrize("spelling", ["long", "l", "int64", np.int64, "torch.long"])
def test_long_input_is_int64_fed_by_onnxruntime(spelling, dtype, tol):
    given = torch.long if spelling == "torch.long" else spelling
    net = cr.Network([cr.Dense(3, 4, "tanh"), cr.Dense(4, 2)], loss="mse", seed=0, dtype=dtype)
    model = cr.to_onnx(net, input_type=given)
    assert model.graph.input[0].type.tensor_type.elem_type == onnx.TensorProto.INT64
    assert torch.tensor(X).dtype == torch.long
    out = _run(model, X)
    np.testing.assert_allclose(out, net.predict(X), rtol=0, atol=tol)


@pytest.mark.parametrize("dtype,numpy_dtype", [(torch.float32, np.float32), (torch.int32, np.int32),
                                               (torch.uint8, np.uint8), (torch.bool, np.bool_)])
def test_torch_dtypes_read_as_their_numpy_twins(dtype, numpy_dtype):
    net = cr.Network([cr.Dense(3, 2, "sigmoid")], loss="mse", seed=1)
    rows = torch.tensor(X).to(dtype).numpy()
    assert rows.dtype == numpy_dtype
    np.testing.assert_allclose(_run(cr.to_onnx(net, input_type=dtype), rows), net.predict(rows), rtol=0, atol=1e-12)


def test_torch_dtype_without_onnx_form_is_named():
    net = cr.Network([cr.Dense(3, 2)], loss="mse", seed=0)
    with pytest.raises(ValueError, match=r"input_type must be one of .*got torch\.bfloat16"):
        cr.to_onnx(net, input_type=torch.bfloat16)


@pytest.mark.parametrize("spelling", ["long", "l"])
def test_export_input_type_long(tmp_path, spelling):
    net = cr.Network([cr.Dense(3, 2, "tanh")], loss="mse", seed=0)
    cr.save(net, tmp_path / "m.npz")
    result = cmd("export", str(tmp_path / "m.npz"), str(tmp_path / "m.onnx"), "--input-type", spelling)
    assert result.returncode == 0, result.stderr
    model = onnx.load(str(tmp_path / "m.onnx"))
    assert model.graph.input[0].type.tensor_type.elem_type == onnx.TensorProto.INT64
    np.testing.assert_allclose(_run(model, X), net.predict(X), rtol=0, atol=1e-12)


class WindowsNumPy:
    """NumPy as it reads C's long on Windows (32 bits): 'long', 'l', 'ulong', 'L'; every other name as NumPy here."""

    C_LONG = {"long": "int32", "l": "int32", "ulong": "uint32", "L": "uint32"}

    def __getattr__(self, name):
        return getattr(np, name)

    def dtype(self, spelling, *args):
        return np.dtype(self.C_LONG.get(spelling, spelling) if isinstance(spelling, str) else spelling, *args)


@pytest.mark.parametrize("spelling,elem", [("long", "INT64"), ("l", "INT64"), ("ulong", "UINT64"), ("L", "UINT64"),
                                           ("intc", "INT32")])
def test_long_is_64_bits_where_numpy_reads_it_as_32(monkeypatch, spelling, elem):
    """The graph's input does not change with the system that wrote it: 'long' is torch.long's int64 where NumPy
    (on Windows) reads C's 32-bit long; C's int ('intc') stays 32 bits."""
    from chainrule.saving import onnx as writer
    monkeypatch.setattr(writer, "np", WindowsNumPy())
    assert writer.np.dtype("long") == np.int32                  # the stand-in reads as Windows' NumPy does
    net = cr.Network([cr.Dense(3, 2, "tanh")], loss="mse", seed=0)
    model = cr.to_onnx(net, input_type=spelling)
    assert model.graph.input[0].type.tensor_type.elem_type == getattr(onnx.TensorProto, elem)
    monkeypatch.undo()
    rows = np.abs(X).astype(onnx.helper.tensor_dtype_to_np_dtype(getattr(onnx.TensorProto, elem)))
    np.testing.assert_allclose(_run(model, rows), net.predict(rows), rtol=0, atol=1e-12)
