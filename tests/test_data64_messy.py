"""A spreadsheet's CSV: amounts written with a currency sign ('$3.50') are refused as percentages are, with a pandas
line that reads them (followed here: its numbers are the truth), by train and train --stream alike; predict names
them too. Booleans written Y/N beside yes/no and TRUE/false are two categories, not one per spelling."""
import numpy as np
import pandas as pd
import pytest
from conftest import cmd


def _money_file(tmp_path, cells):
    rng = np.random.default_rng(0)
    x = rng.normal(size=len(cells))
    path = tmp_path / "money.csv"
    pd.DataFrame({"x": x, "price": cells, "y": np.where(x > 0, "a", "b")}).to_csv(path, index=False)
    return path


@pytest.mark.parametrize("stream", [False, True])
def test_amounts_with_a_currency_sign_are_refused_with_a_line_that_reads_them(tmp_path, stream):
    amounts = [12.5 * k - 100 for k in range(40)]
    cells = [f"{'-' if v < 0 else ''}${abs(v):,.2f}" for v in amounts]               # -$100.00, $1,012.50
    path = _money_file(tmp_path, cells)
    r = cmd("train", str(path), "--target", "y", "--out", str(tmp_path / "m.npz"), *(["--stream"] if stream else []))
    assert r.returncode != 0
    said = r.stderr
    assert "'price' holds amounts with a currency sign" in said and "'-$100.00' on line 2" in said, said
    line = said.split("pandas: ")[1].split(")), or")[0] + ")"
    df = pd.read_csv(path, dtype={"price": str})
    read = eval(line, {"df": df})                              # the advice, followed
    assert np.allclose(read.to_numpy(), amounts)


def test_a_sign_after_the_number_and_other_currencies_are_amounts_too(tmp_path):
    cells = [f"{v:.2f} €" if k % 2 else f"£{v:.2f}" for k, v in enumerate(np.linspace(1, 30, 40))]
    r = cmd("train", str(_money_file(tmp_path, cells)), "--target", "y", "--out", str(tmp_path / "m.npz"))
    assert "holds amounts with a currency sign" in r.stderr, r.stderr


def test_text_with_a_dollar_sign_is_still_text(tmp_path):
    cells = ["$HOME", "US$", "A$", "$"] * 10
    r = cmd("train", str(_money_file(tmp_path, cells)), "--target", "y", "--out", str(tmp_path / "m.npz"),
            "--epochs", "1")
    assert r.returncode == 0, r.stderr


def test_predict_names_an_amount_in_a_numeric_column(tmp_path):
    cells = [f"{v:.2f}" for v in np.linspace(1, 30, 40)]
    r = cmd("train", str(_money_file(tmp_path, cells)), "--target", "y", "--out", str(tmp_path / "m.npz"),
            "--epochs", "1")
    assert r.returncode == 0, r.stderr
    pd.DataFrame({"x": [0.1, 0.2], "price": ["3.50", "$3.50"]}).to_csv(tmp_path / "new.csv", index=False)
    said = cmd("predict", str(tmp_path / "m.npz"), str(tmp_path / "new.csv")).stderr
    assert "'$3.50'" in said and "amounts with a currency sign" in said, said


def test_y_and_n_beside_yes_no_and_true_false_are_two_categories(tmp_path):
    words = ["yes", "no", "Y", "N", "TRUE", "false", "y", "n"]
    rng = np.random.default_rng(1)
    x = rng.normal(size=48)
    b = [words[k % 8] for k in range(48)]
    pd.DataFrame({"x": x, "b": b, "y": np.where(x > 0, "a", "b")}).to_csv(tmp_path / "t.csv", index=False)
    r = cmd("train", str(tmp_path / "t.csv"), "--target", "y", "--out", str(tmp_path / "m.npz"), "--epochs", "1")
    assert r.returncode == 0, r.stderr
    assert "text column 'b': 2 categories" in r.stderr, r.stderr
    # predict reads each spelling as its meaning: the predictions of Y and yes (N and no) are the same
    new = pd.DataFrame({"x": [0.3] * 4, "b": ["Y", "yes", "N", "no"]})
    new.to_csv(tmp_path / "new.csv", index=False)
    r = cmd("predict", str(tmp_path / "m.npz"), str(tmp_path / "new.csv"), "--proba")
    assert r.returncode == 0, r.stderr
    out = pd.read_csv(__import__("io").StringIO(r.stdout))
    assert np.allclose(out.iloc[0, 1:], out.iloc[1, 1:]) and np.allclose(out.iloc[2, 1:], out.iloc[3, 1:])
    assert not np.allclose(out.iloc[0, 1:], out.iloc[2, 1:])


def test_the_exported_graph_reads_y_and_n_as_predict_does(tmp_path):
    ort = pytest.importorskip("onnxruntime")
    pytest.importorskip("onnx")
    rng = np.random.default_rng(2)
    x = rng.normal(size=48)
    b = [["Y", "no", "y", "N", "yes"][k % 5] for k in range(48)]
    pd.DataFrame({"x": x, "b": b, "y": np.where(x > 0, "a", "b")}).to_csv(tmp_path / "t.csv", index=False)
    assert cmd("train", str(tmp_path / "t.csv"), "--target", "y", "--out", str(tmp_path / "m.npz"), "--epochs", "2",
               "--quiet").returncode == 0
    spelled = ["Y", "y", "yes", "TRUE", "N", "n", "No", "false"]
    pd.DataFrame({"x": [0.25] * len(spelled), "b": spelled}).to_csv(tmp_path / "new.csv", index=False)
    r = cmd("predict", str(tmp_path / "m.npz"), str(tmp_path / "new.csv"), "--proba")
    assert r.returncode == 0 and "unseen" not in r.stderr, r.stderr
    proba = pd.read_csv(__import__("io").StringIO(r.stdout)).filter(like="proba_").to_numpy()
    assert cmd("export", str(tmp_path / "m.npz"), str(tmp_path / "m.onnx")).returncode == 0
    s = ort.InferenceSession(str(tmp_path / "m.onnx"), providers=["CPUExecutionProvider"])
    _, graph = s.run(None, {"x": np.full((len(spelled), 1), 0.25), "b": np.array(spelled, dtype=object)[:, None]})
    graph = np.asarray([list(p.values()) if isinstance(p, dict) else p for p in graph])
    np.testing.assert_allclose(proba, graph, rtol=1e-5)
    assert np.allclose(proba[:4], proba[0]) and np.allclose(proba[4:], proba[4])


def test_a_decimal_comma_amount_is_not_given_a_line_that_drops_its_comma(tmp_path):
    # '3,50 €' is 3.5: the amounts' pandas line, which drops commas, would make it 350; so it is not said as one
    cells = [f"{v:.2f} €".replace(".", ",") for v in np.linspace(1, 30, 40)]
    r = cmd("train", str(_money_file(tmp_path, cells)), "--target", "y", "--out", str(tmp_path / "m.npz"),
            "--epochs", "1")
    assert "amounts with a currency sign" not in r.stderr, r.stderr
