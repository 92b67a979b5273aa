"""A NumPy integer (n // 10, an array's element) is a whole number wherever a count of rows or categories is taken,
as in scikit-learn and Keras: the result is the Python integer's."""
import numpy as np
import pandas as pd
import pytest

from chainrule.data.chunks import iter_chunks
from chainrule.data.columns import ColumnWarning
from chainrule.data.stream import CsvStream
from chainrule.data.tabular import Preprocessing
from chainrule.errors import ValidationError


def write(tmp_path, n=120):
    rng = np.random.default_rng(1)
    shop = rng.choice(list("abcdef"), size=n, p=[.4, .3, .1, .1, .05, .05])
    t = pd.DataFrame({"x": rng.normal(size=n), "shop": shop})
    t["y"] = np.where(t.x > 0, "hi", "lo")
    t.to_csv(tmp_path / "d.csv", index=False)
    return t


@pytest.mark.parametrize("kind", [np.int64, np.int32, np.uint16])
def test_numpy_integer_chunk_size_and_category_limit(tmp_path, kind):
    t = write(tmp_path)
    with CsvStream(tmp_path / "d.csv", rows=kind(25)) as stream, pytest.warns(ColumnWarning, match="3 most frequent"):
        pre = stream.fit("y", max_categories=kind(3))
        X, _ = stream.encode()
    with pytest.warns(ColumnWarning, match="3 most frequent"):
        whole = Preprocessing.fit(t, "y", max_categories=kind(3))
        python = Preprocessing.fit(t, "y", max_categories=3)
    assert pre.categories == whole.categories == python.categories
    assert len(pre.categories["shop"]) == 3
    np.testing.assert_allclose(X.toarray(), whole.transform(t).toarray(), rtol=1e-12, atol=1e-12)
    assert [len(c) for c in iter_chunks(tmp_path / "d.csv", rows=kind(50))] == [50, 50, 20]


@pytest.mark.parametrize("bad", [np.float64(25.0), True, np.int64(0), np.int64(-2)])
def test_not_a_positive_whole_number_still_refused(tmp_path, bad):
    write(tmp_path)
    with pytest.raises(ValidationError, match="chunk size must be a positive"):
        CsvStream(tmp_path / "d.csv", rows=bad)
    with pytest.raises(ValidationError, match="category limit must be a positive integer"):
        with CsvStream(tmp_path / "d.csv", rows=40) as stream:
            stream.fit("y", max_categories=bad)
