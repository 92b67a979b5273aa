"""What to try after a loss that diverged, in the words of whoever reads it. `chainrule sweep` said the engine's
"gradient clipping (clip_norm=...), or scaling the inputs", though its grid names clipping clip_norm, not clip_norm=...,
and it scales the inputs and the target itself; `chainrule train --optimizer adam`
was advised "or --optimizer adam". The engine's remedies are one text (REMEDIES), which each command rewrites."""
import pytest
from conftest import cmd

import chainrule as cr
from chainrule.nn import divergence

DIABETES = __import__("pathlib").Path(cr.__file__).parent / "data" / "examples" / "diabetes.csv"


def test_sweep_advises_what_its_grid_can_give(tmp_path):
    done = cmd("sweep", DIABETES, "--target", "progression", "--grid", "optimizer=sgd;lr=1e6", "--epochs", "1",
               "--cv", "2", "--error-score", "raise", "--no-refit", "--out-dir", tmp_path / "s")
    last = done.stderr.splitlines()[-1]
    assert done.returncode == 3 and "training diverged" in last, done.stderr
    assert "clip_norm=..." not in last and "scaling the inputs" not in last and "--optimizer" not in last, last
    assert last.endswith("Try a lower lr or gradient clipping, compared in the grid (e.g. --grid 'lr=0.0001,0.001' "
                         "or 'clip_norm=1,10')."), last


@pytest.mark.parametrize("optimizer", ["adam", "adamw"])
def test_a_diverged_adam_run_is_not_advised_adam(tmp_path, optimizer):
    done = cmd("train", DIABETES, "--target", "progression", "--optimizer", optimizer, "--lr", "1e200", "--epochs",
               "1", "--quiet", "--out", tmp_path / "m.npz")
    last = done.stderr.splitlines()[-1]
    assert done.returncode == 3 and "training diverged" in last, done.stderr
    assert last.endswith("Try a lower --lr (it was 1e+200) or gradient clipping (--clip-norm, e.g. 1)."), last
    sgd = cmd("train", DIABETES, "--target", "progression", "--optimizer", "sgd", "--lr", "1e6", "--epochs", "1",
              "--quiet", "--out", tmp_path / "m.npz")
    assert sgd.stderr.splitlines()[-1].endswith("gradient clipping (--clip-norm, e.g. 1), or --optimizer adam."), sgd


def test_every_engine_message_says_the_remedies_whole():
    # the command line finds them by this one text: a message that words them otherwise is left in Python's words
    import inspect

    from chainrule.saving import checkpoint
    from chainrule.training import callbacks, distributed, trainer
    for module in (checkpoint, callbacks, distributed, trainer, divergence):
        source = inspect.getsource(module)
        assert "clip_norm=..." not in source.replace(divergence.REMEDIES, ""), module.__name__
