"""The line naming what `chainrule explain --layer/--neuron` shows (the report of a neuron slice cuts its forward
pass itself: teach/neuron_cut.py)."""
from __future__ import annotations


def slice_line(net, layer: int, neuron: int | None) -> str:
    """Which weights --layer and --neuron (0-based, as explain's layer= and neuron=) chose (negative ones from
    the end), in the report's names."""
    from ..teach.explain import neuron_names
    n = len(net.dense_layers)
    at = layer % n                      # -1: the last, as explain reads it
    units = neuron_names(net)[at + 1]
    into = "the output layer" if at == n - 1 else f"hidden layer {at + 1}"
    text = f"slice: --layer {layer} ({'from the end' if layer < 0 else '0-based'}) = weights layer {at + 1} of {n}, " \
        f"into {into}"
    if neuron is None:
        return text + (f" (unit {units[0]})" if len(units) == 1 else f" (units {units[0]}..{units[-1]})")
    return text + f"; --neuron {neuron} ({'from the end' if neuron < 0 else '0-based'}) = its unit {units[neuron]}"

