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
