"""The text of the explain report: every number trustworthy, every formula matching its numbers."""
import math
import re

import numpy as np
import pytest

import chainrule as cr


def test_an_unknown_parameter_names_the_listed_ones_and_the_slice():
    """report.parameter("w9") raised a bare KeyError: 'w9'."""
    net, X, Y, lr = cr.examples.seed_network()
    with pytest.raises(KeyError) as info:
        cr.explain(net, X, Y, lr=lr).parameter("w9")
    assert isinstance(info.value, cr.errors.ValidationError)
    assert str(info.value) == ("no parameter named 'w9'; this report lists w1, w2, w3, w4, w5, w6, w7, w8 and "
                               "b_o1, b_o2, b_h1, b_h2")
    with pytest.raises(cr.errors.ValidationError, match=r"'w1' in this slice \(layer=1, neuron=0; .*lists w5, w6 "
                                                        r"and b_o1$"):
        cr.explain(net, X, Y, layer=1, neuron=0).parameter("w1")
