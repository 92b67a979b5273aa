"""The parameters of the scikit-learn estimators (`chainrule.sklearn`), checked as scikit-learn's
MLPClassifier takes them: each error names the parameter, what is allowed and what was given."""
from __future__ import annotations

from typing import Any

import numpy as np

from .errors import ChainruleTypeError, ValidationError


def check_params(est: Any) -> tuple[int, ...]:
    """The arguments checked as scikit-learn's MLP takes them, each error naming its parameter;
    returns the hidden layers' widths."""
    name = type(est).__name__
    sizes = est.hidden_layer_sizes
    if _count(sizes):
        sizes = (sizes,)
    if isinstance(sizes, (str, bytes)) or not isinstance(sizes, (tuple, list, np.ndarray)):
        raise ChainruleTypeError(f"{name}: hidden_layer_sizes must be an int or a tuple of ints (the hidden "
                                 f"layers' widths, e.g. (64,) or (64, 32)); got {sizes!r} ({type(sizes).__name__})")
    bad = [w for w in sizes if not (_count(w) and w >= 1)]
    if bad:
        raise ValidationError(f"{name}: hidden_layer_sizes must hold positive integers (the hidden layers' "
                              f"widths); got {tuple(sizes)!r}")
    checks = [("batch_size", est.batch_size == "auto" or (_count(est.batch_size) and est.batch_size >= 1),
               "a positive int or 'auto' (min(200, n_samples))"),
              ("epochs", _count(est.epochs) and est.epochs >= 1, "a positive int"),
              ("n_iter_no_change", _count(est.n_iter_no_change) and est.n_iter_no_change >= 1, "a positive int"),
              ("learning_rate", _real(est.learning_rate) and est.learning_rate > 0, "a number > 0"),
              ("alpha", _real(est.alpha) and est.alpha >= 0, "a number >= 0"),
              ("momentum", _real(est.momentum) and 0 <= est.momentum <= 1, "a number in [0, 1]"),
              ("validation_fraction", _real(est.validation_fraction) and 0 < est.validation_fraction < 1,
               "a number in (0, 1)"),
              ("early_stopping", isinstance(est.early_stopping, (bool, np.bool_)), "True or False")]
    for param, ok, expected in checks:
        if not ok:
            value = getattr(est, param)
            raise ValidationError(f"{name}: {param} must be {expected}; got {value!r} ({type(value).__name__})")
    return tuple(int(w) for w in sizes)


def _count(v) -> bool:
    """An integer (Python or NumPy), not a bool."""
    return isinstance(v, (int, np.integer)) and not isinstance(v, (bool, np.bool_))


def _real(v) -> bool:
    """A finite real number, not a bool."""
    return isinstance(v, (int, float, np.integer, np.floating)) and not isinstance(v, (bool, np.bool_)) \
        and bool(np.isfinite(v))
