"""Every loss's value and gradient against torch autograd at the edges a user meets: logits of +-1e3 and +-1e30,
probabilities of exactly 0 and 1, soft labels, rows of one class, a batch of one, ties, subnormal numbers, in
float64 and float32 (float32 to its rounding: within 2 ulps of torch's own float32 numbers)."""
import numpy as np
import pytest
import torch
import torch.nn.functional as F

from chainrule.nn.activations import Sigmoid, Softmax
from chainrule.nn.losses import MSE, SSE, BinaryCrossentropy, CategoricalCrossentropy

TINY = 5e-324
LOGITS = [
    [[1e30, 0.0, -1e30], [1e3, -1e3, 0.0]],                # saturated rows
    [[-1e30, -1e30, -1e30]],                               # a batch of one, ties far below
    [[2.0, 2.0, 2.0], [0.0, TINY, -TINY]],                 # ties, subnormal logits
    [[-1e3, 1e3, 5.0], [3.0, -2.0, 1e3]],
]
TARGETS = {"one class": lambda n, k: np.tile(np.eye(k)[0], (n, 1)),
           "soft": lambda n, k: np.tile(np.linspace(1, 2, k) / np.linspace(1, 2, k).sum(), (n, 1)),
           "not summing to 1": lambda n, k: np.full((n, k), 0.1)}


def close(got, want, dtype, grad=False):
    """Equal to rounding; a gradient entry of about 1/n also to 4 ulps of 1 where the exact one is 0 (p * sum(y) - y
    of ties: torch's rounding leaves 3.7e-18, ours 0)."""
    atol = 4 * np.finfo(dtype).eps if grad else np.finfo(dtype).smallest_subnormal
    np.testing.assert_allclose(got, want, rtol=1e-13 if dtype == np.float64 else 2.5e-7, atol=atol)


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
@pytest.mark.parametrize("z", LOGITS)
@pytest.mark.parametrize("target", sorted(TARGETS))
def test_softmax_categorical_crossentropy_is_torch_cross_entropy(dtype, z, target):
    z = np.array(z, dtype=dtype)
    y = TARGETS[target](*z.shape).astype(dtype)
    loss, out = CategoricalCrossentropy(), Softmax()(z.copy())
    t = torch.tensor(z, requires_grad=True)
    want = F.cross_entropy(t, torch.tensor(y))
    want.backward()
    close(loss.value(out, y, z), want.item(), dtype)
    close(loss.fused_delta(out, y), t.grad.numpy(), dtype, grad=True)


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_sigmoid_binary_crossentropy_is_torch_bce_with_logits(dtype):
    z = np.array([[-1e30, -1e3, -40.0, -TINY, 0.0, TINY, 40.0, 1e3, 1e30]], dtype=dtype)
    for y in (np.zeros_like(z), np.ones_like(z), np.full_like(z, 0.3)):
        out = Sigmoid()(z.copy())
        t = torch.tensor(z, requires_grad=True)
        want = F.binary_cross_entropy_with_logits(t, torch.tensor(y))
        want.backward()
        close(BinaryCrossentropy().value(out, y, z), want.item(), dtype)
        close(BinaryCrossentropy().fused_delta(out, y), t.grad.numpy(), dtype, grad=True)


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_binary_crossentropy_of_probabilities_is_torch_bce(dtype):
    """The log clamped at -100 (p exactly 0 or 1: finite), and the gradient torch's wherever p(1 - p) >= 1e-12
    (nearer to 0 or 1 torch's divisor is clamped, ours exact: docs/guide.md)."""
    p = np.array([[0.0, 1.0, 0.0, 1.0, 1e-30, 0.5, 0.25, 1e-6, 1 - 2 ** -20]], dtype=dtype)
    for y in (np.array([[1, 0, 0, 1, 1, 0.3, 1, 0, 1]], dtype=dtype), np.full_like(p, 0.7)):
        t = torch.tensor(p, requires_grad=True)
        want = F.binary_cross_entropy(t, torch.tensor(y))
        want.backward()
        close(BinaryCrossentropy().value(p, y), want.item(), dtype)
        fine = p * (1 - p) >= 1e-12
        close(BinaryCrossentropy().grad(p, y)[fine], t.grad.numpy()[fine], dtype, grad=True)


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_binary_crossentropy_gradient_at_0_and_1_is_the_derivative(dtype):
    """Where torch's clamped divisor gives 0, the derivative of -log(1 - p) at p = 0 is 1 (of -log p at 1, -1)."""
    p, y = np.array([[0.0, 1.0]], dtype=dtype), np.array([[0.0, 1.0]], dtype=dtype)
    np.testing.assert_allclose(BinaryCrossentropy().grad(p, y), [[0.5, -0.5]], rtol=1e-6)


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
@pytest.mark.parametrize("cls, factor", [(MSE, 1.0), (SSE, None)])
def test_squared_errors_are_torch_mse(dtype, cls, factor):
    out = np.array([[1e3, -1e-30, TINY], [2.0, 3.0, -4.0]], dtype=dtype)
    y = np.array([[0.0, 1e-30, 0.0], [2.0, 1.0, 4.0]], dtype=dtype)
    t = torch.tensor(out, requires_grad=True)
    want = F.mse_loss(t, torch.tensor(y), reduction="mean" if factor else "sum")
    want.backward()
    scale = 1.0 if factor else 0.5 / out.shape[0]       # sse: 1/2 sum over outputs, averaged over samples
    close(cls().value(out, y), want.item() * scale, dtype)
    close(cls().grad(out, y), t.grad.numpy() * scale, dtype, grad=True)
