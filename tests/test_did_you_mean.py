"""Every "did you mean" answers a typo by one rule: the same once case and surrounding spaces are set aside, else
the closest spelling at difflib's 0.6, case aside too. Places disagreed: a column and a command-line option used
0.7 where the rest used 0.6, and all but the activation, a schedule's name and a column compared case as typed, so
that 'DOG' was suggested as a column and not as a class, 'STEP' found as a schedule and 'GAMMA' not as its key."""
import argparse

import numpy as np
import pytest
from conftest import cmd, csv_model

import chainrule as cr
from chainrule.cli.schedule import schedule_arg
from chainrule.cli.usage import unrecognized, wrong_first_word
from chainrule.data.csvfile import not_in_file
from chainrule.training.schedules import check_arguments


def test_the_rule_is_case_aside_then_difflibs_ratio():
    import difflib

    from chainrule.errors import closest
    known = ["age", "income", "Outcome"]
    assert closest(" OUTCOME ", known) == "Outcome"              # the same but for case and spaces: as spelt
    assert closest("aeg", known) == "age" and difflib.SequenceMatcher(None, "aeg", "age").ratio() < 0.7
    assert closest("INCOM", known) == "income"
    assert closest("x", ["x_squared"]) is None and closest("7", ["cat", "dog"]) is None
    # a name held in one twice its length is part of it, not a typo (difflib's ratio alone says 0.67)
    assert difflib.SequenceMatcher(None, "income", "incomes_2019").ratio() > 0.6
    assert closest("income", ["incomes_2019"]) is None and closest("learning_rat", ["learning_rate"]) == "learning_rate"


def test_a_column_typo_is_answered_as_a_class_typo_is(tmp_path):
    # 'aeg' for 'age' (ratio 0.67): a class got the guess, a column (cutoff 0.7) did not
    said = str(not_in_file("--drop: column", "aeg", ["age", "income"]))
    assert "(did you mean 'age'?)" in said, said


def test_a_class_differing_in_case_is_guessed_as_a_column_is(tmp_path):
    model, _ = csv_model(tmp_path)
    r = cmd("explain", "--model", model, "--inputs", "10,20,red", "--targets", "DOG")
    assert r.returncode == 2 and "did you mean 'dog'?" in r.stderr, r.stderr
    assert "(did you mean 'kind'?)" in str(not_in_file("target column", "KIND", ["size", "kind"]))


def test_a_schedules_key_in_capitals_is_guessed_as_its_name_is():
    assert schedule_arg("STEP:step_size=3").cls is not None
    with pytest.raises(argparse.ArgumentTypeError, match=r"unknown key 'GAMMA' \(did you mean 'gamma'\?\)"):
        schedule_arg("step:step_size=3,GAMMA=0.5")
    with pytest.raises(cr.errors.ChainruleTypeError, match=r"Did you mean 'step_size'\?"):
        check_arguments(cr.optim.StepLR, {"STEP_SIZE": 3})


def test_a_keyword_or_monitor_in_capitals_is_guessed():
    net = cr.Network([cr.Dense(2, 1)], loss="mse", seed=0)
    X = np.zeros((4, 2))
    with pytest.raises(TypeError, match=r"'EPOCHS' \(did you mean epochs=\?\)"):
        net.fit(X, X[:, :1], EPOCHS=1)
    with pytest.raises(cr.errors.ValidationError, match=r"did you mean monitor='val_loss'\?"):
        cr.EarlyStopping(monitor="VAL_LOSS")


def test_an_estimators_parameter_in_capitals_is_guessed():
    from chainrule.sklearn import BackpropClassifier
    with pytest.raises(cr.errors.ValidationError, match=r"Did you mean 'alpha'\?"):
        BackpropClassifier().set_params(ALPHA=1.0)
    est = BackpropClassifier(learning_rate=cr.optim.StepLR(0.01, step_size=2))
    with pytest.raises(cr.errors.ValidationError, match=r"Did you mean 'learning_rate__gamma'\?"):
        est.set_params(learning_rate__GAMMA=0.5)


def test_an_option_or_command_in_capitals_is_guessed():
    parser = argparse.ArgumentParser(prog="chainrule")
    parser.add_argument("--epochs")
    parser.add_argument("--seed")
    sub = parser.add_subparsers(dest="command")
    sub.add_parser("train")
    assert "(did you mean --epochs?)" in unrecognized(parser, ["--EPOCHS", "3"])
    assert "did you mean 'train'?" in wrong_first_word(parser, ["TRAIN"])
