"""A saved model keeps its weights and optimizer, not its random generator (as Keras' and torch's saves): a loaded
model's Dropout masks come from a fresh generator. Resuming exactly is fit's seed= (the same seed on the original and
on the loaded copy trains them alike), or checkpoint_dir=, which saves the generator too."""
import numpy as np

import chainrule as cr

X = np.random.default_rng(0).normal(size=(32, 3))
Y = X[:, :2] ** 2


def trained():
    net = cr.Network([cr.Dense(3, 16, "relu"), cr.Dropout(0.5), cr.Dense(16, 2)], loss="mse", seed=0)
    net.fit(X, Y, epochs=2, optimizer="adam", verbose=0, seed=1)
    return net


def test_a_loaded_model_given_the_same_seed_trains_as_the_original(tmp_path):
    original = trained()
    original.save(tmp_path / "m.npz")
    loaded = cr.load(tmp_path / "m.npz")
    original.fit(X, Y, epochs=2, verbose=0, seed=7)
    loaded.fit(X, Y, epochs=2, verbose=0, seed=7)
    np.testing.assert_array_equal(loaded.params, original.params)
    other = cr.load(tmp_path / "m.npz")             # another seed draws other masks: the seed is what matched them
    other.fit(X, Y, epochs=2, verbose=0, seed=8)
    assert not np.array_equal(other.params, original.params)


def test_a_checkpoint_resumes_dropout_exactly(tmp_path):
    """An unseeded fit stopped after epoch 2 and resumed from its checkpoint ends as the fit that never stopped: the
    resumed network's generator starts where the stopped one's was, not afresh."""
    def fit(epochs, seed=0, **checkpoint):
        net = cr.Network([cr.Dense(3, 16, "relu"), cr.Dropout(0.5), cr.Dense(16, 2)], loss="mse", seed=seed)
        net.fit(X, Y, epochs=epochs, optimizer="adam", verbose=0, **checkpoint)
        return net
    whole = fit(4)
    fit(2, checkpoint_dir=tmp_path / "ck")
    resumed = fit(4, seed=5, checkpoint_dir=tmp_path / "ck", resume=True)     # its own weights and generator
    # replaced by the checkpoint's: a fresh run from seed 5 would end elsewhere
    assert resumed.epochs_trained == 4
    np.testing.assert_array_equal(resumed.params, whole.params)
