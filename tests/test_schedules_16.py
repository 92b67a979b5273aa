"""Schedules in saving, loading and messages: the inner schedule a save check blames, the 0 rate that
stays, a config's misspelt argument, their repr, and the compiled updates kept to the built-in classes."""
import warnings

import numpy as np
import pytest
from conftest import cmd

import chainrule as cr
from chainrule import errors, optim

torch = pytest.importorskip("torch")
sched = torch.optim.lr_scheduler

from schedule_oracle import torch_rates  # noqa: E402


def problem():
    rng = np.random.default_rng(1)
    X, Y = rng.normal(size=(12, 3)), rng.normal(size=(12, 1))
    return cr.Network([cr.Dense(3, 4, "tanh"), cr.Dense(4, 1)], loss="mse", seed=2), X, Y


class NoConfig(optim.Schedule):
    """A user's schedule without config(): it cannot be saved."""

    def __call__(self, epoch):
        return 0.05


def test_an_inner_schedule_without_config_is_the_one_named_at_save(tmp_path):
    net, X, Y = problem()
    net.fit(X, Y, epochs=2, optimizer=optim.SGD(optim.SequentialLR([optim.ConstantLR(0.1), NoConfig()], [1])),
            verbose=0)
    with pytest.raises(errors.ChainruleTypeError, match=r"^schedules\[1\] of the optimizer's SequentialLR is a "
                                                        r"NoConfig, which would load back as nothing"):
        cr.save(net, tmp_path / "m.npz")
    assert not (tmp_path / "m.npz").exists()


def test_an_unsaveable_schedule_is_refused_before_the_first_epoch_with_a_checkpoint_dir(tmp_path):
    """It was refused at the first checkpoint, after an epoch had trained (the weights changed)."""
    for i, schedule in enumerate([NoConfig(), optim.SequentialLR([optim.ConstantLR(0.1), NoConfig()], [1])]):
        net, X, Y = problem()
        before = net.params.copy()
        with pytest.raises(errors.ChainruleTypeError, match="is a NoConfig, which would load back as nothing"):
            net.fit(X, Y, epochs=2, optimizer=optim.SGD(schedule), checkpoint_dir=tmp_path / f"ck{i}", verbose=0)
        np.testing.assert_array_equal(net.params, before)
        net, X, Y = problem()
        with pytest.raises(errors.ChainruleTypeError, match="is a NoConfig, which would load back as nothing"):
            net.fit(X, Y, epochs=2, optimizer=optim.SGD(schedule), verbose=0,
                    callbacks=[cr.callbacks.ModelCheckpoint(str(tmp_path / f"m{i}.npz"))])
        np.testing.assert_array_equal(net.params, before)


def _saved_and_loaded(schedule, epochs, path):
    net, X, Y = problem()
    net.fit(X, Y, epochs=epochs, optimizer=optim.SGD(schedule), verbose=0)
    cr.save(net, path)
    with warnings.catch_warnings(record=True) as seen:
        warnings.simplefilter("always")
        cr.load(path)
    return [str(w.message) for w in seen if "gives 0.0" in str(w.message)]


def test_a_sequential_schedule_warns_of_a_0_rate_only_when_it_stays_0(tmp_path):
    """PolynomialLR(total_iters=3) then ConstantLR at 6, saved after 4 epochs: 0 now, torch's rate is back
    at 0.05 at epoch 6, so no warning. With the PolynomialLR last, 0 from epoch 5 to the end (torch): a warning."""
    rising = torch_rates(lambda o: sched.SequentialLR(o, [sched.PolynomialLR(o, total_iters=3),
                                                          sched.ConstantLR(o, 0.5, 2)], [6]), 12)
    assert rising[4] == 0 and rising[6] > 0
    first = optim.SequentialLR([optim.PolynomialLR(0.1, total_iters=3), optim.ConstantLR(0.1, 0.5, 2)], [6])
    assert _saved_and_loaded(first, 4, tmp_path / "a.npz") == []
    staying = torch_rates(lambda o: sched.SequentialLR(o, [sched.ConstantLR(o, 0.5, 2),
                                                           sched.PolynomialLR(o, total_iters=3)], [2]), 40)
    assert set(staying[5:]) == {0.0}
    last = optim.SequentialLR([optim.ConstantLR(0.1, 0.5, 2), optim.PolynomialLR(0.1, total_iters=3)], [2])
    assert len(_saved_and_loaded(last, 7, tmp_path / "b.npz")) == 1


@pytest.mark.parametrize("bad,guess", [("bogus", ""), ("total_iter", "total_iters")])
@pytest.mark.parametrize("where", ["optimizer config", "SequentialLR"])
def test_a_misspelt_schedule_argument_in_a_config_is_named_with_a_guess(bad, guess, where):
    """It raised a bare TypeError ("__init__() got an unexpected keyword argument")."""
    cfg = {"name": "LinearLR", "lr": 0.1, bad: 4}
    said = (rf"LinearLR got unknown argument\(s\) \['{bad}'\]; expected among \['lr', 'start_factor', 'end_factor', "
            r"'total_iters'\]\." + (f" Did you mean '{guess}'\\?$" if guess else "$"))
    with pytest.raises(errors.ChainruleTypeError, match=said):
        if where == "SequentialLR":
            optim.SequentialLR([cfg, optim.ConstantLR(0.1)], [2])
        else:
            optim.get_optimizer({"name": "sgd", "lr": cfg})


def test_a_schedule_shows_as_the_call_that_makes_it():
    """repr was <...ConstantLR object at 0x...>: now the constructor call, which evaluates to an equal one."""
    made = optim.SequentialLR([optim.LinearLR(0.05, 0.2, total_iters=3), optim.ConstantLR(0.1)], [3])
    again = eval(repr(made), vars(optim))
    assert again.config() == made.config() and [again(e) for e in range(10)] == [made(e) for e in range(10)]
    assert repr(optim.ConstantLR(0.1)) == f"ConstantLR(lr=0.1, factor={1 / 3!r}, total_iters=5)"
    with pytest.raises(errors.ChainruleTypeError, match=r"schedules must be a non-empty list of schedules .*; got "
                                                        r"ConstantLR\(lr=0.1, factor=0.333+\d*, total_iters=5\) "
                                                        r"\(ConstantLR\)"):
        optim.SequentialLR(optim.ConstantLR(0.1), [2])


def test_info_shows_the_schedule_as_its_call_fitted_to_the_terminal(tmp_path, monkeypatch, capsys):
    net, X, Y = problem()
    made = optim.SequentialLR([optim.LinearLR(0.05, 0.2, total_iters=3), optim.PolynomialLR(0.05, 8, 2.0)], [3])
    net.fit(X, Y, epochs=1, optimizer=optim.SGD(made, momentum=0.5), verbose=0)
    cr.save(net, tmp_path / "m.npz")
    r = cmd("info", tmp_path / "m.npz")                  # a pipe: each line whole
    line = next(x for x in r.stdout.splitlines() if x.startswith("optimizer: "))
    again = eval(line[len("optimizer: "):], vars(optim))
    assert again.config() == net.optimizer.config()
    from chainrule.cli import main
    monkeypatch.setenv("COLUMNS", "60")
    monkeypatch.setattr("sys.stdout.isatty", lambda: True)
    assert main(["info", str(tmp_path / "m.npz")]) == 0
    out = capsys.readouterr().out
    assert max(len(x) for x in out.splitlines()) <= 60
    shown = " ".join(out[out.index("optimizer: "):].split())
    assert shown.startswith(line)


def test_a_users_optimizer_never_runs_a_built_in_kernel():
    """The compiled updates are the built-ins' own (a tuple, as before the Optimizer base moved); the
    decorator that marks them is not chainrule.optim's: decorating a user's SGD subclass gave it SGD's kernel."""
    assert optim.COMPILED_UPDATES == (optim.SGD, optim.Adam, optim.AdamW)
    assert not hasattr(optim, "compiled_update")
    from chainrule.training.optimizer import _compiled_update

    class Halved(optim.SGD):
        pass
    with pytest.raises(errors.ChainruleTypeError, match="Halved is not a built-in optimizer"):
        _compiled_update(Halved)
    assert optim.COMPILED_UPDATES == (optim.SGD, optim.Adam, optim.AdamW)
