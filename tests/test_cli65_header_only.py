"""A CSV file of a header and no rows: refused alike by train (also --stream), evaluate, predict and explain --data,
naming the file, nothing written. Zero rows is no prediction file of a header alone: the engine's predict refuses
zero samples, as scikit-learn's does, and an empty result would hide the step before that lost the rows."""
from pathlib import Path

import numpy as np
import pytest
from conftest import cmd

import chainrule as cr

IRIS = Path(cr.__file__).parent / "data" / "examples" / "iris.csv"


def test_zero_rows_are_refused_by_every_command_as_by_scikit_learn(tmp_path):
    from sklearn.linear_model import LogisticRegression
    clf = LogisticRegression().fit(np.eye(4), [0, 1, 0, 1])
    with pytest.raises(ValueError, match="0 sample"):
        clf.predict(np.zeros((0, 4)))
    net = cr.Network([cr.Dense(4, 2)], loss="mse")
    with pytest.raises(cr.errors.ValidationError, match="empty"):
        net.predict(np.zeros((0, 4)))
    model = tmp_path / "m.npz"
    assert cmd("train", IRIS, "--target", "species", "--epochs", "1", "--quiet", "--out", model).returncode == 0
    empty = tmp_path / "h.csv"
    empty.write_text(IRIS.read_text().splitlines()[0] + "\r\n\n")
    runs = [["train", empty, "--target", "species", "--out", tmp_path / "x.npz"],
            ["train", empty, "--target", "species", "--out", tmp_path / "x.npz", "--stream"],
            ["evaluate", model, empty], ["predict", model, empty, "--out", tmp_path / "p.csv"],
            ["explain", model, "--data", empty]]
    for argv in runs:
        r = cmd(*argv)
        assert r.returncode == 2 and r.stderr.splitlines()[-1] == \
            f"chainrule: error: CSV file '{empty}' has a header but no data rows", (argv, r.stderr)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["h.csv", "m.npz"]
