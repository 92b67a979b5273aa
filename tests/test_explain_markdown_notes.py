"""A report's Markdown note on rounded numbers wrote a line's numbers raw: 0.25*0.05 + 0.3*0.1 + 0.35*1, which a
Markdown renderer (Jupyter's, GitHub's) shows as 0.25<em>0.05 + 0.3</em>0.1 + 0.35*1. Truth: markdown-it, a
CommonMark renderer, gives back the text report's note word for word."""
from __future__ import annotations

import html

import numpy as np
import pytest

import chainrule as cr

MarkdownIt = pytest.importorskip("markdown_it").MarkdownIt


def _seed32():
    net, X, Y, lr = cr.examples.seed_network()
    net32 = cr.Network([cr.Dense(2, 2, "sigmoid"), cr.Dense(2, 2, "sigmoid")], loss="sse", dtype="float32")
    net32.set_weights(net.get_weights())
    return cr.explain(net32, X, Y, lr=lr)


def _three_layers(dtype):
    net = cr.Network([cr.Dense(3, 4, "tanh"), cr.Dense(4, 3, "relu"), cr.Dense(3, 2, "softmax")],
                     loss="categorical_crossentropy", dtype=dtype, seed=0)
    return cr.explain(net, np.array([[0.5, -1, 2]]), np.array([[0.0, 1.0]]), lr=0.1)


@pytest.mark.parametrize("report", [_seed32, lambda: _three_layers("float64"), lambda: _three_layers("float32")])
def test_a_markdown_note_on_rounding_renders_as_the_text_writes_it(report):
    r = report()
    said = [x.strip() for x in r.text().splitlines() if x.strip().startswith(("This network", "Each value", "Done"))]
    assert any("*" in x for x in said), said              # a note with a product written without spaces
    rendered = MarkdownIt().render(r.markdown())
    assert "<em>" not in rendered and "<strong>" not in rendered
    paragraphs = [html.unescape(p.split("</p>")[0]) for p in rendered.split("<p>")[1:]]
    for x in said:
        assert x in paragraphs, x
