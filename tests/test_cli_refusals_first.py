"""Refusals come before work, and name what the user typed. `train --resume` of a checkpoint cut short (or of a
model file where the checkpoint goes) said its reading lines for the CSV file before refusing the checkpoint;
`sweep --grid epochs=5,10 --epochs 3` ran the grid's epochs, the typed --epochs silently dropped (likewise
--batch-size and --dtype beside the grid's batch, batch_size, dtype); and sweep rebuilt a refusal carrying the
engine's remedies as `type(exc)(text)`, a TypeError (exit 1, "a bug") for a class taking other arguments."""
import shutil

import pytest
from conftest import cmd

from chainrule.nn.divergence import REMEDIES
from chainrule.nn.losses import OutputMismatch

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
    said = "model file cut short" if broken == "cut" else "is a model file, not a training checkpoint"
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
    assert r.stderr == (f"chainrule: error: {option} {value} and the grid's {key} ({grid.replace(',', ', ')}) both "
                        f"set every fit's {name}: give one ({option} for every candidate, or the grid's to compare "
                        "them)\n"), r.stderr              # before the file is read: its line is not there
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
