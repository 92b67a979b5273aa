"""Undo and Redo of one explorer session, as editors have them: every change of the weights, inputs or settings
keeps the state before it (the last MAX_UNDO), Undo goes back to it and keeps what it leaves for Redo, and a new
change clears Redo. A Train run's later requests (`goes_on`: the rest of its steps, ▶'s next ones) are part of its
one change, whatever is looked at in between (a weight clicked, Forward pressed)."""
from __future__ import annotations

import copy
from typing import Any

from chainrule.errors import ValidationError

MAX_UNDO = 30
# replaced whole by a change, never edited in place: a state kept shares them
SHARED = ("start", "X", "Y", "Xt", "Yt", "pre", "report", "batch")


def snapshot(session: Any) -> dict:
    """The session's state as it is now (its Undo and Redo aside)."""
    return {k: (v if k in SHARED else copy.deepcopy(v)) for k, v in vars(session).items() if k != "changes"}


def restore(session: Any, state: dict) -> None:
    """Put back a state `snapshot` kept, the session's Undo and Redo as they are."""
    changes = session.changes
    session.__dict__.update(state)
    session.changes = changes


class Changes:
    """The states Undo goes back to (`undone`, the last last) and those Redo brings back (`redone`)."""

    def __init__(self) -> None:
        self.undone: list[dict] = []
        self.redone: list[dict] = []
        self.last = ""      # the last action that changed the weights, inputs or settings (or undid or redid one)

    def record(self, before: dict, action: str, goes_on: bool = False) -> None:
        """`action` changed the session from the state `before`."""
        if not (action == "train" and goes_on and self.last == "train"):
            self.undone = (self.undone + [before])[-MAX_UNDO:]
        self.redone = []
        self.last = action

    def undo(self, session: Any) -> None:
        self._move(session, self.undone, self.redone, "nothing to undo")
        self.last = "undo"

    def redo(self, session: Any) -> None:
        self._move(session, self.redone, self.undone,
                   "nothing to redo: Redo brings back what Undo went back from, until a new change")
        self.last = "redo"

    @staticmethod
    def _move(session: Any, source: list, other: list, nothing: str) -> None:
        """Undo and Redo alike: the state now goes to the other list, the source's last state is restored."""
        if not source:
            raise ValidationError(nothing)
        other.append(snapshot(session))
        restore(session, source.pop())
