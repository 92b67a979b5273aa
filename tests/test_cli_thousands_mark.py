"""--thousands that cannot be a thousands mark is refused naming the option, before any file is read (the reader's
"the thousands separator must be ..." named no option, and came after a model was read); one that is the --decimal
given too is refused naming both (the reader spoke of the separator instead)."""
import pytest
from conftest import cmd


@pytest.mark.parametrize("mark", ["  ", "5", "ab", '"', "\n"])
@pytest.mark.parametrize("command", [["train", "d.csv", "--target", "y"], ["predict", "missing.npz", "d.csv"],
                                     ["sweep", "d.csv", "--target", "y", "--grid", "lr=0.1"]])
def test_what_cannot_be_a_mark_is_refused_naming_the_option(tmp_path, command, mark):
    (tmp_path / "d.csv").write_text("x,y\n1,a\n2,b\n")
    done = cmd(*command, "--thousands", mark, cwd=tmp_path)
    assert done.returncode == 2
    assert "argument --thousands: expected the thousands separator, one character" in done.stderr
    assert f"got {mark!r}" in done.stderr and "model file" not in done.stderr


def test_the_marks_read_as_given(tmp_path):
    """A space, 'none' and '.' with --decimal ',' are marks (1 234 and 1.234,5 read as numbers), and one that is the
    --decimal too is refused naming both."""
    (tmp_path / "s.csv").write_text('x;y\n"1 234,5";a\n"2 000,0";b\n"3,5";a\n"4 100";b\n')
    spaced = cmd("train", "s.csv", "--target", "y", "--epochs", "1", "--decimal", ",", "--thousands", " ",
                 "--val-split", "0", "--out", "m.npz", cwd=tmp_path)
    assert spaced.returncode == 0, spaced.stderr
    (tmp_path / "n.csv").write_text("x,y\n1,a\n2,b\n3,a\n")
    assert cmd("train", "n.csv", "--target", "y", "--epochs", "1", "--thousands", "None", "--val-split", "0",
               "--out", "n.npz", cwd=tmp_path).returncode == 0
    both = cmd("train", "n.csv", "--target", "y", "--decimal", ",", "--thousands", ",", "--out", "b.npz", cwd=tmp_path)
    assert both.returncode == 2
    assert "--thousands ',' is also --decimal ','" in both.stderr


def test_the_decimal_mark_a_given_thousands_mark_leaves_is_not_called_the_models(tmp_path):
    """predict --thousands '.' of a model whose decimal mark is '.' reads with ',' (the two marks differ), which the
    error about that mark called "the model file's --decimal ','": the file says '.'."""
    import chainrule as cr
    (tmp_path / "d.csv").write_text("x,y\n1,a\n2,b\n3,a\n4,b\n")
    (tmp_path / "p.csv").write_text("x\n1\n")
    assert cmd("train", "d.csv", "--target", "y", "--epochs", "1", "--out", "m.npz", cwd=tmp_path).returncode == 0
    assert cr.load(tmp_path / "m.npz", with_extra=True)[1]["tabular"]["decimal"] == "."
    done = cmd("predict", "m.npz", "p.csv", "--thousands", ".", cwd=tmp_path)
    assert done.returncode == 2 and "the decimal mark ',' is also the separator" in done.stderr, done.stderr
    assert "model file's --decimal" not in done.stderr, done.stderr
