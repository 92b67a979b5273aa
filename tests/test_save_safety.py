"""Saving never loses the previous file or the user's data, and writes nothing `load` refuses;
loading refuses what would misbehave later, naming the file."""
import errno
import io
import json
import tracemalloc
import warnings
import zipfile
from pathlib import Path

import numpy as np
import pytest
from conftest import cli, cmd  # noqa: E402

import chainrule as cr
from chainrule.errors import ChainruleTypeError, ModelFileError, ValidationError

EXAMPLES = Path(cr.__file__).parent / "data" / "examples"
ROOT = Path(__file__).parents[1]


def net(optimizer=None):
    n = cr.Network([cr.Dense(2, 3, "tanh"), cr.Dense(3, 1)], loss="mse", seed=0)
    n.fit(np.ones((4, 2)), np.ones((4, 1)), epochs=1, optimizer=optimizer or cr.optim.Adam(0.01), verbose=0)
    return n


def others(tmp_path):
    """Files of the user's that no chainrule writer may replace: data, a NumPy archive, a spreadsheet,
    a picture, notes."""
    files = {"data.csv": b"a,b\n1,2\n", "notes.txt": b"remember\n", "photo.png": b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR"}
    for name, data in files.items():
        (tmp_path / name).write_bytes(data)
    np.savez(tmp_path / "mydata.npz", x=np.arange(3))
    with zipfile.ZipFile(tmp_path / "report.xlsx", "w") as z:
        z.writestr("[Content_Types].xml", "<Types/>")
    return {name: tmp_path / name for name in [*files, "mydata.npz", "report.xlsx"]}


def test_file_kind_reads_the_content_not_the_first_bytes(tmp_path):
    from chainrule.data.filecontent import file_kind
    onnx = pytest.importorskip("onnx")
    paths = others(tmp_path)
    net().save(tmp_path / "m.npz")
    model = cr.to_onnx(net(), tmp_path / "m.onnx")
    (tmp_path / "p.csv").write_text("id,prediction,proba_a\n1,a,0.5\n")
    (tmp_path / "empty").write_bytes(b"")
    assert onnx.load(tmp_path / "m.onnx") == model
    found = {p.name: file_kind(p) for p in [*paths.values(), *(tmp_path / n for n in ("m.npz", "m.onnx", "p.csv",
                                                                                      "empty"))]}
    assert found == {"data.csv": "text", "notes.txt": "text", "photo.png": "binary", "mydata.npz": "zip",
                     "report.xlsx": "zip", "m.npz": "model", "m.onnx": "onnx", "p.csv": "csv", "empty": "empty"}
    rng = np.random.default_rng(0)            # random bytes are never taken for an ONNX model
    for _ in range(300):
        (tmp_path / "r").write_bytes(rng.integers(0, 256, size=int(rng.integers(1, 200)), dtype=np.uint8).tobytes())
        assert file_kind(tmp_path / "r") != "onnx"


def test_save_and_to_onnx_never_replace_other_data(tmp_path):
    pytest.importorskip("onnx")
    paths = others(tmp_path)
    before = {p: p.read_bytes() for p in paths.values()}
    n = net()
    for path in paths.values():
        for write in (n.save, lambda p: cr.to_onnx(n, p)):
            with pytest.raises(ValidationError, match=f"{path.name}' exists and holds .*: writing there would lose "
                                                      "it. Give another file name, or remove that file first"):
                write(path)
    assert {p: p.read_bytes() for p in paths.values()} == before
    with pytest.raises(ValidationError, match="holds a zip archive chainrule did not write"):
        n.save(paths["mydata.npz"])
    # a file of the kind written is replaced: the normal workflow
    n.save(tmp_path / "m.npz")
    n.params[:] += 1
    n.save(tmp_path / "m.npz")
    np.testing.assert_array_equal(cr.load(tmp_path / "m.npz").params, n.params)
    cr.to_onnx(n, tmp_path / "m.onnx")
    cr.to_onnx(n, tmp_path / "m.onnx")
    damaged = (tmp_path / "m.npz").read_bytes()
    for part in (damaged[:len(damaged) // 2], damaged[len(damaged) // 2:]):   # a damaged model is still a model
        (tmp_path / "m.npz").write_bytes(part)
        n.save(tmp_path / "m.npz")
        np.testing.assert_array_equal(cr.load(tmp_path / "m.npz").params, n.params)
    with pytest.raises(ValidationError, match="holds a chainrule model, not an ONNX model"):
        cr.to_onnx(n, tmp_path / "m.npz")
    with pytest.raises(ValidationError, match="holds an ONNX model, not a chainrule model"):
        n.save(tmp_path / "m.onnx")


def test_a_read_only_file_is_not_replaced(tmp_path):
    net().save(tmp_path / "m.npz")
    (tmp_path / "m.npz").chmod(0o444)
    kept = (tmp_path / "m.npz").read_bytes()
    n = net()
    n.params[:] += 1
    with pytest.raises(PermissionError, match=r"Read-only file \(mode 0444\): not replaced, as cp would refuse; "
                                              r"make it writable \(chmod u\+w\)") as info:
        n.save(tmp_path / "m.npz")
    assert info.value.filename == str(tmp_path / "m.npz")
    assert (tmp_path / "m.npz").read_bytes() == kept and (tmp_path / "m.npz").stat().st_mode & 0o777 == 0o444


@pytest.mark.parametrize("name,says", [("m.keras", "a Keras model's"), ("m.onnx", "an ONNX model's"),
                                       ("m.pt", "a PyTorch file's"), ("m.csv", "a CSV file's"),
                                       ("m.json", "a JSON file's")])
def test_save_refuses_a_name_of_another_format(tmp_path, name, says):
    """m.keras was written as a chainrule .npz, which `chainrule info m.keras` then read as Keras."""
    with pytest.raises(ValidationError, match=rf"{name}': \.{name[2:]} is {says} ending .* this writes a chainrule "
                                              r"model \(.npz\), .* Give a name ending in .npz"):
        net().save(tmp_path / name)
    assert not list(tmp_path.iterdir())


def test_to_onnx_refuses_a_model_name(tmp_path):
    pytest.importorskip("onnx")
    with pytest.raises(ValidationError, match=r"m.npz': .npz is a chainrule model's ending .*Give a name ending "
                                              r"in .onnx"):
        cr.to_onnx(net(), tmp_path / "m.npz")
    assert not list(tmp_path.iterdir())



def test_the_command_line_checks_the_real_format(tmp_path):
    """Any zip counted as a model, any binary as ONNX, any text as a CSV of predictions."""
    pytest.importorskip("onnx")
    paths = others(tmp_path)
    before = {p: p.read_bytes() for p in paths.values()}
    train = ("train", EXAMPLES / "iris.csv", "--target", "species", "--epochs", "1", "--quiet")
    r = cli(*train, "--out", paths["mydata.npz"])
    assert r.returncode == 2 and "exists and holds a zip archive chainrule did not write" in r.stderr
    r = cli(*train, "--out", tmp_path / "mdl.onnx")            # refused before training
    assert r.returncode == 2 and ".onnx is an ONNX model's ending" in r.stderr
    assert cli(*train, "--out", tmp_path / "m.npz").returncode == 0
    r = cli("predict", tmp_path / "m.npz", EXAMPLES / "iris.csv", "--out", paths["notes.txt"])
    assert r.returncode == 2 and "holds text without a 'prediction' column" in r.stderr
    r = cli("export", tmp_path / "m.npz", paths["photo.png"])   # refused by its name, as argparse reads it
    assert r.returncode == 2 and "argument out: must end in .onnx" in r.stderr
    fake = tmp_path / "photo.onnx"                                 # a binary named as ONNX: refused by its bytes
    fake.write_bytes(paths["photo.png"].read_bytes())
    r = cli("export", tmp_path / "m.npz", fake)
    assert r.returncode == 2 and "holds binary data, not an ONNX model" in r.stderr
    assert fake.read_bytes() == paths["photo.png"].read_bytes()
    assert {p: p.read_bytes() for p in paths.values()} == before
    names = [*(p.name for p in paths.values()), "m.npz", "photo.onnx"]
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(names)


def test_model_checkpoint_never_replaces_other_data(tmp_path):
    (tmp_path / "best.npz").write_text("a,b\n1,2\n")
    n = cr.Network([cr.Dense(2, 1)], loss="mse", seed=0)
    with pytest.raises(ValidationError, match="best.npz' exists and holds text"):
        n.fit(np.ones((4, 2)), np.ones((4, 1)), epochs=1, verbose=0,
              callbacks=[cr.ModelCheckpoint(str(tmp_path / "best.npz"))])
    assert (tmp_path / "best.npz").read_text() == "a,b\n1,2\n"


# -- save writes only what load reads, checked before the previous file is touched -----------------------
def test_save_refuses_what_load_would_refuse_and_keeps_the_previous_file(tmp_path):
    path = tmp_path / "ex.npz"
    net().save(path)
    kept = path.read_bytes()
    n = net()
    with pytest.raises(ChainruleTypeError, match="extra must be a dict .*; got str"):
        cr.save(n, path, extra="notadict")
    with pytest.raises(ChainruleTypeError, match=r"extra has the key 1 \(int\): JSON keys are text, so it would "
                                                 "load back as '1'"):
        cr.save(n, path, extra={1: "a"})
    with pytest.raises(ChainruleTypeError, match=r"extra\['x'\] is a set"):
        cr.save(n, path, extra={"x": {1}})
    for bad in (2.0, -1, 10**20):
        n.epochs_trained = bad
        with pytest.raises(ValidationError, match=f"cannot save .*ex.npz': epochs_trained must be an integer from 0 "
                                                  f"to 2\\*\\*53; got {bad}; load would refuse such a file"):
            n.save(path)
    n.epochs_trained = 0
    n.optimizer.state["exp_avg_sq"][:] = -5
    with pytest.raises(ValidationError, match="cannot save: the optimizer state 'exp_avg_sq'"):
        n.save(path)
    assert path.read_bytes() == kept and sorted(p.name for p in tmp_path.iterdir()) == ["ex.npz"]


def test_numpy_scalars_are_saved_as_numbers(tmp_path):
    n = net()
    n.epochs_trained = np.int64(3)
    cr.save(n, tmp_path / "m.npz", extra={"x": np.float32(1.5), "ok": np.bool_(True), "k": [np.uint8(7)]})
    back, extra = cr.load(tmp_path / "m.npz", with_extra=True)
    assert back.epochs_trained == 3 and type(back.epochs_trained) is int
    assert extra == {"x": 1.5, "ok": True, "k": [7]} and type(extra["x"]) is float and type(extra["ok"]) is bool


def test_a_full_disk_names_the_file_and_keeps_the_previous_one(tmp_path, monkeypatch, capsys):
    path = tmp_path / "m.npz"
    net().save(path)
    kept = path.read_bytes()

    def full(f, **arrays):
        f.write(b"PK\x03\x04 part")
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(cr.saving.npz.np, "savez", full)
    with pytest.raises(OSError, match=r"No space left on device \(not saved: the previous file, if any, is "
                                      r"unchanged\)") as info:
        net().save(path)
    assert info.value.errno == errno.ENOSPC and info.value.filename == str(path)
    assert path.read_bytes() == kept and sorted(p.name for p in tmp_path.iterdir()) == ["m.npz"]
    pytest.importorskip("pandas")
    from chainrule.cli import main
    code = main(["train", str(EXAMPLES / "iris.csv"), "--target", "species", "--epochs", "1", "--quiet",
                 "--out", str(path)])
    assert code == 4 and capsys.readouterr().err.splitlines()[-1] == ("chainrule: error: no space left on device "
                                                                      "(not saved: the previous file, if any, is "
                                                                      f"unchanged): {str(path)!r}")
    assert path.read_bytes() == kept


# -- crafted files: refused naming the file and what is wrong --------------------------------------------
def entries(path):
    with np.load(path, allow_pickle=False) as data:
        return {k: data[k] for k in data.files}


def crafted(tmp_path, n, change, compressed=False):
    n.save(tmp_path / "good.npz")
    e = entries(tmp_path / "good.npz")
    header = json.loads(str(e["__format__"]))
    change(e, header)
    e["__format__"] = np.array(json.dumps(header))
    with open(tmp_path / "bad.npz", "wb") as f:
        (np.savez_compressed if compressed else np.savez)(f, **e)
    return tmp_path / "bad.npz"


def test_negative_squared_gradient_state_is_refused_on_load(tmp_path):
    """Loaded, it made the next fit raise TrainingDiverged advising a lower learning rate."""
    for opt, name in ((cr.optim.Adam(0.01), "exp_avg_sq"), (cr.optim.RMSprop(0.01), "square_avg"),
                      (cr.optim.Adagrad(0.01), "sum"), (cr.optim.Adam(0.01, amsgrad=True), "max_exp_avg_sq")):
        path = crafted(tmp_path, net(opt), lambda e, h, name=name: e[f"opt.{name}"].__setitem__(2, -5.0))
        with pytest.raises(ModelFileError, match=f"bad.npz': the optimizer state '{name}' .* holds -5.0 at index 2: "
                                                 "the file is damaged or crafted"):
            cr.load(path)
    path = crafted(tmp_path, net(cr.optim.Adam(0.01)), lambda e, h: e["opt.exp_avg"].__setitem__(2, -5.0))
    assert cr.load(path).optimizer.state["exp_avg"][2] == -5.0        # a first moment may be negative


def test_a_schedule_decayed_to_zero_warns_on_load(tmp_path):
    def at(epoch, schedule):
        return crafted(tmp_path, net(cr.optim.SGD(schedule)), lambda e, h: h["optimizer"].update(epoch=epoch))
    for epoch in (10**6, 10**15):
        with pytest.warns(UserWarning, match=f"bad.npz': the optimizer's learning-rate schedule ExponentialLR gives "
                                             f"0.0 at its stored epoch {epoch} and after: fitting this network "
                                             "further would not change its weights"):
            assert cr.load(at(epoch, cr.optim.ExponentialLR(0.1, 0.5))).optimizer.lr == 0.0
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert cr.load(at(10, cr.optim.CosineAnnealingLR(0.1, 10))).optimizer.lr == 0.0     # rises again after
        assert cr.load(at(5, cr.optim.ExponentialLR(0.1, 0.5))).optimizer.lr == 0.1 * 0.5**5


@pytest.mark.parametrize("key", ["epoch", "t"])
def test_an_absurd_step_or_epoch_count_is_refused_by_name(tmp_path, key):
    path = crafted(tmp_path, net(cr.optim.SGD(cr.optim.CosineAnnealingLR(0.1, 10))),
                   lambda e, h: h["optimizer"].update({key: 10**400}))
    with pytest.raises(ModelFileError, match=f"bad.npz': the optimizer's {key} must be an integer from 0 to "
                                             r"2\*\*53; got 1000000000"):
        cr.load(path)


def test_a_missing_optimizer_state_is_named_alone(tmp_path):
    path = crafted(tmp_path, net(), lambda e, h: e.pop("opt.exp_avg_sq"))
    with pytest.raises(ModelFileError) as info:
        cr.load(path)
    assert str(info.value) == (f"{str(path)!r}: missing entries ['opt.exp_avg_sq'] (the description lists those the "
                               "file holds)")


def test_a_description_declaring_more_than_the_file_holds_is_refused_before_allocating(tmp_path):
    """40 texts of 500M characters: 'MemoryError: Unable to allocate 74.5 GiB'."""
    path = crafted(tmp_path, net(), lambda e, h: None)
    with zipfile.ZipFile(path) as z:
        members = {name: z.read(name) for name in z.namelist()}
    f = io.BytesIO(members["__format__.npy"])
    np.lib.format.read_magic(f)
    np.lib.format.read_array_header_1_0(f)
    out = io.BytesIO()
    np.lib.format.write_array_header_1_0(out, {"descr": "<U500000000", "fortran_order": False, "shape": (40,)})
    data = f.read()                 # the bytes after the header: what the entry holds
    members["__format__.npy"] = out.getvalue() + data
    with zipfile.ZipFile(path, "w") as z:
        for name, member in members.items():
            z.writestr(name, member)
    with pytest.raises(ModelFileError) as info:
        cr.load(path)
    said = (f"entry '__format__' holds {len(data)} bytes, fewer than its 40 values need (80000000000 bytes of "
            "<U500000000; truncated or crafted)")
    assert str(info.value) == f"{str(path)!r}: {said}"
    row = next(line for line in (ROOT / "docs" / "errors.md").read_text().splitlines()
               if line.startswith("| load an entry larger than its data |"))
    assert f"| 'DIR/bad.npz': {said} |" in row, row         # the documented row is this message


def test_a_compressed_zip_bomb_is_refused_before_reading(tmp_path):
    """A 234 KB deflated file declaring 30M parameters loaded with 723 MB."""
    big = cr.Network([cr.Dense(4000, 3000), cr.Dense(3000, 1)], loss="mse", seed=0)
    big.params[:] = 0.0
    path = crafted(tmp_path, big, lambda e, h: None, compressed=True)
    del big
    size = path.stat().st_size
    assert size < 200_000 and 12_000_000 * 8 > 50 * size + 64 * 2**20
    tracemalloc.start()
    with pytest.raises(ModelFileError, match=rf"bad.npz': its compressed members expand from {size} to \d+ bytes, "
                                             r"\d+ times the file .*refused before reading, as a possible zip bomb"):
        cr.load(path)
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    assert peak < 10 * 2**20
    small = crafted(tmp_path, net(), lambda e, h: None, compressed=True)       # a small compressed file loads
    np.testing.assert_array_equal(cr.load(small).params, cr.load(tmp_path / "good.npz").params)


def test_a_bad_csv_preprocessing_names_the_model_file(tmp_path):
    pytest.importorskip("pandas")
    model = tmp_path / "m.npz"
    r = cmd("train", EXAMPLES / "iris.csv", "--target", "species", "--epochs", "1", "--quiet", "--out", model)
    assert r.returncode == 0, r.stderr
    n, extra = cr.load(model, with_extra=True)
    extra["tabular"]["scales"][0] = 0.0
    cr.save(n, model, extra=extra)
    r = cmd("predict", model, EXAMPLES / "iris.csv")
    assert r.returncode == 2
    assert f"chainrule: error: '{model}': the model file's CSV preprocessing is invalid: 'scales' must be" in r.stderr
