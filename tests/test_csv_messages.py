"""The CSV reading's errors and warnings as a user meets them on the command line (train, train --stream,
predict, evaluate, explain --data): rows over several lines are said with their lines, a wrong --sep is
named as such, counts agree with their nouns, and the lines are counted right (docs/errors.md)."""
import ast
import csv
import re

import pytest

from chainrule.cli import main


def _cli(capsys, *args) -> tuple[int, str, str]:
    code = main([str(a) for a in args])
    out = capsys.readouterr()
    return code, out.out, out.err


def _last(err: str) -> str:
    lines = err.strip().splitlines()
    return lines[-1] if lines else ""


def _rows(n=12):
    return ["a,b,note,y"] + [f"{i / 10},{i % 3},n{i},{i % 2}" for i in range(1, n + 1)]


def _write(path, lines):
    path.write_text("\n".join(lines) + "\n")
    return path


def _csv_rows(path, sep=","):
    """(first line, last line, fields) of each row after the header, by the csv module: the truth."""
    with open(path, newline="") as f:
        reader = csv.reader(f, delimiter=sep)
        out, after = [], 0
        for row in reader:
            if row:
                out.append((after + 1, reader.line_num, len(row)))
            after = reader.line_num
    return out[1:]


@pytest.fixture(scope="module")
def model(tmp_path_factory):
    folder = tmp_path_factory.mktemp("m")
    _write(folder / "good.csv", _rows())
    assert main(["train", str(folder / "good.csv"), "--target", "y", "--epochs", "1", "--out",
                 str(folder / "m.npz"), "--quiet"]) == 0
    return folder / "m.npz"


def _multiline(tmp_path):
    """Line 3 opens a quote that line 5 closes: lines 3-5 are one row (a cell 'n2 open\\n0.3,0,n3,1\\nn4 close')."""
    rows = _rows()
    rows[2] = '0.2,2,"n2 open'
    rows[4] = 'n4 close",0'
    return _write(tmp_path / "ml.csv", rows)


def _commands(model, path, tmp_path):
    return {"train": ["train", path, "--target", "y", "--epochs", "1", "--out", tmp_path / "t.npz"],
            "train --stream": ["train", path, "--target", "y", "--epochs", "1", "--stream", "--out",
                               tmp_path / "s.npz"],
            "predict": ["predict", model, path],
            "evaluate": ["evaluate", model, path],
            "explain --data": ["explain", "--model", model, "--data", path, "--layer", "0", "--neuron", "0"]}


# -- rows over several lines: legal CSV, read as the csv module reads them, and said -------------
@pytest.mark.parametrize("command", ["train", "train --stream", "predict", "evaluate", "explain --data"])
def test_a_quote_closed_lines_later_is_warned_naming_the_lines(capsys, tmp_path, model, command):
    path = _multiline(tmp_path)
    truth = _csv_rows(path)
    spans = [(first, last) for first, last, _ in truth if last > first]
    assert spans == [(3, 5)] and len(truth) == 10               # 12 data lines, 10 rows
    code, out, err = _cli(capsys, *_commands(model, path, tmp_path)[command])
    assert code == 0, err
    said = [line for line in err.splitlines() if "read as one row" in line]
    assert said == ["chainrule: warning: CSV file " + repr(str(path)) + ": line 3's quote closes on line 5: lines 3-5 "
                    "are read as one row (a quoted cell over several lines); if that quote is a stray one, remove it "
                    "(a quote inside a quoted cell is written twice: \"\"), else nothing is wrong"]
    if command == "predict":
        assert len(out.strip().splitlines()) == 1 + len(truth)     # a prediction per row, as the csv module reads
    if command.startswith("train") or command == "predict":
        assert f": {len(truth)} rows, 4 columns" in err


def test_several_rows_over_lines_are_counted_and_the_first_named(capsys, tmp_path):
    rows = _rows(30)
    for first, last in ((3, 4), (8, 10), (12, 13), (16, 17), (20, 21), (25, 27), (29, 30)):
        rows[first - 1] = rows[first - 1].rsplit(",", 2)[0] + ',"open'
        rows[last - 1] = 'close",' + rows[last - 1].rsplit(",", 1)[1]
    path = _write(tmp_path / "many.csv", rows)
    spans = [(first, last) for first, last, _ in _csv_rows(path) if last > first]
    assert len(spans) == 7
    shown = ", ".join(f"{a}-{b}" for a, b in spans[:5])
    for stream in ((), ("--stream",)):
        code, _, err = _cli(capsys, "train", path, "--target", "y", "--epochs", "1", "--out", tmp_path / "m.npz",
                            *stream)
        assert code == 0, err
        assert (f"CSV file {str(path)!r}: 7 rows are read over several lines each (quoted cells over several lines), "
                f"on lines {shown} and 2 more; if a quote there is a stray one, remove it") in err


@pytest.mark.parametrize("command", ["train", "train --stream", "predict", "evaluate", "explain --data"])
def test_a_row_over_lines_with_another_count_of_fields_is_named_by_its_lines(capsys, tmp_path, model, command):
    rows = _rows()
    rows[2] = '0.2,2,"n2 open'
    rows[6] = 'n6 close",0,1'                               # the merged row has 5 fields
    path = _write(tmp_path / "bad.csv", rows)
    bad = [r for r in _csv_rows(path) if r[2] != 4]
    assert bad == [(3, 7, 5)]
    code, _, err = _cli(capsys, *_commands(model, path, tmp_path)[command])
    assert code == 2
    assert _last(err).startswith(f"chainrule: error: CSV file {str(path)!r}: the row on lines 3-7 (line 3's "
                                 "quote closes on line 7) has 5 fields but the header (line 1: 'a,b,note,y') has 4. "
                                 "Every row")


# -- a wrong --sep whose cells hold it: the hint that the separator is wrong ---------------------
@pytest.mark.parametrize("command", ["train", "predict", "evaluate", "explain --data"])
def test_a_wrong_sep_found_in_a_cell_asks_for_the_separator(capsys, tmp_path, model, command):
    rows = _rows()
    rows[3] = "0.3,0,x;z,1"                                  # a cell with a ';': that line splits in two by ';'
    path = _write(tmp_path / "semi.csv", rows)
    assert [r[0] for r in _csv_rows(path, ";") if r[2] != 1] == [4]
    args = _commands(model, path, tmp_path)[command]
    code, _, err = _cli(capsys, *args, "--sep", ";")
    assert code == 2
    assert _last(err) == (f"chainrule: error: CSV file {str(path)!r}: line 4 has 2 fields but the header (line 1: "
                          "'a,b,note,y') has 1. ',' splits every line evenly: is the separator ','? (give --sep ',')")
    code, _, err = _cli(capsys, *args, "--sep", ",")                 # the advice works
    assert code == 0, err


# -- the count of ragged lines, in on_lines' words --------------------------------------------------
@pytest.mark.parametrize("stream", [False, True])
def test_ragged_rows_are_counted_right_and_listed_as_other_lists_of_lines(capsys, tmp_path, stream):
    pytest.importorskip("sklearn")
    from pathlib import Path

    import sklearn.datasets
    source = Path(sklearn.datasets.__file__).parent / "data" / "wine_data.csv"
    path = tmp_path / "wine_data.csv"
    path.write_bytes(source.read_bytes())
    bad = [first for first, _, n in _csv_rows(path) if n != 5]
    assert len(bad) == 178
    code, _, err = _cli(capsys, "train", path, "--target", "class", "--out", tmp_path / "w.npz",
                        *(["--stream"] if stream else []))
    assert code == 2
    shown = ", ".join(map(str, bad[1:6]))
    assert (f"line {bad[0]} has 14 fields but the header (line 1: '178,13,class_0,class_1,class_2') has 5 (also on "
            f"lines {shown} and {len(bad) - 6} more). Every row needs") in _last(err)


@pytest.mark.parametrize("command", ["train", "train --stream", "predict"])
def test_one_field_is_one_field(capsys, tmp_path, model, command):
    rows = _rows()
    rows[3] = "0.3"
    path = _write(tmp_path / "short.csv", rows)
    code, _, err = _cli(capsys, *_commands(model, path, tmp_path)[command])
    assert code == 2
    assert re.search(r"line 4 has 1 field but the header \(line 1: 'a,b,note,y'\) has 4\. ", _last(err)), err


# -- counts agree with their nouns --------------------------------------------------------------------
def _gap(tmp_path, column):
    rows = _rows()
    cells = rows[3].split(",")
    cells[["a", "b", "note", "y"].index(column)] = ""
    rows[3] = ",".join(cells)
    path = _write(tmp_path / f"gap_{column}.csv", rows)
    assert [i + 1 for i, line in enumerate(path.read_text().splitlines()) if ",," in line or line.endswith(",")] == [4]
    return path


@pytest.mark.parametrize("command", ["train", "train --stream", "evaluate"])
def test_one_missing_target_is_a_missing_value(capsys, tmp_path, model, command):
    code, _, err = _cli(capsys, *_commands(model, _gap(tmp_path, "y"), tmp_path)[command])
    assert code == 2 and _last(err).startswith("chainrule: error: target column 'y' has a missing value on line 4; ")


@pytest.mark.parametrize("command", ["train", "train --stream", "predict", "evaluate", "explain --data"])
def test_one_missing_feature_is_a_missing_value(capsys, tmp_path, model, command):
    args = _commands(model, _gap(tmp_path, "b"), tmp_path)[command]
    code, _, err = _cli(capsys, *args, *(["--row", "3"] if command == "explain --data" else []))
    assert code == 2
    if command.startswith("train"):
        assert _last(err) == ("chainrule: error: a missing value in 'b' on line 4. Fill it in, or use --impute "
                              "mean|median|most_frequent")
    else:
        assert _last(err) == ("chainrule: error: a missing value in 'b' on line 4; the model was trained without "
                              "gaps there (train with --impute to fill them)")


@pytest.mark.parametrize("command", ["train", "predict"])
def test_a_file_of_one_row_is_read_as_one_row(capsys, tmp_path, model, command):
    path = _write(tmp_path / "one.csv", _rows(1))
    code, _, err = _cli(capsys, *_commands(model, path, tmp_path)[command])
    assert re.search(r"^read .*one\.csv': 1 row, 4 columns, separator ',' ", err, re.M), err


def test_one_value_given_to_explain_inputs_is_one_value(capsys, model):
    code, _, err = _cli(capsys, "explain", "--model", model, "--inputs", "0.5")
    assert (code, _last(err)) == (2, "chainrule: error: --inputs has 1 value; the model's columns are ['a', 'b', "
                                     "'note'] (3)")


# -- explain --data says which reading settings were the model file's, as predict does ---------------------
@pytest.fixture(scope="module")
def european(tmp_path_factory):
    """A model trained on a ';' file with decimal commas in cp1252 (so the model keeps --decimal ',' and
    --encoding 'cp1252'), and two files it reads wrongly that way."""
    folder = tmp_path_factory.mktemp("eu")
    rows = ["a;b;y"] + [f"0,{i};{i % 3};{'xé'[i % 2]}" for i in range(1, 11)]
    (folder / "train.csv").write_bytes(("\n".join(rows) + "\n").encode("cp1252"))
    assert main(["train", str(folder / "train.csv"), "--target", "y", "--decimal", ",", "--encoding", "cp1252",
                 "--epochs", "1", "--out", str(folder / "eu.npz"), "--quiet"]) == 0
    (folder / "plain.csv").write_text("a,b,y\n0.1,1,x\n0.2,2,x\n")            # ',' separates: ',' cannot be decimal
    (folder / "undefined.csv").write_bytes(b"a;b;y\n0,1;1;x\n0,2;2;\x81\n")      # 0x81: no character in cp1252
    with pytest.raises(UnicodeDecodeError):
        b"\x81".decode("cp1252")
    return folder


@pytest.mark.parametrize("case, note", [
    ("plain.csv", "the separator ',' (detected) is the model file's decimal mark ',' (as train read its file): give "
                  "--decimal . (or --sep ,) to read this one's numbers with '.'"),     # test_files_10 follows it
    ("undefined.csv", "(the model file's --encoding 'cp1252', as train read its file: give --encoding to read this "
                      "one otherwise)")])
def test_explain_data_notes_the_model_files_reading_settings_as_predict_does(capsys, european, case, note):
    model, path = european / "eu.npz", european / case
    code, _, err = _cli(capsys, "predict", model, path)
    predicted = _last(err)
    assert code == 2 and predicted.endswith(note), predicted
    code, _, err = _cli(capsys, "explain", "--model", model, "--data", path)
    assert (code, _last(err)) == (2, predicted)


def test_a_ragged_row_read_with_the_models_separator_says_whose_it_was(capsys, tmp_path):
    rows = ["a;b;y"] + [f"{i};{i % 3};{'uv'[i % 2]}" for i in range(1, 9)]
    assert main(["train", str(_write(tmp_path / "s.csv", rows)), "--target", "y", "--epochs", "1", "--out",
                 str(tmp_path / "s.npz"), "--quiet"]) == 0
    # ';' splits the header into the model's columns a, b (so the model's ';' is used), ',' every line evenly
    path = _write(tmp_path / "s2.csv", ["a;b;y,extra", "1;2,u", "2;3,v"])
    assert [r[2] for r in _csv_rows(path, ";")] == [2, 2] and {r[2] for r in _csv_rows(path, ",")} == {2}
    code, _, err = _cli(capsys, "predict", tmp_path / "s.npz", path)
    predicted = _last(err)
    assert code == 2 and predicted.endswith(
        "',' splits every line evenly: is the separator ','? (give --sep ',') (the model file's --sep ';', as train "
        "read its file: give --sep to read this one otherwise)"), predicted
    code, _, err = _cli(capsys, "explain", "--model", tmp_path / "s.npz", "--data", path)
    assert (code, _last(err)) == (2, predicted)


# -- the header a ragged message shows is the row the csv module read, on its own lines ------------
@pytest.mark.parametrize("command", ["train", "train --stream", "predict"])
@pytest.mark.parametrize("header, lines", [('"a\nnew",b,note,y', "lines 1-2"),    # a quoted name over two lines
                                           ("a\x0cb,b,note,y", "line 1"),         # a form feed: no line end to csv
                                           ("a\u2028,b,note,y", "line 1")])       # nor a Unicode line separator
def test_a_ragged_message_shows_the_header_as_the_csv_module_reads_it(capsys, tmp_path, model, command, header,
                                                                       lines):
    rows = _rows()
    rows[0] = header
    rows[4] = "0.4,1"
    path = _write(tmp_path / "h.csv", rows)
    with open(path, newline="") as f:
        truth = next(csv.reader(f))                       # the header's cells, as the csv module reads them
    assert len(truth) == 4
    code, _, err = _cli(capsys, *_commands(model, path, tmp_path)[command])
    assert code == 2
    shown = re.search(r"but the header \((lines? [\d-]+): ('.*?')\) has (\d+)", _last(err))
    assert shown, _last(err)
    assert shown[1] == lines and shown[3] == "4"
    assert next(csv.reader([ast.literal_eval(shown[2])])) == truth   # the text shown reads back as the same cells
