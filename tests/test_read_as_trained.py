"""predict, evaluate and explain --data read a file as train read its own: the model file keeps the
separator and encoding (given or detected) beside the marks; a given option wins; the detection
still reads a file written with another separator. Wrong separators and missing columns are said as such."""
import io

import numpy as np
import pytest

pd = pytest.importorskip("pandas")
from conftest import cli_in_process as cli  # noqa: E402
from conftest import iris_table  # noqa: E402

import chainrule as cr  # noqa: E402
from chainrule.cli import main  # noqa: E402
from chainrule.data.tabular import Preprocessing  # noqa: E402
from chainrule.errors import ModelFileError, ValidationError  # noqa: E402


def table(n=80, seed=0):
    rng = np.random.default_rng(seed)
    d = pd.DataFrame({"size, cm": rng.uniform(1, 9, n).round(2), "weight, kg": rng.uniform(10, 90, n).round(2),
                      "city": rng.choice(["Genève", "Zürich", "Bern"], n)})
    d["label"] = np.where(d["size, cm"] + d["weight, kg"] / 10 > 9, "big", "small")
    return d


@pytest.fixture(scope="module")
def european(tmp_path_factory):
    """A ';' file with decimal commas and commas in the column names, in Latin-1: ',' splits every line
    evenly too (the separator is ambiguous) and the text is not UTF-8; and the model trained on it."""
    folder = tmp_path_factory.mktemp("eu")
    d = table()
    text = d.to_csv(sep=";", index=False, decimal=",", float_format="%.2f")
    path = folder / "eu.csv"
    path.write_bytes(text.encode("latin-1"))
    model = folder / "eu.npz"
    assert main(["train", str(path), "--target", "label", "--sep", ";", "--decimal", ",", "--encoding", "latin-1",
                 "--epochs", "3", "--out", str(model), "--quiet", "--checkpoint-dir", str(folder / "ck")]) == 0
    return d, path, model, folder / "ck" / "checkpoint.npz"


def library_outputs(model, path, **read):
    """The network's outputs for the file read by pandas itself with `read`: the truth predict must match."""
    net, extra = cr.load(model, with_extra=True)
    pre = Preprocessing.from_json(extra["tabular"])
    return net.predict(pre.transform(pd.read_csv(path, **read)))


def test_predict_evaluate_and_explain_read_the_file_as_train_did(european, capsys):
    """The model kept --sep ';' and --encoding latin-1: without them predict said the separator was
    ambiguous, and then that the file was not UTF-8 text."""
    d, path, model, _ = european
    code, out, err = cli(capsys, "predict", model, path, "--proba")
    assert code == 0, err
    assert "separator ';' (the model's), encoding latin-1 (the model's)" in err
    got = pd.read_csv(io.StringIO(out))
    truth = library_outputs(model, path, sep=";", decimal=",", encoding="latin-1")
    np.testing.assert_allclose(got[["proba_big", "proba_small"]].to_numpy(), truth, rtol=1e-12)
    code, out, err = cli(capsys, "evaluate", model, path)
    assert code == 0, err
    accuracy = float(next(line for line in out.splitlines() if line.startswith("accuracy")).split()[1])
    assert accuracy == pytest.approx((np.array(["big", "small"])[truth.argmax(1)] == d["label"]).mean())
    code, out, err = cli(capsys, "explain", "--model", model, "--data", path, "--row", "3", "--layer", "0",
                         "--neuron", "0")
    assert code == 0, err
    assert f"{d['city'][2]!r} ->" in out         # the row's city as written in Latin-1, not mojibake


def test_a_given_separator_or_encoding_wins(european, capsys):
    d, path, model, _ = european
    code, _, err = cli(capsys, "predict", model, path, "--encoding", "utf-8")
    assert code == 2 and "is not utf-8 text: byte 0x" in err
    code, _, err = cli(capsys, "predict", model, path, "--sep", ",")
    assert code == 2 and "the model was trained on columns" in err and "separator ',', encoding latin-1" in err


def test_the_checkpoints_read_as_the_model(european, capsys):
    """train's checkpoints carry the preprocessing: their separator and encoding too."""
    _, path, model, checkpoint = european
    code, out, err = cli(capsys, "predict", checkpoint, path)
    assert code == 0, err
    np.testing.assert_array_equal(pd.read_csv(io.StringIO(out))["prediction"],
                                  np.array(["big", "small"])[library_outputs(checkpoint, path, sep=";", decimal=",",
                                                                              encoding="latin-1").argmax(1)])


def test_a_file_in_another_separator_is_detected(european, tmp_path, capsys):
    """The model's ';' does not split a comma file's header into its columns: the detected ',' reads it."""
    d, path, model, _ = european
    comma = tmp_path / "comma.csv"
    d.to_csv(comma, index=False, encoding="latin-1")
    code, out, err = cli(capsys, "predict", model, comma, "--decimal", ".")
    assert code == 0, err
    assert "separator ',' (detected: the model's ';' does not split the header into its columns)" in err
    np.testing.assert_array_equal(pd.read_csv(io.StringIO(out))["prediction"],
                                  np.array(["big", "small"])[library_outputs(model, comma, encoding="latin-1")
                                                             .argmax(1)])
    code, out, err = cli(capsys, "explain", "--model", model, "--data", comma, "--decimal", ".", "--layer", "0",
                         "--neuron", "0")
    assert code == 0, err


def test_a_model_file_without_them_reads_as_before(european, tmp_path, capsys):
    """A model written before the separator and encoding were kept: detected, UTF-8 unless told."""
    from chainrule.saving.npz import save
    _, path, model, _ = european
    net, extra = cr.load(model, with_extra=True)
    for key in ("sep", "encoding"):
        del extra["tabular"][key]
    old = tmp_path / "old.npz"
    save(net, old, extra=extra)
    code, _, err = cli(capsys, "predict", old, path)
    assert code == 2 and "is not UTF-8 text" in err
    code, _, err = cli(capsys, "predict", old, path, "--encoding", "latin-1")
    assert code == 2 and "the separator is ambiguous" in err
    code, out, err = cli(capsys, "predict", old, path, "--encoding", "latin-1", "--sep", ";")
    assert code == 0, err
    assert "separator ';', encoding latin-1\n" in err


def test_the_stored_separator_and_encoding_are_checked(european):
    _, _, model, _ = european
    stored = cr.load(model, with_extra=True)[1]["tabular"]
    assert Preprocessing.from_json(dict(stored)).to_json() == stored
    for key, bad in (("sep", "ab"), ("sep", '"'), ("encoding", "no-such-codec"), ("encoding", 8)):
        with pytest.raises(ModelFileError, match=f"'{key}' must be"):
            Preprocessing.from_json({**stored, key: bad})


@pytest.fixture(scope="module")
def iris(tmp_path_factory):
    folder = tmp_path_factory.mktemp("iris")
    d = iris_table()
    d.to_csv(folder / "iris.csv", index=False)
    model = folder / "iris.npz"
    assert main(["train", str(folder / "iris.csv"), "--target", "species", "--epochs", "2", "--out", str(model),
                 "--quiet"]) == 0
    return d, folder / "iris.csv", model


def test_explain_takes_the_reading_options_predict_takes(iris, tmp_path, capsys):
    """explain --data had no --decimal, --thousands, --sep: a European copy of the file could not be read."""
    d, path, model = iris
    eu = tmp_path / "eu.csv"
    d.to_csv(eu, sep=";", decimal=",", index=False)
    runs = [cli(capsys, "explain", "--model", model, "--data", f, "--row", "7", "--layer", "0", "--neuron", "1", *o)
            for f, o in ((path, ()), (eu, ("--decimal", ",", "--sep", ";")))]
    assert [code for code, _, _ in runs] == [0, 0], runs[1][2]
    first, second = ([line for line in out.splitlines() if not line.startswith("sample:")] for _, out, _ in runs)
    assert first == second and any("standardised" in line for line in first)
    code, _, err = cli(capsys, "explain", "--model", model, "--inputs", "1,2,3,4", "--targets", "setosa",
                       "--decimal", ",")
    assert code == 2 and "--decimal needs --data" in err


def test_every_missing_column_is_named(iris, tmp_path, capsys):
    """check_columns (and explain --data) named only the first of the columns a file lacked."""
    d, path, model = iris
    pre = Preprocessing.from_json(cr.load(model, with_extra=True)[1]["tabular"])
    lacking = ["sepal width (cm)", "petal width (cm)"]
    with pytest.raises(ValidationError, match=r"columns \['sepal width \(cm\)', 'petal width \(cm\)'\] are missing"):
        pre.transform(d.drop(columns=lacking))
    part = tmp_path / "part.csv"
    d.drop(columns=lacking).to_csv(part, index=False)
    for args in (("predict", model, part), ("evaluate", model, part), ("explain", "--model", model, "--data", part)):
        code, _, err = cli(capsys, *args)
        assert code == 2 and "columns ['sepal width (cm)', 'petal width (cm)'] are missing" in err, err


@pytest.mark.parametrize("stream", [(), ("--stream",)])
@pytest.mark.parametrize("sep, given, shown", [(",", ";", "','"), ("\t", ",", "tab"), (";", "|", "';'")])
def test_a_wrong_separator_is_said_not_a_missing_target(iris, tmp_path, capsys, stream, sep, given, shown):
    """train --sep ';' on a comma file said the target was not in the file."""
    d, _, model = iris
    path = tmp_path / "data.csv"
    d.to_csv(path, sep=sep, index=False)
    header = path.read_text().splitlines()[0]
    code, _, err = cli(capsys, "train", path, "--target", "species", "--sep", given, "--epochs", "1",
                       "--out", tmp_path / "m.npz", *stream)
    assert code == 2 and f"the header was read as one column {header[:30]!r}"[:-1] in err, err
    assert f"with --sep {given!r}: is the separator {shown}? (give --sep {shown})" in err
    assert "target column" not in err
    if stream:
        return
    for command in (("predict", model), ("evaluate", model), ("explain", "--model", model, "--data")):
        code, _, err = cli(capsys, *command, path, "--sep", given)
        assert code == 2 and f"is the separator {shown}? (give --sep {shown})" in err, err


def test_train_stream_keeps_them_too(european, tmp_path, capsys):
    """train --stream reads the file in chunks: the separator and encoding it read with are kept alike."""
    _, path, _, _ = european
    model = tmp_path / "stream.npz"
    code, _, err = cli(capsys, "train", path, "--target", "label", "--sep", ";", "--decimal", ",", "--encoding",
                       "latin-1", "--epochs", "1", "--out", model, "--quiet", "--stream")
    assert code == 0, err
    code, out, err = cli(capsys, "predict", model, path, "--proba")
    assert code == 0, err
    np.testing.assert_allclose(pd.read_csv(io.StringIO(out))[["proba_big", "proba_small"]].to_numpy(),
                               library_outputs(model, path, sep=";", decimal=",", encoding="latin-1"), rtol=1e-12)
