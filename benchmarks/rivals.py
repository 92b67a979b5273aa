"""JAX and Keras 3 rivals for worker.py, each jitted the way its documentation recommends.

JAX: the seed network's whole loop under `jax.lax.fori_loop` inside `jax.jit`; a jitted train
step (value_and_grad + optax.adam/sgd) called per mini-batch, batches gathered on the device;
a jitted forward pass for inference. Keras 3 on its JAX backend: `model.fit` and
`model.predict` (jit-compiled by default), `steps_per_execution` left at its default.
Every timed call is preceded by a call on the same shapes, so no compilation is timed, and the training
functions first train an epoch of the first WARMUP_ROWS rows, as worker.py warms up every other framework;
the timed training starts from the weights (and optimizer state) it would have had without the warm-up.
XLA runs as many threads as NumPy's BLAS, as PyTorch does (`pin_threads`, on import: before JAX computes); Keras
runs on PyTorch where JAX is not installed (run.keras_backend): eager, its default there, with as many threads.
"""
from __future__ import annotations

import os
import time

import numpy as np
from worker import SEED, WARMUP_ROWS, threads  # the seed network's numbers and the warm-up's rows, one copy for all


def pin_threads() -> int:
    """Give XLA's CPU thread pools (JAX, and Keras on JAX) the threads of NumPy's BLAS, as PyTorch's
    `set_num_threads` gets them. XLA sizes them from PJRT_NPROC (then NPROC, else a thread a CPU) when its CPU
    client is created, at the first computation, not at `import jax`: a client made before this call keeps its
    size, so that alone is warned of. Returns the number of threads."""
    import sys
    import warnings
    bridge = sys.modules.get("jax._src.xla_bridge")
    if getattr(bridge, "_backends", None):
        warnings.warn("rivals.pin_threads: JAX's CPU client exists already; its thread pools keep their size, "
                      "not NumPy's BLAS threads", RuntimeWarning, stacklevel=2)
    n = threads()
    os.environ["PJRT_NPROC"] = str(n)
    return n


XLA_THREADS = pin_threads()     # on import: worker.py, scaling.py and contention.py reach JAX only through here


def seed_jax_loop():
    """The seed network's loop as JAX's docs recommend: (train(p, n) jitted over `lax.fori_loop`,
    compiled once for any n since n is traced; the initial weights; the error of weights p)."""
    import jax
    import jax.numpy as jnp
    jax.config.update("jax_enable_x64", True)
    X, Y = jnp.array([SEED["X"]]), jnp.array([SEED["Y"]])

    def error(p):
        out = jax.nn.sigmoid(jax.nn.sigmoid(X @ p[0] + SEED["b1"]) @ p[1] + SEED["b2"])
        return 0.5 * jnp.sum((Y - out) ** 2)

    grad = jax.grad(error)

    def body(_, p):
        g = grad(p)
        return (p[0] - SEED["lr"] * g[0], p[1] - SEED["lr"] * g[1])

    train = jax.jit(lambda p, n: jax.lax.fori_loop(0, n, body, p))
    return train, (jnp.array(SEED["W1"]), jnp.array(SEED["W2"])), error


def seed_jax(steps):
    import jax
    train, p0, error = seed_jax_loop()
    jax.block_until_ready(train(p0, steps))        # the compilation, not timed
    t = time.perf_counter()
    p = jax.block_until_ready(train(p0, steps))
    return time.perf_counter() - t, float(error(p))


_JAX_STEPS: dict = {}


def _jax_mlp(sizes, seed):
    import jax
    import jax.numpy as jnp
    keys = jax.random.split(jax.random.PRNGKey(seed), len(sizes) - 1)
    params = [(jax.random.uniform(k, (a, b), jnp.float32, -1, 1) * jnp.sqrt(6.0 / (a + b)), jnp.zeros(b, jnp.float32))
              for k, a, b in zip(keys, sizes, sizes[1:])]

    def forward(params, x):
        for W, b in params[:-1]:
            x = jax.nn.relu(x @ W + b)
        W, b = params[-1]
        return x @ W + b
    return params, forward


def mlp_jax(X_tr, y_tr, X_te, y_te, sizes, opt, lr, batch, epochs, seed=0):
    import jax
    import jax.numpy as jnp
    import optax
    params, forward = _jax_mlp(sizes, seed)
    tx = optax.sgd(lr, momentum=0.9) if opt == "sgd" else optax.adam(lr)
    key = (tuple(sizes), opt, lr)
    if key not in _JAX_STEPS:
        def loss(params, x, y):
            return optax.softmax_cross_entropy_with_integer_labels(forward(params, x), y).mean()

        def step(params, state, X, Y, idx):
            value, grads = jax.value_and_grad(loss)(params, X[idx], Y[idx])
            updates, state = tx.update(grads, state, params)
            return optax.apply_updates(params, updates), state, value
        _JAX_STEPS[key] = jax.jit(step, donate_argnums=(0, 1))
    step = _JAX_STEPS[key]
    X, Y = jnp.asarray(X_tr), jnp.asarray(np.asarray(y_tr, dtype=np.int32))
    n = len(X_tr)
    rng = np.random.default_rng(seed)
    # the warm-up worker.py gives the others: an epoch of the first rows (WARMUP_ROWS), on a copy (one step a
    # shape left JAX's first, slow steps after compiling in the timing); then every batch shape compiled
    p, s = jax.tree.map(jnp.copy, params), tx.init(params)
    warm = min(n, WARMUP_ROWS)
    for start in range(0, warm, batch):
        p, s, _ = step(p, s, X, Y, jnp.arange(start, min(start + batch, warm)))
    jax.block_until_ready(p)
    for m in {batch, n % batch} - {0}:
        p, s = jax.tree.map(jnp.copy, params), tx.init(params)
        jax.block_until_ready(step(p, s, X, Y, jnp.arange(m)))
    state = tx.init(params)
    t = time.perf_counter()
    for _ in range(epochs):
        order = jnp.asarray(rng.permutation(n))
        for s in range(0, n, batch):
            params, state, _ = step(params, state, X, Y, order[s:s + batch])
    jax.block_until_ready(params)
    elapsed = time.perf_counter() - t
    acc = float((np.asarray(jax.jit(forward)(params, jnp.asarray(X_te))).argmax(1) == y_te).mean())
    return elapsed, acc


def _keras(sizes, seed):
    os.environ.setdefault("KERAS_BACKEND", "jax")
    import keras
    if keras.backend.backend() == "torch":      # Keras on PyTorch: its threads as PyTorch's own runs get them
        import torch
        torch.set_num_threads(threads())
    keras.utils.set_random_seed(seed)
    model = keras.Sequential([keras.Input((sizes[0],))] + [keras.layers.Dense(b, "relu") for b in sizes[1:-1]]
                             + [keras.layers.Dense(sizes[-1])])
    return keras, model


def mlp_keras(X_tr, y_tr, X_te, y_te, sizes, opt, lr, batch, epochs, seed=0):
    keras, model = _keras(sizes, seed)
    # Keras' Adam defaults to epsilon 1e-7; chainrule's, PyTorch's, optax's and scikit-learn's to 1e-8
    optimizer = keras.optimizers.SGD(lr, momentum=0.9) if opt == "sgd" else keras.optimizers.Adam(lr, epsilon=1e-8)
    model.compile(optimizer=optimizer, loss=keras.losses.SparseCategoricalCrossentropy(from_logits=True))
    y = np.asarray(y_tr, dtype=np.int32)
    # the warm-up compiles the train step of this very model (another model's would not serve), so its weights,
    # optimizer state and random state are put back after it: the timed fit starts as an unwarmed one would
    optimizer.build(model.trainable_variables)
    weights, state = model.get_weights(), [keras.ops.convert_to_numpy(v) for v in optimizer.variables]
    warm = max(WARMUP_ROWS, 2 * batch)      # worker.py's warm-up of the others (at least 2 steps): compiles the step
    model.fit(X_tr[:warm], y[:warm], batch_size=batch, epochs=1, verbose=0)
    if len(X_tr) % batch:
        model.fit(X_tr[:len(X_tr) % batch], y[:len(X_tr) % batch], batch_size=batch, epochs=1, verbose=0)
    model.set_weights(weights)
    for variable, value in zip(optimizer.variables, state):
        variable.assign(value)
    keras.utils.set_random_seed(seed)
    t = time.perf_counter()
    model.fit(X_tr, y, batch_size=batch, epochs=epochs, verbose=0, shuffle=True)
    elapsed = time.perf_counter() - t
    acc = float((model.predict(X_te, batch_size=4096, verbose=0).argmax(1) == y_te).mean())
    return elapsed, acc


def infer_jax(sizes, X):
    """A function predicting X (NumPy in, NumPy out) with a jitted forward pass, compiled."""
    import jax
    params, forward = _jax_mlp(sizes, 0)
    f = jax.jit(forward)

    def run():
        return np.asarray(f(params, X))
    run()
    return run


def infer_keras(sizes, X):
    """A function predicting X with Keras' model.predict, compiled for both batch shapes."""
    _, model = _keras(sizes, 0)
    model.predict(X[:8192 + len(X) % 8192], batch_size=8192, verbose=0)

    def run():
        return model.predict(X, batch_size=8192, verbose=0)
    return run
