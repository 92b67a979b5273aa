"""A binary classifier's one sigmoid output, in a real browser (test_explore_browser's fixtures, test_notebook68_page's
notebook cells): its label read "yes" alone, which does not say that the number is the probability of yes rather
than no. It reads "P(yes)" ("P(class 1)" for a class named by a number), as its title, panel and report say it; the
value shown is predict_proba's column of that class (scikit-learn's truth)."""
import warnings

import numpy as np
import pytest
import test_explore_browser as fixtures
import test_notebook68_page as cells

from chainrule.sklearn import BackpropClassifier
from chainrule.teach.explore import export
from chainrule.teach.explore.widget import Explorer

browser = fixtures.browser


def fitted(y):
    X = np.random.default_rng(0).normal(size=(20, 2))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return BackpropClassifier(hidden_layer_sizes=(3,), epochs=3, random_state=0).fit(X, y(X)), X


@pytest.mark.parametrize("classes, said", [(["no", "yes"], "yes"), ([0, 1], "class 1")])
def test_a_binary_classifiers_output_reads_as_the_probability_of_the_class_it_scores(browser, classes, said):
    est, X = fitted(lambda X: np.array(classes)[(X[:, 0] > 0).astype(int)])
    y = est.predict(X[:4])
    widget = Explorer(est, X[:4], y)
    s = widget.session
    value = float(s.state()["layers"][-1]["units"][0]["shown"]["out"][0])
    assert value == pytest.approx(est.predict_proba(X[:1])[0, 1], abs=1e-8)     # classes_[1]'s column
    s.select("o1")
    assert s.state()["derivation"]["title"].endswith(f"the probability of class {est.classes_[1]}")
    assert f"o1 = the probability of class `{est.classes_[1]}`" in export.markdown(s)
    pg, problems = cells.notebook(browser, {"a": widget})
    targets = pg.locator('#a [data-id="graph"] .target-value')
    targets.first.wait_for()
    shown = [t.rsplit(":", 1)[0] for t in targets.all_text_contents()]
    titles = [t for t in pg.locator('#a [data-id="graph"] title').all_text_contents() if t.startswith("o1 (")]
    pg.close()
    assert problems == []
    assert shown == [f"P({said})"]
    assert [t.split("\n")[0] for t in titles] == [f"o1 (the probability of class {est.classes_[1]})"]
