"""A name that is a link in a loop of links (a -> b -> a): saving through it replaced the user's link by a regular
file (realpath stops inside the loop and returns the link itself), and loading said the link's target 'does not
exist' while `ls` shows it. Both now say it is a loop; the links are left as they were."""
import errno
import os

import numpy as np
import pytest

import chainrule as cr
from chainrule.errors import ModelFileError


def loop(tmp_path):
    a, b = tmp_path / "a.npz", tmp_path / "b.npz"
    os.symlink("b.npz", a)
    os.symlink("a.npz", b)
    return a, b


def net():
    return cr.Network([cr.Dense(2, 3, "tanh"), cr.Dense(3, 1)], loss="mse", seed=0)


@pytest.mark.parametrize("write", [lambda n, p: cr.save(n, p), lambda n, p: n.save_weights(p)],
                         ids=["save", "save_weights"])
def test_saving_through_a_loop_of_links_leaves_them_links(tmp_path, write):
    a, b = loop(tmp_path)
    with pytest.raises(OSError) as info:
        write(net(), str(a))
    assert info.value.errno == errno.ELOOP and info.value.filename == str(a)
    assert "it is a link to 'b.npz', and the links lead back to themselves (a loop)" in str(info.value)
    assert os.readlink(a) == "b.npz" and os.readlink(b) == "a.npz"
    assert sorted(os.listdir(tmp_path)) == ["a.npz", "b.npz"]         # no temporary file left either


@pytest.mark.parametrize("read", [lambda p: cr.load(p), lambda p: net().load_weights(p)], ids=["load", "load_weights"])
def test_loading_a_loop_of_links_says_it_is_a_loop_not_missing(tmp_path, read):
    a, _ = loop(tmp_path)
    with pytest.raises((ModelFileError, FileNotFoundError)) as info:
        read(str(a))
    message = str(info.value)
    assert "(it is a link to 'b.npz', and the links lead back to themselves: a loop)" in message, message
    assert "which does not exist" not in message, message


def test_a_link_to_a_link_to_a_model_still_saves_into_the_model(tmp_path):
    """The neighbour that must keep working: a chain of links that ends in a file writes that file."""
    n = net()
    cr.save(n, tmp_path / "m.npz")
    os.symlink("m.npz", tmp_path / "one.npz")
    os.symlink("one.npz", tmp_path / "two.npz")
    n.params[:] += 1.0
    cr.save(n, tmp_path / "two.npz")
    assert os.path.islink(tmp_path / "two.npz") and os.path.islink(tmp_path / "one.npz")
    np.testing.assert_array_equal(cr.load(tmp_path / "m.npz").params, n.params)
