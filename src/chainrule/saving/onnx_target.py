"""A regression whose target was rescaled (scikit-learn's TransformedTargetRegressor around a chainrule regressor:
the best model of `run_sweep`, its target standardised) exported whole by `onnx.to_onnx`: the network, then the
transformer's inverse as ONNX Mul/Add (or Sub/Div) after it, so that the output "variable" is the wrapper's predict.
Only an affine transformer has such a form; any other is refused, naming it. Also `estimator_kind`, whether a
graph is an estimator's export (the one test of its readers), and `estimator_export`, what it is in words, for the
commands that read a model trained by `chainrule train` and refuse this one."""
from __future__ import annotations

import sys
from typing import Any

import numpy as np

from ..errors import ValidationError

#: the affine scalers whose inverse the graph repeats, as the refusal names them
AFFINE = "StandardScaler, MinMaxScaler, MaxAbsScaler, RobustScaler, or the sweep's standardisation"


def target_wrapper(obj: Any) -> Any:
    """`obj` if a TransformedTargetRegressor (scikit-learn loaded), else None."""
    if "sklearn" not in sys.modules:
        return None
    from sklearn.compose import TransformedTargetRegressor
    return obj if isinstance(obj, TransformedTargetRegressor) else None


def _sweeps(transformer: Any) -> tuple[float, float] | None:
    """(mean, scale) of the sweep's standardisation (a fitted sweep_estimators.TargetScaling, the public class of the
    sweep's folds and best model), or None."""
    search = sys.modules.get("chainrule.sweep_estimators")       # not loaded: no TargetScaling was made
    if search is not None and isinstance(transformer, search.TargetScaling) and hasattr(transformer, "scale_"):
        return float(transformer.mean_), float(transformer.scale_)
    return None


def _rounds_to_dtype() -> bool:
    """Whether this scikit-learn's StandardScaler.inverse_transform rounds mean_ and scale_ to the predictions'
    dtype first (its array-API versions) rather than computing each step in float64: one float32 sum tells, its
    mean 1 + 2**-30 (1.0 in float32) and 2**-24 giving 1.0 (a tie, rounded to even) against 1 + 2**-23."""
    from sklearn.preprocessing import StandardScaler
    probe = StandardScaler(with_std=False).fit(np.array([[1 + 2.0 ** -30]]))
    return bool(probe.inverse_transform(np.array([[2.0 ** -24]], dtype=np.float32))[0, 0] == 1.0)


def inverse_steps(wrapper: Any) -> tuple[list[tuple[str, np.ndarray]], bool]:
    """The wrapper's inverse transform as (ONNX operator, constant) steps, and whether it computes in float64
    whatever the network's dtype (the sweep's, as `chainrule train`'s model) or in the network's (scikit-learn's
    scalers, in place). Refuses a transformer that is no plain affine scaler, naming it."""
    from sklearn.preprocessing import FunctionTransformer, MaxAbsScaler, MinMaxScaler, RobustScaler, StandardScaler
    t = wrapper.transformer_
    sweep = _sweeps(t)
    if sweep is not None:
        mean, scale = sweep
        return [("Mul", np.array(scale)), ("Add", np.array(mean))], True
    if type(t) is StandardScaler:            # mean_ is kept with_mean=False too, but not added back
        kept = wrapper.regressor_.network_.dtype if _rounds_to_dtype() else np.float64
        return [(op, np.asarray(a).astype(kept).astype(np.float64)) for op, a, used in
                (("Mul", t.scale_, t.with_std), ("Add", t.mean_, t.with_mean)) if used], False
    if type(t) is RobustScaler:
        return [(op, np.asarray(a, dtype=np.float64)) for op, a, used in
                (("Mul", t.scale_, t.with_scaling), ("Add", t.center_, t.with_centering)) if used], False
    if type(t) is MinMaxScaler:
        return [("Sub", np.asarray(t.min_, dtype=np.float64)), ("Div", np.asarray(t.scale_, dtype=np.float64))], False
    if type(t) is MaxAbsScaler:
        return [("Mul", np.asarray(t.scale_, dtype=np.float64))], False
    if type(t) is FunctionTransformer and t.func is None and t.inverse_func is None:
        return [], False                          # no transformer, no func: the target as it is
    shown = f"func={getattr(t.inverse_func, '__name__', t.inverse_func)!r}" if type(t) is FunctionTransformer \
        else type(t).__name__
    raise ValidationError(f"the TransformedTargetRegressor's transformer ({shown}) is not a plain affine scaler "
                          f"({AFFINE}): its inverse has no ONNX form here; export the network's predictions "
                          "alone, to_onnx(model.regressor_, path), and apply the inverse to them yourself")


def target_outputs(g, wrapper: Any, out: str, elem: int) -> list:
    """"variable", the wrapper's predict: the network's output `out` taken back to the target's units, (N,) where
    the wrapper was fitted on a 1-D y."""
    from onnx import TensorProto, helper
    steps, in_double = inverse_steps(wrapper)
    estimator = wrapper.regressor_
    n = estimator.network_.n_outputs
    y, to = out, TensorProto.DOUBLE if in_double else elem
    for op, value in steps:                 # each step in float64, then rounded to the result's dtype
        y = g.op(op, [g.op("Cast", [y], hint="target", to=TensorProto.DOUBLE), g.const("target", value)],
                 hint="target")
        if to != TensorProto.DOUBLE:
            y = g.op("Cast", [y], hint="target", to=to)
    flat = wrapper._training_dim == 1 and n == 1           # fitted on a 1-D y: predict's (N,), as the wrapper's
    axis = [g.const("axis", np.array([1], dtype=np.int64))] if flat else []
    g.op("Squeeze" if flat else "Identity", [y, *axis], output="variable")
    return [helper.make_tensor_value_info("variable", to, ["N"] if flat else ["N", n], doc_string=(
        "predict's values in the target's units: " + ("one value per row" if flat else
                                                      f"one column per target ({n})")))]


#: the outputs of to_onnx(BackpropClassifier): the network's, then predict's and predict_proba's
CLASSIFIER_OUTPUTS = ["output", "label", "probabilities"]
#: the outputs of to_onnx(BackpropRegressor): the network's, then predict's
REGRESSOR_OUTPUTS = ["output", "variable"]


def estimator_kind(model: Any) -> str | None:
    """"classifier" or "regressor" where the ONNX `model` is to_onnx's graph of a chainrule estimator (its outputs
    "output", then predict's), else None: the one test of every reader of such a graph."""
    outputs = [v.name for v in model.graph.output]
    if model.producer_name != "chainrule" or outputs not in (CLASSIFIER_OUTPUTS, REGRESSOR_OUTPUTS):
        return None
    return "classifier" if outputs == CLASSIFIER_OUTPUTS else "regressor"


def estimator_export(model: Any) -> str | None:
    """What an ONNX model is if to_onnx wrote it of a chainrule estimator (its outputs 'output' and 'label',
    'probabilities' or 'variable'), in words for a refusal; None for any other."""
    kind = estimator_kind(model)
    if kind is None:
        return None
    width = model.graph.input[0].type.tensor_type.shape.dim[1].dim_value if model.graph.input else 0
    kind = f"{kind} (Backprop{kind.capitalize()})"
    named = ", ".join(repr(v.name) for v in model.graph.output[1:])
    return (f"the ONNX export of a chainrule {kind}, to_onnx(model): it takes the rows its predict takes, "
            f"{width} numbers each (its input 'input'), not a CSV file's columns, and gives {named}")


def estimator_file(path: Any) -> str | None:
    """`estimator_export` of the ONNX file at `path`; None where it is another model or unreadable."""
    try:
        import onnx
        return estimator_export(onnx.load(str(path), load_external_data=False))
    except Exception:  # noqa: BLE001  (onnx missing or the file unreadable: the caller's own words say so)
        return None
