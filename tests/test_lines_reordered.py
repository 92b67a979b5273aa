"""A table read by read_csv then reordered or filtered (sample, sort_values, a boolean mask keep its attrs)
had its rows named by position as if they were still in file order: a missing value on file line 5 was said
to be on line 7. Its index labels number the file's rows: the line is read through them (data/lines.py),
checked here against the file's own text; labels that are not row numbers (set_index) name the row."""
import pytest

from chainrule.data.csvfile import read_csv
from chainrule.data.tabular import Preprocessing
from chainrule.errors import ValidationError

# a blank line and a cell over two lines move the rows after them down (the file's Lines map)
pytestmark = pytest.mark.filterwarnings("ignore:.*read as one row:UserWarning")

TEXT = 'x,c,y\n1,a,0\n2,"b\nb",1\n\n3,a,0\n,b,1\n5,a,0\n6,b,1\n7,a,nope\n'


def line_of(text, start):
    """The file line (the header is 1) that starts with `start`: the truth, from the text."""
    return next(i for i, line in enumerate(text.splitlines(), 1) if line.startswith(start))


@pytest.mark.parametrize("reorder", [
    lambda d: d,
    lambda d: d.sample(frac=1, random_state=1),
    lambda d: d.sort_values("c", kind="stable"),
    lambda d: d.sort_values("c", ascending=False, kind="stable"),
    lambda d: d[d["c"] != "a"],
    lambda d: d.iloc[::-1],
    lambda d: d.iloc[1::2],
], ids=["as read", "sample", "sort", "sort down", "mask", "reversed", "every other"])
def test_a_reordered_tables_missing_value_is_named_by_its_file_line(tmp_path, reorder):
    (tmp_path / "g.csv").write_text(TEXT)
    df = reorder(read_csv(tmp_path / "g.csv"))
    assert df["x"].isna().any()
    with pytest.raises(ValidationError) as caught:
        Preprocessing.fit(df, "c")
    assert f"a missing value in 'x' on line {line_of(TEXT, ',b,1')}." in str(caught.value)


def test_a_reordered_tables_missing_values_are_named_by_their_file_lines(tmp_path):
    import re
    text = TEXT.replace("6,b,1", ",b,1").replace("\n1,a,0", "\n,a,0")
    (tmp_path / "g.csv").write_text(text)
    df = read_csv(tmp_path / "g.csv").sample(frac=1, random_state=3)
    with pytest.raises(ValidationError) as caught:
        Preprocessing.fit(df, "c")
    said = re.search(r"missing values in 'x' on lines (\d+), (\d+) and (\d+)\.", str(caught.value))
    truth = {i for i, line in enumerate(text.splitlines(), 1) if line.startswith(",")}
    assert said and {int(n) for n in said.groups()} == truth, str(caught.value)


def test_labels_that_are_not_row_numbers_name_the_row(tmp_path):
    (tmp_path / "g.csv").write_text(TEXT)
    df = read_csv(tmp_path / "g.csv").assign(k=list("pqrstuv")).set_index("k").sample(frac=1, random_state=1)
    with pytest.raises(ValidationError, match="a missing value in 'x' on row 's'."):
        Preprocessing.fit(df, "c")
