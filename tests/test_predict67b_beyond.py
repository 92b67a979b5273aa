"""A regression target close to float64's largest value (1.8e308): predictions a little past its training values
pass the limit once scaled back. predict refuses them (never writing inf) saying so, from the mean and standard
deviation the model file keeps, and how to scale the target; the refusal blames the inputs or weights only where
the network's outputs are far beyond every target. The truth: following the advice gives finite predictions that
match the target, and the target's own values in the file."""
import re

import numpy as np
import pytest

pd = pytest.importorskip("pandas")
from conftest import cmd  # noqa: E402


def last(r) -> str:
    return r.stderr.strip().splitlines()[-1]


def test_a_target_near_the_limit_is_told_to_be_scaled(tmp_path):
    x = np.arange(80) / 79
    y = x * 1.797e308
    pd.DataFrame({"x": x, "y": y}).to_csv(tmp_path / "d.csv", index=False)
    r = cmd("train", tmp_path / "d.csv", "--target", "y", "--epochs", "50", "--out", tmp_path / "m.npz", "--quiet")
    assert r.returncode == 0, r.stderr
    for command in ("predict", "evaluate"):
        r = cmd(command, tmp_path / "m.npz", tmp_path / "d.csv", *(["--out", tmp_path / "p.csv"]
                                                                     if command == "predict" else []))
        assert r.returncode != 0
        line = last(r)
        assert "beyond float64's range" in line and "pass float64's limit (±1.8e+308)" in line, line
        assert "weights damaged" not in line and "far outside" not in line, line
        said = re.search(r"training mean of 'y' \(([-+.e\d]+); standard deviation ([-+.e\d]+)\)", line)
        assert said, line
        mean, spread = float(said[1]), float(said[2])
        assert y.min() < mean < y.max() and 0 < spread < y.max() - y.min()
        factor = re.search(r"divide 'y' by ([-+.e\d]+) in the file\) and keep the predictions in those units: "
                           r"multiplied back by \1, those past the limit are again beyond float64$", line)
        assert factor, line
    assert not (tmp_path / "p.csv").exists()
    scale = float(factor[1])
    pd.DataFrame({"x": x, "y": y / scale}).to_csv(tmp_path / "s.csv", index=False)
    r = cmd("train", tmp_path / "s.csv", "--target", "y", "--epochs", "50", "--out", tmp_path / "s.npz", "--quiet")
    assert r.returncode == 0, r.stderr
    r = cmd("predict", tmp_path / "s.npz", tmp_path / "s.csv", "--out", tmp_path / "p.csv")
    assert r.returncode == 0, r.stderr
    back = pd.read_csv(tmp_path / "p.csv").iloc[:, -1].to_numpy()       # in the scaled target's units
    assert np.isfinite(back).all() and np.corrcoef(back, y / scale)[0, 1] > 0.9
    with np.errstate(over="ignore"):        # multiplied back (the advice's words before): beyond float64 again
        assert not np.isfinite(back * scale).all()


def test_decode_says_why_from_the_target_it_was_trained_on():
    from chainrule.data.tabular import Preprocessing
    from chainrule.errors import ValidationError
    df = pd.DataFrame({"a": np.arange(8.0), "y": np.arange(8.0) * 2e307})
    pre = Preprocessing.fit(df, "y", task="regression")
    near = (np.finfo(np.float64).max - pre.y_mean) / pre.y_scale + 0.5      # just past the limit
    with pytest.raises(ValidationError, match=r"Scale the target down before training \(e\.g\. divide 'y' by 1e\+"):
        pre.decode(np.array([[0.0], [near]]))
    with pytest.raises(ValidationError, match=r"far beyond every target it was trained on: its inputs are far outside"):
        pre.decode(np.array([[0.0], [1e10]]))
