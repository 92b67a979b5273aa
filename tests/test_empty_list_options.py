"""A list-valued option given an empty value (an unset variable: `--drop "$COLS"`) is refused, saying how to mean
none, as --features "" and --class-weight "" are: --drop "" and --text "" trained on every column as it was, and
--na-values "" read no marker, without a word. A column option given an empty name says how to mean none too."""
import pytest
from conftest import cmd


def _file(tmp_path):
    (tmp_path / "t.csv").write_text("a,b,y\n" + "".join(f"{i % 7},{i % 3},{'xy'[i % 2]}\n" for i in range(20)))
    return "t.csv"


@pytest.mark.parametrize("option", ["--drop", "--text", "--features", "--na-values"])
@pytest.mark.parametrize("command", ["train", "sweep"])
@pytest.mark.parametrize("value", ["", " ", ","])
def test_an_empty_list_is_refused_by_train_and_sweep(tmp_path, option, command, value):
    more = ["--grid", "lr=0.01", "--out-dir", "sw"] if command == "sweep" else ["--out", "m.npz"]
    done = cmd(command, _file(tmp_path), "--target", "y", "--epochs", "1", *more, option, value, cwd=tmp_path)
    assert done.returncode == 2, done.stderr
    assert f"argument {option}: expected" in done.stderr and f"(or no {option} " in done.stderr, done.stderr
    assert f"got {value!r}" in done.stderr
    assert sorted(p.name for p in tmp_path.iterdir()) == ["t.csv"]


@pytest.mark.parametrize("command", ["predict", "evaluate"])
def test_an_empty_na_values_is_refused_reading_for_a_model(tmp_path, command):
    _file(tmp_path)
    assert cmd("train", "t.csv", "--target", "y", "--epochs", "1", "--out", "m.npz", cwd=tmp_path).returncode == 0
    done = cmd(command, "m.npz", "t.csv", "--na-values", "", cwd=tmp_path)
    assert done.returncode == 2, done.stderr
    assert "argument --na-values: expected" in done.stderr and "(or no --na-values " in done.stderr, done.stderr


@pytest.mark.parametrize("command", ["train", "sweep", "evaluate", "predict --id"])
def test_an_empty_column_name_says_how_to_mean_none(tmp_path, command):
    _file(tmp_path)
    assert cmd("train", "t.csv", "--target", "y", "--epochs", "1", "--out", "m.npz", cwd=tmp_path).returncode == 0
    args = {"train": ["train", "t.csv", "--target", "y", "--epochs", "1", "--out", "n.npz", "--weight", ""],
            "sweep": ["sweep", "t.csv", "--target", "y", "--epochs", "1", "--grid", "lr=0.01", "--weight", ""],
            "evaluate": ["evaluate", "m.npz", "t.csv", "--weight", ""],
            "predict --id": ["predict", "m.npz", "t.csv", "--id", ""]}[command]
    done = cmd(*args, cwd=tmp_path)
    assert done.returncode == 2, done.stderr
    option = args[-2]           # refused as argparse reads it, naming the option (tests/test_cli64_options.py)
    assert f"argument {option}: expected the name of " in done.stderr and f"(or no {option} for none)" in \
        done.stderr, done.stderr


def test_names_among_empty_items_are_kept(tmp_path):
    """'a,' (a trailing comma) still names a: only a list naming nothing is refused."""
    done = cmd("train", _file(tmp_path), "--target", "y", "--epochs", "1", "--out", "m.npz", "--drop", "a,",
               cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    assert "left out: ['a']" in done.stderr or "left out: 'a'" in done.stderr, done.stderr


def test_docs_errors_shows_the_messages_as_said(tmp_path):
    from pathlib import Path
    doc = (Path(__file__).parents[1] / "docs" / "errors.md").read_text()
    _file(tmp_path)
    drop = cmd("train", "t.csv", "--target", "y", "--out", "m.npz", "--drop", "", cwd=tmp_path)
    weight = cmd("train", "t.csv", "--target", "y", "--epochs", "1", "--out", "m.npz", "--weight", "", cwd=tmp_path)
    for done in (drop, weight):
        line = done.stderr.strip().splitlines()[-1]
        assert f"| {line.removeprefix('chainrule: error: ')} |" in doc, line


@pytest.mark.parametrize("args", [["explain", "--layers", ""], ["explain", "--model", " "], ["explain", ""],
                                  ["explain", "--layers", "2,3,2", "--activation", ""],
                                  ["explain", "--layers", "2,3,2", "--loss", ""],
                                  ["explain", "--layers", "2,3,2", "--weights", ""],
                                  ["explain", "--model", "m.npz", "--data", ""],
                                  ["explore", "--model", "", "--port=-1"], ["explore", "", "--port=-1"],
                                  ["explore", "--data", "", "--target", "y", "--port=-1"],
                                  ["explore", "--data", "t.csv", "--target", "", "--port=-1"],
                                  ["plot", "network", "--model", "", "--out", "n.svg"]])
def test_an_empty_value_of_explain_explore_and_plot_is_refused(tmp_path, args):
    """Each showed the seed's network (or sigmoid, sse, random weights) as if the option were left out. (explore's
    --port=-1, refused after the empty value, ends the command where the empty value would be taken for none.)"""
    _file(tmp_path)
    assert cmd("train", "t.csv", "--target", "y", "--epochs", "1", "--out", "m.npz", cwd=tmp_path).returncode == 0
    done = cmd(*args, cwd=tmp_path)
    assert done.returncode == 2, done.stderr
    option = next((a for a, v in zip(args, args[1:]) if a.startswith("--") and not v.strip()), "MODEL")
    assert f"argument {option}: expected" in done.stderr and "(or no --" in done.stderr, done.stderr
    assert sorted(p.name for p in tmp_path.iterdir()) == ["m.npz", "t.csv"]


def test_an_empty_data_out_is_refused(tmp_path):
    """`chainrule data iris.csv --out "$DIR"`, DIR unset, copied into the current folder."""
    done = cmd("data", "iris.csv", "--out", "", cwd=tmp_path)
    assert done.returncode == 2, done.stderr
    assert "argument --out: expected a folder to copy into" in done.stderr, done.stderr
    assert list(tmp_path.iterdir()) == []
