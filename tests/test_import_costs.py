"""What `chainrule train` on a CSV file imports: only what the job uses (benchmarks/RESULTS.md, the
1,000-row CSV job's whole process). The modules are read from a fresh process, after the job."""
from __future__ import annotations

import json
import os
import subprocess
import sys

JOB = """
import json, sys
from chainrule.cli import main
code = main(sys.argv[1:])
print(json.dumps({"code": code, "modules": sorted(sys.modules)}))
"""


def job_modules(tmp_path, *options: str) -> set[str]:
    """The modules loaded in a fresh process once `chainrule train` has trained on a small CSV file
    with a text column (one-hot encoded, as the benchmark's file is), on NumPy (CHAINRULE_NUMBA=0:
    nothing compiled, nothing started behind)."""
    lines = ["x,y,kind,label"] + [f"{i % 7 * 0.5},{i % 3},{'abc'[i % 3]},{'no' if i % 2 else 'yes'}"
                                  for i in range(60)]
    (tmp_path / "t.csv").write_text("\n".join(lines) + "\n")
    argv = ["train", str(tmp_path / "t.csv"), "--target", "label", "--hidden", "4", "--epochs", "2", "--quiet",
            "--out", str(tmp_path / "m.npz"), *options]
    env = {**os.environ, "CHAINRULE_NUMBA": "0"}
    out = subprocess.run([sys.executable, "-c", JOB, *argv], capture_output=True, text=True, env=env, timeout=120)
    assert out.returncode == 0, out.stderr
    result = json.loads(out.stdout.strip().splitlines()[-1])
    assert result["code"] == 0 and (tmp_path / "m.npz").exists()
    return set(result["modules"])


def test_the_csv_job_imports_no_other_commands_machinery(tmp_path):
    loaded = job_modules(tmp_path)
    # other commands' modules: the sweep's tasks (built with every command's parser before) and the
    # reader of --stream (imported by every train job before)
    unused = {"chainrule.sweep_tasks", "chainrule.data.stream", "chainrule.data.chunks", "chainrule.data.rowcheck"}
    assert not unused & loaded, sorted(unused & loaded)
    # nor what only other paths need: the estimators' and plots' packages, the explorer, other frameworks
    for name in ("sklearn", "matplotlib", "torch", "keras", "jax", "dask", "starlette", "uvicorn", "numba",
                 "chainrule.teach.explore", "chainrule.sklearn", "chainrule.sweep", "chainrule.saving.onnx"):
        assert name not in loaded, name


def test_stream_still_reads_with_its_reader(tmp_path):
    loaded = job_modules(tmp_path, "--stream")
    assert "chainrule.data.stream" in loaded
