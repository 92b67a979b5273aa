"""`chainrule train --schedule A --schedule B@EPOCH`: one schedule after another, each epoch's rate torch's
SequentialLR's (the milestone epoch too), kept in the model and checkpoints and compared at --resume; the refusals
that only the other options tell wrong are argparse's (usage, 'argument --schedule', exit 2)."""
import numpy as np
import pytest
from conftest import cmd
from test_cli_schedule import iris, torch_rates, train  # noqa: F401  (iris: the fixture)

import chainrule as cr

torch = pytest.importorskip("torch")
S = torch.optim.lr_scheduler

SEQUENCES = [
    (["linear:start_factor=0.1,total_iters=3", "cosine@3:T_max=5,eta_min=0.01"],
     lambda o: S.SequentialLR(o, [S.LinearLR(o, start_factor=0.1, total_iters=3),
                                  S.CosineAnnealingLR(o, T_max=5, eta_min=0.01)], milestones=[3])),
    (["constant:factor=0.5,total_iters=4", "exponential@2:gamma=0.7"],
     lambda o: S.SequentialLR(o, [S.ConstantLR(o, factor=0.5, total_iters=4), S.ExponentialLR(o, gamma=0.7)],
                              milestones=[2])),
    (["step:step_size=1,gamma=0.5", "multistep@2:milestones=1,3,gamma=0.3", "polynomial@6:total_iters=3,power=2"],
     lambda o: S.SequentialLR(o, [S.StepLR(o, step_size=1, gamma=0.5), S.MultiStepLR(o, [1, 3], gamma=0.3),
                                  S.PolynomialLR(o, total_iters=3, power=2)], milestones=[2, 6])),
]


@pytest.mark.parametrize("specs,make", SEQUENCES, ids=[" ".join(s[0]) for s in SEQUENCES])
def test_each_epochs_rate_is_torchs_sequential(iris, tmp_path, specs, make):  # noqa: F811
    logs = train(iris, tmp_path, *(w for s in specs for w in ("--schedule", s)), epochs=9)
    np.testing.assert_allclose([log["lr"] for log in logs], torch_rates(make, 9), rtol=0, atol=1e-12)


def test_a_sequence_is_kept_and_compared_at_resume(iris, tmp_path):  # noqa: F811
    specs = ["--schedule", "linear:start_factor=0.1,total_iters=3", "--schedule", "cosine@3:T_max=5"]
    whole = train(iris, tmp_path, *specs, folder="whole")
    train(iris, tmp_path, *specs, epochs=4, folder="parts")
    assert [log["lr"] for log in train(iris, tmp_path, *specs, "--resume", folder="parts")] == \
        [log["lr"] for log in whole]
    info = cmd("info", tmp_path / "m.npz").stdout
    assert "--schedule linear:start_factor=0.1," in info and " --schedule cosine@3:T_max=5," in info, info
    schedule = cr.load(tmp_path / "m.npz").optimizer.schedule
    assert schedule.config()["milestones"] == [3]
    r = cmd("train", iris, "--target", "species", "--hidden", "8", "--optimizer", "sgd", "--lr", "0.1", "--epochs",
            8, "--out", tmp_path / "m.npz", "--checkpoint-dir", tmp_path / "parts", "--resume", "--quiet",
            *specs[:2], "--schedule", "cosine@4:T_max=5")
    line = r.stderr.strip().splitlines()[-1]
    assert r.returncode == 2 and "cannot resume" in line and "cosine@3" in line and "cosine@4" in line, line


@pytest.mark.parametrize("specs,words", [
    (["cosine@3:T_max=5"], ["no --schedule comes before it", "without @EPOCH"]),
    (["step:step_size=2", "cosine:T_max=5"], ["write the epoch it starts at", "cosine@EPOCH"]),
    (["step:step_size=2", "cosine@0:T_max=5"], ["EPOCH a whole number >= 1", "'cosine@0:T_max=5'"]),
    (["step:step_size=2", "cosine@x:T_max=5"], ["EPOCH a whole number >= 1"]),
    (["step:step_size=2", "cosine@4:T_max=5", "exponential@4:gamma=0.5"], ["not after the --schedule before it"]),
    (["step:step_size=2", "plateau@3:patience=2"], ["plateau cannot be one of several", "give it alone"]),
    (["plateau:patience=2", "step@3:step_size=2"], ["plateau cannot be one of several"]),
    (["plateau:patience=2", "plateau:patience=3"], ["plateau cannot be one of several"]),
])
def test_a_bad_sequence_is_refused_as_argparse_refuses(iris, tmp_path, specs, words):  # noqa: F811
    r = cmd("train", iris, "--target", "species", "--out", tmp_path / "m.npz",
            *(w for s in specs for w in ("--schedule", s)))
    lines = r.stderr.strip().splitlines()
    assert r.returncode == 2 and lines[0].startswith("usage: chainrule train"), r.stderr
    assert lines[-1].startswith("chainrule train: error: argument --schedule: "), lines[-1]
    for w in words:
        assert w in lines[-1], lines[-1]


@pytest.mark.parametrize("options", [("--val-split", "0", "--schedule", "plateau:patience=2"),
                                     ("--schedule", "plateau:monitor=val_accuracy", "--target", "sepal length (cm)")])
def test_a_plateau_the_other_options_make_wrong_is_refused_as_argparse_refuses(iris, tmp_path, options):  # noqa: F811
    """The refusal was 'chainrule: error: --schedule ...', not the option's usage error as every other of --schedule."""
    target = () if "--target" in options else ("--target", "species")
    r = cmd("train", iris, *target, "--out", tmp_path / "m.npz", "--epochs", 1, *options)
    lines = r.stderr.strip().splitlines()
    assert r.returncode == 2 and any(s.startswith("usage: chainrule train") for s in lines), r.stderr
    assert lines[-1].startswith("chainrule train: error: argument --schedule: plateau watches"), lines[-1]
    assert not (tmp_path / "m.npz").exists()


def test_help_shows_a_warm_up_then_a_decay():
    text = " ".join(cmd("train", "--help").stdout.split())
    assert "SequentialLR" in text and "--schedule cosine@5:T_max=95" in text and "NAME@EPOCH" in text, text


@pytest.mark.parametrize("make,spec,key,index,said", [
    (lambda: cr.optim.StepLR(0.1, step_size=1000.0), "step:step_size=1e3", "step_size", None,
     "step: step_size must be a positive integer; got '1e3'"),
    (lambda: cr.optim.ExponentialLR(0.1, gamma="abc"), "exponential:gamma=abc", "gamma", None,
     "exponential: gamma must be a number; got 'abc'"),
    (lambda: cr.optim.MultiStepLR(0.1, milestones=[3, 4.5]), "multistep:milestones=3,4.5", "milestones", 1,
     "multistep: milestones[1] must be an integer (an epoch index); got '4.5'"),
    (lambda: cr.optim.MultiStepLR(0.1, milestones=[3, -1]), "multistep:milestones=3,-1", "milestones", 1,
     "multistep: milestones[1] must be an integer >= 0 (an epoch index); got '-1'"),
    (lambda: cr.callbacks.ReduceLROnPlateau(factor=2), "plateau:factor=2", "factor", None,
     "plateau: factor must be in [0.0, 1.0); got '2'"),
    (lambda: cr.callbacks.ReduceLROnPlateau(patience=1.5), "plateau:patience=1.5", "patience", None,
     "plateau: patience must be a whole number of epochs, 0 or more; got '1.5'"),
    (lambda: cr.callbacks.ReduceLROnPlateau(mode="up"), "plateau:mode=up", "mode", None,
     "plateau: mode must be 'auto', 'min' or 'max'; got 'up'"),
])
def test_the_engines_refusal_carries_what_the_option_says(iris, tmp_path, make, spec, key, index, said):  # noqa: F811
    """The option's line was the engine's text cut by a regular expression (the value replaced by the one typed): the
    refusal now carries the key and the list's item, and the line names them, what the key takes and the value as
    typed (as a user reads it, not rebuilt from the engine's own fields)."""
    with pytest.raises(cr.errors.ChainruleError) as exc:
        make()
    assert exc.value.argument.endswith(key) and exc.value.index == index and exc.value.expected, exc.value
    r = cmd("train", iris, "--target", "species", "--out", tmp_path / "m.npz", "--schedule", spec)
    assert r.returncode == 2
    assert r.stderr.strip().splitlines()[-1] == f"chainrule train: error: argument --schedule: {said}"


TORCHS = {"step": S.StepLR, "multistep": S.MultiStepLR, "exponential": S.ExponentialLR, "cosine": S.CosineAnnealingLR,
          "linear": S.LinearLR, "constant": S.ConstantLR, "polynomial": S.PolynomialLR, "plateau": S.ReduceLROnPlateau,
          "restarts": S.CosineAnnealingWarmRestarts, "onecycle": S.OneCycleLR}


@pytest.mark.parametrize("name", list(TORCHS))
def test_each_key_torch_takes_is_taken_or_refused_saying_why_and_what_is_taken(name):
    """torch's last_epoch, and plateau's threshold, threshold_mode and eps, were 'unknown key's, as a misspelling."""
    import argparse
    import inspect

    from chainrule.cli.schedule import schedule_arg
    needed = {"step": "step_size=2,", "multistep": "milestones=2,", "exponential": "gamma=0.5,", "cosine": "T_max=5,",
              "restarts": "T_0=2,", "onecycle": "total_steps=8,"}
    for key in list(inspect.signature(TORCHS[name]).parameters)[1:]:
        value = {"milestones": "3", "mode": "min", "threshold_mode": "abs", "factor": "0.5", "gamma": "0.5",
                 "anneal_strategy": "cos", "three_phase": "false", "cycle_momentum": "false",
                 "pct_start": "0.3"}.get(key, "1")
        try:
            schedule_arg(f"{name}:{needed.get(name, '') if key not in needed.get(name, '') else ''}{key}={value}")
        except argparse.ArgumentTypeError as exc:
            said = str(exc)
            assert "unknown key" not in said and f"key {key!r} (torch's) is not taken here: " in said, said
            assert "; expected among " in said and ("min_delta" in said) == (name == "plateau"), said


def test_each_key_taken_is_torchs_or_said_in_the_help_to_be_keras():
    """The reverse: a key taken that torch's class lacks is plateau's monitor and min_delta (Keras'), said in --help."""
    import inspect

    from chainrule.cli.schedule import NAMES, _keys
    for name, cls in NAMES.items():
        ours = set(_keys(cls)[0]) - set(inspect.signature(TORCHS[name]).parameters)
        assert ours == ({"monitor", "min_delta"} if name == "plateau" else set()), (name, ours)
    text = " ".join(cmd("train", "--help").stdout.split())
    assert "watching val_loss unless monitor=loss" in text and "min_delta, an absolute change" in text


@pytest.mark.filterwarnings("ignore::chainrule.training.schedules.ScheduleWarning")   # a schedule beside the point
@pytest.mark.filterwarnings("ignore:.*ran every epoch")
@pytest.mark.parametrize("grid", ["lr=step:step_size=2,gamma=0.5", "learning_rate=0.1,cosine:T_max=5"])
def test_a_schedule_as_the_grids_rate_is_refused_with_the_way_that_works(iris, tmp_path, grid):  # noqa: F811
    """lr=cosine:T_max=5 was refused as a rate that is not a number, naming no reason and no way to sweep schedules;
    the way named (run_sweep's dict grid of the engine's schedules) runs each candidate."""
    from chainrule.sweep import run_sweep
    r = cmd("sweep", iris, "--target", "species", "--epochs", 1, "--grid", grid, "--out-dir", tmp_path)
    line = r.stderr.strip().splitlines()[-1]
    assert r.returncode == 2 and "train's --schedule" in line and "the grid's commas separate values" in line, line
    assert "run_sweep(csv, target, {'lr': [chainrule.optim.StepLR(0.01, step_size=10)" in line, line
    if not grid.startswith("lr="):
        return
    schedules = [cr.optim.StepLR(0.01, step_size=10), cr.optim.CosineAnnealingLR(0.01, T_max=100)]
    result = run_sweep(iris, "species", {"lr": schedules}, cv=2, epochs=2, out_dir=tmp_path)
    assert [p["learning_rate"] for p in result.cv_results_["params"]] == schedules
    assert np.isfinite(result.cv_results_["mean_test_score"]).all()


def test_a_later_schedule_the_run_never_reaches_is_refused(iris, tmp_path):  # noqa: F811
    """cosine@10 in a run of 10 epochs (0 to 9) never ran: the run trained on at the first schedule's rate, silently."""
    r = cmd("train", iris, "--target", "species", "--out", tmp_path / "m.npz", "--epochs", 10,
            "--schedule", "step:step_size=2", "--schedule", "cosine@10:T_max=5")
    lines = r.stderr.strip().splitlines()
    assert r.returncode == 2 and lines[0].startswith("usage: chainrule train"), r.stderr
    assert "argument --schedule: 'cosine@10:T_max=5' starts at epoch 10, which --epochs 10 never reaches" in lines[-1]
    assert not (tmp_path / "m.npz").exists()
    train(iris, tmp_path, "--schedule", "step:step_size=2", "--schedule", "cosine@9:T_max=5", epochs=10)
