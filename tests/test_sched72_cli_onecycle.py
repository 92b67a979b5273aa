"""`--schedule onecycle` moves --momentum as torch's default OneCycleLR does (cycle_momentum, base_momentum and
max_momentum are its keys); adagrad, without momentum, is refused as torch refuses it; a onecycle whose total_steps
ends before the next --schedule starts is refused before training, naming both numbers. (cycle_momentum=false, the
momentum as given, guards what already worked.)"""
import pytest
from conftest import cmd

import chainrule as cr

torch = pytest.importorskip("torch")
ROWS = "a,b,y\n" + "".join(f"{i % 7},{(i * 3) % 5},{'xy'[i % 2]}\n" for i in range(40))


def train(tmp_path, *options, epochs=8):
    (tmp_path / "t.csv").write_text(ROWS)
    return cmd("train", "t.csv", "--target", "y", "--hidden", "4", "--lr", "0.2", "--epochs", epochs, "--out",
               "m.npz", "--checkpoint-dir", "ck", "--quiet", *options, cwd=tmp_path)


def torch_momentum(epochs, **kwargs):
    """The momentum torch's OneCycleLR sets for the last of `epochs` epochs."""
    opt = torch.optim.SGD([torch.zeros(1, requires_grad=True)], lr=0.2, momentum=0.9)
    scheduler = torch.optim.lr_scheduler.OneCycleLR(opt, max_lr=0.2, total_steps=8, **kwargs)
    for _ in range(epochs - 1):
        opt.step()
        scheduler.step()
    return opt.param_groups[0]["momentum"]


@pytest.mark.parametrize("keys, kwargs", [
    ("", {}),
    (",base_momentum=0.6,max_momentum=0.8", {"base_momentum": 0.6, "max_momentum": 0.8}),
    (",cycle_momentum=false", {"cycle_momentum": False}),
])
def test_the_momentum_is_torchs_onecycle(tmp_path, keys, kwargs):
    done = train(tmp_path, "--optimizer", "sgd", "--momentum", "0.9", "--schedule", "onecycle:total_steps=8" + keys)
    assert done.returncode == 0, done.stderr
    trained = cr.load(tmp_path / "m.npz").optimizer.momentum
    assert trained == pytest.approx(torch_momentum(8, **kwargs), rel=1e-12)


def test_adagrad_is_refused_as_torch_refuses_it(tmp_path):
    done = train(tmp_path, "--optimizer", "adagrad", "--schedule", "onecycle:total_steps=8")
    assert done.returncode == 2 and "--optimizer adagrad has no momentum or beta1" in done.stderr, done.stderr
    assert "add cycle_momentum=false to --schedule 'onecycle:total_steps=8'" in done.stderr
    assert not (tmp_path / "m.npz").exists()


def test_a_middle_onecycle_ending_early_is_refused_before_training(tmp_path):
    done = train(tmp_path, "--optimizer", "sgd", "--schedule", "constant:factor=0.5,total_iters=2", "--schedule",
                 "onecycle@3:total_steps=3", "--schedule", "constant@9:factor=0.5", epochs=10)
    assert done.returncode == 2 and done.stdout == "", done.stderr
    line = done.stderr.strip().splitlines()[-1]
    assert "'onecycle@3:total_steps=3' runs 6 epochs" in line and "its epochs 0 to 3 only" in line, line
    assert "give it total_steps=5 or more" in line, line
    assert not (tmp_path / "ck").exists() and not (tmp_path / "m.npz").exists()
