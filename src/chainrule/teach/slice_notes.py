"""The notes under a report's sums written by their ends: what a neuron slice or a sum too long to write whole
left out, and the slice (or the report's dict) that writes each term, so that every cut line says where its
whole is.
"""
from __future__ import annotations

from . import derivation
from .notation import MAX_PARAMETERS, shortened


def cut_note(cut: list[str], terms: int, layer: int) -> str:
    """What a neuron slice left out of the other units' sums, and where one is written whole."""
    nets, one = shortened([f"net_{name}" for name in cut]), len(cut) == 1
    return (f"({nets}: {terms - 3} of {'its' if one else 'their'} {terms} weighted terms left out, as this slice does "
            f"not derive {'it' if one else 'them'}; explain(..., layer={layer}, neuron=J) writes unit J's sum whole)")


def long_note(cut: list[str], terms: int, layer: int) -> str:
    """What a sum too long for any slice to write whole left out, and where every term of it is."""
    names, one = [f"net_{name}" for name in cut], len(cut) == 1
    where = "inputs" if layer == 0 else (f"outs of hidden layer {layer}, "
                                         f"report.to_dict()[\"layers\"][{layer - 1}][\"neurons\"][K][\"out\"]")
    return (f"({shortened(names)}: {terms - 3} of {'its' if one else 'their'} {terms} weighted terms left out, a "
            f"sum of more than {MAX_PARAMETERS - 1} terms being written by its ends; "
            f"report.to_dict()[\"layers\"][{layer}][\"neurons\"][J] lists every weight of unit J (J 0-based: 0 is "
            f"{cut[0]}) and its value; the values it multiplies are the {where})")


def delta_cut_note(d: dict, layer: int, vias: list[str], terms: int) -> str:
    """What the hidden deltas' lines left out of their sums over the layer above, and the slice that writes each
    term: one note for the layer."""
    one = len(vias) == 1
    where = derivation.derived_by(d, layer, vias, 'report.to_dict()["parameters"]\'s paths list each delta '
                                  '("delta": its terms)')
    every = ", writing every term" if where.startswith("explain") else ""
    return (f"({shortened([f'dE/dnet_{v}' for v in vias])}: {terms - 2} of the {terms} terms of "
            f"{'its' if one else 'each'} sum left out; {where}{every})")


def read_note(d: dict, layer: int, vias: list[str]) -> str:
    """Deltas a slice's lines read that it does not derive: where they are derived."""
    title = "the output layer" if layer == len(d["layers"]) - 1 else f"hidden layer {layer + 1}"
    one = len(vias) == 1
    where = derivation.derived_by(d, layer, vias, 'report.to_dict()["parameters"]\'s paths hold '
                                  f"{'its' if one else 'their'} numbers")
    return (f"({shortened([f'dE/dnet_{v}' for v in vias])}: {title}'s delta{'' if one else 's'}, read here; "
            f"{where})")
