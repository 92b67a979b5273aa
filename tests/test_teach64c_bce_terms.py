"""explain wrote binary cross-entropy's E_o with numbers one way for a target of 1 (-1 * log(p) - (1 - 1) * ...)
and another for a target of 0 (-(0 * log(p)) - ...): both right, but a learner reads two formulas. Every output's
term is now the formula's line with its numbers, -(t * log(p) + (1 - t) * log(1 - p)) (categorical's -(t * log(p))),
whatever the target; each checked against torch's BCELoss(reduction='none') from the printed numbers."""
from __future__ import annotations

import math
import re

import numpy as np
import pytest

import chainrule as cr

torch = pytest.importorskip("torch")

NUM = r"\(?-?[\d.e+-]+\)?"
BCE = re.compile(rf"  (E_o\d+) = -\(target[^=]*= -\(({NUM}) \* log\(({NUM})\) \+ \(1 - \2\) \* "
                 rf"log\(1 - \3\)\) = (\S+)")
ANY_TERM = re.compile(r"  E_o\d+ = -\(target[^=]*= (?!max\(net)(.*)")      # not the engine's form from net


def _number(text: str) -> float:
    return float(text.strip("()"))


def test_bce_terms_are_written_alike_for_targets_1_and_0_and_give_torch_loss():
    seen = set()
    for seed in range(4):
        net = cr.Network([cr.Dense(2, 3, "tanh"), cr.Dense(3, 4, "sigmoid")], loss="binary_crossentropy", seed=seed)
        X, Y = np.array([[0.05, 0.1]]), np.array([[1.0, 0.0, 1.0, 0.0]])
        text = cr.explain(net, X, Y).text()
        numbered = ANY_TERM.findall(text)         # each term written from its output
        found = BCE.findall(text)
        assert len(found) == len(numbered), text          # every one in the formula's own form
        out = net.predict(X)[0]
        for name, t, p, value in found:
            k = int(name[3:]) - 1
            assert _number(t) == Y[0, k]
            seen.add(Y[0, k])
            written = torch.nn.BCELoss(reduction="none")(torch.tensor([_number(p)], dtype=torch.float64),
                                                          torch.tensor([_number(t)], dtype=torch.float64))
            engine = torch.nn.BCELoss(reduction="none")(torch.tensor(out[k:k + 1]), torch.tensor(Y[0, k:k + 1]))
            assert f"{float(written[0]):.9f}".rstrip("0") == value.rstrip("0") or \
                math.isclose(float(written[0]), float(value), abs_tol=1e-9)
            assert math.isclose(float(engine[0]), float(value), abs_tol=1e-9)
    assert seen == {0.0, 1.0}                   # both targets met in the numbers' form


def test_categorical_terms_are_written_alike_for_targets_1_and_0():
    net = cr.Network([cr.Dense(3, 4, "tanh"), cr.Dense(4, 2, "softmax")], loss="categorical_crossentropy", seed=1)
    X, Y = np.array([[0.64, 0.27, 0.04]]), np.array([[1.0, 0.0]])
    text = cr.explain(net, X, Y).text()
    terms = re.findall(r"  E_(o\d) = -target_o\d log out_o\d = -\((\d) \* log\(([\d.]+)\)\) = (\S+)", text)
    assert [(o, t) for o, t, _, _ in terms] == [("o1", "1"), ("o2", "0")], text
    out = torch.tensor(net.predict(X)[0])
    for k, (_, t, p, value) in enumerate(terms):     # from the engine's output and from the printed one
        for o in (out[k], torch.tensor(float(p), dtype=torch.float64)):
            assert math.isclose(float(-torch.special.xlogy(torch.tensor(float(t)), o)), float(value), abs_tol=1e-9)
