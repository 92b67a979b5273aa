"""Property-based tests: random architectures, activations, losses, batch sizes and dtypes."""
import numpy as np
import pytest
from conftest import ACTIVATIONS, LOSSES, OUTPUTS_FOR, random_targets
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import chainrule as cr
from chainrule.errors import ModelFileError

SETTINGS = settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@st.composite
def problems(draw, max_width=5, dtype=None):
    loss = draw(st.sampled_from(LOSSES))
    depth = draw(st.integers(1, 3))
    widths = draw(st.lists(st.integers(1, max_width), min_size=depth + 1, max_size=depth + 1))
    out = draw(st.sampled_from(OUTPUTS_FOR[loss]))
    acts = [draw(st.sampled_from(ACTIVATIONS)) for _ in range(depth - 1)] + [out]
    for i, act in enumerate(acts):
        if act == "softmax":                     # a softmax over one unit is refused (always 1)
            widths[i + 1] = max(widths[i + 1], 2)
    dtype = dtype or draw(st.sampled_from(["float64", "float32"]))
    seed = draw(st.integers(0, 2**31 - 1))
    layers = []
    for i in range(depth):
        if i and draw(st.booleans()) and draw(st.booleans()):     # a Dropout between Dense layers, 1 in 4
            layers.append(cr.Dropout(draw(st.sampled_from([0.0, 0.1, 0.5]))))
        layers.append(cr.Dense(widths[i], widths[i + 1], acts[i], bias_init="normal"))
    net = cr.Network(layers, loss=loss, dtype=dtype, seed=seed)
    rng = np.random.default_rng(seed)
    n = draw(st.integers(1, 12))
    return net, rng.normal(size=(n, widths[0])), random_targets(rng, loss, n, widths[-1])


@SETTINGS
@given(problems(dtype="float64"))
def test_analytic_gradients_agree_with_central_differences(problem):
    net, X, Y = problem
    assert cr.gradcheck(net, X, Y) < 1e-4


@SETTINGS
@given(problems())
def test_forward_is_batch_size_invariant(problem):
    net, X, _ = problem
    batch = net.forward(X).copy()
    rows = np.concatenate([net.forward(X[i:i + 1]) for i in range(X.shape[0])])
    tol = 1e-12 if net.dtype == np.float64 else 1e-5
    np.testing.assert_allclose(rows, batch, rtol=tol, atol=tol)


@SETTINGS
@given(problems(dtype="float32"))
def test_float32_stays_float32(problem):
    net, X, Y = problem
    assert net.forward(X).dtype == np.float32
    for dW, db in net.gradients(X, Y):
        assert dW.dtype == np.float32 and db.dtype == np.float32
    batch_size = int(np.random.default_rng(X.shape[0]).integers(1, X.shape[0] + 1))
    net.fit(X, Y, epochs=1, batch_size=batch_size, verbose=0, optimizer=cr.optim.Adam(1e-3), seed=0)
    assert net.params.dtype == np.float32 and net.predict(X).dtype == np.float32


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.binary(max_size=2000))
def test_random_bytes_only_raise_model_file_error(tmp_path, blob):
    path = tmp_path / "random.npz"
    path.write_bytes(blob)
    with pytest.raises(ModelFileError):
        cr.load(path)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.data())
def test_mutated_model_files_only_raise_model_file_error(tmp_path, data):
    net = cr.Network([cr.Dense(2, 3, "tanh"), cr.Dense(3, 1)], seed=0)
    path = tmp_path / "m.npz"
    net.save(path)
    blob = bytearray(path.read_bytes())
    for _ in range(data.draw(st.integers(1, 8))):
        blob[data.draw(st.integers(0, len(blob) - 1))] = data.draw(st.integers(0, 255))
    path.write_bytes(bytes(blob))
    try:
        back = cr.load(path)
    except ModelFileError:
        return
    assert back.params.shape == net.params.shape       # a mutation that left a valid file


@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.text(alphabet=st.sampled_from(list('ab,y"\n\r 0123.-e\\;')) | st.characters(), max_size=300))
def test_random_csv_text_only_raises_validation_error(tmp_path, text):
    pytest.importorskip("pandas")
    from chainrule.data.tabular import Preprocessing, read_csv
    from chainrule.errors import ValidationError
    path = tmp_path / "random.csv"
    path.write_bytes(text.encode("utf-8", errors="replace"))
    try:
        df = read_csv(path)
        pre = Preprocessing.fit(df, df.columns[-1], impute="most_frequent")
        X = pre.transform(df, sparse=False)
        assert X.shape[0] == len(df) and np.all(np.isfinite(X))
    except ValidationError:
        pass


OPTIMIZERS = [lambda: cr.optim.SGD(0.1), lambda: cr.optim.SGD(0.1, momentum=0.5), lambda: cr.optim.Adam(1e-2),
              lambda: cr.optim.Adam(1e-2, amsgrad=True), lambda: cr.optim.AdamW(1e-2),
              lambda: cr.optim.RMSprop(1e-2, centered=True, momentum=0.1), lambda: cr.optim.Adagrad(0.1)]


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture,
                                                                   HealthCheck.too_slow])
@given(problems(), st.sampled_from(OPTIMIZERS), st.booleans())
def test_save_load_round_trip_is_exact_and_training_continues_identically(tmp_path, problem, make_opt, train_first):
    net, X, Y = problem
    net.optimizer = make_opt()
    if train_first:
        net.fit(X, Y, epochs=1, batch_size=3, verbose=0, seed=1)
    net.save(tmp_path / "m.npz")
    back = cr.load(tmp_path / "m.npz")
    assert back.config() == net.config() and back.params.dtype == net.params.dtype
    np.testing.assert_array_equal(back.params, net.params)
    np.testing.assert_array_equal(back.predict(X), net.predict(X))
    net.fit(X, Y, epochs=1, batch_size=3, verbose=0, seed=2)
    back.fit(X, Y, epochs=1, batch_size=3, verbose=0, seed=2)
    np.testing.assert_array_equal(back.params, net.params)


@st.composite
def bad_arrays(draw):
    """Arrays of any rank, shape and dtype, sometimes with NaN or infinity or text."""
    shape = tuple(draw(st.lists(st.integers(0, 4), min_size=0, max_size=3)))
    kind = draw(st.sampled_from(["float", "int", "bool", "text", "complex", "object"]))
    rng = np.random.default_rng(draw(st.integers(0, 1000)))
    arr = rng.normal(size=shape)
    if kind == "float" and arr.size and draw(st.booleans()):
        arr.flat[draw(st.integers(0, arr.size - 1))] = draw(st.sampled_from([np.nan, np.inf, -np.inf]))
    convert = {"float": lambda a: a, "int": lambda a: a.astype(np.int64), "bool": lambda a: a > 0,
               "text": lambda a: a.astype(str), "complex": lambda a: a * 1j, "object": lambda a: a.astype(object)}
    return convert[kind](arr)


@settings(max_examples=80, deadline=None)
@given(bad_arrays(), bad_arrays(), st.sampled_from(["fit", "predict", "loss", "gradients", "evaluate", "gradcheck"]),
       st.sampled_from(LOSSES))
def test_any_input_is_accepted_or_refused_with_a_chainrule_error(X, Y, method, loss):
    out = "softmax" if loss == "categorical_crossentropy" else "sigmoid"
    net = cr.Network([cr.Dense(2, 3, "tanh"), cr.Dense(3, 2, out)], loss=loss, seed=0)
    calls = {"fit": lambda: net.fit(X, Y, epochs=1, verbose=0), "predict": lambda: net.predict(X),
             "loss": lambda: net.loss(X, Y), "gradients": lambda: net.gradients(X, Y),
             "evaluate": lambda: net.evaluate(X, Y), "gradcheck": lambda: cr.gradcheck(net, X, Y)}
    try:
        calls[method]()
    except cr.errors.ChainruleError as exc:
        assert isinstance(exc, (ValueError, TypeError)) and str(exc)
        return
    assert np.all(np.isfinite(net.params))          # accepted: nothing NaN got in
