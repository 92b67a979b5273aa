"""Keras parity, fifth round, against Keras 3 itself (KERAS_BACKEND=torch) from the same weights: sample and
class weights' normalisation (Keras' "sum_over_batch_size"), a watched metric that is missing (a warning, not
an error), the learning rate's log key, evaluate's printed line, validation_freq and validation_batch_size."""
import os
import re

import numpy as np
import pytest

import chainrule as cr

os.environ.setdefault("KERAS_BACKEND", "torch")
keras = pytest.importorskip("keras")


def _data(n=10, seed=0):
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(n, 2)).astype(np.float32)
    y = (X[:, 0] > X[:, 1]).astype(int) + (X[:, 0] > 0.8)
    return X, y


def _twins(lr=0.5, weighted_metrics=True):
    """A chainrule softmax network and a Keras model with the same weights and plain SGD."""
    net = cr.Network([cr.Dense(2, 3, "softmax")], loss="categorical_crossentropy", seed=0, dtype="float32")
    model = keras.Sequential([keras.Input((2,)), keras.layers.Dense(3, activation="softmax")])
    metrics = {"weighted_metrics": ["accuracy"]} if weighted_metrics else {"metrics": ["accuracy"]}
    model.compile(optimizer=keras.optimizers.SGD(learning_rate=lr), loss="sparse_categorical_crossentropy", **metrics)
    model.set_weights([net.layers[0].W.copy(), net.layers[0].b.copy()])
    net.optimizer = cr.optim.SGD(lr=lr).bind(net)
    return net, model


WEIGHTS = np.array([1.0, 2.0, 3.0, 0.5, 1.0, 4.0, 0.0, 2.0, 1.5, 1.0], dtype=np.float32)


@pytest.mark.parametrize("how", ["sample_weight", "class_weight", "both"])
def test_weighted_fit_matches_keras_losses_and_weights(how):
    X, y = _data()
    kwargs = {}
    if how in ("sample_weight", "both"):
        kwargs["sample_weight"] = WEIGHTS
    if how in ("class_weight", "both"):
        kwargs["class_weight"] = {0: 1.0, 1: 2.5, 2: 0.5}
    Xv, yv = _data(7, seed=1)
    wv = np.linspace(0.5, 2.0, 7).astype(np.float32)
    net, model = _twins()
    keras_kwargs = kwargs     # Keras refuses both at once: their product as sample_weight, as chainrule weighs them
    if how == "both":
        keras_kwargs = {"sample_weight": WEIGHTS * np.array([1.0, 2.5, 0.5], dtype=np.float32)[y]}
    theirs = model.fit(X, y, batch_size=4, epochs=3, shuffle=False, verbose=0, validation_data=(Xv, yv, wv),
                       **keras_kwargs).history
    ours = net.fit(X, y, batch_size=4, epochs=3, shuffle=False, verbose=0, validation_data=(Xv, yv, wv),
                   **kwargs).history
    for key in ("loss", "accuracy", "val_loss", "val_accuracy"):
        np.testing.assert_allclose(ours[key], theirs[key], rtol=2e-5, atol=1e-6, err_msg=key)
    for a, b in zip(net.get_weights(), model.get_weights()):
        np.testing.assert_allclose(a, b, rtol=1e-5, atol=1e-6)


def test_one_weighted_sgd_step_is_keras_by_hand():
    """The step itself, from numpy: dE/dz = w_i (p_i - y_i) / n (Keras divides by the batch's size)."""
    X, y = _data(4)
    w = WEIGHTS[:4]
    net, _ = _twins()
    W0, b0 = net.layers[0].W.astype(np.float64), net.layers[0].b.astype(np.float64)
    z = X @ W0 + b0
    p = np.exp(z - z.max(axis=1, keepdims=True))
    p /= p.sum(axis=1, keepdims=True)
    onehot = np.eye(3)[y]
    losses = -np.log(p[np.arange(4), y])
    d = w[:, None] * (p - onehot) / 4
    history = net.fit(X, y, batch_size=4, epochs=1, shuffle=False, verbose=0, sample_weight=w)
    np.testing.assert_allclose(history.history["loss"][0], np.dot(w, losses) / 4, rtol=1e-6)
    np.testing.assert_allclose(net.layers[0].W, W0 - 0.5 * X.T @ d, rtol=1e-5, atol=1e-7)
    np.testing.assert_allclose(net.layers[0].b, b0 - 0.5 * d.sum(axis=0), rtol=1e-5, atol=1e-7)


def test_weighted_evaluate_matches_keras():
    X, y = _data()
    net, model = _twins()
    theirs = model.evaluate(X, y, sample_weight=WEIGHTS, verbose=0, return_dict=True)
    ours = net.evaluate(X, y, sample_weight=WEIGHTS, batch_size=3)
    np.testing.assert_allclose(ours["loss"], theirs["loss"], rtol=1e-6)
    np.testing.assert_allclose(ours["accuracy"], theirs["accuracy"], rtol=1e-6)


def test_mean_with_sample_weight_keeps_scikit_learns_normalisation():
    """Keras' own "mean_with_sample_weight" reduction: the loss divided by the weights' sum."""
    X, y = _data()
    net, model = _twins()
    model.compile(optimizer=keras.optimizers.SGD(learning_rate=0.5), weighted_metrics=["accuracy"],
                  loss=keras.losses.SparseCategoricalCrossentropy(reduction="mean_with_sample_weight"))
    theirs = model.evaluate(X, y, sample_weight=WEIGHTS, verbose=0, return_dict=True)
    ours = net.evaluate(X, y, sample_weight=WEIGHTS, weight_reduction="mean_with_sample_weight")
    np.testing.assert_allclose(ours["loss"], theirs["loss"], rtol=1e-6)
    model.fit(X, y, batch_size=4, epochs=2, shuffle=False, verbose=0, sample_weight=WEIGHTS)
    net.fit(X, y, batch_size=4, epochs=2, shuffle=False, verbose=0, sample_weight=WEIGHTS,
            weight_reduction="mean_with_sample_weight")
    for a, b in zip(net.get_weights(), model.get_weights()):     # the steps (the epoch's mean loss is not Keras'')
        np.testing.assert_allclose(a, b, rtol=1e-5, atol=1e-6)


def test_weight_reduction_is_checked():
    X, y = _data()
    net, _ = _twins()
    with pytest.raises(cr.errors.ValidationError, match="weight_reduction must be one of .*got 'sum'"):
        net.fit(X, y, sample_weight=WEIGHTS, weight_reduction="sum", verbose=0)
    with pytest.raises(cr.errors.ValidationError, match="weight_reduction must be one of"):
        net.evaluate(X, y, weight_reduction=None)


def _warnings_of(fit):
    import warnings
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        history = fit()
    return history, [str(w.message) for w in caught if issubclass(w.category, UserWarning)]


@pytest.mark.parametrize("make", [
    lambda k: k.callbacks.EarlyStopping(monitor="val_loss", patience=0),
    lambda k: k.callbacks.EarlyStopping(monitor="val_los", mode="min", patience=0),     # a typo (auto: Keras raises)
    lambda k: k.callbacks.ReduceLROnPlateau(monitor="val_loss", patience=0)])
def test_a_missing_monitor_is_keras_warning_and_training_goes_on(make):
    X, y = _data()
    net, model = _twins()
    theirs, their_words = _warnings_of(lambda: model.fit(X, y, epochs=3, batch_size=4, shuffle=False, verbose=0,
                                                         callbacks=[make(keras)]))
    ours, our_words = _warnings_of(lambda: net.fit(X, y, epochs=3, batch_size=4, shuffle=False, verbose=0,
                                                   callbacks=[make(cr)]))
    assert their_words and set(our_words) == set(their_words)
    assert ours.epoch == theirs.epoch == [0, 1, 2]
    assert set(ours.history) == set(theirs.history)
    np.testing.assert_allclose(ours.history["loss"], theirs.history["loss"], rtol=2e-5)


def test_a_best_only_checkpoint_without_its_monitor_saves_every_epoch_as_keras(tmp_path, capsys):
    X, y = _data()
    net, model = _twins()
    theirs, their_words = _warnings_of(lambda: model.fit(X, y, epochs=2, batch_size=4, verbose=0, callbacks=[
        keras.callbacks.ModelCheckpoint(str(tmp_path / "k-{epoch}.keras"), save_best_only=True, verbose=1)]))
    their_lines = [line for line in capsys.readouterr().out.splitlines() if line]
    ours, our_words = _warnings_of(lambda: net.fit(X, y, epochs=2, batch_size=4, verbose=0, callbacks=[
        cr.ModelCheckpoint(str(tmp_path / "c-{epoch}.npz"), save_best_only=True, verbose=1)]))
    our_lines = [line for line in capsys.readouterr().out.splitlines() if line]
    assert their_words and set(our_words) == set(their_words)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["c-1.npz", "c-2.npz", "k-1.keras", "k-2.keras"]
    assert [line.replace(".keras", ".npz").replace("/k-", "/c-") for line in their_lines] == our_lines


@pytest.mark.parametrize("make", [lambda k: k.callbacks.ReduceLROnPlateau(monitor="loss", patience=0, min_delta=10),
                                  lambda k: k.callbacks.LearningRateScheduler(lambda epoch, lr: lr * 0.5)])
def test_the_rate_is_logged_under_keras_name_alone(make):
    X, y = _data()
    net, model = _twins()
    theirs = model.fit(X, y, epochs=3, batch_size=4, shuffle=False, verbose=0, callbacks=[make(keras)])
    ours = net.fit(X, y, epochs=3, batch_size=4, shuffle=False, verbose=0, callbacks=[make(cr)])
    assert list(ours.history) == list(theirs.history)
    assert ours.history["learning_rate"] == theirs.history["learning_rate"]


def _last_states(text):
    """Each printed line as Keras' bar leaves it (after its last carriage return), its colours removed and its
    seconds and time a step made patterns."""
    lines = [re.sub(r"\x1b\[[0-9;]*m", "", line.split("\r")[-1]).rstrip() for line in text.split("\n")]
    return [re.sub(r"\b\d+s( -)? \d+(us|ms|s)/step", r"Ts\1 T/step", line) for line in lines if line]


@pytest.mark.parametrize("verbose", [1, 2, "auto"])
@pytest.mark.parametrize("batch_size", [None, 7])
def test_evaluate_and_predict_print_keras_line(capsys, verbose, batch_size):
    X, y = _data(50)
    net, model = _twins()
    model.evaluate(X, y, verbose=verbose, batch_size=batch_size)
    model.predict(X, verbose=verbose, batch_size=batch_size)
    theirs = _last_states(capsys.readouterr().out)
    net.evaluate(X, y, verbose=verbose, batch_size=batch_size)
    net.predict(X, verbose=verbose, batch_size=batch_size)
    ours = _last_states(capsys.readouterr().out)
    assert ours == theirs and len(ours) == 2


@pytest.mark.parametrize("freq", [2, [1, 3], (3,)])
def test_validation_freq_validates_the_epochs_keras_does(freq):
    X, y = _data(12)
    Xv, yv = _data(9, seed=3)
    net, model = _twins()
    theirs = model.fit(X, y, epochs=4, batch_size=4, shuffle=False, verbose=0, validation_data=(Xv, yv),
                       validation_freq=list(freq) if isinstance(freq, tuple) else freq).history
    ours = net.fit(X, y, epochs=4, batch_size=4, shuffle=False, verbose=0, validation_data=(Xv, yv),
                   validation_freq=freq).history
    assert set(ours) == set(theirs)
    for key in theirs:
        assert len(ours[key]) == len(theirs[key]), key
        np.testing.assert_allclose(ours[key], theirs[key], rtol=2e-5, atol=1e-6, err_msg=key)
    validated = [e for e in range(4) if (e + 1) % freq == 0] if isinstance(freq, int) else [e - 1 for e in freq]
    check = cr.Network([cr.Dense(2, 3, "softmax")], loss="categorical_crossentropy", seed=0, dtype="float32")
    check.optimizer = cr.optim.SGD(lr=0.5).bind(check)
    expected = []
    for epoch in range(4):          # the same run an epoch at a time, evaluated by hand after the epochs listed
        check.fit(X, y, epochs=epoch + 1, initial_epoch=epoch, batch_size=4, shuffle=False, verbose=0)
        if epoch in validated:
            expected.append(check.evaluate(Xv, yv)["loss"])
    np.testing.assert_allclose(ours["val_loss"], expected, rtol=1e-6)


def test_validation_batch_size_and_a_watched_value_missing_in_some_epochs():
    X, y = _data(12)
    Xv, yv = _data(9, seed=3)
    net, model = _twins()
    theirs, their_words = _warnings_of(lambda: model.fit(
        X, y, epochs=3, batch_size=4, shuffle=False, verbose=0, validation_data=(Xv, yv), validation_freq=2,
        validation_batch_size=2, callbacks=[keras.callbacks.EarlyStopping(patience=5)]))
    ours, our_words = _warnings_of(lambda: net.fit(
        X, y, epochs=3, batch_size=4, shuffle=False, verbose=0, validation_data=(Xv, yv), validation_freq=2,
        validation_batch_size=2, callbacks=[cr.EarlyStopping(patience=5)]))
    assert their_words and set(our_words) == set(their_words)
    for key in theirs.history:
        np.testing.assert_allclose(ours.history[key], theirs.history[key], rtol=2e-5, atol=1e-6, err_msg=key)


@pytest.mark.parametrize("bad", [0, -1, True, 1.5, "2", [0, 2], [1.0], {1: 1}, None])
def test_a_bad_validation_freq_is_named(bad):
    X, y = _data()
    net, _ = _twins()
    before = net.params.copy()
    with pytest.raises(cr.errors.ValidationError, match=r"validation_freq must be an integer >= 1 .* or a list of "
                                                        r"epoch numbers counted from 1 \(as Keras'\); got "):
        net.fit(X, y, epochs=2, verbose=0, validation_data=(X, y), validation_freq=bad)
    np.testing.assert_array_equal(net.params, before)               # before any work
    with pytest.raises(cr.errors.ValidationError, match="validation_batch_size"):
        net.fit(X, y, epochs=2, verbose=0, validation_data=(X, y), validation_batch_size=0)


def _recorder(base):
    """A Keras-style callback (hooks with logs=None) recording each call and the logs' names it got."""
    calls = []

    class Recorder(base):
        def on_train_begin(self, logs=None):
            calls.append(("train_begin",))

        def on_epoch_begin(self, epoch, logs=None):
            calls.append(("epoch_begin", epoch))

        def on_train_batch_begin(self, batch, logs=None):
            calls.append(("batch_begin", batch))

        def on_train_batch_end(self, batch, logs=None):
            calls.append(("batch_end", batch, sorted(logs)))

        def on_epoch_end(self, epoch, logs=None):
            calls.append(("epoch_end", epoch, sorted(logs)))

        def on_train_end(self, logs=None):
            calls.append(("train_end", None if logs is None else {k: round(v, 5) for k, v in logs.items()}))

    return Recorder(), calls


def test_callbacks_are_called_as_keras_calls_them_through_an_early_stop():
    """Keras' order of calls, and on_train_end(logs) gets the last epoch's logs (it got None)."""
    X, y = _data()
    net, model = _twins()
    theirs, their_calls = _recorder(keras.callbacks.Callback)
    ours, our_calls = _recorder(cr.callbacks.Callback)
    stop = {"monitor": "loss", "patience": 0, "min_delta": 10}
    kh = model.fit(X, y, epochs=5, batch_size=4, shuffle=False, verbose=0, validation_split=0.2,
                   callbacks=[keras.callbacks.EarlyStopping(**stop), theirs])
    ch = net.fit(X, y, epochs=5, batch_size=4, shuffle=False, verbose=0, validation_split=0.2,
                 callbacks=[cr.EarlyStopping(**stop), ours])
    assert our_calls[:-1] == their_calls[:-1]
    assert our_calls[-1][0] == "train_end" and our_calls[-1][1] == pytest.approx(their_calls[-1][1], rel=1e-4)
    assert ch.epoch == kh.epoch == [0, 1] and ch.params == kh.params and net.history is ch


@pytest.mark.parametrize("name", ["EarlyStopping", "ReduceLROnPlateau", "ModelCheckpoint"])
def test_auto_mode_of_a_name_it_cannot_read_is_an_error_as_keras(name, tmp_path):
    """A typo with mode='auto': Keras raises (it cannot tell up from down); chainrule too, before training."""
    X, y = _data()
    net, model = _twins()
    args = (str(tmp_path / "m.keras"),) if name == "ModelCheckpoint" else ()
    with pytest.raises(ValueError, match="isn't able to automatically determine whether that metric should be"):
        model.fit(X, y, epochs=1, verbose=0, callbacks=[getattr(keras.callbacks, name)(*args, monitor="val_los")])
    before = net.params.copy()
    with pytest.raises(cr.errors.ValidationError, match=rf"{name}: mode='auto' cannot tell whether "
                                                        r"monitor='val_los' should be maximized or minimized"):
        net.fit(X, y, epochs=1, verbose=0, callbacks=[getattr(cr, name)(*args[:1], monitor="val_los")])
    np.testing.assert_array_equal(net.params, before)
    for ok in ("loss", "val_loss", "accuracy", "val_accuracy"):
        getattr(cr, name)(*args[:1], monitor=ok)


@pytest.mark.parametrize("name", ["EarlyStopping", "ReduceLROnPlateau", "ModelCheckpoint"])
@pytest.mark.parametrize("typo, near", [("val_los", "val_loss"), ("acuracy", "accuracy"),
                                        ("val_accuray", "val_accuracy")])  # val_acc: fit logs it (metrics=['acc'])
def test_a_typo_in_monitor_names_the_logged_value_it_is_near(name, typo, near, tmp_path):
    """The refusal told to pass mode='max' or 'min', which trains with a name never logged (a warning each epoch,
    nothing stopped or saved); the typo is what is wrong, and the name it was near is said."""
    args = (str(tmp_path / "m.npz"),) if name == "ModelCheckpoint" else ()
    with pytest.raises(cr.errors.ValidationError, match=rf"did you mean monitor='{near}'\? Else pass mode="):
        getattr(cr, name)(*args, monitor=typo)
    with pytest.raises(cr.errors.ValidationError) as far:
        getattr(cr, name)(*args, monitor="f1_score")
    assert "did you mean" not in str(far.value)
