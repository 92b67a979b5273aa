"""The truth of the schedules' tests: torch.optim.lr_scheduler stepped epoch by epoch on a real optimizer."""
import pytest

torch = pytest.importorskip("torch")


def torch_rates(make, epochs, lr=0.1, dtype=None):
    """The rate of each epoch under torch's scheduler `make(optimizer)` (its recursive form): the rate before each
    epoch's steps, scheduler.step() after each epoch; `dtype`: the parameter's (float64 takes a step at 1e300)."""
    p = torch.nn.Parameter(torch.zeros(1, dtype=dtype))
    opt = torch.optim.SGD([p], lr=lr)
    scheduler = make(opt)
    rates = []
    for _ in range(epochs):
        rates.append(opt.param_groups[0]["lr"])
        p.grad = torch.zeros_like(p)
        opt.step()
        scheduler.step()
    return rates
