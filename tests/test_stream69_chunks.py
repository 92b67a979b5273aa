"""CsvStream.chunks() before fit: the file's rows in chunks, as pandas' read_csv(chunksize=...) reads them (each chunk
typed alone); after fit, a column of decimals is float in a chunk of whole numbers too."""
import numpy as np
import pandas as pd

from chainrule.data.stream import CsvStream


def test_chunks_before_fit_are_the_files_rows_in_pandas_own_chunks(tmp_path):
    path = tmp_path / "t.csv"
    df = pd.DataFrame({"a": [1, 2, 3, 4.5, 5, 6, 7], "y": list("pqpqpqp")})
    df.to_csv(path, index=False)
    stream = CsvStream(path, rows=3)
    got = list(stream.chunks())
    want = list(pd.read_csv(path, chunksize=3))
    assert [line for _, line in got] == [2, 5, 8]              # the file line of each chunk's first row
    for (chunk, _), theirs in zip(got, want):
        pd.testing.assert_frame_equal(chunk, theirs, check_index_type=False)
    stream.fit("y")
    assert all(chunk["a"].dtype == np.float64 for chunk, _ in stream.chunks())
    stream.close()
