"""`chainrule predict` and `evaluate` read the CSV file in chunks: the same bytes out as on the
whole file, the same errors (naming the file's lines), memory that does not grow with the file;
inputs too large for memory are refused naming their columns. The oracle for the numbers is the
library on the whole table read by pandas; for the file checks, `read_csv` itself."""
import os
import subprocess
import sys
import textwrap

import numpy as np
import pytest

pd = pytest.importorskip("pandas")
pytest.importorskip("scipy.sparse")

from conftest import cli, cmd  # noqa: E402

import chainrule as cr  # noqa: E402
from chainrule.data import encode as encode_module  # noqa: E402
from chainrule.data import memory, rowcheck  # noqa: E402
from chainrule.data.csvfile import read_csv  # noqa: E402
from chainrule.data.tabular import Preprocessing, UnseenCategoryWarning  # noqa: E402
from chainrule.errors import ValidationError  # noqa: E402

# 402 rows: no chunk of 7 or 64 rows is a single row (a one-row product goes through BLAS's
# matrix-vector routine, whose sums may differ from the matrix product's in the last bit)
N = 402



def table(n=N, seed=0):
    rng = np.random.default_rng(seed)
    df = pd.DataFrame({"rid": [f"row{i}" for i in range(n)]})
    for j in range(4):
        df[f"x{j}"] = rng.normal(size=n) * 10.0 ** (j - 1)
    df["zone"] = rng.choice([f"z{i}" for i in range(30)], size=n)
    df["soil"] = rng.choice(["sand", "clay", "loam"], size=n)
    df.loc[[3, 150, 333], "x1"] = np.nan
    df["y"] = np.where(df["x0"] > 0, "a", np.where(df["soil"] == "clay", "b", "c"))
    return df


@pytest.fixture(scope="module")
def files(tmp_path_factory):
    d = tmp_path_factory.mktemp("stream")
    table().to_csv(d / "train.csv", index=False)
    test = table(seed=1)
    test.loc[200, "zone"] = "never_seen"               # an unseen category in a later chunk
    test.to_csv(d / "test.csv", index=False)
    r = cli("train", d / "train.csv", "--target", "y", "--drop", "rid", "--hidden", "8", "--epochs", "5",
            "--impute", "median", "--quiet", "--out", d / "m.npz")
    assert r.returncode == 0, r.stderr
    return d


def without_progress(stderr: str) -> str:
    return "\n".join(line for line in stderr.splitlines() if not line.startswith("predicting"))


def test_chunked_output_equals_the_whole_file_byte_for_byte(files):
    model, test = files / "m.npz", files / "test.csv"
    runs = {rows: cmd("predict", model, test, "--id", "rid", "--proba", "--chunk-rows", rows)
            for rows in (100_000, 64, 7)}
    whole = runs[100_000]
    assert whole.returncode == 0, whole.stderr
    for r in runs.values():
        assert r.stdout == whole.stdout and without_progress(r.stderr) == without_progress(whole.stderr)
    warned = [line for line in whole.stderr.splitlines() if "unseen" in line]
    assert warned == ["chainrule: warning: column 'zone' has 1 value unseen in training, encoded as all zeros: "
                      "['never_seen']"]
    assert "ignored columns" not in whole.stderr    # its only other column is the model's own target
    # a file written through the atomic output holds the same bytes
    out = files / "p.csv"
    r = cmd("predict", model, test, "--id", "rid", "--proba", "--chunk-rows", 7, "--out", out)
    assert r.returncode == 0 and out.read_text() == whole.stdout and f"wrote {N} predictions" in r.stderr
    # the library on the whole table is the oracle for the numbers
    net, extra = cr.load(model, with_extra=True)
    pre = Preprocessing.from_json(extra["tabular"])
    df = pd.read_csv(test)
    with pytest.warns(UnseenCategoryWarning, match="never_seen"):
        X = pre.transform(df[pre.columns])
    expected = net.predict(X)
    got = pd.read_csv(out)
    assert list(got["rid"]) == list(df["rid"])
    assert list(got["prediction"]) == list(pre.decode(expected))
    np.testing.assert_allclose(got.filter(like="proba_").to_numpy(), expected, rtol=1e-12)
    # evaluate: the same report whatever the chunk size, and the library's loss and accuracy
    reports = [cmd("evaluate", model, test, "--chunk-rows", rows) for rows in (100_000, 64, 7)]
    assert reports[0].returncode == 0 and reports[1].stdout == reports[0].stdout == reports[2].stdout
    got = dict(line.split(": ") for line in reports[0].stdout.splitlines()[:2])
    truth = net.evaluate(X, pre.encode_target(df))
    assert float(got["loss"]) == pytest.approx(truth["loss"], rel=1e-5)
    assert float(got["accuracy"]) == pytest.approx(truth["accuracy"], rel=1e-5)


def test_errors_in_later_chunks_name_the_file_line_and_write_nothing(files, tmp_path):
    model = files / "m.npz"
    bad = table(seed=2).astype({"x2": object})
    bad.loc[300, "x2"] = "abc"
    bad.to_csv(tmp_path / "bad.csv", index=False)
    for rows in (100_000, 7):
        r = cmd("predict", model, tmp_path / "bad.csv", "--chunk-rows", rows, "--out", tmp_path / "p.csv")
        assert r.returncode == 2 and not (tmp_path / "p.csv").exists()           # a file is written whole or not
        assert r.stderr.strip().splitlines()[-1] == "chainrule: error: column 'x2' must be numeric; line 302 has 'abc'"
    # standard output gets each chunk as it is computed: the rows before the failing chunk, then the error
    r = cmd("predict", model, tmp_path / "bad.csv", "--chunk-rows", 7)
    assert r.returncode == 2 and r.stdout.splitlines()[0] == "prediction" and len(r.stdout.splitlines()) == 1 + 294
    gaps = table(seed=3)
    gaps.loc[[10, 200, 201, 390, 391, 395], "y"] = np.nan
    gaps.to_csv(tmp_path / "gaps.csv", index=False)
    lines = [cmd("evaluate", model, tmp_path / "gaps.csv", "--chunk-rows", rows).stderr.strip().splitlines()[-1]
             for rows in (100_000, 7)]
    assert lines[0] == lines[1] and lines[0].startswith("chainrule: error: target column 'y' has missing values on "
                                                        "lines 12, 202, 203, 392, 393 and 1 more; ")
    text = (files / "test.csv").read_text().splitlines()
    text[250] = ",".join(text[250].split(",")[:3])           # a short row: pandas alone would pad it with gaps
    (tmp_path / "short.csv").write_text("\n".join(text) + "\n")
    r = cmd("predict", model, tmp_path / "short.csv", "--chunk-rows", 7)
    assert r.returncode == 2 and r.stdout == ""
    assert "line 251 has 3 fields but the header (line 1: 'rid,x0,x1,x2,x3,zone,soil,y') has 8" in r.stderr


def test_text_spelled_as_in_the_file_matches_categories_pandas_typed(tmp_path):
    # a --text column of whole numbers with gaps: training keeps its categories as the file writes
    # them ('1', '2', ...); a DataFrame that pandas read as floats ('1.0') finds the same ones
    rng = np.random.default_rng(4)
    df = pd.DataFrame({"grade": rng.integers(1, 6, 300).astype(float), "x": rng.normal(size=300)})
    df.loc[[5, 77], "grade"] = np.nan
    df["y"] = np.where(df["x"] + (df["grade"].fillna(3) > 3) > 0.5, "hi", "lo")
    df.to_csv(tmp_path / "g.csv", index=False, float_format="%.10g")
    assert "\n1," in (tmp_path / "g.csv").read_text() or ",1," in (tmp_path / "g.csv").read_text()
    r = cmd("train", tmp_path / "g.csv", "--target", "y", "--text", "grade", "--impute", "most_frequent",
            "--epochs", "3", "--quiet", "--out", tmp_path / "g.npz")
    assert r.returncode == 0, r.stderr
    net, extra = cr.load(tmp_path / "g.npz", with_extra=True)
    pre = Preprocessing.from_json(extra["tabular"])
    assert pre.categories["grade"] == ["1", "2", "3", "4", "5"]
    r = cmd("predict", tmp_path / "g.npz", tmp_path / "g.csv", "--proba", "--chunk-rows", 50)
    assert r.returncode == 0 and "unseen" not in r.stderr, r.stderr
    expected = net.predict(pre.transform(pd.read_csv(tmp_path / "g.csv")[pre.columns]))
    np.testing.assert_allclose(pd.read_csv(__import__("io").StringIO(r.stdout)).filter(like="proba_"), expected,
                               rtol=1e-12)


# -- the file checks: read_csv's own messages, in one pass over blocks --------------------------
CASES = {
    "ok": b"a,b,y\n1,2,x\n3,4,y\n",
    "short row": b"a,b,y\n1,2,x\n3,4\n5,6,y\n",
    "long row": b"a,b,y\n1,2,x\n3,4,y,\n5,6,y\n",
    "counts line": b"178,13,c0,c1,c2\n" + b"1,2,3,4,5,6,7,8,9,10,11,12,13,14\n" * 5,
    "blank lines": b"\n\na,b,y\n\n1,2,x\n   \n3,4,y",
    "quoted lines": b'a,b,y\n"1\n\n2",2,x\n\n3,"4\r\n5",y\n6,7,z\n',
    "crlf": b"a,b,y\r\n1,2,x\r\n3,4\r\n",
    "quoted": b'a,b,y\n1,"2,5",x\n3,4\n',
    "quoted newline": b'a,b,y\n1,"2\n5",x\n3,4,z\n',
    "duplicate names": b"a,a,y\n1,2,3\n",
    "header only": b"a,b,y\n",
    "blank": b"  \n",
    "latin-1": "a,b\nZ\u00fcrich,1\nx,2\n".encode("latin-1"),
    "NUL": b"a,b\n1\x002,3\n",
    "semicolons": b"a;b;y\n1;2;x\n",
    "BOM": b"\xef\xbb\xbfa,b,y\n1,2,x\n",
    "one column": b"a\n1\n2\n\n3\n",
    "lone CR": b"a,b\r1,2\r3\r",
    "ambiguous": b"a,b;c\n1,2;3\n",
}


@pytest.mark.parametrize("block", [7, rowcheck.BLOCK])
@pytest.mark.parametrize("case", list(CASES))
def test_file_checks_are_read_csvs(tmp_path, monkeypatch, case, block):
    path = tmp_path / "f.csv"
    path.write_bytes(CASES[case])
    monkeypatch.setattr(rowcheck, "BLOCK", block)
    try:
        df = read_csv(path)
        expected = (len(df), list(df.columns), df.attrs["csv"]["sep"], df.attrs["lines"](range(len(df))).tolist())
    except ValidationError as exc:
        expected = str(exc)
    try:
        info = rowcheck.check_csv(path)
        got = (info["rows"], info["header"], info["sep"], info["lines"](range(info["rows"])).tolist())
    except ValidationError as exc:
        got = str(exc)
    assert got == expected


def test_file_checks_in_utf16_and_a_bad_byte_far_down(tmp_path, monkeypatch):
    monkeypatch.setattr(rowcheck, "BLOCK", 1000)
    path = tmp_path / "u.csv"
    path.write_bytes("a,b,y\n1,2,x\n3,4\n".encode("utf-16"))
    with pytest.raises(ValidationError) as exc:
        read_csv(path, encoding="utf-16")
    with pytest.raises(ValidationError, match="line 3 has 2 fields") as got:
        rowcheck.check_csv(path, encoding="utf-16")
    assert str(got.value) == str(exc.value)
    path.write_bytes(b"a,b\n" + b"1,2\n" * 5000 + b"\xe9,3\n")
    with pytest.raises(ValidationError, match="byte 0xe9 on line 5002 cannot be decoded") as exc:
        read_csv(path)
    with pytest.raises(ValidationError) as got:
        rowcheck.check_csv(path)
    assert str(got.value) == str(exc.value)


# -- memory -----------------------------------------------------------------------------------------
PEAK = textwrap.dedent("""
    import sys, tracemalloc
    import chainrule.data.rowcheck
    from chainrule.cli import main
    chainrule.data.rowcheck.BLOCK = 1 << 16          # the file check's block (16 MB) scaled down as the chunks are
    tracemalloc.start()
    code = main(["predict", sys.argv[1], sys.argv[2], "--proba", "--chunk-rows", "1000", "--out", sys.argv[3]])
    print(tracemalloc.get_traced_memory()[1])
    sys.exit(code)
""")


def test_predict_memory_does_not_grow_with_the_file(files, tmp_path):
    peaks = []
    for n in (3000, 30000):
        path = tmp_path / f"t{n}.csv"
        table(n, seed=5).to_csv(path, index=False)
        r = subprocess.run([sys.executable, "-c", PEAK, str(files / "m.npz"), str(path), str(tmp_path / "p.csv")],
                           capture_output=True, text=True)
        assert r.returncode == 0, r.stderr
        assert len((tmp_path / "p.csv").read_text().splitlines()) == n + 1
        peaks.append(int(r.stdout.split()[-1]))
    assert peaks[1] < 1.5 * peaks[0], peaks          # 10x the rows; the whole-file path took about 10x


def test_input_size_estimate_is_the_arrays_size():
    df = table(1000).drop(columns="rid")
    pre = Preprocessing.fit(df, "y", impute="median")
    X = pre.transform(df, sparse=False)
    assert memory.input_bytes(pre, 1000, np.float64, sparse=False) == X.nbytes
    X = pre.transform(df, dtype=np.float32)
    size = X.data.nbytes + X.indices.nbytes + X.indptr.nbytes
    assert size <= memory.input_bytes(pre, 1000, np.float32, sparse=True) <= 2 * size


def test_inputs_larger_than_memory_are_refused_naming_the_columns(monkeypatch):
    df = table(1000).drop(columns="rid")
    pre = Preprocessing.fit(df, "y", impute="median")
    dense = memory.input_bytes(pre, 1000, np.float64, sparse=False)            # 1000 x (4 + 30 + 3) x 8
    monkeypatch.setattr(memory, "available_bytes", lambda: dense - 1)
    with pytest.raises(MemoryError) as exc:
        pre.transform(df, sparse=False)
    text = str(exc.value)
    assert text.startswith("the network's inputs need 0.3 MiB (1,000 rows x 37 columns of float64), and 0.3 MiB is "
                           "available; the columns: ")
    assert "'zone' (30 one-hot columns), 'soil' (3 one-hot columns), 4 numeric columns" in text
    for way in ("sparse=True", "max_categories=", "df.drop(columns=[...])", "dtype='float32'", "CsvStream"):
        assert way in text
    assert pre.transform(df).shape == (1000, 37)                   # sparse (the default) fits
    with pytest.raises(MemoryError, match=r"1,000 rows x 6 stored values a row \(CSR\) of float64"):
        monkeypatch.setattr(memory, "available_bytes", lambda: 1000)
        pre.transform(df)
    monkeypatch.setattr(memory, "available_bytes", lambda: None)   # unknown: no refusal
    assert pre.transform(df).shape == (1000, 37)

    def exhausted(*args, **kwargs):
        raise MemoryError()
    monkeypatch.setattr(encode_module, "_dense", exhausted)        # the estimate passed, the allocation fails
    with pytest.raises(MemoryError, match=r"^ran out of memory: the network's inputs need .*'zone' \(30 one-hot"):
        pre.transform(df, sparse=False)


def test_the_command_line_says_which_columns_and_what_to_do(files):
    script = ("import sys; import chainrule.data.memory as m; m.available_bytes = lambda: 10_000; "
              "from chainrule.cli import main; sys.exit(main(sys.argv[1:]))")
    r = subprocess.run([sys.executable, "-c", script, "train", str(files / "train.csv"), "--target", "y", "--drop",
                        "rid", "--impute", "median", "--out", str(files / "never.npz")], capture_output=True, text=True)
    assert r.returncode == 4, r.stderr
    line = r.stderr.strip().splitlines()[-1]
    assert line.startswith("chainrule: error: out of memory: the network's inputs need ")
    assert f"{N} rows x 6 stored values a row (CSR) of float64" in line
    assert "4 numeric columns, 2 text columns (one stored value a row each)" in line
    assert "--drop" in line and "--dtype float32" in line and not os.path.exists(files / "never.npz")
