"""What a teacher meets in `explain`'s refusals: an error fitted to the --width asked for (as the notes are), a typo
in --activation or --loss named by its option, a misspelt class with the class it was likely meant to be."""
from __future__ import annotations

import pytest
from conftest import cmd, csv_model

UNKNOWN = ["explain", "--layers", "2,3,2", "--activation", "relu,sigmod"]


def test_an_error_fits_the_width_asked_for_and_stays_one_line_without_it():
    # the notes on stderr followed --width while the error line, in the same stream, ran on past it
    piped = cmd(*UNKNOWN)
    assert piped.returncode == 2 and len(piped.stderr.splitlines()) == 1, piped.stderr   # in a pipe: one line to grep
    assert len(piped.stderr.rstrip("\n")) > 60
    for width in (40, 60):
        r = cmd(*UNKNOWN, "--width", width)
        lines = r.stderr.splitlines()
        assert r.returncode == 2 and len(lines) > 1, r.stderr
        assert all(len(line) <= width for line in lines), lines
        assert r.stderr.split() == piped.stderr.split()             # nothing dropped, nothing added
    whole = cmd(*UNKNOWN, "--width", 0)                                # 0: never break
    assert whole.stderr == piped.stderr


def test_a_notes_and_error_width_agree():
    # a random sample's note and a refusal after it, at one width
    r = cmd("explain", "--layers", "2,3,2", "--lr", "0.5", "--layer", "4", "--width", 50)
    assert r.returncode == 2
    assert r.stderr.startswith("chainrule: error: --layer") and len(r.stderr.splitlines()) > 1, r.stderr
    assert all(len(line) <= 50 for line in r.stderr.splitlines()), r.stderr


@pytest.mark.parametrize("option, given, meant", [("--activation", "sigmod", "sigmoid"),
                                                  ("--activation", "relu,tahn", "tanh"),
                                                  ("--loss", "mse2", "mse")])
def test_a_typo_is_named_by_its_option(option, given, meant):
    # "activation='sigmod' is not known": the library's keyword, where the command line's option was typed
    r = cmd("explain", "--layers", "2,3,2", option, given)
    assert r.returncode == 2, r.stderr
    typo = given.split(",")[-1]
    assert r.stderr.startswith(f"chainrule: error: {option} {typo!r} is not known"), r.stderr
    assert f"Did you mean {meant!r}?" in r.stderr and "=" not in r.stderr.split(" is not known")[0], r.stderr


def test_a_misspelt_class_is_answered_with_the_likely_one(tmp_path):
    model, _ = csv_model(tmp_path)
    r = cmd("explain", "--model", model, "--inputs", "10,20,red", "--targets", "dgo")
    assert r.returncode == 2, r.stderr
    assert "--targets 'dgo' is not a class of the model" in r.stderr and "did you mean 'dog'?" in r.stderr, r.stderr
    far = cmd("explain", "--model", model, "--inputs", "10,20,red", "--targets", "7")
    assert far.returncode == 2 and "did you mean" not in far.stderr, far.stderr


def test_a_usage_error_fits_the_width_asked_for_too():
    # options that cannot go together are said under the usage as argparse's errors: that line too ran past --width
    piped = cmd("explain", "--neuron", "1", "--layers", "2,3,2")
    said = piped.stderr.splitlines()[-1]
    assert piped.returncode == 2 and said.startswith("chainrule explain: error: --neuron needs --layer"), piped.stderr
    r = cmd("explain", "--neuron", "1", "--layers", "2,3,2", "--width", 40)
    assert r.returncode == 2 and r.stderr.startswith("usage: chainrule explain"), r.stderr
    error = r.stderr[r.stderr.index("chainrule explain: error:"):]
    assert error.split() == said.split() and all(len(line) <= 40 for line in error.splitlines()), error


def test_several_values_for_a_class_say_it_is_one_name(tmp_path):
    # "--targets 'cat,dog' is not a class of the model (did you mean 'dog'?)": a one-hot row, or two names, typed
    # as --layers takes its targets, was answered with a class it never meant
    model, _ = csv_model(tmp_path)
    for given in ("cat,dog", "0,1"):
        r = cmd("explain", "--model", model, "--inputs", "10,20,red", "--targets", given)
        assert r.returncode == 2, r.stderr
        assert "is one class name" in r.stderr and f"2 values separated by ',' in {given!r}" in r.stderr, r.stderr
        assert "did you mean" not in r.stderr and "['cat', 'dog']" in r.stderr, r.stderr


@pytest.mark.parametrize("option, given", [("--activation", ""), ("--activation", " "), ("--loss", "")])
def test_an_empty_name_is_refused_not_taken_as_the_default(option, given):
    # --activation "$ACT" with ACT unset explained a sigmoid network, as if the option were left out
    r = cmd("explain", "--layers", "2,3,2", option, given)
    assert r.returncode == 2 and r.stdout == "", r.stdout[:200]
    assert f"error: argument {option}: expected " in r.stderr and r.stderr.endswith(f"got {given!r}\n"), r.stderr


@pytest.mark.parametrize("given", ["relu,", ",softmax", "relu,,softmax"])
def test_an_empty_name_in_a_list_is_said_so(given):
    # "--activation '' is not known": the name typed was 'relu,', its empty part no name at all
    r = cmd("explain", "--layers", "2,3,3,2", "--activation", given)
    assert r.returncode == 2, r.stderr
    assert r.stderr.startswith(f"chainrule: error: --activation {given!r} has an empty name"), r.stderr


def test_a_word_read_as_the_model_file_is_named():
    # `--activation relu, softmax` (a space after the comma) made softmax the positional MODEL, refused as
    # "--layers or --model, not both" where no --model was typed
    r = cmd("explain", "--layers", "2,3,2", "--activation", "relu,", "softmax")
    assert r.returncode == 2
    assert "'softmax' was read as the model file MODEL" in r.stderr and "--activation 'relu, softmax'" in r.stderr, \
        r.stderr
    both = cmd("explain", "--layers", "2,3,2", "--model", "m.npz")
    assert both.returncode == 2 and "not both" in both.stderr and "was read as" not in both.stderr, both.stderr


@pytest.mark.parametrize("words", [["--neuron", "1", "--layers", "2,3,2"],          # options that cannot go together
                                   ["--activation", ""],                            # argparse's own: a value refused
                                   ["--activaton", "relu"]])                        # argparse's own: a typo
def test_a_usage_error_and_its_usage_fit_the_width_asked_for(words):
    # the usage above the error ran on to argparse's 78 columns under --width 60, and argparse's own errors (read
    # before the options were) ignored --width
    piped = cmd("explain", *words)
    for width in (60, 0):
        r = cmd("explain", *words, "--width", width)
        assert r.returncode == 2 and r.stderr.startswith("usage: chainrule explain"), r.stderr
        assert r.stderr.split() == piped.stderr.split()              # nothing dropped, nothing added
        usage, error = r.stderr.split("chainrule explain: error:")
        if width:
            assert all(len(line) <= width for line in r.stderr.splitlines()), r.stderr
            assert len(error.splitlines()) > 1, error
        else:                                                         # 0: never broken, as stdout
            assert len(usage.splitlines()) == 1 and len(error.splitlines()) == 1, r.stderr


def test_the_quoting_hint_names_the_list_that_was_cut_and_only_that():
    # a model file named as MODEL beside --layers was told to quote an --activation list it never gave; a --layers
    # list cut by its space was told to quote --activation
    r = cmd("explain", "m.npz", "--layers", "2,3,2")
    assert r.returncode == 2 and "'m.npz' was read as the model file MODEL" in r.stderr, r.stderr
    assert "quoted" not in r.stderr and "--activation" not in r.stderr.splitlines()[-1], r.stderr
    r = cmd("explain", "--layers", "2,3,", "2")
    assert r.returncode == 2 and "quoted: --layers '2,3, 2'" in r.stderr, r.stderr
    r = cmd("explain", "--layers", "2,3,2", "--activation", "tanh,", "sigmoid")
    assert "quoted: --activation 'tanh, sigmoid'" in r.stderr, r.stderr


@pytest.mark.parametrize("words", [["explain", "--format", "json"], ["explain", "--formulas"],
                                   ["example", "--format", "markdown"]])
def test_a_width_refused_beside_another_format_fits_nothing(words):
    # "--width breaks the lines of the text format ... leave --width out" was itself broken at that --width
    r = cmd(*words, "--width", 40)
    assert r.returncode == 2 and "leave --width out" in r.stderr, r.stderr
    assert r.stderr.splitlines()[-1].startswith(f"chainrule {words[0]}: error: --width breaks"), r.stderr
