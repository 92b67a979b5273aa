"""A sweep on a Dask cluster keeps Dask's own log messages from the user's handlers while its client runs, and puts
the handlers back as they were after it (finished or failed); inside `dask_logs()` they are shown. A real
LocalCluster in this process; the message is one a Dask logger writes while the sweep's client is open (the
scheduler's own "Remove client" comes from its thread when it notices, which may be after the sweep returned)."""
import io
import logging

import pytest

distributed = pytest.importorskip("distributed")
from conftest import cmd  # noqa: E402

import chainrule.sweep_tasks as sweep_tasks  # noqa: E402
from chainrule.sweep import run_sweep  # noqa: E402
from chainrule.sweep_tasks import dask_logs  # noqa: E402


def _filters() -> dict:
    names = [""] + sorted(n for n in logging.root.manager.loggerDict if n.startswith("distributed"))
    return {(n, id(h)): list(h.filters) for n in names for h in getattr(logging.getLogger(n), "handlers", [])}


@pytest.fixture
def users_handler():
    """A handler of the user's on distributed.scheduler (which the sweep's silence reaches, as Dask's own)."""
    buf = io.StringIO()
    handler = logging.StreamHandler(buf)
    logger = logging.getLogger("distributed.scheduler")
    logger.addHandler(handler)
    try:
        yield buf
    finally:
        logger.removeHandler(handler)


@pytest.mark.filterwarnings("ignore")
def test_the_users_logging_is_put_back_after_a_sweep_and_dask_logs_shows_dasks(sweep_data, users_handler,
                                                                              monkeypatch):
    settle = sweep_tasks._settle

    def settle_logging(client):     # runs while the sweep's client is open, as Dask's own messages do
        logging.getLogger("distributed.scheduler").warning("Dask speaks mid-sweep")
        settle(client)

    monkeypatch.setattr(sweep_tasks, "_settle", settle_logging)
    with distributed.LocalCluster(n_workers=1, threads_per_worker=1, processes=False, protocol="tcp", host="127.0.0.1",
                                  dashboard_address=None) as cluster:
        address = cluster.scheduler_address
        before = _filters()
        users_handler.seek(0)
        users_handler.truncate(0)
        run_sweep(sweep_data / "iris.csv", "species", "lr=0.01", scheduler=address, cv=2, epochs=1)
        assert _filters() == before
        assert "Dask speaks mid-sweep" not in users_handler.getvalue(), users_handler.getvalue()    # silenced
        with pytest.raises(Exception, match="diverged"):
            run_sweep(sweep_data / "iris.csv", "species", "lr=1e30,1e31;activation=linear;optimizer=sgd",
                      error_score="raise", scheduler=address, cv=2, epochs=3, batch_size=1)
        assert _filters() == before
        logging.getLogger("distributed.scheduler").warning("after the sweeps")
        assert "after the sweeps" in users_handler.getvalue()
        with dask_logs():
            run_sweep(sweep_data / "iris.csv", "species", "lr=0.01", scheduler=address, cv=2, epochs=1)
        assert "Dask speaks mid-sweep" in users_handler.getvalue(), users_handler.getvalue()


def test_sweeps_debug_help_names_dasks_messages():
    done = cmd("sweep", "--help")
    assert "show the full traceback on errors and Dask's own log messages" in " ".join(done.stdout.split())
    assert "Dask" not in cmd("train", "--help").stdout
