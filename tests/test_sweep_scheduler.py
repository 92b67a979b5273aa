"""A --scheduler address where another server listens (the Dask dashboard's port, 8787, a web or SSH server) is
refused at once, naming it: Dask's Client read an answering server's first bytes as a frame length ('HTTP/1.1' is
3.5e18: out of memory, 3 EiB) and waited on a silent one for minutes."""
import time

import pytest

pytest.importorskip("distributed")
from servers import serving  # noqa: E402

from chainrule.errors import ValidationError  # noqa: E402
from chainrule.sweep import run_sweep  # noqa: E402


def _http_400(conn):           # a web server (or a proxy) that refuses a client at once: answers 400, closes
    conn.sendall(b"HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\n\r\n")


def _ssh(conn):               # an SSH server speaks first, as a scheduler does, with other words
    conn.sendall(b"SSH-2.0-OpenSSH_9.6\r\n")
    conn.recv(1024)


def _silent(conn):            # a web server waiting for a request line that never ends, until the client leaves
    conn.recv(1024)


@pytest.mark.parametrize("reply, said", [(_http_400, "it sent b'HTTP/1.1'"), (_ssh, "it sent b'SSH-2.0-'")],
                         ids=["http-400", "ssh"])
def test_a_scheduler_address_of_another_server_is_refused_at_once(sweep_data, tmp_path, monkeypatch, reply, said):
    monkeypatch.setattr("chainrule.sweep_tasks.CONNECT_SECONDS", 0.5)
    start = time.monotonic()
    with serving(reply) as port, pytest.raises(ValidationError) as caught:
        run_sweep(sweep_data / "iris.csv", "species", "hidden=4", scheduler=f"tcp://127.0.0.1:{port}",
                  out_dir=tmp_path / "out", cv=2, epochs=1)
    assert time.monotonic() - start < 8
    assert str(caught.value).startswith(f"the server at 'tcp://127.0.0.1:{port}' is not a Dask scheduler: a scheduler "
                                        f"sends its handshake first, {said} (the dashboard's port, 8787"), caught.value
    assert not (tmp_path / "out").exists()


def test_a_silent_server_is_refused_after_the_clients_connect_timeout_with_its_possible_causes(sweep_data, tmp_path,
                                                                                              monkeypatch):
    monkeypatch.setattr("chainrule.sweep_tasks.CONNECT_SECONDS", 0.5)
    with serving(_silent) as port, pytest.raises(ValidationError) as caught:
        run_sweep(sweep_data / "iris.csv", "species", "hidden=4", scheduler=f"tcp://127.0.0.1:{port}",
                  out_dir=tmp_path / "out", cv=2, epochs=1)
    assert str(caught.value) == (f"the server at 'tcp://127.0.0.1:{port}' sent nothing in 0.5 s: not a Dask scheduler, "
                                 "a scheduler too busy to answer, or one that uses TLS (give tls://host:port)")


def test_a_real_scheduler_busy_for_longer_than_5_seconds_is_waited_for():
    """Its event loop blocked (a large graph arriving, a slow plugin): the handshake comes late, and the Client would
    have waited 10 s for it; the probe refused it after 5."""
    distributed = pytest.importorskip("distributed")
    from chainrule.sweep_tasks import _listening
    with distributed.LocalCluster(n_workers=0, processes=False, protocol="tcp", host="127.0.0.1",
                                  dashboard_address=None) as cluster:
        cluster.loop.add_callback(time.sleep, 5.5)
        time.sleep(0.1)
        start = time.monotonic()
        _listening(cluster.scheduler_address)
        assert time.monotonic() - start > 5


def test_a_workers_address_is_refused_as_a_worker(sweep_data, tmp_path):
    distributed = pytest.importorskip("distributed")
    with distributed.LocalCluster(n_workers=1, threads_per_worker=1, processes=False, protocol="tcp", host="127.0.0.1",
                                  dashboard_address=None) as cluster:
        worker = next(iter(cluster.scheduler.workers))
        with pytest.raises(ValidationError) as caught:
            run_sweep(sweep_data / "iris.csv", "species", "hidden=4", scheduler=worker, out_dir=tmp_path, cv=2,
                      epochs=1)
    assert str(caught.value) == (f"the server at {worker!r} is a Dask worker, not the scheduler: give the scheduler's "
                                 "address, the one the workers were started with (8786 by default)")


def test_a_tls_address_without_dasks_tls_settings_says_what_it_needs(sweep_data, tmp_path):
    with serving(_ssh) as port, pytest.raises(ValidationError) as caught:
        run_sweep(sweep_data / "iris.csv", "species", "hidden=4", scheduler=f"tls://127.0.0.1:{port}",
                  out_dir=tmp_path, cv=2, epochs=1)
    assert "uses TLS, which needs Dask's distributed.comm.tls.* settings" in str(caught.value), caught.value
