"""A torch.fx-traced Sequential (a GraphModule whose class torch names 'Sequential') was refused as "got Sequential",
telling to build nn.Sequential(model[0], ...), which fails on it (a GraphModule has no index). It is named a traced
GraphModule now, and the Sequential it is told to build imports with torch's numbers."""
import re

import numpy as np
import pytest

torch = pytest.importorskip("torch")
from torch import nn  # noqa: E402

import chainrule as cr  # noqa: E402
from chainrule.errors import ChainruleTypeError  # noqa: E402


def test_a_traced_sequential_is_named_and_its_advice_runs():
    torch.manual_seed(0)
    model = torch.fx.symbolic_trace(nn.Sequential(nn.Linear(3, 4), nn.Tanh(), nn.Linear(4, 2)).double())
    with pytest.raises(ChainruleTypeError, match=r"got Sequential \(a torch\.fx GraphModule, traced\)") as info:
        cr.from_torch(model)
    advice = re.search(r"e\.g\. (nn\.Sequential\(.*?\)), and give", str(info.value)).group(1)
    rebuilt = eval(advice, {"nn": nn, "model": model})           # the advice as a user types it
    X = np.random.default_rng(4).normal(size=(6, 3))
    with torch.no_grad():
        np.testing.assert_allclose(cr.from_torch(rebuilt).predict(X), model(torch.from_numpy(X)).numpy(), rtol=0,
                                   atol=1e-12)
