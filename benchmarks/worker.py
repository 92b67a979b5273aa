"""One framework, one workload, in its own process: prints one JSON line of measurements.

    python benchmarks/worker.py FRAMEWORK WORKLOAD [options as JSON]

Frameworks: chainrule, torch, torch_fused, sklearn, python, micrograd, jax, keras (rivals.py).
Each run does an untimed warm-up first, then the timed work. chainrule runs with its compiled
kernels loaded (CHAINRULE_NUMBA=1, set by run.py: a warm process, as the rivals' jitted code);
the start-up section of run.py measures whole processes with the defaults instead.
"""
from __future__ import annotations

import argparse
import json
import platform
import resource
import time

import numpy as np


def rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def status_mb(key: str) -> float:
    """VmRSS or VmHWM of this process, in MB (0 where /proc cannot be read)."""
    try:
        for line in open("/proc/self/status"):
            if line.startswith(key + ":"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return 0.0


def reset_peak() -> None:
    """Reset VmHWM to the current RSS (Linux: 5 into /proc/self/clear_refs)."""
    try:
        with open("/proc/self/clear_refs", "w") as f:
            f.write("5")
    except OSError:
        pass


def numpy_blas() -> dict | None:
    """threadpoolctl's entry for the BLAS NumPy itself uses (SciPy and PyTorch may load others)."""
    import numpy  # noqa: F401  (loaded, so that its BLAS is listed)
    from threadpoolctl import threadpool_info
    info = [i for i in threadpool_info() if i["user_api"] == "blas"]
    own = [i for i in info if "numpy" in i.get("filepath", "")]
    return (own or info or [None])[0]


def cpu_name() -> str:
    """The processor's model name (from /proc/cpuinfo), for the results' machine line."""
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "processor unnamed"


def threads() -> int:
    """The threads of NumPy's own BLAS: PyTorch's set_num_threads gets as many, for a like comparison."""
    blas = numpy_blas()
    return blas["num_threads"] if blas else 1


# -- the seed network: 10,000 updates of the 2-2-2 sigmoid network --------------------------
SEED = dict(X=[0.05, 0.10], Y=[0.01, 0.99], W1=[[0.15, 0.25], [0.20, 0.30]], W2=[[0.40, 0.50], [0.45, 0.55]],
            b1=0.35, b2=0.60, lr=0.5)


def seed_chainrule(steps):
    """Seconds of `steps` gradient-descent updates of the seed network (`train_steps`), and the error after."""
    import chainrule as cr
    net, X, Y, lr = cr.examples.seed_network()
    t = time.perf_counter()
    net.train_steps(X, Y, steps, optimizer=cr.optim.SGD(lr))
    return time.perf_counter() - t, net.loss(X, Y)


def seed_torch(steps):
    """The same updates with PyTorch autograd and torch.optim.SGD, float64, eager."""
    import torch
    torch.set_num_threads(threads())
    X = torch.tensor([SEED["X"]], dtype=torch.float64)
    Y = torch.tensor([SEED["Y"]], dtype=torch.float64)
    W1 = torch.tensor(SEED["W1"], dtype=torch.float64, requires_grad=True)
    W2 = torch.tensor(SEED["W2"], dtype=torch.float64, requires_grad=True)
    opt = torch.optim.SGD([W1, W2], lr=SEED["lr"])
    t = time.perf_counter()
    for _ in range(steps):
        out = torch.sigmoid(torch.sigmoid(X @ W1 + SEED["b1"]) @ W2 + SEED["b2"])
        E = 0.5 * ((Y - out) ** 2).sum()
        opt.zero_grad()
        E.backward()
        opt.step()
    elapsed = time.perf_counter() - t
    with torch.no_grad():
        out = torch.sigmoid(torch.sigmoid(X @ W1 + SEED["b1"]) @ W2 + SEED["b2"])
        return elapsed, float(0.5 * ((Y - out) ** 2).sum())


def seed_python(steps):
    """The seeds' formulas, scalar by scalar, in plain Python."""
    import math
    i1, i2 = SEED["X"]
    t1, t2 = SEED["Y"]
    (w1, w3), (w2, w4) = SEED["W1"]
    (w5, w7), (w6, w8) = SEED["W2"]
    b1, b2, lr = SEED["b1"], SEED["b2"], SEED["lr"]
    s = lambda z: 1 / (1 + math.exp(-z))  # noqa: E731
    t = time.perf_counter()
    for _ in range(steps):
        h1, h2 = s(w1 * i1 + w2 * i2 + b1), s(w3 * i1 + w4 * i2 + b1)
        o1, o2 = s(w5 * h1 + w6 * h2 + b2), s(w7 * h1 + w8 * h2 + b2)
        d1, d2 = -(t1 - o1) * o1 * (1 - o1), -(t2 - o2) * o2 * (1 - o2)
        e1, e2 = (d1 * w5 + d2 * w7) * h1 * (1 - h1), (d1 * w6 + d2 * w8) * h2 * (1 - h2)
        w5, w6, w7, w8 = w5 - lr * d1 * h1, w6 - lr * d1 * h2, w7 - lr * d2 * h1, w8 - lr * d2 * h2
        w1, w2, w3, w4 = w1 - lr * e1 * i1, w2 - lr * e1 * i2, w3 - lr * e2 * i1, w4 - lr * e2 * i2
    elapsed = time.perf_counter() - t
    h1, h2 = s(w1 * i1 + w2 * i2 + b1), s(w3 * i1 + w4 * i2 + b1)
    o1, o2 = s(w5 * h1 + w6 * h2 + b2), s(w7 * h1 + w8 * h2 + b2)
    return elapsed, 0.5 * ((t1 - o1) ** 2 + (t2 - o2) ** 2)


def seed_micrograd(steps):
    """The same updates on micrograd's scalar Values (a sigmoid node added)."""
    from micrograd.engine import Value
    i = [Value(v) for v in SEED["X"]]
    W1 = [[Value(v) for v in row] for row in SEED["W1"]]
    W2 = [[Value(v) for v in row] for row in SEED["W2"]]
    params = [w for row in W1 + W2 for w in row]

    def sigmoid(z):                       # micrograd 0.1.0 has relu only: a sigmoid node, micrograd style
        import math
        s = 1 / (1 + math.exp(-z.data))
        out = Value(s, (z,), "sigmoid")

        def _backward():
            z.grad += s * (1 - s) * out.grad
        out._backward = _backward
        return out

    def forward():
        h = [sigmoid(i[0] * W1[0][j] + i[1] * W1[1][j] + SEED["b1"]) for j in range(2)]
        o = [sigmoid(h[0] * W2[0][k] + h[1] * W2[1][k] + SEED["b2"]) for k in range(2)]
        return sum(((t - ok) ** 2 for t, ok in zip(SEED["Y"], o)), Value(0.0)) * 0.5

    t = time.perf_counter()
    for _ in range(steps):
        E = forward()
        for p in params:
            p.grad = 0.0
        E.backward()
        for p in params:
            p.data -= SEED["lr"] * p.grad
    return time.perf_counter() - t, forward().data


# -- classification on arrays: digits and MNIST-shaped -----------------------------------------
WARMUP_ROWS = 2048      # every framework trains an untimed epoch of this many rows first (rivals.py's too)

def data(workload, n_train=None):
    """(X_train, y_train, X_test, y_test, source): digits, or Fashion-MNIST (generated data of its shape
    where Debian's dataset-fashion-mnist is not installed)."""
    if workload == "digits":
        from sklearn.datasets import load_digits
        from sklearn.model_selection import train_test_split
        X, y = load_digits(return_X_y=True)
        X_tr, X_te, y_tr, y_te = train_test_split((X / 16.0).astype(np.float32), y, test_size=0.25, random_state=0,
                                                  stratify=y)
        return X_tr, y_tr, X_te, y_te, "digits (load_digits)"
    try:
        from chainrule.data.datasets import load_fashion_mnist
        X_tr, y_tr = load_fashion_mnist(kind="train")
        X_te, y_te = load_fashion_mnist(kind="test")
        source = "Fashion-MNIST (Debian dataset-fashion-mnist)"
    except Exception:
        rng = np.random.default_rng(0)
        X_tr, y_tr = rng.random((60000, 784), dtype=np.float32), rng.integers(0, 10, 60000)
        X_te, y_te = rng.random((10000, 784), dtype=np.float32), rng.integers(0, 10, 10000)
        source = "generated (Fashion-MNIST not installed)"
    return X_tr, y_tr, X_te, y_te, source


def mlp_chainrule(X_tr, y_tr, X_te, y_te, sizes, opt, lr, batch, epochs, seed=0):
    """(seconds of `fit`, test accuracy): ReLU layers, softmax output, float32, shuffled batches."""
    import chainrule as cr
    layers = [cr.Dense(a, b, "relu") for a, b in zip(sizes[:-2], sizes[1:-1])]
    layers.append(cr.Dense(sizes[-2], sizes[-1], "softmax"))
    net = cr.Network(layers, loss="categorical_crossentropy", dtype="float32", seed=seed)
    optimizer = cr.optim.SGD(lr, momentum=0.9) if opt == "sgd" else cr.optim.Adam(lr)
    t = time.perf_counter()
    net.fit(X_tr, y_tr, epochs=epochs, batch_size=batch, optimizer=optimizer, seed=seed, verbose=0)
    elapsed = time.perf_counter() - t
    return elapsed, float(np.mean(net.predict(X_te).argmax(axis=1) == y_te))


def mlp_torch(X_tr, y_tr, X_te, y_te, sizes, opt, lr, batch, epochs, fused=False, seed=0):
    """The same network, optimizer and batch size as mlp_chainrule in PyTorch, eager: the training loop's seconds, test
    accuracy (`fused`: Adam(fused=True))."""
    import torch
    torch.set_num_threads(threads())
    torch.manual_seed(seed)
    mods = []
    for a, b in zip(sizes[:-2], sizes[1:-1]):
        mods += [torch.nn.Linear(a, b), torch.nn.ReLU()]
    model = torch.nn.Sequential(*mods, torch.nn.Linear(sizes[-2], sizes[-1]))
    if opt == "sgd":
        optimizer = torch.optim.SGD(model.parameters(), lr=lr, momentum=0.9)
    else:
        optimizer = torch.optim.Adam(model.parameters(), lr=lr, fused=fused) if fused else \
            torch.optim.Adam(model.parameters(), lr=lr)
    Xt, yt = torch.from_numpy(X_tr), torch.from_numpy(np.asarray(y_tr, dtype=np.int64))
    loss_fn = torch.nn.CrossEntropyLoss()
    g = torch.Generator().manual_seed(seed)
    t = time.perf_counter()
    for _ in range(epochs):
        order = torch.randperm(len(Xt), generator=g)
        for s in range(0, len(Xt), batch):
            idx = order[s:s + batch]
            optimizer.zero_grad(set_to_none=True)
            loss = loss_fn(model(Xt[idx]), yt[idx])
            loss.backward()
            optimizer.step()
    elapsed = time.perf_counter() - t
    with torch.no_grad():
        acc = float((model(torch.from_numpy(X_te)).argmax(1).numpy() == y_te).mean())
    return elapsed, acc


def mlp_sklearn(X_tr, y_tr, X_te, y_te, sizes, opt, lr, batch, epochs, seed=0):
    """The same with MLPClassifier, run for exactly `epochs` (no early stop), and without its default L2 penalty
    (alpha=1e-4), which the others do not train with: seconds of fit, test accuracy."""
    import warnings

    from sklearn.exceptions import ConvergenceWarning
    from sklearn.neural_network import MLPClassifier
    clf = MLPClassifier(hidden_layer_sizes=tuple(sizes[1:-1]), solver=opt, learning_rate_init=lr, alpha=0.0,
                        momentum=0.9, nesterovs_momentum=False, batch_size=batch, max_iter=epochs, tol=0.0,
                        n_iter_no_change=epochs + 1, shuffle=True, random_state=seed)
    t = time.perf_counter()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        clf.fit(X_tr, y_tr)
    return time.perf_counter() - t, float(clf.score(X_te, y_te))


# -- inference: 100,000 x 784 through 784-256-128-10, float32 weights -----------------------------
def infer(framework, opts):
    """(median seconds of a forward pass over opts["rows"] rows, MB of peak memory it added), after a
    warm-up call."""
    sizes, n = opts["sizes"], opts["rows"]
    X = np.random.default_rng(0).random((n, sizes[0]), dtype=np.float32).astype(opts["input"])
    if framework == "chainrule":
        import chainrule as cr
        layers = [cr.Dense(a, b, "relu") for a, b in zip(sizes[:-2], sizes[1:-1])]
        net = cr.Network(layers + [cr.Dense(sizes[-2], sizes[-1])], loss="mse", dtype="float32", seed=0)
        net.predict(X[:8192])

        def run():
            return net.predict(X)
    elif framework == "torch":
        import torch
        torch.set_num_threads(threads())
        mods = []
        for a, b in zip(sizes[:-2], sizes[1:-1]):
            mods += [torch.nn.Linear(a, b), torch.nn.ReLU()]
        model = torch.nn.Sequential(*mods, torch.nn.Linear(sizes[-2], sizes[-1])).eval()

        def run():
            with torch.inference_mode():
                return model(torch.from_numpy(X).float()).numpy()
        run()
    else:
        import rivals
        run = (rivals.infer_jax if framework == "jax" else rivals.infer_keras)(sizes, X)
    times = []
    before = status_mb("VmRSS")
    reset_peak()
    for _ in range(opts.get("reps", 5)):
        t = time.perf_counter()
        run()
        times.append(time.perf_counter() - t)
    return float(np.median(times)), status_mb("VmHWM") - before


def matmul_peak(sizes=(1024, 2048), reps=10):
    """The best median GFLOP/s of float32 square matrix products (NumPy's BLAS)."""
    best = 0.0
    for n in sizes:
        a = np.random.default_rng(0).random((n, n), dtype=np.float32)
        b = np.random.default_rng(1).random((n, n), dtype=np.float32)
        a @ b
        times = []
        for _ in range(reps):
            t = time.perf_counter()
            a @ b
            times.append(time.perf_counter() - t)
        best = max(best, 2 * n ** 3 / float(np.median(times)) / 1e9)
    return best


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0], allow_abbrev=False)
    ap.add_argument("framework", help="chainrule, torch, torch_fused, sklearn, python, micrograd, jax, keras "
                                      "(numpy for peak)")
    ap.add_argument("workload", help="seed, digits, mnist, infer or peak")
    ap.add_argument("opts", nargs="?", type=json.loads, default={}, help="the workload's options as a JSON object")
    args = ap.parse_args()
    framework, workload, opts = args.framework, args.workload, args.opts
    result = {"framework": framework, "workload": workload, **opts}
    if workload == "peak":  # framework "numpy"
        result["gflops"] = matmul_peak()
    elif workload == "infer":
        result["time"], result["added_mb"] = infer(framework, opts)
    elif workload == "seed" and framework == "jax":
        import rivals
        result["time"], result["final_error"] = rivals.seed_jax(opts["steps"])
    elif workload == "seed":
        fn = {"chainrule": seed_chainrule, "torch": seed_torch, "python": seed_python,
              "micrograd": seed_micrograd}[framework]
        # warm-up: chainrule's compiled loop as long as the timed call, as JAX's warm-up call is (rivals.seed_jax);
        # the loops in Python need no more than a short one
        fn(opts["steps"] if framework == "chainrule" else min(200, opts["steps"]))
        result["time"], result["final_error"] = fn(opts["steps"])
    else:
        X_tr, y_tr, X_te, y_te, result["data"] = data(workload)
        if opts.get("train_samples"):
            X_tr, y_tr = X_tr[:opts["train_samples"]], y_tr[:opts["train_samples"]]
        args = (X_tr, y_tr, X_te, y_te, opts["sizes"], opts["opt"], opts["lr"], opts["batch"])
        if framework in ("jax", "keras"):
            import rivals
            fn = rivals.mlp_jax if framework == "jax" else rivals.mlp_keras   # warm themselves, on the real shapes
        else:
            fn = {"chainrule": mlp_chainrule, "torch": mlp_torch, "sklearn": mlp_sklearn,
                  "torch_fused": lambda *a, **k: mlp_torch(*a, fused=True, **k)}[framework]
            fn(X_tr[:WARMUP_ROWS], y_tr[:WARMUP_ROWS], X_te[:10], y_te[:10], *args[4:], epochs=1)    # warm-up
        seed = {"seed": opts["seed"]} if "seed" in opts else {}        # chainrule and torch take one
        result["time"], result["accuracy"] = fn(*args, epochs=opts["epochs"], **seed)
        result["samples_per_s"] = len(X_tr) * opts["epochs"] / result["time"]
        s = opts["sizes"]
        weights = [a * b for a, b in zip(s, s[1:])]
        # forward 2 flops per weight, dE/dW 2, dE/d(input) 2 except for the first layer (not needed)
        flops = 6 * sum(weights) - 2 * weights[0]
        result["gflops"] = flops * len(X_tr) * opts["epochs"] / result["time"] / 1e9
    result["threads"] = threads()
    result["rss_mb"] = rss_mb()
    print(json.dumps(result))


if __name__ == "__main__":
    main()
