"""A column named as the model's in another Unicode form (NFD, as a Mac's file may write 'é') prints alike; the
error about the missing column shows the code points that differ and the renaming that matches them."""
import unicodedata

import numpy as np
import pandas as pd
import pytest
from conftest import cmd

from chainrule.data.tabular import Preprocessing
from chainrule.errors import ValidationError

NAME = "température"
NFD = unicodedata.normalize("NFD", NAME)


def test_a_column_named_in_another_unicode_form_is_said_so_to_transform():
    assert NFD != NAME and unicodedata.normalize("NFC", NFD) == NAME
    df = pd.DataFrame({NAME: np.linspace(0, 1, 30), "y": np.arange(30) % 2})
    pre = Preprocessing.fit(df, "y")
    with pytest.raises(ValidationError) as caught:
        pre.transform(pd.DataFrame({NFD: [0.5]}))
    said = str(caught.value)
    assert "another Unicode form" in said and ascii(NFD) in said and "NFC" in said
    renamed = pd.DataFrame({NFD: [0.5]}).rename(columns=lambda c: unicodedata.normalize("NFC", c))  # the advice
    assert pre.transform(renamed).shape == (1, 1)


def test_predict_names_a_header_in_another_unicode_form(tmp_path):
    rows = "".join(f"{i / 30:.3f},{i % 2}\n" for i in range(30))
    (tmp_path / "t.csv").write_text(f"{NAME},y\n{rows}", encoding="utf-8")
    (tmp_path / "p.csv").write_text(f"{NFD}\n0.5\n", encoding="utf-8")
    assert cmd("train", "t.csv", "--target", "y", "--epochs", "1", "--out", "m.npz", cwd=tmp_path).returncode == 0
    out = cmd("predict", "m.npz", "p.csv", cwd=tmp_path)
    assert out.returncode != 0 and "another Unicode form" in out.stderr and ascii(NFD) in out.stderr
