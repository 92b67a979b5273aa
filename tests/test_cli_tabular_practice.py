"""CSV files as people have them, through train, evaluate and predict: what each says where the file is not
as the model expects."""
import numpy as np
import pandas as pd
import pytest
from conftest import cmd


def error_line(r) -> str:
    assert r.returncode == 2, (r.returncode, r.stderr)
    assert "Traceback" not in r.stderr, r.stderr
    return r.stderr.strip().splitlines()[-1]


def churn(n: int = 120, seed: int = 0) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    df = pd.DataFrame({"age": rng.integers(18, 80, n), "income": rng.normal(50_000, 15_000, n).round(2),
                       "city": rng.choice(["Paris", "Lyon", "Nice"], n)})
    df["churn"] = np.where(df["income"] > 50_000, "stay", "leave")
    return df


def test_evaluate_names_the_lines_and_count_of_a_class_unseen_in_training(tmp_path):
    """A test file holding a class training never saw: evaluate said 'the class 'maybe', unseen in training',
    naming neither the other unseen classes, nor the lines, nor how many rows; read in chunks alike."""
    df = churn()
    df.to_csv(tmp_path / "train.csv", index=False)
    model = tmp_path / "m.npz"
    assert cmd("train", tmp_path / "train.csv", "--target", "churn", "--epochs", "2", "--quiet",
               "--out", model).returncode == 0
    test = df.copy()
    test.loc[[4, 60, 119], "churn"] = ["maybe", "unknown", "maybe"]
    test.to_csv(tmp_path / "test.csv", index=False)
    unseen = ~test["churn"].isin(df["churn"])
    lines = ", ".join(map(str, test.index[unseen][:-1] + 2)) + f" and {test.index[unseen][-1] + 2}"
    for chunk in ([], ["--chunk-rows", "50"]):
        said = error_line(cmd("evaluate", model, tmp_path / "test.csv", *chunk))
        assert "classes unseen in training, ['maybe', 'unknown']" in said, said
        assert f"on lines {lines} ({unseen.sum()} rows; the model's classes: ['leave', 'stay'])" in said, said


def spaced(value: float) -> str:
    """A number as a French spreadsheet writes it: a space between thousands, a decimal comma (1 234,5)."""
    return f"{value:,.2f}".replace(",", " ").replace(".", ",")


def test_thousands_separated_by_spaces_read_with_thousands_space(tmp_path):
    """--thousands ' ' (French and SI numbers, 1 234,5) was taken as 'none': the column of amounts became one
    category per number without a word. Its mean is pandas' (read_csv(thousands=' ', decimal=','))."""
    import chainrule as cr
    from chainrule.data.tabular import Preprocessing
    df = churn()
    csv = tmp_path / "fr.csv"
    df.assign(income=df["income"].map(spaced)).to_csv(csv, sep=";", index=False)
    assert pd.read_csv(csv, sep=";")["income"].dtype.kind not in "if"        # text to pandas unless told
    model = tmp_path / "m.npz"
    r = cmd("train", csv, "--target", "churn", "--decimal", ",", "--thousands", " ", "--val-split", "0",
            "--epochs", "1", "--out", model)
    assert r.returncode == 0, r.stderr
    pre = Preprocessing.from_json(cr.load(model, with_extra=True)[1]["tabular"])
    truth = pd.read_csv(csv, sep=";", decimal=",", thousands=" ")["income"]
    assert truth.dtype.kind == "f" and "income" in pre.numeric
    assert np.isclose(pre.means[pre.numeric.index("income")], truth.mean())
    predicted = cmd("predict", model, csv)                               # the model's reading, kept
    assert predicted.returncode == 0 and "unseen" not in predicted.stderr, predicted.stderr


def test_numbers_with_spaces_between_thousands_are_refused_with_the_options_that_read_them(tmp_path):
    """A French spreadsheet's amounts (1 234,5, its spaces plain or no-break) were read as text, one category per
    amount, without a word (or, with --decimal ',', the amounts below 1,000 as numbers and the rest as text). Now
    refused, naming the options; those options, after the advised replacement of no-break spaces, read the
    column as pandas reads it with them."""
    df = churn()
    model = tmp_path / "m.npz"
    for space in (" ", "\u00a0", "\u202f"):
        csv = tmp_path / "fr.csv"
        df.assign(income=df["income"].map(spaced).str.replace(" ", space)).to_csv(csv, sep=";", index=False)
        for options in ([], ["--decimal", ","], ["--stream"]):
            said = error_line(cmd("train", csv, "--target", "churn", "--epochs", "1", "--out", model, *options))
            assert "column 'income' holds numbers with a decimal comma and spaces between thousands" in said, said
            # the mark already read (--decimal ',') is not named again
            assert ("give --thousands ' '" if "--decimal" in options else "give --decimal ',' --thousands ' '") in said
            assert ("--decimal" in said) == ("--decimal" not in options), said
            assert ("no-break spaces" in said) == (space != " ")
        csv.write_text(csv.read_text(encoding="utf-8").replace(space, " "), encoding="utf-8")
        truth = pd.read_csv(csv, sep=";", decimal=",", thousands=" ")["income"]
        assert truth.dtype.kind == "f" and np.allclose(truth, df["income"])
        r = cmd("train", csv, "--target", "churn", "--epochs", "1", "--out", model, "--decimal", ",",
                "--thousands", " ")
        assert r.returncode == 0 and "numeric columns (2, standardised): ['age', 'income']" in r.stderr, r.stderr
    one = tmp_path / "one.csv"
    one.write_text("age;income;city\n30;1 234.5;Paris\n", encoding="utf-8")
    said = error_line(cmd("predict", model, one, "--decimal", ".", "--thousands", "none"))
    assert "line 2 has '1 234.5'; the file seems to write spaces between thousands: give --thousands ' '" in said


def test_a_target_of_amounts_written_as_text_is_refused_not_learnt_as_a_class_per_amount(tmp_path):
    """A price column written 4,198.07, or with an 'N/A' among its numbers, was read as text: train learnt a
    classifier of one class per price (a warning said 'an ID or free text?'). Now refused with the reading that
    makes it the regression pandas' read_csv(thousands=',') makes of it; a target of a few labels is classes as
    before, 'N/A' among them."""
    import chainrule as cr
    from chainrule.data.tabular import Preprocessing
    rng = np.random.default_rng(1)
    df = pd.DataFrame({"a": rng.normal(size=80), "b": rng.normal(size=80)})
    df["price"] = (df["a"] * 1000 + 5000).round(2)
    model = tmp_path / "m.npz"
    written = tmp_path / "thousands.csv"
    df.assign(price=df["price"].map("{:,.2f}".format)).to_csv(written, index=False)
    gaps = tmp_path / "gaps.csv"
    df.astype({"price": object}).assign(price=lambda d: d["price"].where(d.index != 5, "N/A")).to_csv(gaps, index=False)
    for stream in ([], ["--stream"]):
        said = error_line(cmd("train", written, "--target", "price", "--epochs", "1", "--out", model, *stream))
        first = f"{df['price'][0]:,.2f}"
        assert f"holds numbers with thousands separators (e.g. '{first}' on line 2): give --thousands ','" in said
        said = error_line(cmd("train", gaps, "--target", "price", "--epochs", "1", "--out", model, *stream))
        assert "target column 'price' is numbers except 1 of 80 cells ('N/A'; first on line 7)" in said, said
    r = cmd("train", written, "--target", "price", "--epochs", "1", "--out", model, "--thousands", ",",
            "--val-split", "0", "--quiet")
    assert r.returncode == 0, r.stderr
    pre = Preprocessing.from_json(cr.load(model, with_extra=True)[1]["tabular"])
    truth = pd.read_csv(written, thousands=",")["price"]
    assert pre.task == "regression" and np.isclose(pre.y_mean, truth.mean())
    labels = tmp_path / "labels.csv"
    df.assign(price=np.where(df["a"] > 0, "1", np.where(df["a"] > -1, "2", "N/A"))).to_csv(labels, index=False)
    r = cmd("train", labels, "--target", "price", "--epochs", "1", "--out", model, "--quiet")
    assert r.returncode == 0, r.stderr
    assert Preprocessing.from_json(cr.load(model, with_extra=True)[1]["tabular"]).classes == ["1", "2", "N/A"]


def test_evaluate_counts_a_regression_targets_text_cells_over_the_whole_file(tmp_path):
    """evaluate read in chunks counted a regression target's cells that are not numbers in the first chunk alone
    ('(7 such cells)' of 80 with --chunk-rows 7), and did not say which option reads 4,198.07."""
    rng = np.random.default_rng(2)
    df = pd.DataFrame({"a": rng.normal(size=80), "b": rng.normal(size=80)})
    df["price"] = (df["a"] * 1000 + 5000).round(2)
    df.to_csv(tmp_path / "train.csv", index=False)
    model = tmp_path / "m.npz"
    assert cmd("train", tmp_path / "train.csv", "--target", "price", "--epochs", "1", "--quiet",
               "--out", model).returncode == 0
    written = df.assign(price=df["price"].map("{:,.2f}".format))
    written.to_csv(tmp_path / "test.csv", index=False)
    as_text = pd.to_numeric(pd.read_csv(tmp_path / "test.csv")["price"], errors="coerce").isna()
    for chunk in ([], ["--chunk-rows", "7"]):
        said = error_line(cmd("evaluate", model, tmp_path / "test.csv", *chunk))
        assert (f"line 2 has '{written['price'][0]}' ({as_text.sum()} such cells); the file seems to write "
                "thousands separators: give --thousands ','") in said, said


def test_predict_and_evaluate_count_missing_values_over_the_whole_file_read_in_chunks(tmp_path):
    """Read in chunks (50,000 rows by default), predict and evaluate named the gaps of the first chunk that had
    any: 'a missing value in 'income' on line 5' where the file had seven. Now as the whole file's read says."""
    df = churn()
    df.to_csv(tmp_path / "train.csv", index=False)
    model = tmp_path / "m.npz"
    assert cmd("train", tmp_path / "train.csv", "--target", "churn", "--epochs", "1", "--quiet",
               "--out", model).returncode == 0
    test = df.astype({"city": object})
    test.loc[[3, 50, 70, 90, 100, 110, 119], "income"] = np.nan
    test.loc[[3, 60, 80], "city"] = ["None", np.nan, "<NA>"]         # missing where training learnt no such city
    for column, expected in (("income", "missing values in 'income' on lines 5, 52, 72, 92, 102 and 2 more"),
                             ("city", "missing values in 'city' on lines 5, 62 and 82")):
        kept = test.assign(**{c: df[c] for c in ("income", "city") if c != column})
        kept.to_csv(tmp_path / "gaps.csv", index=False)
        lines = np.flatnonzero(pd.read_csv(tmp_path / "gaps.csv", keep_default_na=False)[column]
                               .isin(["", "None", "<NA>"])) + 2
        assert (expected.startswith(f"missing values in '{column}' on lines {lines[0]}, {lines[1]}")
                and expected.endswith("and 2 more" if lines.size == 7 else f"and {lines[-1]}"))
        for command in ("predict", "evaluate"):
            for chunk in ([], ["--chunk-rows", "40"], ["--chunk-rows", "1"]):
                said = error_line(cmd(command, model, tmp_path / "gaps.csv", *chunk))
                assert expected in said, (command, chunk, said)


def test_an_unseen_value_that_is_a_category_but_for_its_spaces_is_said_so(tmp_path):
    """A spreadsheet's 'Paris  ' learnt in training and 'Paris' at predict time: the warning listed 'Paris' as
    unseen beside no word of the category it nearly is. Both stay apart, as pandas' read_csv and scikit-learn's
    OneHotEncoder keep them (the encoding, all zeros, is unchanged)."""
    from sklearn.preprocessing import OneHotEncoder
    df = churn()
    df.assign(city=df["city"] + "  ").to_csv(tmp_path / "train.csv", index=False)
    model = tmp_path / "m.npz"
    assert cmd("train", tmp_path / "train.csv", "--target", "churn", "--epochs", "1", "--quiet",
               "--out", model).returncode == 0
    new = pd.DataFrame({"age": [30], "income": [50_000.0], "city": ["Paris"]})
    new.to_csv(tmp_path / "new.csv", index=False)
    encoder = OneHotEncoder(handle_unknown="ignore").fit(pd.read_csv(tmp_path / "train.csv")[["city"]])
    assert encoder.transform(pd.read_csv(tmp_path / "new.csv")[["city"]]).sum() == 0      # unseen to sklearn too
    for chunk in ([], ["--chunk-rows", "1"]):
        r = cmd("predict", model, tmp_path / "new.csv", *chunk)
        assert r.returncode == 0, r.stderr
        assert "'Paris' is the training category 'Paris  ' but for the spaces around it" in r.stderr, r.stderr


def test_a_target_of_codes_that_repeat_is_classes_though_most_are_numbers(tmp_path):
    """Product codes (1000 to 1029, and 'A12', 'X99') and model years with an 'unknown' are classes that repeat,
    not amounts: the refusal of a target of numbers with placeholders refused them too (as 'numbers except 79 of
    300 cells'). A target whose labels each come about once (amounts) is still refused, by the rule that warns of
    a continuous target given --task classification."""
    import chainrule as cr
    from chainrule.data.tabular import Preprocessing
    rng = np.random.default_rng(3)
    n = 300
    df = pd.DataFrame({"a": rng.normal(size=n), "b": rng.normal(size=n)})
    labels = {"product": np.where(rng.random(n) < 0.2, rng.choice(["A12", "B7", "X99"], n),
                                  rng.choice([str(1000 + i) for i in range(30)], n)),
              "year": np.where(rng.random(n) < 0.1, "unknown", rng.choice([str(y) for y in range(1990, 2024)], n))}
    model = tmp_path / "m.npz"
    for name, label in labels.items():
        csv = tmp_path / f"{name}.csv"
        df.assign(y=label).to_csv(csv, index=False)
        truth = sorted(pd.read_csv(csv, dtype={"y": str})["y"].unique())
        for stream in ([], ["--stream"]):
            r = cmd("train", csv, "--target", "y", "--epochs", "1", "--quiet", "--out", model, *stream)
            assert r.returncode == 0, (name, stream, r.stderr)
            assert Preprocessing.from_json(cr.load(model, with_extra=True)[1]["tabular"]).classes == truth


def test_spaced_amounts_quoted_in_a_comma_file_are_told_one_reading_that_reads_them(tmp_path):
    """'1 234,5' quoted in a comma-separated file: the advice was to save it with ';' and read it with
    --sep ';' --decimal ',', then '; give --thousands ' '' after it, two readings of which the first fails. Now
    one, which read as told gives pandas' numbers (read_csv(sep=';', decimal=',', thousands=' '))."""
    import shlex
    import subprocess

    import chainrule as cr
    from chainrule.data.tabular import Preprocessing
    df = churn()
    csv = tmp_path / "fr.csv"
    df.assign(income=df["income"].map(spaced)).to_csv(csv, index=False)
    said = error_line(cmd("train", csv, "--target", "churn", "--epochs", "1", "--out", tmp_path / "m.npz"))
    told = "then read fr-semicolon.csv with --sep ';' --decimal ',' --thousands ' '"
    assert said.endswith(told), said
    line = said.split("between fields: ")[1].split(", then read")[0]
    subprocess.run(shlex.split(line), cwd=tmp_path, check=True)
    saved = tmp_path / "fr-semicolon.csv"
    model = tmp_path / "m.npz"
    r = cmd("train", saved, "--target", "churn", "--sep", ";", "--decimal", ",", "--thousands", " ",
            "--val-split", "0", "--epochs", "1", "--quiet", "--out", model)
    assert r.returncode == 0, r.stderr
    pre = Preprocessing.from_json(cr.load(model, with_extra=True)[1]["tabular"])
    truth = pd.read_csv(saved, sep=";", decimal=",", thousands=" ")["income"]
    assert truth.dtype.kind == "f" and np.isclose(pre.means[pre.numeric.index("income")], truth.mean())


def test_a_target_of_numbers_read_as_text_is_told_as_a_target(tmp_path):
    """A target of amounts that pandas reads as text, as percentages or with the '.' of a file read with
    --decimal ',': its refusal was a feature column's, 'column 'y' ... give --text 'y'' (a class per amount) or
    '--drop 'y'' (the target). Now it names the target and --task classification as the way to keep classes."""
    rng = np.random.default_rng(4)
    df = pd.DataFrame({"a": rng.normal(size=60).round(3), "y": rng.normal(50, 10, 60).round(3)})
    percent, point = tmp_path / "percent.csv", tmp_path / "point.csv"
    df.assign(y=df["y"].map("{}%".format)).to_csv(percent, index=False)
    df.assign(a=df["a"].map(lambda v: str(v).replace(".", ","))).to_csv(point, sep=";", index=False)
    assert pd.read_csv(point, sep=";", decimal=",")["y"].dtype.kind not in "if"     # text to pandas too
    for csv, options, holds in ((percent, [], "holds percentages"),
                                (point, ["--decimal", ","], "holds numbers stored as text")):
        for stream in ([], ["--stream"]):
            said = error_line(cmd("train", csv, "--target", "y", "--epochs", "1", "--out", tmp_path / "m.npz",
                                  *options, *stream))
            assert said.startswith(f"chainrule: error: target column 'y' {holds}"), said
            assert said.endswith("or --task classification to learn its values as classes"), said
            assert "--text" not in said and "--drop" not in said, said


@pytest.mark.parametrize("stream", [[], ["--stream"]])
def test_train_refuses_a_column_given_in_both_features_and_drop(tmp_path, stream):
    """`--features age,income --drop income` trained on income, --drop ignored without a word: a column cannot be
    both an input and left out, so the command says which it got both ways."""
    churn().to_csv(tmp_path / "train.csv", index=False)
    r = cmd("train", tmp_path / "train.csv", "--target", "churn", "--features", "age,income", "--drop", "income",
            "--epochs", "1", "--quiet", "--out", tmp_path / "m.npz", *stream)
    line = error_line(r)
    assert "'income'" in line and "--features" in line and "--drop" in line, line
    assert not (tmp_path / "m.npz").exists()


def test_run_sweep_refuses_a_column_given_in_both_features_and_drop(tmp_path):
    """run_sweep's features= and drop= alike, said as its arguments."""
    from chainrule.errors import ValidationError
    from chainrule.sweep import run_sweep
    churn().to_csv(tmp_path / "train.csv", index=False)
    with pytest.raises(ValidationError, match="'income'.*features.*drop"):
        run_sweep(tmp_path / "train.csv", "churn", "hidden=4", features=["age", "income"], drop=["income"],
                  epochs=1, out_dir=tmp_path / "s")


def test_a_csv_given_where_the_model_goes_is_told_in_the_words_of_the_command_run(tmp_path):
    """`info data.csv` and `export data.csv` were told "(chainrule predict MODEL DATA)", a command they did not run
    and whose order does not apply to them; evaluate was told predict's order too. Each names its own usage."""
    data = tmp_path / "data.csv"
    churn(10).to_csv(data, index=False)
    for args in (["info", data], ["export", data, tmp_path / "m.onnx"], ["explain", data]):
        line = error_line(cmd(*args))
        assert "it is text (a CSV file of data?)" in line and "predict" not in line, (args[0], line)
    for command in ("predict", "evaluate"):
        line = error_line(cmd(command, data, data))
        assert line.endswith(f"given first (chainrule {command} MODEL DATA)"), line
