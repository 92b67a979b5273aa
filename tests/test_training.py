"""Training on real data (scikit-learn's bundled sets), reproducibility, callbacks, save/load."""
import numpy as np
import pytest

import chainrule as cr
from chainrule import optim

sklearn = pytest.importorskip("sklearn")
from sklearn.datasets import load_breast_cancer, load_digits, load_iris, make_moons  # noqa: E402
from sklearn.model_selection import train_test_split  # noqa: E402
from sklearn.preprocessing import StandardScaler  # noqa: E402


def split(X, y):
    X_tr, X_te, y_tr, y_te = train_test_split(X, y, test_size=0.25, random_state=0)
    scaler = StandardScaler().fit(X_tr)
    return scaler.transform(X_tr), scaler.transform(X_te), y_tr, y_te


def test_digits_accuracy():
    X_tr, X_te, y_tr, y_te = split(*load_digits(return_X_y=True))
    net = cr.Network([cr.Dense(64, 64, "relu"), cr.Dense(64, 10, "softmax")], loss="categorical_crossentropy",
                     seed=0)
    net.fit(X_tr, y_tr, epochs=40, batch_size=32, optimizer=optim.Adam(1e-3), seed=0, verbose=0)
    assert net.evaluate(X_te, y_te)["accuracy"] >= 0.97


def test_iris_accuracy():
    X_tr, X_te, y_tr, y_te = split(*load_iris(return_X_y=True))
    net = cr.Network([cr.Dense(4, 16, "tanh"), cr.Dense(16, 3, "softmax")], loss="categorical_crossentropy", seed=0)
    net.fit(X_tr, y_tr, epochs=200, batch_size=16, optimizer=optim.Adam(1e-2), seed=0, verbose=0)
    assert net.evaluate(X_te, y_te)["accuracy"] >= 0.95


def test_breast_cancer_accuracy():
    X_tr, X_te, y_tr, y_te = split(*load_breast_cancer(return_X_y=True))
    net = cr.Network([cr.Dense(30, 16, "relu"), cr.Dense(16, 1, "sigmoid")], loss="binary_crossentropy", seed=0)
    net.fit(X_tr, y_tr, epochs=50, batch_size=32, optimizer=optim.Adam(1e-3), seed=0, verbose=0)
    assert net.evaluate(X_te, y_te)["accuracy"] >= 0.96


def test_moons_accuracy():
    X, y = make_moons(1000, noise=0.2, random_state=0)
    X_tr, X_te, y_tr, y_te = split(X, y)
    net = cr.Network([cr.Dense(2, 32, "relu"), cr.Dense(32, 32, "relu"), cr.Dense(32, 1, "sigmoid")],
                     loss="binary_crossentropy", seed=0)
    net.fit(X_tr, y_tr, epochs=100, batch_size=32, optimizer=optim.Adam(1e-2), seed=0, verbose=0)
    assert net.evaluate(X_te, y_te)["accuracy"] >= 0.95


def test_xor_needs_a_hidden_layer():
    """The first seed: a single layer only separates linearly; a 2-2-1 sigmoid network learns XOR."""
    X, y = cr.examples.xor()
    deep = cr.Network([cr.Dense(2, 2, "sigmoid"), cr.Dense(2, 1, "sigmoid")], loss="sse", seed=3)
    deep.fit(X, y, epochs=5000, batch_size=None, optimizer=optim.SGD(2.0), verbose=0)
    assert np.array_equal(deep.predict_classes(X), y)
    assert deep.loss(X, y) < 0.01
    single = cr.Network([cr.Dense(2, 1, "sigmoid")], loss="sse", seed=3)
    single.fit(X, y, epochs=5000, batch_size=None, optimizer=optim.SGD(2.0), verbose=0)
    assert np.count_nonzero(single.predict_classes(X) == y) <= 3
    assert single.loss(X, y) > 0.1


def _small_problem():
    X, y = load_iris(return_X_y=True)
    return StandardScaler().fit_transform(X), y


def _net(seed=0, dropout=0.0):
    layers = [cr.Dense(4, 16, "relu")] + ([cr.Dropout(dropout)] if dropout else []) + [cr.Dense(16, 3, "softmax")]
    return cr.Network(layers, loss="categorical_crossentropy", seed=seed)


def test_same_seed_same_result_bit_for_bit():
    X, y = _small_problem()
    a, b = _net(dropout=0.2), _net(dropout=0.2)
    ha = a.fit(X, y, epochs=5, batch_size=8, seed=7, verbose=0)
    hb = b.fit(X, y, epochs=5, batch_size=8, seed=7, verbose=0)
    np.testing.assert_array_equal(a.params, b.params)
    assert ha.history == hb.history
    c = _net(dropout=0.2)
    c.fit(X, y, epochs=5, batch_size=8, seed=8, verbose=0)
    assert np.any(c.params != a.params)


def test_history_like_keras():
    X, y = _small_problem()
    net = _net()
    h = net.fit(X, y, epochs=4, batch_size=16, validation_split=0.2, verbose=0, seed=0)
    assert set(h.history) == {"loss", "accuracy", "val_loss", "val_accuracy"}
    assert len(h.loss) == 4 and h["val_loss"] == h.history["val_loss"] and h.epoch == [0, 1, 2, 3]
    assert net.history is h


def test_integer_labels_and_one_hot_targets_train_identically():
    X, y = _small_problem()
    a, b = _net(), _net()
    a.fit(X, y, epochs=3, batch_size=16, seed=0, verbose=0)
    b.fit(X, np.eye(3)[y], epochs=3, batch_size=16, seed=0, verbose=0)
    np.testing.assert_array_equal(a.params, b.params)


def test_dropout_only_in_training():
    X, _ = _small_problem()
    net = _net(dropout=0.5)
    np.testing.assert_array_equal(net.predict(X), net.predict(X))
    d = net.layers[1]
    out = d.forward(np.ones((1000, 16)), training=True)
    assert 0.4 < np.mean(out == 0) < 0.6 and set(np.unique(out)) <= {0.0, 2.0}


def test_early_stopping_restores_best_weights():
    X, y = _small_problem()
    net = _net()

    class Snapshot(cr.callbacks.Callback):
        def on_train_begin(self, params):
            self.params_by_epoch = []

        def on_epoch_end(self, epoch, logs):
            self.params_by_epoch.append(self.network.params.copy())

    snap = Snapshot()
    stop = cr.EarlyStopping(monitor="val_loss", patience=2, restore_best_weights=True)
    # a learning rate this high makes validation loss bounce, so stopping happens
    h = net.fit(X, y, epochs=200, batch_size=8, optimizer=optim.SGD(0.5, momentum=0.9), validation_split=0.3,
                callbacks=[snap, stop], seed=0, verbose=0)
    assert len(h.epoch) < 200 and stop.stopped_epoch is not None
    best = int(np.argmin(h.val_loss))
    assert best == stop.best_epoch
    np.testing.assert_array_equal(net.params, snap.params_by_epoch[best])


def test_model_checkpoint_saves_best(tmp_path):
    X, y = _small_problem()
    net = _net()
    path = tmp_path / "best.npz"
    h = net.fit(X, y, epochs=6, batch_size=16, validation_split=0.2, seed=0, verbose=0,
                callbacks=[cr.ModelCheckpoint(str(path), monitor="val_loss", save_best_only=True)])
    best = cr.load(path)
    Xv, yv = X[-30:], y[-30:]
    assert best.evaluate(Xv, yv)["loss"] == pytest.approx(min(h.val_loss), rel=1e-12)


def test_save_load_round_trip_exact_and_resumes_training(tmp_path):
    X, y = _small_problem()
    for dtype in ("float64", "float32"):
        a = cr.Network([cr.Dense(4, 8, "tanh", trainable={"b": False}), cr.Dropout(0.1),
                        cr.Dense(8, 3, "softmax")], loss="categorical_crossentropy", dtype=dtype, seed=0)
        a.fit(X, y, epochs=2, batch_size=16, optimizer=optim.Adam(0.01), seed=0, verbose=0)
        a.save(tmp_path / "m.npz")
        b = cr.load(tmp_path / "m.npz")
        assert b.dtype == a.dtype and repr(b) == repr(a)
        assert b.layers[0].trainable_params == {"W": True, "b": False}
        np.testing.assert_array_equal(a.params, b.params)
        np.testing.assert_array_equal(a.predict(X), b.predict(X))
        a.fit(X, y, epochs=2, batch_size=16, seed=1, verbose=0)
        b.fit(X, y, epochs=2, batch_size=16, seed=1, verbose=0)
        np.testing.assert_array_equal(a.params, b.params)     # optimizer state came along


def test_initializers_follow_activation_and_seed():
    relu = cr.Dense(400, 300, "relu", seed=0)
    tanh = cr.Dense(400, 300, "tanh", seed=0)
    assert np.std(relu.W) == pytest.approx(np.sqrt(2 / 400), rel=0.02)          # He uniform
    assert np.std(tanh.W) == pytest.approx(np.sqrt(2 / 700), rel=0.02)          # Glorot uniform
    assert np.all(relu.b == 0)
    for name, std in [("he_normal", np.sqrt(2 / 400)), ("glorot_normal", np.sqrt(2 / 700)), ("normal", 0.05)]:
        assert np.std(cr.Dense(400, 300, weight_init=name, seed=1).W) == pytest.approx(std, rel=0.02)
    assert np.all(cr.Dense(3, 2, weight_init="zeros").W == 0)
    assert np.all(cr.Dense(3, 2, bias_init=0.35).b == 0.35)
    np.testing.assert_array_equal(cr.Dense(2, 2, weight_init=[[1, 2], [3, 4]]).W, [[1, 2], [3, 4]])
    np.testing.assert_array_equal(cr.Dense(5, 5, seed=3).W, cr.Dense(5, 5, seed=3).W)


def test_evaluate_and_predict_classes():
    X, y = _small_problem()
    net = _net()
    net.fit(X, y, epochs=30, batch_size=16, seed=0, verbose=0, optimizer=optim.Adam(0.01))
    r = net.evaluate(X, y)
    assert r["accuracy"] == np.mean(net.predict_classes(X) == y)
    assert r["loss"] == pytest.approx(net.loss(X, y))
    assert net.predict(X, batch_size=7).shape == (150, 3)
    np.testing.assert_allclose(net.predict(X, batch_size=7), net.predict(X))


def test_verbose_modes(capsys):
    X, y = _small_problem()
    net = _net()
    net.fit(X, y, epochs=2, verbose=0)
    assert capsys.readouterr().out == ""
    net.fit(X, y, epochs=2, verbose=2)
    assert capsys.readouterr().out.count("Epoch") == 2
    net.fit(X, y, epochs=2, verbose=1)
    assert "Epoch 2/2" in capsys.readouterr().out      # stdout, as Keras' bar


def test_progress_without_a_terminal_is_one_line_per_epoch():
    """verbose=1 with stdout a pipe (CI, a log file): two plain lines per epoch, no redrawn bars."""
    import subprocess
    import sys
    code = ("import numpy as np, chainrule as cr\n"
            "X = np.random.default_rng(0).normal(size=(64, 3)); y = (X[:, 0] > 0).astype(int)\n"
            "net = cr.Network([cr.Dense(3, 4, 'tanh'), cr.Dense(4, 2, 'softmax')], "
            "loss='categorical_crossentropy', seed=0)\n"
            "net.fit(X, y, epochs=3, verbose=1)\n")
    r = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert r.returncode == 0, r.stderr
    assert "\r" not in r.stdout and r.stderr == ""
    lines = r.stdout.splitlines()
    assert lines[::2] == ["Epoch 1/3", "Epoch 2/3", "Epoch 3/3"] and len(lines) == 6   # Keras' header, last bar


@pytest.mark.parametrize("patience", [0, 1, 2, 3])
def test_early_stopping_counts_patience_as_keras(patience):
    """With patience 1-3 EarlyStopping stopped one epoch after Keras' callback, against its own
    docstring ("not improved for patience epochs")."""
    import os
    import types
    os.environ.setdefault("KERAS_BACKEND", "torch")
    keras = pytest.importorskip("keras")
    losses = [1.0, 0.5, 0.6, 0.7, 0.55, 0.8, 0.9, 1.0, 1.1, 1.2]

    def stopped_at(callback, owner):
        for epoch, value in enumerate(losses):
            callback.on_epoch_end(epoch, {"val_loss": value})
            if owner.stop_training:
                return epoch
        return None

    theirs, model = keras.callbacks.EarlyStopping(monitor="val_loss", patience=patience), \
        types.SimpleNamespace(stop_training=False)
    theirs.set_model(model)
    theirs.on_train_begin()
    ours = cr.EarlyStopping("val_loss", patience=patience)
    ours.network = types.SimpleNamespace(stop_training=False)
    ours.on_train_begin({})
    assert stopped_at(ours, ours.network) == stopped_at(theirs, model) == [2, 2, 3, 4][patience]


def test_validation_split_takes_a_numpy_number_and_cr_save_writes_what_load_reads(tmp_path):
    """validation_split=np.float32(0.2) was refused as not a number; cr.load had no cr.save."""
    X, y = _small_problem()
    a, b = _net(), _net()
    ha = a.fit(X, y, epochs=2, batch_size=16, validation_split=0.2, seed=0, verbose=0)
    hb = b.fit(X, y, epochs=2, batch_size=16, validation_split=np.float32(0.2), seed=0, verbose=0)
    assert ha.history == hb.history
    cr.save(b, tmp_path / "m.npz")
    np.testing.assert_array_equal(cr.load(tmp_path / "m.npz").params, b.params)
    with pytest.raises(cr.errors.ChainruleTypeError, match="save writes a chainrule Network; got str"):
        cr.save("net", tmp_path / "x.npz")
    with pytest.raises(cr.errors.ChainruleTypeError, match=r"the network first, then the path: cr.save\(net, path\)"):
        cr.save(tmp_path / "x.npz", b)



def test_validation_split_holds_out_the_rows_keras_holds_out():
    """fit held out round(n * split) rows; Keras holds out n - floor(n * (1 - split)) (n=50, 0.25: 12
    rows against Keras' 13), so the same call trained and scored on other rows than Keras'."""
    import os
    os.environ.setdefault("KERAS_BACKEND", "torch")
    pytest.importorskip("keras")
    from keras.src.trainers.data_adapters.array_slicing import train_validation_split
    rng = np.random.default_rng(0)
    for n in (10, 11, 49, 50, 97, 101):
        for split in (0.1, 0.2, 0.25, 0.3, 1 / 3, 0.5, 0.7):
            X, y = rng.normal(size=(n, 2)), np.arange(n) % 2
            (x_train, _), _ = train_validation_split((X, y), validation_split=split)
            k = len(x_train)                      # Keras' training rows (its arrays are float32: the count only)
            net = cr.Network([cr.Dense(2, 2, "softmax")], loss="categorical_crossentropy", seed=0)
            history = net.fit(X, y, epochs=2, batch_size=n, validation_split=split, shuffle=False, verbose=0)
            keras_rows = cr.Network([cr.Dense(2, 2, "softmax")], loss="categorical_crossentropy", seed=0)
            keras_rows.fit(X[:k], y[:k], epochs=2, batch_size=n, shuffle=False, verbose=0)
            np.testing.assert_allclose(net.params, keras_rows.params, rtol=1e-10, atol=1e-12, err_msg=f"n={n}, {split}")
            expected = net.evaluate(X[k:], y[k:])["loss"]
            assert history["val_loss"][-1] == pytest.approx(expected, rel=1e-12), (n, split)


def test_fit_takes_its_options_by_keyword_only():
    # Keras' positional order is fit(x, y, batch_size, epochs): fit(X, y, 32, 10) must not train 32 epochs of 10
    net = cr.Network([cr.Dense(2, 1, "sigmoid")], loss="binary_crossentropy", seed=0)
    X, y = cr.examples.xor()
    before = net.get_weights()
    with pytest.raises(TypeError, match=r"at most 2 arguments by position \(X, Y\); got 4: give the others by name"):
        net.fit(X, y, 32, 10, verbose=0)
    assert all(np.array_equal(a, b) for a, b in zip(before, net.get_weights()))
