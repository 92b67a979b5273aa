"""The separator of every CSV text chainrule writes follows the file's name, as pandas' users and spreadsheets
read it: tabs in a .tsv, .tab or .txt file (a comma there read as one column), commas else; a name of another
format (.npz, .xlsx, .csv.gz) refused, naming the file.
A separator given to CSVLogger is used as given, as Keras uses it."""
import numpy as np
import pandas as pd
import pytest
from conftest import cmd

import chainrule as cr
from chainrule.errors import ValidationError


@pytest.fixture
def model(tmp_path):
    (tmp_path / "t.csv").write_text("a,b,y\n1,0.5,x\n2,0.1,z\n3,0.7,x\n4,0.2,z\n")
    assert cmd("train", "t.csv", "--target", "y", "--out", "m.npz", "--epochs", "1", "--quiet",
               cwd=tmp_path).returncode == 0
    return tmp_path


@pytest.mark.parametrize("name", ["p.tsv", "p.tab", "p.txt", "P.TSV"])
def test_predict_writes_tabs_where_the_name_says_tab_separated(model, name):
    assert cmd("predict", "m.npz", "t.csv", "--proba", "--id", "a", "--out", "p.csv", cwd=model).returncode == 0
    for _ in range(2):       # the second replaces the first: a tab-separated file of predictions is predict's own
        done = cmd("predict", "m.npz", "t.csv", "--proba", "--id", "a", "--out", name, cwd=model)
        assert done.returncode == 0, done.stderr
    commas = pd.read_csv(model / "p.csv")
    tabs = pd.read_csv(model / name, sep="\t")
    assert list(tabs.columns) == ["a", "prediction", "proba_x", "proba_z"]
    pd.testing.assert_frame_equal(tabs, commas)


def test_predict_keeps_commas_on_standard_output_and_other_names(model):
    out = cmd("predict", "m.npz", "t.csv", "--proba", cwd=model).stdout
    assert out.splitlines()[0] == "prediction,proba_x,proba_z"
    assert cmd("predict", "m.npz", "t.csv", "--out", "p.dat", cwd=model).returncode == 0
    assert (model / "p.dat").read_text().splitlines()[0] == "prediction"
    assert len(pd.read_csv(model / "p.dat")) == 4


def _fit(log, **options):
    net = cr.Network([cr.Dense(2, 1, "sigmoid")], loss="mse", seed=0)
    return net.fit(np.zeros((4, 2)), np.ones((4, 1)), epochs=2, verbose=0, callbacks=[cr.CSVLogger(log, **options)])


@pytest.mark.parametrize("name", ["log.tsv", "log.txt"])
def test_csv_logger_writes_tabs_where_the_name_says_tab_separated(tmp_path, name):
    history = _fit(tmp_path / name)
    rows = pd.read_csv(tmp_path / name, sep="\t")
    assert list(rows.columns) == ["epoch", "loss", "val_loss"] and list(rows["epoch"]) == [0, 1]
    assert rows["loss"].tolist() == history.history["loss"]
    _fit(tmp_path / "log.csv", separator=";")                # a separator given: as given, as Keras writes it
    assert (tmp_path / "log.csv").read_text().splitlines()[0] == "epoch;loss;val_loss"
    _fit(tmp_path / "log.csv")
    assert (tmp_path / "log.csv").read_text().splitlines()[0] == "epoch,loss,val_loss"


@pytest.mark.parametrize("name, said", [("log.npz", ".npz is a chainrule model's ending"),
                                        ("log.csv.gz", "ends in .gz"), ("log.xlsx", "ends in .xlsx"),
                                        ("log.onnx", ".onnx is an ONNX model's ending")])
def test_csv_logger_refuses_a_name_of_another_format_as_predict_does(tmp_path, model, name, said):
    with pytest.raises(ValidationError, match=f"CSVLogger: filename .*{name}.*{said}"):
        _fit(tmp_path / name)
    done = cmd("predict", "m.npz", "t.csv", "--out", name, cwd=model)        # the command line's rule, the same
    assert done.returncode == 2 and name in done.stderr and not (model / name).exists()
    assert said in done.stderr.splitlines()[-1]              # one rule, one message (its text once, in nn/filenames)
    assert not (tmp_path / name).exists()


@pytest.mark.parametrize("name, old", [("log.txt", ","), ("log.csv", "\t")])
def test_csv_logger_appends_with_the_separator_of_the_files_header(tmp_path, name, old):
    # a log Keras wrote (commas whatever the name) or one written with separator='\t': appended to under its own
    # header's separator, where the name's made its header one column and its rows the epoch alone
    log = tmp_path / name
    log.write_text(old.join(["epoch", "loss", "val_loss"]) + "\n" + old.join(["0", "0.5", "NA"]) + "\n")
    net = cr.Network([cr.Dense(2, 1, "sigmoid")], loss="mse", seed=0)
    history = net.fit(np.zeros((4, 2)), np.ones((4, 1)), epochs=2, verbose=0,
                      callbacks=[cr.CSVLogger(log, append=True)])
    rows = pd.read_csv(log, sep=old)
    assert list(rows.columns) == ["epoch", "loss", "val_loss"] and list(rows["epoch"]) == [0, 0, 1]
    assert rows["loss"].tolist()[1:] == history.history["loss"]
