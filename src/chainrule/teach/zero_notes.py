"""Why a unit's gradients read 0 where a reader expects numbers: the engine set a delta too small to matter to 0
(flushed), or the unit's relu is off for every sample (a dead unit). Said once, under the unit's dout/dnet line."""
from __future__ import annotations

from ..backend.kernels import flush_below
from .notation import shortened


def flush_note(d: dict, p: dict) -> str:
    """Why a gradient is 0 where its factors are not: the engine set a delta this small to 0. With several samples
    only the flagged samples' share is 0, not the gradients (the others' shares add up)."""
    to, n = p["to"], d["n_samples"]
    many = sum(p["flushed"]) > 1
    which = "" if n == 1 else " of sample" + "s" * many + " " + ", ".join(
        str(k + 1) for k, f in enumerate(p["flushed"]) if f)
    said = (f"dE/dnet_{to} and the gradients below read 0 there" if n == 1 else
            f"dE/dnet_{to}{which} {'are' if many else 'is'} 0 and add{'' if many else 's'} nothing to the gradients "
            "below")
    return (f"dE/dnet_{to}{which} is below {flush_below(d['dtype']):.1e} in magnitude: the engine sets a delta "
            f"this small to 0 (it could not change any sum it enters, and kept it would slow every product), so "
            f"{said}, where the product of the factors is not")


def off_note(d: dict, p: dict) -> str:
    """Why every gradient of a unit is 0: its relu is off for every sample (a dead unit), said once under its
    dout/dnet line of zeros; its parameters named as the gradient lines below name them."""
    to, n, act = p["to"], d["n_samples"], d["layers"][p["layer"]]["activation"]
    names = [q["name"] for q in d["parameters"] if q["layer"] == p["layer"] and q["to"] == to]
    every = "for every sample" if n > 1 else "for this sample"
    penalty = " from E (the weight penalty's alone)" if d.get("weight_penalty") else ""
    return (f"{to} is off {every} (net_{to} <= 0): {act}'s derivative is 0 there, so {shortened(names)} "
            f"get no gradient{penalty}")
