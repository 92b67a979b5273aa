"""docs/interop.md shows plain SGD's state going to torch with `net=`, the argument its error asks for: the
document's optimizer-state examples run here as written and print what it shows."""
from __future__ import annotations

import contextlib
import io
import re
from pathlib import Path

import numpy as np
import pytest

import chainrule as cr

torch = pytest.importorskip("torch")
from chainrule.saving.interop import to_torch_state  # noqa: E402

DOC = Path(__file__).parents[1] / "docs" / "interop.md"
BLOCK = re.compile(r"```python\n(.*?)```\n\n```text\n(.*?)```", re.S)


def _state_blocks() -> list[tuple[str, str]]:
    blocks = BLOCK.findall(DOC.read_text())
    start = next(i for i, (code, _) in enumerate(blocks) if "import to_torch_state" in code
                 or "import from_torch_state, to_torch_state" in code)
    return blocks[start:start + 2]


def test_doc_shows_plain_sgd_state_with_net_and_runs(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    blocks = _state_blocks()
    assert any("SGD" in code and "to_torch_state(" in code and "net=net" in code for code, _ in blocks)
    namespace: dict = {}
    for code, shown in blocks:
        out = io.StringIO()
        with contextlib.redirect_stdout(out):
            exec(compile(code, str(DOC), "exec"), namespace)
        assert out.getvalue().split() == shown.split()


@pytest.mark.parametrize("make", [lambda: cr.optim.SGD(lr=0.1), lambda: cr.optim.Adam(lr=0.1)])
def test_error_without_net_says_exactly_what_to_pass(make):
    net = cr.Network([cr.Dense(3, 4, "tanh"), cr.Dense(4, 1)], loss="mse", seed=0)
    opt = make()
    opt.bind(net)
    if isinstance(opt, cr.optim.SGD):
        X = np.random.default_rng(0).normal(size=(8, 3))
        net.fit(X, X[:, :1], optimizer=opt, epochs=1, verbose=0)
    with pytest.raises(ValueError, match=re.escape("to_torch_state(sd, net=net)")):
        to_torch_state(opt.state_dict())
    module = cr.to_torch(net)
    topt = (torch.optim.SGD if isinstance(opt, cr.optim.SGD) else torch.optim.Adam)(module.parameters(), lr=0.1)
    topt.load_state_dict(to_torch_state(opt.state_dict(), net=net))
    assert topt.state_dict()["param_groups"][0]["params"] == [0, 1, 2, 3]
