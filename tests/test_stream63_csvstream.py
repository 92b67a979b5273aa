"""CsvStream.encode's dtype refused in words, whatever NumPy makes of it."""
from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

import chainrule as cr
from chainrule.data.stream import CsvStream
from chainrule.errors import ValidationError


@pytest.mark.parametrize("dtype", ["banana", "float16", int, ("f8", -1)])
def test_encode_names_a_dtype_it_cannot_write(tmp_path, dtype):
    rng = np.random.default_rng(0)
    table = pd.DataFrame({"x": rng.normal(size=30), "y": rng.choice(["a", "b"], size=30)})
    table.to_csv(tmp_path / "t.csv", index=False)
    with CsvStream(tmp_path / "t.csv", rows=7) as stream:
        stream.fit("y")
        with pytest.raises(ValidationError, match=r"^dtype must be 'float64' or 'float32'; got "):
            stream.encode(dtype=dtype)
        X, _ = stream.encode(dtype="float32")             # the stream still encodes
        assert X.dtype == np.float32 and X.shape == (30, 1)


def test_a_network_names_a_dtype_numpy_cannot_read():
    with pytest.raises(ValidationError, match=r"^dtype must be 'float64' or 'float32'; got \('f8', -1\)"):
        cr.Network([cr.Dense(2, 1)], dtype=("f8", -1))
