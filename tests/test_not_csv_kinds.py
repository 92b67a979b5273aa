"""Files given where a CSV file goes that hold no NUL byte or have no magic number of their own: an ONNX model
(onnx.save's protobuf) was read as 8 rows of 1 column, lzma's older format (joblib's compress='lzma') was told
"NUL bytes" and a cut lz4 frame "not UTF-8 text"; now lzma's is read as gzip, bz2 and xz are, and lz4 is told
"compressed: decompress it"."""
from __future__ import annotations

import io
import lzma
import pickle

import pytest
from conftest import cmd

from chainrule.data.csvfile import read_csv
from chainrule.errors import ValidationError

TEXT = "x,y\n" + "".join(f"{i / 10},{i % 2}\n" for i in range(20))


def onnx_identity() -> bytes:
    onnx = pytest.importorskip("onnx")
    from onnx import TensorProto, helper
    x, y = (helper.make_tensor_value_info(n, TensorProto.FLOAT, [1]) for n in "xy")
    model = helper.make_model(helper.make_graph([helper.make_node("Identity", ["x"], ["y"])], "g", [x], [y]))
    onnx.checker.check_model(model)
    return model.SerializeToString()


def train(tmp_path, path):
    return cmd("train", path, "--target", "y", "--out", tmp_path / "m.npz", "--epochs", "1", "--quiet")


@pytest.mark.parametrize("name", ["o.onnx", "o.csv"])
def test_an_onnx_model_is_named_where_a_csv_file_goes(tmp_path, name):
    data = onnx_identity()
    assert b"\0" not in data                     # no NUL byte: it was read as text
    path = tmp_path / name
    path.write_bytes(data)
    r = train(tmp_path, path)
    assert r.returncode == 2 and "is an ONNX model, not CSV text" in r.stderr, r.stderr


@pytest.mark.parametrize("start", ["", "x", "1", '"x"', "\ufeff", " ", "]", "\b"])
def test_text_starting_with_any_character_is_still_read(tmp_path, start):
    """A text CSV file whatever its first character (a backspace, ']' too: the starts told apart above)."""
    path = tmp_path / "d.csv"
    path.write_text(start + TEXT[1:] if start == '"x"' else start + TEXT, encoding="utf-8")
    frame = read_csv(path)
    assert len(frame) == 20 and list(frame.columns)[1] == "y"


PACKED = {# an lz4 frame (its magic, descriptor and checksum byte) cut short after its header
          "lz4 cut short": (lambda: b"\x04\x22\x4d\x18\x64\x40\xa7", "lz4", "unlz4")}


@pytest.mark.parametrize("kind", PACKED)
def test_lz4_files_are_named_compressed(tmp_path, kind):
    pack, name, unpack = PACKED[kind]
    data = pack()
    path = tmp_path / "data.csv"
    path.write_bytes(data)
    r = train(tmp_path, path)
    said = f"is {name}-compressed, not text: decompress it first (e.g. {unpack} '{path}')"
    assert r.returncode == 2 and said in r.stderr, r.stderr
    with pytest.raises(ValidationError, match=f"is {name}-compressed"):
        read_csv(io.BytesIO(data))


def test_lzma_text_is_read_as_pandas_reads_it_and_an_lzma_pickle_is_not_text(tmp_path):
    """lzma's older format (joblib's compress='lzma') is decompressed as pandas' "xz" reading decompresses it."""
    import pandas as pd
    path = tmp_path / "data.csv"
    path.write_bytes(lzma.compress(TEXT.encode(), format=lzma.FORMAT_ALONE))
    assert read_csv(path).equals(pd.read_csv(path, compression="xz"))
    assert train(tmp_path, path).returncode == 0
    path.write_bytes(lzma.compress(pickle.dumps({"w": list(range(50))}), format=lzma.FORMAT_ALONE))
    r = train(tmp_path, path)
    assert r.returncode == 2 and "is not a text file (it holds NUL bytes)" in r.stderr, r.stderr
