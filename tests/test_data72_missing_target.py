"""A target with missing values is refused with its remedy, in the reader's words, whole and streamed: following
the advice as written leaves exactly pandas' unlabelled rows out, and the fit then runs."""
import re
import subprocess

import pandas as pd
import pytest
from conftest import cmd

from chainrule.data.csvfile import read_csv
from chainrule.data.stream import CsvStream
from chainrule.data.tabular import Preprocessing
from chainrule.errors import ValidationError

ROWS = ["a,c,y", *(f"{i},{'uv'[i % 2]},{'' if i == 5 else '?' if i == 17 else 'NA' if i == 12 else 'pq'[i % 3 > 0]}"
                   for i in range(24))]


def _file(tmp_path):
    path = tmp_path / "t.csv"
    path.write_text("\n".join(ROWS) + "\n")
    return path


def _labelled(path, na_values=("?",)):
    """pandas' own reading of the rows that have a label (the oracle)."""
    df = pd.read_csv(path, dtype=str, keep_default_na=False)
    return df[~df["y"].isin(["", "NA", *na_values])].reset_index(drop=True)


def test_a_dataframe_is_told_to_drop_the_rows(tmp_path):
    df = read_csv(_file(tmp_path), na_values=["?"])
    with pytest.raises(ValidationError, match=r"lines 7, 14 and 19.*leave them out") as info:
        Preprocessing.fit(df, "y")
    code = re.search(r"\((df\.dropna\(.*?\))\)$", str(info.value)).group(1)
    kept = eval(code, {"df": df})
    assert kept["a"].astype(str).tolist() == _labelled(_file(tmp_path))["a"].tolist()
    Preprocessing.fit(kept, "y")


def test_a_stream_is_told_how_to_write_the_file_without_them(tmp_path):
    path, new = _file(tmp_path), tmp_path / "new.csv"
    with pytest.raises(ValidationError, match=r"lines 7, 14 and 19.*leave them out") as info:
        CsvStream(path, na_values=["?"]).fit("y")
    code = re.search(r"e\.g\. (pd\.read_csv\(.*\))\)$", str(info.value)).group(1)
    eval(code, {"pd": pd, "path": path, "new_path": new})
    pd.testing.assert_frame_equal(pd.read_csv(new, dtype=str, keep_default_na=False), _labelled(path))
    CsvStream(new).fit("y")


@pytest.mark.parametrize("stream", [[], ["--stream"]])
def test_the_command_gives_a_line_that_runs(tmp_path, stream):
    path = _file(tmp_path)
    r = cmd("train", "t.csv", "--target", "y", "--na-values", "?", "--epochs", "1", "--out", "m", *stream,
            cwd=tmp_path)
    assert r.returncode != 0 and "lines 7, 14 and 19" in r.stderr
    line = re.search(r"e\.g\. (.*)\)$", r.stderr.strip()).group(1)
    subprocess.run(line, shell=True, cwd=tmp_path, check=True)
    pd.testing.assert_frame_equal(pd.read_csv(tmp_path / "labelled.csv", dtype=str, keep_default_na=False),
                                  _labelled(path))
    assert cmd("train", "labelled.csv", "--target", "y", "--epochs", "1", "--out", "m", *stream,
               cwd=tmp_path).returncode == 0


def test_evaluate_gives_the_remedy_too(tmp_path):
    path = _file(tmp_path)
    (tmp_path / "ok.csv").write_text(path.read_text().replace(",?\n", ",p\n").replace(",NA\n", ",q\n")
                                     .replace(",\n", ",p\n"))
    assert cmd("train", "ok.csv", "--target", "y", "--na-values", "?", "--epochs", "1", "--out", "m",
               cwd=tmp_path).returncode == 0
    r = cmd("evaluate", "m", "t.csv", cwd=tmp_path)
    assert r.returncode != 0 and "line" in r.stderr and "leave them out" in r.stderr
    line = re.search(r"e\.g\. (.*)\)$", r.stderr.strip()).group(1)
    subprocess.run(line, shell=True, cwd=tmp_path, check=True)
    assert cmd("evaluate", "m", "labelled.csv", cwd=tmp_path).returncode == 0


@pytest.mark.parametrize("stream", [[], ["--stream"]])
def test_the_line_reads_and_writes_as_the_file_was_read(tmp_path, stream):
    """A file read with --sep ';' and --encoding latin-1, its name holding a space and a quote: the line reads it
    so (not as comma-separated UTF-8) and writes it so, and the same options then train on the new file."""
    rows = [r.replace(",", ";").replace("u;", "\u00e9;") for r in ROWS]
    path = tmp_path / "it's data.csv"
    path.write_bytes(("\n".join(rows) + "\n").encode("latin-1"))
    options = ("--target", "y", "--sep", ";", "--encoding", "latin-1", "--na-values", "?", "--epochs", "1")
    r = cmd("train", path.name, *options, "--out", "m", *stream, cwd=tmp_path)
    assert r.returncode != 0 and "lines 7, 14 and 19" in r.stderr
    subprocess.run(re.search(r"e\.g\. (.*)\)$", r.stderr.strip()).group(1), shell=True, cwd=tmp_path, check=True)
    kept = pd.read_csv(tmp_path / "labelled.csv", sep=";", encoding="latin-1", dtype=str, keep_default_na=False)
    oracle = pd.read_csv(path, sep=";", encoding="latin-1", dtype=str, keep_default_na=False)
    pd.testing.assert_frame_equal(kept, oracle[~oracle["y"].isin(["", "NA", "?"])].reset_index(drop=True))
    assert cmd("train", "labelled.csv", *options, "--out", "m", *stream, cwd=tmp_path).returncode == 0


def test_a_stream_of_a_semicolon_file_is_told_its_separator(tmp_path):
    path, new = tmp_path / "t.csv", tmp_path / "new.csv"
    path.write_text("\n".join(r.replace(",", ";") for r in ROWS) + "\n")
    with pytest.raises(ValidationError, match=r"leave them out") as info:
        CsvStream(path, sep=";", na_values=["?"]).fit("y")
    eval(re.search(r"e\.g\. (pd\.read_csv\(.*\))\)$", str(info.value)).group(1), {"pd": pd, "path": path,
                                                                                  "new_path": new})
    CsvStream(new, sep=";").fit("y")
