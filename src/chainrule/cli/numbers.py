"""The whole-number options whose rule needs no file (--cv, --jobs, --port, --opset, --width, ...), checked as
argparse reads them: refused in its usage form ("argument --cv: expected ...; got '1'"), as --epochs and --lr are,
before any work; a bound that depends on a file (--row, --layer's last index) is checked once it is read. And
numbers as the commands print them for retyping (`exact`: fill values, class weights)."""
from __future__ import annotations

import argparse
import math
from collections.abc import Callable

from ..nn.numeric import as_whole


def whole(expected: str, rule: Callable[[int], bool]) -> Callable[[str], int]:
    """An argparse type: `text` as an int that keeps `rule`, else "expected EXPECTED; got 'TEXT'"."""
    def parse(text: str) -> int:
        value = as_whole(text)
        if value is None or not rule(value):
            raise argparse.ArgumentTypeError(f"expected {expected}; got {text!r}")
        return value
    return parse


folds = whole("a number of folds of at least 2", lambda v: v >= 2)
jobs = whole("a nonzero integer: N fits at once, -1 one per CPU, -2 all CPUs but one (as joblib's n_jobs)",
             lambda v: v != 0)
port = whole("a port from 0 to 65535 (0: any free port)", lambda v: 0 <= v <= 65535)
width = whole("0 (never break lines) or at least 40 columns", lambda v: v == 0 or v >= 40)
index = whole("a 0-based index, 0 or more", lambda v: v >= 0)
#: sweep's --seed, scikit-learn's random_state: its estimators refuse 2**32 and more (after the data is read)
random_state = whole("a non-negative integer, at most 4294967295 (2**32 - 1, as scikit-learn's random_state)",
                     lambda v: 0 <= v < 2**32)
row = whole("a row number, 1 or more (1: the first row below the header)", lambda v: v >= 1)


def opset(text: str) -> int:
    """--opset: 17 (chainrule's oldest) to the newest the installed onnx knows (any from 17 without onnx:
    export then says how to install it)."""
    try:
        from onnx.defs import onnx_opset_version
        newest, said = onnx_opset_version(), f" to {onnx_opset_version()} (the newest this onnx package knows)"
    except ImportError:
        newest, said = 1 << 30, " or later"
    return whole(f"an integer from 17{said}", lambda v: 17 <= v <= newest)(text)


def exact(value: float) -> str:
    """`value` as its shortest text that reads back as the same float64: 2.5 not 2.5000, 1e-07, 0.1 + 0.2's
    0.30000000000000004."""
    if isinstance(value, int) or (math.isfinite(value) and value == int(value) and abs(value) < 1e16):
        return str(int(value))                  # 12345680, not repr's 12345680.0; an int whole, not as a float
    short_ = f"{value:g}"
    return short_ if float(short_) == value else repr(float(value))
