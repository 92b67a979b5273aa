"""What a new reader of docs/tutorial.md and docs/scale.md meets first: the tutorial began with a CSV file and never
showed the seed's 2-2-2 numbers nor a network of one's own; it showed a training run's results as `...`, never
compared; scale.md's table said `chainrule train --stream` needs no extra, while the command needs `[cli]`."""
from __future__ import annotations

import re
import subprocess
import sys

import torch
from test_docs import ROOT, blocks, commands

TUTORIAL = ROOT / "docs" / "tutorial.md"
FIRST_SCREENS = 100          # lines of the document: its opening screens


def nine(x: float) -> str:
    """A number as the seed's rule writes it: 9 decimals, trailing zeros dropped."""
    return f"{x:.9f}".rstrip("0").rstrip(".")


def seed_figures() -> dict[str, str]:
    """E_total, dE/dw5 and w5+ of the seed's 2-2-2 sigmoid network, by torch's autograd."""
    d = torch.float64
    x, t = torch.tensor([0.05, 0.10], dtype=d), torch.tensor([0.01, 0.99], dtype=d)
    w_h = torch.tensor([[0.15, 0.20], [0.25, 0.30]], dtype=d, requires_grad=True)   # rows: h1 (w1, w2), h2
    w_o = torch.tensor([[0.40, 0.45], [0.50, 0.55]], dtype=d, requires_grad=True)   # rows: o1 (w5, w6), o2
    out = torch.sigmoid(w_o @ torch.sigmoid(w_h @ x + 0.35) + 0.60)
    loss = (0.5 * (t - out) ** 2).sum()
    loss.backward()
    assert w_o.grad is not None
    grad = w_o.grad[0, 0].item()
    return {"E_total": nine(loss.item()), "dE/dw5": nine(grad), "w5+": nine(0.40 - 0.5 * grad)}


def run_console_blocks(path):
    return [(b, cmd, shown) for b in blocks(path) if b.kind == "sh" and not b.skip
            for cmd, shown in commands(b.code) if shown is not None]


def test_the_tutorial_shows_the_seeds_numbers_and_your_own_network_first():
    first_data = min(b.line for b, cmd, _ in run_console_blocks(TUTORIAL) if cmd.startswith("chainrule data"))
    early = [(b, cmd, shown) for b, cmd, shown in run_console_blocks(TUTORIAL)
             if b.line < min(first_data, FIRST_SCREENS)]
    figures = seed_figures()
    seed = [shown for _, cmd, shown in early if cmd.startswith("chainrule explain") and "--layers" not in cmd]
    assert seed, "no run `chainrule explain` of the seed network in the tutorial's first screens"
    for name, value in figures.items():
        assert re.search(rf"^  {re.escape(name)} = .* = {re.escape(value)}$", seed[0], re.M), (name, value)
    own = [cmd for _, cmd, _ in early if cmd.startswith("chainrule explain --layers")]
    assert own, "no run `chainrule explain --layers ...` (a network of the reader's own) before the CSV steps"


def test_the_tutorial_shows_every_output_it_runs_whole():
    """A learner compares each printed line with theirs: no value of the tutorial's outputs is `...`."""
    elided = [f"{b.where()}: {cmd}" for b, cmd, shown in run_console_blocks(TUTORIAL) if "..." in shown]
    assert not elided, elided


def test_scale_names_the_extra_that_train_stream_needs(tmp_path):
    """The command's own refusal without pandas names the extra; scale.md's table names the same one."""
    (tmp_path / "a.csv").write_text("x,y\n" + "".join(f"{i},{i % 2}\n" for i in range(20)))
    program = ("import sys; sys.modules['pandas'] = None\nfrom chainrule.cli import command\n"
               "sys.argv = ['chainrule', 'train', 'a.csv', '--target', 'y', '--stream', '--out', 'm.npz']\ncommand()")
    r = subprocess.run([sys.executable, "-c", program], cwd=tmp_path, capture_output=True, text=True, timeout=120)
    assert r.returncode != 0
    extra = re.search(r"pip install '\.\[(\w+)\]'", r.stderr)
    assert extra, r.stderr
    row = next(line for line in (ROOT / "docs" / "scale.md").read_text().splitlines()
               if line.startswith("|") and "--stream" in line)
    assert f"'.[{extra.group(1)}]'" in row, row
