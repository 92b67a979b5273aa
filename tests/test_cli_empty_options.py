"""An option given empty (an unset variable: `--target "$T"`) is refused as empty, naming the option, as --drop,
--features and --model are: it was looked up as a column or scorer named '', or silently read as left out."""
import pytest
from conftest import cmd


@pytest.fixture
def table(tmp_path):
    path = tmp_path / "t.csv"
    path.write_text("a,c,y\n1,red,x\n2,blue,z\n3,red,x\n4,blue,z\n")
    return path


@pytest.mark.parametrize("command, option", [
    ("train", "--target"), ("sweep", "--target"), ("sweep", "--scoring"), ("train", "--encoding")])
@pytest.mark.parametrize("empty", ["", "  "])
def test_an_empty_option_is_refused_as_empty_naming_the_option(table, tmp_path, command, option, empty):
    given = {"--target": "y", "--out": tmp_path / "m.npz", "--epochs": "1"} if command == "train" else {
        "--target": "y", "--grid": "lr=0.1"}
    given[option] = empty
    done = cmd(command, table, *[w for pair in given.items() for w in pair])
    error = done.stderr.splitlines()[-1]
    assert done.returncode == 2 and not (tmp_path / "m.npz").exists()
    assert error.startswith(f"chainrule {command}: error: argument {option}: expected ")
    assert error.endswith(f"; got {empty!r}")


@pytest.mark.parametrize("command", ["train", "sweep"])
def test_an_empty_thousands_is_refused_where_it_meant_none(table, tmp_path, command):
    # a space is a thousands separator (1 234,5): only nothing given is refused, as --encoding ''
    given = ["--out", tmp_path / "m.npz", "--epochs", "1"] if command == "train" else ["--grid", "lr=0.1"]
    done = cmd(command, table, "--target", "y", *given, "--thousands", "")
    assert done.returncode == 2 and not (tmp_path / "m.npz").exists()
    error = done.stderr.splitlines()[-1]
    assert error.startswith(f"chainrule {command}: error: argument --thousands: expected ") and error.endswith("''")


@pytest.mark.parametrize("option, value", [("--sep", ""), ("--sep", "ab"), ("--decimal", ""), ("--decimal", ",,")])
def test_a_separator_or_decimal_mark_not_one_character_is_refused_naming_the_option(table, tmp_path, option, value):
    # the reader's own words name 'the separator', 'the decimal mark': the command line's name the option given
    done = cmd("train", table, "--target", "y", "--out", tmp_path / "m.npz", option, value)
    assert done.returncode == 2 and not (tmp_path / "m.npz").exists()
    error = done.stderr.splitlines()[-1]
    assert error.startswith(f"chainrule train: error: argument {option}: ") and error.endswith(repr(value))
