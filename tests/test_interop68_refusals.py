"""Refusals around the bias-free layer, Dropout(1.0) and weights torch computes in each forward, each telling its way
round: an ONNX Dropout of ratio 1 named as its node; torch's optimizer state loaded without `from_torch_state(sd, net)`
(torch numbers the parameters of `to_torch(net)` without a bias-free layer's bias); `to_torch` given a torch model or a
file; the old hooks of `torch.nn.utils.weight_norm` / `spectral_norm` (their own remove function, not pruning's)."""
import warnings

import numpy as np
import pytest

torch = pytest.importorskip("torch")
from torch import nn  # noqa: E402

import chainrule as cr  # noqa: E402
from chainrule.errors import ChainruleTypeError, ValidationError  # noqa: E402
from chainrule.saving.interop import from_torch_state  # noqa: E402

X = np.random.default_rng(68).normal(size=(8, 3))


@pytest.mark.parametrize("ratio", [1.0, 1.5])
def test_an_onnx_dropout_of_every_unit_is_refused_naming_the_node(ratio):
    onnx = pytest.importorskip("onnx")
    from onnx import TensorProto, helper, numpy_helper
    W = np.random.default_rng(0).normal(size=(3, 2)).astype(np.float32)
    nodes = [helper.make_node("MatMul", ["x", "W"], ["t"]), helper.make_node("Dropout", ["t", "r"], ["y"], name="d")]
    g = helper.make_graph(nodes, "mlp", [helper.make_tensor_value_info("x", TensorProto.FLOAT, ["N", 3])],
                          [helper.make_tensor_value_info("y", TensorProto.FLOAT, ["N", 2])],
                          [numpy_helper.from_array(W, "W"), numpy_helper.from_array(np.float32(ratio), "r")])
    model = helper.make_model(g, opset_imports=[helper.make_opsetid("", 17)])
    onnx.checker.check_model(model)
    with pytest.raises(ValidationError, match=rf"node 1 'd' \(Dropout\) drops a fraction {ratio} of the units; "
                                              r"chainrule's Dropout takes a rate in \[0, 1\)"):
        cr.from_onnx(model)


def _trained_torch_state():
    torch.manual_seed(0)
    net = cr.from_torch(nn.Sequential(nn.Linear(3, 4, bias=False), nn.Tanh(), nn.Linear(4, 1)).double(), loss="mse")
    module = cr.to_torch(net).train()
    topt = torch.optim.Adam(module.parameters(), lr=0.1)
    (module(torch.from_numpy(X)) ** 2).mean().backward()
    topt.step()
    return net, topt.state_dict()


def test_torchs_state_of_a_bias_free_network_loaded_as_it_is_says_to_give_net():
    net, sd = _trained_torch_state()
    opt = cr.optim.Adam(lr=0.1).bind(net)
    with pytest.raises(ValidationError, match=r"lists 3 parameter arrays; this optimizer's network has 4: .*"
                                              r"convert torch's state dict with from_torch_state\(sd, net\)"):
        opt.load_state_dict(from_torch_state(sd))
    opt.load_state_dict(from_torch_state(sd, net))                  # the way round it gives
    np.testing.assert_allclose(opt.state_dict()["state"][0]["exp_avg"], sd["state"][0]["exp_avg"].numpy().T,
                               rtol=0, atol=0)


def test_a_network_of_all_its_biases_lists_no_torch_way_round():
    net = cr.Network([cr.Dense(3, 4, "tanh"), cr.Dense(4, 1)], loss="mse", seed=0)
    opt = cr.optim.Adam(lr=0.1).bind(net)
    with pytest.raises(ValidationError, match=r"lists 3 parameter arrays; this optimizer's network has 4: "
                                              r"\[\(3, 4\), \(4,\), \(4, 1\), \(1,\)\]$"):
        opt.load_state_dict(from_torch_state(torch.optim.Adam(list(cr.to_torch(net).parameters())[:3]).state_dict()))


def test_to_torch_and_the_state_conversions_given_a_torch_model_or_a_file_say_what_to_give(tmp_path):
    module = nn.Sequential(nn.Linear(3, 1))
    with pytest.raises(ChainruleTypeError, match=r"got Sequential \(a model of another framework: import it first "
                                                 r"with cr\.from_torch"):
        cr.to_torch(module)
    net, sd = _trained_torch_state()
    with pytest.raises(ChainruleTypeError, match=r"from_torch_state: net must be .* got Sequential \(a model of "
                                                 r"another framework: import it first with cr\.from_torch"):
        from_torch_state(sd, cr.to_torch(net))
    path = tmp_path / "m.npz"
    net.save(path)
    with pytest.raises(ChainruleTypeError, match=r"got str '.*m\.npz': it takes the network, not its file; load it "
                                                 r"first, to_torch\(cr\.load\('.*m\.npz'\)\)"):
        cr.to_torch(str(path))
    np.testing.assert_allclose(cr.to_torch(cr.load(path))(torch.from_numpy(X)).detach().numpy(), net.predict(X),
                               rtol=0, atol=1e-12)


@pytest.mark.parametrize("kind", ["weight_norm", "spectral_norm"])
def test_the_old_weight_norm_hooks_are_told_their_own_remove_and_then_import(kind):
    torch.manual_seed(0)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", FutureWarning)          # torch names the parametrizations' form its newer
        model = nn.Sequential(nn.Linear(3, 4), nn.ReLU(), getattr(torch.nn.utils, kind)(nn.Linear(4, 2))).double()
    with pytest.raises(ValidationError, match=rf"layer 2 \(Linear\)'s 'weight' is recomputed in each forward by "
                                              rf"torch\.nn\.utils\.{kind} .*torch\.nn\.utils\.remove_{kind}"
                                              r"\(model\[2\], 'weight'\) first") as refused:
        cr.from_torch(model)
    assert "prune" not in str(refused.value)
    model.eval()
    with torch.no_grad():
        expected = model(torch.from_numpy(X)).numpy()
        getattr(torch.nn.utils, f"remove_{kind}")(model[2], "weight")
    np.testing.assert_allclose(cr.from_torch(model).predict(X), expected, rtol=0, atol=1e-12)
