"""A misspelt option with one dash (`-targ` for --target, `-o` where the command has no -o) is named as one with
two is: beside a missing required option (it was left out: "required: --target" alone), and with the option it
likely meant where only one fits. A shortened option too short to be a typo of its option (`--he`) is named too."""
from __future__ import annotations

import pytest
from conftest import cmd

REQUIRED = "chainrule train: error: the following arguments are required: --target; unrecognized arguments: "


@pytest.mark.parametrize("word, said", [("-targ", "-targ (did you mean --target?)"),
                                        ("-target", "-target (did you mean --target?)"),
                                        ("-o", "-o"),                  # --out and --optimizer: no guess
                                        ("-out=x.npz", "-out=x.npz (did you mean --out?)")])
def test_a_one_dash_option_is_named_beside_the_missing_one(tmp_path, word, said):
    done = cmd("train", "d.csv", word, "--out", "m.npz", cwd=tmp_path)
    assert done.returncode == 2 and done.stdout == ""
    assert done.stderr.splitlines()[-1] == REQUIRED + said
    assert list(tmp_path.iterdir()) == []


def test_a_negative_number_and_a_lone_dash_are_values_not_options(tmp_path):
    """`-` (standard input) and `-1` are argparse's values: never called unrecognized."""
    done = cmd("train", "-", "--out", "m.npz", "--epochs", "-1", cwd=tmp_path)
    assert done.returncode == 2
    assert "unrecognized" not in done.stderr.splitlines()[-1]


@pytest.mark.parametrize("args, last", [
    (["predict", "m.npz", "d.csv", "-o", "p.csv"], "chainrule predict: error: unrecognized arguments: -o p.csv "
                                                   "(did you mean --out?)"),
    (["train", "d.csv", "--target", "y", "--out", "m.npz", "-epochs", "3"],
     "chainrule train: error: unrecognized arguments: -epochs 3 (did you mean --epochs?)"),
    (["-vers"], "chainrule: error: unrecognized arguments: -vers (did you mean --version?)"),
    (["help", "-he"], "chainrule: error: unrecognized arguments: -he (did you mean --help?)"),
    (["help", "--he"], "chainrule: error: unrecognized arguments: --he (did you mean --help?)"),
    (["train", "d.csv", "--target", "y", "--out", "m.npz", "--ep", "3"],
     "chainrule train: error: unrecognized arguments: --ep 3 (did you mean --epochs?)")])
def test_a_one_dash_or_short_option_gets_the_option_it_likely_meant(tmp_path, args, last):
    done = cmd(*args, cwd=tmp_path)
    assert done.returncode == 2 and done.stdout == ""
    assert done.stderr.splitlines()[-1] == last
    assert list(tmp_path.iterdir()) == []


def test_a_prefix_of_several_options_gets_no_guess(tmp_path):
    """`--o` starts --out and --optimizer: naming one would be a guess."""
    done = cmd("train", "d.csv", "--target", "y", "--out", "m.npz", "--o", cwd=tmp_path)
    assert done.stderr.splitlines()[-1] == "chainrule train: error: unrecognized arguments: --o"
