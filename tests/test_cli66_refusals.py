"""The command line as a new user meets it: options refused as argparse reads them (export's OUT not named .onnx, an
empty --checkpoint-dir or --out-dir), a DOS end-of-file mark at a file's end, the one file given named by the
messages of `train --stream` as of `train`, and one reading of a whole number."""
import io

import pandas as pd
import pytest
from conftest import cmd

import chainrule as cr
from chainrule.data.csvfile import read_csv


def _usage_error(r, command: str, line: str) -> None:
    assert r.returncode == 2 and r.stderr.startswith(f"usage: chainrule {command} "), r.stderr
    assert r.stderr.splitlines()[-1] == f"chainrule {command}: error: {line}", r.stderr


@pytest.mark.parametrize("how", ["out", "--out"])
@pytest.mark.parametrize("name, said", [
    ("m.bin", "must end in .onnx (export writes an ONNX model); got 'm.bin'"),
    ("model", "must end in .onnx (export writes an ONNX model); got 'model'"),
    ("m.txt", "'m.txt': .txt is a text file's ending (`chainrule predict --out` writes tab-separated predictions); "
              "this writes an ONNX model, which would then be read as the wrong format. Give a name ending in .onnx"),
])
def test_export_refuses_a_non_onnx_name_as_argparse_refuses_an_option(how, name, said, tmp_path):
    """Refused as the options are read, under export's usage, before the model (missing here) is looked at: it was
    a `chainrule: error:` line after the model's checks, unlike every other option's refusal."""
    words = ["missing.npz", name] if how == "out" else ["missing.npz", "--out", name]
    r = cmd("export", *words, cwd=tmp_path)
    _usage_error(r, "export", f"argument {how}: {said}")
    assert list(tmp_path.iterdir()) == []


def test_export_to_a_folders_name_is_refused_once_with_advice_it_takes(tmp_path):
    """'out/' was told to give 'out' (the name without its '/'), which export then refused for its ending: two rounds.
    It is refused for its ending at once; 'm.onnx/' keeps the folder's advice ('m.onnx'), which export takes."""
    cr.examples.seed_network()[0].save(tmp_path / "m.npz")
    r = cmd("export", "m.npz", "out/", cwd=tmp_path)
    _usage_error(r, "export", "argument out: must end in .onnx (export writes an ONNX model); got 'out/'")
    r = cmd("export", "m.npz", "m.onnx/", cwd=tmp_path)
    assert r.returncode == 2 and r.stderr.splitlines()[-1].endswith("give the file name without it: 'm.onnx'")
    assert cmd("export", "m.npz", "m.onnx", cwd=tmp_path).returncode == 0
    assert sorted(p.name for p in tmp_path.iterdir()) == ["m.npz", "m.onnx"]


@pytest.mark.parametrize("command, words, line", [
    ("train", ["--target", "y", "--out", "m.npz", "--checkpoint-dir", ""],
     "argument --checkpoint-dir: expected a folder for checkpoint.npz and history.jsonl, e.g. run (or no "
     "--checkpoint-dir for none); got ''"),
    ("sweep", ["--target", "y", "--grid", "lr=0.1", "--out-dir", ""],
     "argument --out-dir: expected a folder for the results, e.g. sweep (or no --out-dir for ./sweep); got ''"),
])
def test_an_empty_folder_option_is_refused_as_it_is_read(command, words, line, tmp_path):
    """`--checkpoint-dir "$DIR"` unset: refused under the command's usage, as --out '' is, before the CSV file (missing
    here) is opened; it was refused only once the command ran."""
    r = cmd(command, "missing.csv", *words, cwd=tmp_path)
    _usage_error(r, command, line)
    assert list(tmp_path.iterdir()) == []


ROWS = "a,b,y\n1,2,u\n3,4,v\n5,6,u\n7,8,v\n9,1,u\n2,3,v\n"


@pytest.mark.parametrize("ending", [b"\x1a", b"\x1a\x1a\x1a"])
@pytest.mark.parametrize("newline", [b"\n", b"\r\n", b""])
def test_a_dos_end_of_file_mark_ends_the_file(ending, newline, tmp_path):
    """A DOS end-of-file mark (Ctrl-Z) after the last line was read as one more row of one field (refused as "line 8
    has 1 field"), and glued to the last value ('v\\x1a') as a class of its own; the rows read are the file's
    without it, as pandas reads them then."""
    text = ROWS.rstrip("\n").replace("\n", newline.decode() or "\n").encode() + newline
    (tmp_path / "d.csv").write_bytes(text + ending)
    truth = pd.read_csv(io.BytesIO(text))
    df = read_csv(tmp_path / "d.csv")
    pd.testing.assert_frame_equal(df.reset_index(drop=True), truth, check_dtype=False)
    with open(tmp_path / "d.csv", "rb") as f:                           # an open file too
        pd.testing.assert_frame_equal(read_csv(f).reset_index(drop=True), truth, check_dtype=False)
    for stream in ([], ["--stream"]):
        r = cmd("train", "d.csv", "--target", "y", "--epochs", "1", "--out", "m.npz", "--val-split", "0", *stream,
                cwd=tmp_path)
        assert r.returncode == 0, r.stderr
        assert "classification of 'y': 6 training" in r.stderr or "6 rows" in r.stderr, r.stderr
    p = cmd("predict", "m.npz", "d.csv", cwd=tmp_path)
    assert p.returncode == 0 and len(p.stdout.splitlines()) == 1 + len(truth), p.stderr
    assert set(p.stdout.split()[1:]) <= {"u", "v"}


def test_a_mark_inside_the_file_is_not_an_end(tmp_path):
    """Only the marks at the very end are dropped: one before more rows is a control character, refused."""
    from chainrule.errors import ValidationError
    (tmp_path / "d.csv").write_bytes(b"a,y\n1,u\n\x1a2,v\n3,u\n")
    with pytest.raises(ValidationError, match="holds control characters"):
        read_csv(tmp_path / "d.csv")


@pytest.mark.parametrize("stream", [[], ["--stream"]])
@pytest.mark.parametrize("content, words, line", [
    ("y\n0\n1\n0\n1\n", ["--target", "y"], "CSV file 'd.csv' has no feature columns besides the target 'y'"),
    (ROWS, ["--target", "z"], "CSV file 'd.csv': target column 'z' is not in the file; columns are ['a', 'b', 'y']"),
    (ROWS, ["--target", "y", "--text", "q"],
     "CSV file 'd.csv': text column 'q' is not in the file; columns are ['a', 'b', 'y']"),
    (ROWS, ["--target", "y", "--drop", "q"],
     "CSV file 'd.csv': --drop: column 'q' is not in the file; columns are ['a', 'b', 'y']"),
    (ROWS, ["--target", "y", "--weight", "q"],
     "CSV file 'd.csv': --weight: column 'q' is not in the file; columns are ['a', 'b', 'y']"),
])
def test_the_file_given_is_named_with_or_without_stream(stream, content, words, line, tmp_path):
    """`train --stream` (CsvStream) said "the file", and so did `train`: the file given is named, in one line for
    both."""
    (tmp_path / "d.csv").write_text(content)
    r = cmd("train", "d.csv", *words, "--out", "m.npz", *stream, cwd=tmp_path)
    assert r.returncode == 2 and r.stderr.splitlines()[-1] == f"chainrule: error: {line}", r.stderr


@pytest.mark.parametrize("typed", ["1_000", "\u0663", "\u00b2", "3.0"])
def test_a_whole_number_is_read_one_way_by_every_option(typed, tmp_path):
    """--epochs read '1_000' and '٣' (an Arabic-Indic 3) as int() reads them, while --schedule's @EPOCH refused
    them: one rule, ASCII digits, for both (as the usage says: a whole number)."""
    epochs = cmd("train", "missing.csv", "--target", "y", "--out", "m.npz", "--epochs", typed, cwd=tmp_path)
    _usage_error(epochs, "train", f"argument --epochs: expected a positive integer; got {typed!r}")
    at = f"step:step_size=1,cosine@{typed}:T_max=2"
    sched = cmd("train", "missing.csv", "--target", "y", "--out", "m.npz", "--schedule", "step:step_size=1",
                "--schedule", f"cosine@{typed}:T_max=2", cwd=tmp_path)
    assert sched.returncode == 2 and "EPOCH a whole number >= 1" in sched.stderr and at not in sched.stderr


@pytest.mark.parametrize("typed, value", [(" 3", 3), ("+3", 3), ("3", 3)])
def test_a_whole_number_with_spaces_or_a_sign_is_still_read(typed, value):
    """What int() and argparse's type=int take in ASCII stays taken: only other spellings are refused."""
    from chainrule.cli.numbers import as_whole
    assert as_whole(typed) == value == int(typed)


@pytest.mark.parametrize("case", ["an output not named .onnx", "an empty folder"])
def test_the_command_line_rows_are_what_the_command_prints(case, tmp_path):
    """docs/errors.md's command-line rows of these refusals: the command run in an empty folder (refused before any
    file is read) prints the row's message as its last line."""
    import shlex
    from pathlib import Path
    doc = (Path(__file__).parents[1] / "docs" / "errors.md").read_text()
    row = next(line for line in doc.splitlines() if line.startswith(f"| {case} "))
    command, message = (cell.strip() for cell in row.rsplit("|", 3)[1:3])
    r = cmd(*shlex.split(command.strip("`"))[1:], cwd=tmp_path)
    assert r.returncode == 2 and r.stderr.splitlines()[-1] == message, r.stderr


def test_train_names_its_values_as_sweep_names_the_same_options():
    """train's help said --epochs EPOCHS, --batch-size BATCH_SIZE, --checkpoint-dir CHECKPOINT_DIR where sweep's (and
    train's own --max-categories, --chunk-rows' neighbours) say N and DIR: one word for one kind of value."""
    import re
    train, sweep = cmd("train", "--help").stdout, cmd("sweep", "--help").stdout
    for option in ("--epochs", "--batch-size"):
        said = {re.search(rf"\[{option} (\S+?)\]", text).group(1) for text in (train, sweep)}
        assert said == {"N"}, (option, said)
    assert "[--checkpoint-dir DIR]" in train and "[--out-dir DIR]" in sweep and "[--chunk-rows N]" in train


@pytest.mark.parametrize("typed", ["1_0", "\u0661\u0660"])        # int() reads both as 10
def test_a_whole_number_inside_a_value_is_read_as_the_options_read_one(typed, tmp_path):
    """--hidden, explain's --layers, a --grid's hidden widths and epochs and a --schedule's step_size read '1_0'
    and '١٠' (Arabic-Indic 10) as int() reads them, as 10, where --epochs refuses them: one rule for all. The same
    values in ASCII digits train (the truth that the refusal is the spelling's)."""
    (tmp_path / "d.csv").write_text(ROWS)
    train = ["train", "d.csv", "--target", "y", "--epochs", "1", "--out", "m.npz", "--quiet"]
    sweep = ["sweep", "d.csv", "--target", "y", "--cv", "2", "--epochs", "1", "--grid"]
    for words, said in (([*train, "--hidden", "{}"], "--hidden must be comma-separated positive integers"),
                        ([*train, "--schedule", "step:step_size={}"], "step_size must be a positive integer"),
                        (["explain", "--layers", "2,{},2"], "--layers must be integers separated by ','"),
                        ([*sweep, "hidden={}"], "hidden widths must be integers"),
                        ([*sweep, "lr=0.1", "--grid", "batch_size={}"], "batch_size must be a positive int")):
        r = cmd(*(w.format(typed) for w in words), cwd=tmp_path)
        assert r.returncode == 2 and said in r.stderr.splitlines()[-1] and typed in r.stderr, (words, r.stderr)
        ok = cmd(*(w.format("10") for w in words), cwd=tmp_path)
        assert ok.returncode == 0, (words, ok.stderr)


@pytest.mark.parametrize("typed", ["10", "-3", " 4 ", "1e-3", "0.5", ".5", "nan", "1_0", "1_0.5", "\u0661\u0660",
                                   "\u0661.5", "monitor"])
def test_number_or_text_reads_what_an_option_reads(typed):
    """A grid's or a --schedule's value: int where as_whole reads it (int() on ASCII digits), float where float()
    reads ASCII without '_', else the text as given."""
    import math

    from chainrule.nn.numeric import number_or_text
    value = number_or_text(typed)
    ascii_number = typed.isascii() and "_" not in typed
    if ascii_number and typed.strip().lstrip("-").isdigit():
        assert type(value) is int and value == int(typed)
    elif ascii_number and typed != "monitor":
        assert type(value) is float and (value == float(typed) or math.isnan(value) and math.isnan(float(typed)))
    else:
        assert value == typed


@pytest.mark.parametrize("words", [
    ["predict", "m.npz", "d.csv", "--id", "q"],
    ["evaluate", "m.npz", "d.csv", "--weight", "q"],
    ["sweep", "d.csv", "--target", "y", "--grid", "lr=0.1", "--cv", "2", "--epochs", "1", "--weight", "q"],
])
def test_every_command_names_the_file_a_column_is_not_in(words, tmp_path):
    """predict's --id, evaluate's --weight and sweep's --weight said "the file" where train's options
    (and evaluate's target) name the file given."""
    (tmp_path / "d.csv").write_text(ROWS)
    assert cmd("train", "d.csv", "--target", "y", "--epochs", "1", "--out", "m.npz", cwd=tmp_path).returncode == 0
    r = cmd(*words, cwd=tmp_path)
    assert r.returncode == 2 and r.stderr.splitlines()[-1] == (
        "chainrule: error: CSV file 'd.csv': --weight: column 'q' is not in the file; columns are ['a', 'b', 'y']"
        .replace("--weight", words[-2])), r.stderr
