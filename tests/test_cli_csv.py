"""The command line against real and awkward CSV files: every case reads the file as meant, or
stops with one line naming the file, line, column or option and the documented exit code."""
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from sklearn.metrics import r2_score

pd = pytest.importorskip("pandas")
import sklearn  # noqa: E402
from conftest import as_in_a_terminal, cli, cmd, training_rows  # noqa: E402

import chainrule as cr  # noqa: E402
from chainrule.cli import EXIT_CODES  # noqa: E402

SK_DATA = Path(sklearn.__file__).parent / "datasets" / "data"
EXAMPLES = Path(cr.__file__).parent / "data" / "examples"



def error_line(r, code=2) -> str:
    assert r.returncode == code, (r.returncode, r.stderr)
    lines = r.stderr.strip().splitlines()
    assert lines[-1].startswith("chainrule: error:") and "Traceback" not in r.stderr, r.stderr
    assert sum(line.startswith("chainrule: error:") for line in lines) == 1
    return lines[-1]


def write(path: Path, text) -> Path:
    path.write_bytes(text if isinstance(text, bytes) else text.encode())
    return path


@pytest.fixture(scope="module")
def iris_model(tmp_path_factory):
    out = tmp_path_factory.mktemp("m") / "iris.npz"
    r = cli("train", EXAMPLES / "iris.csv", "--target", "species", "--hidden", "8", "--epochs", "40", "--lr", "0.02",
            "--out", out, "--quiet")
    assert r.returncode == 0, r.stderr
    return out


# -- reading ------------------------------------------------------------------------------------
def test_sklearn_wine_data_with_a_header_of_counts_is_refused_naming_the_line(tmp_path, iris_model):
    wine = SK_DATA / "wine_data.csv"
    assert wine.read_text().splitlines()[0] == "178,13,class_0,class_1,class_2"     # the trap is real
    line = error_line(cmd("train", wine, "--target", "class_2", "--out", tmp_path / "w.npz"))
    assert "line 2 has 14 fields but the header (line 1: '178,13,class_0,class_1,class_2') has 5" in line
    assert "(also on lines 3, 4, 5, 6, 7 and 172 more)" in line           # 178 lines, in on_lines' words
    line = error_line(cmd("predict", iris_model, wine))                       # in prediction too
    assert "line 2 has 14 fields" in line


def test_short_and_long_rows_are_errors(tmp_path):
    for text, found in (("a,b,y\n1,2,x\n3,4\n5,6,y\n", "line 3 has 2 fields"),
                        ("a,b,y\n1,2,x\n3,4,y,\n5,6,y\n", "line 3 has 4 fields")):
        line = error_line(cmd("train", write(tmp_path / "r.csv", text), "--target", "y", "--out", tmp_path / "m.npz"))
        assert found in line and "the header (line 1: 'a,b,y') has 3" in line


def test_semicolon_file_with_decimal_commas(tmp_path):
    rows = ["x;z;y"] + [f"{i % 7},5;{i % 3},25;{'ab'[i % 2]}" for i in range(40)]
    path = write(tmp_path / "eu.csv", "\n".join(rows) + "\n")
    line = error_line(cmd("train", path, "--target", "y", "--out", tmp_path / "m.npz"))
    assert "column 'x' holds numbers with a decimal comma (e.g. '0,5' on line 2): give --decimal ','" in line
    r = cmd("train", path, "--target", "y", "--decimal", ",", "--epochs", "2", "--out", tmp_path / "m.npz")
    assert r.returncode == 0, r.stderr
    assert "separator ';' (detected)" in r.stderr and "numeric columns (2, standardised): ['x', 'z']" in r.stderr
    pre = cr.load(tmp_path / "m.npz", with_extra=True)[1]["tabular"]
    assert pre["means"] == pytest.approx([np.mean([i % 7 + 0.5 for i in training_rows(40)]),
                                          np.mean([i % 3 + 0.25 for i in training_rows(40)])])


@pytest.mark.parametrize("a", [["1,5", "3,25", "5", "7", "1", "2"], ["1,5", "3,25", "5,1", "7", "1,2", "2,7"]])
def test_decimal_commas_among_whole_numbers(tmp_path, a):
    """Whole numbers among '1,5' cells were 'numbers except 2 of 6 cells ... Give --na-values '1,5''
    or, fewer of them, one text category per number."""
    rows = [f"{v};{i};{'xy'[i % 2]}" for i, v in enumerate(a)]
    path = write(tmp_path / "semi.csv", "a;b;y\n" + "\n".join(rows) + "\n")
    for stream in ((), ("--stream",)):
        line = error_line(cmd("train", path, "--target", "y", "--out", tmp_path / "m.npz", *stream))
        assert line.endswith("column 'a' holds numbers with a decimal comma (e.g. '1,5' on line 2): give --decimal ','")
    r = cmd("train", path, "--target", "y", "--decimal", ",", "--epochs", "1", "--out", tmp_path / "m.npz")
    assert r.returncode == 0, r.stderr
    pre = cr.load(tmp_path / "m.npz", with_extra=True)[1]["tabular"]
    assert pre["numeric"] == ["a", "b"] and pre["means"][0] == pytest.approx(np.mean([float(a[i].replace(",", "."))
                                                                                        for i in training_rows(6)]))


def test_thousands_separators(tmp_path):
    income = ["1,234", "12,500", "3,000", "45,000.5", "999", "1,000,000"]
    rows = "".join(f'"{v}",{i},{"ab"[i % 2]}\n' for i, v in enumerate(income))
    path = write(tmp_path / "t.csv", "income,x,y\n" + rows)
    for stream in ((), ("--stream",)):
        line = error_line(cmd("train", path, "--target", "y", "--out", tmp_path / "m.npz", *stream))
        assert line.endswith("column 'income' holds numbers with thousands separators (e.g. '1,234' on line 2): give "
                             "--thousands ','")
        r = cmd("train", path, "--target", "y", "--thousands", ",", "--epochs", "1", "--out", tmp_path / "m.npz",
                *stream)
        assert r.returncode == 0, r.stderr
        pre = cr.load(tmp_path / "m.npz", with_extra=True)[1]["tabular"]
        assert pre["numeric"] == ["income", "x"]
        assert pre["means"][0] == pytest.approx(np.mean([float(income[i].replace(",", "")) for i in training_rows(6)]))
    for command in ("predict", "evaluate"):
        r = cmd(command, tmp_path / "m.npz", path, "--thousands", ",")
        assert r.returncode == 0, r.stderr
    assert len(r.stdout.splitlines()) > 3 and "accuracy" in r.stdout
    eu = write(tmp_path / "eu.csv", "a;y\n1.234,5;p\n2,5;q\n3;p\n1.000.000;q\n")
    assert error_line(cmd("train", eu, "--target", "y", "--out", tmp_path / "m.npz")).endswith(
        "column 'a' holds numbers with a decimal comma and '.' between thousands (e.g. '1.234,5' on line 2): give "
        "--decimal ',' --thousands '.'")
    r = cmd("train", eu, "--target", "y", "--decimal", ",", "--thousands", ".", "--epochs", "1", "--out",
            tmp_path / "m.npz")
    assert r.returncode == 0, r.stderr
    means = cr.load(tmp_path / "m.npz", with_extra=True)[1]["tabular"]["means"]
    assert means == [pytest.approx(np.mean(np.array([1234.5, 2.5, 3, 1e6])[training_rows(4)]))]
    mark = "error: argument --thousands: expected the thousands separator, one character other than a digit"
    for given, said in ((",", "error: --thousands ',' is also --decimal ','"), ("1", mark), ("ab", mark)):
        r = cmd("train", eu, "--target", "y", "--decimal", ",", "--thousands", given, "--out", tmp_path / "m.npz")
        assert r.returncode == 2 and said in r.stderr and "Traceback" not in r.stderr, r.stderr


def test_value_errors_name_the_files_own_line(tmp_path):
    """Blank lines and a quoted cell over two lines move the rows after them down: the line was
    counted as data row + 2 (line 4 for line 5, line 4 for line 6)."""
    quoted = write(tmp_path / "nl.csv", 'note,a,y\n"x\ny",1,p\nz,2,q\nz,,p\nw,4,q\n')
    blank = write(tmp_path / "b.csv", "a,y\n1,x\n\n\n2,y\nabc,x\n4,y\n5,x\n6,y\n7,x\n")
    weighted = write(tmp_path / "w.csv", "a,w,y\n1,1,x\n\n\n2,1,y\n3,-1,x\n4,1,y\n")
    for stream in ([], ["--stream"]):          # --stream counted data row + 2 too (and --weight in both)
        assert error_line(cmd("train", quoted, "--target", "y", "--out", tmp_path / "m.npz", *stream)).endswith(
            "a missing value in 'a' on line 5. Fill it in, or use --impute mean|median|most_frequent")
        assert "('abc'; first on line 6)" in error_line(cmd("train", blank, "--target", "y", "--out",
                                                            tmp_path / "m.npz", *stream))
        assert error_line(cmd("train", weighted, "--target", "y", "--weight", "w", "--out", tmp_path / "m.npz",
                              *stream)).endswith("--weight column 'w' must hold numbers >= 0; line 6 has '-1'")
    write(tmp_path / "t.csv", "color,x\nred,1\nblue,2\nred,3\nblue,4\n")
    r = cmd("train", tmp_path / "t.csv", "--target", "color", "--epochs", "1", "--out", tmp_path / "m.npz")
    assert r.returncode == 0, r.stderr
    for text in ('color,x\n"red",1\n\n"blue",2\nred,oops\n', "color,x\nred,1\n\nblue,2\nred,oops\n",
                 'color,x\n"red\n",1\nblue,2\nred,oops\n'):
        path = write(tmp_path / "p.csv", text)
        for chunk_rows in ("50000", "1"):
            line = error_line(cmd("predict", tmp_path / "m.npz", path, "--chunk-rows", chunk_rows))
            assert line.endswith("column 'x' must be numeric; line 5 has 'oops'"), (text, line)
    path = write(tmp_path / "p.csv", 'color,x\n"red\n",1\n\nblue,2\nred,\n')
    assert error_line(cmd("evaluate", tmp_path / "m.npz", path, "--chunk-rows", "1")).endswith(
        "a missing value in 'x' on line 6; the model was trained without gaps there (train with --impute to fill them)")


def test_ambiguous_separator_asks_for_sep(tmp_path):
    path = write(tmp_path / "amb.csv", "a,b;c\n1,2;3\n4,5;6\n")
    assert "the separator is ambiguous (',' and ';' both split every line evenly); give it with --sep" in \
        error_line(cmd("train", path, "--target", "c", "--out", tmp_path / "m.npz"))


def test_tab_separator_given(tmp_path):
    path = write(tmp_path / "t.tsv", "a\tb\ty\n" + "".join(f"{i}\t{i % 5}\t{'pq'[i % 2]}\n" for i in range(30)))
    r = cmd("train", path, "--target", "y", "--sep", "tab", "--epochs", "1", "--out", tmp_path / "m.npz")
    assert r.returncode == 0 and "separator tab," in r.stderr, r.stderr


def test_latin1_file(tmp_path):
    text = "city,temp,y\n" + "".join(f"{'Zürich' if i % 2 else 'Genève'},{i},{i % 2}\n" for i in range(30))
    path = write(tmp_path / "l1.csv", text.encode("latin-1"))
    line = error_line(cmd("train", path, "--target", "y", "--out", tmp_path / "m.npz"))
    assert "is not UTF-8 text: byte 0xe8 on line 2 cannot be decoded; give its encoding, e.g. --encoding latin-1" \
        in line
    r = cmd("train", path, "--target", "y", "--encoding", "latin-1", "--epochs", "1", "--out", tmp_path / "m.npz")
    assert r.returncode == 0, r.stderr
    assert cr.load(tmp_path / "m.npz", with_extra=True)[1]["tabular"]["categories"]["city"] == ["Genève", "Zürich"]


def test_lone_carriage_returns_end_lines(tmp_path):
    """Old Mac and Excel "CSV (Macintosh)" files end lines with a lone \\r: lines, as pandas reads them."""
    rows = [f"{i},{i % 4},{'pq'[i % 2]}" for i in range(20)]
    path = write(tmp_path / "cr.csv", "a,b,y\r" + "\r".join(rows) + "\r")
    for stream in ((), ("--stream",)):
        r = cmd("train", path, "--target", "y", "--epochs", "1", "--out", tmp_path / "m.npz", *stream)
        assert r.returncode == 0, r.stderr
        assert "20 rows, 3 columns, separator ',' (detected)" in r.stderr
        pre = cr.load(tmp_path / "m.npz", with_extra=True)[1]["tabular"]
        rows = training_rows(20)                     # the statistics are the training rows'
        assert pre["means"] == [pytest.approx(np.mean(rows)), pytest.approx(np.mean(rows % 4))]
    r = cmd("predict", tmp_path / "m.npz", path)
    assert r.returncode == 0 and len(r.stdout.splitlines()) == 21, r.stderr
    ragged = write(tmp_path / "r.csv", "a,b,y\r1,2,x\r3,4\r5,6,y\r")     # a short row is named by its line
    assert "line 3 has 2 fields" in error_line(cmd("train", ragged, "--target", "y", "--out", tmp_path / "m.npz"))
    assert "line 3 has 2 fields" in error_line(cmd("predict", tmp_path / "m.npz", ragged))


@pytest.mark.parametrize("encoding", ["utf-16", "utf-16-be", "utf-32"])
def test_utf16_and_utf32_files_with_a_byte_order_mark_are_read(tmp_path, encoding):
    """Windows' "Unicode text" files start with a byte order mark and hold NUL bytes: read, not called binary."""
    text = "city,temp,y\n" + "".join(f"{'Zürich' if i % 2 else 'Genève'},{i},{'pq'[i % 2]}\n" for i in range(30))
    data = text.encode(encoding) if encoding != "utf-16-be" else b"\xfe\xff" + text.encode(encoding)
    path = write(tmp_path / "u.csv", data)
    for stream in ((), ("--stream",)):
        r = cmd("train", path, "--target", "y", "--epochs", "1", "--out", tmp_path / "m.npz", *stream)
        assert r.returncode == 0, r.stderr
        assert f"encoding {encoding[:6]}" in r.stderr
        pre = cr.load(tmp_path / "m.npz", with_extra=True)[1]["tabular"]
        assert pre["categories"]["city"] == ["Genève", "Zürich"]
        assert pre["means"] == [pytest.approx(np.mean(training_rows(30)))]
    r = cmd("predict", tmp_path / "m.npz", path)
    assert r.returncode == 0 and f"30 rows, 3 columns, separator ',' (detected), encoding {encoding[:6]}" in r.stderr
    assert len(r.stdout.splitlines()) == 31, r.stderr


def test_question_mark_placeholder_is_named_and_na_values_reads_it(tmp_path):
    # the cars data's horsepower column: numbers with '?' where the value is unknown
    rng = np.random.default_rng(0)
    hp = rng.integers(50, 200, 90).astype(str)
    hp[[5, 40]] = "?"
    df = pd.DataFrame({"hp": hp, "weight": rng.integers(1500, 4000, 90), "mpg": rng.normal(25, 5, 90)})
    path = tmp_path / "cars.csv"
    df.to_csv(path, index=False)
    line = error_line(cmd("train", path, "--target", "mpg", "--out", tmp_path / "m.npz"))
    assert "column 'hp' is numbers except 2 of 90 cells ('?'; first on line 7)" in line
    assert "Give --na-values '?'" in line and "--text 'hp'" in line
    r = cmd("train", path, "--target", "mpg", "--na-values", "?", "--impute", "median", "--epochs", "2",
            "--out", tmp_path / "m.npz")
    assert r.returncode == 0, r.stderr
    pre = cr.load(tmp_path / "m.npz", with_extra=True)[1]["tabular"]
    assert pre["numeric"] == ["hp", "weight"]
    # every column gets a fill value, the one without gaps too (as SimpleImputer)
    rows = training_rows(90)                          # the fill values are the training rows'
    assert pre["fill"] == {"hp": float(np.median(hp[rows][hp[rows] != "?"].astype(int))),
                           "weight": float(np.median(df["weight"].iloc[rows]))}
    r = cmd("train", path, "--target", "mpg", "--text", "hp", "--epochs", "1", "--out", tmp_path / "t.npz")
    assert r.returncode == 0 and "text column 'hp':" in r.stderr


def test_text_columns_say_why_they_are_text(tmp_path):
    df = pd.DataFrame({"island": ["Biscoe", "Dream", "Torgersen"] * 10, "mass": np.arange(30) % 7, "y": [0, 1] * 15})
    df.to_csv(tmp_path / "p.csv", index=False)
    r = cmd("train", tmp_path / "p.csv", "--target", "y", "--epochs", "1", "--out", tmp_path / "m.npz")
    assert "text column 'island': 3 categories, one-hot; not numbers, e.g. 'Biscoe' on line 2" in r.stderr


def test_id_column_is_warned_and_drop_leaves_it_out(tmp_path):
    d = pd.read_csv(EXAMPLES / "iris.csv")
    d.insert(0, "id", np.arange(1, 151))
    d.to_csv(tmp_path / "ids.csv", index=False)
    r = cmd("train", tmp_path / "ids.csv", "--target", "species", "--epochs", "1", "--out", tmp_path / "m.npz")
    assert r.returncode == 0
    warnings = [line for line in r.stderr.splitlines() if line.startswith("chainrule: warning:")]
    assert warnings == ["chainrule: warning: column 'id' has a different value on each of the 150 rows (an ID or "
                        "row number?); it is used as a feature, which cannot generalise: leave it out with --drop 'id'"]
    r = cmd("train", tmp_path / "ids.csv", "--target", "species", "--drop", "id", "--epochs", "1",
            "--out", tmp_path / "m.npz")
    assert "warning" not in r.stderr and "left out: ['id']" in r.stderr
    assert "id" not in cr.load(tmp_path / "m.npz", with_extra=True)[1]["tabular"]["numeric"]
    r = cmd("train", tmp_path / "ids.csv", "--target", "species", "--features", "petal_length,petal_width",
            "--epochs", "1", "--out", tmp_path / "m.npz")
    assert cr.load(tmp_path / "m.npz", with_extra=True)[1]["tabular"]["numeric"] == ["petal_length", "petal_width"]
    line = error_line(cmd("train", tmp_path / "ids.csv", "--target", "species", "--drop", "idd",
                          "--out", tmp_path / "m.npz"))
    assert "--drop: column 'idd' is not in the file (did you mean 'id'?); columns are ['id', 'sepal_length'" in line


def test_columns_are_named_as_the_file_spells_them_or_the_likely_one_is_suggested(tmp_path):
    """A header 'age, income, y' has ' income' and ' y': --drop income (or ' income', whose space the
    option's list strips) was 'not in the file'; a misspelt name listed the first 20 columns, no hint."""
    spaced = write(tmp_path / "sp.csv", "age, income, y\n" + "".join(f"{i % 5}, {i % 3}, {'xy'[i % 2]}\n"
                                                                     for i in range(12)))
    for stream in ([], ["--stream"]):
        for target, drop in (("y", "income"), (" y", " income")):
            r = cmd("train", spaced, "--target", target, "--drop", drop, "--text", "age", "--epochs", "1", "--out",
                    tmp_path / "m.npz", *stream)
            assert r.returncode == 0, r.stderr
            tab = cr.load(tmp_path / "m.npz", with_extra=True)[1]["tabular"]
            assert (tab["target"], tab["text"], tab["numeric"]) == (" y", ["age"], [])
    wide = write(tmp_path / "wide.csv", ",".join([f"feature_{i}" for i in range(25)] + ["Outcome"]) + "\n"
                 + "".join(",".join(["1"] * 25 + [str(i % 2)]) + "\n" for i in range(6)))
    for args, said in ((["--target", "outcome"], "target column 'outcome' is not in the file (did you mean "
                                                  "'Outcome'?); columns are ['feature_0'"),
                       (["--target", "Outcome", "--drop", "featur_3"], "--drop: column 'featur_3' is not in the "
                                                                      "file (did you mean 'feature_3'?)")):
        assert said in error_line(cmd("train", wide, *args, "--out", tmp_path / "m.npz"))


def test_high_cardinality_text_column_is_capped_with_a_warning(tmp_path):
    n = 3000
    rng = np.random.default_rng(1)
    codes = np.where(rng.random(n) < 0.5, "common", np.char.add("rare", rng.integers(0, 2000, n).astype(str)))
    df = pd.DataFrame({"code": codes, "x": rng.normal(size=n), "y": rng.integers(0, 2, n)})
    df.to_csv(tmp_path / "hc.csv", index=False)
    train = df["code"].iloc[training_rows(n)]       # the categories are the training rows'
    distinct = train.nunique()
    r = cmd("train", tmp_path / "hc.csv", "--target", "y", "--epochs", "1", "--max-categories", "20",
            "--out", tmp_path / "m.npz")
    assert r.returncode == 0, r.stderr
    kept = train.value_counts().iloc[20:].sum()
    assert (f"chainrule: warning: column 'code' has {distinct} different values in the training rows; the 20 most "
            f"frequent are kept as categories and the other {distinct - 20} ({kept} rows) count as 'other'") \
        in r.stderr
    net = cr.load(tmp_path / "m.npz")
    assert net.layers[0].W.shape[0] == 1 + 20                       # x and 20 categories, not 1,500 columns
    r = cmd("predict", tmp_path / "m.npz", tmp_path / "hc.csv")       # rare values are 'other': no warning
    assert r.returncode == 0 and "warning" not in r.stderr


def test_huge_cell_is_truncated_in_the_warning(tmp_path, iris_model):
    d = pd.read_csv(EXAMPLES / "iris.csv")
    df = pd.DataFrame({"size": ["small", "large"] * 20, "x": np.arange(40) % 3, "y": [0, 0, 1, 1] * 10})
    df.to_csv(tmp_path / "s.csv", index=False)
    r = cmd("train", tmp_path / "s.csv", "--target", "y", "--epochs", "1", "--out", tmp_path / "s.npz")
    assert r.returncode == 0, r.stderr
    df.loc[3, "size"] = "x" * 1_000_000
    df.to_csv(tmp_path / "big.csv", index=False)
    r = cmd("predict", tmp_path / "s.npz", tmp_path / "big.csv")
    assert r.returncode == 0 and "unseen in training" in r.stderr and len(r.stderr) < 2000
    del d


# -- outputs ------------------------------------------------------------------------------------
def test_output_equal_to_an_input_is_refused_before_any_work(tmp_path, iris_model):
    csv = tmp_path / "iris.csv"
    csv.write_bytes((EXAMPLES / "iris.csv").read_bytes())
    before = csv.read_bytes()
    assert "--out" in error_line(cmd("train", csv, "--target", "species", "--out", csv))
    os.symlink(csv, tmp_path / "alias.npz")
    assert "is the CSV file this command reads" in error_line(cmd("train", csv, "--target", "species",
                                                                  "--out", tmp_path / "alias.npz"))
    model_before = iris_model.read_bytes()
    assert "is the model file this command reads" in error_line(cmd("predict", iris_model, csv, "--out", iris_model))
    assert "is the CSV file this command reads" in error_line(cmd("predict", iris_model, csv, "--out", csv))
    assert csv.read_bytes() == before and iris_model.read_bytes() == model_before


def test_an_existing_file_of_another_kind_is_not_replaced(tmp_path, iris_model):
    """train --out data.csv replaced a CSV file with a model, export iris.npz iris.csv the user's CSV with
    ONNX bytes, predict --out other.npz a model with predictions: each is refused, the file kept."""
    data = write(tmp_path / "data.csv", (EXAMPLES / "iris.csv").read_text())
    other = tmp_path / "other.npz"
    other.write_bytes(iris_model.read_bytes())
    onnx = tmp_path / "m.onnx"
    assert cmd("export", iris_model, onnx).returncode == 0
    kept = {p: p.read_bytes() for p in (data, other, onnx)}
    train = ("train", EXAMPLES / "iris.csv", "--target", "species", "--epochs", "1")
    data_text = "text without a 'prediction' column (a CSV file of data? notes?)"
    for args, said in (((*train, "--out", data), f"--out {str(data)!r} exists and holds {data_text}, not a "
                                                 "chainrule model (.npz): writing there would lose it"),
                       (("predict", iris_model, EXAMPLES / "iris.csv", "--out", other),
                        "exists and holds a chainrule model, not a CSV file of predictions"),
                       (("predict", iris_model, EXAMPLES / "iris.csv", "--out", onnx),
                        "exists and holds an ONNX model, not a CSV file of predictions")):
        assert said in error_line(cmd(*args))
    refused = cmd("export", iris_model, data)       # refused by its name as the options are read
    assert refused.returncode == 2 and refused.stderr.splitlines()[-1] == (
        f"chainrule export: error: argument out: {str(data)!r}: .csv is a CSV file's ending (`chainrule predict "
        "--out` writes predictions); this writes an ONNX model, which would then be read as the wrong format. Give a "
        "name ending in .onnx")
    assert {p: p.read_bytes() for p in kept} == kept
    # files of the kind written are replaced as before: a model, an ONNX model, predictions, an empty file
    (tmp_path / "empty.csv").write_bytes(b"")
    for args in ((*train, "--out", other), ("export", iris_model, onnx),
                 ("predict", iris_model, EXAMPLES / "iris.csv", "--out", tmp_path / "empty.csv"),
                 ("predict", iris_model, EXAMPLES / "iris.csv", "--out", tmp_path / "empty.csv")):
        assert cmd(*args).returncode == 0
    assert other.read_bytes() != kept[other] and (tmp_path / "empty.csv").read_text().startswith("prediction")


def test_symlink_output_is_written_through(tmp_path, iris_model):
    os.symlink("real.csv", tmp_path / "link.csv")
    r = cmd("predict", iris_model, EXAMPLES / "iris.csv", "--out", tmp_path / "link.csv")
    assert r.returncode == 0, r.stderr
    assert (tmp_path / "link.csv").is_symlink() and (tmp_path / "real.csv").read_text().startswith("prediction\n")


def test_fifo_folder_and_device_outputs_are_refused(tmp_path, iris_model):
    os.mkfifo(tmp_path / "fifo")
    for out, found in ((tmp_path / "fifo", "is not a regular file (a pipe, device or socket)"),
                       ("/dev/null", "is not a regular file"), (tmp_path, "is a folder")):
        assert found in error_line(cmd("train", EXAMPLES / "iris.csv", "--target", "species", "--out", out))
    assert (tmp_path / "fifo").exists() and not (tmp_path / "fifo").is_file()
    assert os.path.exists("/dev/null") and not os.path.isfile("/dev/null")


def test_predictions_to_standard_output(iris_model):
    expected = cli("predict", iris_model, EXAMPLES / "iris.csv").stdout
    assert expected.startswith("prediction\n") and len(expected.splitlines()) == 151
    for out in ("-", "/dev/stdout"):
        r = cli("predict", iris_model, EXAMPLES / "iris.csv", "--out", out)
        assert r.returncode == 0 and r.stdout == expected


def test_predict_keeps_order_and_copies_the_id(tmp_path, iris_model):
    d = pd.read_csv(EXAMPLES / "iris.csv").sample(frac=1, random_state=0)
    d.insert(0, "name", [f"flower{i}" for i in range(150)])
    d.to_csv(tmp_path / "new.csv", index=False)
    r = cmd("predict", iris_model, tmp_path / "new.csv", "--id", "name", "--proba")
    got = pd.read_csv(__import__("io").StringIO(r.stdout))
    assert list(got.columns[:2]) == ["name", "prediction"] and list(got["name"]) == list(d["name"])
    assert "ignored columns" not in r.stderr    # the model's own target is expected in such a file
    net, extra = cr.load(iris_model, with_extra=True)
    from chainrule.data.tabular import Preprocessing
    pre = Preprocessing.from_json(extra["tabular"])
    np.testing.assert_allclose(got.filter(like="proba_").to_numpy(), net.predict(pre.transform(d[pre.columns])),
                               rtol=1e-12)


# -- models, metrics, messages ----------------------------------------------------------------------
def craft(tmp_path, model, change) -> Path:
    net, extra = cr.load(model, with_extra=True)
    change(extra["tabular"])
    from chainrule.saving.npz import save
    save(net, tmp_path / "crafted.npz", extra=extra)
    return tmp_path / "crafted.npz"


@pytest.mark.parametrize("change, found", [
    (lambda t: t["scales"].__setitem__(0, 0.0), "'scales' must be positive"),
    (lambda t: t["means"].pop(), "'means' must hold one finite number per numeric column (4)"),
    (lambda t: t.__setitem__("classes", ["a", "a", "b"]), "at least two distinct classes"),
    (lambda t: t.__setitem__("task", "ranking"), "'task' must be 'classification' or 'regression'"),
    (lambda t: t.__setitem__("numeric", [1, 2, 3, 4]), "'numeric' must be a list of column names"),
    (lambda t: t.__setitem__("evil", 1), "unknown field 'evil'"),
])
def test_crafted_preprocessing_is_refused(tmp_path, iris_model, change, found):
    line = error_line(cmd("predict", craft(tmp_path, iris_model, change), EXAMPLES / "iris.csv"))
    assert "the model file's CSV preprocessing is invalid" in line and found in line


def test_regression_metrics_in_target_units_and_undefined_r2(tmp_path):
    path = EXAMPLES / "diabetes.csv"
    r = cmd("train", path, "--target", "progression", "--epochs", "30", "--lr", "0.01", "--out", tmp_path / "d.npz",
            "--quiet")
    assert r.returncode == 0, r.stderr
    r = cmd("evaluate", tmp_path / "d.npz", path)
    got = dict(line.split(": ") for line in r.stdout.splitlines() if ": " in line)
    preds = pd.read_csv(__import__("io").StringIO(cmd("predict", tmp_path / "d.npz", path).stdout))["prediction"]
    truth = pd.read_csv(path)["progression"]
    assert float(got["rmse"]) == pytest.approx(np.sqrt(np.mean((truth - preds) ** 2)), rel=1e-5)
    assert float(got["mae"]) == pytest.approx(np.mean(np.abs(truth - preds)), rel=1e-5)
    assert float(got["r2"]) == pytest.approx(1 - np.sum((truth - preds) ** 2) / np.sum((truth - truth.mean()) ** 2),
                                             rel=1e-5)
    const = pd.read_csv(path).assign(progression=100)
    const.to_csv(tmp_path / "const.csv", index=False)
    r = cmd("evaluate", tmp_path / "d.npz", tmp_path / "const.csv")
    assert "r2: undefined (the target is constant in this file)" in r.stdout


@pytest.mark.parametrize("stream", [False, True])
def test_a_target_near_the_largest_float_trains_and_is_scored(tmp_path, stream):
    """Targets near 1e307: their squares overflow, so their scale did (NaN metrics, 'the target is constant',
    a model file that predict refused); now scaled in units of the largest value, scores computed scale-free."""
    csv = write(tmp_path / "big.csv", "x,y\n1,1e307\n2,-1e307\n3,1e307\n4,1\n5,7\n6,3.3\n7,-2e306\n8,5e306\n")
    r = cmd("train", csv, "--target", "y", "--epochs", "3", "--out", tmp_path / "b.npz", "--quiet",
            *(["--stream"] if stream else []))
    assert r.returncode == 0 and "nan" not in r.stdout + r.stderr and "constant" not in r.stdout, r.stderr
    assert "warning" not in r.stderr
    r = cmd("evaluate", tmp_path / "b.npz", csv)
    assert r.returncode == 0, r.stderr
    got = dict(line.split(": ") for line in r.stdout.splitlines() if ": " in line)
    preds = pd.read_csv(__import__("io").StringIO(cmd("predict", tmp_path / "b.npz", csv).stdout))["prediction"]
    truth = pd.read_csv(csv)["y"]
    unit = 1e307                               # the scores in units of 1e307: the same r2, rmse / 1e307
    assert float(got["r2"]) == pytest.approx(r2_score(truth / unit, preds / unit), rel=1e-5)
    assert float(got["rmse"]) / unit == pytest.approx(np.sqrt(np.mean(((truth - preds) / unit) ** 2)), rel=1e-5)
    assert got["mse"].startswith("beyond float64's range")  # the squares overflow: said so, not printed as inf


def test_a_model_file_whose_preprocessing_does_not_fit_its_network_is_refused(tmp_path, iris_model):
    """Classes that disagree with the network's outputs were read (export alone compared them): predict
    named labels from the wrong list, or failed with an internal IndexError; so for the inputs."""
    from chainrule.saving.npz import save
    net, extra = cr.load(iris_model, with_extra=True)
    tab = extra["tabular"]
    for name, change, said in (("four", {"classes": ["a", "b", "c", "d"]}, "4 inputs and 4 outputs"),
                               ("two", {"classes": ["a", "b"]}, "4 inputs and 2 outputs"),
                               ("inputs", {"numeric": tab["numeric"][:3], "means": tab["means"][:3],
                                           "scales": tab["scales"][:3]}, "3 inputs and 3 outputs")):
        path = tmp_path / f"{name}.npz"
        save(net, path, extra={**extra, "tabular": {**tab, **change}})
        for command in (("predict", path, EXAMPLES / "iris.csv"), ("evaluate", path, EXAMPLES / "iris.csv"),
                        ("info", path), ("explain", "--model", path, "--data", EXAMPLES / "iris.csv")):
            assert error_line(cmd(*command)) == (
                f"chainrule: error: '{path}': the CSV preprocessing does not fit the network: it encodes {said} "
                "(classification), the network has 4 and 3; the file is damaged or put together from two models")


def test_small_misreadings_are_said_as_they_are(tmp_path):
    """--text X --drop X said X was not in the file; a .keras file that is not a zip was 'File not found'
    (Keras' words); a regression target with text named no row; `chainrule data iris.csv iris.csv` wrote the
    file, then refused it as existing, and `data a b` with b present wrote a before refusing."""
    iris = EXAMPLES / "iris.csv"
    for stream in ([], ["--stream"]):
        for option, why in ((["--drop", "sepal_length"], "is in --drop"),
                            (["--features", "petal_length"], "is not among --features")):
            line = error_line(cmd("train", iris, "--target", "species", "--text", "sepal_length", *option,
                                  "--out", tmp_path / "m.npz", *stream))
            assert line == f"chainrule: error: --text: column 'sepal_length' {why}, so it is not an input; give " \
                           "one or the other"
    (tmp_path / "x.keras").write_text("not a zip")
    assert error_line(cmd("info", tmp_path / "x.keras")) == (
        f"chainrule: error: '{tmp_path / 'x.keras'}' is not a Keras model file: a .keras file is a zip archive, this "
        "one is not")
    d = pd.read_csv(EXAMPLES / "diabetes.csv")[["age", "progression"]]
    d.to_csv(tmp_path / "d.csv", index=False)
    assert cmd("train", tmp_path / "d.csv", "--target", "progression", "--epochs", "1", "--out",
               tmp_path / "d.npz").returncode == 0
    d["progression"] = d["progression"].astype(object)
    d.loc[[4, 9], "progression"] = ["abc", "n.a."]
    d.to_csv(tmp_path / "bad.csv", index=False)
    assert error_line(cmd("evaluate", tmp_path / "d.npz", tmp_path / "bad.csv")) == (
        "chainrule: error: target column 'progression' must be numeric for regression; line 6 has 'abc' "
        "(2 such cells)")
    r = cmd("data", "iris.csv", "iris.csv", "--out", tmp_path / "ex")
    assert r.returncode == 0 and (tmp_path / "ex" / "iris.csv").read_bytes() == iris.read_bytes()
    (tmp_path / "ex2").mkdir()
    (tmp_path / "ex2" / "diabetes.csv").write_text("mine")
    assert "exists already" in error_line(cmd("data", "iris.csv", "diabetes.csv", "--out", tmp_path / "ex2"))
    assert sorted(p.name for p in (tmp_path / "ex2").iterdir()) == ["diabetes.csv"]


def test_predict_evaluate_and_explain_read_numbers_as_train_did(tmp_path):
    """A model trained with --decimal , --thousands . read its own file with '.' at predict time ('1,5'
    refused as text) unless both were given again; the model file now keeps them."""
    from chainrule.saving.npz import save
    rows = "".join(f"{i % 7},{i % 3};{i % 4 + 1}.{i % 10}00,5;{'rs'[i % 2]};{'xy'[(i // 2) % 2]}\n" for i in range(24))
    csv = write(tmp_path / "eu.csv", "a;b;c;y\n" + rows)
    marks = ("--decimal", ",", "--thousands", ".")
    assert cmd("train", csv, "--target", "y", *marks, "--epochs", "2", "--out", tmp_path / "eu.npz").returncode == 0
    net, extra = cr.load(tmp_path / "eu.npz", with_extra=True)
    assert (extra["tabular"]["decimal"], extra["tabular"]["thousands"]) == (",", ".")
    for command in (("predict", "--proba"), ("evaluate",)):
        given = cmd(command[0], tmp_path / "eu.npz", csv, *command[1:], *marks)
        kept = cmd(command[0], tmp_path / "eu.npz", csv, *command[1:])
        assert given.returncode == kept.returncode == 0 and kept.stdout == given.stdout, kept.stderr
    r = cmd("explain", "--model", tmp_path / "eu.npz", "--data", csv, "--row", "2", "--layer", "1", "--neuron", "0")
    assert r.returncode == 0 and "i2 = 'b' standardised: (2100.5 - " in r.stdout, r.stderr
    # a file written before the marks were kept reads with '.', as then
    tab = {k: v for k, v in extra["tabular"].items() if k not in ("decimal", "thousands")}
    save(net, tmp_path / "old.npz", extra={**extra, "tabular": tab})
    assert "--decimal ','" in error_line(cmd("predict", tmp_path / "old.npz", csv))
    assert cmd("predict", tmp_path / "old.npz", csv, *marks).stdout == cmd("predict", tmp_path / "eu.npz", csv).stdout


def test_predict_names_the_mark_a_number_with_a_comma_needs(tmp_path, iris_model):
    """predict said 'give --decimal ,' of every number with a comma, 1,234 (thousands) and 1.234,5 too."""
    head = "sepal_length,sepal_width,petal_length,petal_width\n"
    for cell, hint in (('"1,234"', "thousands separators: give --thousands ','"),
                       ('"1.234,5"', "a decimal comma and '.' between thousands: its fields are separated by ',' "
                                     "too: save it with ';'"),
                       ('"1,5"', "decimals with a comma: its fields are separated by ',' too: save it with ';' "
                                 "between fields"), ("abc", None)):      # a comma file: test_files_9 follows it
        line = error_line(cmd("predict", iris_model, write(tmp_path / "p.csv", head + f"5.1,3.5,{cell},0.2\n")))
        assert f"column 'petal_length' must be numeric; line 2 has {cell.strip(chr(34))!r}" in line
        assert (f"; the file seems to write {hint}" in line) if hint else "the file seems" not in line


def test_the_models_marks_give_way_to_given_ones_and_lines_are_the_files(tmp_path):
    """A model's --thousands ',' could not be set aside (predict --decimal , clashed with it, and nothing said
    'no separator'); a mark from the model was blamed on the user; evaluate named a missing target and a text
    target by their row in the chunk, explain --data by row + 1; a regression prediction beyond float64 was
    written as inf."""
    quoted = write(tmp_path / "t1.csv", 'a,b,y\n' + "".join(f'"{i},{i * 7 % 10}00",{i % 5},{i % 2}\n'
                                                          for i in range(1, 13)))
    assert cmd("train", quoted, "--target", "y", "--thousands", ",", "--epochs", "1", "--out",
               tmp_path / "t1.npz").returncode == 0
    eu = write(tmp_path / "eu.csv", "a;b;y\n1,5;2;1\n2,5;3;0\n")
    for extra in ([], ["--thousands", "none"]):
        r = cmd("predict", tmp_path / "t1.npz", eu, "--decimal", ",", *extra)
        assert r.returncode == 0 and r.stdout.splitlines()[0] == "prediction", r.stderr
    write(tmp_path / "eu2.csv", "a;b;y\n" + "".join(f"{i}.234,5;{i % 3};{i % 2}\n" for i in range(1, 9)))
    assert cmd("train", tmp_path / "eu2.csv", "--target", "b", "--task", "regression", "--decimal", ",", "--thousands",
               ".", "--epochs", "1", "--out", tmp_path / "th2.npz").returncode == 0
    plain = write(tmp_path / "plain.csv", "a,b,y\n1.5,2,1\n")
    assert error_line(cmd("predict", tmp_path / "th2.npz", plain)).endswith(     # the model's ',' is its separator
        "the model file's decimal mark ',' (as train read its file): give --decimal . (or --sep ,) to read this one's "
        "numbers with '.'")
    assert cmd("predict", tmp_path / "th2.npz", plain, "--decimal", ".").returncode == 0
    # lines of the file, not of the chunk
    write(tmp_path / "b2.csv", "a,b,y\n" + "".join(f"{i},{i % 3},{i % 2}\n" for i in range(8)))
    assert cmd("train", tmp_path / "b2.csv", "--target", "y", "--epochs", "1", "--out",
               tmp_path / "b2.npz").returncode == 0
    gap = write(tmp_path / "gap.csv", "a,b,y\n\n1,2,1\n2,3,\n3,1,1\n")
    for rows in ("1", "2", "100"):
        assert "target column 'y' has a missing value on line 4" in error_line(
            cmd("evaluate", tmp_path / "b2.npz", gap, "--chunk-rows", rows))
    write(tmp_path / "r.csv", "a,b,y\n" + "".join(f"{i},{i % 3},{i * 0.37:.2f}\n" for i in range(8)))
    assert cmd("train", tmp_path / "r.csv", "--target", "y", "--epochs", "1", "--out",
               tmp_path / "r.npz").returncode == 0
    text = write(tmp_path / "r2.csv", "a,b,y\n1,2,1.5\n\n2,3,2.5\n3,1,abc\n4,5,0.2\n")
    for rows in ("2", "100"):
        assert error_line(cmd("evaluate", tmp_path / "r.npz", text, "--chunk-rows", rows)).endswith(
            "target column 'y' must be numeric for regression; line 5 has 'abc'")
    r = cmd("explain", "--model", tmp_path / "b2.npz", "--data", write(tmp_path / "e.csv", "a,b,y\n\n1,2,1\n2,3,0\n"),
            "--row", "2", "--layer", "1", "--neuron", "0")
    assert r.returncode == 0 and f"sample: row 2 (line 4) of {tmp_path / 'e.csv'}" in r.stdout, r.stderr
    big = write(tmp_path / "big.csv", "a,y\n1,1e307\n2,5e307\n3,-8e307\n4,2e307\n5,1e307\n6,-3e307\n")
    assert cmd("train", big, "--target", "y", "--task", "regression", "--epochs", "2", "--lr", "0.5", "--out",
               tmp_path / "big.npz").returncode == 0
    net, extra = cr.load(tmp_path / "big.npz", with_extra=True)
    net.layers[-1].b[...] = 100.0                             # a prediction of 100 spreads: beyond float64
    from chainrule.saving.npz import save
    save(net, tmp_path / "big.npz", extra=extra)
    line = error_line(cmd("predict", tmp_path / "big.npz", big))
    assert "the model's predictions are beyond float64's range for 6 rows (first: line 2), as 'y' is scaled" in line


def test_info_reads_network_save_models(tmp_path):
    net = cr.Network([cr.Dense(3, 5, "tanh"), cr.Dense(5, 2, "softmax")], loss="categorical_crossentropy")
    net.save(tmp_path / "plain.npz")
    r = cmd("info", tmp_path / "plain.npz")
    assert r.returncode == 0 and "Dense(3, 5, activation='tanh')" in r.stdout and "no CSV preprocessing" in r.stdout


def test_progress_without_a_terminal_is_one_line_per_epoch(tmp_path):
    r = cmd("train", EXAMPLES / "iris.csv", "--target", "species", "--epochs", "3", "--out", tmp_path / "m.npz")
    epochs = [line for line in r.stderr.splitlines() if line.startswith("epoch ")]
    assert [line.split(":")[0] for line in epochs] == ["epoch 1/3", "epoch 2/3", "epoch 3/3"]
    assert "\r" not in r.stderr and "batch/s" not in r.stderr


def test_resume_is_announced(tmp_path):
    args = ["train", EXAMPLES / "iris.csv", "--target", "species", "--checkpoint-dir", tmp_path / "ck",
            "--resume", "--out", tmp_path / "m.npz"]
    assert "starting at epoch 1 of 3" in cmd(*args, "--epochs", "3").stderr
    assert "resumed from epoch 3 of 5" in cmd(*args, "--epochs", "5").stderr


def test_exit_codes_one_per_kind(tmp_path):
    assert error_line(cmd("train", EXAMPLES / "diabetes.csv", "--target", "progression", "--optimizer", "sgd",
                          "--lr", "1e6", "--epochs", "3", "--out", tmp_path / "x.npz"), code=3).endswith(
        "Try a lower --lr (it was 1e+06), gradient clipping (--clip-norm, e.g. 1), or --optimizer adam.")
    assert cmd("train").returncode == 2
    assert set(EXIT_CODES) == {0, 1, 2, 3, 4, 5, 130}
    errors_md = (Path(__file__).parents[1] / "docs" / "errors.md").read_text()
    for code in EXIT_CODES:
        assert f"| {code} |" in errors_md


def test_help_describes_every_option_with_its_default():
    from chainrule.cli import build_parser
    parser = build_parser()
    sub = next(a for a in parser._actions if a.choices and "train" in a.choices)
    for name, p in sub.choices.items():          # every subcommand, those of the optional extras too
        for action in p._actions:
            if action.option_strings and action.dest != "help":
                assert action.help, f"chainrule {name} {action.option_strings[0]} has no description"
        assert "example" in (p.epilog or ""), name
    r = cmd("train", "--help")
    assert "--epochs N" in r.stdout and "passes over the training rows (default: 100)" in r.stdout


def test_debug_after_the_subcommand(tmp_path):
    r = cli("info", tmp_path / "x.npz", "--debug")
    assert r.returncode != 0 and "Traceback" in r.stderr
    r = cli("info", tmp_path / "x.npz")
    assert "Traceback" not in r.stderr


def test_data_command_copies_the_examples(tmp_path):
    r = cmd("data")
    assert r.returncode == 0 and "iris.csv" in r.stdout and "diabetes.csv" in r.stdout
    r = cmd("data", "iris.csv", "--out", tmp_path)
    assert r.returncode == 0 and (tmp_path / "iris.csv").read_bytes() == (EXAMPLES / "iris.csv").read_bytes()
    again = cmd("data", "iris.csv", "--out", tmp_path)      # the README's steps run a second time in one folder
    assert again.returncode == 0 and "it is chainrule's copy already" in again.stderr
    mine = (EXAMPLES / "iris.csv").read_bytes() + b"5.0,3.0,1.0,0.2,setosa\n"     # a row the user added
    (tmp_path / "iris.csv").write_bytes(mine)
    assert "exists already (not chainrule's copy of it)" in error_line(cmd("data", "iris.csv", "--out", tmp_path))
    assert (tmp_path / "iris.csv").read_bytes() == mine
    assert "no example file 'wine.csv'" in error_line(cmd("data", "wine.csv", "--out", tmp_path))
    # the help's example `chainrule data iris.csv --out data/`: a folder not there yet is created
    r = subprocess.run([sys.executable, "-m", "chainrule.cli", "data", "iris.csv", "--out", "data/"], cwd=tmp_path,
                       capture_output=True, text=True)
    assert r.returncode == 0, r.stderr
    assert (tmp_path / "data" / "iris.csv").read_bytes() == (EXAMPLES / "iris.csv").read_bytes()
    assert "is not a folder" in error_line(cmd("data", "iris.csv", "--out", tmp_path / "iris.csv"))


def test_main_returns_the_code_of_a_usage_error_and_of_help(capsys):
    """docs/errors.md: called as a function, chainrule.cli.main(argv) returns the code and exits nothing."""
    from chainrule.cli import main
    assert main(["train", "iris.csv", "--target", "species", "--epochs", "0", "--out", "m.npz"]) == 2
    assert "argument --epochs: expected a positive integer; got '0'" in capsys.readouterr().err
    assert main(["info", "--help"]) == 0
    assert "usage: chainrule info" in capsys.readouterr().out
    assert main(["no-such-command"]) == 2


def test_the_command_skips_pythons_teardown_but_not_exit_handlers_or_output(tmp_path, iris_model):
    """`chainrule` ends with os._exit (cli.quick_exit: the teardown costs about 0.45 s after a fit on
    the kernels): the exit handlers still run, the output is all there, the exit code is kept,
    and only the teardown (here an object's finaliser) is skipped."""
    script = ("import atexit, sys\n"
              "from chainrule.cli import command\n"
              "stem = sys.argv[1]\n"
              "atexit.register(lambda: open(stem + '.atexit', 'w').close())\n"
              "class Finalised:\n"
              "    def __del__(self, open=open, stem=stem):\n"
              "        open(stem + '.teardown', 'w').close()\n"
              "kept = Finalised()\n"
              "sys.argv = ['chainrule'] + sys.argv[2:]\n"
              "command()\n")
    runs = {"ok": ("predict", iris_model, EXAMPLES / "iris.csv"),
            "bad": ("predict", tmp_path / "missing.npz", EXAMPLES / "iris.csv")}
    for name, args in runs.items():
        r = subprocess.run([sys.executable, "-c", script, tmp_path / name, *args],
                           capture_output=True, text=True)
        assert (tmp_path / f"{name}.atexit").exists() and not (tmp_path / f"{name}.teardown").exists()
        if name == "ok":
            assert r.returncode == 0 and len(r.stdout.splitlines()) == 151, r.stderr
        else:
            assert error_line(r, 2)


@pytest.mark.parametrize("stream", [False, True])
def test_none_and_null_are_categories_not_missing_cells(tmp_path, stream):
    """pandas' own missing markers include None, null, N/A: with --impute, half a column's real
    categories were rewritten to its most frequent one, without a word (docs/tabular.md says only
    the empty cell, NA and NaN mean missing)."""
    rng = np.random.default_rng(0)
    veneer = rng.choice(["None", "BrkFace", "Stone", "null"], size=120)
    x = rng.normal(size=120)
    df = pd.DataFrame({"x": x, "veneer": veneer, "y": np.where((veneer == "None") ^ (x > 0), "a", "b")})
    df.loc[[4, 9], "x"] = np.nan                           # written as empty cells: these are missing
    csv, model = tmp_path / "v.csv", tmp_path / "v.npz"
    df.to_csv(csv, index=False)
    r = cmd("train", csv, "--target", "y", "--impute", "median", "--epochs", "3", "--out", model, "--quiet",
            *(["--stream"] if stream else []))
    assert r.returncode == 0, r.stderr
    _, extra = cr.load(model, with_extra=True)
    pre = extra["tabular"]
    assert pre["categories"]["veneer"] == ["BrkFace", "None", "Stone", "null"]
    from sklearn.impute import SimpleImputer

    # 'None' and 'null' are values, counted for the mode
    rows = training_rows(120)                          # the fill values are the training rows'
    most_frequent = SimpleImputer(strategy="most_frequent").fit(veneer[rows].reshape(-1, 1).astype(object))
    assert pre["fill"]["veneer"] == most_frequent.statistics_[0]
    assert pre["fill"]["x"] == pytest.approx(float(np.median(df["x"].iloc[rows].dropna())), rel=1e-12)
    r = cmd("predict", model, csv)
    assert r.returncode == 0 and "unseen" not in r.stderr, r.stderr


def test_text_labels_meet_a_file_whose_labels_read_as_numbers(tmp_path):
    """Trained on labels 0, 1, 2 and 'unknown' (text), evaluate on a file without 'unknown' rows
    (its labels read as numbers) said "the class 0, unseen in training (classes: ['0', ...])"."""
    from sklearn.datasets import load_wine
    df = load_wine(as_frame=True).frame
    labels = df.pop("target").astype(str)
    df["target"] = labels.where(np.arange(len(df)) % 9 != 0, "unknown")
    csv, clean, model = tmp_path / "t.csv", tmp_path / "clean.csv", tmp_path / "t.npz"
    df.to_csv(csv, index=False)
    df[df.target != "unknown"].to_csv(clean, index=False)
    assert pd.read_csv(clean)["target"].dtype.kind == "i"
    r = cmd("train", csv, "--target", "target", "--epochs", "30", "--out", model, "--quiet")
    assert r.returncode == 0, r.stderr
    evaluated = cmd("evaluate", model, clean)
    assert evaluated.returncode == 0, evaluated.stderr
    assert cmd("predict", model, clean, "--out", tmp_path / "p.csv").returncode == 0
    kept = pd.read_csv(clean)
    accuracy = (pd.read_csv(tmp_path / "p.csv")["prediction"].astype(str) == kept["target"].astype(str)).mean()
    assert f"accuracy: {accuracy:.6f}" in evaluated.stdout


def test_labels_read_as_written_are_evaluated_as_written(tmp_path):
    """Trained with --text on the target (class codes 007 and 010 kept as written), evaluate read the
    same file's labels as the numbers 7 and 10: "the class '7', unseen in training"."""
    from sklearn.datasets import load_wine
    df = load_wine(as_frame=True).frame
    df["target"] = df.pop("target").map({0: "007", 1: "010", 2: "100"})
    csv, model = tmp_path / "codes.csv", tmp_path / "codes.npz"
    df.to_csv(csv, index=False)
    assert pd.read_csv(csv)["target"].dtype.kind == "i"                  # pandas' reading: 7, 10, 100
    for stream in ([], ["--stream"]):
        r = cmd("train", csv, "--target", "target", "--text", "target", "--epochs", "30", "--out", model, "--quiet",
                *stream)
        assert r.returncode == 0, r.stderr
        assert cmd("predict", model, csv, "--out", tmp_path / "p.csv").returncode == 0
        predicted = pd.read_csv(tmp_path / "p.csv", dtype=str)["prediction"]
        assert set(predicted) <= {"007", "010", "100"}
        evaluated = cmd("evaluate", model, csv)
        assert evaluated.returncode == 0, evaluated.stderr
        accuracy = (predicted.to_numpy() == df["target"].to_numpy()).mean()
        assert f"accuracy: {accuracy:.6f}" in evaluated.stdout and "007" in evaluated.stdout
    df.assign(target=df["target"].str.lstrip("0")).to_csv(tmp_path / "numbers.csv", index=False)
    said = error_line(cmd("evaluate", model, tmp_path / "numbers.csv"))
    assert "classes unseen in training, ['" in said and "'7'" in said
    assert f"({(df['target'] != '100').sum()} rows; the model's classes: ['007', '010', '100'])" in said   # 100 is 100


def test_labels_that_are_one_number_written_two_ways_are_warned(tmp_path):
    from sklearn.datasets import load_wine
    df = load_wine(as_frame=True).frame
    target = df.pop("target").astype(str).to_numpy(dtype=object)
    target[target == "2"] = "yes"
    target[::7] = np.where(target[::7] == "1", "1.0", target[::7])
    df["target"] = target
    csv = tmp_path / "m.csv"
    df.to_csv(csv, index=False)
    r = cmd("train", csv, "--target", "target", "--epochs", "2", "--out", tmp_path / "m.npz", "--quiet")
    assert r.returncode == 0, r.stderr
    assert "target column 'target' has the labels ['1', '1.0'], one number written 2 ways: they are 2 classes" \
        in r.stderr


@pytest.mark.parametrize("stream", [False, True])
def test_a_text_column_keeps_its_codes_as_written(tmp_path, stream):
    """--text read the column as numbers first: codes 0001, 001, 01 and 1 became one category '1'."""
    rng = np.random.default_rng(0)
    codes = ["0001", "001", "01", "1", "0002", "002", "02", "2", "3", "03"]
    k, x = rng.integers(0, 10, size=300), rng.normal(size=300)
    csv = write(tmp_path / "z.csv", "id,x,y\n" + "".join(f"{codes[a]},{b},{'a' if (a % 4 < 2) ^ (b > 0) else 'b'}\n"
                                                          for a, b in zip(k, x)))
    model = tmp_path / "z.npz"
    r = cmd("train", csv, "--target", "y", "--text", "id", "--epochs", "20", "--out", model,
            *(["--stream"] if stream else []))
    assert r.returncode == 0, r.stderr
    assert "text column 'id': 10 categories" in r.stderr
    _, extra = cr.load(model, with_extra=True)
    assert extra["tabular"]["categories"]["id"] == sorted(codes)
    r = cmd("predict", model, csv, "--out", tmp_path / "p.csv")
    assert r.returncode == 0 and "unseen" not in r.stderr, r.stderr


def test_small_command_line_messages(tmp_path):
    """--hidden 64,,32 was taken as 64,32; an empty column's error did not name --drop; predicting a
    decimal-comma file without --decimal gave no hint; a full disk said 'no space left on device:'."""
    from sklearn.datasets import load_wine
    df = load_wine(as_frame=True).frame.iloc[:, [0, 1, 2, 13]]
    csv, model = tmp_path / "w.csv", tmp_path / "w.npz"
    df.to_csv(csv, index=False)
    assert "--hidden has an empty width between its commas: '64,,32'" in error_line(
        cmd("train", csv, "--target", "target", "--hidden", "64,,32", "--out", model))
    assert cmd("train", csv, "--target", "target", "--hidden", "", "--epochs", "2", "--out", model,
               "--quiet").returncode == 0                                   # no hidden layer, as before
    empty = df.assign(blank=np.nan)
    empty.to_csv(tmp_path / "e.csv", index=False)
    for extra in ([], ["--stream"]):
        line = error_line(cmd("train", tmp_path / "e.csv", "--target", "target", "--out", model, *extra))
        assert "column 'blank' has no values at all; leave it out (chainrule train --drop 'blank'" in line
    df.to_csv(tmp_path / "c.csv", index=False, sep=";", decimal=",")
    line = error_line(cmd("predict", model, tmp_path / "c.csv"))
    assert line.endswith("; the file seems to write decimals with a comma: give --decimal ','"), line
    if os.path.exists("/dev/full"):
        with open("/dev/full", "w") as full:
            r = subprocess.run([sys.executable, "-m", "chainrule.cli", "predict", str(model), str(csv)],
                               stdout=full, stderr=subprocess.PIPE, text=True)
        assert r.returncode != 0 and r.stderr.strip().endswith("no space left on device"), r.stderr


def test_ctrl_c_says_what_was_kept_and_how_to_go_on(tmp_path):
    import signal
    import time

    from sklearn.datasets import load_wine
    load_wine(as_frame=True).frame.to_csv(tmp_path / "w.csv", index=False)
    model, ckpt = tmp_path / "w.npz", tmp_path / "ck"
    cr.Network([cr.Dense(13, 3, "softmax")], loss="categorical_crossentropy").save(model)     # an earlier model
    earlier = model.read_bytes()
    proc = subprocess.Popen([sys.executable, "-m", "chainrule.cli", "train", str(tmp_path / "w.csv"), "--target",
                             "target", "--epochs", "100000", "--out", str(model), "--checkpoint-dir", str(ckpt),
                             "--quiet"], stderr=subprocess.PIPE, text=True, env={**os.environ, "CHAINRULE_NUMBA": "0"},
                            preexec_fn=as_in_a_terminal)
    try:
        deadline = time.time() + 120
        while not (ckpt / "checkpoint.npz").exists() and time.time() < deadline:
            time.sleep(0.1)
        proc.send_signal(signal.SIGINT)
        _, err = proc.communicate(timeout=60)
    finally:
        proc.kill()
        proc.wait()
    assert proc.returncode == 130, err
    assert err.strip().splitlines()[-1].startswith(
        f"chainrule: interrupted; {str(model)!r} was not written (a file there before is unchanged); run the same "
        f"command with --resume to continue from the last checkpoint in {str(ckpt)!r} (epoch ")
    assert model.read_bytes() == earlier


def test_predict_reads_missing_cells_as_training_did(tmp_path):
    """The missing-value markers are kept in the model: a model trained with --na-values N/A read
    'N/A' as a number to predict ('must be numeric'), and so did one written before the markers
    were kept, trained when pandas' own list (N/A among them) meant missing."""
    rng = np.random.default_rng(0)
    x = rng.normal(size=60).round(3).astype(object)
    x[[3, 17]] = "N/A"
    df = pd.DataFrame({"x": x, "z": rng.normal(size=60), "y": np.where(rng.normal(size=60) > 0, "a", "b")})
    csv, model = tmp_path / "n.csv", tmp_path / "n.npz"
    df.to_csv(csv, index=False)
    r = cmd("train", csv, "--target", "y", "--na-values", "N/A", "--impute", "median", "--epochs", "2",
            "--out", model, "--quiet")
    assert r.returncode == 0, r.stderr
    assert cmd("predict", model, csv).returncode == 0 and cmd("evaluate", model, csv).returncode == 0
    net, extra = cr.load(model, with_extra=True)
    legacy = {k: v for k, v in extra["tabular"].items() if k not in ("na_values", "typed")}
    from chainrule.saving.npz import save
    save(net, tmp_path / "old.npz", extra={**extra, "tabular": legacy})
    r = cmd("predict", tmp_path / "old.npz", csv)
    assert r.returncode == 0, r.stderr
    assert r.stdout == cmd("predict", model, csv).stdout


def test_a_text_column_read_as_written_matches_exact_text_only_as_the_onnx_graph(tmp_path):
    """Codes read as written are categories as written: '0002' matched '2' as a number in predict
    (no unseen warning) while the exported graph gave it all zeros."""
    ort = pytest.importorskip("onnxruntime")
    rng = np.random.default_rng(1)
    codes = ["0001", "001", "1", "2", "02", "7"]
    k, x = rng.integers(0, 6, size=200), rng.normal(size=200)
    text = "code,x,y\n" + "".join(f"{codes[a]},{b},{'a' if (a < 3) ^ (b > 0) else 'b'}\n" for a, b in zip(k, x))
    csv, model, onnx_path = write(tmp_path / "c.csv", text), tmp_path / "c.npz", tmp_path / "c.onnx"
    assert cmd("train", csv, "--target", "y", "--text", "code", "--epochs", "30", "--out", model,
               "--quiet").returncode == 0
    assert cmd("export", model, onnx_path).returncode == 0
    new = write(tmp_path / "new.csv", "code,x\n0002,0.5\n2,0.5\n1.0,0.5\n")
    r = cmd("predict", model, new, "--proba")
    assert r.returncode == 0 and "column 'code' has 2 values unseen in training" in r.stderr, r.stderr
    want = pd.read_csv(__import__("io").StringIO(r.stdout)).filter(like="proba_").to_numpy()
    s = ort.InferenceSession(str(onnx_path), providers=["CPUExecutionProvider"])
    _, proba = s.run(None, {"code": np.array([["0002"], ["2"], ["1.0"]], dtype=object),
                            "x": np.full((3, 1), 0.5)})
    np.testing.assert_allclose(proba, want, rtol=1e-12, atol=1e-12)


def test_data_out_naming_a_file_is_refused_not_made_a_folder(tmp_path):
    """`--out iris.csv` (the file's name, as a user may read --out) made a folder iris.csv that train then refused."""
    for out in ("iris.csv", "my_copy.CSV", "seed.npz"):
        r = subprocess.run([sys.executable, "-m", "chainrule.cli", "data", "iris.csv", "--out", out], cwd=tmp_path,
                           capture_output=True, text=True)
        assert r.returncode == 2 and "names a file: --out is the folder to copy into" in r.stderr, r.stderr
        assert not (tmp_path / out).exists()
    assert cmd("data", "iris.csv", "--out", tmp_path / "copies.d").returncode == 0     # a folder's own dot is fine
    assert (tmp_path / "copies.d" / "iris.csv").is_file()
