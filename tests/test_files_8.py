"""Reading tables and naming their rows: advice in the caller's words, lines listed in file order,
file_lines' contract; a checkpoint folder's lock recorded as held the moment it exists."""
import numpy as np
import pytest
from conftest import cmd

import chainrule as cr
from chainrule.errors import ValidationError
from chainrule.saving import runlock


def test_a_ctrl_c_just_after_the_checkpoint_lock_exists_leaves_no_lock(tmp_path, monkeypatch):
    # the interruption comes after the lock file exists and before fit's code after acquire runs
    real = runlock.acquire

    def interrupted(directory, *args, **kwargs):
        real(directory, *args, **kwargs)
        assert (directory / runlock.LOCKNAME).exists()
        raise KeyboardInterrupt
    monkeypatch.setattr(runlock, "acquire", interrupted)
    net = cr.Network([cr.Dense(2, 2, "sigmoid")], loss="mse")
    X = np.zeros((4, 2))
    with pytest.raises(KeyboardInterrupt):
        net.fit(X, X, epochs=1, verbose=0, checkpoint_dir=tmp_path / "ck")
    assert not (tmp_path / "ck" / runlock.LOCKNAME).exists()
    monkeypatch.setattr(runlock, "acquire", real)
    net.fit(X, X, epochs=1, verbose=0, checkpoint_dir=tmp_path / "ck")       # the folder is free again


def _csv_with_gaps(tmp_path):
    """A file whose column 'a' is empty on a few lines; those lines, counted in its text."""
    rows = [f"{'' if i % 4 == 1 else i},{i % 3},{'x' if i % 2 else 'y'}" for i in range(24)]
    path = tmp_path / "gaps.csv"
    path.write_text("a,b,t\n" + "\n".join(rows) + "\n")
    gaps = [n for n, line in enumerate(path.read_text().splitlines(), start=1) if line.startswith(",")]
    return path, gaps


def test_a_shuffled_frames_missing_values_are_listed_in_file_order(tmp_path):
    from chainrule.data.tabular import Preprocessing, read_csv
    path, gaps = _csv_with_gaps(tmp_path)
    df = read_csv(path).sample(frac=1.0, random_state=3)            # rows in another order, labels kept
    with pytest.raises(ValidationError) as e:
        Preprocessing.fit(df, "t")
    shown = ", ".join(str(n) for n in gaps[:4]) + f", {gaps[4]} and {len(gaps) - 5} more"
    assert f"'a' on lines {shown}" in str(e.value)


def test_a_shuffled_frames_target_gaps_and_first_bad_cell_name_the_earliest_lines(tmp_path):
    from chainrule.data.tabular import Preprocessing, read_csv
    path = tmp_path / "t.csv"
    lines = ["a,t"] + [f"{i},{'' if i in (3, 9, 15) else ('oops' if i in (5, 11) else i * 0.5)}" for i in range(20)]
    path.write_text("\n".join(lines) + "\n")
    df = read_csv(path).sample(frac=1.0, random_state=1)
    with pytest.raises(ValidationError, match=r"on lines 5, 11 and 17;"):  # rows 3, 9, 15: lines 5, 11, 17, a remedy
        Preprocessing.fit(df, "t")
    pre = Preprocessing.fit(read_csv(path).dropna().query("t != 'oops'").astype({"t": float}), "t",
                            task="regression")
    with pytest.raises(ValidationError, match=r"line 7 has 'oops'"):            # row 5, the file's first
        pre.encode_target(df.dropna())


def test_file_lines_refuses_labels_that_are_not_row_numbers(tmp_path):
    from chainrule.data.lines import file_lines, place
    from chainrule.data.tabular import read_csv
    path, gaps = _csv_with_gaps(tmp_path)
    df = read_csv(path)
    assert file_lines(df, [0, 1]).tolist() == [2, 3]
    named = df.set_index("t")
    with pytest.raises(ValueError, match=r"index labels \(e\.g\. 'y'\) are not its file's row numbers"):
        file_lines(named, [0])
    assert place(named, 1) == "row 'x'"                       # named by label, never a line it is not on


# each refusal of a table's column: (file, Python's advice to Preprocessing.fit, what following it is, CsvStream's
# advice, what following that is, the command's)
ADVICE = [
    ("a,y\n1,2\n?,3\n4,2\n5,3\n",
     "Read the file with na_values=['?'] (read_csv, chainrule's or pandas') to read such cells as missing (and "
     "impute= to fill them), or text_columns=['a'] to use the column as text categories",
     ({"na_values": ["?"]}, {"impute": "median"}),
     "Read the file with CsvStream(path, na_values=['?']) to read such cells as missing (and impute= to fill them), "
     "or text_columns=['a'] to use the column as text categories", ({"na_values": ["?"]}, {"impute": "median"}),
     "Give --na-values '?' to read such cells as missing (and --impute to fill them), or --text 'a' to use the column "
     "as text categories"),
    ("a;y\n5;2\n1,5;3\n7;2\n8;3\n", "read the file with decimal=',' (read_csv, chainrule's or pandas')",
     ({"decimal": ","}, {}), "read the file with CsvStream(path, decimal=',')", ({"decimal": ","}, {}),
     "give --decimal ','"),
    ('a,y\n7,2\n"1,234",2\n"12,500",3\n', "read the file with thousands=',' (read_csv, chainrule's or pandas')",
     ({"thousands": ","}, {}), "read the file with CsvStream(path, thousands=',')", ({"thousands": ","}, {}),
     "give --thousands ','"),
    # a number with a no-break space is told to remove the space (the sed line, applied by
    # test_rev_data68_odd_numbers.py::test_the_sed_line_given_makes_the_column_numbers), in the same words everywhere
    ("a,b,y\n1 days 02:00:00,1,2\n0 days 01:00:00,2,3\n", "or give text_columns=['a'] to use them as categories, or "
     "df.drop(columns=['a'])", ({}, {"drop": "a"}),
     "or give text_columns=['a'] to use them as categories, or fit(columns=[...]) without 'a'",
     ({}, {"columns": ["b", "y"]}), "or give --text 'a' to use them as categories, or --drop 'a'"),
    ("a,b,y\n1,,2\n,5,3\n3,6,2\n", "Fill them in, or use impute='mean', 'median' or 'most_frequent'",
     ({}, {"impute": "most_frequent"}), "Fill them in, or use impute='mean', 'median' or 'most_frequent'",
     ({}, {"impute": "most_frequent"}), "Fill them in, or use --impute mean|median|most_frequent"),
    ("a,b,y\n1,,2\n2,,3\n3,,2\n", "leave it out (df.drop(columns=['b']), or remove it from the file)",
     ({}, {"drop": "b"}), "leave it out (fit(columns=[...]) without 'b', or remove it from the file)",
     ({}, {"columns": ["a", "y"]}), "leave it out (chainrule train --drop 'b', or remove it from the file)"),
]


def _fit_as_advised(path, reading, fitting):
    """Preprocessing.fit after doing what Python's advice says: the advice names what a caller can give."""
    import pandas as pd

    from chainrule.data.tabular import Preprocessing, read_csv
    df = pd.read_csv(path, sep=read_csv(path).attrs["csv"]["sep"], **reading)     # pandas given the file's separator
    if "drop" in fitting:
        df = df.drop(columns=[fitting.pop("drop")])
    return Preprocessing.fit(df, "y", **fitting)


@pytest.mark.parametrize("content, python, advised, streamed, stream_advised, command", ADVICE)
def test_a_refusal_names_its_callers_arguments_and_the_command_its_options(tmp_path, content, python, advised,
                                                                          streamed, stream_advised, command):
    """Preprocessing.fit names its arguments and read_csv's, CsvStream (no DataFrame) its own options and fit's
    columns=, the command its options; each advice, followed, fits."""
    import pandas as pd

    from chainrule.data.stream import CsvStream
    from chainrule.data.tabular import Preprocessing, read_csv
    path = tmp_path / "t.csv"
    path.write_text(content)
    sep = read_csv(path).attrs["csv"]["sep"]
    for table in (read_csv(path), pd.read_csv(path, sep=sep)):      # chainrule's reader, and a caller's own frame
        with pytest.raises(ValidationError) as e:
            Preprocessing.fit(table, "y")
        assert python in str(e.value) and " --" not in str(e.value), str(e.value)
    with pytest.raises(ValidationError) as e, CsvStream(path, rows=2) as stream:
        stream.fit("y")
    assert streamed in str(e.value) and " --" not in str(e.value) and "df." not in str(e.value), str(e.value)
    _fit_as_advised(path, *advised)                         # doing as told works
    with CsvStream(path, rows=2, **stream_advised[0]) as stream:
        assert stream.fit("y", **stream_advised[1]).n_features > 0
    run = cmd("train", path, "--target", "y", "--out", tmp_path / "m.npz")
    assert run.returncode == 2 and command in run.stderr, run.stderr


def test_warnings_from_python_name_python_arguments_and_the_commands_stay(tmp_path):
    import pandas as pd

    from chainrule.data.columns import ColumnWarning
    from chainrule.data.tabular import Preprocessing
    df = pd.DataFrame({"id": range(40), "c": [f"v{i}" for i in range(40)], "y": [0, 1] * 20})
    with pytest.warns(ColumnWarning) as said:
        Preprocessing.fit(df, "y", max_categories=3)
    text = " ".join(str(w.message) for w in said)
    assert "leave it out with df.drop(columns=['id'])" in text and "with max_categories=, or leave the column out " \
        "with df.drop(columns=...)" in text and " --" not in text
    df.to_csv(tmp_path / "t.csv", index=False)
    run = cmd("train", tmp_path / "t.csv", "--target", "y", "--max-categories", "3", "--epochs", "1",
              "--out", tmp_path / "m.npz")
    assert "leave it out with --drop 'id'" in run.stderr and "raise the limit with --max-categories, or leave the " \
        "column out with --drop)" in run.stderr, run.stderr


def test_fit_and_transform_from_python_name_task_impute_and_dtype_as_arguments():
    import re

    import pandas as pd

    from chainrule.data.columns import ColumnWarning
    from chainrule.data.tabular import Preprocessing
    df = pd.DataFrame({"a": [1.0, 2, 3, 4], "b": [0.5, 1, 0, 2], "y": ["u", "v", "u", "w"]})
    with pytest.raises(ValidationError, match=re.escape("(use task='classification' for labels)")):
        Preprocessing.fit(df, "y", task="regression")
    gap = df.assign(a=[1, None, 3, 4])
    with pytest.raises(ValidationError, match=re.escape("(train with impute= to fill them)")):
        Preprocessing.fit(df, "y").transform(gap)
    assert np.isfinite(Preprocessing.fit(df, "y", impute="median").transform(gap)).all()     # as told
    with pytest.raises(ValidationError, match=re.escape("scale the column, or transform with dtype='float64'")):
        Preprocessing.fit(df, "y").transform(df.assign(b=[0, 1, 2, 1e300]), dtype=np.float32)
    assert Preprocessing.fit(df, "y").transform(df.assign(b=[0, 1, 2, 1e300]), dtype="float64").dtype == np.float64
    spread = pd.DataFrame({"a": range(20), "y": np.linspace(0, 1, 20)})
    with pytest.warns(ColumnWarning, match=re.escape("a regression target? (task='regression')")):
        Preprocessing.fit(spread, "y", task="classification")


def test_a_wrong_separator_is_told_as_read_csvs_argument_from_python_and_as_the_option_by_the_command(tmp_path):
    import pandas as pd

    from chainrule.data.tabular import read_csv
    path = tmp_path / "semi.csv"
    path.write_text("a;b;y\n1;2;0\n3,5;4;1\n")
    with pytest.raises(ValidationError) as e:
        read_csv(path, sep=",")
    assert str(e.value).endswith("is the separator ';'? (read it with sep=';')")
    assert read_csv(path, sep=";").shape == pd.read_csv(path, sep=";").shape == (2, 3)     # as told
    run = cmd("train", path, "--target", "y", "--sep", ",", "--out", tmp_path / "m.npz")
    assert run.returncode == 2 and "is the separator ';'? (give --sep ';')" in run.stderr, run.stderr


def test_a_shuffled_frames_text_checks_name_the_files_first_cell(tmp_path):
    from chainrule.data.columns import text_reason
    from chainrule.data.tabular import Preprocessing, read_csv
    path = tmp_path / "p.csv"
    cells = ["1", "2", "n/a", "4", "5", "?", "7", "8", "9", "10"]            # 'n/a' on line 4, '?' on line 7
    path.write_text("a,y\n" + "".join(f"{c},{i % 2}\n" for i, c in enumerate(cells)))
    df = read_csv(path).iloc[::-1]                                        # '?' comes first in the frame
    with pytest.raises(ValidationError, match=r"\('n/a', '\?'; first on line 4\).* na_values=\['n/a', '\?'\]"):
        Preprocessing.fit(df, "y")
    assert text_reason(df["a"]) == "not numbers, e.g. 'n/a' on line 4"


def test_a_weight_columns_refusal_from_python_names_no_option(tmp_path):
    import pandas as pd

    from chainrule.data.statistics import column_weights
    with pytest.raises(ValidationError) as e:
        column_weights(pd.Series(["1", "-1"], name="w"), "w")
    assert str(e.value) == "weight column 'w' must hold numbers >= 0; line 3 has '-1'"
