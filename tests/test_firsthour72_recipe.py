"""The way out an error gives is code a new user pastes: it runs as written, in a fresh interpreter."""
import subprocess
import sys
import textwrap

import pandas as pd
import pytest
from conftest import cmd

import chainrule as cr
from chainrule.errors import ValidationError


def test_the_recipe_for_a_raw_csv_table_runs_as_written_and_predicts_as_chainrule_predict(tmp_path):
    """`net.predict(df)` on a `chainrule train` model's raw CSV table names the code that applies the stored
    preprocessing; that code read `chainrule.data.tabular.Preprocessing`, an attribute a fresh
    `import chainrule` does not set (AttributeError: module 'chainrule.data' has no attribute 'tabular')."""
    assert cmd("data", "iris.csv", cwd=tmp_path).returncode == 0
    assert cmd("train", "iris.csv", "--target", "species", "--hidden", "4", "--epochs", "5", "--out", "iris.npz",
               "--quiet", cwd=tmp_path).returncode == 0
    assert cmd("predict", "iris.npz", "iris.csv", "--out", "predicted.csv", cwd=tmp_path).returncode == 0
    df = pd.read_csv(tmp_path / "iris.csv")
    with pytest.raises(ValidationError) as refused:
        cr.load(tmp_path / "iris.npz").predict(df)
    recipe = textwrap.dedent("\n".join(line for line in str(refused.value).splitlines() if line.startswith("    ")))
    assert "pre.transform(df[pre.columns])" in recipe
    script = ("import chainrule\nimport pandas as pd\npath = 'iris.npz'\ndf = pd.read_csv('iris.csv')\n" + recipe
              + "\nprint('\\n'.join(map(str, pre.decode(net.predict(X)))))\n")
    ran = subprocess.run([sys.executable, "-c", script], cwd=tmp_path, capture_output=True, text=True, timeout=120)
    assert ran.returncode == 0, f"the error's code failed:\n{recipe}\n{ran.stderr[-2000:]}"
    assert ran.stdout.split() == pd.read_csv(tmp_path / "predicted.csv")["prediction"].astype(str).tolist()
