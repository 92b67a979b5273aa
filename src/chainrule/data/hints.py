"""Why a cell of a model's numeric column is no number, and the option that reads it: a number written with a comma
(--decimal, --thousands), a percentage, or a missing value's marker (--na-values) that training never met. What
`chainrule predict`, `evaluate` and `explain --data` add to their refusal of such a cell (encode.numeric_column)."""
from __future__ import annotations

from typing import Any

import numpy as np

from ..errors import ValidationError
from .csvfile import short


def comma_hint(cell: Any, read: dict | None = None) -> str:
    """What a number written with a comma needs, by train's own test (`comma_cells` on this one cell):
    1,234 thousands separators, 1.234,5 both marks, 1,5 a decimal comma (in a file read as `read` says, its sep
    and name; None if not known); "" for another cell."""
    import re

    from .textnumbers import AMOUNT, COMMA_KINDS, PERCENT, comma_advice, comma_cells, no_break_note
    found = comma_cells([cell.strip()], np.array([False]), np.array([1])) if isinstance(cell, str) else None
    if found is None:
        for pattern, what in ((PERCENT, "percentages"), (AMOUNT, "amounts with a currency sign")):
            if isinstance(cell, str) and re.fullmatch(pattern, cell.strip()):
                return f"; the file writes {what}: write them as the numbers the model was trained on"
        return ""
    how = "decimals with a comma" if found[0] == "decimal" else COMMA_KINDS[found[0]]
    return f"; the file seems to write {how}: {comma_advice(found[0], read)}{no_break_note(cell)}"


#: words a spreadsheet writes for a missing number, beside pandas' own markers (markers.PANDAS_ONLY)
MARKER_WORDS = ("missing", "unknown", "none", "null", "nil", "na", "n.a.", "empty", "blank")


def _is_marker(cell: Any) -> bool:
    """Whether a cell that is no number looks like a missing value's marker: '?', '-', pandas' 'n/a' or 'NULL',
    'missing'."""
    import re

    from .markers import PANDAS_ONLY
    return isinstance(cell, str) and (cell in PANDAS_ONLY or cell.casefold() in MARKER_WORDS
                                      or not re.search(r"\w", cell))


def marker_hint(pre: Any, c: str, cells: Any, read: dict | None) -> str:
    """Cells that mark a missing value (`cells`: the distinct cells of the model's numeric columns that are no
    numbers, column `c`'s first first; --na-values reads them all), which training never met: the option that
    reads every marker among them so, and what the model then does with them (fills them, or refuses them); the
    markers after the first are named (predict named the first alone, and its advice, followed, failed on the
    next). The markers given to this run (`read`'s, less the model's own, which it reads anyway) the advice
    keeps: the option replaces them."""
    from .markers import na_advice
    if not _is_marker(cells[0]):
        return ""
    words = list(dict.fromkeys(str(v) for v in cells if _is_marker(v)))
    given = [m for m in (read or {}).get("na_values", ()) if m not in (pre.na_values or ())]
    advice = na_advice(words, given)                 # None for 'n/a ' or ',', which --na-values cannot read
    if advice is None:
        return ""
    more = f" (the file's numeric columns hold {', '.join(short(w) for w in words[1:])} too)" if len(words) > 1 else ""
    it, they = ("it", "it marks") if len(words) == 1 else ("them", "they mark")
    fill = f"{pre.fill.get(c, 0):.6g}" if len(words) == 1 else "the values training's --impute learnt"  # columns' own
    then = (f"the model fills {it} with {fill}" if c in pre.fill else
            f"the model, trained without --impute, cannot fill {it}: write a number there")
    return f"{more}; if {they} a missing value, {advice[0].lower()}{advice[1:]} ({then})"


class Markers(ValidationError):
    """The refusal of a numeric column's cell that marks a missing value (`head`: the column, its line and cell;
    `cells`, `read`: marker_hint's), which a file read in chunks rebuilds (`with_cells`) with the markers of its
    later chunks: one --na-values must read them all."""

    def __init__(self, head: str, pre: Any, c: str, cells: list, read: dict | None) -> None:
        self.head, self.pre, self.c, self.cells, self.read = head, pre, c, cells, read
        super().__init__(head + marker_hint(pre, c, cells, read))

    def with_cells(self, more: list) -> Markers:
        return Markers(self.head, self.pre, self.c, [*self.cells, *more], self.read)
