"""A fitted classifier's classes_ on the explorer's page (test_explore69b_page), reviewed: class names that look like
HTML or Markdown written into the Markdown export as HTML and emphasis; the classes naming fresh outputs again after
their number changed and changed back (a model file's columns and classes stay dropped)."""
import html
import warnings

import numpy as np
import pytest
import test_explore_browser as fixtures
import test_notebook68_page as cells
from markdown_it import MarkdownIt
from playwright.sync_api import expect
from sklearn.datasets import load_iris
from sklearn.exceptions import ConvergenceWarning

from chainrule.sklearn import BackpropClassifier
from chainrule.teach.explore.widget import Explorer

browser = fixtures.browser      # its fixture

ODD = ["<img src=x onerror=window.__xss=1>", "*big* & [small](x)", "a|b"]


@pytest.fixture(scope="module")
def data():
    X, y = load_iris(return_X_y=True)
    return (X - X.mean(0)) / X.std(0), y


def fitted(X, y):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        return BackpropClassifier(hidden_layer_sizes=(3,), epochs=5, random_state=0).fit(X, y)


def test_class_names_in_the_markdown_export_render_as_written(data):
    X, y = data
    labels = np.array(ODD)[y]
    est = fitted(X, labels)
    w = Explorer(est, X[:3], labels[:3])
    _, (md,) = w.handle({"kind": "export", "what": "derivation.md"}, [])
    line = next(t for t in md.decode().splitlines() if t.startswith("Outputs: "))
    rendered = MarkdownIt("commonmark").render(line)           # an independent CommonMark renderer
    assert "<img" not in rendered and "<em>" not in rendered and "<a " not in rendered
    text = html.unescape(rendered.removeprefix("<p>").removesuffix("</p>\n"))   # each name as code, read as written
    named = ", ".join(f"o{k + 1} = class <code>{c}</code>" for k, c in enumerate(est.classes_))
    assert text == f"Outputs: {named}."


def test_outputs_resized_away_and_back_are_no_longer_named_by_the_classes(data):
    X, y = data
    names = np.array(["setosa", "versicolor", "virginica"])[y]
    s = Explorer(fitted(X, names), X[:3], names[:3]).session
    arch = dict(s.arch)
    s.act("set_architecture", {**arch, "inputs": 4, "outputs": 2})
    assert "classes no longer name the inputs and outputs" in s.state()["message"]
    s.act("set_architecture", {**arch, "inputs": 4, "outputs": 3})        # fresh outputs: not setosa's any more
    assert s.state()["names"] is None
    s.act("reset", {})                                                    # what the page opened on: named again
    assert s.state()["names"]["outputs"] == ["setosa", "versicolor", "virginica"]


def test_class_names_that_look_like_html_show_as_text_on_the_page(data, browser):
    """The output's labels, its target's title and the chain-rule card's title: written as text, no element made."""
    X, y = data
    labels = np.array(ODD)[y]
    est = fitted(X, labels)
    w = Explorer(est, X[[0, 60, 120]], labels[[0, 60, 120]])
    pg, problems = cells.notebook(browser, {"a": w})
    a = pg.locator("#a")
    targets = a.locator('[data-id="graph"] .target-value').all_text_contents()
    assert [t.rsplit(":", 1)[0] for t in targets] == list(est.classes_)
    a.locator('[data-id="graph"] [data-name="o1"]').first.click()
    expect(a.locator(".derivation h3, [data-id='derivation'] h3").first).to_contain_text(f"class {est.classes_[0]}")
    assert pg.evaluate("() => !!window.__xss") is False and a.locator("img").count() == 0
    pg.close()
    assert problems == []
