"""to_onnx of a regression whose target was rescaled: run_sweep's best_estimator (a TransformedTargetRegressor around
a BackpropRegressor, the target standardised) was refused as "a scikit-learn model that chainrule does not import".
Exported whole, its output "variable" is its predict under onnxruntime; a transformer with no affine inverse is
refused, naming it. A sweep's own estimator exported names the public class in the graph's doc_string."""
import io
import warnings

import numpy as np
import pandas as pd
import pytest

import chainrule as cr

onnx = pytest.importorskip("onnx")
ort = pytest.importorskip("onnxruntime")
pytest.importorskip("sklearn")
from sklearn.compose import TransformedTargetRegressor  # noqa: E402
from sklearn.preprocessing import (  # noqa: E402
    MaxAbsScaler,
    MinMaxScaler,
    QuantileTransformer,
    RobustScaler,
    StandardScaler,
)

from chainrule.sklearn import BackpropRegressor  # noqa: E402
from chainrule.sweep import run_sweep  # noqa: E402

rng = np.random.default_rng(0)
X = rng.normal(size=(40, 2))


def _run(model, rows):
    session = ort.InferenceSession(model.SerializeToString(), providers=["CPUExecutionProvider"])
    return session.run(["variable"], {"input": rows})[0]


@pytest.mark.parametrize("dtype", ["float64", "float32"])
def test_a_sweeps_best_regressor_exports_whole_its_output_its_predict(dtype):
    """The best model's transformer is the public TargetScaling holding the file's mean and standard deviation
    (it was a FunctionTransformer that to_onnx knew only by a private function of sweep_search)."""
    from chainrule.sweep_search import TargetScaling
    df = pd.DataFrame({"a": X[:, 0], "b": X[:, 1], "y": 300 * X[:, 0] - X[:, 1] + 1000})
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        res = run_sweep(io.BytesIO(df.to_csv(index=False).encode()), "y", {"epochs": [3]}, cv=2,
                        hidden_layer_sizes=(4,), dtype=dtype)
    best = res.best_estimator
    assert isinstance(best.transformer_, TargetScaling), best.transformer_
    np.testing.assert_allclose([best.transformer_.mean_, best.transformer_.scale_], [df.y.mean(), df.y.std(ddof=0)],
                               rtol=1e-12)
    rows = X.astype(dtype)
    got = _run(cr.to_onnx(best), rows)
    expected = best.predict(rows)
    assert got.shape == expected.shape and got.dtype == expected.dtype
    np.testing.assert_allclose(got, expected, rtol=1e-6 if dtype == "float32" else 1e-13)
    assert abs(expected.mean() - 1000) < 500           # in the target's units, not standardised


def _exported_and_predicted(scaler, dtype, y):
    """A TransformedTargetRegressor of `scaler` fitted on X, y: its export's answer under onnxruntime, its predict."""
    wrapped = TransformedTargetRegressor(BackpropRegressor(hidden_layer_sizes=(3,), epochs=2, random_state=0,
                                                           dtype=dtype), transformer=scaler)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        wrapped.fit(X.astype(dtype), y)
    rows = X.astype(dtype)
    return _run(cr.to_onnx(wrapped), rows), wrapped.predict(rows)


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
@pytest.mark.parametrize("scaler", [StandardScaler(), MinMaxScaler(), None])
@pytest.mark.parametrize("two_d", [False, True])
def test_a_transformed_target_regressor_of_an_affine_scaler_exports_its_predict(dtype, scaler, two_d):
    got, expected = _exported_and_predicted(scaler, dtype, 50 * X[:, :1] + 7 if two_d else 50 * X[:, 0] + 7)
    assert got.shape == expected.shape and got.dtype == expected.dtype
    np.testing.assert_allclose(got, expected, rtol=1e-6 if dtype == np.float32 else 1e-13)


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_target_scaling_of_a_given_mean_and_scale_keeps_them_and_exports_its_predict(dtype):
    """TargetScaling(mean, scale), the sweep's best model's transformer, is public: fit keeps the given mean and
    scale (not the rows'), and a user's TransformedTargetRegressor of it exports its predict, in float64 as the
    sweep's."""
    from chainrule.sweep_search import TargetScaling
    y = 50 * X[:, 0] + 7
    scaling = TargetScaling(mean=1000.0, scale=300.0).fit(y)
    np.testing.assert_array_equal(scaling.inverse_transform(np.array([[0.0], [1.0]])), [[1000.0], [1300.0]])
    got, expected = _exported_and_predicted(TargetScaling(mean=1000.0, scale=300.0), dtype, y)
    assert got.shape == expected.shape and got.dtype == expected.dtype == np.float64
    np.testing.assert_allclose(got, expected, rtol=1e-13)


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
@pytest.mark.parametrize("scaler", [StandardScaler(with_mean=False), StandardScaler(with_std=False),
                                    StandardScaler(), MinMaxScaler(feature_range=(-3, 5)), MaxAbsScaler(),
                                    RobustScaler(), RobustScaler(with_centering=False)], ids=repr)
def test_each_scalers_options_and_a_large_target_give_predict_to_the_last_bit(dtype, scaler):
    """StandardScaler(with_mean=False) keeps a mean_ its inverse does not add (the graph added it: off by 1e6);
    scikit-learn rounds a StandardScaler's mean_ and scale_ to the predictions' dtype where its version does (a
    float32 target near 1e6 was 1 ulp off); RobustScaler, affine too, was refused as not affine."""
    got, expected = _exported_and_predicted(scaler, dtype, np.c_[1e6 + 3 * X[:, 0], X[:, 1] - 100])
    assert got.dtype == expected.dtype
    np.testing.assert_allclose(got, expected, rtol=0 if dtype == np.float32 else 1e-15)


def test_a_transformer_with_no_affine_inverse_is_refused_naming_it():
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        logged = TransformedTargetRegressor(BackpropRegressor(epochs=1), func=np.log1p, inverse_func=np.expm1).fit(
            X, np.abs(X[:, 0]))
        quantile = TransformedTargetRegressor(BackpropRegressor(epochs=1),
                                              transformer=QuantileTransformer(n_quantiles=10)).fit(X, X[:, 0])
    with pytest.raises(cr.errors.ValidationError, match=r"transformer \(func='expm1'\) is not a plain affine"):
        cr.to_onnx(logged)
    with pytest.raises(cr.errors.ValidationError, match=r"transformer \(QuantileTransformer\) is not a plain affine"):
        cr.to_onnx(quantile)


def test_a_sweeps_own_estimator_names_its_public_class_in_the_doc_string():
    from chainrule.sweep_search import SweptClassifier, SweptRegressor
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        regressor = SweptRegressor(hidden_layer_sizes=(3,), epochs=1).fit(X, X[:, 0])
        classifier = SweptClassifier(hidden_layer_sizes=(3,), epochs=1).fit(X, X[:, 0] > 0)
    for est, public in ((regressor, "BackpropRegressor"), (classifier, "BackpropClassifier")):
        model = cr.to_onnx(est)
        said = model.doc_string + model.graph.doc_string + "".join(o.doc_string for o in model.graph.output)
        assert "Swept" not in said and public in said, said


def _refusal(obj) -> str:
    with pytest.raises(cr.errors.ChainruleTypeError) as caught:
        cr.to_onnx(obj)
    return str(caught.value).split(", got ")[-1].split("; got ")[-1]


@pytest.mark.parametrize("Est", ["BackpropClassifier", "BackpropRegressor"])
def test_an_unfitted_estimator_alone_or_in_a_pipeline_is_told_the_same_words(Est):
    """Alone it was 'a chainrule regressor not yet fitted: fit it first; to_onnx(model, path) then exports it, ...',
    in a Pipeline 'a chainrule regressor: once it is fitted (fit it first), to_onnx(pipe[-1], path) exports it whole,
    ...': one wording, the call named the only difference."""
    from sklearn.pipeline import make_pipeline

    import chainrule.sklearn as cs
    alone = _refusal(getattr(cs, Est)()).split(", a chainrule ", 1)[1]
    piped = _refusal(make_pipeline(StandardScaler(), getattr(cs, Est)())).split(", is a chainrule ", 1)[1]
    assert "not yet fitted: fit it first; to_onnx(model, path) then exports it whole" in alone, alone
    assert piped.startswith(alone.replace("to_onnx(model,", "to_onnx(pipe[-1],")), piped


def test_a_sweeps_best_pipeline_names_the_call_that_exports_its_last_step_whole():
    """best_estimator_ (the file's preprocessing, then the rescaled regression) was 'a scikit-learn model that
    chainrule does not import'; the call it names exports the predict of the pipeline's last step."""
    df = pd.DataFrame({"a": X[:, 0], "b": X[:, 1], "y": 300 * X[:, 0] + 1000})
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        res = run_sweep(io.BytesIO(df.to_csv(index=False).encode()), "y", {"epochs": [2]}, cv=2,
                        hidden_layer_sizes=(3,))
    pipe = res.best_estimator_
    said = _refusal(pipe)
    assert "does not import" not in said and "to_onnx(pipe[-1], path) exports it whole" in said, said
    rows = pipe[:-1].transform(df)
    np.testing.assert_allclose(_run(cr.to_onnx(pipe[-1]), rows), pipe.predict(df), rtol=1e-13)


@pytest.mark.parametrize("call", ["save", "to_torch", "from_sklearn"])
def test_save_of_a_wrapped_regressor_names_its_network_and_its_units(call, tmp_path):
    """It said 'got TransformedTargetRegressor: its , TransformedTargetRegressor, is a chainrule estimator ...
    whose predict gives the estimator's predictions': the network named learnt the rescaled target, not predict's."""
    wrapped = TransformedTargetRegressor(BackpropRegressor(hidden_layer_sizes=(3,), epochs=2, random_state=0),
                                         transformer=StandardScaler())
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        wrapped.fit(X, 300 * X[:, 0] + 1000)
    with pytest.raises(cr.errors.ChainruleTypeError) as caught:
        getattr(cr, call)(wrapped, *([tmp_path / "m.crn"] if call == "save" else []))
    said = str(caught.value)
    assert "its ," not in said and "model.regressor_.network_" in said, said
    assert "in the rescaled target's units" in said and "transformer_.inverse_transform" in said, said
    net_says = wrapped.regressor_.network_.predict(X)            # as the words say: rescaled, taken back by it
    np.testing.assert_allclose(net_says, wrapped.transformer_.transform(wrapped.predict(X)[:, None]), rtol=1e-9)
    np.testing.assert_allclose(wrapped.transformer_.inverse_transform(net_says)[:, 0], wrapped.predict(X))


def test_info_of_a_wrapped_regressors_export_says_its_network_output_is_rescaled(tmp_path):
    """`chainrule info` called "output" "the network's own, network_.predict's" as for a regressor alone: here it
    is regressor_.network_'s, the standardised target, which onnxruntime shows is not predict's."""
    from conftest import cmd
    wrapped = TransformedTargetRegressor(BackpropRegressor(hidden_layer_sizes=(3,), epochs=2, random_state=0),
                                         transformer=StandardScaler())
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        wrapped.fit(X, 300 * X[:, 0] + 1000)
    path = tmp_path / "m.onnx"
    model = cr.to_onnx(wrapped, path)
    output = ort.InferenceSession(model.SerializeToString(), providers=["CPUExecutionProvider"]).run(
        ["output"], {"input": X})[0]
    np.testing.assert_allclose(output, wrapped.transformer_.transform(wrapped.predict(X)[:, None]), rtol=1e-9)
    said = cmd("info", str(path)).stdout
    assert "'output': the network's own, regressor_.network_.predict's: the rescaled target" in said, said
