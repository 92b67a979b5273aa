"""Interrupted training: SIGKILL mid-epoch and mid-checkpoint-write, then resume bit for bit."""
import os
import signal
import subprocess
import sys
import textwrap
import time

import numpy as np
import pytest

import chainrule as cr

CHILD = textwrap.dedent("""
    import sys, time
    import numpy as np
    import chainrule as cr
    import chainrule.saving.npz as cio
    sys.path.insert(0, {tests!r})
    from test_checkpoint import make_problem, FIT

    class Slow(cr.callbacks.Callback):
        def on_batch_end(self, batch, logs):
            time.sleep(0.002)

    mode = sys.argv[2]
    if mode == "write":
        real = np.savez
        count = [0]
        def slow_savez(f, **arrays):
            real(f, **arrays)
            count[0] += 1
            if count[0] == 3:            # the third checkpoint: stop inside the write, before the rename
                print("WRITING", flush=True)
                time.sleep(60)
        cio.np = type(sys)("np_proxy")
        cio.np.__dict__.update(np.__dict__)
        cio.np.savez = slow_savez
    net, X, y = make_problem()
    print("START", flush=True)
    net.fit(X, y, checkpoint_dir=sys.argv[1], callbacks=[Slow()], **FIT)
    print("DONE", flush=True)
""")

FIT = dict(epochs=8, batch_size=16, seed=3, verbose=0, optimizer=None)


def make_problem():
    rng = np.random.default_rng(0)
    X = rng.normal(size=(400, 6))
    y = (X[:, 0] * X[:, 1] > 0).astype(int)
    net = cr.Network([cr.Dense(6, 12, "tanh"), cr.Dropout(0.2), cr.Dense(12, 2, "softmax")],
                     loss="categorical_crossentropy", seed=1)
    FIT["optimizer"] = cr.optim.Adam(0.01)
    return net, X, y


def uninterrupted():
    net, X, y = make_problem()
    history = net.fit(X, y, **FIT)
    return net, history


def run_child(tmp_path, mode, wait_for):
    script = tmp_path / "child.py"
    script.write_text(CHILD.format(tests=os.path.dirname(__file__)))
    proc = subprocess.Popen([sys.executable, str(script), str(tmp_path / "ckpt"), mode], stdout=subprocess.PIPE,
                            text=True)
    try:
        wait_for(proc)
    finally:
        proc.send_signal(signal.SIGKILL)
        proc.wait(timeout=30)
    assert proc.returncode == -signal.SIGKILL


def resume_and_compare(tmp_path, min_epoch):
    reference, ref_history = uninterrupted()
    net, X, y = make_problem()
    from chainrule.saving.checkpoint import checkpoint_path
    _, extra = cr.load(checkpoint_path(tmp_path / "ckpt"), with_extra=True)
    assert extra["checkpoint"]["epoch"] >= min_epoch
    history = net.fit(X, y, checkpoint_dir=tmp_path / "ckpt", resume=True, **FIT)
    np.testing.assert_array_equal(net.params, reference.params)
    np.testing.assert_array_equal(net.optimizer.state["exp_avg"], reference.optimizer.state["exp_avg"])
    assert history.history == ref_history.history


def test_kill_mid_epoch_then_resume_bit_for_bit(tmp_path):
    ckpt = tmp_path / "ckpt" / "checkpoint.npz"

    def wait(proc):
        assert proc.stdout.readline().strip() == "START"
        deadline = time.time() + 60
        while time.time() < deadline:
            if ckpt.exists():
                _, extra = cr.load(ckpt, with_extra=True)
                if extra["checkpoint"]["epoch"] >= 2:
                    time.sleep(0.03)          # into the next epoch
                    return
            time.sleep(0.01)
        pytest.fail("no checkpoint written in time")

    run_child(tmp_path, "epoch", wait)
    resume_and_compare(tmp_path, 2)


def test_kill_mid_checkpoint_write_keeps_the_previous_one(tmp_path):
    def wait(proc):
        assert proc.stdout.readline().strip() == "START"
        assert proc.stdout.readline().strip() == "WRITING"

    run_child(tmp_path, "write", wait)
    leftovers = [p.name for p in (tmp_path / "ckpt").iterdir()]
    assert "checkpoint.npz" in leftovers and any(n.endswith(".tmp") for n in leftovers)
    _, extra = cr.load(tmp_path / "ckpt" / "checkpoint.npz", with_extra=True)
    assert extra["checkpoint"]["epoch"] == 2        # the third write never completed
    resume_and_compare(tmp_path, 2)
    assert sorted(p.name for p in (tmp_path / "ckpt").iterdir()) == ["checkpoint.npz", "history.jsonl"]  # no .tmp


def test_resume_without_checkpoint_starts_fresh(tmp_path):
    reference, _ = uninterrupted()
    net, X, y = make_problem()
    net.fit(X, y, checkpoint_dir=tmp_path / "new", resume=True, **FIT)
    np.testing.assert_array_equal(net.params, reference.params)


def test_resume_needs_checkpoint_dir():
    net, X, y = make_problem()
    with pytest.raises(cr.errors.ValidationError, match="checkpoint_dir"):
        net.fit(X, y, resume=True, epochs=1, verbose=0)


def test_resume_refuses_another_network(tmp_path):
    net, X, y = make_problem()
    net.fit(X, y, checkpoint_dir=tmp_path, epochs=1, verbose=0)
    other = cr.Network([cr.Dense(6, 5, "tanh"), cr.Dense(5, 2, "softmax")], loss="categorical_crossentropy")
    with pytest.raises(cr.errors.ValidationError, match="another network"):
        other.fit(X, y, checkpoint_dir=tmp_path, resume=True, epochs=2, verbose=0)


class Interrupt(cr.callbacks.Callback):
    """Stops a fit in the middle of an epoch, as Ctrl-C would."""

    def __init__(self, epoch, batch):
        self.at, self.epoch = (epoch, batch), None

    def on_epoch_begin(self, epoch):
        self.epoch = epoch

    def on_batch_end(self, batch, logs):
        if (self.epoch, batch) == self.at:
            raise KeyboardInterrupt


@pytest.mark.parametrize("dtype,optimizer", [("float32", lambda: cr.optim.SGD(0.05, momentum=0.9, nesterov=True)),
                                             ("float64", lambda: cr.optim.RMSprop(0.01, centered=True)),
                                             ("float64", lambda: cr.optim.SGD(cr.optim.StepLR(0.1, 2)))])
def test_interrupted_in_process_resumes_bit_for_bit(tmp_path, dtype, optimizer):
    def problem():
        rng = np.random.default_rng(4)
        X, Y = rng.normal(size=(90, 5)), rng.normal(size=(90, 2))
        net = cr.Network([cr.Dense(5, 7, "relu"), cr.Dropout(0.3), cr.Dense(7, 2)], loss="mse", dtype=dtype, seed=6)
        return net, X, Y

    args = dict(epochs=6, batch_size=16, verbose=0)
    ref, X, Y = problem()
    ref_history = ref.fit(X, Y, optimizer=optimizer(), **args)          # no seed: the network's own generator
    net, X, Y = problem()
    with pytest.raises(KeyboardInterrupt):
        net.fit(X, Y, optimizer=optimizer(), checkpoint_dir=tmp_path, callbacks=[Interrupt(3, 2)], **args)
    again, X, Y = problem()                                            # a fresh process would start like this
    again._rng = np.random.default_rng(12345)                          # ... with another generator state
    history = again.fit(X, Y, optimizer=optimizer(), checkpoint_dir=tmp_path, resume=True, **args)
    assert again.params.dtype == np.dtype(dtype)
    np.testing.assert_array_equal(again.params, ref.params)
    assert again.optimizer.t == ref.optimizer.t and again.epochs_trained == 6
    assert history.history == ref_history.history


def test_a_new_run_refuses_to_replace_an_interrupted_one(tmp_path):
    """Re-running the same script after a crash (checkpoint_dir, no resume) emptied history.jsonl
    and replaced the checkpoint of the interrupted run, without a word. Now it is refused; the
    interrupted run resumes; a finished run's folder takes a new run."""
    from chainrule.saving.checkpoint import checkpoint_path, read_history
    args = dict(epochs=6, batch_size=16, verbose=0, optimizer=cr.optim.Adam(0.01))
    net, X, y = make_problem()
    with pytest.raises(KeyboardInterrupt):
        net.fit(X, y, checkpoint_dir=tmp_path, callbacks=[Interrupt(3, 1)], **args)
    kept = checkpoint_path(tmp_path).read_bytes(), (tmp_path / "history.jsonl").read_bytes()
    again, X, y = make_problem()
    with pytest.raises(cr.errors.ValidationError, match=r"checkpoint.npz' holds a run stopped at epoch 3 of 6; a new "
                       r"run would replace it: resume=True \(chainrule train --resume\) continues it"):
        again.fit(X, y, checkpoint_dir=tmp_path, **{**args, "optimizer": cr.optim.Adam(0.01)})
    assert (checkpoint_path(tmp_path).read_bytes(), (tmp_path / "history.jsonl").read_bytes()) == kept
    again.fit(X, y, checkpoint_dir=tmp_path, resume=True, **{**args, "optimizer": cr.optim.Adam(0.01)})
    assert len(read_history(tmp_path)[0]["loss"]) == 6
    third, X, y = make_problem()                      # the run is finished: a new one may take the folder
    third.fit(X, y, checkpoint_dir=tmp_path, **{**args, "epochs": 2, "optimizer": cr.optim.Adam(0.01)})
    assert len(read_history(tmp_path)[0]["loss"]) == 2


def test_a_checkpoint_is_written_after_every_epoch(tmp_path):
    net, X, y = make_problem()
    epochs_seen = []

    class Watch(cr.callbacks.Callback):
        def on_epoch_begin(self, epoch):
            if epoch:
                _, extra = cr.load(tmp_path / "checkpoint.npz", with_extra=True)
                epochs_seen.append(extra["checkpoint"]["epoch"])

    net.fit(X, y, checkpoint_dir=tmp_path, callbacks=[Watch()], **{**FIT, "epochs": 4})
    assert epochs_seen == [1, 2, 3]
    _, extra = cr.load(tmp_path / "checkpoint.npz", with_extra=True)
    from chainrule.saving.checkpoint import read_history
    assert extra["checkpoint"]["epoch"] == 4 and len(read_history(tmp_path)[0]["loss"]) == 4


def test_resume_after_the_last_epoch_changes_nothing(tmp_path):
    net, X, y = make_problem()
    net.fit(X, y, checkpoint_dir=tmp_path, **FIT)
    again, X, y = make_problem()
    again.fit(X, y, checkpoint_dir=tmp_path, resume=True, **FIT)
    np.testing.assert_array_equal(again.params, net.params)


@pytest.mark.parametrize("change", [lambda c: c.update(epoch=-1), lambda c: c.update(history=[1]),
                                    lambda c: c.update(rng={"bit_generator": "MT19937"}), lambda c: c.pop("rng"),
                                    lambda c: c.update(extra_key=1)])
def test_crafted_checkpoint_state_is_a_model_file_error(tmp_path, change):
    import json
    net, X, y = make_problem()
    net.fit(X, y, checkpoint_dir=tmp_path, **{**FIT, "epochs": 1})
    path = tmp_path / "checkpoint.npz"
    with np.load(path, allow_pickle=False) as data:
        entries = {k: data[k] for k in data.files}
    header = json.loads(str(entries["__format__"]))
    change(header["extra"]["checkpoint"])
    entries["__format__"] = np.array(json.dumps(header))
    with open(path, "wb") as f:
        np.savez(f, **entries)
    fresh, X, y = make_problem()
    before = fresh.params.copy()
    with pytest.raises(cr.errors.ModelFileError):
        fresh.fit(X, y, checkpoint_dir=tmp_path, resume=True, **FIT)
    np.testing.assert_array_equal(fresh.params, before)        # nothing half-restored
