"""A DataFrame column of complex numbers: NumPy kept its real part alone (a ComplexWarning from deep inside
pandas, the imaginary part lost silently). Refused naming the column, a cell and the two columns to give."""
import re
import warnings

import numpy as np
import pandas as pd
import pytest

from chainrule.data.tabular import Preprocessing
from chainrule.errors import ValidationError


def _table(a):
    return pd.DataFrame({"a": a, "b": [1.0, 2.0, 3.0, 4.0], "y": [0, 1, 0, 1]})


COMPLEX = np.array([1 + 0j, 3 + 0j, 2 + 1j, 4 + 4j])


def test_fit_refuses_a_complex_column_naming_it_and_its_first_imaginary_cell():
    with warnings.catch_warnings():
        warnings.simplefilter("error")          # no ComplexWarning on the way
        with pytest.raises(ValidationError, match=re.escape("column 'a' holds complex numbers ((2+1j) on row 2)")):
            Preprocessing.fit(_table(COMPLEX), target="y")


def test_transform_refuses_it_too_and_the_advice_given_fits():
    pre = Preprocessing.fit(_table([1.0, 3.0, 2.0, 4.0]), target="y")
    df = _table(COMPLEX)
    with pytest.raises(ValidationError) as refused:
        pre.transform(df)
    advice = str(refused.value).split("e.g. ")[1]
    exec(advice, {"df": df})                   # the line the message gives, run as the user would
    parts = df.drop(columns="a")
    assert parts["a_re"].tolist() == [1.0, 3.0, 2.0, 4.0] and parts["a_im"].tolist() == [0.0, 0.0, 1.0, 4.0]
    refit = Preprocessing.fit(parts, target="y")
    assert {"a_re", "a_im"} <= set(refit.numeric)
