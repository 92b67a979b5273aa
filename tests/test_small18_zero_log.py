"""explain: an output of exactly 0 under a target of 0 (a float32 softmax saturated) writes -(0 * log(0)), which a
reader's calculator gives as nan: the report says 0 log 0 is taken as 0, as torch's xlogy and losses take it."""
import numpy as np
import pytest

import chainrule as cr

torch = pytest.importorskip("torch")

W = np.array([[60, -60, 0], [0, 0, 0]], dtype=np.float32)
X = np.array([[2, 0]], np.float32)


def report(loss, k):
    net = cr.Network([cr.Dense(2, k, "softmax")], loss=loss, dtype="float32")
    net.set_weights([W[:, :k], np.zeros(k, np.float32)])
    Y = np.eye(1, k, dtype=np.float32)
    return str(cr.explain(net, X, Y, lr=0.1)), torch.softmax(torch.tensor(X @ W[:, :k]), dim=1), torch.tensor(Y)


def test_categorical_zero_log_zero_is_said_and_is_torchs():
    text, p, y = report("categorical_crossentropy", 3)
    assert p[0, 2] == 0 and y[0, 2] == 0                                   # the output is exactly 0
    assert torch.isnan(-(y * torch.log(p))[0, 2])                          # the line as a reader computes it
    assert float(-torch.special.xlogy(y, p)[0, 2]) == 0                    # the limit, as torch takes it
    e_o3 = next(line for line in text.splitlines() if line.strip().startswith("E_o3 ="))
    assert "-(0 * log(0)) = 0" in e_o3
    assert "0 * log(0) is taken as 0" in text and "xlogy" in text
    assert text.count("0 * log(0) is taken as 0") == 1                     # said once, under the error lines


@pytest.mark.filterwarnings("ignore:loss=.binary_crossentropy. after a softmax")
def test_binary_one_minus_one_is_said_and_is_torchs():
    text, p, y = report("binary_crossentropy", 2)
    assert p[0, 0] == 1 and y[0, 0] == 1
    terms = torch.nn.functional.binary_cross_entropy(p, y, reduction="none")
    e_o1 = next(line for line in text.splitlines() if line.strip().startswith("E_o1 ="))
    assert "(1 - 1) * log(1 - 1)) = 0" in e_o1 and float(terms[0, 0]) == 0
    assert "0 * log(0) is taken as 0" in text


def test_no_note_where_no_zero_log_is_written():
    net = cr.Network([cr.Dense(2, 3, "softmax")], loss="categorical_crossentropy", dtype="float32", seed=0)
    text = str(cr.explain(net, X, np.eye(1, 3, dtype=np.float32), lr=0.1))
    assert "log(" in text and "is taken as 0" not in text
