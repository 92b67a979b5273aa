"""scale.md said `CsvStream` needs NumPy alone (its example's comment, its table's "from Python"), while it reads
every chunk with pandas, the 'cli' extra, and without pandas it failed deep in a chunk with a bare
ModuleNotFoundError. The README still introduced docs/tutorial.md as "A CSV file, round trip" after the tutorial
came to open on the seed's network and the reader's own."""
from __future__ import annotations

import re
import sys

import pytest
from test_docs import ROOT

from chainrule.data.stream import CsvStream


def _refusal(tmp_path, monkeypatch) -> str:
    (tmp_path / "a.csv").write_text("x,y\n" + "".join(f"{i},{i % 2}\n" for i in range(20)))
    monkeypatch.setitem(sys.modules, "pandas", None)          # an install without the 'cli' extra
    with pytest.raises(ModuleNotFoundError) as info:
        with CsvStream(tmp_path / "a.csv", rows=5) as stream:
            stream.fit("y")
    return str(info.value)


def test_csvstream_without_pandas_names_the_package_and_extra(tmp_path, monkeypatch):
    message = _refusal(tmp_path, monkeypatch)
    assert message.startswith("CsvStream needs pandas: pip install"), message
    assert "pip install '.[cli]'" in message, message


def test_scale_names_the_extra_csvstream_needs(tmp_path, monkeypatch):
    extra = re.search(r"pip install '\.\[(\w+)\]'", _refusal(tmp_path, monkeypatch))
    assert extra
    text = (ROOT / "docs" / "scale.md").read_text()
    wrong = [line for line in text.splitlines() if "CsvStream" in line and "NumPy alone" in line.split("CsvStream")[1]]
    assert not wrong, wrong
    row = next(line for line in text.splitlines() if line.startswith("|") and "--stream" in line)
    part = next((p for p in row.split(";") if "CsvStream" in p), "")
    assert f"'.[{extra.group(1)}]'" in part, row


def test_the_readme_introduces_the_tutorial_by_its_steps_in_order():
    """The README's paragraph linking docs/tutorial.md names its first steps in the tutorial's order."""
    tutorial = (ROOT / "docs" / "tutorial.md").read_text()
    subjects = [re.sub(r"^(the|your|a) ", "", title.split(",")[0].lower())
                for title in re.findall(r"^## \d+\. (.+)$", tutorial, re.M)[:3]]
    paragraph = next(p for p in (ROOT / "README.md").read_text().split("\n\n") if "(docs/tutorial.md)" in p)
    flat = " ".join(paragraph.lower().split())
    where = [flat.find(s) for s in subjects]
    assert -1 not in where and where == sorted(where), (subjects, paragraph)
