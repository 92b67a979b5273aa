"""`chainrule plot`'s output file: an earlier figure is replaced, as matplotlib's savefig replaces it (its `wrote`
line names it), but a file of other content under a .png or .svg name is kept, as train, predict and export keep
one: before, the drawing was written over the user's CSV or model. Truth: matplotlib reading the image back."""
from __future__ import annotations

import numpy as np
import pytest
from conftest import cmd


def test_a_second_plot_replaces_the_first_and_says_so(tmp_path):
    from matplotlib.image import imread
    first = cmd("plot", "network", "--out", "f.png", cwd=tmp_path)
    assert first.returncode == 0, first.stderr
    again = cmd("plot", "network", "--out", "f.png", cwd=tmp_path)
    assert again.returncode == 0, again.stderr
    assert again.stdout.strip() == "wrote f.png"
    image = imread(tmp_path / "f.png")
    assert image.ndim == 3 and image.shape[0] > 100 and np.ptp(image) > 0


@pytest.mark.parametrize("name, content, holds", [("d.png", b"x,y\n1,2\n", "text without a 'prediction' column"),
                                                   ("d.svg", b"x,y\n1,2\n", "text without a 'prediction' column"),
                                                   ("z.png", b"PK\x03\x04" + b"\0" * 40, "a zip archive"),
                                                   ("n.svg", b"notes: draw it as <svg> later\n", "text without a")])
def test_plot_keeps_a_file_of_other_content(tmp_path, name, content, holds):
    (tmp_path / name).write_bytes(content)
    done = cmd("plot", "network", "--out", name, cwd=tmp_path)
    assert done.returncode == 2
    kind = "an SVG image" if name.endswith(".svg") else "a PNG image"
    line = done.stderr.strip().splitlines()[-1]
    assert line.startswith(f"chainrule: error: --out {name!r} exists and holds {holds}") and \
        f"not {kind}: writing there would lose it" in line, line
    assert (tmp_path / name).read_bytes() == content


def test_plot_writes_over_an_empty_file_and_its_own_svg(tmp_path):
    (tmp_path / "e.png").write_bytes(b"")
    assert cmd("plot", "network", "--out", "e.png", cwd=tmp_path).returncode == 0
    assert (tmp_path / "e.png").read_bytes().startswith(b"\x89PNG\r\n\x1a\n")
    for _ in range(2):
        done = cmd("plot", "boundary", "--out", "b.svg", cwd=tmp_path)
        assert done.returncode == 0, done.stderr
    assert b"<svg" in (tmp_path / "b.svg").read_bytes()[:4096]


def test_plot_replaces_a_truncated_png(tmp_path):
    """A figure cut short (only part of its signature written) is an earlier figure, not another kind of file."""
    from matplotlib.image import imread
    (tmp_path / "t.png").write_bytes(b"\x89PN")
    done = cmd("plot", "network", "--out", "t.png", cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    assert imread(tmp_path / "t.png").shape[0] > 100
