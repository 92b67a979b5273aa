"""What `chainrule explain --layer/--neuron` shows: the line naming the slice, and for one neuron the
derivation with the forward pass cut to it (the lines it reads said in one line per layer)."""
from __future__ import annotations

import re


def slice_line(net, layer: int, neuron: int | None) -> str:
    """Which weights --layer and --neuron (0-based, as explain's layer= and neuron=) chose, in the report's names."""
    from ..teach.explain import neuron_names
    n, units = len(net.dense_layers), neuron_names(net)[layer + 1]
    into = "the output layer" if layer == n - 1 else f"hidden layer {layer + 1}"
    text = f"slice: --layer {layer} (0-based) = weights layer {layer + 1} of {n}, into {into}"
    if neuron is None:
        return text + (f" (unit {units[0]})" if len(units) == 1 else f" (units {units[0]}..{units[-1]})")
    return text + f"; --neuron {neuron} (0-based) = its unit {units[neuron]}"


def only_neuron(text: str, keep: set[str], markdown: bool, read: dict[int, list[str]], data: dict) -> str:
    """The derivation with the forward pass cut to the chosen neuron and the outputs; the outputs of
    each hidden layer k in `read` (its units' names: what the kept lines read, not derived here) said
    in one line where that layer's lines were, with the slice that derives them (`data`: the report's dict)."""
    pattern = re.compile(r"^\$\$(?:net|out)_\{([^}]+)\}" if markdown else r"^  (?:net|out)_(\S+) = ")
    values = {}
    for line in text.splitlines():
        m = pattern.match(line)
        if m and line.lstrip("$ ").startswith("out_"):
            values[m.group(1)] = line.rstrip("$").rsplit(" = ", 1)[1]
    layer_of = {name: k for k, names in read.items() for name in names}
    out, said, dropped = [], set(), False
    cut_note = re.compile(r"^(?:  )?\(net_([^,:]+)[,:]")      # the report's note on sums it cut: kept with them
    for line in text.splitlines():
        if dropped and markdown and not line:      # a dropped equation's blank line after it: dropped with it
            dropped = False
            continue
        c, m = cut_note.match(line), pattern.match(line)
        dropped = bool(c and c.group(1) not in keep) or bool(m and m.group(1) not in keep)
        if c and dropped:
            continue
        if m and dropped:
            k = layer_of.get(m.group(1), -1)
            rest = [] if k < 0 or k in said else [n for n in read[k] if n not in keep]
            if rest:
                said.add(k)
                out.extend(_outputs_line(k, rest, values, markdown, data, others=len(rest) < len(read[k])))
            continue
        out.append(line)
    return "\n".join(out)


def _outputs_line(layer: int, names: list[str], values: dict[str, str], markdown: bool, data: dict,
                  others: bool) -> list[str]:
    """'out_h2_1 = 0.1, ..., out_h2_6 = 0.2   (hidden layer 2: --layer 1 derives them)': a layer whose
    outputs the kept lines read, its values only (the ends of a wide one), and the slice that derives them
    where one fits; `others`: the chosen neuron's own layer, its other units."""
    from ..teach.derivation import derived_by
    from ..teach.notation import shortened
    shown = shortened([f"out_{n} = {values[n]}" for n in names])
    where = derived_by(data, layer - 1, names, f'report.to_dict()["layers"][{layer - 1}]["neurons"][J] has unit J\'s '
                       "weights, net and out")
    from ..teach.notation import as_options
    why = f"({'the other units of ' if others else ''}hidden layer {layer}: {as_options(where)})"
    return [f"{shown}   {why}", ""] if markdown else [f"  {shown}   {why}"]
