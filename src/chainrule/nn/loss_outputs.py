"""Whether the output layer's activation fits the loss: cross-entropy reads probabilities, so after an output that
gives none it is refused (OutputMismatch, its advice in the front end's own terms) or, for an unusual
pairing, warned."""
from __future__ import annotations

from ..errors import ValidationError
from .activations import Activation
from .losses import BinaryCrossentropy, CategoricalCrossentropy, Loss

#: output activations whose values are not probabilities, and the range they give
NOT_PROBABILITIES = {"linear": "any real number", "relu": "0 to infinity", "leaky_relu": "any real number",
                     "tanh": "-1 to 1"}


class OutputMismatch(ValidationError):
    """A cross-entropy refused after an output that gives no probabilities: `reason` says why and `activation` names
    the output activation it needs, so that a front end (the command's --activation) words its own advice from them
    rather than from this message's English."""

    def __init__(self, reason: str, activation: str):
        super().__init__(f"{reason}. Use activation={activation!r} on the output layer (or a loss that declares "
                         "takes_logits = True)")
        self.reason, self.activation = reason, activation


def output_mismatch(loss: Loss, activation: Activation, n_outputs: int) -> tuple[str, str] | OutputMismatch | None:
    """An OutputMismatch to raise, or ("warning", why), when the output activation does not fit the loss: cross-entropy
    is the log of probabilities, so after a linear, ReLU or tanh output it is wrong (negative, or
    the log of a negative number); an unusual but valid pairing gets a warning."""
    if loss.takes_logits or not isinstance(loss, (BinaryCrossentropy, CategoricalCrossentropy)):
        return None
    act, categorical = activation.name, isinstance(loss, CategoricalCrossentropy)
    usual = "softmax" if categorical else "sigmoid"
    if act in NOT_PROBABILITIES:
        harm = ("the loss can turn negative and fall without bound" if categorical else
                "its log(out) and log(1 - out) are undefined outside (0, 1)")
        return OutputMismatch(f"loss={loss.name!r} needs probabilities from the output layer, but its activation is "
                              f"{act!r}, whose outputs range over {NOT_PROBABILITIES[act]}: {harm}", usual)
    if categorical and act == "sigmoid" and n_outputs > 1:
        return "warning", (f"loss='categorical_crossentropy' after a sigmoid output: the {n_outputs} outputs do not "
                           "sum to 1, so only the true class is pushed up; softmax is the usual output for one "
                           "class per sample (sigmoid with binary_crossentropy for several labels per sample)")
    if not categorical and act == "softmax" and n_outputs > 1:
        return "warning", (f"loss='binary_crossentropy' after a softmax output: the {n_outputs} outputs compete (they "
                           "sum to 1), so they are not independent labels; use sigmoid for several labels per sample, "
                           "or categorical_crossentropy for one class per sample")
    return None


#: torch.nn's losses of the logits (classes and torch.nn.functional's names), and the output activation that they
#: apply inside and chainrule's network applies
TORCH_LOGITS = {"bcewithlogitsloss": "sigmoid", "crossentropyloss": "softmax",
                "binary_cross_entropy_with_logits": "sigmoid", "cross_entropy": "softmax"}


def torch_logits_mismatch(asked: object, found: OutputMismatch) -> OutputMismatch:
    """`found` told in torch's terms where the loss was asked for by a torch.nn name of a loss of the logits: its
    user's last layer is linear, as torch's is, and needs to hear where the sigmoid or softmax went."""
    inside = TORCH_LOGITS.get(asked.lower()) if isinstance(asked, str) else None
    if inside is None:
        return found
    return OutputMismatch(f"loss={asked!r} is torch.nn's loss of the logits, with the {inside} inside it; in chainrule "
                          f"the {inside} is the output layer's activation and {asked!r} the loss of its output (the "
                          f"same numbers); {found.reason}", found.activation)
