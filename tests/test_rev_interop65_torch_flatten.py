"""A Flatten first whose dims torch runs only on rows (batch, features), where it is the identity (its start_dim
counted from the end, its end_dim from the start: on more dims the start comes after the end), is read as the identity
(torch's own forward is the truth); the refusal of any other names what is supported."""
import numpy as np
import pytest

import chainrule as cr

torch = pytest.importorskip("torch")
nn = torch.nn
X = np.random.default_rng(3).normal(size=(4, 3))


@pytest.mark.parametrize("flatten", [lambda: nn.Flatten(-1, 1), lambda: nn.Flatten(-2, 0),
                                     lambda: nn.Flatten(start_dim=-1, end_dim=1)])
def test_a_flatten_first_that_torch_runs_only_on_rows_is_the_identity(flatten):
    model = nn.Sequential(flatten(), nn.Linear(3, 2), nn.Tanh()).double()
    with pytest.raises(RuntimeError):                                   # on images torch's forward fails
        model[0](torch.zeros(2, 3, 3, dtype=torch.float64))
    rows = torch.from_numpy(X)
    assert torch.equal(model[0](rows), rows)
    with torch.no_grad():
        expected = model(rows).numpy()
    np.testing.assert_allclose(cr.from_torch(model).predict(X), expected, rtol=1e-12, atol=1e-15)


def test_an_unknown_layer_is_refused_naming_the_flattens_read():
    model = nn.Sequential(nn.Linear(3, 2), nn.Hardswish()).double()
    with pytest.raises(cr.errors.ValidationError, match=r"Flatten that leaves rows as they are"):
        cr.from_torch(model)
