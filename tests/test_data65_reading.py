"""Reading a CSV file: only chainrule's own words about a column of numbers and text (not pandas' DtypeWarning),
and the reading's warnings pointing at the line of the user's code that read, as pandas' and scikit-learn's do."""
import warnings

import numpy as np
import pandas as pd
import pytest
from conftest import cmd

from chainrule.data.chunks import iter_chunks
from chainrule.data.stream import CsvStream
from chainrule.data.tabular import Preprocessing, read_csv


def mixed_file(path, n=2_200, width=256):
    """A column of numbers with one text cell near the end, beside `width` - 2 columns of zeros: pandas'
    low-memory reading guesses a column's type piece by piece (pieces of about 1 MB, so fewer rows the wider the
    file) and warns (DtypeWarning) that the pieces differ."""
    x = (np.arange(n) % 10).astype(str)
    x[-5] = "abc"
    zeros = ",0" * (width - 2)
    path.write_text("x,y" + "".join(f",z{j}" for j in range(width - 2)) + "\n"
                    + "".join(f"{v},{i % 2}{zeros}\n" for i, v in enumerate(x)))
    with warnings.catch_warnings(record=True) as said:     # the file is one that makes pandas warn
        warnings.simplefilter("always")
        pd.read_csv(path)
    assert any(issubclass(w.category, pd.errors.DtypeWarning) for w in said)
    return path


@pytest.mark.parametrize("stream", [(), ("--stream",)])
def test_train_on_numbers_and_one_text_cell_says_only_chainrules_error(tmp_path, stream):
    path = mixed_file(tmp_path / "mixed.csv")
    r = cmd("train", str(path), "--target", "y", "--out", str(tmp_path / "m.npz"), "--epochs", "1", *stream)
    assert r.returncode != 0
    assert "mixed types" not in r.stderr and "low_memory" not in r.stderr, r.stderr
    assert "column 'x' is numbers except 1 of 2200 cells ('abc'" in r.stderr, r.stderr


def test_read_csv_and_chunks_keep_pandas_dtype_warning_to_themselves(tmp_path):
    path = mixed_file(tmp_path / "mixed.csv")
    with warnings.catch_warnings(record=True) as said:
        warnings.simplefilter("always")
        df = read_csv(path)
        chunks = list(iter_chunks(path, rows=2_200))
        warnings.warn("after the reading", UserWarning)    # the filter is not left in place after the reading
    assert [w.category for w in said] == [UserWarning]
    assert df["x"].iloc[-5] == "abc" and chunks[0]["x"].iloc[-5] == "abc"


def points_here(said, kind):
    found = [w for w in said if issubclass(w.category, kind)]
    assert found, [str(w.message) for w in said]
    return [(w.filename, str(w.message)[:50]) for w in found if w.filename != __file__]


def table(n=300):
    rng = np.random.default_rng(0)
    return pd.DataFrame({"x1": rng.normal(size=n), "id": [f"u{i}" for i in range(n)],
                         "when": [f"{1 + i % 28}.{1 + i % 12}.20" for i in range(n)],
                         "many": [f"c{i % 80}" for i in range(n)], "y": rng.choice(["a", "b"], size=n)})


@pytest.mark.parametrize("how", ["Preprocessing.fit", "CsvStream.fit"])
def test_column_warnings_point_at_the_users_line(tmp_path, how):
    from chainrule.data.columns import ColumnWarning
    table().to_csv(tmp_path / "t.csv", index=False)
    with warnings.catch_warnings(record=True) as said:
        warnings.simplefilter("always")
        if how == "Preprocessing.fit":
            Preprocessing.fit(read_csv(tmp_path / "t.csv"), "y", max_categories=10)
        else:
            with CsvStream(tmp_path / "t.csv", rows=50) as stream:
                stream.fit("y", max_categories=10)
    assert len([w for w in said if issubclass(w.category, ColumnWarning)]) >= 4   # ID, dates, cap on categories
    assert points_here(said, ColumnWarning) == []


def test_target_warnings_point_at_the_users_line():
    from chainrule.data.columns import ColumnWarning
    df = pd.DataFrame({"x": np.arange(40.0), "y": ["1", "1.0", "a", "A"] * 10})    # one number two ways; case
    with warnings.catch_warnings(record=True) as said:
        warnings.simplefilter("always")
        Preprocessing.fit(df, "y")
    assert len([w for w in said if issubclass(w.category, ColumnWarning)]) >= 2
    assert points_here(said, ColumnWarning) == []


@pytest.mark.parametrize("how", ["read_csv", "CsvStream"])
def test_multiline_row_warning_points_at_the_users_line(tmp_path, how):
    from chainrule.data.lines import MultilineRowWarning
    (tmp_path / "ml.csv").write_text('x,y\n"a\nb",1\nc,2\nd,1\n')
    with warnings.catch_warnings(record=True) as said:
        warnings.simplefilter("always")
        if how == "read_csv":
            read_csv(tmp_path / "ml.csv")
        else:
            with CsvStream(tmp_path / "ml.csv") as stream:
                stream.fit("y", task="regression")
    assert points_here(said, MultilineRowWarning) == []


def test_unseen_category_warning_points_at_the_users_line():
    from chainrule.data.tabular import UnseenCategoryWarning
    df = pd.DataFrame({"shop": ["a", "b"] * 10, "y": np.arange(20.0)})
    pre = Preprocessing.fit(df, "y", task="regression")
    with warnings.catch_warnings(record=True) as said:
        warnings.simplefilter("always")
        pre.transform(pd.DataFrame({"shop": ["a", "z"]}))
    assert points_here(said, UnseenCategoryWarning) == []


def test_unseen_category_in_streamed_validation_rows_points_at_the_users_line(tmp_path):
    """train --stream's path: the validation rows encoded after a fit on the others, their unseen values collected
    over the chunks and warned once (ondisk.encode_csv)."""
    from chainrule.data.tabular import UnseenCategoryWarning
    pd.DataFrame({"shop": ["a", "b"] * 10 + ["z"], "y": np.arange(21.0)}).to_csv(tmp_path / "t.csv", index=False)
    train = np.arange(21) < 20
    with CsvStream(tmp_path / "t.csv", rows=4) as stream:
        stream.fit("y", task="regression", train=train)
        with warnings.catch_warnings(record=True) as said:
            warnings.simplefilter("always")
            X, y = stream.encode(None, unseen_in="in the validation rows")    # as train --stream does
    unseen = [w for w in said if issubclass(w.category, UnseenCategoryWarning)]
    assert len(unseen) == 1 and "'z'" in str(unseen[0].message), [str(w.message) for w in said]
    assert "validation rows" in str(unseen[0].message), unseen[0].message
    assert unseen[0].filename == __file__, unseen[0].filename
    assert X.shape[0] == len(y) == 21


def test_column_warnings_through_a_library_point_at_the_users_line():
    """Preprocessing.fit called by a library (pandas' DataFrame.pipe, as scikit-learn's cross_val_score calls
    fit): the warning names the user's line, not the library's, as the training warnings do."""
    from chainrule.data.columns import ColumnWarning
    with warnings.catch_warnings(record=True) as said:
        warnings.simplefilter("always")
        table().pipe(Preprocessing.fit, "y", max_categories=10)
    assert len([w for w in said if issubclass(w.category, ColumnWarning)]) >= 3
    assert points_here(said, ColumnWarning) == []
