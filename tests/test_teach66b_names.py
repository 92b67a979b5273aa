"""Users' own names in the report's LaTeX and Markdown read as written: scikit-learn's column names ('x0^2', 'x0 x1',
'color_red', 'num__age'), names with \\ and ~, and class labels ('*bold*', 'a_b_c') of a trained model. The LaTeX is
parsed by matplotlib's mathtext and its glyphs compared with the name; its \\text{} parts hold no backslash (MathJax 3
prints one there as typed); the Markdown is parsed by a CommonMark parser; the JSON keeps the names raw."""
from __future__ import annotations

import json
import re

import numpy as np
import pytest

import chainrule as cr

pd = pytest.importorskip("pandas")
MarkdownIt = pytest.importorskip("markdown_it").MarkdownIt
pytest.importorskip("matplotlib")
from conftest import cmd  # noqa: E402

NAMES = ["x0^2", "x0 x1", "color_red", "num__age", "a\\b~c", "t|<#{1}>_%&$"]
TEXT = re.compile(r"\\text\{((?:\\.|[^\\{}])*)\}")


def _glyphs(tex: str) -> str:
    """The characters mathtext draws for `tex`, in the order of its boxes (an accent's glyph is drawn left of its
    place: its x says less)."""
    from matplotlib.mathtext import MathTextParser
    return "".join(chr(g[2]) for g in MathTextParser("path").parse(f"${tex}$").glyphs)


def _as_drawn(words: str) -> str:
    """`words` as the glyphs that write them: ^ as the circumflex accent, ~ as the tilde operator."""
    return words.replace("^", "\u0302").replace("~", "\u223c")


def _plain_text_parts(tex: str) -> None:
    for words in TEXT.findall(tex):
        assert words == "\\&" or "\\" not in words, (words, tex)     # MathJax 3 reads \text{} as typed


def test_latex_writes_each_column_name_as_it_is():
    net = cr.Network([cr.Dense(len(NAMES), 1, activation="sigmoid")], seed=0)
    X = pd.DataFrame(np.linspace(0.1, 0.6, 2 * len(NAMES)).reshape(2, -1), columns=NAMES)
    line = next(x.strip("$") for x in cr.explain(net, X, np.array([[0.2], [0.7]])).markdown().splitlines()
                if x.startswith("$$") and "i_{1}" in x and "=" in x)
    for i, name in enumerate(NAMES, 1):
        label = re.search(rf"i_\{{{i}\}}(.*?)(?= = |, i_\{{)", line)
        assert label is not None, (name, line)
        _plain_text_parts(label[1])
        assert _glyphs(label[1]) == _as_drawn(f" ({name})"), (name, label[1])


@pytest.fixture(scope="module")
def trained(tmp_path_factory):
    folder = tmp_path_factory.mktemp("named")
    labels = ["*bold*", "a_b_c", "x^2~y``z"]
    rows = "".join(f"{i % 5},{(i * 3) % 7},{labels[i % 3]}\n" for i in range(30))
    (folder / "d.csv").write_text("x0^2,num__age,sp*ec_ies\n" + rows)
    r = cmd("train", folder / "d.csv", "--target", "sp*ec_ies", "--hidden", "2", "--epochs", "1",
            "--out", folder / "m.npz")
    assert r.returncode == 0, r.stderr
    return folder, labels


def _explain(trained, row: int, form: str) -> str:
    folder, _ = trained
    r = cmd("explain", "--model", folder / "m.npz", "--data", folder / "d.csv", "--row", row, "--format", form)
    assert r.returncode == 0, r.stderr
    return r.stdout


@pytest.mark.parametrize("row", [1, 2, 3])          # a data row of the file, from 1
def test_latex_class_line_writes_each_class_label_as_the_text_does(trained, row):
    said = next(x.split(": ", 1)[1] for x in _explain(trained, row, "text").splitlines() if "one-hot row" in x)
    tex = next(x for x in _explain(trained, row, "markdown").splitlines() if "one-hot row" in x)
    words = tex.strip("$").split("\\quad ", 1)[1]
    _plain_text_parts(words)
    assert trained[1][row - 1] in said and _glyphs(words) == _as_drawn(said), (said, words)


def test_markdown_header_lines_read_as_the_text_writes_them(trained):
    text = [x.strip() for x in _explain(trained, 1, "text").split("\n\n")[0].splitlines()]
    header = _explain(trained, 1, "markdown").split("\n\n")[0]
    spans = [[(k.type, k.content) for k in t.children] for t in MarkdownIt("commonmark").parse(header)
             if t.type == "inline"]
    assert "outputs: " in text[-1] and all(label in text[-1] for label in trained[1]), text
    assert spans == [[("code_inline", line)] for line in text], (spans, text)


def test_json_keeps_class_labels_raw(trained):
    classes = json.loads(_explain(trained, 2, "json"))["target_classes"]
    assert classes["names"] == [trained[1][1]] and classes["column"] == "sp*ec_ies", classes
