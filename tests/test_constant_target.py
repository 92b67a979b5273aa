"""A numeric target of one value: the explorer's upload said "only one class (5); a classifier needs at least two"
of a regression target, and train --task regression divided it by 1 (its standard deviation is 0). One rule in
data/ (targets.constant_target), read by Preprocessing.fit, train --stream and the explorer."""
import io

import numpy as np
import pandas as pd
import pytest
from conftest import cmd, training_rows

from chainrule.errors import ValidationError

WORDS = ("target column 'b' has one value ({}) on every{} row: nothing to learn ({}a regression target cannot be "
         "standardised: its standard deviation is 0)")
DETECTED = "a classifier needs at least two classes, and "


def _table(value: bytes) -> bytes:
    return b"a,b\n" + b"".join(b"%d,%s\n" % (i, value) for i in range(20))


@pytest.mark.filterwarnings("ignore::UserWarning")
@pytest.mark.parametrize("value", [b"5", b"5.5"])
def test_the_explorer_and_train_say_a_constant_target_alike(tmp_path, value):
    from chainrule.teach.explore.session import Session
    column = pd.read_csv(io.BytesIO(_table(value)))["b"]
    assert column.nunique() == 1 and np.std(column.to_numpy(float)) == 0          # NumPy: nothing to scale by
    said = WORDS.format(value.decode(), "", DETECTED)
    with pytest.raises(ValidationError) as info:
        Session().upload_csv(_table(value), "c.csv", "b")
    assert str(info.value) == said
    path = tmp_path / "c.csv"
    path.write_bytes(_table(value))
    for extra, words in (((), said), (("--stream",), said),
                         (("--task", "regression"), WORDS.format(value.decode(), "", "")),
                         (("--stream", "--task", "regression"), WORDS.format(value.decode(), "", ""))):
        r = cmd("train", path, "--target", "b", "--epochs", 1, "--out", tmp_path / "m.npz", *extra)
        assert r.returncode == 2, (extra, r.stderr)
        assert r.stderr.strip().splitlines()[-1] == f"chainrule: error: {words}", (extra, r.stderr)


def test_a_target_constant_on_its_training_rows_only_is_refused_so():
    from chainrule.data.tabular import Preprocessing
    df = pd.DataFrame({"a": np.arange(10.0), "b": [1.5] * 8 + [2.5, 3.5]})
    train = np.arange(10) < 8
    assert np.std(df["b"][train]) == 0 and np.std(df["b"]) > 0
    with pytest.raises(ValidationError) as info:
        Preprocessing.fit(df, "b", task="regression", train=train)
    assert str(info.value) == WORDS.format("1.5", " training", "")


def test_a_text_target_of_one_label_keeps_the_classifiers_words():
    from chainrule.data.tabular import Preprocessing
    with pytest.raises(ValidationError, match=r"^target column 'b' has only one class \('u'\); a classifier needs"):
        Preprocessing.fit(pd.DataFrame({"a": [1.0, 2.0], "b": ["u", "u"]}), "b")


@pytest.mark.parametrize("stream", [(), ("--stream",)])
def test_train_task_regression_names_the_training_rows_with_or_without_stream(tmp_path, stream):
    """--task regression --stream said 'on every row' of a target that differs on the validation rows: the stream
    counts no values of a regression target, so it took one for a column of one value."""
    n = 20
    train = training_rows(n)                                  # the rows train fits on (NumPy's draw, as documented)
    y = np.where(np.isin(np.arange(n), train), 1.5, 2.5 + np.arange(n))
    assert np.std(y[train]) == 0 and np.std(y) > 0
    path = tmp_path / "t.csv"
    pd.DataFrame({"a": np.arange(n), "b": y}).to_csv(path, index=False)
    r = cmd("train", path, "--target", "b", "--task", "regression", "--epochs", 1, "--out", tmp_path / "m.npz",
            *stream)
    assert r.returncode == 2, r.stderr
    assert r.stderr.strip().splitlines()[-1] == f"chainrule: error: {WORDS.format('1.5', ' training', '')}"


@pytest.mark.parametrize("stream", [(), ("--stream",)])
@pytest.mark.parametrize("value", ["1.1", "123456.789", "20260101"])
def test_a_constant_whose_computed_std_is_rounding_is_refused_and_named_exactly(tmp_path, stream, value):
    """1.1 on 1000 rows: NumPy's std is 2e-16 (the mean's rounding), not 0, and train --task regression divided
    the target by it, training on rounding noise; a column of one value is refused whatever its rounding, and
    the value is the file's (20260101 was said 2.02601e+07)."""
    y = np.full(1000, float(value))
    assert np.ptp(y) == 0 and (value == "20260101" or np.std(y) > 0)     # one value; std rounding, not 0
    path = tmp_path / "k.csv"
    path.write_text("a,b\n" + "".join(f"{i},{value}\n" for i in range(1000)))
    r = cmd("train", path, "--target", "b", "--task", "regression", "--epochs", 1, "--out", tmp_path / "m.npz",
            *stream)
    assert r.returncode == 2, r.stderr
    assert r.stderr.strip().splitlines()[-1] == f"chainrule: error: {WORDS.format(value, '', '')}"


@pytest.mark.parametrize("stream", [(), ("--stream",)])
def test_a_boolean_target_for_regression_is_named_as_the_file_writes_it(tmp_path, stream):
    """--task regression of a True/False column: train said 'e.g. np.True_' (NumPy's repr), --stream 'e.g. True'."""
    path = tmp_path / "b.csv"
    path.write_text("a,b\n" + "".join(f"{i},True\n" for i in range(20)))
    assert pd.read_csv(path)["b"].dtype == bool                              # pandas reads it as booleans
    r = cmd("train", path, "--target", "b", "--task", "regression", "--epochs", 1, "--out", tmp_path / "m.npz",
            *stream)
    assert r.returncode == 2, r.stderr
    assert "target column 'b' is not numeric (e.g. True); regression needs numbers" in r.stderr, r.stderr


def test_a_sweep_folds_constant_target_is_centred_not_divided_by_rounding():
    """sweep's TargetScaling took 'scale or 1.0' for a fold's constant target: 1.1 on 1000 rows has NumPy std
    2.2e-16 (rounding), so the standardised target became ±1 of noise; one value is centred only."""
    from chainrule.sweep_search import TargetScaling
    y = np.full(1000, 1.1)
    assert np.ptp(y) == 0 and np.std(y) > 0
    scaling = TargetScaling().fit(y)
    assert scaling.scale_ == 1.0 and np.abs(scaling.transform(y)).max() < 1e-12


@pytest.mark.parametrize("stream", [False, True])
def test_a_constant_feature_is_centred_not_divided_by_rounding(tmp_path, stream):
    """A feature column of 1.1 on 1000 rows: NumPy's std is 2.2e-16 (rounding), which train took for its scale, so
    a row of 1.2 later became an input of 4.5e14 (and the column itself ±1 of noise); one value is centred only,
    as scikit-learn's StandardScaler leaves a constant column's scale 1."""
    from sklearn.preprocessing import StandardScaler

    from chainrule.data.stream import CsvStream
    from chainrule.data.tabular import Preprocessing
    df = pd.DataFrame({"c": [1.1] * 1000, "x": np.arange(1000.0) % 13, "y": np.arange(1000.0) % 7 * 1.5})
    assert np.std(df["c"]) > 0 and StandardScaler().fit(df[["c"]]).scale_[0] == 1.0
    path = tmp_path / "f.csv"
    df.to_csv(path, index=False)
    pre = CsvStream(path).fit("y") if stream else Preprocessing.fit(df, "y")
    X = np.asarray(pre.transform(pd.DataFrame({"c": [1.1, 1.2], "x": [0.0, 0.0]})))
    assert pre.scales[pre.numeric.index("c")] == 1.0 and abs(X[1, 0] - X[0, 0] - 0.1) < 1e-12, X
