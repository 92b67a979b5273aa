"""A gzip CSV file streamed with sample weights, in float64 and float32: the model `train` writes from the file read
whole, and the encoding pass holds little memory (tracemalloc) whatever the rows."""
import tracemalloc

import numpy as np
import pandas as pd
import pytest
from conftest import cmd

import chainrule as cr
from chainrule.data.stream import CsvStream


def table(n, seed=0):
    rng = np.random.default_rng(seed)
    df = pd.DataFrame({"a": rng.normal(size=n).round(4), "b": rng.normal(size=n).round(4),
                       "c": rng.choice(list("xyz"), n), "w": rng.integers(1, 4, n)})
    df["y"] = np.where(df.a + df.b + (df.c == "x") > 0.3, "p", "q")
    return df


@pytest.mark.parametrize("dtype", ["float64", "float32"])
def test_gzip_with_weights_streamed_is_the_model_trained_whole(tmp_path, dtype):
    path = tmp_path / "d.csv.gz"
    table(500).to_csv(path, index=False)
    models = {}
    for name, more in (("memory", []), ("stream", ["--stream", "--chunk-rows", "64"])):
        r = cmd("train", path, "--target", "y", "--weight", "w", "--dtype", dtype, "--hidden", "6", "--epochs", "2",
                "--batch-size", "16", "--out", tmp_path / f"{name}.npz", *more)
        assert r.returncode == 0, r.stderr
        models[name] = cr.load(tmp_path / f"{name}.npz")
    a, b = models["memory"].params, models["stream"].params
    rel = 1e-5 if dtype == "float32" else 1e-12
    np.testing.assert_allclose(b, a, rtol=rel, atol=rel * np.abs(a).max())


def peak(path, n):
    tracemalloc.start()
    try:
        with CsvStream(path, rows=5_000) as stream:
            stream.fit("y")
            stream.encode(np.random.default_rng(0).permutation(n), dtype="float32")
        return tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


def test_streaming_memory_grows_by_little_per_row(tmp_path):
    """Four times the rows: the peak grows by the few bytes a row kept (targets, order), far below the rows' data."""
    peaks = {}
    for n in (10_000, 40_000):
        path = tmp_path / f"d{n}.csv.gz"
        table(n).to_csv(path, index=False)
        peaks[n] = peak(path, n)
    in_memory = table(30_000).memory_usage(deep=True).sum()        # the extra rows as a DataFrame
    assert peaks[40_000] - peaks[10_000] < in_memory / 4, peaks
