"""`chainrule train --resume` refused another run's checkpoint in Python's words (clip_norm None -> 1.0, use another
checkpoint_dir, the inputs X): the command's reader typed options, and the refusal names those."""
from __future__ import annotations

import re
from pathlib import Path

import pytest
from conftest import cmd

import chainrule

IRIS = Path(chainrule.__file__).parent / "data" / "examples" / "iris.csv"
PYTHON_WORDS = re.compile(r"clip_norm|checkpoint_dir|batch_size|\bNone\b|'Adam'|same arguments|inputs X|targets Y|"
                          r"resume=True|\{'name'")


def run(tmp_path: Path, *more: str):
    return cmd("train", IRIS, "--target", "species", "--quiet", "--checkpoint-dir", tmp_path / "ck",
               "--out", tmp_path / "m.npz", *more)


@pytest.mark.parametrize("first, then, said", [
    ([], ["--clip-norm", "1"], "the optimizer (--clip-norm none -> 1)"),
    ([], ["--optimizer", "sgd"], "--optimizer adam -> sgd"),
    ([], ["--lr", "0.01"], "the optimizer (--lr 0.001 -> 0.01)"),
    (["--schedule", "cosine:T_max=10"], ["--schedule", "cosine:T_max=10", "--lr", "0.01"],
     "the optimizer (--lr 0.001 -> 0.01)"),
    ([], ["--batch-size", "16"], "--batch-size (32 in the checkpoint, 16 now)"),
    ([], ["--val-split", "0.3"], "the inputs (the CSV's rows and columns"),
    ([], ["--drop", "sepal_width"], "which had the input columns ['sepal_length', 'sepal_width', 'petal_length', "
                                    "'petal_width'] (this run: --drop sepal_width)"),
    ([], ["--schedule", "cosine:T_max=10"], "its run had no --schedule, this one has --schedule cosine"),
])
def test_a_resume_refused_names_the_options(tmp_path, first, then, said):
    r = run(tmp_path, "--epochs", "1", *first)
    assert r.returncode == 0, r.stderr
    r = run(tmp_path, "--epochs", "2", "--resume", *then)
    error = r.stderr.strip().splitlines()[-1]
    assert r.returncode == 2 and said in error, error
    assert "another --checkpoint-dir" in error, error
    if "another network" not in error:          # the networks themselves are said as Python writes them
        assert not PYTHON_WORDS.search(error), error


def test_a_run_cut_short_is_kept_in_the_options_words(tmp_path):
    """A new run over a checkpoint of a run stopped early: --resume continues it (not resume=True)."""
    import chainrule as cr
    from chainrule.saving.checkpoint import checkpoint_path
    r = run(tmp_path, "--epochs", "1")
    assert r.returncode == 0, r.stderr
    path = checkpoint_path(tmp_path / "ck")
    net, extra = cr.load(path, with_extra=True)
    extra["checkpoint"]["epochs"] = 5             # as a run of 5 epochs killed after its first writes it
    cr.save(net, path, extra=extra)
    error = run(tmp_path, "--epochs", "1").stderr.strip().splitlines()[-1]
    assert "a new run would replace it: --resume continues it" in error and "another --checkpoint-dir" in error, error
    assert not PYTHON_WORDS.search(error), error
