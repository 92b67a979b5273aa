"""Keras parity, sixth round (KERAS_BACKEND=torch): where fit's progress is printed, class_weight beside
sample_weight, the accuracy logged under sample weights, steps_per_epoch, and the loss of weighted rows."""
import io
import os
import sys

import numpy as np
import pytest

import chainrule as cr

os.environ.setdefault("KERAS_BACKEND", "torch")
keras = pytest.importorskip("keras")


class FakeTerminal(io.StringIO):
    def isatty(self):
        return True


def _data(n=40, seed=0):
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(n, 2)).astype(np.float32)
    return X, (X[:, 0] > X[:, 1]).astype(int) + (X[:, 0] > 1)


def _twins(lr=0.3, classes=3, dtype="float32", **compile_kwargs):
    """A chainrule network and a Keras model with the same weights (softmax over `classes`), SGD(lr)."""
    net = cr.Network([cr.Dense(2, classes, "softmax")], loss="categorical_crossentropy", seed=0, dtype=dtype)
    model = keras.Sequential([keras.Input((2,)), keras.layers.Dense(classes, activation="softmax")])
    model.compile(optimizer=keras.optimizers.SGD(learning_rate=lr), loss="sparse_categorical_crossentropy",
                  **compile_kwargs)
    model.set_weights([net.layers[0].W.astype(np.float32), net.layers[0].b.astype(np.float32)])
    net.optimizer = cr.optim.SGD(lr=lr).bind(net)
    return net, model


# 1. fit's progress: on stdout, as Keras' (and as verbose=2, predict and evaluate)

@pytest.mark.parametrize("verbose", [1, "auto", 2])
def test_fit_progress_goes_where_keras_prints_it(verbose, capsys):
    X, y = _data()
    net, model = _twins(metrics=["accuracy"])
    model.fit(X, y, epochs=2, batch_size=16, shuffle=False, verbose=verbose)
    theirs = capsys.readouterr()
    net.fit(X, y, epochs=2, batch_size=16, shuffle=False, verbose=verbose)
    ours = capsys.readouterr()
    assert "Epoch 2/2" in theirs.out and "Epoch 2/2" not in theirs.err
    assert "Epoch 2/2" in ours.out and ours.err == ""


def test_the_command_draws_its_bar_on_stderr_and_keeps_stdout_for_results(tmp_path, monkeypatch, capsys):
    """`chainrule train` on a terminal: the bar on stderr (fit's is on stdout), stdout only its results."""
    from conftest import iris_table

    from chainrule.cli import main
    iris_table().to_csv(tmp_path / "iris.csv", index=False)
    monkeypatch.chdir(tmp_path)
    term = FakeTerminal()
    monkeypatch.setattr(sys, "stderr", term)
    assert main(["train", "iris.csv", "--target", "species", "--epochs", "3", "--out", "m.npz"]) == 0
    out = capsys.readouterr().out
    assert [line.split(":")[0] for line in out.splitlines()] == ["validation", "saved m.npz"]
    assert "Epoch 3/3" in term.getvalue() and "batch" in term.getvalue()     # tqdm's bar


# 2. steps_per_epoch and validation_steps: refused, saying what gives Keras' run; that advice checked against Keras

def test_steps_per_epoch_is_refused_with_advice_that_gives_keras_run():
    X, y = _data(48)
    net, model = _twins()
    for kwargs, words in (({"steps_per_epoch": 2}, "first steps_per_epoch * batch_size = 32 rows"),
                          ({"validation_steps": 2}, "first validation_steps * batch_size = 32 rows")):
        with pytest.raises(cr.errors.ValidationError, match=r"is not supported \(got \d\): ") as info:
            net.fit(X, y, batch_size=16, verbose=0, **kwargs)
        assert words in str(info.value)

    def endless():
        while True:
            for a in range(0, 48, 16):
                yield X[a:a + 16], y[a:a + 16]

    class Steps:                    # the error's advice: len() the steps, [i] the generator's next batch
        def __init__(self, batches, steps):
            self.batches, self.steps = batches, steps

        def __len__(self):
            return self.steps

        def __getitem__(self, i):
            return next(self.batches)

    model.fit(endless(), steps_per_epoch=2, epochs=3, verbose=0)      # 6 batches: the data twice over
    before = net.params.copy()
    net.fit(Steps(endless(), 2), epochs=3, shuffle=False, verbose=0)
    assert not np.array_equal(net.params, before)
    for a, b in zip(net.get_weights(), model.get_weights()):
        np.testing.assert_allclose(a, b, rtol=1e-5, atol=1e-6)


# 3. Sample weights: the accuracy logged, class_weight beside sample_weight, net.loss beside evaluate

W = np.array([1.0, 2.0, 3.0, 0.5, 1.0, 4.0, 0.0, 2.0, 1.5, 1.0] * 4, dtype=np.float32)


def test_weighted_accuracy_is_keras_weighted_metrics_and_its_metrics_is_evaluate_unweighted():
    """Under sample_weight the logged accuracy is Keras' weighted_metrics=["accuracy"] (documented); Keras'
    metrics=["accuracy"] counts each row once: evaluate without the weights. Both checked against Keras."""
    X, y = _data()
    net, weighted = _twins(weighted_metrics=["accuracy"])
    _, plain = _twins(metrics=["accuracy"])
    plain.set_weights(weighted.get_weights())
    kwargs = {"batch_size": 8, "epochs": 2, "shuffle": False, "verbose": 0, "sample_weight": W}
    theirs, ours = weighted.fit(X, y, **kwargs).history, net.fit(X, y, **kwargs).history
    np.testing.assert_allclose(ours["accuracy"], theirs["accuracy"], rtol=1e-6)
    plain.set_weights(net.get_weights())
    counted = plain.evaluate(X, y, sample_weight=W, return_dict=True, verbose=0)
    hits = (net.predict(X).argmax(axis=1) == y)
    assert counted["accuracy"] == pytest.approx(hits.mean(), abs=1e-7)          # Keras' metrics: unweighted
    assert net.evaluate(X, y)["accuracy"] == pytest.approx(counted["accuracy"], abs=1e-7)
    assert net.evaluate(X, y, W)["accuracy"] == pytest.approx(np.dot(W, hits) / W.sum(), rel=1e-6)


def test_class_weight_times_sample_weight_is_keras_given_their_product():
    """Keras refuses both ("You cannot `class_weight` and `sample_weight` at the same time."); chainrule
    multiplies them, as scikit-learn does: the run Keras trains on their product, step for step."""
    X, y = _data()
    table = {0: 1.0, 1: 2.5, 2: 0.5}
    net, model = _twins(weighted_metrics=["accuracy"])
    with pytest.raises(ValueError, match="class_weight.*sample_weight"):
        model.fit(X, y, sample_weight=W, class_weight=table, verbose=0)
    product = W * np.array([table[c] for c in y], dtype=np.float32)
    theirs = model.fit(X, y, batch_size=8, epochs=2, shuffle=False, verbose=0, sample_weight=product).history
    ours = net.fit(X, y, batch_size=8, epochs=2, shuffle=False, verbose=0, sample_weight=W, class_weight=table).history
    for key in ("loss", "accuracy"):
        np.testing.assert_allclose(ours[key], theirs[key], rtol=2e-5, err_msg=key)
    for a, b in zip(net.get_weights(), model.get_weights()):
        np.testing.assert_allclose(a, b, rtol=1e-5, atol=1e-6)


def test_net_loss_is_the_weighted_mean_and_evaluate_divides_by_the_rows_as_keras():
    X, y = _data()
    net, model = _twins(dtype="float64")
    p = net.predict(X)
    E = -np.log(p[np.arange(len(y)), y])
    theirs = model.evaluate(X, y, sample_weight=W, return_dict=True, verbose=0)["loss"]
    assert net.evaluate(X, y, W)["loss"] == pytest.approx(np.dot(W, E) / len(y), rel=1e-12)
    assert net.evaluate(X, y, W)["loss"] == pytest.approx(theirs, rel=1e-5)
    assert net.loss(X, y, sample_weight=W) == pytest.approx(np.dot(W, E) / W.sum(), rel=1e-12)
    assert net.loss(X, y, sample_weight=W) == pytest.approx(
        net.evaluate(X, y, W, weight_reduction="mean_with_sample_weight")["loss"], rel=1e-12)
