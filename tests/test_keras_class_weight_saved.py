"""A network trained in Python with fit(class_weight=...) saved no record of it, where `chainrule train
--class-weight`'s models record theirs and `chainrule info` says it: Network.save now records fit's in the same
form, so info says how the model was trained (its checkpoints too); a later fit without weights clears it."""
import numpy as np
import pytest
from conftest import cmd

import chainrule as cr

X = np.random.default_rng(0).normal(size=(30, 4))
y = np.arange(30) % 3


def _fit(**kwargs):
    net = cr.Network([cr.Dense(4, 3, "softmax")], loss="categorical_crossentropy", seed=0)
    net.fit(X, y, epochs=1, verbose=0, **kwargs)
    return net


@pytest.mark.parametrize("given, said", [
    ({2: 0.5, 0: 2}, "class_weight={0: 2, 2: 0.5} (a class not named: 1)"),
    ({np.int64(1): np.float32(3)}, "class_weight={1: 3} (a class not named: 1)"),
    ("balanced", "class_weight='balanced' (each class's weight from its count of training rows)")])
def test_info_says_the_class_weights_of_a_python_fit(tmp_path, given, said):
    net = _fit(class_weight=given, checkpoint_dir=tmp_path / "ck")
    net.save(tmp_path / "m.npz")
    for model in (tmp_path / "m.npz", tmp_path / "ck" / "checkpoint.npz"):
        r = cmd("info", model)
        assert r.returncode == 0, r.stderr
        assert any(line.startswith(f"class weights: trained with {said}:")       # fit's words, not train's
                   for line in r.stdout.splitlines()), r.stdout


def test_a_later_fit_without_class_weights_records_none(tmp_path):
    net = _fit(class_weight={0: 2})
    net.fit(X, y, epochs=1, verbose=0)
    net.save(tmp_path / "m.npz")
    assert "class weights" not in cmd("info", tmp_path / "m.npz").stdout
    assert "class_weight" not in (cr.load(tmp_path / "m.npz", with_extra=True)[1] or {})


@pytest.mark.parametrize("key", [1.0, np.float32(1), True, np.True_])
def test_a_key_fit_reads_as_class_1_is_recorded_as_class_1(tmp_path, key):
    """fit weighs class 1 for the key 1.0 or True (Keras' class_weight.get(int(label))), but the record wrote
    '1.0' or 'True': info named a class the network has not. The record says the class fit weighed."""
    net = _fit(class_weight={key: 3})
    np.testing.assert_array_equal(net.params, _fit(class_weight={1: 3}).params)     # fit weighed class 1
    net.save(tmp_path / "m.npz")
    assert "class weights: trained with class_weight={1: 3} (a class not named: 1)" in \
        cmd("info", tmp_path / "m.npz").stdout


def test_a_loaded_model_saved_again_keeps_its_class_weights(tmp_path):
    """cr.load gave no record back to the network, so saving a loaded model again dropped it: info then said
    nothing of how the model was trained. The record goes back on load, and a later fit without weights clears it."""
    _fit(class_weight={2: 0.5}).save(tmp_path / "m.npz")
    cr.load(tmp_path / "m.npz").save(tmp_path / "again.npz")
    assert cr.load(tmp_path / "again.npz", with_extra=True)[1] == {"class_weight": [["2", 0.5]]}
    assert "trained with class_weight={2: 0.5}" in cmd("info", tmp_path / "again.npz").stdout
    refit = cr.load(tmp_path / "again.npz")
    refit.fit(X, y, epochs=1, verbose=0)
    refit.save(tmp_path / "refit.npz")
    assert cr.load(tmp_path / "refit.npz", with_extra=True)[1] is None


@pytest.mark.parametrize("refused", [{"callbacks": [object()]}, {"optimizer": "nadam_typo"}])
def test_a_refused_fit_leaves_the_record_as_it_was(tmp_path, refused):
    """A fit refused before its first step trains nothing: its class weights are not the model's (the record was
    written before the callbacks and the optimizer were checked)."""
    net = _fit(class_weight={0: 2})
    with pytest.raises((TypeError, ValueError)):
        net.fit(X, y, epochs=1, verbose=0, class_weight={1: 5}, **refused)
    net.save(tmp_path / "m.npz")
    said = cmd("info", tmp_path / "m.npz").stdout
    assert "class_weight={0: 2}" in said and "{1: 5}" not in said, said
