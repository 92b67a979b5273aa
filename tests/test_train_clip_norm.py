"""`chainrule train` advised "gradient clipping (clip_norm=...)" after an exploding or diverging loss, but had no
such option: the advice of the command now names what its user can type (--clip-norm, --lr), and --clip-norm passes
to the optimizer as Python's clip_norm= does (oracle: torch.nn.utils.clip_grad_norm_ on the same gradients), saved
with the model, shown by `info`, compared at --resume. Python's warning keeps Python's words. And `sweep --grid
class_weight=LABEL=W`, refused, now says where weights by label are given (--class-weight LABEL=W)."""
import warnings

import numpy as np
import pandas as pd
import pytest
from conftest import cmd

import chainrule as cr
from chainrule.data.tabular import Preprocessing

torch = pytest.importorskip("torch")

IRIS = __import__("pathlib").Path(cr.__file__).parent / "data" / "examples" / "iris.csv"
EXPLODES = ["--lr", "100", "--batch-size", "1000", "--epochs", "2"]


def trained(tmp_path, *options):
    """`train` on iris (3 hidden units, the whole file one batch, no validation) with `options`: the model file,
    the network, its inputs and labels as torch tensors, and its starting weights as torch leaves."""
    model = tmp_path / "m.npz"
    done = cmd("train", IRIS, "--target", "species", "--hidden", "3", *options, "--batch-size", "1000",
               "--val-split", "0", "--quiet", "--out", model)
    assert done.returncode == 0, done.stderr
    net, extra = cr.load(model, with_extra=True)
    pre = Preprocessing.from_json(extra["tabular"])
    df = pd.read_csv(IRIS)
    X, labels = torch.as_tensor(pre.transform(df[pre.columns])), torch.as_tensor(pre.encode_target(df)).long()
    start = cr.Network([cr.Dense(4, 3, "relu"), cr.Dense(3, 3, "softmax")], loss="categorical_crossentropy",
                       seed=0).get_weights()
    return model, net, X, labels, [torch.tensor(np.asarray(a), dtype=torch.float64, requires_grad=True)
                                   for a in start]


def test_clip_norm_is_torchs_clip_grad_norm_on_the_same_gradients(tmp_path):
    model, net, X, labels, (W0, b0, W1, b1) = trained(tmp_path, "--optimizer", "sgd", "--lr", "0.1",
                                                      "--clip-norm", "0.05", "--epochs", "1")
    out = torch.relu(X @ W0 + b0) @ W1 + b1
    torch.nn.functional.cross_entropy(out, labels).backward()
    norm = torch.nn.utils.clip_grad_norm_([W0, b0, W1, b1], 0.05)
    assert norm > 0.05                                   # the clipping changed the step
    for ours, p in zip(net.get_weights(), (W0, b0, W1, b1)):
        np.testing.assert_allclose(ours, (p - 0.1 * p.grad).detach().numpy().reshape(ours.shape), rtol=1e-6,
                                   atol=1e-9)
    assert net.optimizer.clip_norm == 0.05
    shown = cmd("info", model)
    assert shown.returncode == 0 and "clip_norm=0.05" in shown.stdout, shown.stdout


def test_an_exploding_loss_is_advised_in_the_options_and_python_keeps_its_words(tmp_path):
    done = cmd("train", IRIS, "--target", "species", *EXPLODES, "--out", tmp_path / "m.npz")
    warned = [line for line in done.stderr.splitlines() if "the loss exploded" in line]
    assert done.returncode == 0 and len(warned) == 1, done.stderr
    assert "Try a lower --lr (it was 100) or gradient clipping (--clip-norm, e.g. 1)." in warned[0], warned[0]
    assert "clip_norm=" not in done.stderr and "scaling the inputs" not in done.stderr
    clipped = cmd("train", IRIS, "--target", "species", *EXPLODES, "--clip-norm", "2", "--out", tmp_path / "n.npz")
    assert "a lower --clip-norm (it was 2)" in clipped.stderr, clipped.stderr
    # the same run in Python: its warning names Python's arguments
    net, extra = cr.load(tmp_path / "m.npz", with_extra=True)
    pre = Preprocessing.from_json(extra["tabular"])
    df = pd.read_csv(IRIS)
    X, y = pre.transform(df[pre.columns]), pre.encode_target(df)
    fresh = cr.Network([cr.Dense(4, 64, "relu"), cr.Dense(64, 3, "softmax")], loss="categorical_crossentropy", seed=0)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        fresh.fit(X, y, epochs=2, batch_size=1000, optimizer=cr.optim.Adam(lr=100.0), verbose=0)
    said = [str(w.message) for w in caught if "the loss exploded" in str(w.message)]
    assert said and "gradient clipping (clip_norm=...)" in said[0] and "--" not in said[0], said


def test_a_diverged_run_names_lr_and_clip_norm(tmp_path):
    done = cmd("train", IRIS, "--target", "species", "--optimizer", "sgd", "--lr", "1e30", "--epochs", "2",
               "--quiet", "--out", tmp_path / "m.npz")
    assert done.returncode != 0, done.stderr
    last = done.stderr.splitlines()[-1]
    assert "training diverged" in last, done.stderr
    assert "Try a lower --lr (it was 1e+30), gradient clipping (--clip-norm, e.g. 1), or --optimizer adam" in last
    assert "clip_norm=" not in last and not (tmp_path / "m.npz").exists()


def test_resume_compares_clip_norm_as_the_other_optimizer_settings(tmp_path):
    common = ["train", IRIS, "--target", "species", "--hidden", "3", "--quiet", "--checkpoint-dir", tmp_path / "c",
              "--out", tmp_path / "m.npz"]
    assert cmd(*common, "--epochs", "1", "--clip-norm", "1").returncode == 0
    refused = cmd(*common, "--epochs", "2", "--clip-norm", "2", "--resume")
    assert refused.returncode != 0 and "--clip-norm" in refused.stderr.splitlines()[-1], refused.stderr
    assert cmd(*common, "--epochs", "2", "--clip-norm", "1", "--resume").returncode == 0


def test_sweep_grid_class_weight_by_label_names_the_class_weight_option(tmp_path):
    done = cmd("sweep", IRIS, "--target", "species", "--grid", "class_weight=setosa=2")
    last = done.stderr.splitlines()[-1]
    assert done.returncode != 0 and "must be balanced or none (unweighted)" in last, done.stderr
    assert "--class-weight LABEL=W" in last and "run_sweep" in last, last


@pytest.mark.parametrize("name, extra, torch_optimizer", [
    ("sgd", ["--momentum", "0.9"], lambda p: torch.optim.SGD(p, lr=0.05, momentum=0.9)),
    ("adam", [], lambda p: torch.optim.Adam(p, lr=0.05)),
    ("adamw", [], lambda p: torch.optim.AdamW(p, lr=0.05)),
    ("rmsprop", ["--momentum", "0.5"], lambda p: torch.optim.RMSprop(p, lr=0.05, momentum=0.5)),
    ("adagrad", [], lambda p: torch.optim.Adagrad(p, lr=0.05))])
def test_clip_norm_with_every_optimizer_over_several_steps_is_torchs(tmp_path, name, extra, torch_optimizer):
    # the clipped gradient feeds each optimizer's state (momentum, moments, sums): four clipped steps, as torch's
    _, net, X, labels, params = trained(tmp_path, "--optimizer", name, *extra, "--lr", "0.05", "--clip-norm", "0.05",
                                        "--epochs", "4")
    opt = torch_optimizer(params)
    for _ in range(4):
        opt.zero_grad()
        W0, b0, W1, b1 = params
        torch.nn.functional.cross_entropy(torch.relu(X @ W0 + b0) @ W1 + b1, labels).backward()
        assert torch.nn.utils.clip_grad_norm_(params, 0.05) > 0.05          # every step clipped
        opt.step()
    for ours, p in zip(net.get_weights(), params):
        np.testing.assert_allclose(ours, p.detach().numpy().reshape(ours.shape), rtol=1e-9, atol=1e-12)
