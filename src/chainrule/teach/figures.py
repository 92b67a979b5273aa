"""The demo figures of the guide (docs/figures): each trains what it shows with the engine."""
from __future__ import annotations

import warnings
from pathlib import Path

from ..nn.layers import Dense
from ..nn.network import Network
from ..training import optim
from ..training.diagnostics import GradientDiagnostics, GradientWarning
from . import plot
from .examples import seed_network, xor
from .explain import explain


def two_inputs(name: str, seed: int = 0):
    """XOR, moons or circles: 2-input classification data."""
    if name == "xor":
        X, y = xor()
        return X, y
    from sklearn.datasets import make_circles, make_moons
    if name == "moons":
        return make_moons(300, noise=0.2, random_state=seed)
    if name == "circles":
        return make_circles(300, noise=0.1, factor=0.5, random_state=seed)
    raise ValueError(f"data must be 'xor', 'moons' or 'circles'; got {name!r}")


def boundary_pair(name: str, path, hidden: int = 8, epochs: int | None = None):
    """A single-layer network's straight boundary beside one hidden layer's curve."""
    X, y = two_inputs(name)
    epochs = epochs or (3000 if name == "xor" else 300)
    batch = None if name == "xor" else 32
    single = Network([Dense(2, 1, "sigmoid")], loss="binary_crossentropy", seed=0)
    deep = Network([Dense(2, hidden, "tanh"), Dense(hidden, 1, "sigmoid")], loss="binary_crossentropy", seed=0)
    for net in (single, deep):
        net.fit(X, y, epochs=epochs, batch_size=batch, optimizer=optim.Adam(0.05 if name == "xor" else 0.01),
                seed=0, verbose=0)
    accs = [net.evaluate(X, y)["accuracy"] for net in (single, deep)]
    return plot.decision_boundaries([single, deep], X, y, path, titles=[
        f"{name}: no hidden layer (accuracy {accs[0]:.2f})",
        f"{name}: {hidden} hidden tanh units (accuracy {accs[1]:.2f})"])


HIDDEN = 7      # the guide's deep networks: seven hidden layers under the softmax output, 8 layers of weights
SPELLED = {"relu": "ReLU"}      # an activation as the figures' titles (and the guide's text) write it; else its name


def deep_networks(epochs: int = 10):
    """The same depth twice on digits: sigmoid (gradients vanish) and ReLU with He init."""
    from sklearn.datasets import load_digits
    from sklearn.preprocessing import StandardScaler
    X, y = load_digits(return_X_y=True)
    X = StandardScaler().fit_transform(X)
    histories = {}
    for act, init in (("sigmoid", "glorot_uniform"), ("relu", "he_normal")):
        widths = [64] + [32] * HIDDEN
        layers = [Dense(a, b, act, weight_init=init) for a, b in zip(widths, widths[1:])]
        net = Network(layers + [Dense(32, 10, "softmax")], loss="categorical_crossentropy", seed=0)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", GradientWarning)
            histories[act] = net.fit(X, y, epochs=epochs, batch_size=32, optimizer=optim.SGD(0.1),
                                     callbacks=[GradientDiagnostics()], seed=0, verbose=0)
    return histories


def all_figures(folder) -> list[Path]:
    """Every figure of docs/guide.md, written into `folder` (created if missing, as `chainrule data --out`)."""
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    paths = []
    net, X, Y, lr = seed_network()
    paths.append(plot.network_diagram(net, folder / "seed-network.png", report=explain(net, X, Y, lr=lr)))
    for name in ("xor", "moons", "circles"):
        paths.append(boundary_pair(name, folder / f"boundary-{name}.png"))
    paths.append(digits_curves(folder / "digits-training.png"))
    return paths + deep_figures(folder)


def digits_curves(path, epochs: int = 30) -> Path:
    """The guide's training curves of a digits classifier, its loss axis naming the loss (as `plot curves` does)."""
    from sklearn.datasets import load_digits
    from sklearn.model_selection import train_test_split
    Xd, yd = load_digits(return_X_y=True)
    Xtr, Xte, ytr, yte = train_test_split(Xd / 16.0, yd, test_size=0.25, random_state=0)
    net = Network([Dense(64, 64, "relu"), Dense(64, 10, "softmax")], loss="categorical_crossentropy", seed=0)
    history = net.fit(Xtr, ytr, epochs=epochs, validation_data=(Xte, yte), optimizer=optim.Adam(1e-3), seed=0,
                      verbose=0)
    return plot.training_curves(history, path, title=f"digits, 64-64-10 {SPELLED['relu']}/softmax, Adam: loss and "
                                "accuracy per epoch", loss_label=f"loss ({net.loss_function.name})")


def deep_figures(folder: Path, epochs: int = 10) -> list[Path]:
    """The guide's two gradient-norm figures, titled as the guide counts their layers (its text says the same)."""
    return [plot.gradient_norms(h, folder / f"gradients-deep-{act}.png", title=f"{HIDDEN} {SPELLED.get(act, act)} "
                                f"layers, softmax output ({HIDDEN + 1} layers of weights): gradient norms")
            for act, h in deep_networks(epochs).items()]
