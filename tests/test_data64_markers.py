"""Advice on missing-value markers that can be followed: predict names every marker of a numeric column (it named
the first, and its --na-values, followed, failed on the next); an advice too long to give whole is said shorter,
never left out. Following the advice is the truth: the run then succeeds."""
import numpy as np
import pandas as pd
from conftest import cmd


def _model(tmp_path, impute=True):
    rng = np.random.default_rng(0)
    x = rng.normal(size=(80, 2))
    pd.DataFrame({"a": x[:, 0], "b": x[:, 1], "y": x[:, 0] - x[:, 1]}).to_csv(tmp_path / "train.csv", index=False)
    r = cmd("train", str(tmp_path / "train.csv"), "--target", "y", "--epochs", "1", "--out", str(tmp_path / "m.npz"),
            "--quiet", *(["--impute", "mean"] if impute else []))
    assert r.returncode == 0, r.stderr
    return tmp_path / "m.npz"


def test_predict_names_every_unseen_marker_and_its_advice_reads_them_all(tmp_path):
    model = _model(tmp_path)
    (tmp_path / "new.csv").write_text("a,b\n1,2\n?,3\n0.5,n/a\nmissing,1\n-,2\n")
    r = cmd("predict", str(model), str(tmp_path / "new.csv"))
    assert r.returncode != 0
    said = r.stderr
    for marker in ("'?'", "'missing'", "'-'"):
        assert marker in said, said
    option = said.split("give --na-values ")[1].split(" ")[0].strip("'")
    assert set(option.split(",")) >= {"?", "missing", "-"}, said
    r = cmd("predict", str(model), str(tmp_path / "new.csv"), "--na-values", option)
    assert "column 'a'" not in r.stderr, r.stderr


def test_a_marker_and_a_typo_advise_the_marker_only(tmp_path):
    model = _model(tmp_path)
    (tmp_path / "new.csv").write_text("a,b\n?,2\n1.2.3,3\n")
    said = cmd("predict", str(model), str(tmp_path / "new.csv")).stderr
    assert "give --na-values '?'" in said and "1.2.3" not in said.split("give")[1], said


def test_many_markers_are_advised_whole(tmp_path):
    markers = ["missing", "unknown", "not recorded", "absent", "no reading", "tbd", "pending", "void", "blank"]
    rng = np.random.default_rng(1)
    values = [f"{v:.3f}" for v in rng.normal(size=60)] + markers
    y = rng.normal(size=len(values))
    pd.DataFrame({"a": values, "y": y}).to_csv(tmp_path / "t.csv", index=False)
    r = cmd("train", str(tmp_path / "t.csv"), "--target", "y", "--out", str(tmp_path / "m.npz"))
    assert r.returncode != 0
    assert f"--na-values '{','.join(markers)}'" in r.stderr, r.stderr     # whole: pasted as it is
    r = cmd("train", str(tmp_path / "t.csv"), "--target", "y", "--out", str(tmp_path / "m.npz"), "--epochs", "1",
            "--na-values", ",".join(markers), "--impute", "mean")
    assert r.returncode == 0, r.stderr


def test_many_markers_are_advised_whole_in_pythons_words_too():
    import pytest

    from chainrule.data.tabular import Preprocessing
    from chainrule.errors import ValidationError
    markers = ["missing", "unknown", "not recorded", "absent", "no reading", "tbd", "pending", "void", "blank"]
    rng = np.random.default_rng(2)
    df = pd.DataFrame({"a": [f"{v:.3f}" for v in rng.normal(size=60)] + markers})
    df["y"] = rng.normal(size=len(df))
    with pytest.raises(ValidationError) as caught:
        Preprocessing.fit(df, "y")
    said = str(caught.value)
    assert f"na_values={markers}" in said and "..." not in said, said       # whole: pasted as it is
