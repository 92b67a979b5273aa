"""fit's comm= given something that is not an MPI communicator beside an argument refused under MPI: that
argument's own refusal (the ranks' meeting before training called comm.Get_rank on it: an AttributeError from
inside); alone, the refusal naming comm and what it got."""
import numpy as np
import pytest

import chainrule as cr
from chainrule.errors import ChainruleTypeError, ValidationError


def _net():
    return cr.Network([cr.Dense(2, 3, "tanh"), cr.Dense(3, 1, "sigmoid")], loss="binary_crossentropy", seed=0)


@pytest.mark.parametrize("comm", [object(), "COMM_WORLD", 0])
def test_a_comm_that_is_no_communicator_is_refused_by_name(comm):
    X = np.random.default_rng(0).normal(size=(8, 2))
    Y = (X[:, :1] > 0).astype(float)
    with pytest.raises(ChainruleTypeError, match=rf"comm must be an mpi4py communicator .*; got {comm!r}$"):
        _net().fit(X, Y, epochs=1, comm=comm, verbose=0)


@pytest.mark.parametrize("weights", ["sample_weight", "class_weight"])
def test_an_argument_refused_beside_such_a_comm_is_its_own_refusal(weights):
    """Said as `--weight and --mpi cannot be combined` is: both names, why, and what to do instead."""
    X = np.random.default_rng(0).normal(size=(10, 2))
    given = {"sample_weight": np.ones(10), "class_weight": {0: 1.0, 1: 2.0}}[weights]
    with pytest.raises(ValidationError, match=rf"^{weights} and comm \(MPI\) cannot be combined: weighted training "
                                              rf"runs in one process; fit without comm, or without {weights}$"):
        _net().fit(X, (X[:, :1] > 0).astype(float), comm=object(), verbose=0, **{weights: given})
