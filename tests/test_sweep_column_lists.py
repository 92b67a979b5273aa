"""run_sweep's lists of columns given as one string: drop='ab' was read one column a character (a file with columns
a, b, y lost both); refused as Preprocessing.fit refuses text_columns='ab', in the same words. na_values as one
string is one marker, as pandas reads it: the best model recorded its characters, and predict then refused the
cells the sweep had read as missing."""
import numpy as np
import pytest

pd = pytest.importorskip("pandas")
pytest.importorskip("sklearn")

from conftest import cmd  # noqa: E402

from chainrule.data.tabular import Preprocessing  # noqa: E402
from chainrule.errors import ChainruleTypeError  # noqa: E402
from chainrule.sweep import run_sweep  # noqa: E402


@pytest.fixture
def table(tmp_path):
    rng = np.random.default_rng(0)
    df = pd.DataFrame({"a": rng.normal(size=40).round(3), "b": rng.normal(size=40).round(3)})
    df["y"] = np.where(df.b > 0, "p", "q")
    return df


@pytest.mark.parametrize("argument", ["drop", "features", "text_columns"])
def test_a_string_of_columns_is_refused_as_preprocessing_refuses_it(tmp_path, table, argument):
    table.to_csv(tmp_path / "f.csv", index=False)
    with pytest.raises(ChainruleTypeError) as theirs:
        Preprocessing.fit(table, "y", text_columns="ab")
    with pytest.raises(ChainruleTypeError) as ours:
        run_sweep(tmp_path / "f.csv", "y", "hidden=2", cv=2, epochs=1, out_dir=tmp_path / "o", **{argument: "ab"})
    assert str(ours.value) == str(theirs.value).replace("text_columns", argument)
    assert not (tmp_path / "o").exists()


@pytest.mark.filterwarnings("ignore:(Stochastic Optimizer|.* finished fits ran every epoch)")   # few epochs
def test_na_values_as_one_string_is_one_marker(tmp_path, table):
    table["a"] = table["a"].astype(str)
    table.loc[3, "a"] = "missing"
    table.to_csv(tmp_path / "f.csv", index=False)
    assert pd.read_csv(tmp_path / "f.csv", na_values="missing")["a"].isna().sum() == 1     # pandas' reading
    run_sweep(tmp_path / "f.csv", "y", "hidden=2", cv=2, epochs=1, out_dir=tmp_path / "o", na_values="missing",
              impute="mean")
    r = cmd("predict", tmp_path / "o" / "best_model.npz", tmp_path / "f.csv")
    assert r.returncode == 0, r.stderr
