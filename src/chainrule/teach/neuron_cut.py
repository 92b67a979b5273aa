"""A neuron slice's report (explain(..., layer=L, neuron=J), `chainrule explain --layer L --neuron J`): the forward
pass cut to the chosen neuron and the outputs, the lines they read of the other units said in one line per layer.
One filter, `kept`, read by the report both for what it shows and for the note on rounded numbers (last_digit)."""
from __future__ import annotations

import re

from .derivation import derived_by
from .notation import shortened
from .numbers import plain_numbers


def kept(d: dict) -> set[str] | None:
    """The units whose forward lines a neuron slice shows (the chosen one and the outputs); None for no neuron."""
    chosen = d.get("slice") or {}
    if chosen.get("neuron") is None:
        return None
    return {d["layers"][chosen["layer"]]["neurons"][chosen["neuron"]]["name"],
            *(nr["name"] for nr in d["layers"][-1]["neurons"])}


def cut(text: str, d: dict, markdown: bool) -> str:
    """`text` (the report's, `d` its dict) with the forward pass cut to `kept(d)`; the outputs of each hidden layer
    the kept lines read (the chosen unit's own layer, the one below the outputs), not derived here, said in one line
    where that layer's lines were, with the slice that derives them. Unchanged for no neuron."""
    keep = kept(d)
    if keep is None:
        return text
    layer = d["slice"]["layer"]
    read = {k: [nr["name"] for nr in d["layers"][k - 1]["neurons"]]          # hidden layer k's units
            for k in (layer, len(d["layers"]) - 1) if k > 0}
    pattern = re.compile(r"^\$\$(?:net|out)_\{([^}]+)\}" if markdown else r"^  (?:net|out)_(\S+) = ")
    values = {}
    for line in text.splitlines():
        m = pattern.match(line)
        if m and line.lstrip("$ ").startswith("out_"):
            values[m.group(1)] = plain_numbers(line.rstrip("$").rsplit(" = ", 1)[1])      # said out of math
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
                out.extend(_outputs_line(k, rest, values, markdown, d, others=len(rest) < len(read[k])))
            continue
        out.append(line)
    return "\n".join(out)


def _outputs_line(layer: int, names: list[str], values: dict[str, str], markdown: bool, data: dict,
                  others: bool) -> list[str]:
    """'out_h2_1 = 0.1, ..., out_h2_6 = 0.2   (hidden layer 2: explain(..., layer=1) derives them)': a layer whose
    outputs the kept lines read, its values only (the ends of a wide one), and the slice that derives them
    where one fits; `others`: the chosen neuron's own layer, its other units."""
    shown = shortened([f"out_{n} = {values[n]}" for n in names])
    where = derived_by(data, layer - 1, names, f'report.to_dict()["layers"][{layer - 1}]["neurons"][J] has unit J\'s '
                       "weights, net and out")
    why = f"({'the other units of ' if others else ''}hidden layer {layer}: {where})"
    return [f"{shown}   {why}", ""] if markdown else [f"  {shown}   {why}"]
