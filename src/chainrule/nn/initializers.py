"""Initializers: the starting weights, reproducible from a seed.

Each takes (shape, rng) and returns a float64 array; fan_in = shape[0] and fan_out = shape[1]
for a weight matrix W of shape (n_in, n_out). The default follows the activation: He for the
ReLU family (keeps the variance of ReLU outputs), Glorot otherwise (Keras' default).

The *_normal ones are plain normals, as PyTorch's kaiming_normal_ and xavier_normal_ draw; Keras'
he_normal, glorot_normal and lecun_normal are normals truncated at two standard deviations, which
`variance_scaling` draws (`keras_draw` names the call).
"""
from __future__ import annotations

import inspect
import numbers
from collections.abc import Callable
from typing import Any

import numpy as np

from ..errors import UnknownNameError, ValidationError, closest, unknown_name
from .activations import bare

#: the draws a user names (cr.init.he_uniform, cr.init.variance_scaling(...)); resolve, initial_values and the tables
#: are the engine's, not offered as cr.init's API
__all__ = ["glorot_uniform", "glorot_normal", "he_uniform", "he_normal", "lecun_uniform", "lecun_normal",
           "torch_default", "normal", "uniform", "truncated_normal", "zeros", "ones", "constant", "variance_scaling"]


def _fans(shape: tuple[int, ...]) -> tuple[int, int]:
    if len(shape) == 1:
        return shape[0], shape[0]
    return shape[0], shape[1]


def glorot_uniform(shape: tuple[int, ...], rng: np.random.Generator) -> np.ndarray:
    fan_in, fan_out = _fans(shape)
    limit = np.sqrt(6.0 / (fan_in + fan_out))
    return rng.uniform(-limit, limit, size=shape)


def glorot_normal(shape: tuple[int, ...], rng: np.random.Generator) -> np.ndarray:
    fan_in, fan_out = _fans(shape)
    return rng.normal(0.0, np.sqrt(2.0 / (fan_in + fan_out)), size=shape)


def he_uniform(shape: tuple[int, ...], rng: np.random.Generator) -> np.ndarray:
    fan_in, _ = _fans(shape)
    limit = np.sqrt(6.0 / fan_in)
    return rng.uniform(-limit, limit, size=shape)


def he_normal(shape: tuple[int, ...], rng: np.random.Generator) -> np.ndarray:
    fan_in, _ = _fans(shape)
    return rng.normal(0.0, np.sqrt(2.0 / fan_in), size=shape)


def lecun_uniform(shape: tuple[int, ...], rng: np.random.Generator) -> np.ndarray:
    fan_in, _ = _fans(shape)
    limit = np.sqrt(3.0 / fan_in)
    return rng.uniform(-limit, limit, size=shape)


def lecun_normal(shape: tuple[int, ...], rng: np.random.Generator) -> np.ndarray:
    fan_in, _ = _fans(shape)
    return rng.normal(0.0, np.sqrt(1.0 / fan_in), size=shape)


def torch_default(shape: tuple[int, ...], rng: np.random.Generator, fan_in: int | None = None) -> np.ndarray:
    """torch.nn.Linear's own start, U(-1/sqrt(fan_in), 1/sqrt(fan_in)): its weight's kaiming_uniform_(a=sqrt(5))
    and its bias's draw, whose fan_in is the weight's (a Dense passes its n_in for the bias)."""
    bound = 1.0 / np.sqrt(_fans(shape)[0] if fan_in is None else fan_in)
    return rng.uniform(-bound, bound, size=shape)


#: the standard deviation of a standard normal truncated to [-2, 2], which Keras divides its stddev by
TRUNCATED_STD = 0.87962566103423978
FAN_MODES = ("fan_in", "fan_out", "fan_avg")
DISTRIBUTIONS = ("truncated_normal", "untruncated_normal", "uniform")


def variance_scaling(scale: float = 1.0, mode: str = "fan_in", distribution: str = "truncated_normal") -> Callable:
    """Keras' VarianceScaling: variance scale / n (n the mode's fan), drawn from a normal truncated at two
    standard deviations (Keras' he_normal is variance_scaling(2.0, 'fan_in')), a plain normal or a uniform."""
    real = isinstance(scale, numbers.Real) and not isinstance(scale, (bool, np.bool_))     # np.float32(2.0) too
    if not real or not np.isfinite(scale) or scale <= 0:
        raise ValidationError(f"variance_scaling: scale must be a positive number; got {scale!r}")
    if isinstance(distribution, str) and distribution.lower() == "normal":      # Keras' older name, as Keras reads it
        distribution = "truncated_normal"
    if mode not in FAN_MODES:
        raise unknown_name("mode", mode, list(FAN_MODES))
    if not isinstance(distribution, str) or distribution.lower() not in DISTRIBUTIONS:
        raise unknown_name("distribution", distribution, list(DISTRIBUTIONS))
    distribution = distribution.lower()

    def init(shape, rng):
        fan_in, fan_out = _fans(shape)
        n = {"fan_in": fan_in, "fan_out": fan_out, "fan_avg": (fan_in + fan_out) / 2.0}[mode]
        std = np.sqrt(scale / max(1.0, n))
        if distribution == "uniform":
            return rng.uniform(-np.sqrt(3.0) * std, np.sqrt(3.0) * std, size=shape)
        if distribution == "untruncated_normal":
            return rng.normal(0.0, std, size=shape)
        return _truncated_normal(shape, rng, std / TRUNCATED_STD)
    init.__name__ = f"variance_scaling({scale}, {mode!r}, {distribution!r})"
    return init


def _truncated_normal(shape: tuple[int, ...], rng: np.random.Generator, std: float) -> np.ndarray:
    """N(0, std) with the draws beyond two standard deviations drawn again (about 5% of them each round)."""
    values = rng.normal(0.0, std, size=shape)
    outside = np.abs(values) > 2.0 * std
    while outside.any():
        values[outside] = rng.normal(0.0, std, size=int(outside.sum()))
        outside = np.abs(values) > 2.0 * std
    return values


#: Keras' truncated normals, under the names chainrule's plain normals have: their variance_scaling arguments
KERAS_TRUNCATED = {"he_normal": (2.0, "fan_in"), "glorot_normal": (1.0, "fan_avg"), "lecun_normal": (1.0, "fan_in")}


def keras_draw(name: Any) -> str:
    """A note for a Keras user who writes one of Keras' truncated normals: chainrule's name draws a plain normal,
    and the call that draws Keras' (empty for any other name)."""
    ours = {key.replace("_", ""): key for key in KERAS_TRUNCATED}.get(name.lower().replace("_", "")) \
        if isinstance(name, str) else None               # Keras' class names too: 'HeNormal'
    if ours is None:
        return ""
    scale, mode = KERAS_TRUNCATED[ours]
    return (f"Keras' {name!r} is a normal truncated at two standard deviations, chainrule's {ours!r} a "
            f"plain normal (as torch's): Keras' draw is cr.init.variance_scaling({scale}, {mode!r})")


def normal(shape: tuple[int, ...], rng: np.random.Generator, std: float = 0.05) -> np.ndarray:
    return rng.normal(0.0, std, size=shape)


def uniform(shape: tuple[int, ...], rng: np.random.Generator, limit: float = 0.05) -> np.ndarray:
    return rng.uniform(-limit, limit, size=shape)


def truncated_normal(shape: tuple[int, ...], rng: np.random.Generator, std: float = 0.05) -> np.ndarray:
    """Keras' TruncatedNormal(): N(0, 0.05) cut at two standard deviations."""
    return _truncated_normal(shape, rng, std)


def zeros(shape: tuple[int, ...], rng: np.random.Generator | None = None) -> np.ndarray:
    return np.zeros(shape)


def ones(shape: tuple[int, ...], rng: np.random.Generator | None = None) -> np.ndarray:
    return np.ones(shape)


def constant(value: float) -> Callable:
    """An initializer that fills with `value` (the seed's biases: constant(0.35))."""
    def init(shape, rng=None):
        return np.full(shape, float(value))
    init.__name__ = f"constant({value})"
    return init


INITIALIZERS = {f.__name__: f for f in (glorot_uniform, glorot_normal, he_uniform, he_normal, lecun_uniform,
                                        lecun_normal, torch_default, normal, uniform, truncated_normal, zeros, ones)}
#: Keras' names of the draws that chainrule names otherwise (RandomNormal() is N(0, 0.05), chainrule's 'normal'),
#: and its class names of the draws chainrule has (not HeNormal and its kin: Keras' are truncated, see keras_draw).
#: One row a name, matched in every spelling (`bare`: random_normal is RandomNormal)
KERAS_NAMES = {"random_normal": "normal", "random_uniform": "uniform", "glorotuniform": "glorot_uniform",
               "heuniform": "he_uniform", "lecununiform": "lecun_uniform", "truncatednormal": "truncated_normal"}
KERAS_BARE = {bare(name): native for name, native in KERAS_NAMES.items()}
#: Keras' VarianceScaling() by name: scale 1, fan_in, truncated normal, as variance_scaling() draws
KERAS_VARIANCE_SCALING = ("variance_scaling",)        # its class name too: matched by `bare`
#: Keras' draws chainrule has no name for, and what draws them here ({arg}: the argument given). Orthogonal: the
#: polar factor U @ Vt of a normal matrix is uniform over the matrices with orthonormal columns (rows where n_in <
#: n_out), as Keras' and torch's QR with its sign fix (Q * sign(diag(R))) draw; a plain QR's Q is not (its first
#: entry is always negative, its determinant's sign fixed)
KERAS_LACKING = {
    "orthogonal": "a function of (shape, rng), e.g. {arg}=lambda shape, rng: np.matmul(*np.linalg.svd(rng.normal("
                  "size=shape), full_matrices=False)[::2]) (orthonormal columns, or rows where n_in < n_out, drawn "
                  "uniformly as Keras' and torch's orthogonal draw), or Keras' own keras.initializers.Orthogonal()",
    "identity": "an array: {arg}=np.eye(n_in, n_out)",
    "constant": "the number itself: {arg}=0.3 (or cr.init.constant(0.3))",
}
KERAS_LACKING.update({"orthogonalinitializer": KERAS_LACKING["orthogonal"],
                      "identityinitializer": KERAS_LACKING["identity"]})
#: what a bias takes instead of Keras' draws of a matrix (Orthogonal and Identity refuse a vector's shape)
BIAS_INSTEAD = ("Keras draws it for a matrix, and a bias is a vector: give bias_init a number or an array, e.g. "
                "bias_init=0")
RELU_FAMILY = ("relu", "leaky_relu")


def resolve(init: Any, activation_name: str, argument: str = "init") -> Callable | np.ndarray:
    """An initializer function (or an explicit array) from a name, "auto", a number or an array; `argument` (weight_init
    or bias_init) is the name a refusal gives it."""
    if isinstance(init, str):
        key = init.lower()
        if key == "auto":
            return he_uniform if activation_name in RELU_FAMILY else glorot_uniform
        key = KERAS_BARE.get(bare(key), key)
        if bare(key) in map(bare, KERAS_VARIANCE_SCALING):
            return variance_scaling()
        if key in KERAS_LACKING:
            advice = BIAS_INSTEAD if argument == "bias_init" and key != "constant" else \
                f"pass {KERAS_LACKING[key].format(arg=argument)}"
            raise UnknownNameError(f"{argument}={init!r} is Keras' initializer, which chainrule does not have; "
                                   f"{advice}")
        if key not in INITIALIZERS:
            known = sorted(INITIALIZERS) + ["auto"]
            error, keras_note = unknown_name(argument, init, known), keras_draw(init)
            if keras_note:
                raise UnknownNameError(f"{error} {keras_note}.")
            keras = None if closest(init, known) else closest(init, [*KERAS_LACKING, "variance_scaling"])
            if keras is not None:                # a typo of Keras' name: the refusal that name gets says what to pass
                raise UnknownNameError(f"{error} Did you mean Keras' {keras!r}?")
            raise error
        return INITIALIZERS[key]
    if callable(init):
        return init
    if isinstance(init, (bool, np.bool_)):
        raise ValidationError(f"init must be a name, a number, a function or an array; got {init!r}")
    if isinstance(init, (int, float)):
        if not np.isfinite(init):
            raise ValidationError(f"init must be a finite number; got {init!r}")
        return constant(init)
    try:
        arr = np.array(init, dtype=np.float64)
    except (TypeError, ValueError) as exc:
        raise ValidationError(f"init must be a name, a number, a function or an array; got {init!r}") from exc
    if not np.isfinite(arr).all():
        raise ValidationError("init: the array of initial values contains NaN or infinity")
    return arr


def initial_values(init: Any, shape: tuple[int, ...], rng: np.random.Generator, name: str) -> np.ndarray:
    """Apply a resolved initializer, checking an explicit array's shape."""
    if isinstance(init, np.ndarray):
        if init.shape != shape:
            try:
                return np.broadcast_to(init, shape).copy()
            except ValueError:
                raise ValidationError(f"{name}: expected an array of shape {shape}, got shape {init.shape}") from None
        return init.copy()
    values = np.asarray(_draw(init, shape, rng), dtype=np.float64)
    if values.shape != tuple(shape):
        raise ValidationError(f"{name}: the initializer {getattr(init, '__name__', init)!r} returned shape "
                              f"{values.shape}; expected {tuple(shape)}")
    if not np.isfinite(values).all():
        raise ValidationError(f"{name}: the initializer {getattr(init, '__name__', init)!r} returned NaN or infinity")
    return values


def _draw(init: Callable, shape: tuple[int, ...], rng: np.random.Generator) -> Any:
    """Call `init` as (shape, rng), chainrule's initializers' form, or (shape), a Keras-style `lambda shape: ...`; a
    Keras initializer (whose second argument is a dtype) is asked for float64, as Keras asks a float64 layer's, so
    keras.initializers.Constant(0.3) gives 0.3, not float32's 0.30000001."""
    try:
        params = list(inspect.signature(init).parameters.values())
    except (TypeError, ValueError):           # a builtin without a signature: chainrule's form
        return init(shape, rng)
    if any(p.kind is p.VAR_POSITIONAL for p in params):
        return init(shape, rng)
    positional = [p for p in params if p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD)]
    if len(positional) >= 2 and positional[1].name == "dtype":
        return init(shape, dtype="float64")
    return init(shape, rng) if len(positional) >= 2 else init(shape)
