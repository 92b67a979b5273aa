"""sweep's grid sweeps gradient clipping (clip_norm, clip_value) as train's --clip-norm and --clip-value clip:
its best model is the network an optimizer of that clipping trains."""
import numpy as np
import pytest
from conftest import cmd

import chainrule as cr
from chainrule.errors import ValidationError


@pytest.fixture
def data(tmp_path):
    rng = np.random.default_rng(0)
    X = rng.normal(size=(40, 3))
    y = np.where(X[:, 0] + X[:, 1] > 0, "a", "b")
    lines = ["x1,x2,x3,y", *(f"{a:.4f},{b:.4f},{c:.4f},{t}" for (a, b, c), t in zip(X, y))]
    (tmp_path / "d.csv").write_text("\n".join(lines) + "\n")
    return tmp_path


@pytest.mark.filterwarnings("ignore:.* finished fits ran every epoch")
@pytest.mark.parametrize("name", ["clip_value", "clip_norm"])
def test_a_grid_sweeps_clipping_as_an_optimizer_of_it_clips(data, name):
    """The grid's clip_value=0.01 gives the weights of a sweep whose candidate is Adam(lr, clip_value=0.01) itself
    (the engine's optimizer, which train's --clip-value builds), and not those of no clipping: it was 'not a grid
    name'."""
    from chainrule.sweep import run_sweep
    done = cmd("sweep", "d.csv", "--target", "y", "--grid", f"lr=0.05;{name}=0.01", "--epochs", "3", "--cv", "2",
               "--out-dir", "s", cwd=data)
    assert done.returncode == 0, done.stderr
    assert f"best: lr=0.05, {name}=0.01" in done.stdout
    weights = cr.load(data / "s" / "best_model.npz").get_weights()
    for optimizer, same in ((cr.optim.Adam(lr=0.05, **{name: 0.01}), True), (cr.optim.Adam(lr=0.05), False)):
        run_sweep(data / "d.csv", "y", {"optimizer": [optimizer]}, out_dir=data / "o", cv=2, epochs=3)
        truth = cr.load(data / "o" / "best_model.npz").get_weights()
        assert all(np.array_equal(a, b) for a, b in zip(weights, truth)) == same


def test_a_grid_of_both_clippings_is_refused_naming_both(data):
    """Every candidate of clip_norm with clip_value would have both, which train refuses as both options."""
    done = cmd("sweep", "d.csv", "--target", "y", "--grid", "clip_norm=1;clip_value=0.1,1", "--out-dir", "s",
               cwd=data)
    assert done.returncode == 2
    assert "the grid's clip_norm (1) and clip_value (0.1, 1)" in done.stderr
    assert not (data / "s").exists()


@pytest.mark.filterwarnings("ignore:Stochastic Optimizer")
def test_the_estimators_clip_as_their_optimizer_instance_would():
    """BackpropClassifier(clip_value=...) trains as optimizer=Adam(clip_value=...) does; a bad value is refused
    naming it, and clipping beside an instance (whose own it would silently override or lose) is refused."""
    from chainrule.sklearn import BackpropClassifier
    rng = np.random.default_rng(1)
    X, y = rng.normal(size=(30, 2)), rng.integers(0, 2, 30)
    ours = BackpropClassifier((4,), epochs=3, random_state=0, learning_rate=0.1, clip_norm=0.05).fit(X, y)
    truth = BackpropClassifier((4,), epochs=3, random_state=0, optimizer=cr.optim.Adam(lr=0.1, clip_norm=0.05))
    plain = BackpropClassifier((4,), epochs=3, random_state=0, learning_rate=0.1).fit(X, y)
    np.testing.assert_array_equal(ours.coefs_[0], truth.fit(X, y).coefs_[0])
    assert not np.array_equal(ours.coefs_[0], plain.coefs_[0])
    with pytest.raises(ValidationError, match="clip_value must be in"):
        BackpropClassifier(clip_value=-1).fit(X, y)
    with pytest.raises(ValidationError, match="is for an optimizer named"):
        BackpropClassifier(clip_value=1, optimizer=cr.optim.SGD(lr=0.1)).fit(X, y)
