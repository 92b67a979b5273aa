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


def test_a_notes_formula_is_not_broken_beside_its_sign():
    """The fused delta's note broke 'leaves out_o - target_o' as 'leaves out_o' / '- target_o' (at 60 columns, a line
    starting with a minus, read as a list item or a negative number): prose breaks beside a sign only where the
    formula does not fit on a line."""
    import numpy as np

    import chainrule as cr
    from chainrule.teach.width import fit_width
    for loss, act, Y in [("binary_crossentropy", "sigmoid", [[1.0]]), ("categorical_crossentropy", "softmax",
                                                                       [[1.0, 0.0, 0.0]])]:
        net = cr.Network([cr.Dense(2, len(Y[0]), act)], loss=loss, seed=0)
        note = next(ln for ln in cr.explain(net, np.array([[1.0, 0.0]]), np.array(Y)).text().splitlines()
                    if ln.startswith("  Why"))
        for width in range(40, 121):
            lines = fit_width(note, width).splitlines()
            assert " ".join(ln.strip() for ln in lines).split() == note.split(), width
            assert [ln for ln in lines if re.match(r"\s*[-+*/=] ", ln)] == [], (width, lines)
            assert [ln for ln in lines if len(ln) > width] == [], (width, lines)


def test_bracketed_words_that_fit_no_line_start_where_their_first_word_fits():
    """The flushed delta's note at 54 columns ran to 56: '... to 0 (it' filled its line on with the bracket's first
    word, which did not fit there; the bracket now starts on the next line where it must."""
    import numpy as np

    import chainrule as cr
    from chainrule.teach.width import fit_width
    weights = [np.array([[0.3], [0.2]]), np.array([0.35]), np.array([[0.5]]), np.array([0.1]), np.array([[0.5]]),
               np.array([0.1]), np.array([[1e-300]]), np.array([0.6])]
    net = cr.Network([cr.Dense(2, 1, "tanh"), cr.Dense(1, 1, "tanh"), cr.Dense(1, 1, "tanh"),
                      cr.Dense(1, 1, "linear")], loss="sse")
    net.set_weights(weights)
    text = cr.explain(net, np.array([[0.05, 0.1], [0.05, 0.1]]), np.array([[0.01], [0.01]])).text()
    notes = [ln for ln in text.splitlines() if "reads 0 here" in ln or "in magnitude: the engine" in ln]
    assert len(notes) >= 2, text
    for note in notes:
        for width in range(40, 121):
            lines = fit_width(note, width).splitlines()
            assert " ".join(ln.strip() for ln in lines).split() == note.split(), width
            assert [ln for ln in lines if len(ln) > width] == [], (width, lines)
