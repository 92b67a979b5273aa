"""Resume only the run that wrote the checkpoint; never lose or hide a checkpoint; CLI checkpoints are models."""
import json

import numpy as np
import pytest
from conftest import cli, cmd  # noqa: E402

import chainrule as cr
from chainrule.saving.checkpoint import checkpoint_path, read_history

pd = pytest.importorskip("pandas")



def problem(n=300):
    rng = np.random.default_rng(0)
    X = rng.normal(size=(n, 5))
    y = (X[:, 0] * X[:, 1] > 0).astype(int)
    net = cr.Network([cr.Dense(5, 6, "tanh"), cr.Dense(6, 2, "softmax")], loss="categorical_crossentropy", seed=1)
    return net, X, y


class Interrupt(cr.callbacks.Callback):
    """Ctrl-C as epoch `at` begins: the checkpoint of the epoch before is written."""

    def __init__(self, at):
        self.at = at

    def on_epoch_begin(self, epoch):
        if epoch == self.at:
            raise KeyboardInterrupt


@pytest.mark.parametrize("kind", ["memmap", "sparse"])
def test_resume_refuses_other_values_of_lazy_inputs(tmp_path, kind):
    """A memmap or CSR X was fingerprinted by its shape only: other values of that shape resumed."""
    net, X, y = problem()
    edited = X.copy()
    edited[5, 1] += 1.0
    if kind == "memmap":
        np.save(tmp_path / "X.npy", X)
        np.save(tmp_path / "E.npy", edited)
        X, edited = np.load(tmp_path / "X.npy", mmap_mode="r"), np.load(tmp_path / "E.npy", mmap_mode="r")
    else:
        import scipy.sparse as sp
        X, edited = sp.csr_matrix(X), sp.csr_matrix(edited)
    args = dict(epochs=4, verbose=0, validation_split=0.2, checkpoint_dir=tmp_path / "ck")
    with pytest.raises(KeyboardInterrupt):
        net.fit(X, y, callbacks=[Interrupt(2)], **args)
    again, _, _ = problem()
    with pytest.raises(cr.errors.ValidationError, match=r"what differs: the inputs X \(same shape \[240, 5\], "
                                                        r"other values\)"):
        again.fit(edited, y, resume=True, **args)
    again.fit(X, y, resume=True, **args)                   # the same data resumes
    assert again.epochs_trained == 4


def table(path, n=600, edit=False):
    rng = np.random.default_rng(2)
    df = pd.DataFrame(rng.normal(size=(n, 5)).round(4), columns=[f"x{i}" for i in range(5)])
    df["city"] = rng.choice(["oslo", "rome", "lima"], n)
    df["label"] = np.where(df.x0 + df.x1 > 0, "yes", "no")
    if edit:
        df.loc[5, ["x2", "x3"]] = [9.5, -9.5]
    df.to_csv(path, index=False)
    return path


@pytest.mark.parametrize("more", [[], ["--stream", "--chunk-rows", "100"]])
def test_cli_resume_refuses_an_edited_file(tmp_path, more):
    """With a text column (a sparse X) or --stream (X in a temporary file), two numbers changed in
    one row resumed: 'resumed from epoch 2 of 4'."""
    ck = tmp_path / "ck"
    base = ["--target", "label", "--seed", "1", "--checkpoint-dir", ck, "--out", tmp_path / "m.npz", *more]
    r = cli("train", table(tmp_path / "d.csv"), *base, "--epochs", "2")
    assert r.returncode == 0, r.stderr
    r = cli("train", table(tmp_path / "e.csv", edit=True), *base, "--epochs", "4", "--resume")
    assert r.returncode == 2 and "cannot resume from" in r.stderr, r.stderr
    assert "the inputs (the CSV's rows and columns;" in r.stderr and "(same shape" in r.stderr, r.stderr
    r = cli("train", tmp_path / "d.csv", *base, "--epochs", "4", "--resume")
    assert r.returncode == 0 and "resumed from epoch 2 of 4" in r.stderr, r.stderr


def test_a_failing_new_run_keeps_the_finished_run(tmp_path):
    """A new run in a finished run's folder emptied history.jsonl before training: failing in its
    first epoch (a ModelCheckpoint in a folder that is a file, Ctrl-C) left a checkpoint of epoch 5 with
    0 lines of history, which resume refused."""
    ck = tmp_path / "ckH"
    net, X, y = problem()
    net.fit(X, y, epochs=5, verbose=0, checkpoint_dir=ck)
    kept = checkpoint_path(ck).read_bytes(), (ck / "history.jsonl").read_bytes()
    trained = []

    class Count(cr.callbacks.Callback):
        def on_batch_end(self, batch, logs):
            trained.append(batch)

    (tmp_path / "file").write_text("")        # a folder that cannot be made (Keras makes a missing one)
    with pytest.raises(NotADirectoryError, match=r"ModelCheckpoint: the folder of filepath, '.*/file', is a file"):
        problem()[0].fit(X, y, epochs=5, verbose=0, checkpoint_dir=ck,
                         callbacks=[Count(), cr.ModelCheckpoint(str(tmp_path / "file" / "m.npz"))])
    assert trained == []                                            # refused before any training
    with pytest.raises(KeyboardInterrupt):
        problem()[0].fit(X, y, epochs=5, verbose=0, checkpoint_dir=ck, callbacks=[Interrupt(0)])
    assert (checkpoint_path(ck).read_bytes(), (ck / "history.jsonl").read_bytes()) == kept
    again = problem()[0]
    again.fit(X, y, epochs=5, verbose=0, checkpoint_dir=ck, resume=True)
    np.testing.assert_array_equal(again.params, net.params)
    # a new run that trains replaces both at its first epoch
    problem()[0].fit(X, y, epochs=2, verbose=0, checkpoint_dir=ck)
    assert len(read_history(ck)[1]) == 2
    assert cr.load(checkpoint_path(ck), with_extra=True)[1]["checkpoint"]["epoch"] == 2


@pytest.mark.parametrize("filepath,error,message", [
    ("m-{loss:03d}.npz", cr.errors.ValidationError, r"cannot be filled with the epoch and the logs' numbers "
                                                    r"\(ValueError: Unknown format code 'd'"),
    ("m{}.npz", cr.errors.ValidationError, "IndexError"),
    ("", IsADirectoryError, "ModelCheckpoint: Cannot write a file there: it is a folder")])
def test_model_checkpoint_checks_its_path_before_training(tmp_path, filepath, error, message):
    net, X, y = problem()
    before = net.params.copy()
    with pytest.raises(error, match=message):
        net.fit(X, y, epochs=2, verbose=0, callbacks=[cr.ModelCheckpoint(str(tmp_path / filepath))])
    np.testing.assert_array_equal(net.params, before)


def rewrite_header(path, change):
    with np.load(path, allow_pickle=False) as data:
        entries = {k: data[k] for k in data.files}
    header = json.loads(str(entries["__format__"]))
    change(header)
    entries["__format__"] = np.array(json.dumps(header))
    with open(path, "wb") as f:
        np.savez(f, **entries)


def test_a_new_run_refuses_a_checkpoint_it_cannot_read(tmp_path):
    """A checkpoint of a newer format (or not a checkpoint) was taken for none: a new run replaced it."""
    ck = tmp_path / "ck"
    net, X, y = problem()
    with pytest.raises(KeyboardInterrupt):
        net.fit(X, y, epochs=5, verbose=0, checkpoint_dir=ck, callbacks=[Interrupt(2)])
    rewrite_header(checkpoint_path(ck), lambda h: h.update(version=4))
    kept = checkpoint_path(ck).read_bytes(), (ck / "history.jsonl").read_bytes()
    with pytest.raises(cr.errors.ModelFileError, match=r"checkpoint.npz' cannot be read, so a new run would replace "
                       r"what may be an unfinished run: .*format version 4.*; to start afresh, delete .*checkpoint.npz"
                       r"' and history.jsonl beside it, or use another checkpoint_dir"):
        problem()[0].fit(X, y, epochs=5, verbose=0, checkpoint_dir=ck)
    assert (checkpoint_path(ck).read_bytes(), (ck / "history.jsonl").read_bytes()) == kept
    (tmp_path / "other").mkdir()
    problem()[0].save(checkpoint_path(tmp_path / "other"))          # a model, not a checkpoint
    with pytest.raises(cr.errors.ModelFileError, match="is a model file, not a training checkpoint: a new run would "
                                                       "overwrite it"):
        problem()[0].fit(X, y, epochs=5, verbose=0, checkpoint_dir=tmp_path / "other")


def test_cli_checkpoint_predicts_and_says_what_it_is(tmp_path):
    """`chainrule predict DIR/checkpoint.npz` said it was a model without CSV preprocessing: an
    interrupted run's checkpoint could not predict; `info` did not say it was a checkpoint."""
    ck, out = tmp_path / "ckK", tmp_path / "t.npz"
    data = table(tmp_path / "d.csv")
    r = cmd("train", data, "--target", "label", "--epochs", "2", "--quiet", "--checkpoint-dir", ck, "--out", out)
    assert r.returncode == 0, r.stderr
    from_checkpoint = cmd("predict", ck / "checkpoint.npz", data, "--out", "-")
    assert from_checkpoint.returncode == 0, from_checkpoint.stderr
    assert from_checkpoint.stdout == cmd("predict", out, data, "--out", "-").stdout     # the final epoch's weights
    assert from_checkpoint.stdout.splitlines()[0] == "prediction" and len(from_checkpoint.stdout.splitlines()) == 601
    info = cmd("info", ck / "checkpoint.npz")
    assert "training checkpoint of epoch 2 of 2\n" in info.stdout and "resume with" not in info.stdout  # finished
    assert "training checkpoint" not in cmd("info", out).stdout


def test_info_suggests_resuming_only_an_unfinished_run(tmp_path):
    """`info` on the checkpoint of a finished run (epoch 4 of 4) said "(resume with ...)"."""
    net, X, y = problem()
    with pytest.raises(KeyboardInterrupt):
        net.fit(X, y, epochs=4, verbose=0, checkpoint_dir=tmp_path / "ck", callbacks=[Interrupt(2)])
    said = cmd("info", checkpoint_path(tmp_path / "ck")).stdout
    assert "training checkpoint of epoch 2 of 4 (resume with fit(..., checkpoint_dir=..., resume=True))" in said
    problem()[0].fit(X, y, epochs=4, verbose=0, checkpoint_dir=tmp_path / "ck", resume=True)
    said = cmd("info", checkpoint_path(tmp_path / "ck")).stdout
    assert "training checkpoint of epoch 4 of 4\n" in said and "resume with" not in said, said


def test_cli_checkpoints_record_the_weight_column(tmp_path):
    """The final model recorded --weight, the checkpoints did not: `info` and `evaluate` on a
    checkpoint did not know the rows had been weighted."""
    data = table(tmp_path / "d.csv")
    df = pd.read_csv(data)
    df["w"] = np.linspace(0.5, 2.0, len(df)).round(3)
    df.to_csv(data, index=False)
    ck, out = tmp_path / "ck", tmp_path / "m.npz"
    r = cmd("train", data, "--target", "label", "--weight", "w", "--epochs", "2", "--quiet", "--checkpoint-dir", ck,
            "--out", out)
    assert r.returncode == 0, r.stderr
    saved = cr.load(checkpoint_path(ck), with_extra=True)[1]
    final = cr.load(out, with_extra=True)[1]
    assert saved["weight"] == final["weight"] == "w" and saved["tabular"] == final["tabular"]
    assert "sample weights: trained with --weight 'w'" in cmd("info", checkpoint_path(ck)).stdout


def test_an_empty_checkpoint_dir_is_refused(tmp_path, monkeypatch):
    """'' was the current folder: checkpoint.npz and history.jsonl were written there."""
    monkeypatch.chdir(tmp_path)
    net, X, y = problem()
    with pytest.raises(cr.errors.ValidationError, match="checkpoint_dir is empty: give the name of a folder"):
        net.fit(X, y, epochs=1, verbose=0, checkpoint_dir="")
    data = table(tmp_path / "d.csv")
    r = cmd("train", data, "--target", "label", "--epochs", "1", "--checkpoint-dir", "", "--out", "m.npz",
            cwd=tmp_path)
    assert r.returncode == 2 and "argument --checkpoint-dir: expected a folder" in r.stderr, r.stderr
    assert sorted(p.name for p in tmp_path.iterdir()) == ["d.csv"]


def test_the_cli_and_fit_share_the_checkpoint_folders_rules(tmp_path):
    """The empty folder and the folder's own files were written twice (train's checkpoint_files and
    BackupAndRestore's set; two empty-folder checks): one helper each, one wording."""
    from chainrule.saving import checkpoint
    from chainrule.saving.runlock import LOCKNAME
    with pytest.raises(cr.errors.ValidationError) as fit_says:
        problem()[0].fit(*problem()[1:], epochs=1, verbose=0, checkpoint_dir="")
    assert str(fit_says.value) == ("checkpoint_dir is empty: give the name of a folder for checkpoint.npz and "
                                   "history.jsonl")
    r = cmd("train", table(tmp_path / "d.csv"), "--target", "label", "--checkpoint-dir", "",
            "--out", tmp_path / "m.npz")             # the command refuses it as argparse reads the option
    assert r.returncode == 2 and "argument --checkpoint-dir: expected a folder for checkpoint.npz and history.jsonl" \
        in r.stderr
    ck = tmp_path / "ck"
    for name in ("checkpoint.npz", "history.jsonl", LOCKNAME):
        assert checkpoint.file_of(ck / ".." / "ck" / name, ck) == name
    assert checkpoint.file_of(ck / "model.npz", ck) is None


@pytest.mark.parametrize("name", ["checkpoint.npz", "history.jsonl", "checkpoint.lock"])
def test_out_cannot_be_a_file_of_the_checkpoint_dir(tmp_path, name):
    """--out ck/checkpoint.npz --checkpoint-dir ck: the model replaced the checkpoint; resume then failed."""
    data = table(tmp_path / "d.csv")
    (tmp_path / "ck").mkdir()
    r = cmd("train", data, "--target", "label", "--epochs", "1", "--checkpoint-dir", tmp_path / "ck",
            "--out", tmp_path / "ck" / ".." / "ck" / name)
    assert r.returncode == 2 and f"is the {name} of --checkpoint-dir" in r.stderr and "epoch 1/1" not in r.stderr
    assert list((tmp_path / "ck").iterdir()) == []


def test_model_checkpoint_cannot_write_the_checkpoint(tmp_path):
    net, X, y = problem()
    (tmp_path / "ck").mkdir()
    with pytest.raises(cr.errors.ValidationError, match="is a file of checkpoint_dir"):
        net.fit(X, y, epochs=1, verbose=0, checkpoint_dir=tmp_path / "ck",
                callbacks=[cr.ModelCheckpoint(str(tmp_path / "ck" / "checkpoint.npz"))])
    assert list((tmp_path / "ck").iterdir()) == []


def test_a_file_shared_by_x_and_the_validation_data_is_hashed_once(tmp_path, monkeypatch):
    """fingerprint passed an empty dict of the rows already hashed, which is falsy: `seen or {}`
    gave every call a new one, and the two Subsets of one memmap (`train --stream`'s X split by
    validation_split) read the whole file twice for their hashes."""
    from chainrule.backend.pages import Pages
    from chainrule.saving import checkpoint
    from chainrule.training.streaming import Subset, check_inputs
    net, X, y = problem()
    np.save(tmp_path / "X.npy", X)
    order = np.random.default_rng(3).permutation(len(X))
    data = Subset(check_inputs(net, np.load(tmp_path / "X.npy", mmap_mode="r")), order)
    hashing, read = [], []
    touched, whole = Pages.touched, checkpoint.fingerprint

    def counted(self, rows, row_bytes, contiguous=False):
        if hashing:
            read.append(rows * row_bytes)
        return touched(self, rows, row_bytes, contiguous)

    def fingerprint(trainer):
        hashing.append(True)
        try:
            return whole(trainer)
        finally:
            hashing.pop()

    monkeypatch.setattr(Pages, "touched", counted)
    monkeypatch.setattr(checkpoint, "fingerprint", fingerprint)
    net.fit(data, y[order], epochs=1, verbose=0, validation_split=0.2, checkpoint_dir=tmp_path / "ck")
    assert sum(read) == X.nbytes                # the file once, for the rows of both parts


@pytest.mark.parametrize("name", ["w.{epoch}.h5", "w.keras", "w-{loss:.2f}.KERAS"])
def test_model_checkpoint_refuses_another_formats_name_before_training(tmp_path, name):
    """save refuses a name ending in .h5 or .keras; ModelCheckpoint only found out after epoch 1."""
    net, X, y = problem()
    with pytest.raises(cr.errors.ValidationError, match=r"ModelCheckpoint: filepath .*: \.(h5|keras) is a Keras .*"
                                                        r"Give a name ending in \.npz"):
        net.fit(X, y, epochs=2, verbose=0, callbacks=[cr.ModelCheckpoint(str(tmp_path / name))])
    assert net.epochs_trained == 0 and list(tmp_path.iterdir()) == []
