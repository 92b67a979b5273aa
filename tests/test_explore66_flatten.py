"""A first Flatten(0, -2) (start_dim the batch's) is the identity on rows but joins the batch with the next dims on
samples of more dims: refused in those words, not as one that "flattens each sample into a row" (which it never
does). Oracle: torch's own forward of the layer on rows and on a 3-D batch."""
import pytest

import chainrule as cr

torch = pytest.importorskip("torch")
nn = torch.nn


@pytest.mark.parametrize("flatten", [lambda: nn.Flatten(0, -2), lambda: nn.Flatten(start_dim=0, end_dim=-2)])
def test_a_first_flatten_from_the_batch_dim_is_refused_saying_it_mixes_samples_of_more_dims(flatten):
    layer = flatten()
    model = nn.Sequential(layer, nn.Linear(3, 2)).double()
    rows, cubes = torch.randn(5, 3, dtype=torch.float64), torch.randn(5, 4, 3, dtype=torch.float64)
    assert torch.equal(layer(rows), rows)
    assert layer(cubes).shape == (20, 3)        # torch's truth: the batch joined with the next dim
    with pytest.raises(cr.errors.ValidationError) as refused:
        cr.from_torch(model)
    said = str(refused.value)
    assert said.startswith("layer 0 (Flatten) flattens dims 0 to -2 (start_dim=0, end_dim=-2)")
    assert "leaves them as they are" in said and "mixing the samples" in said and "model[1:]" in said
    assert "each sample into a row" not in said
