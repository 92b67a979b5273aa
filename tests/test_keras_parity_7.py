"""Keras parity, seventh round, against Keras 3 itself (KERAS_BACKEND=torch) from the same weights: compile's
metrics= and weighted_metrics= (which accuracy is logged, under which name, in fit's history and lines and in
evaluate), class_weight and (x, y, w) batches on a sequence (a PyDataset), and where a resumed run's line prints."""
import os
import re

import numpy as np
import pytest

import chainrule as cr

os.environ.setdefault("KERAS_BACKEND", "torch")
keras = pytest.importorskip("keras")

CLASS_WEIGHT = {0: 1.0, 1: 2.5, 2: 0.5}
WEIGHTS = np.array([1.0, 2.0, 3.0, 0.5, 1.0, 4.0, 0.0, 2.0, 1.5, 1.0], dtype=np.float32)
SPLITS = [{"metrics": ["accuracy"]}, {"weighted_metrics": ["accuracy"]},
          {"metrics": ["accuracy"], "weighted_metrics": ["accuracy"]}, {"metrics": []}]


def _data(n=10, seed=0):
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(n, 2)).astype(np.float32)
    y = (X[:, 0] > X[:, 1]).astype(int) + (X[:, 0] > 0.8)
    return X, y


def _twins(lr=0.5, **metrics):
    """A chainrule softmax network and a Keras model with the same weights, plain SGD and `metrics`."""
    net = cr.Network([cr.Dense(2, 3, "softmax")], loss="categorical_crossentropy", seed=0, dtype="float32")
    model = keras.Sequential([keras.Input((2,)), keras.layers.Dense(3, activation="softmax")])
    model.compile(optimizer=keras.optimizers.SGD(learning_rate=lr), loss="sparse_categorical_crossentropy", **metrics)
    model.set_weights([net.layers[0].W.copy(), net.layers[0].b.copy()])
    net.optimizer = cr.optim.SGD(lr=lr).bind(net)
    return net, model


def _same(ours: dict, theirs: dict, ordered: bool = True) -> None:
    assert list(ours) == list(theirs) if ordered else sorted(ours) == sorted(theirs)
    for key in theirs:
        np.testing.assert_allclose(ours[key], theirs[key], rtol=2e-5, atol=1e-6, err_msg=key)


def _names(line: str) -> list[str]:
    return re.findall(r" - ([a-z_]+): ", line)


@pytest.mark.parametrize("metrics", SPLITS, ids=["metrics", "weighted", "both", "none"])
@pytest.mark.parametrize("how", ["sample_weight", "class_weight"])
def test_metrics_and_weighted_metrics_log_as_keras(metrics, how, capsys):
    X, y = _data()
    Xv, yv = _data(7, seed=1)
    wv = np.linspace(0.5, 2.0, 7).astype(np.float32)
    weights = {"sample_weight": WEIGHTS} if how == "sample_weight" else {"class_weight": CLASS_WEIGHT}
    net, model = _twins(**metrics)
    theirs = model.fit(X, y, batch_size=4, epochs=2, shuffle=False, verbose=2, validation_data=(Xv, yv, wv),
                       **weights)
    their_lines = capsys.readouterr().out.splitlines()
    ours = net.fit(X, y, batch_size=4, epochs=2, shuffle=False, verbose=2, validation_data=(Xv, yv, wv),
                   **weights, **metrics)
    our_lines = capsys.readouterr().out.splitlines()
    assert sorted(ours.history) == sorted(theirs.history)
    _same({k: ours.history[k] for k in sorted(ours.history)}, {k: theirs.history[k] for k in sorted(theirs.history)})
    assert [_names(line) for line in our_lines] == [_names(line) for line in their_lines]
    for w in (WEIGHTS, None):
        extra = {} if w is None else {"sample_weight": w}
        _same(net.evaluate(X, y, **extra, return_dict=True, **metrics),       # Keras': sorted; chainrule's: the
              model.evaluate(X, y, **extra, verbose=0, return_dict=True), ordered=False)    # loss first
        if len(metrics.get("metrics", [])) + len(metrics.get("weighted_metrics", [])) < 2:   # Keras' list of both
            np.testing.assert_allclose(net.evaluate(X, y, **extra, return_dict=False, **metrics),    # repeats one
                                       model.evaluate(X, y, **extra, verbose=0), rtol=2e-5, atol=1e-6)
    net.evaluate(X, y, sample_weight=WEIGHTS, verbose=2, **metrics)
    model.evaluate(X, y, sample_weight=WEIGHTS, verbose=2)
    ours_line, theirs_line = capsys.readouterr().out.splitlines()
    assert _names(ours_line) == _names(theirs_line)


def test_the_default_is_weighted_metrics_accuracy():
    """Neither given: the weighted accuracy as "accuracy" (Keras' default logs the loss alone)."""
    X, y = _data()
    default, _ = _twins()
    net, model = _twins(weighted_metrics=["accuracy"])
    ours = default.fit(X, y, batch_size=4, epochs=2, shuffle=False, verbose=0, sample_weight=WEIGHTS).history
    theirs = model.fit(X, y, batch_size=4, epochs=2, shuffle=False, verbose=0, sample_weight=WEIGHTS).history
    _same(ours, {k: theirs[k] for k in ours})
    _same(default.evaluate(X, y, sample_weight=WEIGHTS), model.evaluate(X, y, sample_weight=WEIGHTS, verbose=0,
                                                                         return_dict=True), ordered=False)


def test_per_batch_logs_follow_the_split():
    X, y = _data()
    seen: dict[str, list] = {"ours": [], "theirs": []}
    both = {"metrics": ["accuracy"], "weighted_metrics": ["accuracy"]}
    net, model = _twins(**both)
    model.fit(X, y, batch_size=4, epochs=1, shuffle=False, verbose=0, sample_weight=WEIGHTS, callbacks=[
        keras.callbacks.LambdaCallback(on_batch_end=lambda b, logs: seen["theirs"].append(dict(logs)))])
    net.fit(X, y, batch_size=4, epochs=1, shuffle=False, verbose=0, sample_weight=WEIGHTS, **both, callbacks=[
        cr.callbacks.LambdaCallback(on_batch_end=lambda b, logs: seen["ours"].append(dict(logs)))])
    assert len(seen["ours"]) == len(seen["theirs"]) == 3
    for ours, theirs in zip(seen["ours"], seen["theirs"]):
        _same({k: ours[k] for k in sorted(ours)}, {k: float(theirs[k]) for k in sorted(theirs)})


def test_bad_metrics_are_named():
    X, y = _data()
    net, _ = _twins()
    with pytest.raises(cr.errors.ValidationError, match=r"metrics: chainrule's metrics are the accuracies .*got 'mae'"):
        net.fit(X, y, metrics=["mae"], verbose=0)
    with pytest.raises(cr.errors.ValidationError, match=r"weighted_metrics must be a list.*got 'accuracy'"):
        net.evaluate(X, y, weighted_metrics="accuracy")
    regression = cr.Network([cr.Dense(2, 1, "linear")], loss="mse", seed=0)
    with pytest.raises(cr.errors.ValidationError, match="is for a classifier; this network regresses"):
        regression.evaluate(X, y * 1.0, metrics=["accuracy"])


def _dataset(X, y, size, w=None):
    class Batches(keras.utils.PyDataset):
        def __len__(self):
            return -(-len(X) // size)

        def __getitem__(self, i):
            part = slice(i * size, (i + 1) * size)
            return (X[part], y[part]) if w is None else (X[part], y[part], w[part])
    return Batches()


@pytest.mark.parametrize("metrics", SPLITS[:3], ids=["metrics", "weighted", "both"])
@pytest.mark.parametrize("kind", ["class_weight", "weighted batches", "both"])
def test_a_sequence_takes_class_weight_and_weighted_batches_as_keras(kind, metrics):
    """Keras weighs a PyDataset's batches by class_weight (it refuses it with batches' own weights: their product
    given as the batches' weights, as chainrule multiplies them), and a validation sequence by its batches' own."""
    X, y = _data(11)
    Xv, yv = _data(7, seed=1)
    w, wv = np.linspace(0.2, 3.0, 11).astype(np.float32), np.linspace(0.5, 2.0, 7).astype(np.float32)
    net, model = _twins(**metrics)
    by_class = kind != "weighted batches"
    own = None if kind == "class_weight" else w
    keras_w = None if not by_class else np.array([1.0, 2.5, 0.5], dtype=np.float32)[y]
    if kind == "both":
        keras_w, own = keras_w * w, w
    theirs = model.fit(_dataset(X, y, 4, keras_w if kind == "both" else own), epochs=3, verbose=0, shuffle=False,
                       validation_data=_dataset(Xv, yv, 3, wv),
                       **({"class_weight": CLASS_WEIGHT} if kind == "class_weight" else {})).history
    ours = net.fit(_dataset(X, y, 4, own), epochs=3, verbose=0, shuffle=False, validation_data=_dataset(Xv, yv, 3, wv),
                   class_weight=CLASS_WEIGHT if by_class else None, **metrics).history
    _same({k: ours[k] for k in sorted(ours)}, {k: theirs[k] for k in sorted(theirs)})
    for a, b in zip(net.get_weights(), model.get_weights()):
        np.testing.assert_allclose(a, b, rtol=1e-5, atol=1e-6)


def test_a_sequence_with_sample_weight_is_keras_refusal():
    X, y = _data()
    net, model = _twins()
    with pytest.raises(ValueError, match="sample_weight"):
        model.fit(_dataset(X, y, 4), sample_weight=WEIGHTS, verbose=0)
    with pytest.raises(cr.errors.ValidationError, match=r"with a sequence of batches .*\(x, y, sample_weight\)"):
        net.fit(_dataset(X, y, 4), sample_weight=WEIGHTS, verbose=0)


def test_the_resumed_line_prints_where_keras_callbacks_print(tmp_path, capsys):
    """Keras' callbacks (EarlyStopping's "early stopping" line) print on stdout, as fit's own lines; the line
    of a resumed run too, or on the stream of a ProgressBar given its own."""
    import sys
    X, y = _data()
    _, model = _twins()
    model.fit(X, y, epochs=3, verbose=2, callbacks=[keras.callbacks.EarlyStopping(monitor="loss", patience=0,
                                                                                 min_delta=1e9, verbose=1)])
    keras_said = capsys.readouterr()
    assert "early stopping" in keras_said.out and "early stopping" not in keras_said.err
    net, _ = _twins()
    net.fit(X, y, epochs=1, verbose=0, checkpoint_dir=tmp_path / "a")
    capsys.readouterr()
    net.fit(X, y, epochs=2, verbose=2, checkpoint_dir=tmp_path / "a", resume=True)
    said = capsys.readouterr()
    assert "chainrule: resumed from epoch 1 of 2" in said.out and "resumed" not in said.err
    assert said.out.index("resumed from") < said.out.index("Epoch 2/2")
    net.fit(X, y, epochs=3, verbose=0, checkpoint_dir=tmp_path / "a", resume=True,
            callbacks=[cr.callbacks.ProgressBar(file=sys.stderr)])
    said = capsys.readouterr()
    assert "chainrule: resumed from epoch 2 of 3" in said.err and "resumed" not in said.out


@pytest.mark.parametrize("metrics", SPLITS[:3], ids=["metrics", "weighted", "both"])
def test_a_binary_network_and_validation_split_follow_the_split(metrics):
    """One sigmoid output (the per-batch count of correct rows) and validation_split's weights (the last rows')."""
    X, y = _data(12)
    y = (y > 0).astype(np.float32)
    w = np.linspace(0.2, 3.0, 12).astype(np.float32)
    net = cr.Network([cr.Dense(2, 1, "sigmoid")], loss="binary_crossentropy", seed=0, dtype="float32")
    model = keras.Sequential([keras.Input((2,)), keras.layers.Dense(1, activation="sigmoid")])
    model.compile(optimizer=keras.optimizers.SGD(learning_rate=0.5), loss="binary_crossentropy", **metrics)
    model.set_weights([net.layers[0].W.copy(), net.layers[0].b.copy()])
    net.optimizer = cr.optim.SGD(lr=0.5).bind(net)
    theirs = model.fit(X, y, batch_size=4, epochs=3, shuffle=False, verbose=0, sample_weight=w,
                       validation_split=0.25).history
    ours = net.fit(X, y, batch_size=4, epochs=3, shuffle=False, verbose=0, sample_weight=w, validation_split=0.25,
                   **metrics).history
    _same({k: ours[k] for k in sorted(ours)}, {k: theirs[k] for k in sorted(theirs)})


def test_a_batch_stop_under_weights_logs_both_accuracies_as_keras():
    """A callback's stop after a batch ends the epoch there (Keras'): the accuracies are over the rows trained."""
    X, y = _data()
    both = {"metrics": ["accuracy"], "weighted_metrics": ["accuracy"]}
    net, model = _twins(**both)

    def stopper(module, target):
        def stop(batch, logs):
            if batch == 1:
                target().stop_training = True
        return module.callbacks.LambdaCallback(on_batch_end=stop)
    theirs = model.fit(X, y, batch_size=4, epochs=2, shuffle=False, verbose=0, sample_weight=WEIGHTS,
                       callbacks=[stopper(keras, lambda: model)]).history
    ours = net.fit(X, y, batch_size=4, epochs=2, shuffle=False, verbose=0, sample_weight=WEIGHTS, **both,
                   callbacks=[stopper(cr, lambda: net)]).history
    _same({k: ours[k] for k in sorted(ours)}, {k: theirs[k] for k in sorted(theirs)})


@pytest.mark.parametrize("source", ["arrays", "sequence"])
def test_a_first_batch_of_zero_weights_logs_zeros_as_keras(source):
    """Keras' batch logs divide without NaN (0 where no weight is seen yet); they were a ZeroDivisionError."""
    X, y = _data(8)
    w = np.array([0, 0, 0, 0, 1, 1, 1, 1], dtype=np.float32)
    both = {"metrics": ["accuracy"], "weighted_metrics": ["accuracy"]}
    net, model = _twins(**both)
    seen: dict[str, list] = {"ours": [], "theirs": []}
    model.fit(X, y, batch_size=4, shuffle=False, verbose=0, sample_weight=w, callbacks=[
        keras.callbacks.LambdaCallback(on_batch_end=lambda b, logs: seen["theirs"].append(dict(logs)))])
    args, data = ((X, y), {"sample_weight": w, "batch_size": 4}) if source == "arrays" else \
        ((_dataset(X, y, 4, w),), {})
    net.fit(*args, **data, shuffle=False, verbose=0, **both, callbacks=[
        cr.callbacks.LambdaCallback(on_batch_end=lambda b, logs: seen["ours"].append(dict(logs)))])
    assert seen["theirs"][0]["loss"] == seen["theirs"][0]["weighted_accuracy"] == 0.0
    for ours, theirs in zip(seen["ours"], seen["theirs"]):
        _same({k: ours[k] for k in sorted(ours)}, {k: float(theirs[k]) for k in sorted(theirs)})
