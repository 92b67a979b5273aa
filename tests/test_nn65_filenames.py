"""A name whose ending says another format is refused by every writer before anything is written: a chainrule model
(an .npz archive) under .pkl or .pickle (which pickle.load would be pointed at), .joblib, .txt, .hdf5, .safetensors;
a name without an ending, or a neutral one, stays as the docs promise ('m' stays 'm')."""
import os

import numpy as np
import pytest
from conftest import cmd

import chainrule as cr


def _net():
    return cr.Network([cr.Dense(2, 3, "tanh"), cr.Dense(3, 1, "sigmoid")], loss="binary_crossentropy", seed=0)


@pytest.mark.parametrize("ending", [".pkl", ".pickle", ".joblib", ".txt", ".tsv", ".hdf5", ".safetensors",
                                    ".PKL"])
def test_save_refuses_another_formats_ending(tmp_path, ending):
    path = tmp_path / f"m{ending}"
    with pytest.raises(cr.errors.ValidationError, match=rf"{ending.lower()} is an? .*'s ending .*Give a name ending "
                                                        r"in \.npz"):
        _net().save(path)
    assert not path.exists()
    with pytest.raises(cr.errors.ValidationError, match=r"Give a name ending in \.onnx"):
        cr.to_onnx(_net(), tmp_path / f"e{ending}")
    assert not (tmp_path / f"e{ending}").exists()


@pytest.mark.parametrize("name", ["m", "m.model", "m.npz", "m.ckpt"])
def test_neutral_names_still_save_as_given(tmp_path, name):
    net = _net()
    net.save(tmp_path / name)
    assert sorted(os.listdir(tmp_path)) == [name]
    X = np.array([[0.1, -0.3], [1.0, 2.0]])
    np.testing.assert_array_equal(cr.load(tmp_path / name).predict(X), net.predict(X))


def test_model_checkpoint_and_the_command_line_refuse_a_pickle_name(tmp_path):
    X, y = np.array([[0.0, 1.0], [1.0, 0.0], [1.0, 1.0], [0.0, 0.0]]), np.array([1, 1, 0, 0])
    with pytest.raises(cr.errors.ValidationError, match=r"\.pkl is a pickle's ending"):
        _net().fit(X, y, epochs=1, verbose=0, callbacks=[cr.callbacks.ModelCheckpoint(str(tmp_path / "ck.pkl"))])
    assert not (tmp_path / "ck.pkl").exists()
    (tmp_path / "d.csv").write_text("a,b,y\n0,1,1\n1,0,1\n1,1,0\n0,0,0\n")
    result = cmd("train", str(tmp_path / "d.csv"), "--target", "y", "--epochs", "1", "--out", str(tmp_path / "m.pkl"))
    assert result.returncode != 0 and ".pkl is a pickle's ending" in result.stderr
    assert not (tmp_path / "m.pkl").exists()


def test_text_endings_stay_a_csv_writers(tmp_path):
    X, y = np.array([[0.0, 1.0], [1.0, 0.0]]), np.array([1, 0])
    log = tmp_path / "log.txt"
    _net().fit(X, y, epochs=2, verbose=0, callbacks=[cr.callbacks.CSVLogger(str(log))])
    assert log.read_text().splitlines()[0].split("\t")[0] == "epoch"
