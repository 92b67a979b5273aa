"""Class labels written with leading zeros (007, 012) stay as the file writes them: pandas reads
them as the numbers 7 and 12, and predictions were written '12' for a class the file calls '012'.
The model is the one `--text TARGET` trains (in memory, with --stream, and in a sweep)."""
import numpy as np
import pytest

import chainrule as cr
from chainrule.cli import main
from chainrule.data.columns import zero_led
from chainrule.data.tabular import Preprocessing


def _csv(path, labels=("007", "012", "3"), feature=None, n=150):
    rng = np.random.default_rng(0)
    X = rng.normal(size=(n, 2))
    k = (X[:, 0] > 0).astype(int) + (X[:, 1] > 0.5).astype(int)
    with open(path, "w") as f:
        f.write("a,b,code\n")
        for i, (row, c) in enumerate(zip(X, k)):
            first = feature[i] if feature is not None else f"{row[0]:.3f}"
            f.write(f"{first},{row[1]:.3f},{labels[c]}\n")
    return path


def _train(tmp_path, csv, out, *options):
    assert main(["train", str(csv), "--target", "code", "--out", str(tmp_path / out), "--epochs", "3",
                 "--hidden", "4", *options]) == 0
    return cr.load(tmp_path / out, with_extra=True)


@pytest.mark.parametrize("stream", [[], ["--stream", "--chunk-rows", "40"]])
def test_labels_with_leading_zeros_are_the_files_and_train_the_text_model(tmp_path, capsys, stream):
    csv = _csv(tmp_path / "codes.csv")
    net, extra = _train(tmp_path, csv, "m.npz", *stream)
    err = capsys.readouterr().err
    assert "target column 'code': class labels as the file writes them ('012'" in err
    assert "a number with leading zeros, which would be 12)" in err
    assert Preprocessing.from_json(extra["tabular"]).classes == ["007", "012", "3"]
    as_text, _ = _train(tmp_path, csv, "t.npz", "--text", "code", *stream)
    np.testing.assert_array_equal(net.params, as_text.params)
    assert main(["predict", str(tmp_path / "m.npz"), str(csv), "--out", str(tmp_path / "p.csv")]) == 0
    written = set((tmp_path / "p.csv").read_text().split()[1:])
    assert written <= {"007", "012", "3"} and written & {"007", "012"}
    assert main(["evaluate", str(tmp_path / "m.npz"), str(csv)]) == 0
    assert "accuracy" in capsys.readouterr().out


@pytest.mark.parametrize("stream", [[], ["--stream"]])
def test_zeros_elsewhere_leave_number_labels_numbers(tmp_path, capsys, stream):
    csv = _csv(tmp_path / "n.csv", labels=("0", "1", "2"), feature=[f"00{i % 7}" for i in range(150)])
    _, extra = _train(tmp_path, csv, "m.npz", *stream)
    assert Preprocessing.from_json(extra["tabular"]).classes == [0, 1, 2]
    assert "class labels as the file writes them" not in capsys.readouterr().err


def test_a_regression_target_with_leading_zeros_stays_numbers(tmp_path, capsys):
    csv = tmp_path / "r.csv"
    rng = np.random.default_rng(1)
    csv.write_text("a,code\n" + "".join(f"{x:.3f},{int(100 * x + 300):05d}\n" for x in rng.uniform(0, 5, 80)))
    assert main(["train", str(csv), "--target", "code", "--out", str(tmp_path / "m.npz"), "--epochs", "2"]) == 0
    _, extra = cr.load(tmp_path / "m.npz", with_extra=True)
    assert Preprocessing.from_json(extra["tabular"]).task == "regression"
    assert "class labels as the file writes them" not in capsys.readouterr().err


@pytest.mark.filterwarnings("ignore:(Stochastic Optimizer|.* finished fits ran every epoch)")   # few epochs
def test_the_sweep_keeps_the_labels_as_written(tmp_path):
    pytest.importorskip("pandas")
    from chainrule.sweep import run_sweep
    csv = _csv(tmp_path / "codes.csv", n=90)
    run_sweep(csv, "code", "hidden=4", out_dir=tmp_path, cv=2, epochs=1, batch_size=16, seed=0)
    _, extra = cr.load(tmp_path / "best_model.npz", with_extra=True)
    assert Preprocessing.from_json(extra["tabular"]).classes == ["007", "012", "3"]


@pytest.mark.filterwarnings("ignore:(Stochastic Optimizer|.* finished fits ran every epoch)")   # few epochs
def test_a_sweep_of_an_open_file_keeps_and_says_the_labels_as_written(tmp_path, capsys):
    """run_sweep read an open file a second time for the labels: "CSV file '<data>' is empty"; and
    sweep dropped the line train prints about them."""
    import io

    pytest.importorskip("pandas")
    from chainrule.sweep import run_sweep
    csv = _csv(tmp_path / "codes.csv", n=90)
    res = run_sweep(io.BytesIO(csv.read_bytes()), "code", "hidden=4", out_dir=tmp_path, cv=2, epochs=1, seed=0)
    assert "class labels as the file writes them ('012'" in res.said
    _, extra = cr.load(tmp_path / "best_model.npz", with_extra=True)
    assert Preprocessing.from_json(extra["tabular"]).classes == ["007", "012", "3"]
    capsys.readouterr()
    assert main(["sweep", str(csv), "--target", "code", "--grid", "hidden=4", "--epochs", "1", "--cv", "2",
                 "--out-dir", str(tmp_path / "s")]) == 0
    assert "target column 'code': class labels as the file writes them ('012'" in capsys.readouterr().err


def test_the_labels_are_read_again_alone_without_the_row_check(tmp_path, capsys, monkeypatch):
    """A label 007 made train parse every column of the file a second time, and check its rows again."""
    import pandas as pd

    from chainrule.data import csvfile
    csv = _csv(tmp_path / "codes.csv")
    again = csvfile.read_csv(csv, usecols=["code"])
    assert list(again.columns) == ["code"] and again["code"].iloc[:3].tolist() == ["012", "012", "007"]
    parsed, checks = [], []
    real_read, real_check = pd.read_csv, csvfile._check_rows
    monkeypatch.setattr(pd, "read_csv", lambda *a, **k: parsed.append(k.get("usecols")) or real_read(*a, **k))
    monkeypatch.setattr(csvfile, "_check_rows", lambda *a, **k: checks.append(1) or real_check(*a, **k))
    _, extra = _train(tmp_path, csv, "m.npz")
    assert parsed == [None, ["code"]] and len(checks) == 1
    assert Preprocessing.from_json(extra["tabular"]).classes == ["007", "012", "3"]
    assert "as the file writes them ('012' on line 2:" in capsys.readouterr().err


@pytest.mark.parametrize("data, led", [
    (b"a,b\n1,007\n", True), (b"a,b\n007,1\n", True), (b'a,b\n1,"012"\n', True), (b"a;b\r\n1;2\r\n09;3\r\n", True),
    (b"a,b\n1,7\n", False), (b"a,b\n0.07,0\n", False), (b"a,b\n10,100\n", False), (b"a,b\n1,2.007\n", False),
])
def test_the_flag_finds_a_field_that_begins_with_0_and_a_digit(data, led):
    assert zero_led(data, ";" if b";" in data else ",") is led


@pytest.mark.parametrize("cut", range(3, 12))
def test_the_flag_of_a_file_read_in_blocks_sees_a_field_cut_between_two(tmp_path, monkeypatch, cut):
    """A file is looked at in blocks: a field 007 cut as 0|07 or ,|007 is still seen."""
    from chainrule.data import columns
    monkeypatch.setattr(columns, "ZERO_BLOCK", cut)
    path = tmp_path / "cut.csv"
    path.write_bytes(b"h,k\n1,007\n2,3\n")
    assert columns.file_zero_led(path, ",") is True
    path.write_bytes(b"h,k\n1,107\n2,3\n")
    assert columns.file_zero_led(path, ",") is False


def test_the_file_is_looked_at_only_for_a_target_of_classes(tmp_path, monkeypatch):
    """The pass over the file's bytes is for whole-number classes only: a text or regression target,
    or a --text one, never pays for it."""
    from chainrule.data import columns
    looked = []
    monkeypatch.setattr(columns, "file_zero_led", lambda *a: looked.append(a) or False)
    _train(tmp_path, _csv(tmp_path / "t.csv", labels=("a", "b", "c")), "t.npz")
    _train(tmp_path, _csv(tmp_path / "c.csv"), "c.npz", "--text", "code")
    assert looked == []
    _train(tmp_path, _csv(tmp_path / "n.csv", labels=("0", "1", "2")), "n.npz")
    _train(tmp_path, _csv(tmp_path / "s.csv", labels=("0", "1", "2")), "s.npz", "--stream")
    assert len(looked) == 2


def test_explain_reads_a_rows_label_as_the_model_keeps_it(tmp_path, capsys):
    """explain --data read the target as numbers: the row's '012' was the class 12, 'unseen in training'."""
    csv = _csv(tmp_path / "codes.csv")
    _train(tmp_path, csv, "m.npz")
    capsys.readouterr()
    assert main(["explain", "--model", str(tmp_path / "m.npz"), "--data", str(csv), "--row", "1", "--layer", "1",
                 "--neuron", "0"]) == 0
    out = capsys.readouterr().out
    assert "outputs: o1 = P('code' = '007'), o2 = P('code' = '012'), o3 = P('code' = '3')" in out
    assert " - -" not in out                       # a negative mean in brackets: (x - (-0.08))
