"""A class named by a number beside its target, in a real browser (test_explore_browser's fixtures,
test_notebook68_page's notebook cells): the label read "1.0: 0", the class's name and the target's value alike
numbers; it reads "class 1.0: 0". A class named by a word keeps its name alone ("setosa: 1")."""
import warnings

import numpy as np
import pytest
import test_explore_browser as fixtures
import test_notebook68_page as cells
from sklearn.datasets import load_iris
from sklearn.exceptions import ConvergenceWarning

import chainrule as cr
from chainrule.sklearn import BackpropClassifier
from chainrule.teach.explore.engine import tabular
from chainrule.teach.explore.session import Session, Start
from chainrule.teach.explore.widget import Explorer

browser = fixtures.browser


def fitted(y):
    X, _ = load_iris(return_X_y=True)
    X = (X - X.mean(0)) / X.std(0)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        return BackpropClassifier(hidden_layer_sizes=(3,), epochs=5, random_state=0).fit(X, y), X


def labels(browser, widget):
    pg, problems = cells.notebook(browser, {"a": widget})
    targets = pg.locator('#a [data-id="graph"] .target-value')
    targets.first.wait_for()
    shown = [t.rsplit(":", 1)[0] for t in targets.all_text_contents()]
    pg.close()
    assert problems == []
    return shown


@pytest.mark.parametrize("kind", [int, float, str])
def test_a_classifiers_numeric_classes_read_as_classes_beside_their_targets(browser, kind):
    y = load_iris(return_X_y=True)[1]
    est, X = fitted(np.array(["setosa", "versicolor", "virginica"])[y] if kind is str else y.astype(kind))
    said = [str(c) if kind is str else f"class {c}" for c in est.classes_]     # "class 1.0", never a bare "1.0"
    assert labels(browser, Explorer(est, X[:6], np.asarray(est.classes_)[y[:6]])) == said


def test_a_csv_files_numeric_classes_read_as_classes_beside_their_targets(browser, tmp_path):
    from sklearn.neural_network import MLPClassifier
    rng = np.random.default_rng(0)
    X = rng.uniform(-1, 1, (30, 2))
    y = np.arange(30) % 3
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        mlp = MLPClassifier(hidden_layer_sizes=(3,), max_iter=5, random_state=0).fit(X, y)
    (tmp_path / "t.csv").write_text("x1,x2,kind\n" + "".join(f"{a},{b},{k}\n" for (a, b), k in zip(X, y)))
    s = Session(Start(cr.from_sklearn(mlp), tabular()[0](str(tmp_path / "t.csv")), "kind", "t.csv"))
    assert labels(browser, Explorer(s)) == [f"class {c}" for c in s.pre.classes]
