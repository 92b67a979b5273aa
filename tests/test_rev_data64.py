"""Review of the data64 change: predict's --na-values advice reads the markers of every numeric column of the
model, not the first failing column's alone (following it, the run then succeeds: the truth)."""
import io

import pandas as pd
from conftest import cmd
from test_data64_markers import _model  # a model of two numeric columns, trained with --impute mean


def test_predicts_marker_advice_reads_the_markers_of_every_numeric_column(tmp_path):
    model = _model(tmp_path)
    (tmp_path / "new.csv").write_text("a,b\n1,2\n?,3\n0.5,missing\n-,n.a.\n")
    r = cmd("predict", str(model), str(tmp_path / "new.csv"))
    assert r.returncode != 0
    option = r.stderr.split("give --na-values ")[1].split(" ")[0].strip("'")
    assert set(option.split(",")) >= {"?", "-", "missing", "n.a."}, r.stderr
    r = cmd("predict", str(model), str(tmp_path / "new.csv"), "--na-values", option)
    assert r.returncode == 0, r.stderr
    assert len(pd.read_csv(io.StringIO(r.stdout))) == 4


def test_predicts_marker_advice_reads_the_markers_of_every_chunk(tmp_path):
    # read in chunks of 2 rows: '?' in the first, 'missing' in a later one; one advice must read both
    model = _model(tmp_path)
    (tmp_path / "new.csv").write_text("a,b\n1,2\n?,3\n0.5,1\n1,1\n0.5,missing\n2,2\n")
    r = cmd("predict", str(model), str(tmp_path / "new.csv"), "--chunk-rows", "2")
    assert r.returncode != 0
    option = r.stderr.split("give --na-values ")[1].split(" ")[0].strip("'")
    assert set(option.split(",")) >= {"?", "missing"}, r.stderr
    r = cmd("predict", str(model), str(tmp_path / "new.csv"), "--chunk-rows", "2", "--na-values", option)
    assert r.returncode == 0, r.stderr
    assert len(pd.read_csv(io.StringIO(r.stdout))) == 6
