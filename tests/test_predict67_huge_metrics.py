"""`chainrule evaluate` on a file whose targets lie near float64's limit, far from the training range: its mse
overflows float64 (said so, not printed as inf), and rmse, mae and r2 are the numbers scikit-learn gives on the
same predictions in units of 2**1000 (exact scaling), not inf and nan. The truth: predict's output read back."""
import numpy as np
import pytest

pd = pytest.importorskip("pandas")
metrics = pytest.importorskip("sklearn.metrics")
from conftest import cmd  # noqa: E402

UNIT = 2.0 ** 1000


def printed(stdout: str) -> dict[str, str]:
    return dict(line.split(": ", 1) for line in stdout.splitlines() if ": " in line and not line.startswith("("))


@pytest.fixture(scope="module")
def model(regression_cli_model):
    return regression_cli_model


@pytest.mark.parametrize("weighted", [False, True])
def test_evaluate_far_beyond_the_training_range_says_the_mse_overflows_and_gives_the_other_metrics(model, tmp_path,
                                                                                                   weighted):
    rng = np.random.default_rng(2)
    x = rng.normal(size=(8, 2))
    y = np.array([1.5e308, -1.7e308, 1.797e308, 3.0, 1e307, -4.0, 1.2e308, 0.5])
    w = rng.uniform(0.5, 2.0, size=8)
    data = tmp_path / "far.csv"
    pd.DataFrame({"a": x[:, 0], "b": x[:, 1], "y": y, "w": w}).to_csv(data, index=False)
    plain = tmp_path / "inputs.csv"
    pd.DataFrame({"a": x[:, 0], "b": x[:, 1]}).to_csv(plain, index=False)
    r = cmd("predict", model, plain, "--out", tmp_path / "p.csv")
    assert r.returncode == 0, r.stderr
    p = pd.read_csv(tmp_path / "p.csv")["prediction"].to_numpy()
    weight = w if weighted else None
    if not weighted:
        pd.DataFrame({"a": x[:, 0], "b": x[:, 1], "y": y}).to_csv(data, index=False)
    r = cmd("evaluate", model, data, *(["--weight", "w"] if weighted else []))
    assert r.returncode == 0, r.stderr
    assert "overflow" not in r.stderr and "invalid value" not in r.stderr, r.stderr
    said = printed(r.stdout)
    assert said["mse"].startswith("beyond float64's range"), r.stdout
    ys, ps = y / UNIT, p / UNIT
    rmse = np.sqrt(metrics.mean_squared_error(ys, ps, sample_weight=weight)) * UNIT
    mae = metrics.mean_absolute_error(ys, ps, sample_weight=weight) * UNIT
    r2 = metrics.r2_score(ys, ps, sample_weight=weight)
    np.testing.assert_allclose([float(said["rmse"]), float(said["mae"]), float(said["r2"])], [rmse, mae, r2],
                               rtol=1e-5)
