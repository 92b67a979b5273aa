"""A number an option can never take is refused in argparse's usage form, whatever the command and before any
work: `export --opset 5`, `sweep --cv 1`, `explain --seed -1`, `explore --port -1` said "chainrule: error: ..."
(or sweep's --seed, scikit-learn's random_state words after the grid was read) where `train --epochs 0` said
"usage: ...\\nchainrule train: error: argument --epochs: ...". The oracle is argparse's own form: the usage line,
then "chainrule COMMAND: error: argument OPTION: ...", the value received quoted as typed."""
import pytest
from conftest import cmd

onnx = pytest.importorskip("onnx")

CSV = ["t.csv", "--target", "y"]
CASES = [
    (["export", "m.npz", "m.onnx"], "--opset", "5", "an integer from 17 to"),
    (["sweep", *CSV, "--grid", "lr=0.1"], "--cv", "1", "a number of folds of at least 2"),
    (["sweep", *CSV, "--grid", "lr=0.1"], "--jobs", "0", "a nonzero integer"),
    (["sweep", *CSV, "--grid", "lr=0.1"], "--n-iter", "0", "a positive integer"),
    (["sweep", *CSV, "--grid", "lr=0.1"], "--epochs", "0", "a positive integer"),
    (["sweep", *CSV, "--grid", "lr=0.1"], "--batch-size", "-1", "a positive integer"),
    (["sweep", *CSV, "--grid", "lr=0.1"], "--seed", "-1", "a non-negative integer"),
    (["sweep", *CSV, "--grid", "lr=0.1"], "--seed", str(2**32), "a non-negative integer, at most 4294967295"),
    (["train", *CSV], "--epochs", "0", "a positive integer"),
    (["train", *CSV], "--batch-size", "-1", "a positive integer"),
    (["train", *CSV], "--seed", "-1", "a non-negative integer"),
    (["train", *CSV], "--clip-norm", "0", "a finite number > 0"),
    (["train", *CSV], "--clip-norm", "1e400", "a finite number > 0"),      # the engine's clip_norm refuses inf too
    (["train", *CSV], "--lr", "-1", "a finite number >= 0"),
    (["explain"], "--seed", "-1", "a non-negative integer"),
    (["explain"], "--lr", "-1", "a finite number >= 0"),
    (["explain"], "--layer", "1.5", "a 0-based index"),          # -1 is taken: the last layer
    (["explain", "--layer", "0"], "--neuron", "one", "a 0-based index"),
    (["explain", "--model", "m.npz", "--data", "t.csv"], "--row", "0", "a row number, 1 or more"),
    (["explain"], "--width", "10", "0 (never break lines) or at least 40 columns"),
    (["example"], "--width", "-5", "0 (never break lines) or at least 40 columns"),
    (["explore", "--no-browser"], "--port", "70000", "a port from 0 to 65535"),
    (["predict", "m.npz", "t.csv"], "--chunk-rows", "0", "a positive integer"),
    (["demo"], "--epochs", "0", "a positive integer"),
]


@pytest.mark.parametrize("words, option, value, expected", CASES, ids=[f"{c[0][0]} {c[1]}" for c in CASES])
def test_a_number_no_run_takes_is_refused_in_argparse_form(tmp_path, words, option, value, expected):
    (tmp_path / "t.csv").write_text("a,y\n1,0\n2,1\n3,0\n4,1\n")
    done = cmd(*words, option, value, cwd=tmp_path)
    last = done.stderr.splitlines()[-1]
    assert done.returncode == 2 and done.stdout == "", done.stderr
    assert done.stderr.startswith(f"usage: chainrule {words[0]} "), done.stderr
    assert last.startswith(f"chainrule {words[0]}: error: argument {option}: expected {expected}"), done.stderr
    said = last.split(f"argument {option}: ", 1)[1]
    assert said.startswith(f"expected {expected}") and said.endswith(f"got {value!r}") or said == expected, last
    assert sorted(p.name for p in tmp_path.iterdir()) == ["t.csv"]        # nothing written


@pytest.mark.parametrize("options", [["--layer", "5"], ["--layer", "0", "--neuron", "9"]])
def test_a_slice_past_the_network_is_refused_before_any_note(options):
    """`explain --layers 2,3,2 --layer 5` said its notes (random weights, a random sample) and then the refusal; a
    bound that needs the network is checked once it is built, but its notes wait for the report."""
    done = cmd("explain", "--layers", "2,3,2", *options)
    assert done.returncode == 2 and done.stdout == "" and len(done.stderr.splitlines()) == 1, done.stderr
    assert done.stderr.startswith("chainrule: error: --"), done.stderr
    taken = cmd("explain", "--layers", "2,3,2", "--layer", "0")
    assert taken.returncode == 0 and taken.stderr.startswith("note: random initial weights (--seed 0)\n")


def test_sweep_takes_the_largest_seed_scikit_learn_takes(tmp_path):
    """sweep's --seed is scikit-learn's random_state: 2**32 was refused after the grid and data were read, in the
    estimator's words ('random_state must be None, an int in [0, 2**32 - 1] or a numpy.random.RandomState'). The
    oracle: sklearn's check_random_state, which takes 2**32 - 1 and refuses 2**32."""
    from sklearn.utils import check_random_state
    check_random_state(2**32 - 1)
    with pytest.raises(ValueError):
        check_random_state(2**32)
    (tmp_path / "t.csv").write_text("a,y\n" + "".join(f"{i % 5},{'xy'[i % 2]}\n" for i in range(12)))
    done = cmd("sweep", "t.csv", "--target", "y", "--grid", "hidden=2", "--epochs", "1", "--cv", "2", "--seed",
               str(2**32 - 1), "--out-dir", "sw", cwd=tmp_path)
    assert done.returncode == 0 and (tmp_path / "sw" / "sweep_results.csv").exists(), done.stderr
