"""Words the command line shows and guesses. The options' placeholders in one style, as `chainrule train --help`
names its counts (`--epochs N`) and sweep its column (`--target COL`): a number typed as one is N, a column's name
COL; `--seed SEED`, `--row ROW`, `--layer LAYER`, `--neuron NEURON` beside `--epochs N`, and train's `--target
TARGET` beside sweep's `--target COL` for the same column, read as different kinds of value."""
import re

import pytest
from conftest import cmd

KIND = {"--seed": "N", "--row": "N", "--layer": "N", "--neuron": "N", "--epochs": "N", "--batch-size": "N",
        "--target": "COL", "--weight": "COL", "--id": "COL", "--groups": "COL"}


@pytest.mark.parametrize("command", ["demo", "train", "predict", "evaluate", "explain", "sweep", "explore"])
def test_each_commands_options_name_a_number_n_and_a_column_col(tmp_path, command):
    r = cmd(command, "--help", cwd=tmp_path)
    assert r.returncode == 0, r.stderr
    shown = dict(re.findall(r"^ +(--[a-z-]+) ([A-Z]\S*)", r.stdout, re.M))       # the options' list, one a line
    assert {o: shown[o] for o in KIND if o in shown} == {o: KIND[o] for o in KIND if o in shown}
    assert any(o in shown for o in KIND), r.stdout


@pytest.mark.parametrize("typed, meant", [("iris", "iris.csv"), ("Seed", "seed.npz"), ("irsi", "iris.csv"),
                                          ("iris.CSV", "iris.csv")])
def test_an_example_files_name_without_its_extension_names_the_file(tmp_path, typed, meant):
    """`chainrule data iris` listed the files with no guess, where `chainrule data irsi.csv` got 'iris.csv'."""
    listed = cmd("data", cwd=tmp_path)
    assert listed.returncode == 0 and meant in listed.stdout, listed
    r = cmd("data", typed, "--out", tmp_path, cwd=tmp_path)
    assert r.returncode == 2 and f"no example file {typed!r} (did you mean {meant!r}?)" in r.stderr, r.stderr
    assert not list(tmp_path.iterdir())
