"""Gradient value clipping, Keras' clipvalue and torch.nn.utils.clip_grad_value_: each gradient element clipped to
[-clip_value, clip_value] before the update. Keras' code (Adam(clipvalue=...)) was refused here; `clip_value` is
now every optimizer's, `clipvalue` its Keras name, `chainrule train --clip-value` its option. Oracles: PyTorch's
clip_grad_value_ with torch.optim's SGD and Adam, Keras' own SGD(clipvalue=...), and the NumPy loop for the
compiled kernels."""
import os
import pickle

import numpy as np
import pytest
from conftest import cmd
from test_train_clip_norm import trained

import chainrule as cr
from chainrule import optim
from chainrule.errors import ChainruleTypeError, ValidationError

torch = pytest.importorskip("torch")

IRIS = __import__("pathlib").Path(cr.__file__).parent / "data" / "examples" / "iris.csv"


def _data():
    rng = np.random.default_rng(0)
    return rng.normal(size=(20, 4)) * 3, rng.integers(0, 3, size=20)


def _net():
    return cr.Network([cr.Dense(4, 8, "tanh"), cr.Dense(8, 3, "softmax")], loss="categorical_crossentropy", seed=1)


def _torch_run(net0, X, y, name, kwargs, clip, steps, batch):
    """torch.optim's `name` for `steps` batches in order, each gradient clipped by clip_grad_value_ first."""
    params = [torch.tensor(a.copy(), requires_grad=True) for layer in net0.layers for a in (layer.W, layer.b)]
    opt = getattr(torch.optim, name)(params, **kwargs)
    Xt, yt = torch.tensor(X), torch.tensor(y)
    clipped = 0
    for step in range(steps):
        i = step % (X.shape[0] // batch)
        xb, yb = Xt[i * batch:(i + 1) * batch], yt[i * batch:(i + 1) * batch]
        z = torch.tanh(xb @ params[0] + params[1]) @ params[2] + params[3]
        opt.zero_grad()
        torch.nn.functional.cross_entropy(z, yb).backward()
        clipped += sum(int((p.grad.abs() > clip).sum()) for p in params)
        torch.nn.utils.clip_grad_value_(params, clip)
        opt.step()
    assert clipped > 0                  # the clipping changed the steps
    return [p.detach().numpy() for p in params]


@pytest.mark.parametrize("name, kwargs", [("SGD", dict(lr=0.5, momentum=0.5)), ("Adam", dict(lr=0.05)),
                                          ("AdamW", dict(lr=0.05, weight_decay=0.1)),
                                          ("RMSprop", dict(lr=0.01, momentum=0.3))])
def test_clip_value_is_torchs_clip_grad_value(name, kwargs, kernels):
    X, y = _data()
    net = _net()
    expected = _torch_run(net, X, y, name, kwargs, clip=0.05, steps=20, batch=5)
    net.fit(X, y, epochs=5, batch_size=5, shuffle=False, optimizer=getattr(optim, name)(**kwargs, clip_value=0.05),
            verbose=0)
    for got, want in zip(net.get_weights(), expected):
        np.testing.assert_allclose(got, want, rtol=0, atol=1e-12)


def test_the_compiled_path_gives_the_numpy_loops_numbers(monkeypatch):
    """A clipped run may not take the compiled epoch loop (it has no clipping: the NumPy loop's step clips, then
    the compiled update runs); its weights are the NumPy reference's, bit for bit."""
    from chainrule.backend import kernels
    from chainrule.training import compiled
    if not kernels.AVAILABLE:
        pytest.skip("numba is not installed")
    X, y = _data()
    runs = []
    for enabled in (False, True):
        monkeypatch.setattr(kernels, "ENABLED", enabled)
        monkeypatch.setattr(kernels, "MIN_UPDATE_SIZE", 0)
        net = _net()
        net.fit(X, y, epochs=3, batch_size=5, shuffle=False, optimizer=optim.Adam(0.05, clip_value=0.05), verbose=0)
        runs.append(net.params.copy())
    assert compiled.epoch_plan(_net(), optim.Adam(0.05, clip_value=0.05)) is None
    assert np.array_equal(runs[0], runs[1])


def test_keras_sgd_clipvalue_gives_the_same_weights():
    """Keras' own SGD(clipvalue=...) on the same weights and gradients (float32): the same weights, in both spellings
    of the argument here."""
    os.environ.setdefault("KERAS_BACKEND", "torch")
    keras = pytest.importorskip("keras")
    rng = np.random.default_rng(3)
    p0, grads = rng.normal(size=6), [rng.normal(size=6) * 2 for _ in range(3)]
    v = keras.Variable(p0.astype("float32"))
    theirs = keras.optimizers.SGD(0.1, momentum=0.0, clipvalue=0.7)
    for g in grads:
        theirs.apply_gradients([(keras.ops.convert_to_tensor(g.astype("float32")), v)])
    for ours in (optim.SGD(0.1, clipvalue=0.7), optim.get_optimizer("sgd", learning_rate=0.1, clipvalue=0.7)):
        p = p0.astype("float32")
        for g in grads:
            ours.step(p, g.astype("float32"))
        np.testing.assert_allclose(p, keras.ops.convert_to_numpy(v), rtol=0, atol=1e-6)
    assert np.abs(p - (p0 - 0.1 * sum(grads))).max() > 0.05             # the clipping changed the steps


def test_the_networks_gradients_are_left_as_computed():
    """The clipped copy is the step's: the gradient the network computed (a callback's norms) is not clipped."""
    g = np.array([3.0, -0.2, -5.0])
    p = np.zeros(3)
    optim.SGD(1.0, clip_value=1.0).step(p, g)
    assert list(p) == [-1.0, 0.2, 1.0] and list(g) == [3.0, -0.2, -5.0]


@pytest.mark.parametrize("bad, error", [(0, ValidationError), (-1.0, ValidationError), (float("nan"), ValidationError),
                                        (float("inf"), ValidationError), ("1", ChainruleTypeError),
                                        (True, ChainruleTypeError)])
def test_bad_values_are_refused_in_clip_norms_words(bad, error):
    for make in (lambda v: optim.Adam(clip_value=v), lambda v: optim.get_optimizer("sgd", clipvalue=v)):
        with pytest.raises(error) as ours:
            make(bad)
        with pytest.raises(error) as norms:
            optim.Adam(clip_norm=bad)
        assert str(ours.value) == str(norms.value).replace("clip_norm", "clip_value")
    opt = optim.SGD(0.1, clip_value=1.0)
    with pytest.raises(error):
        opt.clip_value = bad
    assert opt.clip_value == 1.0


def test_clip_norm_with_clip_value_is_refused_as_keras_refuses_it():
    keras = pytest.importorskip("keras")
    with pytest.raises(ValueError, match="Only one of"):
        keras.optimizers.SGD(0.1, clipnorm=1.0, clipvalue=1.0)
    with pytest.raises(ValidationError, match="both clip_norm and clip_value"):
        optim.SGD(0.1, clip_norm=1.0, clip_value=1.0)
    opt = optim.SGD(0.1, clip_norm=1.0)
    with pytest.raises(ValidationError, match="both clip_norm and clip_value"):
        opt.clip_value = 0.5
    opt.clip_norm = None
    opt.clip_value = 0.5                 # one for the other: taken
    assert (opt.clip_norm, opt.clip_value) == (None, 0.5)


def test_saved_loaded_and_pickled(tmp_path):
    X, y = _data()
    net = _net()
    net.fit(X, y, epochs=1, batch_size=5, optimizer=optim.Adam(0.01, clip_value=0.25), verbose=0)
    net.save(tmp_path / "m.npz")
    assert cr.load(tmp_path / "m.npz").optimizer.clip_value == 0.25
    assert pickle.loads(pickle.dumps(net.optimizer)).clip_value == 0.25
    old = optim.Adam(0.01)
    del old.__dict__["clip_value"]                  # one pickled before clip_value was a setting
    assert pickle.loads(pickle.dumps(old)).clip_value is None


def test_train_clip_value_is_clip_grad_value_saved_shown_and_resumed(tmp_path):
    common = ["--target", "species", "--hidden", "3", "--optimizer", "sgd", "--lr", "0.1", "--batch-size", "1000",
              "--val-split", "0", "--quiet"]
    model, net, X, labels, (W0, b0, W1, b1) = trained(tmp_path, "--optimizer", "sgd", "--lr", "0.1",
                                                      "--clip-value", "0.02", "--epochs", "1")
    torch.nn.functional.cross_entropy(torch.relu(X @ W0 + b0) @ W1 + b1, labels).backward()
    assert max(float(p.grad.abs().max()) for p in (W0, b0, W1, b1)) > 0.02        # the clipping changed the step
    torch.nn.utils.clip_grad_value_([W0, b0, W1, b1], 0.02)
    for ours, p in zip(net.get_weights(), (W0, b0, W1, b1)):
        np.testing.assert_allclose(ours, (p - 0.1 * p.grad).detach().numpy().reshape(ours.shape), rtol=0,
                                   atol=1e-12)
    assert net.optimizer.clip_value == 0.02
    shown = cmd("info", model)
    assert shown.returncode == 0 and "clip_value=0.02" in shown.stdout, shown.stdout
    # a checkpoint resumed: the same clip_value goes on, another is refused in the command's words
    ck = tmp_path / "ck"
    first = cmd("train", IRIS, *common, "--clip-value", "0.02", "--epochs", "1", "--checkpoint-dir", ck,
                "--out", tmp_path / "a.npz")
    assert first.returncode == 0, first.stderr
    other = cmd("train", IRIS, *common, "--clip-value", "0.5", "--epochs", "2", "--checkpoint-dir", ck, "--resume",
                "--out", tmp_path / "b.npz")
    assert other.returncode != 0 and "--clip-value 0.02 -> 0.5" in other.stderr, other.stderr
    same = cmd("train", IRIS, *common, "--clip-value", "0.02", "--epochs", "2", "--checkpoint-dir", ck, "--resume",
               "--out", tmp_path / "c.npz")
    assert same.returncode == 0, same.stderr
    assert cr.load(tmp_path / "c.npz").optimizer.clip_value == 0.02


@pytest.mark.parametrize("options, said", [(["--clip-value", "0"], "a finite number > 0"),
                                           (["--clip-value", "inf"], "a finite number > 0"),
                                           (["--clip-value", "x"], "a finite number > 0"),
                                           (["--clip-value", "1", "--clip-norm", "1"], "not allowed with")])
def test_train_refuses_bad_clip_values(tmp_path, options, said):
    done = cmd("train", IRIS, "--target", "species", *options, "--out", tmp_path / "m.npz")
    assert done.returncode != 0 and said in done.stderr and "--clip-" in done.stderr, done.stderr


def test_a_checkpoint_written_before_clip_value_resumes():
    """A checkpoint's fingerprint from before clip_value lacks it: that is its None, not another run's optimizer."""
    from chainrule.saving.fingerprint import differences
    now = {"optimizer": optim.Adam(0.01).config(), "batch_size": 8, "shuffle": True}
    before = {**now, "optimizer": {k: v for k, v in now["optimizer"].items() if k != "clip_value"}}
    assert differences(before, now) == []
    assert differences(before, {**now, "optimizer": optim.Adam(0.01, clip_value=1.0).config()}) == [
        "the optimizer (clip_value None -> 1.0)"]
