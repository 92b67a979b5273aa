"""Sweeps tried as a practitioner would, scikit-learn's GridSearchCV as the truth where they overlap, and
the fold fit safe to run in threads (a Dask worker with several threads fits folds at once)."""
import threading
import warnings

import numpy as np
import pytest

pd = pytest.importorskip("pandas")
from sklearn.datasets import load_iris  # noqa: E402

from chainrule.data.columns import ColumnWarning  # noqa: E402
from chainrule.data.tabular import Preprocessing  # noqa: E402
from chainrule.sweep_search import FoldPreprocessing  # noqa: E402

FIT = {"epochs": 3, "batch_size": 16}


def _iris_with_id() -> "pd.DataFrame":
    """Iris with a row-number column: Preprocessing.fit warns about it (an ID)."""
    d = load_iris(as_frame=True).frame
    d.insert(0, "row", np.arange(len(d)))
    return d


def _folds_held_inside(monkeypatch, n: int):
    """n threads each fitting a fold's FoldPreprocessing, each held inside Preprocessing.fit (that is, inside
    whatever the fold fit wraps around it) until its event is set: the interleaving of threads on a worker."""
    real = Preprocessing.fit.__func__
    inside = [threading.Event() for _ in range(n)]
    go = [threading.Event() for _ in range(n)]
    where = {}

    def held(cls, *args, **kwargs):
        k = where[threading.get_ident()]
        inside[k].set()
        assert go[k].wait(10)
        return real(cls, *args, **kwargs)

    monkeypatch.setattr(Preprocessing, "fit", classmethod(held))
    df = _iris_with_id()

    def fold(k):
        where[threading.get_ident()] = k
        FoldPreprocessing(target="target").fit(df)

    threads = [threading.Thread(target=fold, args=(k,)) for k in range(n)]
    return threads, inside, go


def test_a_fold_fit_in_another_thread_does_not_swallow_this_threads_warnings(monkeypatch):
    threads, inside, go = _folds_held_inside(monkeypatch, 1)
    with warnings.catch_warnings(record=True) as caught:       # the user's own code, in the main thread
        warnings.simplefilter("always")
        threads[0].start()
        assert inside[0].wait(10)
        warnings.warn("a warning the user must see", UserWarning)
        go[0].set()
        threads[0].join(10)
    assert [str(w.message) for w in caught if w.category is UserWarning] == ["a warning the user must see"]
    assert not [w for w in caught if issubclass(w.category, ColumnWarning)]     # the fold's own stay unsaid


def test_folds_fit_at_once_leave_the_warning_filters_as_they_were(monkeypatch):
    before = list(warnings.filters)
    threads, inside, go = _folds_held_inside(monkeypatch, 2)
    for t, i in zip(threads, inside):
        t.start()
        assert i.wait(10)
    go[0].set()                  # the first to start ends first: it must not restore what the second saw
    threads[0].join(10)
    go[1].set()
    threads[1].join(10)
    assert warnings.filters == before
    with warnings.catch_warnings(record=True) as caught:
        warnings.warn("still shown", UserWarning)
    assert [str(w.message) for w in caught] == ["still shown"]
