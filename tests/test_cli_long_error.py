"""A refusal too long for one line (an unknown --scoring lists scikit-learn's 60 scorers) was cut at 1000
characters mid-word, losing its last sentence, the close match: the line keeps it and cuts at a word."""
from conftest import cmd
from sklearn.metrics import get_scorer_names

from chainrule.cli import MAX_MESSAGE, clip


def test_an_unknown_scorer_is_answered_with_the_close_one(tmp_path):
    path = tmp_path / "t.csv"
    path.write_text("x,y\n1,a\n2,b\n3,a\n4,b\n")
    run = cmd("sweep", path, "--target", "y", "--grid", "hidden=4", "--scoring", "f1_macor", "--out-dir", tmp_path)
    err = " ".join(run.stderr.split())
    assert run.returncode == 2 and err.endswith("... Did you mean 'f1_macro'?"), err
    listed = err.split("expected one of ")[1].split(" ...")[0].split(", ")
    assert set(listed) <= set(get_scorer_names()), listed          # whole names only, none cut
    assert len(err) <= len("chainrule: error: ") + MAX_MESSAGE


def test_a_long_line_without_a_short_last_sentence_is_cut_at_a_word():
    line = clip("word " * 300, 100)
    assert len(line) <= 100 and line.endswith("word ...") and "wor " not in line
    assert clip("a" * 300, 100) == "a" * 96 + " ..."
    assert clip("short. Fine.", 100) == "short. Fine."
