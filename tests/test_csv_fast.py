"""The row check's NumPy path and the text column checks on distinct values give exactly what the
per-line csv module and the per-cell checks give: the same header, or the same error message."""
import io
import random
import re

import numpy as np
import pytest

pd = pytest.importorskip("pandas")

from chainrule.data import columns, csvfile, separators  # noqa: E402
from chainrule.data.lines import Lines, file_lines  # noqa: E402
from chainrule.data.oddnumbers import odd_kind  # noqa: E402
from chainrule.errors import ValidationError  # noqa: E402


@pytest.fixture(autouse=True)
def in_the_commands_words():
    """The checks' messages in the command's words, as the references here write them (Python's words:
    tests/test_files_8.py)."""
    from chainrule.data.advice import command_words
    with command_words():
        yield


def outcome(f, *args):
    try:
        return "ok", f(*args)
    except ValidationError as exc:
        return "error", str(exc)
    except IndexError as exc:          # the per-cell check's own failure on text that is all numbers
        return "IndexError", str(exc)


# ---- the row check -------------------------------------------------------------------------------

TOKENS = ["1", "2.5", "abc", "", " ", "é", "x y", "\xa0", "\x85", "\ufeff", "\x0c", "-"]
BLANKS = ["", " ", "\t", "  \t ", "\xa0", "\x85", "\x0c", "\ufeff"]


def random_text(rng: random.Random, sep: str) -> str:
    """A small CSV text with the awkward cases mixed in at random places."""
    width = rng.randint(1, 5)
    header = [f"c{i}" for i in range(width)]
    if rng.random() < 0.1 and width > 1:
        header[-1] = header[0]                                  # a column name twice
    lines = [sep.join(header)]
    for _ in range(rng.randint(0, 12)):
        kind = rng.random()
        if kind < 0.15:
            lines.append(rng.choice(BLANKS))                    # blank or white space only (in str, not bytes)
        elif kind < 0.25:
            lines.append(sep.join(rng.choice(TOKENS) for _ in range(width + rng.choice([-1, 1]))))   # ragged
        elif kind < 0.3:
            lines.append(sep.join(" " for _ in range(width)))  # white space between separators
        else:
            lines.append(sep.join(rng.choice(TOKENS) for _ in range(width)))
    if rng.random() < 0.1:
        at = rng.randrange(len(lines))
        lines[at] = '"a' + sep + '\nb"' + sep * (width - 1)    # a quoted field holding a separator and a line end
    if rng.random() < 0.1:
        lines.insert(0, rng.choice(BLANKS[:4]))                 # blank lines before the header
    end = rng.choice(["\n", "\r\n"])
    text = end.join(lines)
    if rng.random() < 0.05:
        text = text.replace("\n", "\r", 1)                      # a lone carriage return
    return text + (end if rng.random() < 0.7 else "")         # the last line may have no line end


def check_both(text: str, sep: str, encoding: str | None):
    """(fast path's outcome, csv module's outcome, whether the fast path decided) on `text` in
    `encoding` (characters it lacks as '?')."""
    codec = encoding or "utf-8-sig"
    data = text.encode(codec, errors="replace")
    decoded = data.decode(codec)
    fast = outcome(csvfile._check_rows, decoded, sep, "f.csv", data, codec)
    decided = csvfile._fast_header(decoded, data, sep, codec) is not None
    return fast, outcome(csvfile._check_rows, decoded, sep, "f.csv"), decided


@pytest.mark.parametrize("block", [3, 7, csvfile.BLOCK])
@pytest.mark.parametrize("encoding", [None, "utf-8", "latin-1", "cp1252", "utf-16"])
def test_row_check_fast_path_matches_csv_module(monkeypatch, block, encoding):
    monkeypatch.setattr(csvfile, "BLOCK", block)
    rng = random.Random(f"{block}-{encoding}")
    errors = decided = 0
    for _ in range(400):
        sep = rng.choice(separators.SEPARATORS)
        fast, slow, fast_decided = check_both(random_text(rng, sep), sep, encoding)
        assert fast == slow
        errors += slow[0] == "error"
        decided += fast_decided
    assert 50 < errors < 350                                    # both outcomes were compared often
    assert (decided > 50) if encoding != "utf-16" else decided == 0


@pytest.mark.parametrize("block", [3, 7, csvfile.BLOCK])
def test_row_lines_of_the_fast_path_are_the_csv_modules(monkeypatch, block):
    """Each data row's file line (blank lines, quoted line ends before it) as the csv module counts it."""
    monkeypatch.setattr(csvfile, "BLOCK", block)
    rng = random.Random(f"lines-{block}")
    compared = 0
    for _ in range(600):
        sep = rng.choice(separators.SEPARATORS)
        text = random_text(rng, sep)
        fast, slow = Lines(), Lines()
        try:
            csvfile._check_rows(text, sep, "f.csv", text.encode(), "utf-8", fast)
            csvfile._check_rows(text, sep, "f.csv", None, "utf-8", slow)
        except ValidationError:
            continue
        rows = np.arange(slow.n)
        assert fast(rows).tolist() == slow(rows).tolist(), text
        compared += slow(rows)[-1:].tolist() != [slow.n + 1]         # a row after a blank or multi-line one
    assert compared > 30


def test_row_lines():
    lines = Lines.skipping(3, [5, 6, 9])                       # header on line 2; blank lines 5, 6 and 9
    assert lines(range(6)).tolist() == [3, 4, 7, 8, 10, 11]
    lines = Lines()
    lines.extend([2, 3, 6])
    lines.extend([7, 9])
    assert lines(range(5)).tolist() == [2, 3, 6, 7, 9] and (lines.starts, lines.lines) == ([0, 2, 4], [2, 6, 9])
    df = csvfile.read_csv(io.BytesIO(b'a,b\n1,2\n\n"x\ny",3\n4,5\n'))
    assert df.attrs["lines"](range(3)).tolist() == [2, 4, 6]
    assert file_lines(df["b"], [2]).tolist() == [6] and file_lines(df.iloc[1:], [1]).tolist() == [6]


@pytest.mark.parametrize("text, header", [
    ("a,b\n1,2\n3,4\n", ["a", "b"]),
    ("a,b\r\n1,2\r\n\r\n3,4", ["a", "b"]),                      # \r\n, a blank line, no final line end
    ("\n  \na;b;c\n1;2;3\n \t \n4;5;6\n", ["a", "b", "c"]),     # blank lines before the header and between rows
    ("\ufeffa\tb\n1\t2\n", ["a", "b"]),                       # the BOM is not part of the first name
    ("x\n1\n\n2\n", ["x"]),
    ("a,b\n1,2\n\xa0\n\x85\n", ["a", "b"]),                    # white space to str (not to bytes) is blank
])
def test_fast_path_is_taken_for_plain_files(text, header):
    data = text.encode("utf-8")
    sep = separators.detect_separator(data.decode("utf-8-sig"))[0]
    assert csvfile._fast_header(data.decode("utf-8-sig"), data, sep, "utf-8-sig") == header


@pytest.mark.parametrize("text, encoding", [
    ('a,b\n"1,5",2\n', "utf-8"),                               # quotes
    ("a,b\n1,2\r3,4\n", "utf-8"),                              # a lone carriage return
    ("a,b\n1,2\n3\n", "utf-8"),                                # a ragged row: the csv module words the error
    ("a,b\n1,2\n\ufeff\n", "utf-8-sig"),                        # a BOM inside the file is a character, not blank
    ("a,b\n1,2\n", "utf-16"),                                  # not ASCII underneath
])
def test_fast_path_leaves_doubtful_files_to_csv_module(text, encoding):
    data = text.encode(encoding)
    assert csvfile._fast_header(data.decode(encoding), data, ",", encoding) is None


@pytest.mark.parametrize("text", ["a,b\n1,2\n" + "x" * 50 + ",3\n", "a,b\n1,2\n3," + "x" * 50,
                                  "\n" + "x" * 50 + ",b\n1,2\n"])
def test_fast_path_respects_csv_field_limit(text):
    """A line longer than the csv module's field limit (in a row or the header) goes to the csv
    module, which refuses it."""
    data = text.encode()
    old = csvfile.csv.field_size_limit(20)
    try:
        assert csvfile._fast_header(text, data, ",", "utf-8") is None
        fast = outcome(csvfile._check_rows, text, ",", "f.csv", data)
        assert fast == outcome(csvfile._check_rows, text, ",", "f.csv")
        assert "field larger than field limit" in fast[1]
    finally:
        csvfile.csv.field_size_limit(old)


@pytest.mark.parametrize("text, encoding", [
    ("a;b\n1,5;2\n3,5;4\n", None),
    ("a,b\r\n1,2\r\n\r\n3,x\r\n", "latin-1"),
    ("a,b\n1,2\n3\n4,5,6\n", None),
    ("a,a\n1,2\n", None),
    ('a,b\n"1\n2",3\n', "cp1252"),
    ("a\tb\n1\t2\n", "utf-16"),
])
def test_read_csv_same_with_and_without_fast_path(monkeypatch, text, encoding):
    data = text.encode(encoding or "utf-8")

    def read():
        try:
            df = csvfile.read_csv(io.BytesIO(data), encoding=encoding)
            return "ok", df.to_dict("list"), df.attrs["csv"]
        except ValidationError as exc:
            return "error", str(exc)
    fast = read()
    monkeypatch.setattr(csvfile, "_fast_header", lambda *args: None)
    assert fast == read()


# ---- the text column checks ------------------------------------------------------------------------

def old_text_reason(col) -> str:
    """columns.text_reason as it was: every cell parsed."""
    values = col.astype("string")
    bad = values.notna() & pd.to_numeric(values, errors="coerce").isna()
    if not bad.any():
        return "chosen as text"
    return f"not numbers, e.g. {csvfile.short(values[bad].iloc[0])} on {columns._line(col, bad)}"


def old_check_text_column(col, name: str) -> None:
    """columns.check_text_column cell by cell: every cell parsed (commas in numbers before anything else)."""
    short, _line = csvfile.short, columns._line
    values = col.dropna().astype("string").str.strip()
    if len(values) == 0:
        return
    nums = pd.to_numeric(values, errors="coerce")
    ok = nums.notna()
    commas = ~ok & values.str.contains(",", regex=False)
    thousands = commas & values.str.fullmatch(r"-?[1-9]\d{0,2}(,\d{3})+(\.\d+)?")
    european = commas & values.str.fullmatch(r"-?[1-9]\d{0,2}(\.\d{3})+(,\d*)?")
    decimal = commas & pd.to_numeric(values.where(~european, values.str.replace(".", "", regex=False))
                                      .str.replace(",", ".", regex=False), errors="coerce").notna()
    found = None
    if thousands.any() and not (commas & ~thousands).any() and (ok | thousands).mean() > 0.5:
        found = thousands, "thousands separators", "--thousands ','"
    elif decimal.any() and (ok | decimal).mean() > 0.5:
        found = (decimal, "a decimal comma and '.' between thousands", "--decimal ',' --thousands '.'") \
            if european.any() else (decimal, "a decimal comma", "--decimal ','")
    if found is not None:
        cells, how, give = found
        first = values[cells].iloc[0]
        raise ValidationError(f"column {short(name)} holds numbers with {how} (e.g. {short(first)} on "
                              f"{_line(col, col.index.isin(values[cells].index[:1]))}): give {give}")
    if ok.sum() == 0:
        return
    if ok.mean() >= 0.5:
        bad = values[~ok]
        kinds = list(dict.fromkeys(col.dropna().astype("string")[~ok].tolist()))      # as written
        line = _line(col, col.index.isin(bad.index[:1]))
        listed = ", ".join(short(v) for v in kinds[:3]) + (f" and {len(kinds) - 3} more" if len(kinds) > 3 else "")
        words = [k for k in kinds if k.strip().lower() in ("true", "false", "yes", "no", "y", "n")]
        if words:           # a yes/no word is a value, not a missing one: no --na-values advised
            raise ValidationError(
                f"column {short(name)} is numbers except {len(bad)} of {len(values)} cells ({listed}; first on "
                f"{line}), so it would be read as text, with one category per number; {words[0]!r} is a yes/no word, "
                "values, not missing ones: correct such cells in the file (a yes/no as 1 or 0; a date where a number "
                "belongs is most often a number a spreadsheet turned into a date, or a row whose fields are shifted), "
                f"or --text {short(name)} to use the column as text categories")
        # --na-values splits at commas and strips each marker: advised only where it reads every such cell
        markers = ",".join(kinds)
        na = "," not in "".join(kinds) and all(k == k.strip() != "" for k in kinds) and len(repr(markers)) <= 60
        way = f"--na-values {markers!r} to read such cells as missing (and --impute to fill them), or " if na else ""
        raise ValidationError(
            f"column {short(name)} is numbers except {len(bad)} of {len(values)} cells ({listed}; first on "
            f"{line}), so it would be read as text with one category per number. Give {way}--text {short(name)} "
            "to use the column as text categories" + pandas_note(kinds))


def pandas_note(kinds: list) -> str:
    """What the error adds where every odd cell is one pandas.read_csv reads as missing by default (its own list)
    and chainrule reads as text (all but its markers '', NA, NaN, nan)."""
    from pandas._libs.parsers import STR_NA_VALUES
    if not all(k in STR_NA_VALUES and k not in ("", "NA", "NaN", "nan") for k in kinds):
        return ""
    return f" ({'it is' if len(kinds) == 1 else 'they are'} missing to pandas.read_csv by default, text to " \
        "chainrule unless told)"


NUMBERS = ["1", "2.5", " 3 ", "-4", "1e3", "inf", "-inf", "1e400", "18446744073709551616", "-9223372036854775809",
           "0x10", "  7", "nan", "NaN"]
COMMAS = ["1,5", " 2,25", "-3,0", "1,2,3", "4,", "1,234", "-12,500.5", "0,125", "1.234,5", "2.000.000", "1,23,456"]
OTHERS = ["?", "n/a", "-", "", " ", "abc", "a b", " ? ", "True", "x" * 60]
MISSING = [None, np.nan, pd.NA]
PYTHON = [1, 2.5, True, -3, 1e300]                             # an object column may hold other types


def random_column(rng: random.Random):
    pools = [NUMBERS, COMMAS, OTHERS, MISSING, PYTHON]
    weights = [rng.random() ** 2 for _ in pools]
    n = rng.randint(0, 40)
    values = [rng.choice(rng.choices(pools, weights)[0]) for _ in range(n)]
    index = list(range(n))
    if rng.random() < 0.3:
        rng.shuffle(index)
    if rng.random() < 0.2 and n:
        index = [rng.randrange(max(1, n // 3)) for _ in range(n)]   # repeated labels
    if rng.random() < 0.3 and all(isinstance(v, str) or v is None for v in values):
        return pd.Series(values, index=index, dtype="str")           # as pandas reads a text column
    return pd.Series(values, index=index, dtype=object)


def test_text_checks_match_per_cell_checks():
    rng = random.Random(7)
    kinds = set()
    for _ in range(1500):
        col = random_column(rng)
        new, old = outcome(columns.check_text_column, col, "c"), outcome(old_check_text_column, col, "c")
        said = new[0] == "error" and re.search(r"holds (?:a|an) [^(]*\((.*) on (?:row|line) ", new[1])
        if said and said.group(1) in {repr(str(v)) for v in col}:     # a number pandas keeps as text, named
            cell = next(str(v) for v in col if repr(str(v)) == said.group(1))
            assert odd_kind(cell) is not None and old[0] in ("error", "IndexError"), (new, old)
        elif old[0] == "IndexError":     # the per-cell check crashed on text that is all numbers: now named
            assert new[0] == "error" and "numbers stored as text" in new[1], new
        else:
            assert new == old, (col.tolist(), col.index.tolist())
        assert columns.text_reason(col) == old_text_reason(col), col.tolist()
        kinds.add(old[1].split(" ")[2] if old[0] == "error" else old[0])
    assert {"ok", "holds", "is"} <= kinds                      # both refusals were compared


def from_a_file(col):
    """`col` as a column read_csv gives (its attrs say the file): its cells are named by file line, a
    Series given as it is by its index labels."""
    col.attrs["csv"] = {"name": "t.csv"}
    return col


@pytest.mark.parametrize("cells, found", [
    (["1,5", "2", "3,25", "5", "7", "1"], "a decimal comma (e.g. '1,5' on line 2): give --decimal ','"),
    (["5", "1,5", "?", "2"], "a decimal comma (e.g. '1,5' on line 3): give --decimal ','"),
    (["1,234", "12,500", "3,000", "45,000.5", "7"], "thousands separators (e.g. '1,234' on line 2): give "
                                                    "--thousands ','"),
    (["1,234", "1,5", "3"], "a decimal comma (e.g. '1,234' on line 2): give --decimal ','"),   # 1,5 is no thousands
    (["3", "1.234,5", "2,5"], "a decimal comma and '.' between thousands (e.g. '1.234,5' on line 3): give "
                              "--decimal ',' --thousands '.'"),
])
def test_numbers_with_commas_among_whole_numbers_are_named(cells, found):
    """A column mixing whole numbers with '1,5' (or '1,234') was 'numbers except ... Give --na-values
    '1,5'' (which --na-values splits on its comma) or, with fewer whole numbers, text categories."""
    with pytest.raises(ValidationError) as exc:
        columns.check_text_column(from_a_file(pd.Series(cells, dtype="str")), "c")
    assert str(exc.value) == f"column 'c' holds numbers with {found}"


def test_text_checks_on_a_long_column():
    """Many cells, few distinct values: the counts, the first line and the order of kinds."""
    rng = np.random.default_rng(0)
    cells = rng.choice(np.array(["1.5", "2", "?", "n/a", " 7 ", "-"], dtype=object), size=20000,
                       p=[0.4, 0.3, 0.1, 0.1, 0.05, 0.05])
    for col in (pd.Series(cells), pd.Series(cells, dtype="str"), pd.Series(np.r_[["x"] * 5, cells][5:])):
        assert outcome(columns.check_text_column, col, "c") == outcome(old_check_text_column, col, "c")
        assert outcome(columns.check_text_column, col, "c")[0] == "error"
        assert columns.text_reason(col) == old_text_reason(col)
    commas = pd.Series(rng.choice(np.array(["1,5", "2,0", "abc", None], dtype=object), size=5000,
                                  p=[0.5, 0.3, 0.1, 0.1]))
    assert outcome(columns.check_text_column, commas, "c") == outcome(old_check_text_column, commas, "c")
    assert "decimal comma" in outcome(columns.check_text_column, commas, "c")[1]


def test_numbers_stored_as_text_are_named():
    col = from_a_file(pd.Series([None, "12", " 3.5", "7"], index=[0, 1, 2, 3], dtype=object))
    with pytest.raises(ValidationError, match=r"column 'n' holds numbers stored as text \(e.g. '12' on line 3\): "
                                              r"convert it to numbers, or give --text 'n'"):
        columns.check_text_column(col, "n")


@pytest.mark.parametrize("values, expected", [
    (np.arange(100, 120), True),                                 # a row number
    (np.random.default_rng(0).permutation(20) + 5, True),        # shuffled, still consecutive
    (np.arange(20) * 2, False),                                  # distinct, not consecutive
    (np.r_[np.arange(19), 3], False),                            # consecutive range, one repeated
    (np.arange(20) + 0.5, False),                                # not integers
    (np.array([f"id{i}" for i in range(20)], dtype=object), True),   # text unique per row
    (np.array([f"id{i % 19}" for i in range(20)], dtype=object), False),
    (np.arange(5), False),                                       # too few rows to tell
])
def test_looks_like_id(values, expected):
    assert columns.looks_like_id(pd.Series(values)) is expected


def test_first_lines_equal_splitlines():
    rng = random.Random(3)
    pieces = ["a,b", "1;2", "", " ", "\r", "\n", "\r\n", "\x0c", "\x85", "\u2028", "x\ty", "é"]
    for _ in range(3000):
        text = "".join(rng.choice(pieces) for _ in range(rng.randrange(0, 40)))
        k = rng.randrange(0, 12)
        assert separators._first_lines(text, k) == text.splitlines()[:k], (text, k)
