"""load_weights given another library's file (a torch state_dict, a joblib pickle, Keras' .weights.h5) names what it
is and what reads it, as load does, and never unpickles it: a payload that would write a marker file runs no code."""
import pickle

import h5py
import joblib
import numpy as np
import pytest
import torch

import chainrule as cr
from chainrule.errors import ModelFileError


class Payload:
    """Unpickling this writes the marker file: the proof that code ran."""

    def __init__(self, marker):
        self.marker = str(marker)

    def __reduce__(self):
        return (open, (self.marker, "w"))


def net():
    return cr.Network([cr.Dense(2, 3, "tanh"), cr.Dense(3, 1)], loss="mse", seed=0)


def torch_file(path, marker):
    torch.save({"0.weight": torch.zeros(3, 2), "payload": Payload(marker)}, path)


def joblib_file(path, marker):
    joblib.dump({"coef": np.zeros(3), "payload": Payload(marker)}, path)


def pickle_file(path, marker):
    path.write_bytes(pickle.dumps(Payload(marker)))


def keras_weights(path, marker):
    with h5py.File(path, "w") as f:          # the HDF5 layout Keras' save_weights writes
        f.create_dataset("layers/dense/vars/0", data=np.zeros((2, 3)))


@pytest.mark.parametrize("name, write, said", [
    ("m.pt", torch_file, "it is a PyTorch file (torch.save's zip of pickles); chainrule never unpickles (that runs "
                         "code): torch.load it yourself"),
    ("m.joblib", joblib_file, "it is a pickle (joblib.dump or pickle.dump); chainrule never unpickles (that runs "
                              "code): joblib.load it yourself"),
    ("w.npz", pickle_file, "it is a pickle (joblib.dump or pickle.dump); chainrule never unpickles"),
    ("m.weights.h5", keras_weights, "it is an HDF5 file of Keras weights (model.save_weights"),
])
def test_load_weights_names_another_librarys_file_and_runs_no_code(tmp_path, name, write, said):
    marker, path = tmp_path / "MARKER", tmp_path / name
    write(path, marker)
    marker.unlink(missing_ok=True)           # joblib and torch ran nothing in writing; be sure
    model = net()
    before = model.params.copy()
    with pytest.raises(ModelFileError) as info:
        model.load_weights(str(path))
    message = str(info.value)
    assert message.startswith(f"load_weights: {str(path)!r} is not chainrule weights (written by save_weights) nor a "
                              "chainrule model: "), message
    assert said in message, message
    assert not marker.exists(), "loading ran the file's code"
    np.testing.assert_array_equal(model.params, before)
