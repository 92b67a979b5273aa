"""Saving as Keras users do: one overwrite=False refusal for cr.save, Network.save and save_weights (the file left
as it was); a file saved as "m" is "m" (numpy.savez would write "m.npz"), and loading the other name says which one
is there; cr.load_model, Keras' name of cr.load."""
import numpy as np
import pytest

import chainrule as cr


def net(seed=0):
    return cr.Network([cr.Dense(3, 2, "sigmoid")], seed=seed)


@pytest.mark.parametrize("how", ["cr.save", "Network.save", "save_weights"])
def test_overwrite_false_refuses_and_keeps_the_file(tmp_path, how):
    path = tmp_path / "m.npz"
    write = {"cr.save": lambda n, **kw: cr.save(n, path, **kw), "Network.save": lambda n, **kw: n.save(path, **kw),
             "save_weights": lambda n, **kw: n.save_weights(path, **kw)}[how]
    write(net(0))
    before = path.read_bytes()
    with pytest.raises(FileExistsError, match="exists and overwrite=False; it was left as it is"):
        write(net(1), overwrite=False)
    assert path.read_bytes() == before
    write(net(1), overwrite=True)                   # Keras' default replaces it
    assert path.read_bytes() != before


def test_cr_save_takes_overwrite_as_keras_save_model(tmp_path):
    keras = pytest.importorskip("keras")
    import inspect
    theirs = list(inspect.signature(keras.saving.save_model).parameters)[:3]
    assert list(inspect.signature(cr.save).parameters)[:3] == ["net", "path", theirs[2]] == ["net", "path",
                                                                                              "overwrite"]
    cr.save(net(), tmp_path / "a.npz", False)       # nothing there: written
    assert cr.load(tmp_path / "a.npz").n_params == net().n_params


def test_a_name_without_npz_is_kept_and_the_other_name_is_named(tmp_path):
    X = np.random.default_rng(0).normal(size=(4, 3))
    net(0).save(tmp_path / "m")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["m"]     # as given: not numpy.savez's m.npz
    np.testing.assert_array_equal(cr.load(tmp_path / "m").predict(X), net(0).predict(X))
    with pytest.raises(cr.errors.ModelFileError, match=r"'.*m' is there \(chainrule model\): a file is written"):
        cr.load(tmp_path / "m.npz")
    net(0).save_weights(tmp_path / "w.npz")
    with pytest.raises(FileNotFoundError, match=r"w.npz' is there"):
        net(0).load_weights(tmp_path / "w")
    with pytest.raises(cr.errors.ModelFileError, match=r"^(?!.*is there)"):        # nothing beside it: no hint
        cr.load(tmp_path / "none.npz")


def test_load_model_is_keras_name_of_load(tmp_path):
    cr.save(net(0), tmp_path / "m.npz")
    assert cr.load_model is cr.load and "load_model" in dir(cr)
    np.testing.assert_array_equal(cr.load_model(tmp_path / "m.npz").params, net(0).params)


def test_the_other_name_is_named_only_when_it_holds_a_chainrule_file(tmp_path):
    """A CSV 'data' beside the missing 'data.npz' is no model the user meant: the error says only what is missing."""
    (tmp_path / "data").write_text("x,y\n1,2\n")
    (tmp_path / "w.npz").write_text("not weights\n")
    with pytest.raises(cr.errors.ModelFileError, match=r"^(?!.*is there)"):
        cr.load(tmp_path / "data.npz")
    with pytest.raises(FileNotFoundError, match=r"^(?!.*is there)"):
        net(0).load_weights(tmp_path / "w")
    net(0).save_weights(tmp_path / "v.npz")
    with pytest.raises(FileNotFoundError, match=r"'.*v.npz' is there \(chainrule weights\)"):
        net(0).load_weights(tmp_path / "v")
