"""A path of the wrong type is refused in one message by every reader and writer, its value shown as save's was
("got b'm.npz/' (bytes)"): to_onnx, from_onnx and load_foreign said "got bytes" alone."""
import pytest

import chainrule as cr
from chainrule.errors import ChainruleTypeError

pytest.importorskip("onnx")


def net():
    return cr.Network([cr.Dense(2, 1, "sigmoid")], seed=0)


@pytest.mark.parametrize("call", [lambda p: cr.save(net(), p), lambda p: cr.to_onnx(net(), p), cr.load,
                                  cr.load_foreign, cr.from_onnx], ids=["save", "to_onnx", "load", "load_foreign",
                                                                     "from_onnx"])
def test_a_path_of_the_wrong_type_is_shown_with_its_value(tmp_path, monkeypatch, call):
    monkeypatch.chdir(tmp_path)
    with pytest.raises(ChainruleTypeError) as info:
        call(b"m.onnx")
    said = str(info.value)
    assert said.startswith("path must be a file name (str or os.PathLike)") and said.endswith("; got b'm.onnx' (bytes)")
    assert list(tmp_path.iterdir()) == []                         # nothing written


def test_a_models_bytes_given_as_its_path_are_cut_short(tmp_path):
    import onnx
    cr.to_onnx(net(), tmp_path / "m.onnx")
    blob = (tmp_path / "m.onnx").read_bytes()
    assert isinstance(onnx.load_from_string(blob), onnx.ModelProto)      # a real model's bytes, not a file name
    with pytest.raises(ChainruleTypeError) as info:
        cr.from_onnx(blob)
    assert len(str(info.value)) < 160 and str(info.value).endswith("... (bytes)")


@pytest.mark.parametrize("call", [lambda p: cr.save(net(), p), lambda p: cr.to_onnx(net(), p), cr.load,
                                  cr.load_foreign, cr.from_onnx], ids=["save", "to_onnx", "load", "load_foreign",
                                                                     "from_onnx"])
@pytest.mark.parametrize("given", ["tensor", "dtype", "class"])
def test_what_is_no_model_given_as_a_path_is_not_called_one(call, given):
    """A torch tensor or dtype (any object of torch's) and a class (predict its method) were told they were "a model,
    not a file's name"."""
    torch = pytest.importorskip("torch")
    value = {"tensor": torch.zeros(3), "dtype": torch.float32, "class": cr.Network}[given]
    with pytest.raises(ChainruleTypeError, match=r"path must be a file name") as info:
        call(value)
    assert "a model" not in str(info.value) and str(info.value).endswith(f"({type(value).__name__})")


def test_a_torch_module_given_as_a_path_is_called_a_model():
    torch = pytest.importorskip("torch")
    with pytest.raises(ChainruleTypeError, match=r"got Linear\(.*\) \(Linear\), a model, not a file's name"):
        cr.load(torch.nn.Linear(2, 1))
