"""Text CSV files with a stray control character (a pasted bell or backspace, even in a short file or packed in the
first kilobytes a file is judged by) or padded with DOS's end-of-file marks were refused as binary data with no way
round; they are text, and the stray characters' files are predicted as the same file without them is."""
from pathlib import Path

import pytest
from conftest import cmd

import chainrule as cr
from chainrule.data.filecontent import file_kind

IRIS = Path(cr.__file__).parent / "data" / "examples" / "iris.csv"
LINES = IRIS.read_bytes().splitlines(keepends=True)
SHORT = b"".join(LINES[:6])                          # the header and five rows: far under the 4096 bytes looked at
LONG = b"".join(LINES)


def _stray(data: bytes, every: int, char: bytes = b"\x07") -> bytes:
    """`data` with `char` at the end of every `every`-th row's species (a column copied by --id, never read)."""
    lines = data.splitlines(keepends=True)
    return b"".join(line.replace(b"\n", char + b"\n") if i and i % every == 0 else line
                    for i, line in enumerate(lines))


CASES = {"a bell in a short file": (_stray(SHORT, 5), SHORT),
         "a backspace in a short file": (_stray(SHORT, 5, b"\x08"), SHORT),
         "DOS padding": (SHORT + b"\x1a" * 122, SHORT),
         "an end-of-file mark, then a line end": (SHORT + b"\x1a\r\n", SHORT),
         "strays packed in the first kilobytes": (_stray(LONG, 2)[:4096].rsplit(b"\n", 1)[0] + b"\n",
                                                  LONG[:4096].rsplit(b"\n", 1)[0] + b"\n")}


@pytest.mark.parametrize("name", sorted(CASES))
def test_text_with_stray_controls_is_text(name, tmp_path):
    path = tmp_path / "t.csv"
    path.write_bytes(CASES[name][0])
    assert file_kind(path) == "text"


@pytest.mark.parametrize("name", sorted(name for name in CASES if "DOS" not in name and "end-of-file" not in name))
def test_text_with_stray_controls_is_predicted_as_without(name, tmp_path):
    model = tmp_path / "m.npz"
    assert cmd("train", IRIS, "--target", "species", "--epochs", "1", "--quiet", "--out", model).returncode == 0
    given, clean = tmp_path / "given.csv", tmp_path / "clean.csv"
    given.write_bytes(CASES[name][0])
    clean.write_bytes(CASES[name][1])
    r, want = cmd("predict", model, given), cmd("predict", model, clean)
    assert want.returncode == 0, want.stderr
    assert r.returncode == 0, r.stderr
    assert r.stdout == want.stdout
