"""Labels scikit-learn cannot read, and loss_ before an epoch, as MLPClassifier's (scikit-learn 1.9): partial_fit's
classes (and y, in fit, a warm start or a later partial_fit) given as an object array of bools or numbers is
refused, naming the argument and its fix (with scikit-learn's words, "Unknown label type", which
check_estimator looks for), where it was taken (classes) or refused with scikit-learn's "Unknown label
type: unknown. Maybe ... a regression target" (y); loss_ is not set before an epoch (it was None)."""
import pickle
import warnings

import numpy as np
import pytest

pytest.importorskip("sklearn")
from sklearn.neural_network import MLPClassifier, MLPRegressor  # noqa: E402

from chainrule.errors import ValidationError  # noqa: E402
from chainrule.sklearn import BackpropClassifier, BackpropRegressor  # noqa: E402
from chainrule.sklearn.stopping import MLPStopping  # noqa: E402

rng = np.random.RandomState(0)
X = rng.normal(size=(60, 3))
y = (X[:, 0] > 0).astype(int)


def _refused_by_mlp(call):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        with pytest.raises(ValueError, match="Unknown label type"):
            call(MLPClassifier(hidden_layer_sizes=(3,), max_iter=2, random_state=0))


@pytest.mark.parametrize("labels, dtype", [([False, True], "bool"), ([0, 1], "int")])
def test_partial_fit_classes_as_an_object_array_of_non_text_is_refused_as_mlps(labels, dtype):
    classes = np.array(labels, dtype=object)
    target = np.asarray(labels)[y]
    _refused_by_mlp(lambda est: est.partial_fit(X, target, classes=classes))
    with pytest.raises(ValidationError, match=rf"Unknown label type of classes: an object array .* "
                                              rf"np.asarray\(classes, dtype={dtype}\)"):
        BackpropClassifier(hidden_layer_sizes=(3,)).partial_fit(X, target, classes=classes)
    # as the message says: the same labels in their own dtype (and as a list) are taken, as MLP takes them
    for given in (np.asarray(labels, dtype=dtype), labels):
        mlp = MLPClassifier(hidden_layer_sizes=(3,), random_state=0).partial_fit(X, target, classes=given)
        ours = BackpropClassifier(hidden_layer_sizes=(3,), random_state=0).partial_fit(X, target, classes=given)
        assert ours.classes_.tolist() == mlp.classes_.tolist() and ours.classes_.dtype == mlp.classes_.dtype


@pytest.mark.parametrize("call", ["fit", "partial_fit", "warm_start", "later partial_fit"])
def test_y_as_an_object_array_of_bools_is_refused_naming_y_and_its_fix(call):
    target = np.array([False, True], dtype=object)[y]

    def run(est):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            if call == "fit":
                return est.fit(X, target)
            if call == "partial_fit":
                return est.partial_fit(X, target, classes=[False, True])
            if call == "warm_start":
                est.set_params(warm_start=True).fit(X, target.astype(bool))
                return est.fit(X, target)
            est.partial_fit(X, target.astype(bool), classes=[False, True])
            return est.partial_fit(X, target)
    _refused_by_mlp(run)
    ours = BackpropClassifier(hidden_layer_sizes=(3,), epochs=2, random_state=0)
    with pytest.raises(ValidationError, match=r"Unknown label type of y: an object array of labels that are not text "
                                              r"\(e.g. (True|False), bool\).* np.asarray\(y, dtype=bool\)"):
        run(ours)
    # the fix the message names: MLP's classes and predictions
    fixed = np.asarray(target, dtype=bool)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        mlp = MLPClassifier(hidden_layer_sizes=(3,), max_iter=2, random_state=0).fit(X, fixed)
        ours = BackpropClassifier(hidden_layer_sizes=(3,), epochs=2, random_state=0).fit(X, fixed)
    assert ours.classes_.tolist() == mlp.classes_.tolist() and ours.predict(X).dtype == mlp.predict(X).dtype


def _second_batch(self, batch, logs=None):
    if batch == 1:
        raise KeyboardInterrupt


def _mlp_first_batch_only(backprop):
    calls = []

    def pressed(self, *args, **kwargs):
        calls.append(1)
        if len(calls) == 2:
            raise KeyboardInterrupt
        return backprop(self, *args, **kwargs)
    return pressed


@pytest.mark.parametrize("Mlp, Est, target", [(MLPClassifier, BackpropClassifier, y),
                                              (MLPRegressor, BackpropRegressor, X[:, 1] - X[:, 2])])
def test_loss_is_not_set_before_an_epoch_as_mlps(monkeypatch, Mlp, Est, target):
    assert not hasattr(Mlp(), "loss_") and not hasattr(Est(), "loss_")
    found = {}
    for cls, kw in ((Mlp, {"max_iter": 3}), (Est, {"epochs": 3})):
        if cls is Est:
            monkeypatch.setattr(MLPStopping, "on_batch_end", _second_batch, raising=False)
        else:
            monkeypatch.setattr(cls, "_backprop", _mlp_first_batch_only(cls._backprop))
        est = cls(hidden_layer_sizes=(4,), batch_size=20, random_state=0, **kw)
        with pytest.warns(UserWarning, match="Training interrupted by user"):
            est.fit(X, target)
        monkeypatch.undo()
        found[cls] = (est.n_iter_, hasattr(est, "loss_"), "loss_" in pickle.loads(pickle.dumps(est)).__dict__)
    assert found[Est] == found[Mlp] == (0, False, False)
    # after an epoch: the last entry of loss_curve_, as MLP's
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        for cls, kw in ((Mlp, {"max_iter": 2}), (Est, {"epochs": 2})):
            est = cls(hidden_layer_sizes=(4,), random_state=0, **kw).fit(X, target)
            assert est.loss_ == est.loss_curve_[-1]


def test_a_new_network_interrupted_in_its_first_epoch_keeps_no_loss_of_the_network_before(monkeypatch):
    est = BackpropClassifier(hidden_layer_sizes=(4,), batch_size=20, epochs=2, random_state=0)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        est.fit(X, y)
    assert est.loss_ == est.loss_curve_[-1]
    monkeypatch.setattr(MLPStopping, "on_batch_end", _second_batch, raising=False)
    with pytest.warns(UserWarning, match="Training interrupted by user"):
        est.fit(X, y)
    assert est.loss_curve_ == [] and not hasattr(est, "loss_")


@pytest.mark.parametrize("call", ["fit", "partial_fit", "warm_start", "later partial_fit"])
def test_text_first_then_numbers_in_y_is_named_not_a_sorting_error(call):
    # scikit-learn's type_of_target sorts the labels: text first, then a number, fails in NumPy's sort (MLP's error)
    target = np.array(["a" if v else 1 for v in y], dtype=object)
    assert isinstance(target[0], str)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        with pytest.raises(TypeError, match="'<' not supported"):
            MLPClassifier(hidden_layer_sizes=(3,), max_iter=2).fit(X, target)
        est = BackpropClassifier(hidden_layer_sizes=(3,), epochs=2, random_state=0)
        text = target.astype(str)
        with pytest.raises(ValidationError, match=r"y mixes labels of different types: 1 \(int\) and 'a' \(str\)"):
            if call == "fit":
                est.fit(X, target)
            elif call == "partial_fit":
                est.partial_fit(X, target, classes=["1", "a"])
            elif call == "warm_start":
                est.set_params(warm_start=True).fit(X, text).fit(X, target)
            else:
                est.partial_fit(X, text, classes=["1", "a"]).partial_fit(X, target)


@pytest.mark.parametrize("values", [[np.int64(0), np.int64(1)], [np.uint8(0), np.uint8(1)], [np.True_, np.False_],
                                    [0.0, 2.0], [np.float32(0.0), np.float32(2.0)]])
def test_the_dtype_the_message_names_gives_the_classes_numpy_reads(values):
    # the fix the message names, followed, gives MLP's classes of the values as NumPy reads them (ints stay ints)
    target = np.array(values, dtype=object)[y]
    with pytest.raises(ValidationError, match="Unknown label type of y") as info:
        BackpropClassifier(hidden_layer_sizes=(3,), epochs=2).fit(X, target)
    dtype = info.value.args[0].rsplit("dtype=", 1)[1].rstrip(")")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        mlp = MLPClassifier(hidden_layer_sizes=(3,), max_iter=2).fit(X, np.asarray(target.tolist()))
        ours = BackpropClassifier(hidden_layer_sizes=(3,), epochs=2).fit(X, np.asarray(target, dtype=dtype))
    kinds = {a.classes_.dtype.kind.replace("u", "i") for a in (ours, mlp)}      # int: signed or not
    assert ours.classes_.tolist() == mlp.classes_.tolist() and len(kinds) == 1
