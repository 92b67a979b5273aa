"""from_torch: Linear layers whose sizes do not chain are refused at torch's places (the Sequential's keys, not the
count of Dense layers), naming a Flatten between them, which adds no inputs; torch's own forward fails there too."""
import numpy as np
import pytest

import chainrule as cr

torch = pytest.importorskip("torch")
nn = torch.nn


@pytest.mark.parametrize("model, said", [
    (lambda: nn.Sequential(nn.Linear(3, 4), nn.Flatten(), nn.Linear(8, 1)),
     r"^layer 2 \(Linear\) takes 8 inputs, but layer 0 \(Linear\) gives 4 outputs; layer 1 \(Flatten\) between"),
    (lambda: nn.Sequential(nn.Linear(3, 4), nn.ReLU(), nn.Linear(8, 1)),
     r"^layer 2 \(Linear\) takes 8 inputs, but layer 0 \(Linear\) gives 4 outputs: "),
    (lambda: nn.Sequential(nn.Linear(3, 4), nn.Tanh(), nn.Sequential(nn.Flatten(), nn.Linear(5, 1))),
     r"^layer 2\.1 \(Linear\) takes 5 inputs, but layer 0 \(Linear\) gives 4 outputs; layer 2\.0 \(Flatten\)")])
def test_linear_sizes_that_do_not_chain_are_named_at_torch_places(model, said):
    module = model()
    with pytest.raises(RuntimeError):                     # torch cannot run it either: the refusal is right
        module(torch.from_numpy(np.ones((2, 3), dtype=np.float32)))
    with pytest.raises(cr.errors.ValidationError, match=said):
        cr.from_torch(module)


def test_sizes_that_chain_through_a_flatten_import_with_torch_outputs():
    module = nn.Sequential(nn.Linear(3, 4), nn.Flatten(), nn.ReLU(), nn.Linear(4, 2)).double()
    X = np.random.default_rng(0).normal(size=(5, 3))
    with torch.no_grad():
        want = module(torch.from_numpy(X)).numpy()
    np.testing.assert_allclose(cr.from_torch(module).predict(X), want, rtol=1e-12)
