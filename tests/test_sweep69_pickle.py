"""A SweepResult pickled (as joblib.dump of a GridSearchCV is kept) before best_index_ became a property holds its
field under that name: loaded now, best_index_, best_params_ and tied_indices_ are still the search's, not the
class's default index 0."""
import copyreg
import pickle

from chainrule.sweep_result import SweepResult


class _OldPickle:
    """Writes the stream an earlier SweepResult wrote: its class, then its __dict__ with the field 'best_index_'."""

    def __init__(self, state: dict):
        self.state = state

    def __reduce_ex__(self, protocol):
        return copyreg._reconstructor, (SweepResult, object, None), self.state   # protocol 0 and 1 write it so


def test_a_result_pickled_with_the_old_field_keeps_its_best_index():
    now = SweepResult(None, {"learning_rate": 0.1}, 0.9, "accuracy", None, None, best_index=2, tied_indices_=[3])
    state = {k: v for k, v in vars(now).items() if k not in ("best_index", "refit")}
    loaded = pickle.loads(pickle.dumps(_OldPickle({**state, "best_index_": 2})))
    assert type(loaded) is SweepResult
    assert loaded.best_index_ == 2 and loaded.best_params_ == {"learning_rate": 0.1} and loaded.best_score_ == 0.9
    assert pickle.loads(pickle.dumps(loaded)).best_index_ == 2 == pickle.loads(pickle.dumps(now)).best_index_
