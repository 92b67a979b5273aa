"""train --schedule: a value the class refuses is refused as a key the parser refuses (one format, the usage lines,
the value quoted as typed), and a resume with the same milestones in another order goes on, as torch's rates are the
same (its MultiStepLR counts them as a multiset)."""
import json

import numpy as np
import pytest
from conftest import cmd, iris_table

torch = pytest.importorskip("torch")


@pytest.fixture(scope="module")
def iris(tmp_path_factory):
    path = tmp_path_factory.mktemp("iris") / "iris.csv"
    iris_table().to_csv(path, index=False)
    return path


@pytest.mark.parametrize("spec,said", [
    ("step:step_size=0", "step: step_size must be a positive integer; got '0'"),
    ("step:step_size=1e3", "step: step_size must be a positive integer; got '1e3'"),
    ("multistep:milestones=1,2.5", "multistep: milestones[1] must be an integer (an epoch index); got '2.5'"),
    ("plateau:factor=2", "plateau: factor must be in [0.0, 1.0); got '2'"),
    ("step:stepsize=3", "step: unknown key 'stepsize'"),          # a parse error: the same format
])
def test_a_bad_value_is_refused_as_a_bad_key_is(iris, tmp_path, spec, said):
    r = cmd("train", iris, "--target", "species", "--out", tmp_path / "m.npz", "--schedule", spec)
    lines = r.stderr.strip().splitlines()
    assert r.returncode == 2 and lines[0].startswith("usage: chainrule train"), r.stderr
    assert lines[-1].startswith(f"chainrule train: error: argument --schedule: {said}"), lines[-1]
    assert not (tmp_path / "m.npz").exists()


def test_resuming_with_the_milestones_in_another_order_goes_on_at_torchs_rates(iris, tmp_path):
    common = ("train", iris, "--target", "species", "--hidden", "4", "--optimizer", "sgd", "--lr", "0.1",
              "--out", tmp_path / "m.npz", "--checkpoint-dir", tmp_path / "ck", "--quiet")
    assert cmd(*common, "--epochs", 2, "--schedule", "multistep:milestones=1,3,gamma=0.5").returncode == 0
    r = cmd(*common, "--epochs", 5, "--resume", "--schedule", "multistep:milestones=3,1,gamma=0.5")
    assert r.returncode == 0, r.stderr
    rates = [json.loads(line)["logs"]["lr"] for line in (tmp_path / "ck" / "history.jsonl").read_text().splitlines()]
    opt = torch.optim.SGD([torch.zeros(1, requires_grad=True)], lr=0.1)
    scheduler, expected = torch.optim.lr_scheduler.MultiStepLR(opt, milestones=[3, 1], gamma=0.5), []
    for _ in range(5):
        expected.append(opt.param_groups[0]["lr"])
        opt.step()
        scheduler.step()
    np.testing.assert_allclose(rates, expected, rtol=0, atol=1e-12)


def test_docs_errors_row_is_the_real_refusal(iris, tmp_path):
    from pathlib import Path
    doc = (Path(__file__).parent.parent / "docs" / "errors.md").read_text()
    row = next(line for line in doc.splitlines() if line.startswith("| a value a schedule does not take |"))
    command, said = (cell.strip().strip("`") for cell in row.split(" | ")[1:3])
    args = command.split()[1:]
    args[1], args[-1] = str(iris), str(tmp_path / "m.npz")        # iris.csv, m.npz
    assert cmd(*args).stderr.strip().splitlines()[-1] == said.removesuffix(" |")
