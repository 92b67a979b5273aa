"""A resumed run reads its file's header to tell another file's columns before any reading: with the separator
given by name (--sep tab, as the help offers), that header check split the line by the word 'tab' and ended in an
internal error, on the run's own file too."""
import numpy as np
import pandas as pd
import pytest
from conftest import cmd


@pytest.mark.parametrize("sep", ["tab", "\\t"])
def test_a_resume_with_the_separator_named_reads_its_header(sep, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    rng = np.random.default_rng(0)
    a, b = rng.normal(size=40), rng.normal(size=40)
    pd.DataFrame({"a": a, "b": b, "y": (a > 0).astype(int)}).to_csv("t.tsv", sep="\t", index=False)
    pd.DataFrame({"a": a, "c": b, "y": (a > 0).astype(int)}).to_csv("other.tsv", sep="\t", index=False)
    run = ["--sep", sep, "--target", "y", "--checkpoint-dir", "ck", "--out", "m.npz"]
    assert cmd("train", "t.tsv", *run, "--epochs", "1").returncode == 0
    other = cmd("train", "other.tsv", *run, "--epochs", "2", "--resume")
    assert other.returncode == 2
    assert other.stderr.splitlines()[-1].startswith("chainrule: error: cannot resume from 'ck/checkpoint.npz'"), \
        other.stderr
    assert "this run's 'other.tsv' has no ['b']" in other.stderr, other.stderr
    again = cmd("train", "t.tsv", *run, "--epochs", "2", "--resume")
    assert again.returncode == 0, again.stderr
