"""CSV files as people have them, through train, evaluate and predict: what each says where the file is not
as the model expects."""
import numpy as np
import pandas as pd
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
            assert "give --decimal ',' --thousands ' '" in said
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
