import contextlib
import functools
import io
import os
import signal
import socket
import subprocess
import sys
import time
import zipfile

import numpy as np
import pytest

import chainrule as cr
from chainrule.backend import kernels as _kernels

# Keras 3, a truth in the parity tests, runs on PyTorch here (no TensorFlow): set before any test imports it,
# whatever the order (a first import without it fails and leaves Keras half-imported for the others)
os.environ.setdefault("KERAS_BACKEND", "torch")

ACTIVATIONS = ["sigmoid", "tanh", "relu", "leaky_relu", "softmax", "linear"]
LOSSES = ["sse", "mse", "binary_crossentropy", "categorical_crossentropy"]
# output activations whose outputs a loss accepts (cross-entropies need probabilities)
OUTPUTS_FOR = {"sse": ACTIVATIONS, "mse": ACTIVATIONS,
               "binary_crossentropy": ["sigmoid", "softmax"],
               "categorical_crossentropy": ["softmax", "sigmoid"]}


def as_in_a_terminal():
    """`preexec_fn` of a test's child that is sent Ctrl-C (SIGINT) or sends one to itself: SIGINT at its default
    there, as a terminal's foreground job has it. An ignored SIGINT is inherited through exec, and the command
    keeps it ignored (nohup, a script's `cmd &`): started by a test runner that ignored it (the suite run in the
    background, or a test that left it ignored), the job trained to its end and exited 0, the SIGINT lost."""
    signal.signal(signal.SIGINT, signal.SIG_DFL)


class StopAt(cr.callbacks.Callback):
    """Ctrl-C after epoch `k` (as a user's, once the checkpoint of that epoch is written): a run stopped and
    resumed, in the tests of which loop a resumed run takes."""

    def __init__(self, k: int):
        super().__init__()
        self.k = k

    def on_epoch_end(self, epoch, logs=None):
        if epoch + 1 == self.k:
            raise KeyboardInterrupt


def training_rows(n, val_split=0.2, seed=0):
    """The file rows (sorted) that `chainrule train --val-split val_split --seed seed` trains on, drawn
    as it documents them, with NumPy alone: the rows shuffled by `default_rng(seed).permutation(n)`,
    the last n - floor(n * (1 - val_split)) held out for validation (Keras' count)."""
    import math
    n_val = n - math.floor(n * (1.0 - val_split))
    return np.sort(np.random.default_rng(seed).permutation(n)[n_val:] if n_val else np.arange(n))


def iris_table():
    """scikit-learn's iris as a DataFrame, its target the column 'species' of names (as a CSV holds it)."""
    from sklearn.datasets import load_iris
    d = load_iris(as_frame=True).frame
    d["species"] = np.array(["setosa", "versicolor", "virginica"])[d.pop("target")]
    return d


def iris_classifier(hidden: int, epochs: int):
    """(est, X, names): a BackpropClassifier fitted on iris, X standardised, y the species' names (its short fit's
    ConvergenceWarning kept quiet)."""
    import warnings

    from sklearn.datasets import load_iris
    from sklearn.exceptions import ConvergenceWarning

    from chainrule.sklearn import BackpropClassifier
    X, y = load_iris(return_X_y=True)
    X = (X - X.mean(0)) / X.std(0)
    names = np.array(["setosa", "versicolor", "virginica"])[y]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        est = BackpropClassifier(hidden_layer_sizes=(hidden,), epochs=epochs, random_state=0).fit(X, names)
    return est, X, names


def random_network(rng, max_layers=5, max_width=64, loss=None, dtype="float64"):
    """A random network, inputs and targets that fit its loss."""
    loss = loss or rng.choice(LOSSES)
    n_layers = int(rng.integers(1, max_layers + 1))
    widths = [int(w) for w in rng.integers(1, max_width + 1, size=n_layers + 1)]
    out_act = rng.choice(OUTPUTS_FOR[loss])
    acts = [rng.choice(ACTIVATIONS) for _ in range(n_layers - 1)] + [out_act]
    for i, act in enumerate(acts):
        if act == "softmax" and widths[i + 1] == 1:      # a softmax over one unit is refused (always 1)
            widths[i + 1] = 2
    layers = [cr.Dense(widths[i], widths[i + 1], activation=str(act), weight_init="glorot_normal", bias_init="normal")
              for i, act in enumerate(acts)]
    net = cr.Network(layers, loss=str(loss), dtype=dtype, seed=int(rng.integers(1 << 31)))
    n = int(rng.integers(1, 51))
    return net, rng.normal(size=(n, widths[0])), random_targets(rng, loss, n, widths[-1], soft=rng.random() < 0.5)


def random_targets(rng, loss, n, k, soft=False):
    """Targets that fit the loss: any numbers, probabilities, or one-hot (or soft) class rows."""
    if loss in ("sse", "mse"):
        return rng.normal(size=(n, k))
    if loss == "binary_crossentropy":
        return rng.uniform(size=(n, k))
    return rng.dirichlet(np.ones(k), size=n) if soft else np.eye(k)[rng.integers(0, k, size=n)]


@pytest.fixture(autouse=True)
def _fresh_process_choices(monkeypatch):
    """Each test starts with the per-process choices of `backend.warmup` empty, as a fresh process: the tiny
    versions asked for (`_requested`) and the float32 ones kept on the general loop (`_general`). Left over from
    an earlier test, they changed which loop a later one took, by the order the tests ran in."""
    warmup = sys.modules.get("chainrule.backend.warmup")     # not imported here: a test may check what loads
    if warmup is not None:
        monkeypatch.setattr(warmup, "_requested", set())
        monkeypatch.setattr(warmup, "_general", set())


@pytest.fixture(params=["numpy", "numba"])
def kernels(request, monkeypatch):
    """Run a test with the NumPy optimizer updates and again with the compiled ones."""
    if request.param == "numba" and not _kernels.AVAILABLE:
        pytest.skip("numba is not installed")
    monkeypatch.setattr(_kernels, "ENABLED", request.param == "numba")
    monkeypatch.setattr(_kernels, "MIN_UPDATE_SIZE", 0)      # the test networks are small
    return request.param


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on now: a scheduler's to start, or an address none answers."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def cie_lab(rgb: np.ndarray) -> np.ndarray:
    """sRGB colours (rows, 0..1) in CIELAB (D65), where a distance is a difference seen: CIE76's delta E."""
    linear = np.where(rgb <= 0.04045, rgb / 12.92, ((rgb + 0.055) / 1.055) ** 2.4)
    xyz = linear @ np.array([[0.4124, 0.3576, 0.1805], [0.2126, 0.7152, 0.0722], [0.0193, 0.1192, 0.9505]]).T
    f = xyz / [0.95047, 1.0, 1.08883]
    f = np.where(f > (6 / 29) ** 3, np.cbrt(f), f / (3 * (6 / 29) ** 2) + 4 / 29)
    return np.column_stack([116 * f[:, 1] - 16, 500 * (f[:, 0] - f[:, 1]), 200 * (f[:, 1] - f[:, 2])])


def drawn_figure(monkeypatch, draw):
    """The matplotlib figure that `draw()` saves (and saves, as it would): test_plot and test_cli_plot."""
    from chainrule.teach import plot
    captured = {}
    real_save = plot.save_figure

    def keep(fig, path, dpi):
        captured["fig"] = fig
        return real_save(fig, path, dpi)

    monkeypatch.setattr(plot, "save_figure", keep)
    draw()
    return captured["fig"]


@pytest.fixture
def saved_figures(monkeypatch):
    """Every matplotlib figure the plot functions save during a test, in order (drawn_figure's, for several)."""
    from chainrule.teach import plot
    figures = []
    real_save = plot.save_figure

    def keep(fig, path, dpi):
        figures.append(fig)
        return real_save(fig, path, dpi)

    monkeypatch.setattr(plot, "save_figure", keep)
    return figures


@pytest.fixture(scope="module")
def regression_cli_model(tmp_path_factory):
    """A model file `chainrule train` wrote for a regression of 'y' on columns 'a' and 'b' (60 rows, y = 3a - b)."""
    import pandas as pd
    folder = tmp_path_factory.mktemp("m")
    x = np.random.default_rng(0).normal(size=(60, 2))
    pd.DataFrame({"a": x[:, 0], "b": x[:, 1], "y": 3 * x[:, 0] - x[:, 1]}).to_csv(folder / "t.csv", index=False)
    r = cmd("train", folder / "t.csv", "--target", "y", "--hidden", "4", "--epochs", "2", "--out", folder / "m.npz",
            "--quiet")
    assert r.returncode == 0, r.stderr
    return folder / "m.npz"


def csv_model(tmp_path):
    """A model file (m.npz in `tmp_path`) as `chainrule train` writes it: weights and the CSV
    preprocessing (columns, statistics); with that Preprocessing."""
    from chainrule.data.tabular import Preprocessing, read_csv
    from chainrule.saving.npz import save
    rows = np.random.default_rng(4).uniform(-1, 1, (40, 2))
    (tmp_path / "t.csv").write_text("size,weight,colour,kind\n" + "".join(
        f"{10 + 5 * a:.3f},{100 * b:.3f},{'red' if a > 0 else 'blue'},{'cat' if a * b > 0 else 'dog'}\n"
        for a, b in rows))
    pre = Preprocessing.fit(read_csv(str(tmp_path / "t.csv")), "kind")
    net = cr.Network([cr.Dense(4, 3, "tanh"), cr.Dense(3, 2, "softmax")], loss="categorical_crossentropy", seed=2)
    save(net, str(tmp_path / "m.npz"), extra={"tabular": pre.to_json()})
    return tmp_path / "m.npz", pre


def cli(*args, cwd=None, stdin=None):
    """`chainrule ARGS` in a fresh process, as a user runs it (at most 10 minutes): the CompletedProcess (returncode,
    stdout, stderr as text)."""
    return subprocess.run([sys.executable, "-m", "chainrule.cli", *map(str, args)], capture_output=True, text=True,
                          cwd=cwd, input=stdin, check=False, timeout=600)


def cmd(*args, cwd=None, stdin=None):
    """`chainrule ARGS` as `cli` returns it (a CompletedProcess), run by the command's own `main` in this
    process: the code and words of the command without a fresh interpreter's 0.6 s of imports, for the
    many tests of what the command reads and says (each file keeps `cli`, the real process, where the
    process is what is tested: exit handlers, signals, standard input from a pipe, the first import).
    Its streams have no file descriptor: a command writing to fd 1 itself, or a reader gone (a broken
    pipe), needs the real process."""
    import io
    import os

    from chainrule.cli import main

    def stream(data: bytes = b""):
        return io.TextIOWrapper(io.BytesIO(data), encoding="utf-8", newline=None)
    saved, here = (sys.stdin, sys.stdout, sys.stderr), os.getcwd()
    sys.stdin, sys.stdout, sys.stderr = stream((stdin or "").encode()), stream(), stream()
    try:
        if cwd is not None:
            os.chdir(cwd)
        try:
            code = main([str(a) for a in args])
        except SystemExit as stop:           # as Python ends a process: a message on stderr and 1, None 0
            if stop.code is not None and not isinstance(stop.code, int):
                print(stop.code, file=sys.stderr)
            code = stop.code if isinstance(stop.code, int) else 0 if stop.code is None else 1
        sys.stdout.flush()
        sys.stderr.flush()
        # read as subprocess.run(text=True) reads a pipe: universal newlines ('\r' of a progress bar is '\n')
        out, err = (s.buffer.getvalue().decode().replace("\r\n", "\n").replace("\r", "\n")
                    for s in (sys.stdout, sys.stderr))
    finally:
        sys.stdin, sys.stdout, sys.stderr = saved
        os.chdir(here)
    return subprocess.CompletedProcess([sys.executable, "-m", "chainrule.cli", *map(str, args)], code, out, err)


def cli_in_process(capsys, *args):
    """(exit code, stdout, stderr) of one command run in this process: no fresh interpreter and
    import per call, for tests that run many commands."""
    from chainrule.cli import main
    code = main([str(a) for a in args])
    out, err = capsys.readouterr()
    return code, out, err


@pytest.fixture(scope="module")
def dask_client():
    """A real Dask cluster of two worker processes on 127.0.0.1 (one BLAS/Numba thread each), closed by the module."""
    distributed = pytest.importorskip("distributed")
    from chainrule.workers import worker_env
    cluster = distributed.LocalCluster(n_workers=2, threads_per_worker=1, host="127.0.0.1", processes=True,
                                       dashboard_address=None, env=worker_env(1))
    c = distributed.Client(cluster)
    try:
        yield c
    finally:
        c.close()
        cluster.close()


@pytest.fixture(scope="session")
def sweep_data(tmp_path_factory):
    """The sweeps' CSV files, in one folder: iris.csv (iris_table(): 150 rows, 'species' the names),
    binary.csv (its versicolor and virginica rows) and diabetes.csv (scikit-learn's diabetes, raw units,
    its first 200 rows, the column 'target')."""
    from sklearn.datasets import load_diabetes
    folder = tmp_path_factory.mktemp("sweep_data")
    d = iris_table()
    d.to_csv(folder / "iris.csv", index=False)
    d[d.species != "setosa"].to_csv(folder / "binary.csv", index=False)
    load_diabetes(as_frame=True, scaled=False).frame.iloc[:200].to_csv(folder / "diabetes.csv", index=False)
    return folder


def killing_after_two(watcher, address: str, pid: int, killed: list, received: list):
    """The sweep's own distributed.as_completed, which kills the worker `pid` (at `address`) with SIGKILL, as the
    kernel's OOM killer does, once two finished results came back (each appended to `received`, the pid to `killed`),
    and waits until the scheduler `watcher` talks to has seen it go, tasks still to run."""
    import distributed

    class KillingAfterTwo(distributed.as_completed):
        def __next__(self):
            if not killed and len(received) == 2:
                os.kill(pid, signal.SIGKILL)
                killed.append(pid)
                deadline = time.monotonic() + 20
                while address in watcher.scheduler_info()["workers"] and time.monotonic() < deadline:
                    time.sleep(0.05)
            item = super().__next__()
            if (item[0] if isinstance(item, tuple) else item).status == "finished":
                received.append(item)
            return item
    return KillingAfterTwo


def three_features(n=40, seed=0):
    """X of 3 normal features; a binary label and a 3-class one (both from its first column)."""
    rng = np.random.RandomState(seed)
    X = rng.randn(n, 3)
    return X, (X[:, 0] > 0).astype(int), np.digitize(X[:, 0], [-0.5, 0.5])


def csv_feeds(df):
    """A CSV model's raw columns as its ONNX graph takes them: numbers float64, text str, each (N, 1)."""
    return {c: df[c].to_numpy(object if c == "colour" else np.float64).reshape(-1, 1) for c in ("a", "b", "colour")}


@pytest.fixture(scope="module")
def csv_models(tmp_path_factory):
    """A CSV of two numbers and a text column; its models trained without and with --impute (float32),
    each exported with its preprocessing."""
    folder = tmp_path_factory.mktemp("csv")
    pd = pytest.importorskip("pandas")
    rng = np.random.default_rng(0)
    a, b = rng.normal(size=200), rng.normal(10, 3, size=200)
    colour = rng.choice(["red", "green", "blue"], size=200)
    y = np.where(a + (colour == "red") > 0.5, "yes", "no")
    pd.DataFrame({"a": a, "b": b, "colour": colour, "y": y}).to_csv(folder / "t.csv", index=False)
    out = {}
    for name, extra in (("plain", []), ("imputed", ["--impute", "median", "--dtype", "float32"])):
        model = folder / f"{name}.npz"
        r = cli("train", folder / "t.csv", "--target", "y", "--hidden", "6", "--epochs", "20", "--out", model,
                "--quiet", *extra)
        assert r.returncode == 0, r.stderr
        assert cli("export", model, folder / f"{name}.onnx").returncode == 0
        out[name] = (model, folder / f"{name}.onnx")
    return folder, out


class InterruptAt(cr.callbacks.Callback):
    """Keras' own example of a failing run: a callback raising as epoch `at` begins."""

    def __init__(self, at):
        self.at = at

    def on_epoch_begin(self, epoch):
        if epoch == self.at:
            raise RuntimeError("Interrupting!")


@functools.cache
def weights_zip_bomb(weights: bytes) -> bytes:
    """`weights` (a save_weights file's bytes) with its 0.W compressed from 100 MiB of zeros: under 1 MiB on disk.
    Made once per process, as compressing takes a while."""
    count, buffer = 100 * 2**20 // 8, io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(weights)) as src, zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as out:
        for name in src.namelist():
            if name != "0.W.npy":
                out.writestr(name, src.read(name))
                continue
            with out.open(name, "w", force_zip64=True) as f:
                np.lib.format.write_array_header_1_0(f, {"descr": "<f8", "fortran_order": False, "shape": (count,)})
                for _ in range(count * 8 // 2**22):
                    f.write(bytes(2**22))
    return buffer.getvalue()


@contextlib.contextmanager
def explorer_client(token: str, headers: dict):
    """An httpx client of a fresh explorer server on 127.0.0.1 (its token `token`), every request with `headers`;
    the server stopped at the end."""
    import httpx

    from chainrule.teach.explore.server import Server, bind, create_app
    srv = Server(create_app(token), bind("127.0.0.1", 0)).start()
    try:
        with httpx.Client(base_url=f"http://127.0.0.1:{srv.port}", headers=headers, timeout=20) as c:
            yield c
    finally:
        srv.stop()


def kernels_in_auto_mode(monkeypatch, tmp_path):
    """The compiled kernels loaded and CHAINRULE_NUMBA's auto mode on, with no tiny version compiled in this process
    and Numba's markers in `tmp_path` (Numba read its own folder at import): a job's choice of path, seen afresh."""
    from chainrule.backend import cachedir, tiny
    monkeypatch.setenv("NUMBA_CACHE_DIR", str(tmp_path))
    os.makedirs(cachedir.folder(), exist_ok=True)
    monkeypatch.setattr(_kernels, "ENABLED", True)
    assert _kernels.load()
    monkeypatch.setattr(_kernels, "ENABLED", "auto")
    monkeypatch.setattr(tiny, "_entries", {})
