"""Initializers: the starting weights, reproducible from a seed.

Each takes (shape, rng) and returns a float64 array; fan_in = shape[0] and fan_out = shape[1]
for a weight matrix W of shape (n_in, n_out). The default follows the activation: He for the
ReLU family (keeps the variance of ReLU outputs), Glorot otherwise (Keras' default).
"""
from __future__ import annotations

import inspect
from collections.abc import Callable
from typing import Any

import numpy as np

from ..errors import ValidationError, unknown_name


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


def normal(shape: tuple[int, ...], rng: np.random.Generator, std: float = 0.05) -> np.ndarray:
    return rng.normal(0.0, std, size=shape)


def uniform(shape: tuple[int, ...], rng: np.random.Generator, limit: float = 0.05) -> np.ndarray:
    return rng.uniform(-limit, limit, size=shape)


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


INITIALIZERS = {f.__name__: f for f in (glorot_uniform, glorot_normal, he_uniform, he_normal,
                                        normal, uniform, zeros, ones)}
RELU_FAMILY = ("relu", "leaky_relu")


def resolve(init: Any, activation_name: str) -> Callable | np.ndarray:
    """An initializer function (or an explicit array) from a name, "auto", a number or an array."""
    if isinstance(init, str):
        key = init.lower()
        if key == "auto":
            return he_uniform if activation_name in RELU_FAMILY else glorot_uniform
        if key not in INITIALIZERS:
            raise unknown_name("init", init, sorted(INITIALIZERS) + ["auto"])
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
    values = np.asarray(init(shape, rng) if _takes_rng(init) else init(shape), dtype=np.float64)
    if values.shape != tuple(shape):
        raise ValidationError(f"{name}: the initializer {getattr(init, '__name__', init)!r} returned shape "
                              f"{values.shape}; expected {tuple(shape)}")
    if not np.isfinite(values).all():
        raise ValidationError(f"{name}: the initializer {getattr(init, '__name__', init)!r} returned NaN or infinity")
    return values


def _takes_rng(init: Callable) -> bool:
    """Whether `init` is called (shape, rng), as chainrule's initializers are, or (shape), as a Keras-style
    `lambda shape: ...` or a Keras initializer (whose second argument is a dtype) is."""
    try:
        params = list(inspect.signature(init).parameters.values())
    except (TypeError, ValueError):           # a builtin without a signature: chainrule's form
        return True
    if any(p.kind is p.VAR_POSITIONAL for p in params):
        return True
    positional = [p for p in params if p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD)]
    return len(positional) >= 2 and positional[1].name != "dtype"
