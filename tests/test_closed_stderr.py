"""A usage or error line whose reader went away (`chainrule 2>&1 | head -1`, `chainrule train 2>&1 | grep -q x`):
the command ends as it ends when stdout's reader goes away, quietly, with the exit status it gives where its line is
read. It raised BrokenPipeError from the line's print instead: a traceback nobody could read and exit status 1, the
status of a bug."""
import os
import subprocess
import sys

import pytest
from conftest import cmd


@pytest.mark.parametrize("words", [(), ("fit", "iris.csv"), ("train",), ("train", "--epochs", "x"),
                                   ("predict", "missing.npz", "x.csv")])
def test_an_error_line_whose_reader_went_away_keeps_the_errors_exit_status(tmp_path, words):
    read = cmd(*words, cwd=tmp_path)                   # the same command with its lines read
    assert read.returncode == 2 and read.stderr.strip(), read
    r, w = os.pipe()
    os.close(r)                                        # the reader gone before the first line
    try:
        gone = subprocess.run([sys.executable, "-m", "chainrule.cli", *words], stdout=w, stderr=w, cwd=tmp_path,
                              check=False, timeout=120)
    finally:
        os.close(w)
    assert gone.returncode == read.returncode, (words, gone.returncode)
