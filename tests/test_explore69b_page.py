"""What the page shows, in a real browser (Playwright, Debian's chromium; test_explore_browser's server and
test_notebook68_page's notebook cells): a fitted classifier's network had its outputs named o1, o2, o3 (not its
classes_) and was titled "your network"; a number typed with a Unicode minus ("−0.3", copied from a PDF or the seed
documents) was refused as not a finite number; a pasted share link that was refused left the address bar at once."""
import re
import warnings

import numpy as np
import pytest
import test_explore_browser as fixtures
import test_notebook68_page as cells
from playwright.sync_api import expect
from sklearn.datasets import load_iris
from sklearn.exceptions import ConvergenceWarning

from chainrule.sklearn import BackpropClassifier, BackpropRegressor
from chainrule.teach.explore.derive import fmt
from chainrule.teach.explore.session import Session
from chainrule.teach.explore.widget import Explorer

server, browser, page, shots = fixtures.server, fixtures.browser, fixtures.page, fixtures.shots   # its fixtures
CLASSES = ["setosa", "versicolor", "virginica"]


def fitted(estimator, X, y):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        return estimator(hidden_layer_sizes=(3,), epochs=5, random_state=0).fit(X, y)


@pytest.fixture(scope="module")
def iris():
    X, y = load_iris(return_X_y=True)
    X = (X - X.mean(0)) / X.std(0)
    return X, np.array(CLASSES)[y]


def test_a_classifiers_outputs_are_named_by_its_classes_and_the_page_by_it(browser, iris, shots):
    X, names = iris
    est = fitted(BackpropClassifier, X, names)
    w = Explorer(est, X[[0, 60, 120]], names[[0, 60, 120]])
    pg, problems = cells.notebook(browser, {"a": w})
    a = pg.locator("#a")
    expect(a.locator('[data-id="title"]')).to_have_text("BackpropClassifier's network")
    targets = a.locator('[data-id="graph"] .target-value').all_text_contents()
    assert [t.split(":")[0] for t in targets] == list(est.classes_)       # setosa: 1, not target: 1
    titles = a.locator('[data-id="graph"] .target title').all_text_contents()
    assert [re.search(r"\(class (\w+)\)", t)[1] for t in titles] == list(est.classes_)
    a.locator('[data-id="share"]').click()
    expect(a.locator('[data-id="info"]')).to_contain_text("Share link")
    assert "CSV file" not in a.locator('[data-id="info"]').inner_text()     # no file's columns to share
    pg.screenshot(path=str(shots / "explore69b-classifier.png"))
    pg.close()
    assert problems == []


def test_a_binary_classifiers_one_output_is_its_second_class(iris):
    X, names = iris
    est = fitted(BackpropClassifier, X[:100], names[:100])
    assert est.network_.n_outputs == 1                 # predict_proba's second column, classes_[1]'s probability
    state = Explorer(est, X[:3], names[:3]).session.state()
    assert state["names"]["outputs"] == [est.classes_[1]]


def test_a_regressors_page_is_titled_by_it_and_its_outputs_as_before(iris):
    X, _ = iris
    est = fitted(BackpropRegressor, X[:, :3], X[:, 3])
    state = Explorer(est, X[:4, :3], X[:4, 3]).session.state()
    assert state["title"] == "BackpropRegressor's network" and state["names"] is None
    assert Explorer(est.network_).session.state()["title"] == "your network"     # a network of one's own


@pytest.mark.parametrize("minus", ["\u2212", "\ufe63", "\uff0d"])
def test_a_weight_typed_with_a_unicode_minus_is_read_as_negative(page, minus):
    fixtures.set_in_editor(page, '.labels [data-name="w5"]', f"{minus}0.3")
    expect(page.locator('[data-id="error"]')).to_be_hidden()
    want = Session()
    want.act("set_param", {"name": "w5", "value": -0.3})
    expect(page.locator('[data-id="etotal"]')).to_have_text(fmt(want.state()["E_total"]))


def test_other_fields_read_a_unicode_minus_too(page):
    """An input's editor and a setting whose refusal then quotes what was typed (a negative rate is no rate)."""
    fixtures.set_in_editor(page, '[data-name="i1"]', "\u22120.5")
    expect(page.locator('[data-id="error"]')).to_be_hidden()
    want = Session()
    want.act("set_value", {"what": "input", "sample": 0, "index": 0, "value": -0.5})
    expect(page.locator('[data-id="etotal"]')).to_have_text(fmt(want.state()["E_total"]))
    page.fill('[data-setting="lr"]', "\u22121")
    page.press('[data-setting="lr"]', "Enter")
    expect(page.locator('[data-id="error"]')).to_be_visible()
    assert "not a finite number" not in page.inner_text('[data-id="error-text"]')
    assert page.inner_text('[data-id="error-text"]').endswith("; got \u22121")


@pytest.mark.parametrize("code", ["", "not-a-code"])
def test_a_refused_share_link_stays_in_the_address_bar(page, code):
    page.evaluate("code => { location.hash = 's=' + code; }", code)
    expect(page.locator('[data-id="error"]')).to_be_visible()
    expect(page.locator(".cr-explore.busy")).to_have_count(0)
    assert page.url.endswith(f"#s={code}")                          # to be fixed, or reloaded
    assert fixtures.etotal(page) == fmt(Session().state()["E_total"])     # this tab's network as it was


def test_a_refused_share_link_opened_afresh_stays_in_the_address_bar(browser, server):
    pg = browser.new_page()
    pg.goto(f"{server}/#s=not-a-code")
    expect(pg.locator('[data-id="error"]')).to_be_visible()
    assert pg.url.endswith("#s=not-a-code")
    pg.close()


def test_a_classifiers_output_card_and_markdown_name_its_class(iris):
    X, names = iris
    est = fitted(BackpropClassifier, X, names)
    w = Explorer(est, X[:3], names[:3])
    answer, _ = w.handle({"kind": "act", "action": "select", "body": {"name": "o2"}}, [])
    assert answer["state"]["derivation"]["title"].endswith(f", class {est.classes_[1]}")
    answer, (md,) = w.handle({"kind": "export", "what": "derivation.md"}, [])
    # each class as the report's Markdown writes a name: as code (tests/test_rev_teach69_names.py)
    assert "Outputs: " + ", ".join(f"o{k + 1} = class `{c}`" for k, c in enumerate(est.classes_)) + "." in md.decode()
