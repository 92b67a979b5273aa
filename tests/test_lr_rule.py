"""One rule for a learning rate, in one wording, wherever one is given: `chainrule train --lr` re-implemented
"0 <= x < inf" in argparse where `chainrule explain --lr inf` said "--lr must be finite; got inf"; both now call one
function, the engine's check, and say its refusal in the form of every other numeric option ("expected ...; got
'TEXT'", the text as typed: train --lr -1 said "must be in [0.0, inf); got -1.0", --lr x "expected ..."). And -0 is
0: `explain --lr=-0` printed "Update (learning rate -0)".
Oracle: torch.optim.SGD, which takes 0 (and -0.0) and refuses -1; the two commands must agree with each other."""
import math

import pytest
from conftest import cmd  # noqa: E402

import chainrule as cr

torch = pytest.importorskip("torch")


@pytest.fixture(scope="module")
def tiny_csv(tmp_path_factory):
    path = tmp_path_factory.mktemp("lr") / "t.csv"
    path.write_text("a,b,label\n0.1,0.2,x\n0.3,-0.1,y\n-0.2,0.4,x\n0.5,0.5,y\n")
    return path


def _torch_takes(lr: float) -> bool:
    try:
        torch.optim.SGD([torch.zeros(1, requires_grad=True)], lr=lr)
    except ValueError:
        return False
    return True


@pytest.mark.parametrize("typed", ["nan", "inf", "1e999", "-1", "x", "0"])
def test_train_and_explain_take_and_refuse_a_rate_alike(tiny_csv, tmp_path, typed):
    train = cmd("train", tiny_csv, "--target", "label", "--hidden", "2", "--epochs", "1", f"--lr={typed}",
                "--quiet", "--out", tmp_path / "m.npz")
    explain = cmd("explain", f"--lr={typed}")
    if typed == "0":        # taken, as torch takes it
        assert _torch_takes(float(typed))
        assert train.returncode == 0 and explain.returncode == 0, (train.stderr, explain.stderr)
        assert "Update (learning rate 0)" in explain.stdout
        return
    if typed == "-1":
        assert not _torch_takes(-1.0)
    said = f"argument --lr: expected a finite number >= 0, e.g. 0.001; got '{typed}'\n"
    assert train.returncode == 2 and explain.returncode == 2, (train.stderr, explain.stderr)
    assert said in train.stderr and "must be" not in train.stderr, train.stderr
    assert said in explain.stderr, explain.stderr
    assert not (tmp_path / "m.npz").exists()


def test_train_lr_that_is_no_number_is_named():
    done = cmd("train", "t.csv", "--target", "label", "--lr", "fast")
    said = "argument --lr: expected a finite number >= 0, e.g. 0.001; got 'fast'"
    assert done.returncode == 2 and said in done.stderr


def test_a_rate_of_minus_0_is_0_everywhere():
    assert _torch_takes(-0.0)                       # torch takes it; the update is w - 0 * g, the weights as they are
    for typed in ("-0", "-0.0"):
        done = cmd("explain", f"--lr={typed}")
        assert done.returncode == 0 and "Update (learning rate 0)" in done.stdout, done.stdout[-300:]
        assert "- -0 *" not in done.stdout and "(learning rate -0" not in done.stdout
    net, X, Y, _ = cr.examples.seed_network()
    rates = [cr.explain(net, X, Y, lr=-0.0).to_dict()["lr"], cr.optim.SGD(-0.0).lr, cr.optim.Adam(lr=-0.0).lr,
             cr.optim.StepLR(-0.0, 1).lr]
    opt = cr.optim.SGD(0.1)
    opt.lr = -0.0
    rates.append(opt.lr)
    assert all(r == 0 and math.copysign(1.0, r) == 1.0 for r in rates), rates
    assert "-0" not in repr(cr.optim.SGD(-0.0))
