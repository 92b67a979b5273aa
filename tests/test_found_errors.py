"""Bad inputs that used to give a NumPy/torch traceback, a NumPy RuntimeWarning beside the answer, or a
message naming the wrong line; each now gets one clear error (docs/errors.md)."""
import warnings

import numpy as np
import pytest

import chainrule as cr
from chainrule import errors


# -- from_torch: parameters without NumPy numbers --------------------------------------------
def _torch_mlp():
    torch = pytest.importorskip("torch")
    torch.manual_seed(0)
    return torch, torch.nn.Sequential(torch.nn.Linear(3, 4), torch.nn.Tanh(),
                                      torch.nn.Sequential(torch.nn.Linear(4, 2), torch.nn.Sigmoid()))


@pytest.mark.parametrize("dtype", ["bfloat16", "float16", "float8_e4m3fn"])
def test_from_torch_refuses_low_precision_parameters_naming_them_and_the_fix(dtype):
    torch, model = _torch_mlp()
    low = model.to(getattr(torch, dtype))
    with pytest.raises(errors.ValidationError) as info:
        cr.from_torch(low)
    assert str(info.value) == (f"layer 0 (Linear): its parameter '0.weight' is torch.{dtype}; chainrule computes in "
                               "float32 or float64: convert the model first with model.float() (float32) or "
                               "model.double() (float64)")
    # the advice works: the float32 copy imports, and computes what torch computes with it
    fixed = low.float()
    x = np.random.default_rng(0).normal(size=(5, 3)).astype(np.float32)
    with torch.no_grad():
        expected = fixed(torch.from_numpy(x)).numpy()
    np.testing.assert_allclose(cr.from_torch(fixed).predict(x), expected, rtol=1e-6, atol=1e-6)


def test_from_torch_names_a_nested_parameter_by_its_state_dict_key():
    torch, model = _torch_mlp()
    model[2][0].to(torch.bfloat16)
    with pytest.raises(errors.ValidationError, match=r"^layer 2\.0 \(Linear\): its parameter '2\.0\.weight' is "
                                                     r"torch\.bfloat16"):
        cr.from_torch(model)
    assert "2.0.weight" in model.state_dict()


def test_from_torch_refuses_meta_parameters_and_says_how_to_load_them():
    torch, real = _torch_mlp()
    with torch.device("meta"):
        _, empty = _torch_mlp()
    with pytest.raises(errors.ValidationError) as info:
        cr.from_torch(empty)
    assert str(info.value) == ("layer 0 (Linear): its parameter '0.weight' is on the 'meta' device: it has a shape "
                               "but no values (a model built without its weights); load the weights first, e.g. "
                               "model.to_empty(device='cpu') then model.load_state_dict(state_dict)")
    empty.to_empty(device="cpu")                 # the advice works
    empty.load_state_dict(real.state_dict())
    x = np.random.default_rng(1).normal(size=(4, 3)).astype(np.float32)
    with torch.no_grad():
        expected = real(torch.from_numpy(x)).numpy()
    np.testing.assert_allclose(cr.from_torch(empty).predict(x), expected, rtol=1e-6, atol=1e-6)


def test_from_torch_mixed_float32_and_float64_says_how_to_convert():
    torch, model = _torch_mlp()
    model[0].double()
    with pytest.raises(errors.ValidationError, match=r"got \['float32', 'float64'\]: convert the model first with "
                                                     r"model\.float\(\) \(float32\) or model\.double\(\) \(float64\)"):
        cr.from_torch(model)
    assert cr.from_torch(model.double()).dtype == np.float64


# -- Network.loss, gradients and step: a non-finite loss is evaluate's error, never a warning ---
def _net32():
    """float32, weights 10: inputs near float32's top overflow inside (infinite outputs)."""
    return cr.Network([cr.Dense(2, 3, "relu", weight_init=10.0), cr.Dense(3, 2, "linear", weight_init=10.0)],
                      loss="mse", seed=0, dtype="float32")


def _far_targets():
    """Finite outputs, but targets so far that (out - y)^2 overflows float64."""
    net = cr.Network([cr.Dense(1, 1, "linear")], loss="mse", seed=0)
    X, Y = np.array([[1.0]]), np.array([[1e200]])
    with np.errstate(over="ignore"):
        assert not np.isfinite((net.predict(X) - Y) ** 2).all()      # the truth: mse overflows
    return net, X, Y


@pytest.mark.parametrize("case", ["outputs overflow", "targets too far"])
@pytest.mark.parametrize("method", ["loss", "gradients"])
def test_loss_and_gradients_raise_evaluates_error_without_numpy_warnings(case, method):
    if case == "outputs overflow":
        net, X, Y = _net32(), np.array([[3e38, 3e38]]), np.array([[0.0, 1.0]])
        with np.errstate(over="ignore", invalid="ignore"):                 # the truth, by NumPy
            hidden = np.maximum(X.astype(np.float32) @ net.layers[0].W + net.layers[0].b, 0)
            assert not np.isfinite(hidden @ net.layers[1].W).all()
    else:
        net, X, Y = _far_targets()
    with pytest.raises(errors.ValidationError) as expected:
        net.evaluate(X, Y)
    before = net.params.copy()
    with warnings.catch_warnings():
        warnings.simplefilter("error")                                     # a RuntimeWarning fails the test
        with pytest.raises(errors.ValidationError) as info:
            getattr(net, method)(X, Y)
    assert str(info.value) == str(expected.value)
    assert ("outputs are NaN or infinite" if case == "outputs overflow" else "the loss is inf") in str(info.value)
    np.testing.assert_array_equal(net.params, before)


def test_loss_and_gradients_of_finite_batches_are_unchanged():
    net = cr.Network([cr.Dense(2, 3, "tanh"), cr.Dense(3, 1)], loss="mse", seed=0)
    X, Y = np.array([[0.1, 0.2], [0.3, -0.4]]), np.array([[0.5], [-1.0]])
    h = np.tanh(X @ net.layers[0].W + net.layers[0].b)
    out = h @ net.layers[1].W + net.layers[1].b
    assert net.loss(X, Y) == pytest.approx(float(np.mean((out - Y) ** 2)), rel=1e-12)
    dW2 = h.T @ (2 * (out - Y) / Y.size)
    np.testing.assert_allclose(net.gradients(X, Y)[1][0], dW2, rtol=1e-12)


def test_gradients_that_overflow_with_a_finite_loss_are_an_error():
    # mse: out = 1e308 * 1e-307 = 10, E = 100, but dE/dW = x * 2 (out - y) = 2e309 overflows float64
    net = cr.Network([cr.Dense(1, 1, "linear", weight_init=1e-307)], loss="mse")
    X, Y = np.array([[1e308]]), np.array([[0.0]])
    with np.errstate(over="ignore"):
        assert not np.isfinite(X[0, 0] * 2 * (X[0, 0] * 1e-307))          # the truth, by NumPy
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert net.loss(X, Y) == pytest.approx(100.0)
        with pytest.raises(errors.ValidationError, match=r"^the gradient is NaN or infinite though the loss "
                                                         r"\(100\) is finite: the inputs, or the network's "
                                                         r"weights, are too large for float64; scale the inputs$"):
            net.gradients(X, Y)


def test_step_that_diverges_raises_without_a_numpy_warning_and_changes_nothing():
    net, X, Y = _net32(), np.array([[3e38, 3e38]]), np.array([[0.0, 1.0]])
    before = net.params.copy()
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        with pytest.raises(errors.TrainingDiverged, match=r"^the loss became (inf|nan); the weights are those of "
                                                          r"the last finite step"):
            net.step(X, Y, 0.1)
    np.testing.assert_array_equal(net.params, before)


def test_step_whose_update_overflows_is_refused_before_it_changes_the_weights():
    net = cr.Network([cr.Dense(1, 1, "linear", weight_init=1.0)], loss="mse")
    X, Y = np.array([[1e3]]), np.array([[0.0]])
    lr = 1e305
    grads = net.gradients(X, Y)
    with np.errstate(over="ignore"):                                    # the truth: w - lr * dE/dw overflows
        assert not np.isfinite(net.layers[0].W - lr * grads[0][0]).all()
    before = net.params.copy()
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        with pytest.raises(errors.TrainingDiverged, match=r"^the update w - lr \* dE/dw overflows float64 "
                                                          r"\(lr=1e\+305, \|dE/dw\| up to 2e\+06\); the weights are "
                                                          r"those of the last finite step\. Try a lower"):
            net.step(X, Y, lr)
    np.testing.assert_array_equal(net.params, before)
    assert np.isfinite(net.step(X, Y, 1e-7))                           # a sane rate still steps
    assert not np.array_equal(net.params, before)


# -- CSV files: the line of a quote never closed, of an undecodable byte; "on lines 3, 5 and 9" --
def _cli(capsys, *args) -> tuple[int, str]:
    from chainrule.cli import main
    code = main([str(a) for a in args])
    err = capsys.readouterr().err.strip().splitlines()
    return code, err[-1] if err else ""


def _rows(n=11):
    return ["a,b,y"] + [f"{i / 10},{i % 3},{i % 2}" for i in range(1, n + 1)]


@pytest.fixture(scope="module")
def model(tmp_path_factory):
    from chainrule.cli import main
    folder = tmp_path_factory.mktemp("m")
    (folder / "good.csv").write_text("\n".join(_rows()) + "\n")
    assert main(["train", str(folder / "good.csv"), "--target", "y", "--epochs", "1", "--out",
                 str(folder / "m.npz"), "--quiet"]) == 0
    return folder / "m.npz"


COMMANDS = [("train", "--target", "y", "--epochs", "1", "--quiet"),
            ("train", "--stream", "--target", "y", "--epochs", "1", "--quiet"), ("predict",), ("evaluate",)]


def _run(capsys, tmp_path, model, command, path):
    if command[0] == "train":
        return _cli(capsys, "train", path, *command[1:], "--out", tmp_path / "out.npz")
    return _cli(capsys, command[0], model, path)


QUOTES = {   # file text, the line whose quote is never closed (where the text puts it)
    "on a line in the middle": ("\n".join(_rows()[:6] + ['0.6,"2,1'] + _rows()[7:]) + "\n", 7),
    "with no line end at the end": ("\n".join(_rows()[:6] + ['0.6,2,"1'] + _rows()[7:]), 7),
    "after closed quotes over lines": ('a,b,y\n1,"x\n""y"", z",0\n2,3,1\n4,"5,1\n6,7,0\n', 5),
    "in the last line": ("\n".join(_rows()[:-1] + ['1.1,"2,1']) + "\n", 12),
    "in the first data line": ('a,b,y\n1,"2,1\n3,4,0\n5,6,1\n', 2),        # before pandas' first chunk ends
    "in the header": ('a,"b,y\n1,2,1\n3,4,0\n', 1),
}


@pytest.mark.parametrize("case", list(QUOTES))
@pytest.mark.parametrize("command", COMMANDS, ids=[" ".join(c[:2]) for c in COMMANDS])
def test_a_quote_never_closed_is_named_by_the_line_that_opens_it(capsys, tmp_path, model, case, command):
    text, line = QUOTES[case]
    lines = text.splitlines()
    assert lines[line - 1].count('"') % 2 == 1                     # the truth: that line holds the open quote
    path = tmp_path / "q.csv"
    path.write_text(text)
    code, err = _run(capsys, tmp_path, model, command, path)
    assert code == 2
    assert err == (f"chainrule: error: CSV file {str(path)!r}: line {line} opens a quote (\") that is never closed, "
                   "so every line after it was read as one cell; close it (a quote inside a quoted cell is written "
                   "twice: \"\"), or remove it")


def test_read_csv_and_check_csv_name_the_open_quote_too(tmp_path):
    from chainrule.data.csvfile import read_csv
    from chainrule.data.rowcheck import check_csv
    text, line = QUOTES["on a line in the middle"]
    path = tmp_path / "q.csv"
    path.write_text(text)
    for read in (read_csv, check_csv):
        with pytest.raises(errors.ValidationError, match=f"line {line} opens a quote"):
            read(path)


def test_quoted_cells_over_several_lines_that_close_are_read_as_pandas_reads_them(tmp_path):
    pd = pytest.importorskip("pandas")
    from chainrule.data.csvfile import read_csv
    from chainrule.data.rowcheck import check_csv
    path = tmp_path / "ok.csv"
    path.write_text('a,b,y\n1,"x\n""y"", z",0\n2,"3",1\n4,"5\n",1\n')
    expected = pd.read_csv(path)
    pd.testing.assert_frame_equal(read_csv(path), expected, check_dtype=False)
    assert check_csv(path)["rows"] == len(expected)


def test_stream_names_the_line_of_a_byte_that_is_not_utf8(capsys, tmp_path, model):
    data = ("\n".join(_rows()) + "\n").encode().replace(b"0.5,2,1", b"0.5,\xe8,1")
    path = tmp_path / "l1.csv"
    path.write_bytes(data)
    line = data[:data.index(b"\xe8")].count(b"\n") + 1                 # the truth, from the bytes
    with pytest.raises(UnicodeDecodeError):
        data.decode("utf-8")
    want = (f"chainrule: error: CSV file {str(path)!r} is not UTF-8 text: byte 0xe8 on line {line} cannot be decoded; "
            "give its encoding, e.g. --encoding latin-1 (or cp1252)")
    for command in COMMANDS:
        assert _run(capsys, tmp_path, model, command, path) == (2, want), command
    from chainrule.data.chunks import iter_chunks
    with pytest.raises(errors.ValidationError, match=f"byte 0xe8 on line {line} cannot be decoded"):
        list(iter_chunks(path))


def test_on_lines_reads_as_english():
    from chainrule.data.lines import on_lines
    assert on_lines([3]) == "on line 3"
    assert on_lines([3, 5]) == "on lines 3 and 5"
    assert on_lines([3, 5, 9]) == "on lines 3, 5 and 9"
    assert on_lines(np.array([3, 5, 9, 11, 12]), 9) == "on lines 3, 5, 9, 11, 12 and 4 more"


@pytest.mark.parametrize("gaps", [[3], [3, 5], [3, 5, 9]])
@pytest.mark.parametrize("command", COMMANDS, ids=[" ".join(c[:2]) for c in COMMANDS])
def test_every_command_lists_the_lines_of_missing_values_the_same_way(capsys, tmp_path, model, command, gaps):
    rows = _rows()
    for line in gaps:                               # line L of the file is rows[L - 1]
        a, _, y = rows[line - 1].split(",")
        rows[line - 1] = f"{a},,{y}"
    path = tmp_path / "gaps.csv"
    path.write_text("\n".join(rows) + "\n")
    lines = [i + 1 for i, r in enumerate(path.read_text().splitlines()) if ",," in r]    # the truth, from the file
    assert lines == gaps
    listed = {1: "on line 3", 2: "on lines 3 and 5", 3: "on lines 3, 5 and 9"}[len(gaps)]
    code, err = _run(capsys, tmp_path, model, command, path)
    assert code == 2
    subject = "a missing value" if len(gaps) == 1 else "missing values"          # in number with the lines
    assert f"{subject} in 'b' {listed}" in err, err


@pytest.mark.parametrize("command", COMMANDS[:2] + COMMANDS[3:], ids=["train", "train --stream", "evaluate"])
def test_a_missing_target_is_listed_the_same_way(capsys, tmp_path, model, command):
    rows = _rows()
    rows[3] = rows[3].rsplit(",", 1)[0] + ","
    path = tmp_path / "ygap.csv"
    path.write_text("\n".join(rows) + "\n")
    code, err = _run(capsys, tmp_path, model, command, path)
    assert code == 2 and err.startswith("chainrule: error: target column 'y' has a missing value on line 4; "), err


def test_docs_show_the_csv_messages_as_printed(capsys, tmp_path, monkeypatch):
    """docs/errors.md's rows "quote never closed" and "missing values": the whole message train prints."""
    from pathlib import Path
    doc = (Path(__file__).parents[1] / "docs" / "errors.md").read_text()
    rows = {line.split(" | ")[0].strip("| "): line.split(" | ")[1].replace("\\|", "|") for line in doc.splitlines()
            if line.startswith(("| quote never closed |", "| missing values |"))}
    monkeypatch.chdir(tmp_path)
    Path("q.csv").write_text(QUOTES["on a line in the middle"][0])
    gaps = _rows()
    for line in (3, 5, 9):
        a, _, y = gaps[line - 1].split(",")
        gaps[line - 1] = f"{a},,{y}"
    Path("gaps.csv").write_text("\n".join(gaps) + "\n")
    for case, name in (("quote never closed", "q.csv"), ("missing values", "gaps.csv")):
        code, err = _cli(capsys, "train", name, "--target", "y", "--epochs", "1", "--quiet", "--out", "o.npz")
        assert (code, err) == (2, f"chainrule: error: {rows[case]}")


@pytest.mark.parametrize("dtype", ["bfloat16", "float16"])
def test_from_keras_low_precision_weights_say_how_to_convert(dtype, monkeypatch):
    monkeypatch.setenv("KERAS_BACKEND", "torch")
    keras = pytest.importorskip("keras")

    def build(dt):
        return keras.Sequential([keras.Input((2,)), keras.layers.Dense(3, activation="tanh", dtype=dt),
                                 keras.layers.Dense(1, dtype=dt)])
    low = build(dtype)
    with pytest.raises(errors.ValidationError) as info:
        cr.from_keras(low)
    assert str(info.value) == (f"model: the weights must all be float32 or all float64; got ['{dtype}']: build the "
                               "same model with dtype='float32' layers and copy the weights in: "
                               "new.set_weights([w.astype('float32') for w in model.get_weights()])")
    new = build("float32")                           # the advice works: the same numbers, in float32
    new.set_weights([w.astype("float32") for w in low.get_weights()])
    x = np.random.default_rng(2).normal(size=(4, 2)).astype(np.float32)
    np.testing.assert_allclose(cr.from_keras(new).predict(x), new.predict(x, verbose=0), rtol=1e-5, atol=1e-6)
    np.testing.assert_array_equal(cr.from_keras(new).layers[0].W, np.asarray(low.layers[0].kernel).astype(np.float32))
