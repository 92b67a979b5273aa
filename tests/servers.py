"""Real TCP servers on 127.0.0.1 for the tests of a --scheduler address where something else listens: shared by
test_sweep_scheduler and test_errors' rows of Dask errors."""
import contextlib
import socket
import threading
from collections.abc import Callable, Iterator


@contextlib.contextmanager
def serving(reply: Callable[[socket.socket], None]) -> Iterator[int]:
    """A server answering connection after connection with `reply(conn)` until the block ends (stopped and closed
    then); yields its port."""
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
    try:
        yield listener.getsockname()[1]
    finally:
        stop.set()
        thread.join(5)
        listener.close()
