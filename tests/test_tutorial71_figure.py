"""docs/tutorial.md's step 8 shows a figure as the output of its command: the picture must be what that command
(after the tutorial's own data and train commands) draws, not an older model's or an older drawing's."""
import re
import shlex
from pathlib import Path

import numpy as np
import pytest
from conftest import cmd

pytest.importorskip("matplotlib")
ROOT = Path(__file__).resolve().parents[1]
TUTORIAL = ROOT / "docs" / "tutorial.md"


def _command(pattern: str) -> list[str]:
    """The tutorial's own command line (its first that matches), as arguments after `chainrule`."""
    line = next(m.group(1) for m in re.finditer(r"^\$ chainrule (.+)$", TUTORIAL.read_text(encoding="utf-8"), re.M)
                if re.match(pattern, m.group(1)))
    return shlex.split(line)


def _cells(fig) -> list[tuple[int, int]]:
    """The pixel (row, column) of each heat-map cell's centre: the weights' colours, away from any text."""
    height = fig.bbox.height
    centres = []
    for ax in fig.axes:
        for image in ax.get_images():
            n_in, n_out = image.get_array().shape
            for i in range(1, n_in + 1):
                for j in range(1, n_out + 1):
                    x, y = ax.transData.transform((j, i))
                    centres.append((int(round(height - y)), int(round(x))))
    return centres


def test_the_tutorials_network_figure_is_what_its_command_draws(tmp_path, saved_figures):
    from matplotlib.image import imread

    text = TUTORIAL.read_text(encoding="utf-8")
    shown = re.search(r"!\[[^\]]*\]\((figures/[^)]+\.png)\)", text[text.index("## 8."):]).group(1)
    for pattern in (r"data iris\.csv$", r"train iris\.csv .*--out iris\.npz --quiet$", r"plot network "):
        r = cmd(*_command(pattern), cwd=tmp_path)
        assert r.returncode == 0, r.stderr
    drawn = [a for a in _command(r"plot network ") if a.endswith(".png")][0]
    got, want = imread(tmp_path / drawn), imread(ROOT / "docs" / shown)
    assert got.shape == want.shape, "the figure shown is not the size the command draws"
    saved_figures[-1].draw_without_rendering()
    cells = _cells(saved_figures[-1])
    assert len(cells) == 4 * 8 + 8 * 3
    # each weight's colour as drawn now (no text there: a font drawn by another FreeType leaves these alone)
    assert max(float(np.abs(got[r, c] - want[r, c]).max()) for r, c in cells) <= 1.5 / 255
    assert np.mean(np.abs(got - want)) < 0.004        # and the rest, but for letters' rendering
