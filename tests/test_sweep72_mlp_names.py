"""MLPClassifier's optimizer arguments (beta_1, beta_2, epsilon, nesterovs_momentum) in a sweep's grid, or given for
every candidate, name what they are here (an optimizer instance's betas, eps, nesterov, set as optimizer__...) and
the grid that sweeps them; solver='lbfgs' says chainrule has no L-BFGS and what to give. Each suggestion runs."""
import ast
import re
import warnings

import pytest

from chainrule.errors import UnknownNameError
from chainrule.sweep import run_sweep

FIT = {"epochs": 2, "batch_size": 16, "hidden_layer_sizes": (4,)}


@pytest.mark.parametrize("grid, said", [
    ("beta_1=0.8,0.9", "{'optimizer': [chainrule.optim.Adam()], 'optimizer__betas': [(0.8, 0.999), (0.9, 0.999)]}"),
    ("beta_2=0.99", "{'optimizer': [chainrule.optim.Adam()], 'optimizer__betas': [(0.9, 0.99)]}"),
    ("epsilon=1e-7", "{'optimizer': [chainrule.optim.Adam()], 'optimizer__eps': [1e-07]}"),
    ("nesterovs_momentum=true,false",
     "{'optimizer': [chainrule.optim.SGD(momentum=0.9)], 'optimizer__nesterov': [True, False]}"),
])
def test_an_mlp_optimizer_argument_names_the_grid_that_sweeps_it(sweep_data, grid, said):
    with pytest.raises(UnknownNameError) as info:
        run_sweep(sweep_data / "binary.csv", "species", grid, **FIT)
    message = str(info.value)
    assert said in message and "MLPClassifier's " + grid.split("=")[0] in message, message
    import chainrule
    suggested = eval(re.search(r"\{'optimizer'.*?\]\}", message).group(0), {"chainrule": chainrule})
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        ran = run_sweep(sweep_data / "binary.csv", "species", suggested, **FIT)
    assert len(ran.cv_results_["params"]) == len(grid.split(","))


@pytest.mark.parametrize("given, said", [
    ({"beta_1": 0.8}, "optimizer=chainrule.optim.Adam(betas=(0.8, 0.999))"),
    ({"epsilon": 1e-7}, "optimizer=chainrule.optim.Adam(eps=1e-07)"),
    ({"nesterovs_momentum": True}, "optimizer=chainrule.optim.SGD(nesterov=True, momentum=0.9)"),
])
def test_one_for_every_candidate_names_the_optimizer_to_give(sweep_data, given, said):
    with pytest.raises(UnknownNameError, match=re.escape(said)):
        run_sweep(sweep_data / "binary.csv", "species", "lr=0.01", **given, **FIT)
    ast.parse(said.split("=", 1)[1])


@pytest.mark.parametrize("grid, fixed", [("solver=lbfgs,adam", {}), ("lr=0.01", {"solver": "lbfgs"}),
                                         ({"solver": ["lbfgs"]}, {})])
def test_lbfgs_says_there_is_none_and_what_to_use(sweep_data, grid, fixed):
    with pytest.raises(UnknownNameError, match=r"chainrule has no L-BFGS.*adagrad, adam, adamw, rmsprop, sgd; give "
                                               r"optimizer='adam'"):
        run_sweep(sweep_data / "binary.csv", "species", grid, **fixed, **FIT)


def test_an_mlp_name_without_an_equivalent_says_so(sweep_data):
    """power_t (MLP's invscaling's) was the general 'not known', as a misspelling."""
    with pytest.raises(UnknownNameError, match=r"'power_t' is not known \(MLPClassifier's power_t has no equivalent "
                                               r"here\); expected one of"):
        run_sweep(sweep_data / "binary.csv", "species", "power_t=0.5", **FIT)
