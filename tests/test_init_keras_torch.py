"""Initialisers against the draws of Keras and PyTorch themselves: LeCun's (Keras' names), torch.nn.Linear's own
start, and Keras' truncated normals (chainrule's he_normal, glorot_normal and lecun_normal are plain normals, as
torch's kaiming_normal_ and xavier_normal_; the Keras keyword kernel_initializer= says so and names Keras' draw).
Each comparison is a two-sample Kolmogorov-Smirnov test over 10^4 to 10^5 draws, plus the standard deviation."""
import re

import numpy as np
import pytest
import torch
from scipy.stats import ks_2samp

import chainrule as cr

SHAPE = (300, 400)           # (n_in, n_out): fan_in 300, fan_out 400


def keras_draw(name, **kwargs):
    import keras
    init = getattr(keras.initializers, name)(seed=0, **kwargs)
    return np.asarray(keras.ops.convert_to_numpy(init(shape=SHAPE)), dtype=np.float64).ravel()


def ours(init, shape=SHAPE):
    return cr.Dense(*shape, weight_init=init, seed=1).W.ravel()


def same_distribution(a, b):
    return ks_2samp(a, b).pvalue > 1e-3 and np.std(a) == pytest.approx(np.std(b), rel=0.02)


@pytest.mark.parametrize("name, keras_name", [("lecun_uniform", "LecunUniform"), ("lecun_normal", None)])
def test_lecun_draws_as_keras(name, keras_name):
    """lecun_uniform is Keras' LecunUniform; lecun_normal is its variance (1/fan_in) in a plain normal, Keras'
    VarianceScaling with distribution='untruncated_normal'."""
    want = (keras_draw(keras_name) if keras_name else
            keras_draw("VarianceScaling", scale=1.0, mode="fan_in", distribution="untruncated_normal"))
    assert same_distribution(ours(name), want)


def test_torch_default_is_torch_linears_own_start_weights_and_biases():
    """nn.Linear's weight (kaiming_uniform_, a=sqrt(5)) and bias both draw U(+-1/sqrt(in_features)): the bias's
    bound is the weight's fan_in, not its own length (n_in 50 and n_out 5000 tell them apart)."""
    torch.manual_seed(0)
    linear = torch.nn.Linear(50, 5000)
    layer = cr.Dense(50, 5000, weight_init="torch_default", bias_init="torch_default", seed=0)
    assert same_distribution(layer.W.ravel(), linear.weight.detach().double().numpy().ravel())
    assert same_distribution(layer.b, linear.bias.detach().double().numpy())


@pytest.mark.parametrize("name, keras_name", [("random_normal", "RandomNormal"), ("random_uniform", "RandomUniform"),
                                              ("truncated_normal", "TruncatedNormal")])
def test_keras_fixed_scale_names_draw_as_keras(name, keras_name):
    """Keras' names of its fixed-scale draws (N(0, 0.05), U(+-0.05), N(0, 0.05) cut at 2 std) are taken, not
    answered with "Did you mean 'lecun_normal'?", a draw of another scale."""
    assert same_distribution(ours(name), keras_draw(keras_name))


@pytest.mark.parametrize("name, keras_name, torch_init", [
    ("he_normal", "HeNormal", lambda w: torch.nn.init.kaiming_normal_(w, nonlinearity="relu")),
    ("glorot_normal", "GlorotNormal", torch.nn.init.xavier_normal_),
    ("lecun_normal", "LecunNormal", None),
])
def test_keras_truncated_normals_against_chainrules_plain_ones(name, keras_name, torch_init):
    """chainrule's name is a plain normal (torch's draw, where torch has one) and not Keras' truncated one; the
    error for Keras' kernel_initializer=name (or weight_init=its class name) writes the call that draws Keras', and
    that call does."""
    keras_values = keras_draw(keras_name)
    if torch_init is not None:
        torch.manual_seed(0)
        weight = torch_init(torch.empty(SHAPE[::-1], dtype=torch.float64))    # torch's weight is (out, in)
        assert same_distribution(ours(name), weight.numpy().ravel())
    assert ks_2samp(ours(name), keras_values).pvalue < 1e-6                   # the shapes differ: Keras' is cut
    # Keras takes its class name as well; weight_init='HeNormal' suggests 'he_normal' and says the same
    for keyword, value, error in [("kernel_initializer", name, TypeError),
                                  ("kernel_initializer", keras_name, TypeError),
                                  ("weight_init", keras_name, cr.errors.UnknownNameError)]:
        with pytest.raises(error, match=keyword if error is TypeError else f"Did you mean '{name}'") as raised:
            cr.Dense(*SHAPE, **{keyword: value})
        call = re.search(r"Keras' draw is (cr\.init\.variance_scaling\([^)]*\))", str(raised.value)).group(1)
        assert same_distribution(ours(eval(call)), keras_values)


@pytest.mark.parametrize("mode", ["fan_in", "fan_out", "fan_avg"])
@pytest.mark.parametrize("distribution", ["truncated_normal", "untruncated_normal", "uniform"])
def test_variance_scaling_is_keras(mode, distribution):
    want = keras_draw("VarianceScaling", scale=3.0, mode=mode, distribution=distribution)
    got = ours(cr.init.variance_scaling(3.0, mode, distribution))
    assert same_distribution(got, want) and np.abs(got).max() <= np.abs(want).max() * 1.01


@pytest.mark.parametrize("distribution", ["normal", "Uniform"])
def test_variance_scaling_reads_distribution_as_keras(distribution):
    """Keras lowercases the distribution and reads 'normal' as 'truncated_normal', its older name."""
    want = keras_draw("VarianceScaling", scale=2.0, distribution=distribution)
    assert same_distribution(ours(cr.init.variance_scaling(2.0, distribution=distribution)), want)


@pytest.mark.parametrize("scale", [np.float32(2.0), np.int64(2)])
def test_variance_scaling_takes_numpy_numbers_as_keras_does(scale):
    """A scale read from an array (np.float32, np.int64) is a positive number as much as 2.0 is."""
    want = keras_draw("VarianceScaling", scale=scale)
    assert same_distribution(ours(cr.init.variance_scaling(scale)), want)


@pytest.mark.parametrize("kwargs, wrong", [({"scale": 0}, "scale"), ({"scale": -1.0}, "scale"),
                                           ({"mode": "fan"}, "mode"), ({"distribution": "gauss"}, "distribution")])
def test_variance_scaling_refuses_what_keras_refuses(kwargs, wrong):
    import keras
    with pytest.raises(ValueError):
        keras.initializers.VarianceScaling(**kwargs)
    with pytest.raises(ValueError, match=wrong):
        cr.init.variance_scaling(**kwargs)


@pytest.mark.parametrize("scale", [float("nan"), float("inf"), "2", True, np.bool_(True), np.float64(-1.0)])
def test_variance_scaling_refuses_a_scale_that_is_no_positive_number(scale):
    """Keras takes a NaN scale and draws NaN weights; here the call is refused, naming scale."""
    with pytest.raises(ValueError, match=f"scale must be a positive number; got {re.escape(repr(scale))}"):
        cr.init.variance_scaling(scale)


@pytest.mark.parametrize("keyword, meant", [
    ("bias_regularizer", "weight_decay="), ("activity_regularizer", "not supported"),
    ("kernel_constraint", "not supported"), ("bias_constraint", "not supported"),
])
def test_keras_dense_keywords_chainrule_lacks_are_named(keyword, meant):
    """Keras' Dense takes each of these; chainrule's says where it lives or that it has none, as it does for
    kernel_regularizer, not Python's bare "unexpected keyword argument"."""
    import keras
    keras.layers.Dense(2, **{keyword: None})
    with pytest.raises(TypeError, match=f"unexpected keyword argument '{keyword}' \\(Keras' or PyTorch's keyword; "
                                        f".*{meant}"):
        cr.Dense(3, 2, **{keyword: "l2"})


@pytest.mark.parametrize("name, torch_init", [
    ("he_uniform", lambda w: torch.nn.init.kaiming_uniform_(w, nonlinearity="relu")),
    ("glorot_uniform", torch.nn.init.xavier_uniform_),
])
def test_uniform_names_are_torchs_as_the_guide_tables_them(name, torch_init):
    torch.manual_seed(0)
    weight = torch_init(torch.empty(SHAPE[::-1], dtype=torch.float64))
    assert same_distribution(ours(name), weight.numpy().ravel())


@pytest.mark.parametrize("keras_name", ["GlorotUniform", "HeUniform", "LecunUniform", "RandomNormal", "RandomUniform",
                                        "TruncatedNormal", "VarianceScaling"])
def test_keras_class_names_draw_as_keras_classes(keras_name):
    """Keras' class name of a draw chainrule has (GlorotUniform is glorot_uniform; VarianceScaling() is scale 1,
    fan_in, truncated) is taken, not answered with "Did you mean"; HeNormal and its kin are not (see above)."""
    assert same_distribution(ours(keras_name), keras_draw(keras_name))


@pytest.mark.parametrize("keras_name", ["Zeros", "Ones"])
def test_keras_constant_class_names_are_keras_constants(keras_name):
    import keras
    want = keras.ops.convert_to_numpy(getattr(keras.initializers, keras_name)()(SHAPE, dtype="float64"))
    np.testing.assert_array_equal(ours(keras_name).reshape(SHAPE), want)


@pytest.mark.parametrize("name, suggestion", [
    ("Orthogonal", r"weight_init=(lambda shape, rng: .*?\[::2\]\))"),
    ("OrthogonalInitializer", r"=(lambda .*?\[::2\]\))"), ("orthogonal", r"=(lambda .*?\[::2\]\))"),
    ("Identity", r"weight_init=(np\.eye\(n_in, n_out\))"),
    ("IdentityInitializer", r"=(np\.eye\(n_in, n_out\))"), ("Constant", r"weight_init=(0\.3)"),
    ("constant", r"(cr\.init\.constant\(0\.3\))")])
def test_keras_initializers_chainrule_lacks_are_refused_with_what_draws_them(name, suggestion):
    """Orthogonal, Identity and Constant have no name here: the error says so and what to pass, and that does
    what Keras' draw does (Identity and Constant exactly; orthonormal columns for Orthogonal)."""
    import keras
    with pytest.raises(cr.errors.UnknownNameError, match=f"init='{name}' is Keras' initializer, which chainrule does "
                                                         "not have; pass") as raised:
        cr.Dense(*SHAPE, weight_init=name)
    code = re.search(suggestion, str(raised.value)).group(1)
    n_in, n_out = shape = SHAPE[::-1]                   # n_in >= n_out, as the Orthogonal suggestion says
    W = cr.Dense(*shape, weight_init=eval(code), seed=0).W
    if name.lower().startswith("orthogonal"):
        np.testing.assert_allclose(W.T @ W, np.eye(n_out), atol=1e-10)
    else:
        keras_class = keras.initializers.Identity() if name.startswith("Identity") else \
            keras.initializers.Constant(0.3)
        np.testing.assert_array_equal(W, keras.ops.convert_to_numpy(keras_class(shape, dtype="float64")))


@pytest.mark.parametrize("make", [lambda keras: keras.initializers.Constant(0.3),
                                  lambda keras: keras.initializers.GlorotUniform(seed=0),
                                  lambda keras: keras.initializers.Orthogonal(seed=0)])
def test_a_keras_initializer_instance_draws_keras_values_in_float64(make):
    """weight_init=keras.initializers.X() is called as Keras calls a float64 layer's, (shape, dtype='float64'):
    Constant(0.3) is 0.3, not float32's 0.30000001192092896."""
    import keras
    want = keras.ops.convert_to_numpy(make(keras)(SHAPE, dtype="float64"))
    np.testing.assert_array_equal(ours(make(keras)).reshape(SHAPE), want)


def test_a_function_of_shape_and_dtype_is_asked_for_float64():
    """A Keras-style function whose dtype has no default is called with one, not left to Python's TypeError."""
    assert ours(lambda shape, dtype: np.full(shape, 0.1, dtype=dtype)).dtype == np.float64
    assert np.all(ours(lambda shape, dtype: np.full(shape, 0.1, dtype=dtype)) == 0.1)
