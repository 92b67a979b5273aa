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


def test_a_neuron_slices_markdown_says_the_units_it_reads_as_the_text_does():
    # the line of the outputs a neuron's slice reads was cut from the Markdown's equations, so its small values came
    # as LaTeX outside math: 'out_h1 = 1.053172 \times 10^{-9}' shown raw by a renderer
    torch = pytest.importorskip("torch")
    net = cr.Network([cr.Dense(2, 3, "sigmoid"), cr.Dense(3, 2, "sigmoid")], loss="sse", seed=3)
    net.dense_layers[0].b[:] = [-20.0, 0.1, -18.0]
    X = np.array([[0.7, -0.2]])
    report = cr.explain(net, X, np.array([[1.0, 0.0]]), layer=1, neuron=0)
    said = next(x for x in report.text().splitlines() if x.startswith("  out_h1 = ")).strip()
    assert said in report.markdown().splitlines() and "\\times" not in said
    outs = torch.sigmoid(torch.tensor(X) @ torch.tensor(net.dense_layers[0].W) + torch.tensor(net.dense_layers[0].b))
    written = [float(v.split(" = ")[1].split()[0].rstrip(",")) for v in said.split("out_")[1:]]
    assert np.allclose(written, outs[0].numpy(), rtol=1e-6, atol=0) and written[0] < 1e-8
