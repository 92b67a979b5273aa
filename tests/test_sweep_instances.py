"""A grid may hold an optimizer or a schedule instance (as GridSearchCV's does): the best one, written to the model
file's JSON and to the results' params column, is its config(), the model file's way of storing an optimizer. It
failed after all the fits (best_model.npz not written) and the CSV cell did not read back."""
import ast
import warnings

import pytest

import chainrule as cr
from chainrule import optim
from chainrule.sweep import run_sweep

pd = pytest.importorskip("pandas")


@pytest.mark.parametrize("grid,name,expected", [
    ({"optimizer": [optim.SGD(0.1, momentum=0.5)]}, "optimizer", {"name": "SGD", "lr": 0.1, "momentum": 0.5}),
    ({"optimizer": ["sgd"], "learning_rate": [optim.StepLR(0.5, 2, gamma=0.5)]}, "learning_rate",
     {"name": "StepLR", "lr": 0.5, "step_size": 2, "gamma": 0.5}),
])
def test_a_best_instance_is_written_as_its_arguments(sweep_data, tmp_path, grid, name, expected):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        res = run_sweep(sweep_data / "iris.csv", "species", grid, cv=2, epochs=2, out_dir=tmp_path)
    assert res.model_path is not None and (tmp_path / "best_model.npz").exists()
    stored = cr.load(tmp_path / "best_model.npz", with_extra=True)[1]["sweep"]["best_params"]
    key = next(k for k in stored if isinstance(stored[k], dict))
    assert stored[key].items() >= expected.items()          # the constructor's arguments as given
    cell = pd.read_csv(tmp_path / "sweep_results.csv")["params"][0]
    assert ast.literal_eval(cell)[name] == stored[key]
    if name == "learning_rate":                           # the schedule it describes is the one swept
        assert optim.schedule_from_config(stored[key])(3) == pytest.approx(0.5 * 0.5)


class MyOpt(optim.SGD):
    """A user's optimizer, not registered: a best model saved without its optimizer needs no name for it."""


def test_an_unregistered_optimizer_subclass_sweeps_and_is_named_in_the_best_params(sweep_data, tmp_path):
    """Every fit ran, then save_best failed: the model file is written without the optimizer
    (include_optimizer=False), yet its class was checked as if saved. Its best params name MyOpt, not SGD."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        res = run_sweep(sweep_data / "iris.csv", "species", {"optimizer": [MyOpt(0.1, momentum=0.5)]}, cv=2,
                        epochs=1, out_dir=tmp_path)
    assert res.model_path is not None
    stored = cr.load(tmp_path / "best_model.npz", with_extra=True)[1]["sweep"]["best_params"]
    assert stored["optimizer"]["name"] == "MyOpt" and stored["optimizer"]["momentum"] == 0.5
    net = cr.load(tmp_path / "best_model.npz")
    net.optimizer = MyOpt(0.1)
    with pytest.raises(cr.errors.ChainruleTypeError, match="the optimizer is a MyOpt, which would load back as"):
        net.save(tmp_path / "with.npz")          # saved with it: still refused, naming it
    net.save(tmp_path / "without.npz", include_optimizer=False)
