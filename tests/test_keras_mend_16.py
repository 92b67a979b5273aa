"""Keras parity of the last change's habits, mended: batch logs by keyword under MPI too, save_weights' and
load_weights' refusals, the estimators' unrounded losses, evaluate's float32 values, weights checkpoints' names and
files in the way, a callback's non-numeric logs. Truth: Keras 3 (KERAS_BACKEND=torch) and scikit-learn."""
import os

import numpy as np
import pytest

import chainrule as cr

os.environ.setdefault("KERAS_BACKEND", "torch")
keras = pytest.importorskip("keras")

from keras_twins import divergent as _divergent  # noqa: E402


def test_an_mpi_fit_gives_batch_hooks_their_logs_by_keyword_and_logs_inf_as_keras():
    """Under MPI (one rank here) the batch hooks got their logs by position: a hook taking **kw raised TypeError;
    TerminateOnNaN's batch logged NaN where Keras (and one process) log inf."""
    MPI = pytest.importorskip("mpi4py.MPI")

    def run(m, module, **kw):
        class Seen(module.Callback):
            def __init__(self):
                super().__init__()
                self.seen = []

            def on_train_batch_begin(self, batch, **kw):
                assert kw["logs"] == {}

            def on_train_batch_end(self, batch, **kw):
                self.seen.append((batch, kw["logs"]["loss"]))
        seen = Seen()
        m.fit(X, Y, batch_size=4, epochs=3, shuffle=False, verbose=0, callbacks=[module.TerminateOnNaN(), seen], **kw)
        return seen.seen[-1], m.history.history["loss"]

    X, Y, net, model = _divergent(0.5)
    theirs = run(model, keras.callbacks)
    ours = run(net, cr.callbacks, comm=MPI.COMM_WORLD)
    assert ours == theirs and ours[0][1] == np.inf and ours[1] == [np.inf]


def _pair(dtype="float64"):
    return cr.Network([cr.Dense(2, 4, "tanh"), cr.Dense(4, 2, "sigmoid")], loss="mse", seed=0, dtype=dtype)


def test_save_weights_refuses_non_finite_weights_as_save_does(tmp_path):
    """save_weights wrote NaN weights that load_weights then refused; save refuses them, naming where."""
    net = _pair()
    net.layers[1].W[2, 1] = np.nan
    with pytest.raises(cr.errors.ValidationError, match=r"^save_weights: cannot save: .* in W\[2, 1\] of layer 1"):
        net.save_weights(tmp_path / "w.npz")
    with pytest.raises(cr.errors.ValidationError, match=r"^cannot save: .* first in W\[2, 1\] of layer 1"):
        cr.save(net, tmp_path / "m.npz")
    assert not os.listdir(tmp_path)


def test_load_weights_names_its_file_for_non_finite_weights(tmp_path):
    """A weights file holding inf (written elsewhere, or damaged) was refused by set_weights without the file's
    name; load_weights' refusals say "load_weights: <file>: ..."."""
    net = _pair()
    net.save_weights(tmp_path / "w.npz")
    with np.load(tmp_path / "w.npz") as data:
        arrays = {k: data[k] for k in data.files}
    arrays["0.b"][3] = np.inf
    np.savez(tmp_path / "w.npz", **arrays)
    with pytest.raises(cr.errors.ModelFileError) as info:
        _pair().load_weights(tmp_path / "w.npz")
    assert str(info.value).startswith(f"load_weights: {str(tmp_path / 'w.npz')!r}: b[3] of layer 0 is inf")


def test_save_weights_checks_its_overwrite_flag(tmp_path):
    """save_weights(overwrite='no') overwrote the file ('no' is true); ModelCheckpoint checks its flags so."""
    net = _pair()
    net.save_weights(tmp_path / "w.npz")
    with pytest.raises(cr.errors.ChainruleTypeError, match=r"^save_weights: overwrite must be True or False; got 'no'"):
        net.save_weights(tmp_path / "w.npz", overwrite="no")


def test_a_keras_weights_name_is_refused_as_a_weights_name(tmp_path):
    """ModelCheckpoint('x.weights.h5', save_weights_only=True) said it writes a chainrule model (.npz): it writes
    weights, whose rule (save_weights') is said first."""
    for make in (lambda p: _pair().save_weights(p),
                 lambda p: _pair().fit(np.ones((4, 2)), np.ones((4, 2)), verbose=0, callbacks=[
                     cr.callbacks.ModelCheckpoint(p, save_weights_only=True, monitor="loss")])):
        with pytest.raises(cr.errors.ValidationError) as info:
            make(str(tmp_path / "x.weights.h5"))
        assert "must end in .npz (chainrule's weights file, which load_weights reads" in str(info.value)
        assert "chainrule model" not in str(info.value)
    assert not os.listdir(tmp_path)


@pytest.mark.parametrize("weights_only", [True, False])
@pytest.mark.parametrize("other", ["model", "weights", "savez"])
def test_a_checkpoint_over_a_file_of_another_kind_is_refused_before_training(tmp_path, weights_only, other):
    """A model file where weights go, a weights file where a model goes, np.savez data: found only when the first
    epoch's save failed. The same kind is replaced, as before."""
    path = tmp_path / "ckpt.npz"
    if other == "model":
        cr.save(_pair(), path)
    elif other == "weights":
        _pair().save_weights(path)
    else:
        np.savez(path, a=np.arange(3))
    net = _pair()
    before, kept = net.get_weights(), path.read_bytes()
    fit = lambda: net.fit(np.ones((4, 2)), np.ones((4, 2)), verbose=0, callbacks=[  # noqa: E731
        cr.callbacks.ModelCheckpoint(str(path), save_weights_only=weights_only, monitor="loss")])
    if other == ("weights" if weights_only else "model"):
        fit()
        assert path.read_bytes() != kept
        return
    with pytest.raises(cr.errors.ValidationError, match=r"exists and holds .*writing there would lose it"):
        fit()
    assert all(np.array_equal(a, b) for a, b in zip(before, net.get_weights())) and path.read_bytes() == kept


def test_a_weights_file_given_as_a_model_says_what_it_holds(tmp_path):
    """cr.load, `chainrule predict` and `chainrule info` of a save_weights file said it "lacks '__format__' or
    'params'": it holds weights, which Network.load_weights reads."""
    from conftest import cmd
    path = tmp_path / "w.npz"
    _pair().save_weights(path)
    (tmp_path / "x.csv").write_text("a,b\n1,2\n")
    said = "holds chainrule weights (written by save_weights), not a whole model: read them with Network.load_weights"
    with pytest.raises(cr.errors.ModelFileError) as info:
        cr.load(path)
    assert said in str(info.value)
    for args in (("info", path), ("predict", path, tmp_path / "x.csv")):
        r = cmd(*args)
        assert r.returncode != 0 and said in r.stderr, r.stderr


def _digits_twins(n=50):
    d = pytest.importorskip("sklearn.datasets").load_digits()
    X, y = (d.data[:n] / 16).astype(np.float32), d.target[:n]
    net = cr.Network([cr.Dense(64, 8, "relu"), cr.Dense(8, 10, "softmax")], loss="categorical_crossentropy",
                     seed=0, dtype="float32")
    model = keras.Sequential([keras.Input((64,)), keras.layers.Dense(8, activation="relu"),
                              keras.layers.Dense(10, activation="softmax")])
    model.compile(optimizer="sgd", loss="sparse_categorical_crossentropy", metrics=["accuracy"])
    model.set_weights([w.copy() for w in net.get_weights()])
    return X, y, net, model


def test_evaluate_of_a_float32_network_gives_float32_values_as_keras():
    """History's val_accuracy was Keras' float32 0.23999999463558197 but evaluate gave 0.24."""
    X, y, net, model = _digits_twins()
    ours = net.evaluate(X, y, metrics=["accuracy"])
    theirs = model.evaluate(X, y, verbose=0, return_dict=True)
    assert ours["accuracy"] == theirs["accuracy"] and ours["accuracy"] != round(ours["accuracy"], 6)
    assert ours["loss"] == pytest.approx(theirs["loss"], rel=1e-6) and ours["loss"] == float(np.float32(ours["loss"]))
    assert net.evaluate(X, y, return_dict=False)[1] == theirs["accuracy"]


def test_the_estimators_losses_are_not_rounded_to_float32_as_mlp_s(capsys):
    """Keras' float32 rounding of a float32 network's logs reached BackpropClassifier's loss_curve_ and verbose lines;
    MLPClassifier's losses on float32 X are float64 means, not float32 values."""
    from sklearn.neural_network import MLPClassifier

    from chainrule.sklearn import BackpropClassifier
    d = pytest.importorskip("sklearn.datasets").load_digits()
    X, y = (d.data[:200] / 16).astype(np.float32), d.target[:200]
    theirs = MLPClassifier((8,), max_iter=5, random_state=0).fit(X, y).loss_curve_
    clf = BackpropClassifier(hidden_layer_sizes=(8,), epochs=5, dtype="float32", random_state=0, verbose=True)
    ours = clf.fit(X, y).loss_curve_
    for curve in (theirs, ours):
        assert sum(v != float(np.float32(v)) for v in curve) >= 4, curve
    lines = [line for line in capsys.readouterr().out.splitlines() if line.startswith("Iteration")]
    assert lines == [f"Iteration {i + 1}, loss = {v:.8f}" for i, v in enumerate(ours)]


def test_a_callbacks_text_and_list_logs_are_kept_as_keras_keeps_them(tmp_path):
    """History did float() on every logged value: a callback logging a string or a list stopped fit with TypeError;
    Keras keeps them (History, CSVLogger's cells)."""
    X, y, net, model = _digits_twins(64)
    for m, module, name in ((net, cr.callbacks, "cr"), (model, keras.callbacks, "keras")):
        def add(epoch, logs):
            logs.update(note=f"epoch {epoch}", parts=[epoch, 2.5], nothing=None)
        m.fit(X, y, batch_size=32, epochs=2, shuffle=False, verbose=0, callbacks=[
            module.LambdaCallback(on_epoch_end=add), module.CSVLogger(str(tmp_path / f"{name}.csv"))])
    assert net.history.history["note"] == model.history.history["note"] == ["epoch 0", "epoch 1"]
    assert net.history.history["parts"] == model.history.history["parts"] == [[0, 2.5], [1, 2.5]]
    assert net.history.history["nothing"] == model.history.history["nothing"] == [None, None]
    ours, theirs = ((tmp_path / f"{name}.csv").read_text().splitlines() for name in ("cr", "keras"))
    assert ours[0] == theirs[0]
    at = ours[0].split(",").index("loss")
    for a, b in zip(ours[1:], theirs[1:], strict=True):
        a, b = a.split(","), b.split(",")
        assert a[:at] + a[at + 1:] == b[:at] + b[at + 1:]


def test_the_architecture_names_the_weights_hand_over():
    """docs/architecture.md's paragraph on the methods of Network that hand over to a package above it named five,
    not save_weights and load_weights (saving.weights), which the import rule (test_architecture's FACADES) allows."""
    from pathlib import Path

    from test_architecture import FACADES
    doc = (Path(__file__).parent.parent / "docs" / "architecture.md").read_text()
    paragraph = next(p for p in doc.split("\n\n") if "hand over to a package above it" in p)
    assert ("nn/keras_methods.py", "chainrule.saving.weights") in FACADES
    for name in ("`save_weights`", "`load_weights`", "`saving.weights`"):
        assert name in paragraph, name


MPI_FIT = """
import sys
import numpy as np
from mpi4py import MPI
import chainrule as cr
rng = np.random.default_rng(0)
X, Y = (rng.normal(size=(64, 2)) * 3).astype(np.float32), (rng.normal(size=(64, 2)) * 3).astype(np.float32)
net = cr.Network([cr.Dense(2, 4, "relu"), cr.Dense(4, 2, "linear")], loss="mse", seed=0, dtype="float32")
net.optimizer = cr.optim.SGD(lr=0.5).bind(net)
class Seen(cr.callbacks.Callback):
    def on_train_batch_begin(self, batch, **kw):
        assert kw["logs"] == {}
    def on_train_batch_end(self, batch, **kw):
        self.last = (batch, kw["logs"]["loss"])
seen = Seen()
net.fit(X, Y, batch_size=4, epochs=3, shuffle=False, verbose=0, callbacks=[cr.callbacks.TerminateOnNaN(), seen],
        comm=MPI.COMM_WORLD)
rank = MPI.COMM_WORLD.Get_rank()
with open(f"{sys.argv[1]}/rank{rank}.txt", "w") as f:       # a file each: the ranks' stdout lines interleave
    f.write(f"{seen.last} {net.history.history['loss']}")
"""


def test_two_mpi_ranks_give_batch_hooks_their_logs_by_keyword_and_log_keras_inf(tmp_path):
    """The same under a real mpiexec -n 2: each rank's hooks by keyword, the global batch's inf logged where Keras
    stops (batch 4 of this data: TerminateOnNaN's line)."""
    import subprocess
    import sys

    from mpi_env import MPIEXEC
    X, Y, _, model = _divergent(0.5)
    seen = []
    model.fit(X, Y, batch_size=4, epochs=3, shuffle=False, verbose=0, callbacks=[keras.callbacks.TerminateOnNaN(
        ), keras.callbacks.LambdaCallback(on_train_batch_end=lambda batch, logs: seen.append((batch, logs["loss"])))])
    r = subprocess.run([str(MPIEXEC), "-n", "2", sys.executable, "-c", MPI_FIT, str(tmp_path)], capture_output=True,
                       text=True,
                       timeout=120, check=False, env={**os.environ, "CHAINRULE_MPI_TIMEOUT": "20"})
    assert r.returncode == 0, r.stderr
    expected = f"{seen[-1]} {model.history.history['loss']}"
    assert [(tmp_path / f"rank{rank}.txt").read_text() for rank in (0, 1)] == [expected, expected]
    assert expected == "(4, inf) [inf]"


def test_a_resumed_fit_keeps_a_callbacks_text_logs(tmp_path):
    """The checkpoint's history read each logged value with float(): a run whose callback logged text could not be
    resumed ("a line of the history is not valid"); History keeps such values as they are, as Keras' does."""
    X, Y = np.ones((4, 2)), np.full((4, 2), 0.5)
    note = cr.callbacks.LambdaCallback(on_epoch_end=lambda epoch, logs: logs.update(note=f"epoch {epoch}"))
    _pair().fit(X, Y, epochs=2, verbose=0, callbacks=[note], checkpoint_dir=tmp_path / "ck")
    net = _pair()
    net.fit(X, Y, epochs=3, verbose=0, callbacks=[note], checkpoint_dir=tmp_path / "ck", resume=True)
    assert net.history.history["note"] == ["epoch 0", "epoch 1", "epoch 2"]
