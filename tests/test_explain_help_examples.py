"""Every example of `chainrule explain --help` runs as printed, its iris.npz as `chainrule train` writes one by
default (64 hidden units): the --inputs example asked for all of layer 1, 195 parameters, past the 120 explain
prints, and failed."""
import shlex

from conftest import cmd


def test_every_help_example_runs(tmp_path):
    assert cmd("data", "iris.csv", cwd=tmp_path).returncode == 0
    r = cmd("train", "iris.csv", "--target", "species", "--epochs", "1", "--quiet", "--out", "iris.npz", cwd=tmp_path)
    assert r.returncode == 0, r.stderr
    help_text = cmd("explain", "--help").stdout.replace("\\\n", " ")     # a long example goes on after a backslash
    examples = [line.strip() for line in help_text.split("examples:")[1].splitlines() if line.strip()]
    assert len(examples) >= 5 and any("--inputs" in e for e in examples), examples
    for example in examples:
        argv = shlex.split(example)
        assert argv[:2] == ["chainrule", "explain"], example
        r = cmd(*argv[1:], cwd=tmp_path)
        assert r.returncode == 0 and r.stdout, (example, r.stderr)
