"""The command line's options as a practitioner types them: whole names only (argparse took any unique prefix:
`--ou p.csv` wrote p.csv as --out would, and a script's prefix breaks once an option sharing it is added), an
empty column or file name refused as argparse reads it, naming the option, before any file is read."""
from __future__ import annotations

import argparse

import pytest
from conftest import cmd

from chainrule.cli import build_parser


def _shortened() -> list[tuple[str, str, str]]:
    """(command, a long option less its last letter, the option) for every option of every command where that
    prefix is no other option's: argparse read each as the option."""
    parser = build_parser()
    commands = next(a for a in parser._actions if isinstance(a, argparse._SubParsersAction)).choices
    cases = []
    for name, p in commands.items():
        options = [o for a in p._actions for o in a.option_strings if o.startswith("--")]
        for option in options:
            prefix = option[:-1]
            if len(prefix) > 2 and [o for o in options if o.startswith(prefix)] == [option]:
                cases.append((name, prefix, option))
    return cases


CASES = _shortened()


def test_every_command_has_shortened_options_to_check():
    assert {c for c, _, _ in CASES} >= {"predict", "evaluate", "export", "info", "plot", "train"}


@pytest.mark.parametrize("command, prefix, option", CASES, ids=[f"{c} {p}" for c, p, _ in CASES])
def test_a_shortened_option_is_refused_naming_it(capsys, command, prefix, option):
    """Parsed only (nothing run): the prefix is left unread, or refused beside the missing arguments, never
    taken for the option (before: read as it, or its value missing)."""
    parser = build_parser()
    try:
        _, extra = parser.parse_known_args([command, prefix])
    except SystemExit as stop:
        assert stop.code == 2
        last = capsys.readouterr().err.strip().splitlines()[-1]
        assert last.startswith(f"chainrule {command}: error: the following arguments are required: ") and \
            f"unrecognized arguments: {prefix} " in f"{last} ", last
    else:
        assert extra == [prefix]


def test_predict_ou_writes_nothing_and_names_out(tmp_path):
    (tmp_path / "d.csv").write_text("x,y\n1,a\n2,b\n")
    done = cmd("predict", "m.npz", "d.csv", "--ou", "p.csv", cwd=tmp_path)
    assert done.returncode == 2
    assert done.stderr.splitlines()[-1] == ("chainrule predict: error: unrecognized arguments: --ou p.csv "
                                            "(did you mean --out?)")
    assert not (tmp_path / "p.csv").exists()


def test_a_misspelt_required_option_is_named_beside_the_missing_one(tmp_path):
    """`train d.csv --targ y --out m.npz` said only "required: --target": the --targ typed was not named."""
    done = cmd("train", "d.csv", "--targ", "y", "--out", "m.npz", cwd=tmp_path)
    assert done.returncode == 2
    assert done.stderr.splitlines()[-1] == ("chainrule train: error: the following arguments are required: --target; "
                                            "unrecognized arguments: --targ (did you mean --target?)")


def test_a_value_after_the_double_dash_is_not_called_unrecognized(tmp_path):
    """After `--` every word is a value (a file named --x.csv): the missing --target alone is said, not
    "unrecognized arguments: -- --x.csv" with a guess."""
    done = cmd("train", "--out", "m.npz", "--", "--x.csv", cwd=tmp_path)
    assert done.returncode == 2
    assert done.stderr.splitlines()[-1] == "chainrule train: error: the following arguments are required: --target"


@pytest.mark.parametrize("args, option", [(["predict", "missing.npz", "d.csv", "--id", ""], "--id"),
                                          (["predict", "missing.npz", "d.csv", "--id="], "--id"),
                                          (["evaluate", "missing.npz", "d.csv", "--weight", ""], "--weight"),
                                          (["evaluate", "missing.npz", "d.csv", "--weight="], "--weight"),
                                          (["train", "missing.csv", "--target", "y", "--out", "m.npz", "--weight", ""],
                                           "--weight"),
                                          (["sweep", "missing.csv", "--target", "y", "--grid", "lr=0.1", "--weight="],
                                           "--weight")])
def test_an_empty_column_option_is_refused_as_argparse_reads_it(tmp_path, args, option):
    """Before, the model was read first ("model file does not exist"), and with a model, the file: "column ''
    is not in the file"; now the empty value itself, a usage error under the command's usage."""
    done = cmd(*args, cwd=tmp_path)
    assert done.returncode == 2 and done.stderr.startswith(f"usage: chainrule {args[0]}"), done.stderr
    last = done.stderr.splitlines()[-1]
    assert last.startswith(f"chainrule {args[0]}: error: argument {option}: expected the name of ") and \
        last.endswith(f"(or no {option} for none); got ''"), last


def test_a_column_named_with_spaces_is_still_a_column(tmp_path):
    """Only nothing is refused: ' ' can be a header's name."""
    parser = build_parser()
    args = parser.parse_args(["predict", "m.npz", "d.csv", "--id", " "])
    assert args.id == " "


@pytest.mark.parametrize("args, named", [(["export", "missing.npz", ""], "out"),
                                         (["export", "missing.npz", "--out", ""], "--out"),
                                         (["export", "missing.npz", "--out="], "--out")])
def test_export_refuses_an_empty_output_name_naming_it(tmp_path, args, named):
    """`export m.npz ""` said "the output is empty", naming no argument, once the model was found."""
    done = cmd(*args, cwd=tmp_path)
    assert done.returncode == 2 and done.stderr.startswith("usage: chainrule export"), done.stderr
    assert done.stderr.splitlines()[-1] == (f"chainrule export: error: argument {named}: expected the name of the "
                                            "ONNX file to write, e.g. model.onnx; got ''")
