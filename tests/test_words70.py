"""Words a user reads: an optimizer instance given beside clip_norm is named 'an instance of Adam' (it read
'a Adam instance')."""
import numpy as np
import pytest

pytest.importorskip("sklearn")
from chainrule.errors import ParameterError  # noqa: E402
from chainrule.optim import Adam  # noqa: E402
from chainrule.sklearn import BackpropClassifier  # noqa: E402


def test_an_optimizer_instance_beside_clip_norm_is_named_as_an_instance_of_its_class():
    X, y = np.random.default_rng(0).normal(size=(8, 2)), np.array([0, 1] * 4)
    with pytest.raises(ParameterError, match=r"optimizer is an instance of Adam: give it its own, Adam\(\.\.\., "
                                             r"clip_norm=1\.0\)"):
        BackpropClassifier(optimizer=Adam(), clip_norm=1.0, epochs=1).fit(X, y)
