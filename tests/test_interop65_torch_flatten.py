"""Every torch Flatten that is the identity on rows (batch, features) is read as the identity, however its dims are
spelt; any other is refused naming start_dim, end_dim and what it would do to rows (torch's own forward is
the truth)."""
import numpy as np
import pytest

import chainrule as cr

torch = pytest.importorskip("torch")
nn = torch.nn
X = np.random.default_rng(0).normal(size=(5, 3))


def _torch_out(model):
    with torch.no_grad():
        return model(torch.from_numpy(X)).numpy()


@pytest.mark.parametrize("flatten", [
    lambda: nn.Flatten(-1), lambda: nn.Flatten(1, 1), lambda: nn.Flatten(start_dim=1, end_dim=1),
    lambda: nn.Flatten(-1, -1), lambda: nn.Flatten(1, -1), lambda: nn.Flatten(-1, 1), lambda: nn.Flatten(0, 0),
    lambda: nn.Flatten(-2, -2), lambda: nn.Flatten(-2, 0), lambda: nn.Flatten(start_dim=1, end_dim=-1)])
def test_a_flatten_that_leaves_rows_as_they_are_after_a_linear_is_the_identity(flatten):
    model = nn.Sequential(nn.Linear(3, 4), nn.Tanh(), flatten(), nn.Linear(4, 2)).double()
    np.testing.assert_allclose(cr.from_torch(model).predict(X), _torch_out(model), rtol=1e-12, atol=1e-15)


@pytest.mark.parametrize("flatten", [lambda: nn.Flatten(-1), lambda: nn.Flatten(1, 1), lambda: nn.Flatten(0, 0),
                                     lambda: nn.Flatten(-1, -1)])
def test_a_flatten_of_one_dim_first_is_the_identity_on_any_input(flatten):
    model = nn.Sequential(flatten(), nn.Linear(3, 2), nn.Sigmoid()).double()
    images = torch.randn(2, 3, 3, dtype=torch.float64)
    assert torch.equal(model[0](images), images)                        # start_dim == end_dim: nothing changes
    np.testing.assert_allclose(cr.from_torch(model).predict(X), _torch_out(model), rtol=1e-12, atol=1e-15)


@pytest.mark.parametrize("flatten, what", [
    (lambda: nn.Flatten(0), r"0 to -1 \(start_dim=0, end_dim=-1\): it would flatten rows"),
    (lambda: nn.Flatten(-2, -1), r"start_dim=-2, end_dim=-1\): it would flatten rows .*\(batch \* features,\)"),
    (lambda: nn.Flatten(0, 1), r"start_dim=0, end_dim=1\): it would flatten rows"),
    (lambda: nn.Flatten(1, 0), r"start_dim=1, end_dim=0\): on rows .* start_dim comes after its end_dim"),
    (lambda: nn.Flatten(2), r"start_dim=2, end_dim=-1\), out of range for rows"),
    (lambda: nn.Flatten(1, 2), r"start_dim=1, end_dim=2\), out of range for rows"),
    (lambda: nn.Flatten(-3, -1), r"start_dim=-3, end_dim=-1\), out of range for rows")])
def test_a_flatten_that_changes_rows_is_refused_naming_its_dims(flatten, what):
    model = nn.Sequential(nn.Linear(3, 4), flatten(), nn.Linear(4, 2)).double()
    rows = torch.from_numpy(X)
    try:                                                                # torch's forward on rows: fails or mixes
        out = model(rows)
        assert out.shape != (len(X), 2)
    except (RuntimeError, IndexError):
        pass
    with pytest.raises(cr.errors.ValidationError, match=r"^layer 1 \(Flatten\) flattens dims .*" + what):
        cr.from_torch(model)
