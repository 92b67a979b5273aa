"""The Python API as Keras and scikit-learn users meet it: loaded CSV models, callbacks'
`self.model`, validation_data's errors, evaluate's non-finite results, optimizer names."""
import warnings

import numpy as np
import pytest

import chainrule as cr
from chainrule.errors import ValidationError

pd = pytest.importorskip("pandas")


@pytest.fixture(scope="module")
def csv_model(tmp_path_factory):
    """A model file as `chainrule train` writes it (network + preprocessing in extra['tabular']),
    the raw table it learnt from and a network trained on the preprocessed rows."""
    from sklearn.datasets import load_iris

    from chainrule.data.tabular import Preprocessing
    from chainrule.saving.npz import save
    iris = load_iris(as_frame=True).frame
    df = iris.rename(columns=lambda c: c.replace(" (cm)", "").replace(" ", "_"))
    df["species"] = np.array(["setosa", "versicolor", "virginica"])[df.pop("target")]
    df["size"] = np.where(df["sepal_length"] > 5.8, "large", "small")            # a text column
    pre = Preprocessing.fit(df, "species")
    X = pre.transform(df, sparse=False)
    net = cr.Network([cr.Dense(X.shape[1], 8, "tanh"), cr.Dense(8, 3, "softmax")],
                     loss="categorical_crossentropy", seed=0)
    net.fit(X, pre.encode_target(df), epochs=40, verbose=0, seed=0)
    path = tmp_path_factory.mktemp("model") / "iris.npz"
    save(net, path, extra={"tabular": pre.to_json()})
    return path, df, X


def test_a_loaded_csv_model_refuses_the_raw_table_and_says_how(csv_model):
    path, df, X = csv_model
    net = cr.load(path)
    raw = df.drop(columns=["species", "size"])       # the numeric columns alone
    for call in (lambda: net.predict(df.drop(columns="species")), lambda: net.predict(raw),
                 lambda: net.predict_classes(df), lambda: net.evaluate(df, np.zeros(len(df), int)),
                 lambda: net.fit(df, np.zeros(len(df), int), verbose=0)):
        with pytest.raises(ValidationError, match=r"(?s)columns of the CSV file this network was trained on "
                                                  r"\('sepal_length'.*Preprocessing.from_json\(extra\['tabular'\]\)"):
            call()
    # the recipe the message gives: the same outputs as the preprocessed rows, as arrays or a frame of them
    net, extra = cr.load(path, with_extra=True)
    from chainrule.data.tabular import Preprocessing
    pre = Preprocessing.from_json(extra["tabular"])
    with_id = df.assign(row_id=np.arange(len(df)))             # a column train left out (--drop row_id)
    out = net.predict(pre.transform(with_id[pre.columns]))
    np.testing.assert_allclose(out, net.predict(X), rtol=1e-12)     # sparse one-hot columns: rounding
    np.testing.assert_array_equal(net.predict(pd.DataFrame(X)), net.predict(X))     # columns 0, 1, ...: not the CSV's
    assert (pre.decode(out) == df["species"]).mean() > 0.8         # the raw columns as inputs: 0.33


def test_a_network_without_csv_preprocessing_takes_any_table(csv_model, tmp_path):
    path, df, X = csv_model
    net = cr.load(path)
    net.save(tmp_path / "plain.npz")                  # no extra: nothing to apply
    frame = pd.DataFrame(X, columns=[f"c{i}" for i in range(X.shape[1])])
    frame = frame.rename(columns={"c0": "sepal_length"})
    np.testing.assert_array_equal(cr.load(tmp_path / "plain.npz").predict(frame), net.predict(X))


def test_a_keras_callback_stops_training_through_self_model():
    class Stop(cr.callbacks.Callback):            # as written for Keras: `model`, and logs=None everywhere
        def on_train_begin(self, logs=None):
            self.began = logs

        def on_epoch_begin(self, epoch, logs=None):
            self.epochs = [*getattr(self, "epochs", []), epoch]

        def on_epoch_end(self, epoch, logs=None):
            if epoch == 1:
                self.model.stop_training = True

        def on_train_end(self, logs=None):
            self.ended = True

    X, y = np.random.default_rng(0).normal(size=(20, 3)), np.arange(20) % 2
    net = cr.Network([cr.Dense(3, 2, "softmax")], loss="categorical_crossentropy", seed=0)
    stop = Stop()
    history = net.fit(X, y, epochs=10, callbacks=[stop], verbose=0, seed=0)
    assert stop.model is net and stop.network is net and stop.epochs == [0, 1] and stop.ended
    assert len(history.history["loss"]) == 2 and stop.began == {} and stop.params["epochs"] == 10    # Keras' logs


@pytest.mark.parametrize("bad, error", [
    (lambda X, y: (X, y + 1), r"validation_data: class labels in Y must lie in 0\.\.2 .*got values from 1 to 3"),
    (lambda X, y: (X[:, :3], y), "validation_data: X has 3 features per sample; the network expects 4"),
    (lambda X, y: (X[:0], y[:0]), "validation_data: X is empty"),
    (lambda X, y: (X, y[:5]), "validation_data: X and Y have different numbers of samples: 30 and 5"),
    (lambda X, y: (X, y, -np.ones(30)), "validation_data's sample weight"),
])
def test_errors_about_validation_data_name_it(bad, error):
    rng = np.random.default_rng(0)
    X, y = rng.normal(size=(30, 4)), np.arange(30) % 3
    net = cr.Network([cr.Dense(4, 3, "softmax")], loss="categorical_crossentropy", seed=0)
    before = net.get_weights()
    with pytest.raises(ValidationError, match=error):
        net.fit(X, y, epochs=2, validation_data=bad(X, y), verbose=0)
    assert all(np.array_equal(a, b) for a, b in zip(before, net.get_weights()))     # refused before training
    net.fit(X, y, epochs=1, validation_data=(X, y), verbose=0)                         # the same data is fine


def test_evaluate_refuses_non_finite_outputs_and_losses_as_predict_does():
    rng = np.random.default_rng(0)
    X, y = rng.uniform(1, 8, size=(40, 4)), np.arange(40) % 3
    net = cr.Network([cr.Dense(4, 8, "relu"), cr.Dense(8, 3, "softmax")], loss="categorical_crossentropy",
                     dtype="float32", seed=0)
    big = X * 4e37                                   # finite in float32; the first layer's products overflow
    with warnings.catch_warnings():
        warnings.simplefilter("error")               # NumPy's "overflow encountered in matmul" is no answer
        with pytest.raises(ValidationError) as predicted:
            net.predict(big)
        for weights in (None, np.ones(40)):
            with pytest.raises(ValidationError) as evaluated:
                net.evaluate(big, y, sample_weight=weights)
            assert str(evaluated.value) == str(predicted.value)
            assert "the network's outputs are NaN or infinite for" in str(evaluated.value)
        reg = cr.Network([cr.Dense(4, 1)], loss="mse", seed=0)
        reg.set_weights([np.ones((4, 1)), np.zeros(1)])
        far = np.full((3, 4), 1e160)                 # outputs 4e160, finite: their squares are not
        assert np.isfinite(reg.predict(far)).all()
        with pytest.raises(ValidationError, match="the loss is inf though the network's outputs are finite"):
            reg.evaluate(far, np.zeros(3))
        assert reg.evaluate(np.ones((3, 4)), np.zeros(3)) == {"loss": 16.0}      # (4 - 0)^2


@pytest.mark.parametrize("name", ["SGD", "Adam", "AdamW", "RMSprop", "Adagrad"])
def test_every_optimizer_takes_keras_learning_rate_for_lr(name):
    cls = getattr(cr.optim, name)
    X, y = np.random.default_rng(0).normal(size=(16, 3)), np.arange(16) % 2
    nets = [cr.Network([cr.Dense(3, 2, "softmax")], loss="categorical_crossentropy", seed=0) for _ in range(2)]
    nets[0].fit(X, y, epochs=2, optimizer=cls(learning_rate=0.05), verbose=0, seed=0)
    nets[1].fit(X, y, epochs=2, optimizer=cls(lr=0.05), verbose=0, seed=0)
    assert np.array_equal(nets[0].params, nets[1].params)
    assert cls(learning_rate=0.05).config() == cls(0.05).config()
    from chainrule.training.optim import get_optimizer
    assert get_optimizer(name.lower(), learning_rate=0.05).lr == 0.05
    for both in (lambda: cls(0.1, learning_rate=0.05), lambda: cls(lr=0.1, learning_rate=0.05)):
        with pytest.raises(cr.errors.ChainruleTypeError, match=f"{name}\\(\\) got both lr and learning_rate"):
            both()


def test_an_optimizer_of_ones_own_keeps_its_learning_rate_argument():
    class Mine(cr.optim.SGD):
        def __init__(self, learning_rate=0.5):
            super().__init__(lr=learning_rate / 2)

    class Plain(cr.optim.Adam):
        pass

    assert Mine(learning_rate=0.4).lr == 0.2 and Plain(learning_rate=0.3).lr == 0.3


@pytest.mark.filterwarnings("ignore:Stochastic Optimizer")      # few epochs: that warning is not the point
def test_the_estimators_name_a_text_column_and_the_encoders():
    from chainrule.sklearn import BackpropClassifier, BackpropRegressor
    rng = np.random.default_rng(0)
    df = pd.DataFrame({"a": rng.normal(size=12), "color": ["green", "red", "blue"] * 4})
    y = np.arange(12) % 2
    message = r"X column 'color' must be numeric; it holds text \('green'\).*OneHotEncoder.*ColumnTransformer"
    for est in (BackpropClassifier(epochs=1), BackpropRegressor(epochs=1)):
        for method in (est.fit, est.partial_fit):
            with pytest.raises(ValueError, match=message):      # scikit-learn's type, as check_estimator wants
                method(df, y)
        est.fit(df[["a"]].assign(color=np.arange(12) % 3), y)          # the same table with numbers: fine
        with pytest.raises(ValueError, match=message):
            est.predict(df)
    mixed = df.assign(color=df["color"].astype("category"), b=pd.Series([1, "x"] * 6, dtype=object))
    with pytest.raises(ValueError, match=r"X column 'color' must be numeric; it holds text \('blue'\)"):
        BackpropClassifier(epochs=1).fit(mixed, y)
    with pytest.raises(ValueError, match=r"X column 'b' must be numeric; it holds text \('x'\)"):
        BackpropClassifier(epochs=1).fit(mixed.drop(columns="color"), y)
    numbers = df.assign(color=pd.Series(np.arange(12), dtype=object))         # an object column of numbers
    assert BackpropClassifier(epochs=1, random_state=0).fit(numbers, y).predict(numbers).shape == (12,)


@pytest.mark.filterwarnings("ignore:Stochastic Optimizer")      # few epochs: that warning is not the point
def test_a_mixed_column_of_bools_and_numbers_is_not_called_text():
    """pandas calls an object column of True and 1.0 'mixed': no text in it, so it fits as numbers
    (a StopIteration escaped before)."""
    pd = pytest.importorskip("pandas")
    from chainrule.sklearn import BackpropClassifier
    X = pd.DataFrame({"x": pd.Series([True, 1.0, 0.0, 1.0, False, 0.0], dtype=object)})
    est = BackpropClassifier(epochs=1, random_state=0).fit(X, [1, 1, 0, 1, 0, 0])
    assert est.predict(X).shape == (6,)
