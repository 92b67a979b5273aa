"""A --scheduler address where another server listens (the Dask dashboard's port, 8787, a web or SSH server) is
refused at once, naming it: Dask's Client read an answering server's first bytes as a frame length ('HTTP/1.1' is
3.5e18: out of memory, 3 EiB) and waited on a silent one for minutes."""
import socket
import threading
import time

import pytest

pytest.importorskip("distributed")
from chainrule.errors import ValidationError  # noqa: E402
from chainrule.sweep import run_sweep  # noqa: E402


def _server(reply):
    """A real TCP server on 127.0.0.1, serving one connection after another until the test ends: `reply(conn)`."""
    listener = socket.create_server(("127.0.0.1", 0))
    listener.settimeout(0.2)
    stop = threading.Event()

    def serve():
        while not stop.is_set():
            try:
                conn, _ = listener.accept()
            except OSError:
                continue
            with conn:
                conn.settimeout(10)
                try:
                    reply(conn)
                except OSError:
                    pass
    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    return listener.getsockname()[1], stop, thread


def _http_400(conn):           # a web server (or a proxy): what it reads is no request, so it answers 400, closes
    conn.recv(1024)
    conn.sendall(b"HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\n\r\n")


def _ssh(conn):               # an SSH server speaks first, as a scheduler does, with other words
    conn.sendall(b"SSH-2.0-OpenSSH_9.6\r\n")
    conn.recv(1024)


def _silent(conn):            # a web server waiting for a request line that never ends
    conn.recv(1024)
    time.sleep(3)


@pytest.mark.parametrize("reply, said", [(_http_400, "it sent nothing in 0.5 s"), (_ssh, "it sent b'SSH-2.0-'"),
                                         (_silent, "it sent nothing in 0.5 s")], ids=["http-400", "ssh", "silent"])
def test_a_scheduler_address_of_another_server_is_refused_at_once(sweep_data, tmp_path, monkeypatch, reply, said):
    monkeypatch.setattr("chainrule.sweep_tasks.HANDSHAKE_SECONDS", 0.5, raising=False)
    port, stop, thread = _server(reply)
    start = time.monotonic()
    try:
        with pytest.raises(ValidationError) as caught:
            run_sweep(sweep_data / "iris.csv", "species", "hidden=4", scheduler=f"tcp://127.0.0.1:{port}",
                      out_dir=tmp_path / "out", cv=2, epochs=1)
    finally:
        stop.set()
        thread.join(5)
    assert time.monotonic() - start < 8
    assert str(caught.value).startswith(f"the server at 'tcp://127.0.0.1:{port}' is not a Dask scheduler: a scheduler "
                                        f"sends its handshake first, {said} (the dashboard's port, 8787"), caught.value
    assert not (tmp_path / "out").exists()
