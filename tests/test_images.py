"""Small images (scikit-learn's 8x8 digits) as a practitioner with Keras and scikit-learn habits passes them."""
import re

import numpy as np
import pytest
from sklearn.datasets import load_digits

import chainrule as cr
from chainrule.errors import ValidationError


@pytest.fixture(scope="module")
def digits():
    X, y = load_digits(return_X_y=True)
    return (X / 16.0).astype(np.float32), y


def digits_net():
    return cr.Network([cr.Dense(64, 16, "relu"), cr.Dense(16, 10, "softmax")], loss="categorical_crossentropy",
                      dtype="float32", seed=0)


@pytest.mark.parametrize("call", ["predict", "evaluate", "fit", "fit memmap", "validation_data"])
def test_images_not_flattened_get_the_reshape_that_fixes_them(digits, call, tmp_path):
    """Keras' habit (a Flatten layer first) passes (n, 8, 8): the error names the reshape and its shape."""
    X, y = digits
    images = X[:100].reshape(-1, 8, 8)
    net = digits_net()
    if call == "fit memmap":
        mm = np.memmap(tmp_path / "images.dat", dtype=np.float32, mode="w+", shape=images.shape)
        mm[:] = images
        images = mm
    calls = {"predict": lambda: net.predict(images), "evaluate": lambda: net.evaluate(images, y[:100]),
             "fit": lambda: net.fit(images, y[:100], verbose=0),
             "fit memmap": lambda: net.fit(images, y[:100], verbose=0),
             "validation_data": lambda: net.fit(X[:100], y[:100], validation_data=(images, y[:100]), verbose=0)}
    with pytest.raises(ValidationError, match=r"got 3-D shape \(100, 8, 8\): flatten each sample first: "
                                              r"X\.reshape\(len\(X\), -1\) gives shape \(100, 64\) \(chainrule has"):
        calls[call]()
    flat = np.asarray(images).reshape(len(images), -1)        # the fix the message gives works
    assert net.predict(flat).shape == (100, 10)


def test_images_of_another_size_are_told_the_width_the_network_takes():
    with pytest.raises(ValidationError, match=r"gives shape \(3, 784\), but the network expects 64 features per "
                                              r"sample, not 784"):
        digits_net().predict(np.zeros((3, 28, 28, 1), np.float32))


@pytest.mark.filterwarnings("ignore:Stochastic Optimizer")      # 2 epochs: that warning is not the point
@pytest.mark.parametrize("fraction", [0.05, 0.9])
def test_early_stopping_on_few_images_runs_as_mlp_where_no_split_stratifies(digits, fraction):
    """40 digits of 10 classes: a stratified hold-out needs 10 rows in each part. MLPClassifier (random for 3+
    classes) runs; so does chainrule, holding out as many rows at random."""
    from sklearn.neural_network import MLPClassifier

    from chainrule.sklearn import BackpropClassifier
    X, y = digits[0][:40], digits[1][:40]
    mlp = MLPClassifier(max_iter=2, early_stopping=True, validation_fraction=fraction, random_state=0).fit(X, y)
    est = BackpropClassifier(epochs=2, early_stopping=True, validation_fraction=fraction, random_state=0).fit(X, y)
    assert len(est.validation_scores_) == len(mlp.validation_scores_) == 2


@pytest.mark.filterwarnings("ignore:Stochastic Optimizer")      # 2 epochs: that warning is not the point
@pytest.mark.parametrize("call", ["fit", "partial_fit", "predict", "predict_proba", "score", "regressor"])
def test_the_estimators_tell_images_not_flattened_the_reshape_too(digits, call):
    """scikit-learn's own words ("Found array with dim 3, while dim <= 2 is required") name no shape and no fix."""
    from chainrule.sklearn import BackpropClassifier, BackpropRegressor
    X, y = digits[0][:60], digits[1][:60]
    images = X.reshape(-1, 8, 8)
    clf = BackpropClassifier(epochs=2, random_state=0).fit(X, y)
    calls = {"fit": lambda: BackpropClassifier(epochs=2).fit(images, y),
             "partial_fit": lambda: clf.partial_fit(images, y), "predict": lambda: clf.predict(images),
             "predict_proba": lambda: clf.predict_proba(list(images)), "score": lambda: clf.score(images, y),
             "regressor": lambda: BackpropRegressor(epochs=2).fit(images, y.astype(float))}
    with pytest.raises(ValidationError, match=r"got 3-D shape \(60, 8, 8\): flatten each sample first: ") as info:
        calls[call]()
    given = list(images) if call == "predict_proba" else images        # a list has no .reshape: np.reshape's
    fix = re.search(r"first: (.*?) gives shape \(60, 64\)", str(info.value)).group(1)
    np.testing.assert_array_equal(eval(fix, {"np": np, "X": given}), X)
    assert fix.startswith("X.reshape(") == (given is images)      # an array's own method, as the network's says


KERAS_DENSE = [((10,), {"activation": "softmax"}, "Dense(n_in, 10, 'softmax')"),
               ((10, "relu"), {}, "Dense(n_in, 10, 'relu')"), ((), {"units": 10}, "Dense(n_in, 10)"),
               ((16,), {"input_dim": 64, "activation": "relu"}, "Dense(64, 16, 'relu')"),
               ((16,), {"input_shape": (64,)}, "Dense(64, 16)")]


@pytest.mark.parametrize("args, kwargs, meant", KERAS_DENSE)
def test_dense_written_as_keras_writes_it_is_told_the_call_it_meant(args, kwargs, meant):
    """Keras' Dense(units, activation, input_dim=...) infers or takes its inputs; chainrule's names them first.
    Python's own "missing 1 required positional argument: 'n_out'" said nothing of that, nor the call meant.
    With the inputs given, the call meant builds Keras' kernel shape (input_dim, units): (64, 16)."""
    with pytest.raises(TypeError, match=re.escape(f"chainrule's names them: {meant}")):
        cr.Dense(*args, **kwargs)
    with pytest.raises(TypeError, match="unexpected keyword argument 'kernel_size'"):
        cr.Dense(10, kernel_size=3)
    if "n_in" not in meant:
        assert eval("cr." + meant).W.shape == (64, 16)


@pytest.mark.parametrize("name, instead", [("compile", "optimizer and metrics are fit's"),
                                           ("train_on_batch", "train_steps(X, y, steps=1"),
                                           ("count_params", "the property n_params"),
                                           ("add", "built from its whole list of layers")])
def test_keras_model_methods_chainrule_has_not_say_what_does_their_work(digits, name, instead):
    """A Keras user's net.compile(...) met only "'Network' object has no attribute 'compile'"; hasattr stays False
    (code that tells a Keras model by its methods is not misled), and the way named works: one Adam update on a
    batch, as train_on_batch, lowers that batch's loss."""
    net = digits_net()
    said = rf"no attribute '{name}' \(Keras' Model\.{name}\): .*{re.escape(instead)}"
    with pytest.raises(AttributeError, match=said):
        getattr(net, name)
    assert not hasattr(net, name)
    with pytest.raises(AttributeError, match=r"^'Network' object has no attribute 'fooo'$"):
        _ = net.fooo
    X, y = digits[0][:32], digits[1][:32]
    before = net.evaluate(X, y)["loss"]
    net.train_steps(X, y, steps=1, optimizer=cr.optim.Adam(lr=1e-3))
    assert net.evaluate(X, y)["loss"] < before


@pytest.mark.filterwarnings("ignore:Stochastic Optimizer")      # 2 epochs: that warning is not the point
def test_class_weight_as_compute_class_weight_returns_it_is_told_the_dict_that_works(digits):
    """scikit-learn's compute_class_weight returns one weight per class in a row; the estimator met it with NumPy's
    "truth value of an array ... is ambiguous". The dict the error names weighs as 'balanced' does, epoch by epoch."""
    from sklearn.utils.class_weight import compute_class_weight

    from chainrule.errors import ChainruleTypeError
    from chainrule.sklearn import BackpropClassifier
    X, y = digits[0][:300], digits[1][:300]
    weights = compute_class_weight("balanced", classes=np.unique(y), y=y)
    with pytest.raises(ValidationError, match=r"class_weight must be None, a dict \{label: weight\} or 'balanced'; "
                                              r"got ndarray: .*dict\(zip\(classes, weights\)\) for labels"):
        BackpropClassifier(epochs=2, class_weight=weights).fit(X, y)
    fitted = [BackpropClassifier(epochs=2, random_state=0, class_weight=cw).fit(X, y).loss_curve_
              for cw in (dict(zip(np.unique(y), weights)), "balanced")]
    np.testing.assert_allclose(fitted[0], fitted[1], rtol=1e-12)
    with pytest.raises(ChainruleTypeError, match=r"got list: .*dict\(enumerate\(weights\)\) for class indices"):
        digits_net().fit(X, y, class_weight=list(weights), verbose=0)
    histories = [digits_net().fit(X, y, epochs=2, class_weight=cw, seed=0, verbose=0).history["loss"]
                 for cw in (dict(enumerate(weights)), "balanced")]
    np.testing.assert_allclose(histories[0], histories[1], rtol=1e-6)
