"""A file rewritten between CsvStream's two passes (`fit`, then `encode`): the second pass reads another table than
the preprocessing was learnt from. Rows added, rows removed and a renamed column are refused in the stream's words
(never NumPy's broadcast error, pandas' KeyError, or rows of zeros standing for rows the file no longer holds)."""
import os

import numpy as np
import pandas as pd
import pytest

from chainrule.data.stream import CsvStream
from chainrule.errors import ValidationError


@pytest.fixture
def table(tmp_path):
    rng = np.random.default_rng(0)
    df = pd.DataFrame({"a": rng.normal(size=300), "b": rng.normal(size=300)})
    df["y"] = np.where(df.a + df.b > 0, "p", "q")
    path = tmp_path / "t.csv"
    df.to_csv(path, index=False)
    return path, df


@pytest.mark.parametrize("rows", [70, 1000])          # several chunks, and one chunk holding the whole file
@pytest.mark.parametrize("change", ["more rows", "fewer rows", "renamed column"])
def test_a_file_changed_between_the_passes_is_refused(table, rows, change):
    path, df = table
    with CsvStream(path, rows=rows) as stream:
        stream.fit("y")
        if change == "more rows":
            pd.concat([df, df.head(2)]).to_csv(path, index=False)
        elif change == "fewer rows":
            df.head(200).to_csv(path, index=False)
        else:
            df.rename(columns={"b": "c"}).to_csv(path, index=False)
        with pytest.raises(ValidationError, match=r"t\.csv.*was it changed while being read\?"):
            stream.encode(None)


def test_the_unchanged_file_encodes_as_transform(table):
    """The checks leave the file as it was alone: its rows are the in-memory preprocessing's."""
    from chainrule.data.tabular import Preprocessing
    path, df = table
    with CsvStream(path, rows=70) as stream:
        stream.fit("y")
        X, y = stream.encode(None)
        pre = Preprocessing.fit(df, "y")
        np.testing.assert_allclose(np.asarray(X), pre.transform(df), rtol=0, atol=1e-12)


def test_encode_after_close_says_the_stream_was_closed(table):
    """close() removes the files: encode then says so, not 'call fit' to a stream that was fitted."""
    path, _ = table
    stream = CsvStream(path, rows=70)
    stream.fit("y")
    stream.close()
    with pytest.raises(ValidationError, match=r"closed.*fit again"):
        stream.encode(None)


@pytest.mark.parametrize("change", ["more rows", "fewer rows"])
def test_a_file_changed_after_its_lines_were_counted_is_refused_by_the_first_pass(table, change):
    """The first pass reads the rows the check of every line counted (the validation rows were drawn from that
    count): a file with more or fewer rows by then is refused in the same words as between the passes."""
    path, df = table
    with CsvStream(path, rows=70) as stream:
        n = stream.count_rows()
        (pd.concat([df, df.head(2)]) if change == "more rows" else df.head(200)).to_csv(path, index=False)
        train = np.ones(n, dtype=bool)
        with pytest.raises(ValidationError, match=rf"t\.csv.*{n} counted line by line; was it changed while being"):
            stream.fit("y", train=train)


@pytest.mark.parametrize("rows", [70, 1000])
def test_a_file_rewritten_with_as_many_rows_and_columns_is_refused(table, rows):
    """Other values in as many rows, under the same header, are another table too: the statistics learnt from the
    first pass would standardise values they never saw (found by its size, or by its bytes where its time of last
    change moved)."""
    path, df = table
    with CsvStream(path, rows=rows) as stream:
        stream.fit("y")
        other = df.assign(a=df.a * 1000 + 7)
        other.to_csv(path, index=False)
        os.utime(path, ns=(0, path.stat().st_mtime_ns + 10**9))    # a later time, on coarse clocks too
        with pytest.raises(ValidationError, match=r"t\.csv.*its size or its bytes.*was it changed while being read\?"):
            stream.encode(None)


def test_a_file_read_again_unchanged_is_not_refused(table):
    """Reading alone (encode twice, fit again) changes nothing the check looks at."""
    path, df = table
    with CsvStream(path, rows=70) as stream:
        stream.fit("y")
        first = np.array(stream.encode(None)[0])
        stream.fit("y")
        np.testing.assert_array_equal(np.asarray(stream.encode(None)[0]), first)
