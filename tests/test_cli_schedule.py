"""`chainrule train --schedule`: the rate of each epoch the command trained with (as its checkpoints' history.jsonl
logs it) is torch.optim.lr_scheduler's for the same schedule; resumed runs continue it; bad specs are refused naming
the option, the key, what it takes and what was given."""
import json

import numpy as np
import pytest
from conftest import cmd

import chainrule as cr

torch = pytest.importorskip("torch")
sk = pytest.importorskip("sklearn.datasets")


@pytest.fixture(scope="module")
def iris(tmp_path_factory):
    data = sk.load_iris(as_frame=True)
    frame = data.frame
    frame["species"] = np.asarray(data.target_names)[frame.pop("target")]
    path = tmp_path_factory.mktemp("iris") / "iris.csv"
    frame.to_csv(path, index=False)
    return path


def train(iris, tmp_path, *options, epochs=8, folder="ck"):
    r = cmd("train", iris, "--target", "species", "--hidden", "8", "--optimizer", "sgd", "--lr", "0.1", "--epochs",
            epochs, "--out", tmp_path / "m.npz", "--checkpoint-dir", tmp_path / folder, "--quiet", *options)
    assert r.returncode == 0, r.stderr
    return [json.loads(line)["logs"] for line in (tmp_path / folder / "history.jsonl").read_text().splitlines()]


def torch_rates(make, epochs):
    """The rate torch's scheduler gives each epoch (stepped once after each, as its docs' loop)."""
    opt = torch.optim.SGD([torch.zeros(1, requires_grad=True)], lr=0.1)
    scheduler, rates = make(opt), []
    for _ in range(epochs):
        rates.append(opt.param_groups[0]["lr"])
        opt.step()                      # (no gradient: nothing moves) torch's order, before the scheduler's step
        scheduler.step()
    return rates


S = torch.optim.lr_scheduler
CASES = [("step:step_size=3,gamma=0.5", lambda o: S.StepLR(o, step_size=3, gamma=0.5)),
         ("StepLR:step_size=2", lambda o: S.StepLR(o, step_size=2)),
         ("exponential:gamma=0.8", lambda o: S.ExponentialLR(o, gamma=0.8)),
         ("cosine:T_max=5,eta_min=0.01", lambda o: S.CosineAnnealingLR(o, T_max=5, eta_min=0.01)),
         ("multistep:milestones=2,5,gamma=0.3", lambda o: S.MultiStepLR(o, milestones=[2, 5], gamma=0.3)),
         ("linear:start_factor=0.25,total_iters=4", lambda o: S.LinearLR(o, start_factor=0.25, total_iters=4)),
         ("constant:factor=0.5,total_iters=3", lambda o: S.ConstantLR(o, factor=0.5, total_iters=3)),
         ("polynomial:total_iters=6,power=2", lambda o: S.PolynomialLR(o, total_iters=6, power=2))]


@pytest.mark.parametrize("spec,make", CASES, ids=[c[0] for c in CASES])
def test_each_epochs_rate_is_torchs(iris, tmp_path, spec, make):
    logs = train(iris, tmp_path, "--schedule", spec)
    assert len({log["lr"] for log in logs}) > 1            # the rate did change
    np.testing.assert_allclose([log["lr"] for log in logs], torch_rates(make, 8), rtol=0, atol=1e-12)


def test_plateau_is_torchs_for_the_val_loss_the_run_had(iris, tmp_path):
    """Keras' patience p is torch's p - 1 (plateau.py); torch steps on the val_loss each epoch logged."""
    logs = train(iris, tmp_path, "--schedule", "plateau:factor=0.5,patience=1,min_delta=0.02", epochs=12)
    opt = torch.optim.SGD([torch.zeros(1, requires_grad=True)], lr=0.1)
    scheduler, rates = S.ReduceLROnPlateau(opt, factor=0.5, patience=0, threshold=0.02, threshold_mode="abs"), []
    for log in logs:
        rates.append(opt.param_groups[0]["lr"])
        scheduler.step(log["val_loss"])
    assert len(set(rates)) > 2
    np.testing.assert_allclose([log["lr"] for log in logs], rates, rtol=0, atol=1e-12)
    assert all("learning_rate" not in log for log in logs)       # one name for the rate


@pytest.mark.parametrize("spec", ["step:step_size=2,gamma=0.5", "plateau:factor=0.5,patience=1,min_delta=0.02"])
def test_a_resumed_run_continues_the_schedule(iris, tmp_path, spec):
    whole = train(iris, tmp_path, "--schedule", spec, folder="whole")
    train(iris, tmp_path, "--schedule", spec, epochs=3, folder="parts")
    resumed = train(iris, tmp_path, "--schedule", spec, "--resume", folder="parts")
    assert [log["lr"] for log in resumed] == [log["lr"] for log in whole]
    assert [log["val_loss"] for log in resumed] == [log["val_loss"] for log in whole]


def test_the_saved_model_keeps_the_schedule(iris, tmp_path):
    import chainrule as cr
    train(iris, tmp_path, "--schedule", "cosine:T_max=20")
    net = cr.load(tmp_path / "m.npz")
    assert net.optimizer.schedule.config() == {"name": "CosineAnnealingLR", "lr": 0.1, "T_max": 20, "eta_min": 0}


def test_resuming_with_another_schedule_or_none_is_refused(iris, tmp_path):
    train(iris, tmp_path, "--schedule", "plateau:patience=2", epochs=2)
    for other in (["--schedule", "step:step_size=2"], []):
        r = cmd("train", iris, "--target", "species", "--hidden", "8", "--optimizer", "sgd", "--lr", "0.1",
                "--epochs", 4, "--out", tmp_path / "m.npz", "--checkpoint-dir", tmp_path / "ck", "--resume",
                "--quiet", *other)
        assert r.returncode == 2 and "cannot resume" in r.stderr and "--schedule" in r.stderr, r.stderr


@pytest.mark.parametrize("spec,words", [
    ("stpe", ["argument --schedule", "unknown schedule 'stpe'", "did you mean 'step'", "cosine", "plateau"]),
    ("step:gama=0.5", ["argument --schedule", "unknown key 'gama'", "did you mean 'gamma'", "step_size, gamma"]),
    ("cosine", ["argument --schedule", "cosine needs T_max="]),
    ("step:lr=3", ["argument --schedule", "'lr'", "--lr"]),
    ("step:step_size=2,3", ["argument --schedule", "KEY=VALUE", "got '3'"]),
    ("step:step_size=", ["argument --schedule", "'step_size' has no value"]),
    ("step:step_size=0", ["argument --schedule", "step_size must be a positive integer; got '0'"]),
    ("exponential:gamma=abc", ["argument --schedule", "gamma must be a number", "'abc'"]),
    ("plateau:factor=2", ["argument --schedule", "factor must be", "got '2'"]),
])
def test_a_bad_schedule_names_the_option_key_expected_and_received(iris, tmp_path, spec, words):
    r = cmd("train", iris, "--target", "species", "--out", tmp_path / "m.npz", "--schedule", spec)
    assert r.returncode == 2
    line = r.stderr.strip().splitlines()[-1]
    for w in words:
        assert w in line, line
    assert not (tmp_path / "m.npz").exists()


def test_plateau_without_validation_rows_is_refused(iris, tmp_path):
    r = cmd("train", iris, "--target", "species", "--out", tmp_path / "m.npz", "--val-split", "0",
            "--schedule", "plateau:patience=2")
    assert r.returncode == 2 and "--val-split 0" in r.stderr and "monitor=loss" in r.stderr, r.stderr


def test_help_lists_the_schedules():
    text = " ".join(cmd("train", "--help").stdout.split())
    for name in ("step:", "multistep:", "exponential:", "cosine:", "linear:", "constant:", "polynomial:", "plateau:"):
        assert name in text


def test_help_says_plateau_takes_keras_names_and_counts_not_torchs():
    """Every other schedule takes torch's argument names; plateau takes Keras' (min_delta, which torch's
    ReduceLROnPlateau lacks: its threshold), and Keras' patience p is torch's p-1 (the test above drives torch so)."""
    import inspect
    text = " ".join(cmd("train", "--help").stdout.split())
    torchs = inspect.signature(torch.optim.lr_scheduler.ReduceLROnPlateau).parameters
    assert "min_delta" not in torchs and "threshold" in torchs
    entry = text[text.index("plateau:"):]
    assert "Keras' names and counts" in entry and "min_delta, an absolute change, for torch's threshold" in entry, entry
    assert "Keras' patience p and cooldown c are torch's p-1 and c-1" in entry, entry


def test_resuming_a_plateau_with_other_settings_is_refused_in_the_options_words(iris, tmp_path):
    """The checkpoint keeps a plateau's counts, not its settings: --resume with another patience trained on
    silently with the new one. The schedule as written out whole is kept and compared (gamma=0.1 given or not)."""
    train(iris, tmp_path, "--schedule", "plateau:factor=0.5,patience=1", epochs=2)
    r = cmd("train", iris, "--target", "species", "--hidden", "8", "--optimizer", "sgd", "--lr", "0.1", "--epochs", 4,
            "--out", tmp_path / "m.npz", "--checkpoint-dir", tmp_path / "ck", "--resume", "--quiet",
            "--schedule", "plateau:factor=0.5,patience=2")
    line = r.stderr.strip().splitlines()[-1]
    assert r.returncode == 2, r.stderr
    assert "its run had --schedule plateau:" in line and "patience=1" in line and "patience=2" in line, line
    train(iris, tmp_path, "--schedule", "step:step_size=2", epochs=2, folder="st")
    logs = train(iris, tmp_path, "--schedule", "StepLR:step_size=2,gamma=0.1", "--resume", epochs=4, folder="st")
    np.testing.assert_allclose([log["lr"] for log in logs],
                               torch_rates(lambda o: S.StepLR(o, step_size=2, gamma=0.1), 4), rtol=0, atol=1e-12)


def test_the_model_file_keeps_a_plateaus_settings(iris, tmp_path):
    import chainrule as cr
    train(iris, tmp_path, "--schedule", "plateau:factor=0.5,patience=3,cooldown=1", epochs=2)
    extra = cr.load(tmp_path / "m.npz", with_extra=True)[1]
    assert "factor=0.5" in extra["schedule"] and "patience=3" in extra["schedule"] and "cooldown=1" in extra["schedule"]
    assert "--schedule plateau:" in cmd("info", tmp_path / "m.npz").stdout


def test_info_writes_a_small_rate_in_significant_digits(iris, tmp_path):
    """info wrote every number of the history in 4 decimals: the last epoch's rate 1e-06 read 'lr 0.0000'."""
    cmd("train", iris, "--target", "species", "--hidden", "8", "--optimizer", "sgd", "--lr", "1e-4", "--epochs", 3,
        "--out", tmp_path / "m.npz", "--quiet", "--schedule", "exponential:gamma=0.1")
    opt = torch.optim.SGD([torch.zeros(1, requires_grad=True)], lr=1e-4)
    scheduler = S.ExponentialLR(opt, gamma=0.1)
    for _ in range(2):
        opt.step()
        scheduler.step()
    line = next(s for s in cmd("info", tmp_path / "m.npz").stdout.splitlines() if s.startswith("training:"))
    shown = float(line.split("lr ")[-1])
    assert shown == pytest.approx(opt.param_groups[0]["lr"], rel=1e-3), line


@pytest.mark.parametrize("target,spec", [("sepal length (cm)", "plateau:monitor=val_accuracy"),
                                         ("species", "plateau:monitor=val_los,mode=min")])
def test_a_plateau_watching_what_the_run_does_not_log_is_refused(iris, tmp_path, target, spec):
    """A regression logs no accuracy (and a misspelt monitor nothing): the plateau warned, then lowered nothing."""
    r = cmd("train", iris, "--target", target, "--out", tmp_path / "m.npz", "--epochs", 2, "--schedule", spec)
    line = r.stderr.strip().splitlines()[-1]
    assert r.returncode == 2 and "--schedule" in line and "does not log" in line and "val_loss" in line, line
    assert not (tmp_path / "m.npz").exists()


def test_a_schedule_in_sweeps_grid_says_it_is_trains_option(iris):
    """sweep's refusal suggested 'shuffle' for schedule=..., which docs/tabular.md says to sweep as lr=... instead."""
    r = cmd("sweep", iris, "--target", "species", "--grid", "schedule=step:step_size=2,gamma=0.5")
    line = r.stderr.strip().splitlines()[-1]
    assert r.returncode == 2 and "--schedule" in line and "lr=" in line and "shuffle" not in line, line


def test_run_sweep_refuses_a_schedule_in_its_grid_as_the_command_does(iris):
    """The refusal was the command's alone: run_sweep's grid (a dict or text) suggested 'shuffle'."""
    from chainrule.sweep import run_sweep
    for grid in ({"schedule": ["step:step_size=2"]}, "schedule=step:step_size=2"):
        with pytest.raises(cr.errors.ValidationError) as exc:
            run_sweep(iris, "species", grid)
        assert "train's --schedule" in str(exc.value) and "shuffle" not in str(exc.value), exc.value


def test_a_divergence_at_a_rate_the_schedule_raised_advises_the_schedule(iris, tmp_path):
    """cosine's eta_min above --lr raises the rate (as torch's); the advice was a lower --lr, which changes nothing
    of the rate that diverged."""
    r = cmd("train", iris, "--target", "sepal length (cm)", "--epochs", 6, "--optimizer", "sgd", "--lr", "0.01",
            "--out", tmp_path / "m.npz", "--quiet", "--schedule", "cosine:T_max=2,eta_min=1000")
    line = r.stderr.strip().splitlines()[-1]
    assert r.returncode != 0 and "training diverged in epoch " in line, line
    opt = torch.optim.SGD([torch.zeros(1, requires_grad=True)], lr=0.01)
    scheduler = S.CosineAnnealingLR(opt, T_max=2, eta_min=1000)
    for _ in range(int(line.split("diverged in epoch ")[1].split(",")[0]) - 1):      # the rate of the epoch named
        opt.step()
        scheduler.step()
    assert "lower --lr" not in line and "--schedule 'cosine:T_max=2,eta_min=1000'" in line, line
    assert f"took it to {opt.param_groups[0]['lr']:g}" in line, line
