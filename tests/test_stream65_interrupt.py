"""`train --stream --checkpoint-dir` stopped by Ctrl-C (SIGINT) in the middle of an epoch, then the same command with
--resume: the model file equals the uninterrupted run's bit for bit (the partial epoch is trained again from the
checkpoint of the last whole one), and the temporary encoded rows are gone."""
import json
import os
import re
import signal
import subprocess
import sys
import time

import numpy as np
import pandas as pd
from conftest import as_in_a_terminal, cmd

import chainrule as cr


def test_sigint_then_resume_equals_the_uninterrupted_run(tmp_path):
    rng = np.random.default_rng(0)
    n = 3000
    t = pd.DataFrame({"x1": rng.normal(size=n), "x2": rng.normal(size=n) * 10, "shop": rng.choice(list("abc"), n)})
    t["y"] = np.where((t.x1 > 0) ^ (t.shop == "a"), "hi", "lo")
    t.loc[2500, "shop"] = "new"              # a category first seen in the last chunk
    csv = tmp_path / "d.csv"
    t.to_csv(csv, index=False)
    args = ["train", str(csv), "--target", "y", "--stream", "--chunk-rows", "700", "--hidden", "8", "--batch-size",
            "16", "--epochs", "30", "--seed", "3", "--quiet"]
    ck, temp = tmp_path / "ck", tmp_path / "tmp"
    temp.mkdir()
    p = subprocess.Popen([sys.executable, "-m", "chainrule", *args, "--checkpoint-dir", str(ck), "--out",
                          str(tmp_path / "r.npz")], env={**os.environ, "TMPDIR": str(temp)}, stderr=subprocess.PIPE,
                         text=True, preexec_fn=as_in_a_terminal)
    history, deadline = ck / "history.jsonl", time.monotonic() + 60
    try:                                     # 28 epochs (seconds) left after the second line: Ctrl-C lands in one
        while not (history.exists() and len(history.read_text().splitlines()) >= 2) and time.monotonic() < deadline:
            time.sleep(0.01)
        p.send_signal(signal.SIGINT)
        _, err = p.communicate(timeout=60)
    finally:
        if p.poll() is None:                 # a run that hangs is not left behind
            p.kill()
            p.communicate()
    assert p.returncode == 130, err
    said = re.search(r"\(epoch (\d+) of 30\)", err.split("continue from the last checkpoint in", 1)[-1])
    assert said and 1 <= int(said[1]) < 30, err
    assert list(temp.iterdir()) == [] and not (tmp_path / "r.npz").exists()
    r = cmd(*args, "--checkpoint-dir", ck, "--resume", "--out", tmp_path / "r.npz")
    assert r.returncode == 0, r.stderr
    whole = cmd(*args, "--out", tmp_path / "whole.npz")
    assert whole.returncode == 0, whole.stderr
    resumed, uninterrupted = cr.load(tmp_path / "r.npz"), cr.load(tmp_path / "whole.npz")
    np.testing.assert_array_equal(resumed.params, uninterrupted.params)
    epochs = [json.loads(line)["epoch"] for line in history.read_text().splitlines()]
    assert epochs == list(range(30))         # the checkpoint's log: each epoch once, though one was logged twice
