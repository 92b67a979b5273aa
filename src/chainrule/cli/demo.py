"""`chainrule demo`: the worked example, then a real training run on scikit-learn's digits."""
from __future__ import annotations

import argparse
import time

from ..errors import counted
from .tabular import positive_int


def register(sub) -> None:
    p = sub.add_parser(
        "demo", help="the worked example, then training on the digits data set",
        description="Print the seed's worked example, then train a 64-64-10 network on scikit-learn's "
                    "bundled digits (8x8 images) and compare with scikit-learn's MLPClassifier.",
        epilog="example:\n  chainrule demo --epochs 30",
        formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--epochs", type=positive_int, default=40, metavar="N",
                   help="passes over the digits training images")
    p.add_argument("--no-example", action="store_true", help="skip the worked example")
    p.set_defaults(func=run)


def run(args) -> int:
    from ..teach.width import fit_width
    from .example import run as run_example
    from .example import width
    columns = width(argparse.Namespace(width=None))       # a terminal's width, as the example's

    def say(text: str) -> None:
        print(fit_width(text, columns))

    try:                    # refused before any work (the worked example printed, then the refusal)
        import sklearn  # noqa: F401 (the package alone: a dependency of it missing is its own error, below)
    except ModuleNotFoundError as exc:     # an optional part: exit 5 and the pip line on stderr, as every command
        from ..extras import absent, missing
        if not absent(exc, "sklearn"):
            raise
        raise ImportError(missing("sklearn", "the training demo needs")) from None
    from sklearn.datasets import load_digits
    from sklearn.model_selection import train_test_split
    if not args.no_example:
        run_example(argparse.Namespace(as_published=False, format="text", width=None))
        print()
    import chainrule as cr
    X, y = load_digits(return_X_y=True)
    X = X / 16.0
    X_train, X_test, y_train, y_test = train_test_split(X, y, test_size=0.25, random_state=0, stratify=y)
    say(f"Training a 64-64-10 ReLU/softmax network on digits: {len(X_train)} training and "
          f"{len(X_test)} test images, Adam(lr=1e-3), batch 32, {counted(args.epochs, 'epoch')}, float32.")
    batches, (full, last) = -(-len(X_train) // 32), divmod(len(X_train), 32)
    sizes = f"{full} of 32 images, the last of {last}" if last else "each of 32 images"
    say(f"Each epoch ends on one line, as Keras writes it: {batches}/{batches} batches done ({sizes}), the "
        f"epoch's seconds, the time per batch (a step: one gradient update), then the training accuracy and "
        f"loss, each the mean over the epoch's {len(X_train)} images (not over its batches).")
    def network():
        return cr.Network([cr.Dense(64, 64, "relu"), cr.Dense(64, 10, "softmax")],
                          loss="categorical_crossentropy", dtype="float32", seed=0)
    from ..backend import kernels
    if kernels.ENABLED is True:     # CHAINRULE_NUMBA=1: the first fit loads Numba's compiled loop (0.7-1.4 s), which
        kernels.check_mode()        # the README's benchmarks warm up untimed, as every framework's jitted code
        t0 = time.perf_counter()
        network().fit(X_train[:64], y_train[:64], epochs=1, batch_size=32, optimizer=cr.optim.Adam(lr=1e-3),
                      verbose=0)
        say(f"Warmed up the compiled kernels first, as CHAINRULE_NUMBA=1 asks (an epoch on 64 images: loading "
            f"Numba, compiling any kernel not cached yet): {time.perf_counter() - t0:.2f} s, outside the training "
            "time below.")
    net = network()
    t0 = time.perf_counter()
    net.fit(X_train, y_train, epochs=args.epochs, batch_size=32, optimizer=cr.optim.Adam(lr=1e-3), seed=0, verbose=2)
    t_cr = time.perf_counter() - t0
    acc = net.evaluate(X_test, y_test)["accuracy"]
    say(f"chainrule      test accuracy {acc:.4f}   training time {t_cr:.2f} s")
    import warnings

    from sklearn.exceptions import ConvergenceWarning
    from sklearn.neural_network import MLPClassifier
    # every epoch run, as chainrule's: the default early stop (a loss flat for 10 epochs) would time less work
    clf = MLPClassifier(hidden_layer_sizes=(64,), batch_size=32, max_iter=args.epochs, learning_rate_init=1e-3,
                        tol=0.0, n_iter_no_change=args.epochs + 1, random_state=0)
    t0 = time.perf_counter()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        clf.fit(X_train, y_train)
    t_sk = time.perf_counter() - t0
    say(f"scikit-learn   test accuracy {clf.score(X_test, y_test):.4f}   training time {t_sk:.2f} s "
          f"(MLPClassifier, same split, same layers, batch and epochs)")
    ran, ratio = path(), t_sk / t_cr
    # slower, the ratio turned round: "0.4x as fast" reads as a speed-up at a glance
    compared = (f"chainrule trained {ratio:.1f}x as fast as scikit-learn here" if ratio >= 0.95 else
                f"chainrule took {1 / ratio:.1f}x scikit-learn's training time here")
    say(f"{compared}, {ran}. " + (
        "As in the README's speed table (`make bench`), the kernels were warmed up before the timing."
        if ran == COMPILED else "The README's speed table (`make bench`) times the compiled kernels, warmed up "
        "first: with Numba installed, `CHAINRULE_NUMBA=1 chainrule demo` runs them so."))
    return 0


COMPILED = "with the compiled kernels (Numba)"


def path() -> str:
    """The path the demo's fit took, and why (as `backend.warmup.prepare` decided it): on NumPy it trains digits at
    a fraction of the README's speed figures, which time the compiled kernels, and a new user should know which of
    the two they saw."""
    from ..backend import kernels, warmup
    if kernels.numba is not None:
        return COMPILED
    if not kernels.AVAILABLE:
        return "on NumPy: Numba, the optional 'fast' extra, is not installed; pip install '.[fast]' in the checkout"
    if kernels.ENABLED is False:
        return "on NumPy, as CHAINRULE_NUMBA=0 asks"
    if warmup.left_on_numpy == "short":
        # no bracket: one is never broken inside, and left half a line above it at 80 columns
        return (f"on NumPy: a job this short is done before the compiled kernels would load, in about "
                f"{warmup.LOAD_SECONDS:g} s; CHAINRULE_NUMBA=1 always loads them")
    return ("on NumPy: the compiled kernels are not compiled and cached yet; a background process compiles them "
            "for the next run")
