"""Refusals come before work, and name what the user typed. `train --resume` of a checkpoint cut short (or of a
model file where the checkpoint goes) said its reading lines for the CSV file before refusing the checkpoint;
`sweep --grid epochs=5,10 --epochs 3` ran the grid's epochs, the typed --epochs silently dropped (likewise
--batch-size and --dtype beside the grid's batch, batch_size, dtype); and sweep rebuilt a refusal carrying the
engine's remedies as `type(exc)(text)`, a TypeError (exit 1, "a bug") for a class taking other arguments.
`train --quiet` dropped only the epochs: its reading lines stayed on stderr; now, as Keras' and scikit-learn's
verbose=0, stderr has nothing but warnings and refusals (stdout keeps the results)."""
import shutil

import pytest
from conftest import cmd

from chainrule.nn.divergence import REMEDIES
from chainrule.nn.loss_outputs import OutputMismatch

pytest.importorskip("pandas")


def _csv(folder):
    (folder / "t.csv").write_text("a,b,y\n" + "".join(f"{i % 7},{i % 3},{'xy'[i % 2]}\n" for i in range(20)))


@pytest.mark.parametrize("broken", ["cut", "model"])
def test_a_resume_refuses_a_bad_checkpoint_before_reading_the_csv(tmp_path, broken):
    _csv(tmp_path)
    train = ("train", "t.csv", "--target", "y", "--hidden", "3", "--epochs", "1", "--checkpoint-dir", "ck")
    assert cmd(*train, "--out", "a.npz", cwd=tmp_path).returncode == 0
    ckpt = tmp_path / "ck" / "checkpoint.npz"
    if broken == "cut":
        ckpt.write_bytes(ckpt.read_bytes()[:300])            # a copy cut short: its zip directory is gone
    else:
        shutil.copyfile(tmp_path / "a.npz", ckpt)             # a model file: no training state
    r = cmd(*train[:-2], "--epochs", "3", "--checkpoint-dir", "ck", "--resume", "--out", "b.npz", cwd=tmp_path)
    assert r.returncode == 2 and r.stdout == "", (r.stdout, r.stderr)
    said = ("is a chainrule checkpoint or model file cut short or damaged" if broken == "cut" else
            "is a chainrule model file (net.save or `chainrule train --out` writes one), not a training checkpoint")
    assert r.stderr.count("\n") == 1 and r.stderr.startswith("chainrule: error: ") and said in r.stderr, r.stderr
    assert not (tmp_path / "b.npz").exists()


@pytest.mark.parametrize("key, option, value, name", [("epochs", "--epochs", "3", "epochs"),
                                                     ("batch", "--batch-size", "4", "batch size"),
                                                     ("batch_size", "--batch-size", "4", "batch size"),
                                                     ("dtype", "--dtype", "float64", "dtype")])
def test_sweep_refuses_an_option_beside_the_grids_values_for_it(sweep_data, tmp_path, key, option, value, name):
    grid = {"epochs": "5,1e1", "batch": "8,16", "batch_size": "8", "dtype": "float32"}[key]
    r = cmd("sweep", sweep_data / "iris.csv", "--target", "species", "--grid", f"{key}={grid}", option, value,
            "--cv", "2", "--out-dir", tmp_path / "s")
    assert r.returncode == 2 and r.stdout == "", (r.stdout, r.stderr)
    usage = cmd("sweep", "--epochs", "0").stderr             # argparse's own usage error: the form it is said in
    assert r.stderr == usage[:usage.index("chainrule sweep: error: ")] + (
        f"chainrule sweep: error: {option} {value} and the grid's {key} ({grid.replace(',', ', ')}) both "
        f"set every fit's {name}: give one ({option} for every candidate, or the grid's to compare "
        "them)\n"), r.stderr              # before the file is read: its line is not there
    assert not (tmp_path / "s").exists()


def test_sweep_s_class_weight_beside_the_grid_s_is_refused_naming_both(sweep_data, tmp_path):
    """As --epochs beside the grid's epochs: it said "--class-weight and the grid's class_weight ...", neither's
    value."""
    r = cmd("sweep", sweep_data / "iris.csv", "--target", "species", "--grid", "class_weight=none,balanced",
            "--class-weight", "setosa=2", "--out-dir", tmp_path / "s")
    assert r.returncode == 2 and r.stdout == "", (r.stdout, r.stderr)
    assert r.stderr.startswith("usage: chainrule sweep ")
    assert r.stderr[r.stderr.index("chainrule sweep: error: "):] == (
        "chainrule sweep: error: --class-weight setosa=2 and the grid's class_weight (none, balanced) both weigh the "
        "classes: give one (--class-weight for every candidate, or the grid's to compare them)\n"), r.stderr
    assert not (tmp_path / "s").exists()


def test_sweep_keeps_a_refusals_class_whatever_its_constructor(sweep_data, tmp_path, monkeypatch):
    import chainrule.cli.sweep as command

    def refused(*args, **kwargs):
        raise OutputMismatch(f"a refusal; try {REMEDIES}", "softmax")     # takes (reason, activation), not one text
    monkeypatch.setattr(command, "_sweep", refused)
    r = cmd("sweep", sweep_data / "iris.csv", "--target", "species", "--grid", "lr=0.01", "--out-dir", tmp_path / "s")
    assert r.returncode == 2, r.stderr                                    # a refusal, not a bug's exit code 1
    assert r.stderr.startswith(f"chainrule: error: a refusal; try {command.REMEDIES}. Use activation='softmax'"), \
        r.stderr


IRIS_TRAIN = ("train", "iris.csv", "--target", "species", "--hidden", "4", "--epochs", "2", "--quiet")


def _iris(folder):
    from sklearn.datasets import load_iris
    frame = load_iris(as_frame=True)
    data = frame.data.assign(species=[frame.target_names[i] for i in frame.target])
    data.to_csv(folder / "iris.csv", index=False)


def test_train_quiet_says_nothing_on_stderr_but_its_results_on_stdout(tmp_path):
    _iris(tmp_path)
    loud = cmd(*IRIS_TRAIN[:-1], "--drop", "sepal width (cm)", "--out", "a.npz", cwd=tmp_path)
    assert loud.returncode == 0 and "read 'iris.csv': 150 rows" in loud.stderr and "left out: " in loud.stderr
    r = cmd(*IRIS_TRAIN, "--drop", "sepal width (cm)", "--out", "b.npz", cwd=tmp_path)
    assert r.returncode == 0 and r.stderr == "", r.stderr          # as Keras' and scikit-learn's verbose=0
    assert r.stdout == loud.stdout.replace("a.npz", "b.npz") and r.stdout.endswith("saved b.npz\n"), r.stdout
    assert "--quiet" in cmd("train", "--help").stdout and "warnings and errors" in cmd("train", "--help").stdout


def test_train_quiet_still_says_its_warnings_and_refusals(tmp_path):
    _iris(tmp_path)
    r = cmd(*IRIS_TRAIN, "--optimizer", "sgd", "--lr", "1e6", "--out", "w.npz", cwd=tmp_path)   # a loss that explodes
    lines = r.stderr.splitlines()
    assert lines and all(line.startswith("chainrule: warning: ") for line in lines), r.stderr
    assert "the loss exploded" in r.stderr and "--lr" in r.stderr
    r = cmd(*IRIS_TRAIN[:3], "kind", *IRIS_TRAIN[4:], "--out", "x.npz", cwd=tmp_path)           # no such column
    assert r.returncode == 2 and r.stderr.count("\n") == 1 and r.stderr.startswith("chainrule: error: "), r.stderr
    assert "'kind'" in r.stderr
    common = (*IRIS_TRAIN, "--checkpoint-dir", "ck")
    assert cmd(*common, "--out", "c.npz", cwd=tmp_path).returncode == 0
    r = cmd(*common, "--resume", "--out", "d.npz", cwd=tmp_path)         # 2 of 2 epochs done: nothing trained
    assert r.returncode == 0 and r.stderr.startswith("chainrule: warning: nothing left to train: ") and \
        r.stderr.count("\n") == 1, r.stderr
