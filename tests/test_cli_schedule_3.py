"""`chainrule train --schedule A --schedule B@EPOCH` trained in parts (--checkpoint-dir, then --resume with more
--epochs), stopped at a milestone and after it: each epoch's rate torch's SequentialLR's; the NAME@EPOCH refusals
and the option's quoting of what was typed; a sweep grid's schedule refused naming the way that works."""
import json

import pytest
from conftest import cmd
from test_cli_schedule import iris, torch_rates  # noqa: F401  (iris: the fixture)

import chainrule as cr

torch = pytest.importorskip("torch")
S = torch.optim.lr_scheduler
SPECS = ["linear:start_factor=0.1,total_iters=3", "step@3:step_size=2,gamma=0.5", "exponential@6:gamma=0.8"]


def part(iris, tmp_path, epochs, *options):  # noqa: F811
    r = cmd("train", iris, "--target", "species", "--hidden", "8", "--optimizer", "sgd", "--momentum", "0.9", "--lr",
            "0.1", "--epochs", epochs, "--out", tmp_path / "m.npz", "--checkpoint-dir", tmp_path / "ck", "--quiet",
            *(w for s in SPECS for w in ("--schedule", s)), *options)
    assert r.returncode == 0, r.stderr
    return [json.loads(line)["logs"]["lr"] for line in (tmp_path / "ck" / "history.jsonl").read_text().splitlines()]


@pytest.mark.parametrize("stop", [3, 4, 6])
def test_a_sequence_trained_in_parts_has_torchs_rates(iris, tmp_path, stop):  # noqa: F811
    """A first part of --epochs 3 (or 4: exponential@6 is past it) was refused as 'never reaches' the later
    schedule, though its checkpoints keep every schedule and --resume with more --epochs reaches it."""
    part(iris, tmp_path, stop)
    rates = part(iris, tmp_path, 9, "--resume")
    torchs = torch_rates(lambda o: S.SequentialLR(o, [S.LinearLR(o, start_factor=0.1, total_iters=3),
                                                      S.StepLR(o, step_size=2, gamma=0.5),
                                                      S.ExponentialLR(o, gamma=0.8)], milestones=[3, 6]), 9)
    assert rates == pytest.approx(torchs, rel=0, abs=1e-12)


def last_line(iris, tmp_path, *options):  # noqa: F811
    r = cmd("train", iris, "--target", "species", "--out", tmp_path / "m.npz", "--epochs", 1, *options)
    assert r.returncode == 2, r.stderr
    return r.stderr.strip().splitlines()[-1]


def test_an_epoch_of_digits_int_does_not_read_is_refused_as_any_other(iris, tmp_path):  # noqa: F811
    """'cosine@²' passed isdigit and failed int(): argparse said 'invalid schedule_arg value', naming no reason."""
    line = last_line(iris, tmp_path, "--schedule", "step:step_size=2", "--schedule", "cosine@²:T_max=5")
    assert "argument --schedule: expected NAME@EPOCH with EPOCH a whole number >= 1" in line, line
    assert "got 'cosine@²:T_max=5'" in line, line


def test_a_missing_keys_example_keeps_the_epoch(iris, tmp_path):  # noqa: F811
    line = last_line(iris, tmp_path, "--schedule", "step:step_size=2", "--schedule", "cosine@3")
    assert "cosine needs T_max=... (e.g. cosine@3:T_max=10); got 'cosine@3'" in line, line


def test_a_monitor_typed_as_a_number_is_quoted_as_typed(iris, tmp_path):  # noqa: F811
    """monitor=5 was said 'got 5 (int)' (the engine's words about the number the option made of it), where every
    other key quotes what was typed."""
    line = last_line(iris, tmp_path, "--schedule", "plateau:monitor=5")
    assert line.endswith("argument --schedule: plateau: monitor must be the name of a logged value, such as "
                         "'val_loss'; got '5'"), line


def test_a_dict_grids_schedule_key_is_told_the_rate_takes_it(iris):  # noqa: F811
    """{'schedule': [StepLR(...)]} was said to be 'a schedule as train's --schedule writes it', which it is not."""
    from chainrule.sweep import run_sweep
    with pytest.raises(cr.errors.ValidationError) as exc:
        run_sweep(iris, "species", {"schedule": [cr.optim.StepLR(0.01, step_size=10)]}, cv=2, epochs=1)
    said = str(exc.value)
    assert "--schedule writes it" not in said and "schedule is not a grid name" in said, said
    assert "a schedule is the rate's value, run_sweep(csv, target, {'lr': [" in said, said
