"""The rules of the package's design, each checked: kernels by exact class, one-way imports,
compiled == NumPy over every registered combination, small modules."""
from __future__ import annotations

import ast
import itertools
from pathlib import Path

import numpy as np
import pytest

import chainrule as cr
from chainrule.backend import kernels
from chainrule.nn.activations import ACTIVATIONS, Activation, Sigmoid
from chainrule.nn.losses import LOSSES
from chainrule.training import compiled
from chainrule.training.optim import COMPILED_UPDATES

SRC = Path(cr.__file__).parent
needs_numba = pytest.mark.skipif(not kernels.AVAILABLE, reason="needs Numba (the [fast] extra)")


def xor():
    X = np.array([[0, 0], [0, 1], [1, 0], [1, 1]], dtype=float)
    return X, np.array([[0.0], [1.0], [1.0], [0.0]])


class Swish(Activation):
    """out = net * sigmoid(net), a user's own activation unknown to the kernels."""

    name = "swish"

    def __call__(self, net):
        return net / (1.0 + np.exp(-net))

    def derivative(self, out, net):
        s = 1.0 / (1.0 + np.exp(-net))
        return s + net * s * (1.0 - s)


class FakeSigmoid(Sigmoid):
    """Named "sigmoid" (inherited) but with another formula: tanh."""

    def __call__(self, net):
        return np.tanh(net)

    def derivative(self, out, net):
        return 1.0 - out * out


class SignAdam(cr.optim.Adam):
    """An Adam whose update is sign descent: must run its own code."""

    def _update(self, p, g, state):
        p -= self.lr * np.sign(g)


def train(act_factory, optimizer_factory, *, numba: bool, monkeypatch) -> np.ndarray:
    monkeypatch.setattr(kernels, "ENABLED", numba and kernels.AVAILABLE)
    monkeypatch.setattr(kernels, "MIN_UPDATE_SIZE", 0)
    X, Y = xor()
    net = cr.Network([cr.Dense(2, 4, act_factory()), cr.Dense(4, 1, "sigmoid")], loss="sse", seed=3)
    net.fit(X, Y, epochs=30, batch_size=2, optimizer=optimizer_factory(), seed=1, verbose=0)
    return net.params.copy()


def reference(act, optimizer_factory) -> np.ndarray:
    """The same training written out by hand from the user's own formulas (no fit loop)."""
    X, Y = xor()
    net = cr.Network([cr.Dense(2, 4, act), cr.Dense(4, 1, "sigmoid")], loss="sse", seed=3)
    opt = optimizer_factory()
    rng = np.random.default_rng(1)
    for _ in range(30):
        order = rng.permutation(4)
        for start in range(0, 4, 2):
            idx = order[start:start + 2]
            net.backprop(X[idx], Y[idx])
            opt.step(net.params, net.grads)
    return net.params.copy()


@needs_numba
@pytest.mark.parametrize("act", [Swish, FakeSigmoid], ids=["swish", "subclass-named-sigmoid"])
def test_user_activation_trains_with_its_own_formula(act, monkeypatch):
    with_numba = train(act, lambda: cr.optim.Adam(0.05), numba=True, monkeypatch=monkeypatch)
    without = train(act, lambda: cr.optim.Adam(0.05), numba=False, monkeypatch=monkeypatch)
    np.testing.assert_array_equal(with_numba, without)
    monkeypatch.setattr(kernels, "ENABLED", False)
    np.testing.assert_allclose(with_numba, reference(act(), lambda: cr.optim.Adam(0.05)), rtol=1e-12, atol=1e-14)
    builtin = train(lambda: "sigmoid", lambda: cr.optim.Adam(0.05), numba=True, monkeypatch=monkeypatch)
    assert np.abs(with_numba - builtin).max() > 1e-3      # really another function than the built-in sigmoid


@needs_numba
def test_optimizer_subclass_runs_its_own_update(monkeypatch):
    with_numba = train(lambda: "tanh", lambda: SignAdam(0.01), numba=True, monkeypatch=monkeypatch)
    monkeypatch.setattr(kernels, "ENABLED", False)
    np.testing.assert_array_equal(with_numba, reference("tanh", lambda: SignAdam(0.01)))
    adam = train(lambda: "tanh", lambda: cr.optim.Adam(0.01), numba=True, monkeypatch=monkeypatch)
    assert np.abs(with_numba - adam).max() > 1e-3


def test_kernel_tables_hold_exact_builtin_classes():
    X, Y = xor()
    net = cr.Network([cr.Dense(2, 4, FakeSigmoid()), cr.Dense(4, 1, "sigmoid")], loss="sse")
    assert compiled.epoch_plan(net, cr.optim.Adam()) is None
    net = cr.Network([cr.Dense(2, 4, "tanh"), cr.Dense(4, 1, "sigmoid")], loss="sse")
    assert compiled.epoch_plan(net, SignAdam()) is None
    for table in (compiled.ACTIVATION_KERNELS, compiled.LOSS_KERNELS, compiled.OPTIMIZER_KERNELS):
        assert all(cls.__module__.startswith("chainrule.") for cls in table)


def test_fused_delta_only_for_the_declaring_loss_and_exact_activation():
    class MyBCE(cr.Loss.__subclasses__()[2]):        # BinaryCrossentropy, subclassed
        pass

    sig = cr.Network([cr.Dense(2, 1, "sigmoid")], loss="binary_crossentropy")
    assert sig.fused_output
    assert not cr.Network([cr.Dense(2, 1, FakeSigmoid())], loss="binary_crossentropy").fused_output
    assert not cr.Network([cr.Dense(2, 1, "sigmoid")], loss=MyBCE()).fused_output


# -- compiled == NumPy, for every combination the registries hold ------------------------------
def combinations():
    for act, loss, opt, dtype in itertools.product(sorted(ACTIVATIONS), sorted(LOSSES),
                                                    [c.__name__ for c in COMPILED_UPDATES], ["float64", "float32"]):
        out = {"categorical_crossentropy": "softmax", "binary_crossentropy": "sigmoid"}.get(loss, "linear")
        if act == "softmax":
            continue       # a hidden softmax is valid but not compiled; the output softmax is covered
        yield pytest.param(act, loss, out, opt, dtype, id=f"{act}-{loss}-{opt}-{dtype}")


def digits_task(loss, dtype):
    from sklearn.datasets import load_digits
    X, y = load_digits(return_X_y=True)
    X = (X[:400] / 16.0).astype(dtype)
    y = y[:400]
    if loss == "categorical_crossentropy":
        return X, y, 10
    if loss == "binary_crossentropy":
        return X, (y[:, None] >= 5).astype(float), 1
    return X, np.eye(10)[y], 10


@needs_numba
@pytest.mark.parametrize("act, loss, out, opt, dtype", list(combinations()))
def test_compiled_equals_numpy(act, loss, out, opt, dtype, monkeypatch):
    X, Y, k = digits_task(loss, dtype)
    epochs = 20 if dtype == "float32" else 5
    results = []
    for numba in (True, False):
        monkeypatch.setattr(kernels, "ENABLED", numba)
        net = cr.Network([cr.Dense(64, 16, act), cr.Dense(16, k, out)], loss=loss, dtype=dtype, seed=0)
        optimizer = getattr(cr.optim, opt)(lr=0.01)
        if numba:
            assert compiled.epoch_plan(net, optimizer) is not None
        net.fit(X, Y, epochs=epochs, batch_size=32, optimizer=optimizer, seed=1, verbose=0)
        results.append(net.params.astype(np.float64))
    scale = np.abs(results[1]).max()
    tol = 1e-5 if dtype == "float32" else 1e-12
    assert np.abs(results[0] - results[1]).max() <= tol * scale


# -- the layout ---------------------------------------------------------------------------------
LAYERS = {"errors": 0, "callers": 0, "extras": 0, "backend": 0, "nn": 1, "training": 2, "data": 2, "saving": 3,
          "optim": 3, "callbacks": 3, "datasets": 3, "teach": 4, "sklearn": 5, "workers": 5, "sweep_fold": 5,
          "sweep_tasks": 6, "sweep_mlp_names": 6, "sweep_estimators": 7,
          "sweep_table": 7, "sweep_search": 8, "sweep_grid": 9, "sweep_files": 9, "sweep_result": 9,
          "sweep_rows": 9, "sweep_metrics": 9,
          "sweep": 10, "cli": 11,
          "__init__": 12, "__main__": 12}
#: the Keras-style entry points of the engine (fit, save) that hand over to a layer above, imported when called
FACADES = {("nn/keras_methods.py", "chainrule.training.fitting"), ("nn/keras_methods.py", "chainrule.training.steps"),
           ("nn/keras_methods.py", "chainrule.training.meeting"),
           ("nn/network.py", "chainrule.saving.npz"), ("nn/keras_methods.py", "chainrule.saving.checkpoint"),
           ("nn/network.py", "chainrule.training.callbacks"), ("nn/keras_methods.py", "chainrule.training.callbacks"),
           ("nn/network.py", "chainrule.saving.onnx"), ("nn/network.py", "chainrule.saving.interop"),
           ("nn/keras_methods.py", "chainrule.saving.weights"), ("nn/stage_hooks.py", "chainrule.training.fitting")}
#: readers (teach, cli, sklearn) may use the public API of the package root
READERS = LAYERS["teach"]


def imports_of(path: Path) -> list[tuple[str, bool]]:
    """(imported chainrule module, at module level?) for every import in `path`."""
    rel = path.relative_to(SRC)
    package = ["chainrule", *rel.parts[:-1]]
    tree = ast.parse(path.read_text())
    top = {id(node) for node in tree.body}
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom):
            if node.level:
                base = package[:len(package) - node.level + 1]
                name = ".".join(base + ([node.module] if node.module else []))
            else:
                name = node.module or ""
            names = [name] + [f"{name}.{a.name}" for a in node.names]
        elif isinstance(node, ast.Import):
            names = [a.name for a in node.names]
        else:
            continue
        for n in names:
            if n.startswith("chainrule"):
                found.append((n, id(node) in top))
    return found


def layer_of(module: str) -> tuple[str, int] | None:
    parts = module.split(".")
    if len(parts) < 2:
        return "__init__", LAYERS["__init__"]
    head = parts[1]
    return (head, LAYERS[head]) if head in LAYERS else None


def test_imports_run_one_way():
    bad = []
    for path in sorted(SRC.rglob("*.py")):
        rel = path.relative_to(SRC)
        me = rel.parts[0].removesuffix(".py")
        if me not in LAYERS:
            continue
        for module, _ in imports_of(path):
            them = layer_of(module)
            if them is None or them[0] == me or any(module.startswith(f) for r, f in FACADES if r == str(rel)):
                continue
            if them[0] == "__init__" and LAYERS[me] >= READERS:
                continue
            if them[1] >= LAYERS[me] and not (me == "backend"):
                bad.append(f"{rel} imports {module} ({them[0]} is not below {me})")
            if me == "backend":
                bad.append(f"{rel} imports {module}: the backend imports nothing of chainrule")
    assert not bad, "\n".join(bad)


def test_every_module_has_a_layer():
    """test_imports_run_one_way skips a module or package missing from LAYERS: sweep_grid, sweep_files,
    sweep_table, sweep_tasks and extras were, so an import going up from them passed (docs/architecture.md
    says every import is read)."""
    found = {p.relative_to(SRC).parts[0].removesuffix(".py") for p in SRC.rglob("*.py")}
    assert not found - set(LAYERS), f"modules or packages without a layer in LAYERS: {sorted(found - set(LAYERS))}"


def test_no_import_cycle_between_modules():
    """The module-level import graph has no cycle (function-level imports are the facades above)."""
    modules = {}
    for path in SRC.rglob("*.py"):
        rel = path.relative_to(SRC).with_suffix("")
        name = ".".join(["chainrule", *rel.parts]).removesuffix(".__init__")
        modules[name] = {m for m, top in imports_of(path) if top}
    graph = {m: {d for d in deps if d in modules and d != m} for m, deps in modules.items()}
    state: dict[str, int] = {}

    def visit(m, stack):
        state[m] = 1
        for d in graph[m]:
            if state.get(d) == 1:
                pytest.fail("import cycle: " + " -> ".join(stack[stack.index(d):] + [d]))
            if d not in state:
                visit(d, stack + [d])
        state[m] = 2

    for m in graph:
        if m not in state:
            visit(m, [m])


def test_no_module_over_400_lines():
    """The package's modules and the benchmarks' scripts alike (benchmarks/run.py grew to 401)."""
    files = [*SRC.rglob("*.py"), *(Path(__file__).resolve().parents[1] / "benchmarks").glob("*.py")]
    long = {p.name if p.parent.name == "benchmarks" else str(p.relative_to(SRC)): n
            for p in files if (n := len(p.read_text().splitlines())) > 400}
    assert not long, f"modules over 400 lines (two ideas in one file?): {long}"


# -- saving goes through the registries -----------------------------------------------------------
DATA = Path(__file__).parent / "data"


def test_files_written_before_the_redesign_still_load():
    """Two model files written by the flat-package version (format 1), with the predictions that
    version computed: they load, predict the same, and keep their optimizer state."""
    import json
    expected = json.loads((DATA / "model-format1-main-2026-12.json").read_text())
    X = np.array(expected["X"])
    net = cr.load(DATA / "model-format1-main-2026-12.npz")
    np.testing.assert_allclose(net.predict(X), expected["out"], rtol=1e-13, atol=1e-15)
    assert type(net.optimizer) is cr.optim.AdamW and net.optimizer.t == expected["opt_t"]
    assert net.layers[0].trainable_params == {"W": True, "b": False}
    net32 = cr.load(DATA / "model-format1-main-2026-12-float32.npz")
    assert net32.dtype == np.float32 and net32.optimizer.nesterov and net32.optimizer.t == expected["opt32_t"]
    np.testing.assert_allclose(net32.predict(X), expected["out32"], rtol=1e-6)


def test_unregistered_user_class_is_refused_on_save_then_saves_when_registered(tmp_path):
    net = cr.Network([cr.Dense(2, 3, Swish()), cr.Dense(3, 1, "sigmoid")], loss="sse", seed=0)
    with pytest.raises(cr.errors.ChainruleTypeError, match="Swish.*register_activation"):
        net.save(tmp_path / "m.npz")
    fake = cr.Network([cr.Dense(2, 3, FakeSigmoid()), cr.Dense(3, 1, "sigmoid")], loss="sse", seed=0)
    with pytest.raises(cr.errors.ChainruleTypeError, match="FakeSigmoid, which would load back as Sigmoid"):
        fake.save(tmp_path / "f.npz")
    assert not (tmp_path / "m.npz").exists() and not (tmp_path / "f.npz").exists()
    try:
        cr.register_activation(Swish)
        net.save(tmp_path / "m.npz")
        back = cr.load(tmp_path / "m.npz")
        assert type(back.layers[0].activation) is Swish
        X = np.array([[0.5, -1.0], [2.0, 0.1]])
        np.testing.assert_array_equal(back.predict(X), net.predict(X))
    finally:
        ACTIVATIONS.pop("swish", None)


@pytest.mark.filterwarnings("ignore::chainrule.training.schedules.ScheduleWarning")   # a schedule beside the point
def test_a_users_schedule_is_refused_on_save_then_saves_when_registered(tmp_path):
    """A user's Schedule saved without a word, and every checkpoint of the run could not be loaded
    ("schedule='Warmup' is not known"); now the save says so, and registered it loads back."""
    from chainrule.training.schedules import SCHEDULES, Schedule

    class Warmup(Schedule):
        def __init__(self, lr, epochs):
            self.lr, self.epochs = lr, epochs

        def __call__(self, epoch):
            return self.lr * min(1.0, (epoch + 1) / self.epochs)

        def config(self):
            return {"name": "Warmup", "lr": self.lr, "epochs": self.epochs}

    class Steps(cr.optim.StepLR):           # inherits StepLR's config: would load back as StepLR
        pass

    X, Y = np.random.default_rng(0).normal(size=(20, 2)), np.random.default_rng(1).normal(size=(20, 1))
    net = cr.Network([cr.Dense(2, 3, "tanh"), cr.Dense(3, 1)], loss="mse", seed=0)
    net.fit(X, Y, epochs=3, batch_size=5, optimizer=cr.optim.Adam(Warmup(0.01, 5)), verbose=0)
    with pytest.raises(cr.errors.ChainruleTypeError, match="the optimizer's schedule is a Warmup, which would load "
                                                          "back as nothing.*cr.optim.register_schedule"):
        net.save(tmp_path / "m.npz")
    other = cr.Network([cr.Dense(2, 1)], loss="mse", seed=0)
    other.fit(X, Y, epochs=1, optimizer=cr.optim.SGD(Steps(0.1, 2)), verbose=0)
    with pytest.raises(cr.errors.ChainruleTypeError, match="Steps, which would load back as StepLR"):
        other.save(tmp_path / "s.npz")
    with pytest.raises(cr.errors.ChainruleTypeError, match="Warmup"):
        cr.Network([cr.Dense(2, 1)], loss="mse", seed=0).fit(
            X, Y, epochs=2, optimizer=cr.optim.Adam(Warmup(0.01, 5)), checkpoint_dir=tmp_path / "ck", verbose=0)
    with pytest.raises(cr.errors.ValidationError, match="belongs to the built-in"):
        cr.optim.register_schedule(type("StepLR", (Schedule,), {}))
    try:
        cr.optim.register_schedule(Warmup)
        net.save(tmp_path / "m.npz")
        back = cr.load(tmp_path / "m.npz")
        assert type(back.optimizer.schedule) is Warmup and back.optimizer.lr == net.optimizer.lr
    finally:
        SCHEDULES.pop("Warmup", None)


def test_builtin_names_cannot_be_taken_over():
    with pytest.raises(cr.errors.ValidationError, match="belongs to the built-in Sigmoid"):
        cr.register_activation(FakeSigmoid)
    from chainrule.nn.layers import LAYERS
    from chainrule.nn.losses import LOSSES, MSE
    # a loss, layer or optimizer under a built-in's name would replace it in every network built or loaded by name
    fake_mse = type("FakeMSE", (cr.Loss,), {"name": "mse"})
    for register, cls, builtin in ((cr.register_loss, fake_mse, "MSE"),
                                   (cr.register_layer, type("Dense", (cr.Layer,), {}), "Dense"),
                                   (cr.register_layer, type("Dropout", (cr.Layer,), {}), "Dropout"),
                                   (cr.optim.register_optimizer, type("Adam", (cr.optim.Optimizer,), {}), "Adam")):
        with pytest.raises(cr.errors.ValidationError, match=f"belongs to the built-in {builtin}"):
            register(cls)
    assert LOSSES["mse"] is MSE and LAYERS["Dense"] is cr.Dense and LAYERS["Dropout"] is cr.Dropout
    assert cr.optim.OPTIMIZERS["adam"] is cr.optim.Adam
    assert type(cr.Network([cr.Dense(2, 1)], loss="mse").loss_function) is MSE


def test_optimizer_config_is_its_constructor_arguments():
    for cls in cr.optim.OPTIMIZERS.values():
        opt = cls(lr=0.05)
        cfg = opt.config()
        assert cfg.pop("name") == cls.__name__
        rebuilt = cls(**{k: tuple(v) if k == "betas" else v for k, v in cfg.items()})
        assert rebuilt.config() == opt.config()


# -- the public API is annotated ------------------------------------------------------------------
def _public_callables():
    """Every function, method and property of the names `chainrule` exports (and of its public
    modules optim, callbacks, init, examples, formulas, datasets, plot)."""
    import inspect
    modules = [cr, cr.optim, cr.callbacks, cr.init, cr.examples, cr.formulas, cr.datasets, cr.plot]
    found = {}
    for module in modules:
        for name in getattr(module, "__all__", [n for n in dir(module) if not n.startswith("_")]):
            obj = getattr(module, name, None)
            if obj is None or inspect.ismodule(obj) or not getattr(obj, "__module__", "").startswith("chainrule"):
                continue
            if inspect.isclass(obj):       # with the methods it inherits from chainrule's own classes
                members = {attr: member for base in reversed(obj.__mro__) if base.__module__.startswith("chainrule")
                           for attr, member in vars(base).items()}
                for attr, member in members.items():
                    if attr.startswith("_") and attr not in ("__init__", "__call__"):
                        continue
                    member = member.__func__ if isinstance(member, (staticmethod, classmethod)) else member
                    member = member.fget if isinstance(member, property) else member
                    if inspect.isfunction(member):
                        found[f"{obj.__module__}.{obj.__qualname__}.{attr}"] = member
            elif inspect.isfunction(obj):
                found[f"{obj.__module__}.{name}"] = obj
    return found


def test_public_api_is_type_annotated():
    import inspect
    missing = []
    for name, fn in _public_callables().items():
        sig = inspect.signature(fn)
        for p in sig.parameters.values():
            if p.name not in ("self", "cls") and p.kind not in (p.VAR_POSITIONAL, p.VAR_KEYWORD) \
                    and p.annotation is p.empty:
                missing.append(f"{name}({p.name})")
        if sig.return_annotation is sig.empty and fn.__name__ != "__init__":
            missing.append(f"{name} -> ?")
    assert len(_public_callables()) > 150          # the walk really reaches the classes' methods
    assert not missing, missing


def test_compiled_epoch_only_where_it_beats_blas(monkeypatch):
    """The compiled loop's plain products lose to BLAS on big batches of a mid-sized network: the
    plan declines there (the NumPy loop, the reference, runs) and keeps the small cases."""
    monkeypatch.setattr(kernels, "ENABLED", True)
    net = cr.Network([cr.Dense(784, 64, "relu"), cr.Dense(64, 64, "relu"), cr.Dense(64, 10, "softmax")],
                     loss="categorical_crossentropy", dtype="float32")
    if not kernels.AVAILABLE:
        pytest.skip("needs Numba (the [fast] extra)")
    assert compiled.epoch_plan(net, cr.optim.Adam(), batch_size=32) is not None
    assert compiled.epoch_plan(net, cr.optim.Adam(), batch_size=256) is None
    assert net.n_params * 256 > kernels.MAX_EPOCH_WORK >= net.n_params * 32


def test_dir_of_the_package_is_its_public_api():
    """dir(chainrule) listed Any, TYPE_CHECKING, annotations and importlib (tab completion showed them)."""
    import chainrule
    assert dir(chainrule) == sorted(chainrule.__all__)
    assert set(chainrule._LAZY) <= set(chainrule.__all__)
    for name in chainrule.__all__:
        assert getattr(chainrule, name) is not None
