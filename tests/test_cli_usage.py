"""A user's first guess at a command line: the model as the first argument in every command
(`chainrule explain iris.npz`, as `chainrule predict iris.npz`), `export --out` as `train --out`,
and usage errors said by the command that was run, with the option a typo meant."""
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent))
from conftest import cli_in_process as cli  # noqa: E402
from conftest import iris_table  # noqa: E402

from chainrule.cli import main  # noqa: E402


@pytest.fixture(scope="module")
def model(tmp_path_factory):
    folder = tmp_path_factory.mktemp("usage")
    data = folder / "iris.csv"
    iris_table().to_csv(data, index=False)
    path = folder / "iris.npz"
    assert main(["train", str(data), "--target", "species", "--epochs", "2", "--out", str(path), "--quiet"]) == 0
    return path, data


def test_explain_takes_the_model_as_its_first_argument(capsys, model):
    path, data = model
    by_option = cli(capsys, "explain", "--model", path, "--data", data, "--row", 3, "--layer", 1, "--neuron", 0)
    by_position = cli(capsys, "explain", path, "--data", data, "--row", 3, "--layer", 1, "--neuron", 0)
    assert by_option[0] == 0, by_option[2]
    assert by_position == by_option


def test_a_model_given_twice_differently_is_refused(capsys, model, tmp_path):
    path, _ = model
    code, _, err = cli(capsys, "explain", path, "--model", tmp_path / "other.npz")
    assert code == 2
    assert f"--model given twice: the MODEL argument {str(path)!r} and --model {str(tmp_path / 'other.npz')!r}" in err
    same = cli(capsys, "explain", path, "--model", path, "--inputs", "5.1,3.5,1.4,0.2", "--targets", "setosa",
               "--layer", 1, "--neuron", 0)
    assert same[0] == 0, same[2]


def test_plot_network_takes_the_model_as_an_argument(capsys, model, tmp_path):
    path, _ = model
    assert cli(capsys, "plot", "network", "--model", path, "--out", tmp_path / "a.png")[0] == 0
    code, _, err = cli(capsys, "plot", "network", path, "--out", tmp_path / "b.png")
    assert code == 0, err
    assert (tmp_path / "b.png").read_bytes() == (tmp_path / "a.png").read_bytes()


def test_explore_takes_the_model_as_an_argument(capsys, tmp_path):
    """Read before any server starts: a missing file is the same error either way."""
    missing = tmp_path / "missing.npz"
    by_option = cli(capsys, "explore", "--model", missing, "--no-browser")
    assert by_option[0] == 2 and f"model file {str(missing)!r} does not exist" in by_option[2]
    assert cli(capsys, "explore", missing, "--no-browser") == by_option


def test_export_takes_out_as_an_option_too(capsys, model, tmp_path):
    pytest.importorskip("onnx")
    path, _ = model
    assert cli(capsys, "export", path, tmp_path / "a.onnx")[0] == 0
    code, _, err = cli(capsys, "export", path, "--out", tmp_path / "b.onnx")
    assert code == 0, err
    assert (tmp_path / "b.onnx").read_bytes() == (tmp_path / "a.onnx").read_bytes()
    code, _, err = cli(capsys, "export", path)
    assert code == 2
    assert "export needs the ONNX file to write: chainrule export MODEL OUT (or --out OUT)" in err


def test_a_mistyped_option_is_said_by_its_command_with_the_option_meant(capsys, model, tmp_path):
    _, data = model
    code, _, err = cli(capsys, "train", data, "--target", "species", "--out", tmp_path / "m.npz", "--epocs", 3)
    assert code == 2
    assert err.startswith("usage: chainrule train ")
    assert err.rstrip().endswith("chainrule train: error: unrecognized arguments: --epocs 3 (did you mean --epochs?)")
    code, _, err = cli(capsys, "train", data, "--target", "species", "--out", tmp_path / "m.npz", "--epocs=3",
                       "--sed", "1")
    assert "(did you mean --epochs for --epocs, --seed for --sed?)" in err
    assert not (tmp_path / "m.npz").exists()


def test_an_extra_argument_is_said_under_the_commands_usage(capsys, model):
    path, data = model
    code, out, err = cli(capsys, "predict", path, data, "extra.csv")
    assert code == 2 and out == ""
    assert err.startswith("usage: chainrule predict ")
    assert "chainrule predict: error: unrecognized arguments: extra.csv" in err
    assert "did you mean" not in err
