"""A CSV model's standardising in the graph as data/statistics does it: (x - mean) / scale, and its inverse
mean + scale * z, each computed again in units of the scale where the plain form overflows (a column or target
near 1.8e308), so that onnxruntime's answer is predict's there too. Two nodes more a step, elementwise."""
from __future__ import annotations

import numpy as np


def standardised_nodes(g, x: str, mean: np.ndarray, scale: np.ndarray, hint: str) -> str:
    """statistics.standardised: (x - mean) / scale, or x / scale - mean / scale where that is infinite."""
    spread = g.const(f"{hint}_scale", scale)
    plain = g.op("Div", [g.op("Sub", [x, g.const(f"{hint}_mean", mean)], hint="centred"), spread], hint="scaled")
    units = g.op("Sub", [g.op("Div", [x, spread], hint="in_scale_units"),
                         g.const(f"{hint}_mean_in_scale_units", mean / scale)], hint="scaled_again")
    return g.op("Where", [g.op("IsInf", [plain], hint="overflowed"), units, plain], hint="scaled")


def unstandardised_nodes(g, z: str, mean: np.ndarray, scale: np.ndarray, hint: str) -> str:
    """statistics.unstandardised: mean + scale * z, or (z + mean / scale) * scale where that is infinite."""
    spread = g.const(f"{hint}_scale", scale)
    plain = g.op("Add", [g.op("Mul", [z, spread], hint=hint), g.const(f"{hint}_mean", mean)], hint=hint)
    units = g.op("Mul", [g.op("Add", [z, g.const(f"{hint}_mean_in_scale_units", mean / scale)], hint=hint), spread],
                 hint=hint)
    return g.op("Where", [g.op("IsInf", [plain], hint="overflowed"), units, plain], hint=hint)
