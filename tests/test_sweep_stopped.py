"""The sweep's partial-result errors, SweepInterrupted (Ctrl-C) and ClusterLost (the Dask cluster lost the tasks),
repeated the same fields: both are now SweepStopped, which holds them, each keeping its own kind (a KeyboardInterrupt;
a ChainruleError and RuntimeError). Neither could be pickled (its args lacked `done`): now both come back whole
from pickle and from Dask's own serialization."""
import pickle

import pytest

from chainrule.errors import ChainruleError
from chainrule.sweep_tasks import ClusterLost, SweepInterrupted, SweepStopped


def stopped():
    lost = ClusterLost({0: (0.5, 0.1, None, False)}, "worker tcp://127.0.0.1:1 left the cluster")
    halted = SweepInterrupted({1: (0.25, 0.2, None, True)}, "by the user")
    for stop in (lost, halted):
        stop.table, stop.n_candidates, stop.partial_path = [["a row"]], 2, "sweep/sweep_results.partial.csv"
    halted.refitting = True
    return lost, halted


def test_both_are_sweep_stopped_and_keep_their_own_kinds():
    lost, halted = stopped()
    assert isinstance(lost, SweepStopped) and isinstance(lost, ChainruleError) and isinstance(lost, RuntimeError)
    assert isinstance(halted, SweepStopped) and isinstance(halted, KeyboardInterrupt)
    assert not isinstance(halted, Exception) and not isinstance(lost, KeyboardInterrupt)
    for stop in (lost, halted):
        with pytest.raises(SweepStopped):
            raise stop


@pytest.mark.parametrize("how", ["pickle", "dask"])
def test_both_come_back_whole_through_pickle_and_dask(how):
    if how == "dask":
        protocol = pytest.importorskip("distributed.protocol")
        again = lambda e: protocol.deserialize(*protocol.serialize(e, serializers=["pickle"]))  # noqa: E731
    else:
        again = lambda e: pickle.loads(pickle.dumps(e))  # noqa: E731
    for stop in stopped():
        back = again(stop)
        assert type(back) is type(stop) and back.args == stop.args and str(back) == str(stop)
        assert (back.done, back.table, back.n_candidates, back.partial_path, back.refitting) == (
            stop.done, stop.table, stop.n_candidates, stop.partial_path, stop.refitting)
    assert again(stopped()[0]).why == "worker tcp://127.0.0.1:1 left the cluster"
