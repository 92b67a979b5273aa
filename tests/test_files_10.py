"""The CSV refusals' advice followed as written: the command's line that saves a comma file with ';' run in a real
shell (cells such as 'None' kept as written, the file's encoding kept), the sweep command's own words, the chunk
rows that fit said at once, and a model's decimal mark that is an ordinary file's separator."""
import shlex
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import cmd

from chainrule.data.csvfile import read_csv
from chainrule.data.tabular import Preprocessing
from chainrule.errors import ValidationError


def _run_line(error: str, cwd: Path) -> None:
    """Run the line of the command's refusal exactly as printed, in bash with its history expansion on (as at a
    prompt, where a '!' in double quotes would be taken for an earlier command), its interpreter this one."""
    line = error[error.index("between fields: ") + len("between fields: "):error.index(", then read ")]
    assert line.startswith(shlex.quote(sys.executable) + " -c '"), line
    done = subprocess.run(["bash"], input=f"set -o history -o histexpand\n{line}\n", cwd=cwd, text=True,
                          capture_output=True, timeout=120)
    assert done.returncode == 0 and not done.stderr, done.stderr


def _options(error: str) -> list[str]:
    """The file and options the refusal says to read it with: ['x-semicolon.csv', '--sep', ';', ...]."""
    file, options = error[error.index(", then read ") + len(", then read "):].split(" with ", 1)
    return shlex.split(file) + shlex.split(options)


def test_the_resave_keeps_none_and_na_cells_as_a_hand_written_file(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    rows = [("5", "NA", "p"), ("1,5", "EU", "q"), ("7,25", "NA", "p"), ("8", "EU", "q"), ("6,5", "None", "p"),
            ("9", "N/A", "q"), ("4", "null", "p")]
    Path("na.csv").write_text("a,region,y\n" + "".join(f'"{a}",{r},{y}\n' for a, r, y in rows))
    Path("hand.csv").write_text("a;region;y\n" + "".join(f"{a};{r};{y}\n" for a, r, y in rows))
    r = cmd("train", "na.csv", "--target", "y", "--impute", "most_frequent", "--out", "m.npz")
    assert r.returncode == 2, r.stderr
    error = r.stderr.strip().splitlines()[-1]
    _run_line(error, tmp_path)
    file, *options = _options(error)
    assert file == "na-semicolon.csv" and options == ["--sep", ";", "--decimal", ","]
    saved = read_csv(file, sep=";", decimal=",")
    hand = read_csv("hand.csv", sep=";", decimal=",")            # 'NA' missing, 'None', 'N/A', 'null' categories
    assert saved.equals(hand), (saved, hand)
    r = cmd("train", file, "--target", "y", *options, "--epochs", "1", "--out", "m.npz")
    assert r.returncode == 2 and "missing values in 'region' on lines 2 and 4." in r.stderr, r.stderr


def test_the_resave_of_a_latin1_file_keeps_its_encoding(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    Path("lat.csv").write_bytes('a,b,y\n"1,5",\u00e9t\u00e9,p\n"2,5",hiver,q\n3,\u00e9t\u00e9,p\n4,hiver,q\n'
                                .encode("latin-1"))
    r = cmd("train", "lat.csv", "--target", "y", "--encoding", "latin-1", "--out", "m.npz")
    assert r.returncode == 2, r.stderr
    error = r.stderr.strip().splitlines()[-1]
    _run_line(error, tmp_path)
    file, *options = _options(error)
    assert options == ["--sep", ";", "--decimal", ",", "--encoding", "latin-1"]
    assert Path(file).read_bytes() == 'a;b;y\n1,5;\u00e9t\u00e9;p\n2,5;hiver;q\n3;\u00e9t\u00e9;p\n4;hiver;q\n'.encode(
        "latin-1")
    assert cmd("train", file, "--target", "y", *options, "--epochs", "1", "--out", "m.npz").returncode == 0
    # Python's words: pandas' read and write in the file's encoding, then read_csv with it
    with pytest.raises(ValidationError) as e:
        Preprocessing.fit(read_csv("lat.csv", encoding="latin-1"), "y")
    said = str(e.value)
    assert ("pandas.read_csv(path, dtype=str, keep_default_na=False, encoding='latin-1').to_csv(new_path, sep=';', "
            "index=False, encoding='latin-1')), then read it with sep=';', decimal=',', encoding='latin-1' ") in said
    import pandas
    pandas.read_csv("lat.csv", dtype=str, keep_default_na=False, encoding="latin-1").to_csv(
        "new.csv", sep=";", index=False, encoding="latin-1")
    pre = Preprocessing.fit(read_csv("new.csv", sep=";", decimal=",", encoding="latin-1"), "y")
    assert pre.categories["b"] == ["hiver", "\u00e9t\u00e9"] and pre.means[0] == pytest.approx(2.75)


def test_the_line_runs_for_a_file_name_with_a_quote_and_spaces(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    name = "it's my \"data\".csv"
    Path(name).write_text('a,y\n"1,5",p\n"2,5",q\n3,p\n4,q\n')
    r = cmd("train", name, "--target", "y", "--out", "m.npz")
    error = r.stderr.strip().splitlines()[-1]
    _run_line(error, tmp_path)
    file, *options = _options(error)
    assert cmd("train", file, "--target", "y", *options, "--epochs", "1", "--out", "m.npz").returncode == 0


def test_the_sweep_commands_refusals_are_in_its_own_words_and_followed(tmp_path, monkeypatch):
    from chainrule.data import memory
    path = tmp_path / "m.csv"
    path.write_text("a,b,y\n" + "".join(f"{i * 0.5},{'xyz'[i % 3]},{i % 2}\n" for i in range(30)))
    sweep = ("sweep", path, "--target", "y", "--grid", "hidden=2", "--epochs", "1", "--cv", "2", "--out-dir",
             tmp_path / "s")
    with monkeypatch.context() as m:
        m.setattr(memory, "available_bytes", lambda: 1200)      # float32's inputs fit, float64's not
        r = cmd(*sweep)
        assert r.returncode == 4 and r.stderr.rstrip().endswith(
            "To fit: leave columns out (--drop COLUMN); or use float32, half the memory (--dtype float32)"), r.stderr
        assert cmd(*sweep, "--dtype", "float32").returncode == 0
    empty = tmp_path / "e.csv"
    empty.write_text("a,b,y\n" + "".join(f"{i},,{i % 2}\n" for i in range(12)))
    r = cmd("sweep", empty, *sweep[2:])
    assert r.returncode == 2 and "leave it out (chainrule sweep --drop 'b', or remove it from the file)" in r.stderr
    assert cmd("sweep", empty, *sweep[2:], "--drop", "b").returncode == 0
    r = cmd("train", empty, "--target", "y", "--out", tmp_path / "m.npz")       # train's own words stay
    assert "leave it out (chainrule train --drop 'b', or remove it from the file)" in r.stderr


def test_predicts_memory_refusal_says_the_rows_that_fit_at_once(tmp_path, monkeypatch):
    from chainrule.data import memory
    path = tmp_path / "m.csv"
    path.write_text("a,b,y\n" + "".join(f"{i * 0.5},{'xyz'[i % 3]},{i % 2}\n" for i in range(30)))
    assert cmd("train", path, "--target", "y", "--epochs", "1", "--out", tmp_path / "m.npz").returncode == 0
    monkeypatch.setattr(memory, "available_bytes", lambda: 500)
    r = cmd("predict", tmp_path / "m.npz", path)
    assert r.returncode == 4 and "below" not in r.stderr, r.stderr
    rows = int(r.stderr.rstrip().removesuffix(")").rsplit(" ", 1)[1])
    assert cmd("predict", tmp_path / "m.npz", path, "--chunk-rows", rows).returncode == 0     # at once, not walked
    assert cmd("predict", tmp_path / "m.npz", path, "--chunk-rows", 2 * rows).returncode == 4  # down: at most half off
    monkeypatch.setattr(memory, "available_bytes", lambda: 10)      # not one row fits
    r = cmd("predict", tmp_path / "m.npz", path, "--chunk-rows", "1")
    assert r.returncode == 4 and r.stderr.rstrip().endswith("To fit: free memory: not even one row's inputs (48 bytes) "
                                                            "fit"), r.stderr


def test_the_memory_refusal_says_one_of_each_in_the_singular(tmp_path, monkeypatch):
    from chainrule.data import memory
    path = tmp_path / "m.csv"
    path.write_text("a,b,y\n" + "".join(f"{i * 0.5},{'xyz'[i % 3]},{i % 2}\n" for i in range(30)))
    pre = Preprocessing.fit(read_csv(path), "y")
    monkeypatch.setattr(memory, "available_bytes", lambda: 10)
    with pytest.raises(MemoryError) as e:
        pre.transform(read_csv(path).head(1))
    assert "(1 row x 2 stored values a row (CSR) of float64)" in str(e.value)
    assert "the columns: 1 numeric column, 1 text column (one stored value a row each)" in str(e.value)
    with pytest.raises(MemoryError) as e:
        pre.transform(read_csv(path).head(1)[["b"]].assign(a=0.5), sparse=False)
    assert "(1 row x 4 columns of float64)" in str(e.value)
    assert "the columns: 'b' (3 one-hot columns), 1 numeric column" in str(e.value)


def test_a_models_decimal_mark_that_is_the_files_separator_leads_with_the_quick_way(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    Path("t.csv").write_text("a;b;y\n" + "".join(f"{i % 7},{i % 4};{'xy'[i % 2]};{'pq'[i % 3 > 0]}\n"
                                                 for i in range(24)))
    assert cmd("train", "t.csv", "--target", "y", "--decimal", ",", "--epochs", "1", "--out", "m.npz").returncode == 0
    Path("semi.csv").write_text("a;b\n5;x\n7,5;y\n")
    Path("ints.csv").write_text("a,b\n5,x\n7.5,y\n")                  # the same rows, an ordinary comma file
    r = cmd("predict", "m.npz", "ints.csv")
    assert r.returncode == 2 and r.stderr.rstrip().endswith(
        "the separator ',' (detected) is the model file's decimal mark ',' (as train read its file): give --decimal . "
        "(or --sep ,) to read this one's numbers with '.'"), r.stderr
    truth = cmd("predict", "m.npz", "semi.csv").stdout
    for given in (("--decimal", "."), ("--sep", ",")):
        r = cmd("predict", "m.npz", "ints.csv", *given)
        assert r.returncode == 0 and r.stdout == truth, r.stderr
    # a comma file that does write decimal commas ("7,5" quoted): read with '.', it is told to be saved with ';'
    Path("quoted.csv").write_text('a,b\n5,x\n"7,5",y\n')
    r = cmd("predict", "m.npz", "quoted.csv", "--decimal", ".")
    assert r.returncode == 2 and "its fields are separated by ',' too: save it with ';'" in r.stderr, r.stderr
    error = r.stderr.strip().splitlines()[-1]
    _run_line(error, tmp_path)
    file, *options = _options(error)
    assert cmd("predict", "m.npz", file, *options).stdout == truth


def test_docs_errors_row_of_a_models_mark_is_as_said(tmp_path, monkeypatch):
    doc = (Path(__file__).parents[1] / "docs" / "errors.md").read_text()
    monkeypatch.chdir(tmp_path)
    Path("t.csv").write_text("a;b;y\n1,5;x;p\n2;y;q\n3,25;x;p\n4;y;q\n")
    assert cmd("train", "t.csv", "--target", "y", "--decimal", ",", "--epochs", "1", "--out", "m.npz").returncode == 0
    Path("ints.csv").write_text("a,b\n5,x\n7,y\n")
    said = cmd("predict", "m.npz", "ints.csv").stderr.splitlines()[-1].removeprefix("chainrule: error: ")
    assert f"| a model's decimal mark is the file's separator | {said} |" in doc, said
