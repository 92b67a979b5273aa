"""The line naming what `chainrule explain --layer/--neuron` shows (the report of a neuron slice cuts its forward
pass itself: teach/neuron_cut.py)."""
from __future__ import annotations


def slice_line(net, layer: int, neuron: int | None) -> str:
    """Which weights --layer and --neuron (0-based, as explain's layer= and neuron=) chose, in the report's names."""
    from ..teach.explain import neuron_names
    n, units = len(net.dense_layers), neuron_names(net)[layer + 1]
    into = "the output layer" if layer == n - 1 else f"hidden layer {layer + 1}"
    text = f"slice: --layer {layer} (0-based) = weights layer {layer + 1} of {n}, into {into}"
    if neuron is None:
        return text + (f" (unit {units[0]})" if len(units) == 1 else f" (units {units[0]}..{units[-1]})")
    return text + f"; --neuron {neuron} (0-based) = its unit {units[neuron]}"

