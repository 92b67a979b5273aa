"""float32's rule said "about 7 significant digits" above numbers printed with 8 and 9 (0.50999999, 0.24519964): the
words now say both, each checked here against numpy.finfo(float32) and a round trip: float32 keeps about 7 digits,
and its numbers are printed with the fewest digits that read back as the same float32, which takes up to 9."""
import math
import re

import numpy as np

import chainrule as cr
from chainrule.teach.last_digit import FLOAT32

NUMBER = re.compile(r"(?<![\w.])-?\d+\.\d+(?:e[+-]?\d+)?")


def significant(written: str) -> int:
    """The significant digits of a written number: 0.50999999 has 8, 1.2345678e-07 has 8."""
    return len(written.lstrip("-").split("e")[0].replace(".", "").lstrip("0"))


def test_the_rules_digits_are_float32s_own():
    kept = int(re.search(r"about (\d+) significant digits", FLOAT32)[1])
    printed = int(re.search(r"up to (\d+)", FLOAT32)[1])
    bits = np.finfo(np.float32).nmant + 1                           # 24: the significand with its hidden bit
    assert kept == round(bits * math.log10(2)) and np.finfo(np.float32).precision < kept
    assert printed == math.ceil(1 + bits * math.log10(2))          # the digits that round-trip every float32
    rng = np.random.default_rng(0)
    values = rng.integers(0x00800000, 0x7F000000, 200_000, dtype=np.uint32).view(np.float32)   # normal, positive
    assert all(np.float32(f"{v:.{printed}g}") == v for v in values)
    assert not all(np.float32(f"{v:.{printed - 1}g}") == v for v in values)


def test_a_float32_reports_numbers_read_back_in_at_most_the_rules_digits():
    net, X, Y, lr = cr.examples.seed_network()
    net32 = cr.Network([cr.Dense(2, 2, "sigmoid"), cr.Dense(2, 2, "sigmoid")], loss="sse", dtype="float32")
    net32.set_weights(net.get_weights())
    text = cr.explain(net32, X, Y, lr=lr).text()
    assert FLOAT32 in " ".join(text.split())
    numbers = NUMBER.findall(text.replace(FLOAT32, ""))
    digits = [significant(n) for n in numbers]
    kept, most = (int(re.search(pattern, FLOAT32)[1]) for pattern in (r"about (\d+) significant", r"up to (\d+)"))
    assert kept < max(digits) <= most                       # printed with more digits than kept, as the words say
    for n in numbers:                                                  # the fewest digits that read back
        v = np.float32(n)
        assert float(np.float32(f"{float(v):.{significant(n) - 1}g}")) != float(v) or significant(n) == 1, n
