"""A sweep's optimizer arguments where the grid gave them no list: one given for every candidate (optimizer__lr=0.1
beside optimizer=Adam()) says where it goes, not 'not known; did you mean optimizer'; MLP's optimizer arguments
drawn from a distribution (n_iter) name a grid that runs, not a list holding the distribution."""
import re
import warnings

import pytest
import scipy.stats
from scipy.stats import loguniform

import chainrule
from chainrule.errors import UnknownNameError, ValidationError
from chainrule.optim import Adam, StepLR
from chainrule.sweep import run_sweep

FIT = {"epochs": 2, "batch_size": 16, "hidden_layer_sizes": (4,)}


@pytest.mark.parametrize("given, grid", [
    ({"optimizer": Adam(), "optimizer__lr": 0.1}, "{'optimizer__lr': [0.1]}"),
    ({"learning_rate": StepLR(0.1, step_size=1), "lr__gamma": 0.5}, "{'lr__gamma': [0.5]}"),
])
def test_an_instances_argument_given_for_every_candidate_says_where_it_goes(sweep_data, given, grid):
    with pytest.raises(ValidationError) as info:
        run_sweep(sweep_data / "binary.csv", "species", "hidden=4", **given, epochs=2)
    message = str(info.value)
    assert "is not known" not in message and "Did you mean" not in message, message
    assert grid in message, message
    suggested = eval(re.search(r"\{'[a-z_]+__[a-z]+': \[.*?\]\}", message).group(0))
    fixed = {k: v for k, v in given.items() if "__" not in k}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        ran = run_sweep(sweep_data / "binary.csv", "species", suggested, **fixed, epochs=2)
    assert len(ran.cv_results_["params"]) == 1


def test_a_drawn_mlp_optimizer_argument_names_a_grid_that_draws_it(sweep_data):
    with pytest.raises(UnknownNameError) as info:
        run_sweep(sweep_data / "binary.csv", "species", {"epsilon": loguniform(1e-8, 1e-6)}, n_iter=2, **FIT)
    message = str(info.value)
    assert "object at 0x" not in message, message
    said = re.search(r"\{'optimizer'.*?\)\}", message).group(0)
    suggested = eval(said, {"chainrule": chainrule, "scipy": scipy})
    assert suggested["optimizer__eps"].args == (1e-8, 1e-6)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        ran = run_sweep(sweep_data / "binary.csv", "species", suggested, n_iter=2, **FIT)
    assert len(ran.cv_results_["params"]) == 2


def test_drawn_betas_say_a_pair_is_listed(sweep_data):
    """beta_1 drawn: optimizer__betas is a pair, which no distribution draws; the message lists pairs."""
    with pytest.raises(UnknownNameError) as info:
        run_sweep(sweep_data / "binary.csv", "species", {"beta_1": loguniform(0.5, 0.9)}, n_iter=2, **FIT)
    message = str(info.value)
    assert "object at 0x" not in message and "'optimizer__betas': [(0.8, 0.999), (0.9, 0.999)]" in message, message
