"""A note's short bracket stays whole on a terminal: explain's --weights note broke "(a row per input)" as "(a" /
"row per input)" at every width from 59 to 74 columns (fit_lines broke a summary line at any space but a quoted
name's); a bracketed group under 20 characters is now one word, as a quoted name is."""
import json
import re
import sys

from conftest import cli_in_process


def test_a_notes_short_bracket_is_never_split_at_any_width(tmp_path, capsys, monkeypatch):
    path = tmp_path / "w.json"        # a 2-2-1 network: W1 square, which the note says how it reads
    path.write_text(json.dumps([[[0.1, 0.2], [0.3, 0.4]], [0.0, 0.0], [[0.5], [0.6]], [0.0]]))
    monkeypatch.setattr(sys.stderr, "isatty", lambda: True)
    args = ("explain", "--layers", "2,2,1", "--weights", path, "--inputs", "1,0", "--targets", "1")
    monkeypatch.setenv("COLUMNS", "0")
    whole = cli_in_process(capsys, *args)[2].splitlines()[0]
    assert "(a row per input)" in whole, whole
    for width in range(40, 121):
        monkeypatch.setenv("COLUMNS", str(width))
        code, _, err = cli_in_process(capsys, *args)
        note = err.splitlines()[:len(whole) // 30 + 2]
        lines = [ln for ln in err.splitlines() if ln.strip()]
        assert code == 0 and " ".join(ln.strip() for ln in lines).startswith(whole), (width, err)
        split = [ln for ln in lines if ln.count("(") != ln.count(")") and len(ln) <= width]
        assert split == [], (width, note)
        assert all(len(ln) <= width for ln in lines if not re.search(r"\S{40,}", ln)), (width, err)
