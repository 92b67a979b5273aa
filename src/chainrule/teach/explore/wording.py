"""The engine's messages in the page's terms.

The library's messages name what its command line and Python API offer (`--encoding`, `chainrule
train --drop`, `clip_norm=`, a loss with `takes_logits`); the page has none of these. At the
explorer's boundary (the server's and the widget's answers) those parts are replaced by what the
page offers, or dropped; the library's own messages stay as they are.
"""
from __future__ import annotations

import re
from typing import Any

from ...nn.divergence import REMEDIES

# what a refused Train, Step or Update says: the session is left as it was (the request is rolled back)
NOTHING_CHANGED = "; nothing was changed: lower the learning rate (Optimizer, η), then train again"


# Forward or Backward pressed again shows the very pass already drawn: said, so that the click is seen to do something
SHOWN_ALREADY = {
    "forward": "The forward pass of these weights is shown already (net and out of every neuron, the error): "
               "Backward computes the gradients next",
    "backward": "The gradients of these weights are shown already: Update applies them next",
}

def back(weights_from: str | None) -> str:
    """What brings a model's weights or optimizer back: Undo, and Reset where the server opened that
    model (a share link's page resets to what its server opened, not to the link)."""
    return "Undo" if weights_from == "the share link" else "Undo or Reset"


def new_optimizer(weights_from: str | None) -> str:
    """A change of the optimizer on a page that opened a model's: the new one starts from step 0."""
    return (f"A new optimizer, from step 0: the model's step count and moments are not used ({back(weights_from)} "
            "brings them back)")


RULES: list[tuple[re.Pattern, Any]] = [     # (pattern, what re.sub puts in its place)
    # explain's refusal of a pass that overflows, prefixed as the command line prefixes its errors: said as what
    # the page cannot show ("7 of the 16 training samples overflow; sample 2: the chain rule cannot ...")
    (re.compile(r"(^|: )explain: "),
     lambda m: m[1] + ("the" if m[1] else "The") + " chain rule cannot be written out: "),
    # a CSV file in another encoding: the page reads UTF-8 only
    (re.compile(r"give its encoding, e\.g\. --encoding \S+ \(or \S+\)|read it with its encoding, e\.g\. "
                r"encoding='\S+' \(or '\S+'\)"),        # the command's words (chainrule explore), or Python's
     "save it as UTF-8 text and upload it again (the explorer reads UTF-8 files)"),
    (re.compile(r"it is in another encoding$"), "save it as UTF-8 text and upload it again"),
    # an empty column: no --drop on the page
    (re.compile(r"leave it out \((?:chainrule train --drop .+|df\.drop\(columns=\[.+\]\)), "
                r"or remove it from the file\)"),
     "remove it from the file and upload it again"),
    # a diverged Train: the session is left as it was (no weights of a last finite step), no clip_norm
    (re.compile(r"; the weights are those of the last finite step\. Try " + re.escape(REMEDIES) + r"\.?"),
     NOTHING_CHANGED),
    (re.compile(r"(, )?(or )?gradient clipping \(clip_norm=\.\.\.\)(, )?"), lambda m: ", " if m[1] and m[3] else ""),
    # Nesterov with no momentum: the page's optimizer and field, not the engine's arguments
    (re.compile(r"nesterov=True needs momentum > 0 and dampening = 0"),
     "Nesterov needs a momentum above 0 (Optimizer, momentum); with momentum 0 choose Gradient descent"),
    # targets outside [0, 1] for binary cross-entropy (a typed target, a switch of the Loss): the page has no Y,
    # no LabelEncoder and no chainrule.sklearn, but targets to click and a Loss to choose
    (re.compile(r"^Y must lie in \[0, 1\] for binary_crossentropy; got values from (\S+) to (\S+?)"
                r"(?: \(two labels, .*\))?$"),
     r"the targets must lie in [0, 1] for binary_crossentropy; got values from \1 to \2: set each target from 0 to 1 "
     "(click it), or choose another Loss (Network)"),
    # a loss that needs probabilities after an output that gives none
    (re.compile(r"Use activation='(\w+)' on the output layer \(or a loss that declares takes_logits = True\)"),
     r"Choose \1 as the Output activation (Network), or another Loss"),
]


def dropout_update(report: dict, told: bool = False) -> str:
    """What Update, Step and Train say of a network with Dropout (the report's remark on its update, in
    the page's terms): they train as `fit` does, so their numbers are not the derivation's; else "".
    `told`: after the report's own dropout note, which says what a training step does."""
    if not report.get("dropout"):
        return ""
    differ = "their gradients and new weights differ from the chain rule's, worked out without dropout"
    if told:
        return f"Update, Step and Train are such training steps: {differ}"
    return ("This network has Dropout: Update, Step and Train are training steps, which zero units at random "
            f"(and scale the rest up), so {differ}")


def for_page(message: str) -> str:
    """`message` with the parts that name options the page does not have put in the page's terms."""
    for pattern, replacement in RULES:
        message = pattern.sub(replacement, message)
    return message


def rebuilt(arch: dict, weights_from: str | None, kept: list[str], lost: list[str], unnamed: bool) -> str:
    """What a change on the Network card did to a model's network (`engine.rebuilt`): new weights (the
    file's are gone), what it kept of the file's network and what it could not; "" for a network the
    page built (the card shows all of it)."""
    if not (weights_from or kept or lost or unnamed):
        return ""
    init = "the seed's weights" if arch["init"] == "seed" else f"Init {arch['init']}, seed {arch['seed']}"
    gone = f": the weights of {weights_from} are gone ({back(weights_from)} brings them back)."
    said = [f"New weights drawn ({init})" + (gone if weights_from else ".")]
    if kept:
        said.append("Kept from the model: " + ", ".join(kept) + ".")
    if lost:
        said.append("Not kept: " + ", ".join(lost) + ".")
    if unnamed:
        said.append("The file's columns and classes no longer name the inputs and outputs (their number changed).")
    return " ".join(said)


# Which weights the chain-rule panel's and the norms card's numbers are of, in each phase. After Step the drawing
# shows the new weights' forward pass (phase Forward) and the panel explains those weights: its gradient and update
# are the next step's, not the step just taken (whose numbers `step_taken` says).
PANEL_OF = {
    "forward": "Every number below is of the weights now: their forward pass, as drawn; their gradient and update "
               "are the next step's (Backward draws the gradient, Update makes the update).",
    "backward": "Every number below is of the weights drawn: their forward pass and their gradient (this backward "
                "pass); the update is the one Update will make next.",
    "update": "Every number below is of the weights before the update just made: their forward pass and the "
              "gradient it took; the last line is that update (Forward draws the new weights' pass).",
}
LINE_WHEN: dict[tuple[str, str | None], str] = {
    ("forward", "gradient"): "next step's gradient (of the weights now)",
    ("forward", "update"): "next step's update (not made yet)",
    ("backward", "gradient"): "this backward pass (of the weights drawn)",
    ("backward", "update"): "the next update (not made yet)",
    ("update", "gradient"): "gradient of the weights before the update",
    ("update", "update"): "the update just made",
}
NORMS_OF = {
    "forward": "Of the weights now: the gradient the next step takes (Backward draws it)",
    "backward": "Of the weights drawn: this backward pass",
    "update": "Of the weights before the update: the gradient it took",
}
# the card's words where a step's gradient is not the chain rule's (Dropout, MLP's weight penalty)
DRAWN_OF = {"forward": "Of the weights now: their gradient (Backward draws it)",
            "backward": "Of the weights drawn: this backward pass",
            "update": "Of the weights before the update: their gradient"}
OWN_DIFFERS = {"forward": "The next step's own gradient differs.", "backward": "A step's own gradient differs.",
               "update": "The gradient the update took differs."}


def norms_of(phase: str, dropout: bool, penalty: bool) -> str:
    """Which gradient the norms card draws: `net.gradients`, the chain rule's (every unit on, no weight penalty),
    which a step (net.train_batch) takes only without Dropout and MLP's alpha: then the card says whose it is not."""
    if not (dropout or penalty):
        return NORMS_OF[phase] + "."
    how = [*(["every unit on (a step's Dropout zeroes units at random)"] if dropout else []),
           *(["without MLP's weight penalty alpha * W / m, which a step adds"] if penalty else [])]
    return f"{DRAWN_OF[phase]}, as the chain rule gives it: {' and '.join(how)}. {OWN_DIFFERS[phase]}"


def step_taken(name: str, before: str, now: str, grad: str, steps: int, whole: bool, penalised: bool = False) -> str:
    """The step just taken, of one weight: where it went from and to, with the gradient of the weights before it
    (`penalised`: MLP's weight penalty added, as the update took it)."""
    batch = "the " if whole else "the whole batch's "
    of = f"dE/d{name} + alpha * {name} / m" if penalised else f"dE/d{name}"
    return (f"The step just taken (step {steps}) moved {name} from {before} to {now}, with {batch}gradient of the "
            f"weights before it, {of} = {grad}.")


def steps_taken(name: str, before: str, now: str, start: int, end: int) -> str:
    """The steps just taken without one gradient to name (Train's run, or Update): steps start + 1 to end."""
    if end == start + 1:
        return f"The step just taken (step {end:,}) moved {name} from {before} to {now}."
    return (f"The steps just taken (steps {start + 1:,} to {end:,}, one Train) moved {name} from {before} (before "
            f"step {start + 1:,}) to {now} (after step {end:,}, the weights drawn); the gradient and update below "
            f"are the next step's, step {end + 1:,}'s.")
