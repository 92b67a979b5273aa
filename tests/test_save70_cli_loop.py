"""`chainrule train --out` through a loop of links (a -> b -> a) trained first and failed only at the save; predict
and export alike after their work. Refused first, the links left as they are."""
import os
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from conftest import cmd


def loop(folder, ending):
    a, b = folder / f"a{ending}", folder / f"b{ending}"
    os.symlink(b.name, a)
    os.symlink(a.name, b)
    return a, b


def data(folder):
    x = np.random.default_rng(0).normal(size=(40, 2))
    pd.DataFrame({"a": x[:, 0], "b": x[:, 1], "y": 3 * x[:, 0] - x[:, 1]}).to_csv(folder / "t.csv", index=False)


@pytest.mark.parametrize("command, ending, option", [
    (["train", "t.csv", "--target", "y", "--epochs", "2", "--out"], ".npz", "--out"),
    (["predict", "m.npz", "t.csv", "--out"], ".csv", "--out"),
    (["export", "m.npz"], ".onnx", "the output"),
])
def test_an_output_through_a_loop_of_links_is_refused_before_any_work(tmp_path, command, ending, option):
    data(tmp_path)
    if command[0] != "train":
        assert cmd("train", "t.csv", "--target", "y", "--epochs", "1", "--out", "m.npz", "--quiet",
                   cwd=tmp_path).returncode == 0
    a, b = loop(tmp_path, ending)
    r = cmd(*command, a.name, cwd=tmp_path)
    assert r.returncode == 2, r.stderr
    assert r.stderr == (f"chainrule: error: cannot write {option} {a.name!r} (it is a link to {b.name!r}, and the "
                        "links lead back to themselves: a loop): no file ends them to write; give another file name\n")
    assert r.stdout == ""                       # nothing read, nothing trained
    assert os.readlink(a) == b.name and os.readlink(b) == a.name
    if command[0] == "train":                   # docs/errors.md's row is this message
        row = next(line for line in (Path(__file__).parents[1] / "docs" / "errors.md").read_text().splitlines()
                   if line.startswith("| a link in a loop of links |"))
        assert f"| {r.stderr.removeprefix('chainrule: error: ').rstrip()} (the links" in row, row
