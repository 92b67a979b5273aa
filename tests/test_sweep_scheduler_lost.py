"""A Dask scheduler killed mid-sweep: the command's one line says so, and Dask's own logger does not print its
client's traceback (connection reset, the reconnecting cancelled) before it; --debug shows Dask's messages. Real
processes: a `dask scheduler`, a `dask worker`, the command; the scheduler killed once a fit runs."""
import os
import signal
import subprocess
import sys
import time

import pytest

distributed = pytest.importorskip("distributed")
from conftest import free_port  # noqa: E402
from test_errors import dask_documented  # noqa: E402


def _start(*args) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-m", "dask", *args], stdout=subprocess.DEVNULL,
                            stderr=subprocess.DEVNULL, start_new_session=True)


def _sweep_with_scheduler_killed(sweep_data, tmp_path, *options) -> subprocess.CompletedProcess:
    port = free_port()
    address = f"tcp://127.0.0.1:{port}"
    scheduler = _start("scheduler", "--host", "127.0.0.1", "--port", str(port), "--dashboard-address", ":0",
                       "--no-show")
    worker = _start("worker", address, "--nthreads", "1", "--no-dashboard", "--no-nanny")
    sweep = None
    try:
        with distributed.Client(address, timeout=60) as watcher:      # bounds for a loaded machine, not timings
            watcher.wait_for_workers(1, timeout=60)
            sweep = subprocess.Popen([sys.executable, "-m", "chainrule.cli", "sweep", str(sweep_data / "iris.csv"),
                                      "--target", "species", "--grid", "epochs=50000;n_iter_no_change=inf", "--cv",
                                      "2", "--scheduler", address, "--out-dir", str(tmp_path), *options],
                                     stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
            deadline = time.monotonic() + 120      # the command's start (its imports) is slow under load
            while not any(watcher.processing().values()) and time.monotonic() < deadline and sweep.poll() is None:
                time.sleep(0.05)          # until a fit runs on the worker: the sweep is under way
            # killed before the sweep's fits were sent, its error would be another's (no scheduler to connect to)
            assert any(watcher.processing().values()), "no fit of the sweep ran on the worker before the kill"
        os.kill(scheduler.pid, signal.SIGKILL)
        out, err = sweep.communicate(timeout=30)     # a hang after the kill fails here, not a clock assertion
        done = subprocess.CompletedProcess(sweep.args, sweep.returncode, out, err)
        return done
    finally:
        for process in (sweep, worker, scheduler):
            if process is not None and process.poll() is None:
                process.kill()
                process.wait(10)


LINE = f"chainrule: error: {dask_documented('scheduler lost mid-sweep')}"        # docs/errors.md's row


def test_a_scheduler_killed_mid_sweep_gives_the_commands_line_alone(sweep_data, tmp_path):
    done = _sweep_with_scheduler_killed(sweep_data, tmp_path)
    assert done.returncode == 2, done.stderr
    assert done.stderr.strip() == LINE, done.stderr


def test_with_debug_dasks_own_messages_are_shown(sweep_data, tmp_path):
    done = _sweep_with_scheduler_killed(sweep_data, tmp_path, "--debug")
    assert "distributed.client - ERROR" in done.stderr, done.stderr
