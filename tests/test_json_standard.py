"""The JSON chainrule writes is standard JSON (no NaN or Infinity tokens, which json.loads refusing the constants,
JavaScript's JSON.parse and jq refuse), and a model file says the lowest format version that reads it: 2 where its
description holds infinity or NaN as {"__float__": "Infinity"}, which a chainrule reading version 1 only would take
for a dict; 1 otherwise."""
import json
import math
import shutil
import subprocess
import sys
import zipfile

import numpy as np
import pytest
from conftest import cmd

import chainrule as cr
from chainrule.errors import ModelFileError
from chainrule.saving.npzcheck import as_float


def _refuse(constant):
    raise ValueError(f"not standard JSON: {constant}")


def strict(text: str):
    """`text` as standard JSON reads it (json.loads refusing NaN and Infinity; node's JSON.parse where there is node),
    infinity and NaN then read back as the model file's reader reads them."""
    json.loads(text, parse_constant=_refuse)
    node = shutil.which("node")
    if node is not None:
        run = subprocess.run([node, "-e", "JSON.parse(require('fs').readFileSync(0, 'utf8'))"], input=text,
                             capture_output=True, text=True, timeout=30)
        assert run.returncode == 0, run.stderr
    return json.loads(text, object_hook=as_float)


#: a linear network whose update with a learning rate of 1e308 overflows: |grad| * 1e308 is past float64
OVERFLOW = ["--layers", "2,2", "--activation", "linear", "--inputs", "1000,1000", "--targets", "0,0", "--lr", "1e308"]


def _check_overflowed_updates(report: dict) -> None:
    overflowed = [p for p in report["parameters"] if abs(p["grad"]) * 1e308 > sys.float_info.max]
    assert overflowed
    for p in overflowed:      # value - lr * grad: past the largest float, on the side opposite the gradient's
        assert p["updated"] == (-math.inf if p["grad"] > 0 else math.inf)


def test_explain_json_writes_an_overflowing_update_as_standard_json():
    run = cmd("explain", "--format", "json", *OVERFLOW)
    assert run.returncode == 0, run.stderr
    assert '"__float__": "' in run.stdout
    _check_overflowed_updates(strict(run.stdout))


def test_a_reports_to_json_is_standard_json():
    net = cr.Network([cr.Dense(2, 2, "linear")], loss="sse", seed=0)
    report = cr.explain(net, np.array([[1000.0, 1000.0]]), np.array([[0.0, 0.0]]), lr=1e308)
    back = strict(report.to_json())
    _check_overflowed_updates(back)
    assert back["E_total"] == report.to_dict()["E_total"]


def _version(path) -> int:
    with zipfile.ZipFile(path) as zf:
        return json.loads(str(np.lib.format.read_array(zf.open("__format__.npy"))))["version"]


def test_a_model_file_says_version_2_only_where_it_needs_it(tmp_path):
    net = cr.Network([cr.Dense(2, 1, "sigmoid")], loss="bce", seed=1)
    cr.save(net, tmp_path / "plain.npz", extra={"a": 1.5, "__float__": "Infinity", "b": [1, "NaN"]})
    cr.save(net, tmp_path / "inf.npz", extra={"a": [1.0, {"b": math.inf}]})
    assert (_version(tmp_path / "plain.npz"), _version(tmp_path / "inf.npz")) == (1, 2)
    _, plain = cr.load(tmp_path / "plain.npz", with_extra=True)
    _, inf = cr.load(tmp_path / "inf.npz", with_extra=True)
    assert plain == {"a": 1.5, "__float__": "Infinity", "b": [1, "NaN"]} and inf == {"a": [1.0, {"b": math.inf}]}


def test_a_checkpoint_whose_history_holds_infinity_says_version_2_and_resumes(tmp_path):
    """history.jsonl writes a callback's inf log as {"__float__": "Infinity"}: the checkpoint beside it says version 2
    (an older chainrule refuses the folder by its version, rather than calling a line of its history damaged), from
    the epoch of that log on, the resumed run's too; a run whose logs are finite says 1."""

    class Ratio(cr.callbacks.Callback):
        def __init__(self, infinite_at):
            self.infinite_at = infinite_at

        def on_epoch_end(self, epoch, logs):
            logs["ratio"] = math.inf if epoch == self.infinite_at else 0.5

    X = np.random.RandomState(0).rand(8, 2)
    y = X.sum(axis=1, keepdims=True)

    def fit(folder, epochs, infinite_at):
        net = cr.Network([cr.Dense(2, 1)], loss="mse", seed=0)
        net.fit(X, y, epochs=epochs, batch_size=4, verbose=0, callbacks=[Ratio(infinite_at)],
                checkpoint_dir=tmp_path / folder, resume=True)
        return _version(tmp_path / folder / "checkpoint.npz"), (tmp_path / folder / "history.jsonl").read_text()

    assert fit("finite", 2, None)[0] == 1
    assert fit("inf", 1, 5)[0] == 1
    version, lines = fit("inf", 2, 1)          # resumed at epoch 2, whose log is inf
    assert version == 2 and [strict(line)["logs"]["ratio"] for line in lines.splitlines()] == [0.5, math.inf]
    version, lines = fit("inf", 3, None)       # resumed again, epoch 3's log finite: the history read back holds inf
    assert version == 2 and [strict(line)["logs"]["ratio"] for line in lines.splitlines()] == [0.5, math.inf, 0.5]


@pytest.mark.parametrize("version", [4, 0, True, "2"])
def test_a_file_of_another_version_is_refused_naming_the_versions_read(tmp_path, version):
    with pytest.raises(ModelFileError, match=rf"has format version {version!r}; this chainrule reads versions 1, 2 "
                                             r"and 3 \((a newer chainrule wrote it|no chainrule writes)"):
        cr.load(_rewritten(tmp_path, version))


def _rewritten(tmp_path, version):
    """A model file whose description says `version`."""
    path = tmp_path / "m.npz"
    cr.save(cr.Network([cr.Dense(2, 1)], loss="mse"), path)
    with zipfile.ZipFile(path) as zf:
        entries = {name[:-4]: np.lib.format.read_array(zf.open(name)) for name in zf.namelist()}
    header = json.loads(str(entries["__format__"]))
    header["version"] = version
    entries["__format__"] = np.array(json.dumps(header))
    with open(path, "wb") as f:
        np.savez(f, **entries)
    return path


def test_docs_show_the_version_refusal_as_raised(tmp_path):
    from pathlib import Path
    doc = (Path(__file__).parents[1] / "docs" / "errors.md").read_text()
    rows = {cells[0]: cells[2] for cells in ([c.strip() for c in line.strip().strip("|").split(" | ")]
                                             for line in doc.splitlines()) if len(cells) == 3}
    path = _rewritten(tmp_path, 4)
    with pytest.raises(ModelFileError) as caught:
        cr.load(path)
    assert str(caught.value).replace(str(tmp_path), "DIR") == rows["load a newer format version"]


def test_an_explorer_share_code_is_standard_json_and_reopens_an_infinite_class(tmp_path):
    """A model whose classes hold infinity (a numeric target of 0 and inf, fitted as classes) opened in the explorer:
    its share code held Python's Infinity inside; now the model file's {"__float__": "Infinity"}, read back as inf."""
    import argparse
    import base64
    import zlib

    import pandas as pd
    from starlette.testclient import TestClient

    from chainrule.cli.explore import start
    from chainrule.data.tabular import Preprocessing
    from chainrule.teach.explore.server import create_app
    from chainrule.teach.explore.session import Session

    df = pd.DataFrame({"x": [1.0, 2, 3, 4, 5, 6], "y": [0.0, math.inf] * 3})
    pre = Preprocessing.fit(df, "y", task="classification")
    assert pre.classes == [0.0, math.inf]
    net = cr.Network([cr.Dense(1, 2, "softmax")], loss="categorical_crossentropy", seed=0)
    cr.save(net, tmp_path / "m.npz", extra={"tabular": pre.to_json()})
    assert _version(tmp_path / "m.npz") == 2
    first = start(argparse.Namespace(model=str(tmp_path / "m.npz"), data=None, target=None))
    client = TestClient(create_app("t", lambda: Session(first)))
    opened = client.post("/api/session", headers={"X-Token": "t"})
    sid = strict(opened.text)["session"]         # the server's answers: standard JSON too (its classes as text)
    code = client.post(f"/api/session/{sid}/share", headers={"X-Token": "t"}, json={}).json()["code"]
    payload = strict(zlib.decompress(base64.urlsafe_b64decode(code + "=" * (-len(code) % 4))).decode())
    assert payload["model"]["pre"]["classes"] == [0.0, math.inf]
    # version 3: a model page's code holds the words on the model's optimizer (here the default it took), which
    # a chainrule reading versions 1 and 2 alone refuses as a code it does not write (2 was the infinite float's)
    assert payload["v"] == 3 and payload["model"]["optimizer_from"]
    seed = client.post("/api/session", headers={"X-Token": "t"}).json()["session"]
    client.post(f"/api/session/{seed}/load", headers={"X-Token": "t"}, json={"what": "seed"})
    plain = client.post(f"/api/session/{seed}/share", headers={"X-Token": "t"}, json={}).json()["code"]
    assert strict(zlib.decompress(base64.urlsafe_b64decode(plain + "=" * (-len(plain) % 4))).decode())["v"] == 1
    again = client.post("/api/session", headers={"X-Token": "t"}, json={"share": code}).json()
    assert "error" not in again, again["error"]
    assert again["state"]["names"]["classes"] == ["0.0", "inf"]
