"""A short binary file was said to be text ("a CSV file of data?"): a NUL byte alone told binary from text, and a
long binary file holds one in its first kilobytes, but a few bytes of an image or of random data may not. They are
told now as `file(1)` tells them: control characters (beyond DOS's end-of-file mark) or an image's first bytes."""
from pathlib import Path

import pytest
from conftest import cmd

import chainrule as cr
from chainrule.data.filecontent import file_kind, kind_of

IRIS = Path(cr.__file__).parent / "data" / "examples" / "iris.csv"
PNG = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR"          # a PNG file's first bytes (its NUL: binary all along)
SHORT = {"png start": PNG[:4], "jpeg start": b"\xff\xd8\xff\xe0", "controls": b"\x08\x07\x02",
         "random": b"\xa9\x7f\xb2\x11", "png signature": PNG[:8]}


@pytest.mark.parametrize("name", sorted(SHORT))
def test_a_short_binary_file_is_binary(name, tmp_path):
    path = tmp_path / "f"
    path.write_bytes(SHORT[name])
    assert file_kind(path) == "binary"
    assert kind_of(path) == ("binary", "binary data of another kind")


@pytest.mark.parametrize("data", [b"a,b\n1,2\n", b"a,b\r\n1,2\r\n\x1a", "caf\u00e9,b\n1,2\n".encode("latin-1"),
                                  "\u00e9t\u00e9,\u00fc\n1,2\n".encode(), b"\x1b[1ma\x1b[0m,b\n1,2\n\x0c"])
def test_text_stays_text(data, tmp_path):
    """CSV text in UTF-8 or Latin-1, CRLF lines ending in DOS's end-of-file mark, escapes and a form feed."""
    path = tmp_path / "t.csv"
    path.write_bytes(data)
    assert file_kind(path) == "text"


@pytest.mark.parametrize("name", sorted(SHORT))
def test_predict_refuses_a_short_binary_file_as_csv(name, tmp_path):
    """As data, refused as binary (it was read as a header without rows, or as text in another encoding); as the
    model, "not an .npz archive", never "it is text (a CSV file of data?)"."""
    model = tmp_path / "m.npz"
    assert cmd("train", IRIS, "--target", "species", "--epochs", "1", "--quiet", "--out", model).returncode == 0
    data = tmp_path / "d.bin"
    data.write_bytes(SHORT[name])
    r = cmd("predict", model, data)
    assert r.returncode == 2 and f"CSV file '{data}' is " in r.stderr and ", not CSV text" in r.stderr, r.stderr
    r = cmd("predict", data, IRIS)
    assert r.returncode == 2 and "not a chainrule model file" in r.stderr and "text" not in r.stderr, r.stderr
