"""A CSV file read in chunks (`data.stream.CsvStream`, `chainrule train --stream`): the oracle is
the in-memory path on the same file. `Preprocessing.fit` on the whole table gives the
preprocessing (every field equal; means and spreads to rounding), `Preprocessing.transform` the
inputs (equal, in the same row order), and `chainrule train` without --stream the model (float64
to 1e-12). Peak memory on millions of rows is measured by benchmarks/stream.py, not here."""
import os
import re
import subprocess
import sys
import warnings

import numpy as np
import pytest

pd = pytest.importorskip("pandas")
sp = pytest.importorskip("scipy.sparse")

from conftest import cli, cmd  # noqa: E402

import chainrule as cr  # noqa: E402
from chainrule.data.stream import CsvStream  # noqa: E402
from chainrule.data.tabular import Preprocessing, read_csv  # noqa: E402
from chainrule.data.tailrows import tail  # noqa: E402
from chainrule.errors import ValidationError  # noqa: E402

FLOATS = ("means", "scales", "y_mean", "y_scale")


def covertype(n=900, seed=0):
    """Numeric columns on mixed scales with gaps (one of whole numbers until a decimal appears
    late, one of whole numbers with a gap late), text columns of 3 to 60 values (ties in their
    counts), a column of small integers to use as text, a shuffled ID column, a 3-class target."""
    rng = np.random.default_rng(seed)
    df = pd.DataFrame({f"num{j}": np.round(rng.normal(size=n) * 10.0 ** (j - 2) + j, 6) for j in range(4)})
    df["late_decimal"] = rng.integers(0, 50, size=n).astype(float)
    df.loc[n - 5, "late_decimal"] = 2.5
    df["late_gap"] = rng.integers(0, 9, size=n).astype(float)
    df.loc[n - 3, "late_gap"] = np.nan
    df["code"] = rng.integers(1, 6, size=n)
    df["id"] = rng.permutation(n) + 1000
    for name, k in (("soil", 3), ("area", 12), ("zone", 60)):
        df[name] = rng.choice([f"{name}_{i}" for i in range(k)], size=n)
    df.loc[[4, 17, 90, n - 2], "num1"] = np.nan
    df.loc[[8, 33, n - 10], "area"] = None
    df["cover"] = np.where(df["num0"] > 0, "spruce", np.where(df["soil"] == "soil_1", "pine", "aspen"))
    return df


@pytest.fixture(scope="module")
def cover_csv(tmp_path_factory):
    path = tmp_path_factory.mktemp("stream") / "cover.csv"
    covertype().to_csv(path, index=False)
    return path


def fit_both(path, target, rows, **kwargs):
    """(in-memory preprocessing, its warnings, streamed preprocessing, its warnings)."""
    out = []
    for streamed in (False, True):
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            if streamed:
                with CsvStream(path, rows=rows) as stream:
                    pre = stream.fit(target, **kwargs)
            else:
                pre = Preprocessing.fit(read_csv(path, text_columns=kwargs.get("text_columns", ())), target,
                                        **kwargs)                # as chainrule train reads the file
        out += [pre.to_json(), [str(w.message) for w in caught]]
    return out


def assert_same(a, b):
    assert a.keys() == b.keys()
    for key in a:
        if key in FLOATS:
            np.testing.assert_allclose(b[key], a[key], rtol=1e-13, atol=1e-15, err_msg=key)
        elif key == "fill":
            assert a[key].keys() == b[key].keys()
            for c, v in a[key].items():
                assert (b[key][c] == v) if isinstance(v, str) else b[key][c] == pytest.approx(v, rel=1e-13), c
        else:
            assert b[key] == a[key], key


@pytest.mark.parametrize("impute", [None, "mean", "median"])
def test_a_column_near_1e300_is_scaled_as_in_memory(tmp_path, impute):
    """The streamed scan summed squared deviations in float64: values near 1e300 overflowed it and the
    column was stored with scale 1.0 (training then diverged, or refused float32); in memory the
    column is divided by its largest value first. Chunks of 3 rows: small values first, then larger."""
    rng = np.random.default_rng(0)
    big = np.concatenate([rng.normal(size=6), rng.normal(size=9) * 1e300, rng.normal(size=9) * 1e305])
    cells = ["" if impute and i % 7 == 3 else repr(float(v)) for i, v in enumerate(big)]
    lines = ["a,b,c"] + [f"{cell},{i % 5},{'xy'[i % 2]}" for i, cell in enumerate(cells)]
    path = tmp_path / "big.csv"
    path.write_text("\n".join(lines) + "\n")
    a, _, b, _ = fit_both(path, "c", 3, impute=impute)
    assert_same(a, b)
    assert 1e304 < b["scales"][0] < 1e307


@pytest.mark.parametrize("impute", ["mean", "median", "most_frequent"])
@pytest.mark.parametrize("rows", [64, 1000])
def test_preprocessing_equals_the_whole_table(cover_csv, impute, rows):
    a, wa, b, wb = fit_both(cover_csv, "cover", rows, impute=impute, text_columns=["code"], max_categories=40)
    assert_same(a, b)
    # the ID column and the capped 'zone', same words but the advice's: a stream's columns are fit's columns=
    assert wb == [w.replace("df.drop(columns=['id'])", "fit(columns=[...]) without 'id'").replace(
        "df.drop(columns=...)", "fit(columns=[...])") for w in wa] and len(wa) == 2
    assert "'id'" in wa[0] and "'zone'" in wa[1]
    assert b["other"] == {"zone": 20} and b["categories"]["code"] == ["1", "2", "3", "4", "5"]
    assert "late_decimal" in b["numeric"] and "late_gap" in b["fill"]


def test_regression_target_and_task_detection(tmp_path):
    rng = np.random.default_rng(1)
    df = pd.DataFrame({"a": rng.normal(size=300), "b": rng.choice(["x", "y"], size=300)})
    df["price"] = np.round(df["a"] * 1000 + 5000)          # whole numbers, many values: regression
    df["grade"] = rng.integers(0, 4, size=300)              # whole numbers, 4 values: classes
    df.loc[250, "grade"] = 3                                # (no change: stays integer)
    df.to_csv(tmp_path / "r.csv", index=False)
    for target, task in (("price", "regression"), ("grade", "classification")):
        a, _, b, _ = fit_both(tmp_path / "r.csv", target, 37)
        assert b["task"] == task
        assert_same(a, b)
    a, _, b, _ = fit_both(tmp_path / "r.csv", "grade", 37, task="regression")
    assert_same(a, b)


def test_a_column_of_numbers_then_text_is_read_as_text(tmp_path):
    """Numbers in the first chunks, letters later: pandas reads the whole column as text with each
    cell as spelled ('1.50'); the stream reads the file again with the column as text."""
    codes = ["1.50", "2"] * 10 + [f"K{i % 7}" for i in range(60)]
    df = pd.DataFrame({"x": np.arange(80) % 9 * 1.5, "code": codes, "y": ["a", "b"] * 40})
    df.to_csv(tmp_path / "m.csv", index=False)
    a, wa, b, wb = fit_both(tmp_path / "m.csv", "y", 16)
    assert_same(a, b)
    assert "1.50" in b["categories"]["code"] and wb == wa


@pytest.mark.parametrize("content, message", [
    ("a,y\n1,u\n2,\n3,v\n", "target column 'y' has a missing value on line 3"),
    ("a,b,y\n1,,u\n2,5,v\n,6,u\n", "missing values in 'a' on line 4; 'b' on line 2. Fill them in, or use impute="),
    ("a,b,y\n1,,u\n2,,v\n3,,u\n", "column 'b' has no values at all"),
    ("a,y\n1,u\n2,u\n", "has only one class ('u')"),
    ("a,y\n1,u\n2,v\n3,w\n", "target column 'z' is not in the file"),
    ("a,y\n1,2\n?,3\n4,2\n5,3\n", "column 'a' is numbers except 1 of 4 cells ('?'; first on line 3)"),
    ('a,y\n"1,5",2\n"2,5",3\n"4,0",2\n', "column 'a' holds numbers with a decimal comma (e.g. '1,5' on line 2)"),
    ('a,y\n5,2\n"1,5",3\n7,2\n8,3\n', "column 'a' holds numbers with a decimal comma (e.g. '1,5' on line 3): its "
                                       "fields are separated by ',' too: save it with ';'"),    # test_files_9
    ('a,y\n7,2\n"1,234",2\n"12,500",3\n', "column 'a' holds numbers with thousands separators (e.g. '1,234' on "
                                          "line 3): read the file with "),
    ("a,y\n1,2\ninf,3\n", "column 'a' has an infinite value on line 3"),
    ("a,y\n85\u00a0,2\n7\u00a0,3\n", "column 'a' holds a number with a no-break space around it ('85\\xa0' on line "
                                        "2), which pandas.read_csv reads as text"),
])
def test_errors_name_the_column_and_line_as_in_memory(tmp_path, content, message):
    path = tmp_path / "bad.csv"
    path.write_text(content)
    target = "z" if "'z'" in message else "y"
    with pytest.raises(ValidationError, match=re.escape(message)):
        with CsvStream(path, rows=1) as stream:
            stream.fit(target)
    if "infinite" not in message:                       # the whole table's check comes later there
        with pytest.raises(ValidationError) as whole:
            Preprocessing.fit(read_csv(path), target)
        assert message in str(whole.value)


@pytest.mark.parametrize("kind", ["short row", "long row", "gzip"])
def test_every_line_is_checked_as_read_csv_checks_it(tmp_path, kind):
    # a row with too few fields was filled with NaN by pandas (then imputed, or named as a missing
    # value), one with too many gave pandas' tokenizer message, and a gzip file that `train` and
    # `predict` refused trained: the stream now checks the file as read_csv does, with its messages
    # (a gzip file is now read by both, its short row named alike)
    lines = ["a,b,c,y", *(f"{i},{i % 3},{i * 0.5},{'uv'[i % 2]}" for i in range(40))]
    if kind in ("short row", "gzip"):
        lines[25] = "24,0,u"
    elif kind == "long row":
        lines[30] = "29,2,14.5,v,extra"
    path = tmp_path / ("data.csv.gz" if kind == "gzip" else "data.csv")
    if kind == "gzip":
        import gzip
        path.write_bytes(gzip.compress(("\n".join(lines) + "\n").encode()))
    else:
        path.write_text("\n".join(lines) + "\n")
    with pytest.raises(ValidationError) as whole:
        read_csv(path)
    with pytest.raises(ValidationError) as streamed:
        with CsvStream(path, rows=7) as stream:
            stream.fit("y", impute="mean")
    assert str(streamed.value) == str(whole.value)


def file_backed(a):
    """True when the array's memory is a mapped file (not a copy in memory)."""
    while a is not None:
        if isinstance(a, np.memmap) or type(a).__name__ == "mmap":
            return True
        a = getattr(a, "base", None)
    return False


@pytest.mark.parametrize("grid_rows", [7, 4096])
def test_encoded_rows_equal_transform_in_the_given_order(cover_csv, grid_rows, monkeypatch):
    """The rows on disk (a left-out category stored as a 0) are the in-memory matrix's, in the
    given order; the grid of a chunk is written in blocks of `grid_rows` rows (encode.fill_grid)."""
    from chainrule.data import encode
    monkeypatch.setattr(encode, "GRID_ROWS", grid_rows)
    monkeypatch.setattr(encode, "NUMERIC_AT_ONCE", 3 if grid_rows == 7 else 4)
    df = read_csv(cover_csv)
    order = np.roll(np.random.default_rng(3).permutation(len(df)), -180)
    for max_categories in (40, 100):             # with a capped column: stored zeros for 'other'
        pre = Preprocessing.fit(df, "cover", impute="median", max_categories=max_categories)
        with CsvStream(cover_csv, rows=100) as stream:
            stream.fit("cover", impute="median", max_categories=max_categories)
            X, y = stream.encode(order)
            assert sp.issparse(X) and all(file_backed(a) for a in (X.data, X.indices, X.indptr))
            np.testing.assert_allclose(X.toarray(), pre.transform(df, rows=order).toarray(), rtol=1e-13, atol=1e-13)
            np.testing.assert_array_equal(y, pre.encode_target(df)[order])
            assert tail(X, 180).shape == (180, X.shape[1]) and file_backed(tail(X, 180).data)
            folder = stream.workdir
            assert os.path.isdir(folder)
        assert not os.path.exists(folder)             # close() removes the files
    with CsvStream(cover_csv, rows=100) as stream:
        stream.fit("cover", impute="mean")
        with pytest.raises(ValidationError, match="permutation"):
            stream.encode(np.zeros(len(df), dtype=np.int64))


def notes(stderr: str) -> list[str]:
    """train's lines on stderr but those that differ between the two runs by design: what was read, each epoch's
    losses, and the progress lines of a step that took more than 2 s ("checking 'd.csv' (every line) ..." and its
    ": done in 2.3 s"), which a loaded machine prints for one run and not the other."""
    return [s for s in stderr.splitlines() if not s.startswith(("read ", "epoch "))
            and not re.search(r"( \.\.\.|: done in \d+\.\d s)$", s)]


@pytest.mark.parametrize("case", ["text", "numeric-regression", "float32"])
def test_train_stream_writes_the_model_train_writes(tmp_path, case):
    """The same model file with and without --stream, on a file that fits."""
    df = covertype(600, seed=2).drop(columns="id")
    target, extra = "cover", ["--impute", "median", "--max-categories", "40"]
    if case == "numeric-regression":                 # no text column: a dense memmap; a regression
        df = df[[c for c in df.columns if c.startswith(("num", "late"))]].copy()
        df["target"], target = df["num0"] * 3 + df["num2"], "target"
    if case == "float32":
        extra += ["--dtype", "float32"]
    df.to_csv(tmp_path / "d.csv", index=False)
    runs = {}
    for name, more in (("memory", []), ("stream", ["--stream", "--chunk-rows", "77"])):
        r = cli("train", tmp_path / "d.csv", "--target", target, "--hidden", "8", "--epochs", "3", "--batch-size", "16",
                "--out", tmp_path / f"{name}.npz", *extra, *more)
        assert r.returncode == 0, r.stderr
        runs[name] = r
    a, ea = cr.load(tmp_path / "memory.npz", with_extra=True)
    b, eb = cr.load(tmp_path / "stream.npz", with_extra=True)
    rel = 1e-5 if case == "float32" else 1e-12
    np.testing.assert_allclose(b.params, a.params, rtol=rel, atol=rel * np.abs(a.params).max())
    assert_same(ea["tabular"], eb["tabular"])
    if case != "float32":
        # the validation metrics (the model's name aside)
        assert runs["stream"].stdout.replace("stream.npz", "memory.npz") == runs["memory"].stdout
    assert notes(runs["stream"].stderr) == notes(runs["memory"].stderr)
    assert f"read {str(tmp_path / 'd.csv')!r} in chunks of 77 rows: 600 rows" in runs["stream"].stderr


def test_train_stream_refuses_mpi(tmp_path, cover_csv):
    r = cmd("train", cover_csv, "--target", "cover", "--stream", "--mpi", "--out", tmp_path / "m.npz")
    assert r.returncode == 2 and "--stream and --mpi cannot be combined" in r.stderr


def test_train_stream_resume_continues_the_run(tmp_path, cover_csv):
    """`--stream --resume`: 2 epochs, then the same command asking for 4, gives the model of one
    4-epoch run, with or without --stream (the class labels are fingerprinted as their one-hot rows)."""
    base = ["train", cover_csv, "--target", "cover", "--hidden", "8", "--batch-size", "32", "--impute", "mean"]
    stream = ["--stream", "--chunk-rows", "100"]
    ck, out = tmp_path / "ck", tmp_path / "resumed.npz"
    for epochs in ("2", "4"):
        r = cmd(*base, *stream, "--epochs", epochs, "--checkpoint-dir", ck, "--resume", "--out", out)
        assert r.returncode == 0, r.stderr
    assert "resumed from epoch 2 of 4" in r.stderr
    for name, more in (("stream", stream), ("memory", [])):
        r = cmd(*base, *more, "--epochs", "4", "--out", tmp_path / f"{name}.npz")
        assert r.returncode == 0, r.stderr
    resumed = cr.load(out)
    np.testing.assert_array_equal(resumed.params, cr.load(tmp_path / "stream.npz").params)
    np.testing.assert_allclose(resumed.params, cr.load(tmp_path / "memory.npz").params, rtol=1e-12, atol=1e-12)
    # a checkpoint of other targets is refused, naming them
    other = tmp_path / "other.csv"
    df = covertype(900, seed=0)
    df["cover"] = df["cover"].sample(frac=1.0, random_state=1).to_numpy()
    df.to_csv(other, index=False)
    r = cmd("train", other, *base[2:], *stream, "--epochs", "6", "--checkpoint-dir", ck, "--resume", "--out", out)
    assert r.returncode == 2 and "the targets (--target's values; " in r.stderr
    assert "(same shape [720, 3], other values)" in r.stderr


def test_sigterm_removes_the_encoded_inputs_and_writes_no_model(tmp_path, cover_csv):
    # a kill (a batch system's time limit) ended the process at once: the encoded inputs, as large
    # as the file or larger, stayed in the temporary folder
    import signal
    import time
    temp = tmp_path / "tmp"
    temp.mkdir()
    p = subprocess.Popen([sys.executable, "-m", "chainrule", "train", str(cover_csv), "--target", "cover", "--stream",
                          "--impute", "mean", "--chunk-rows", "100", "--epochs", "100000", "--quiet", "--out",
                          str(tmp_path / "m.npz")],
                         env={**os.environ, "TMPDIR": str(temp)}, stderr=subprocess.PIPE, text=True)
    deadline = time.monotonic() + 60
    while not any(f.is_file() for f in temp.rglob("*")) and time.monotonic() < deadline:
        time.sleep(0.05)                     # until the second pass writes the inputs
    time.sleep(0.5)
    p.send_signal(signal.SIGTERM)
    _, err = p.communicate(timeout=60)
    assert p.returncode == 130, err
    assert "chainrule: interrupted; " in err and "was not written" in err
    assert list(temp.iterdir()) == [] and not (tmp_path / "m.npz").exists()
