"""input_type 'uint' was read as NumPy reads it, uint64, where C's unsigned int is 32 bits: the ambiguity 'int' is
refused for, taken silently (a graph declared for another type than the deployer meant). Refused now as 'int' is,
by to_onnx and by export's --input-type."""
import ctypes

import numpy as np
import pytest
from conftest import cmd

import chainrule as cr
from chainrule.errors import ValidationError


@pytest.mark.parametrize("word", ["uint", "UINT"])
def test_uint_is_refused_naming_numpys_and_cs_reading(tmp_path, word):
    assert np.dtype(word.lower()).itemsize * 8 == 64 and ctypes.sizeof(ctypes.c_uint) * 8 == 32   # the two readings
    net = cr.Network([cr.Dense(3, 2)], seed=70)
    with pytest.raises(ValidationError, match=rf"input_type {word!r} is uint64 to NumPy but uint32 to C .*say which, "
                                              r"uint32 or uint64"):
        cr.to_onnx(net, input_type=word)
    net.save(tmp_path / "m.npz")
    result = cmd("export", str(tmp_path / "m.npz"), str(tmp_path / "m.onnx"), "--input-type", word)
    assert result.returncode == 2
    assert f"argument --input-type: {word!r} is uint64 to NumPy but uint32" in result.stderr
    assert not (tmp_path / "m.onnx").exists()
