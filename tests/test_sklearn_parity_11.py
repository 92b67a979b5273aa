"""A chainrule estimator given where a Network goes (cr.save, to_torch, from_sklearn) is named as one, with its
network to give instead (it was "a model of another framework: import it first with from_sklearn", which refuses
it)."""
import warnings

import numpy as np
import pytest

pytest.importorskip("sklearn")

import chainrule as cr  # noqa: E402
from chainrule.errors import ChainruleTypeError  # noqa: E402
from chainrule.sklearn import BackpropClassifier, BackpropRegressor  # noqa: E402

rng = np.random.default_rng(0)
X = rng.normal(size=(60, 3))
y = (X[:, 0] + X[:, 1] > 0).astype(int)


def _fitted(cls=BackpropClassifier, target=y):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return cls(hidden_layer_sizes=(4,), epochs=3, random_state=0).fit(X, target)


def _torch_forward(model, rows):
    """The estimator's layers in torch (relu hidden, its output activation), from coefs_ and intercepts_."""
    torch = pytest.importorskip("torch")
    h = torch.as_tensor(rows)
    for k, (W, b) in enumerate(zip(model.coefs_, model.intercepts_)):
        h = h @ torch.as_tensor(W) + torch.as_tensor(b)
        h = torch.relu(h) if k < len(model.coefs_) - 1 else torch.sigmoid(h) if model.out_activation_ == "logistic" \
            else h
    return h.numpy()


def test_save_of_an_estimator_names_its_network_and_the_network_saved_loads_back(tmp_path):
    model = _fitted()
    with pytest.raises(ChainruleTypeError, match=r"got BackpropClassifier: BackpropClassifier is a chainrule "
                       r"estimator, not a model to import: give its network, cr\.save\(model\.network_, path\).*"
                       r"joblib\.dump\(model, path\)") as info:
        cr.save(model, tmp_path / "m.npz")
    assert "from_sklearn" not in str(info.value)
    assert not (tmp_path / "m.npz").exists()
    with pytest.raises(ChainruleTypeError, match="network once it is fitted"):
        cr.save(BackpropRegressor(), tmp_path / "m.npz")
    cr.save(model.network_, tmp_path / "m.npz")            # as the message says: the network, which loads back
    np.testing.assert_allclose(cr.load(tmp_path / "m.npz").predict(X), _torch_forward(model, X), rtol=1e-10)


def test_to_torch_and_from_sklearn_of_an_estimator_name_its_network():
    torch = pytest.importorskip("torch")
    model = _fitted(BackpropRegressor, X[:, 0] * 2.0)
    with pytest.raises(ChainruleTypeError, match=r"BackpropRegressor is a chainrule estimator, not a model to "
                       r"import: give its network, to_torch\(model\.network_\).*one column per target"):
        cr.to_torch(model)
    with pytest.raises(ChainruleTypeError, match=r"MLPClassifier or MLPRegressor; got BackpropRegressor: "
                       r"BackpropRegressor is a chainrule estimator.*model\.network_"):
        cr.from_sklearn(model)
    with torch.no_grad():                                    # the advice works: torch computes the estimator's predict
        out = cr.to_torch(model.network_)(torch.as_tensor(X)).numpy()[:, 0]
    np.testing.assert_allclose(out, _torch_forward(model, X)[:, 0], rtol=1e-10)
