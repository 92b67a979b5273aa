"""A report's plain text fitted to a terminal's width (`explain --width`, `example`, `demo`): each line wider than
it broken where a reader would break it, the pieces that continue one part of an equation in one column, and a
bracket kept whole wherever it fits on a line. Nothing is dropped: joined again, the lines are the text.
"""
from __future__ import annotations

import os
import re
import shutil
import sys
from typing import IO


def fit_width(text: str, width: int) -> str:
    """`text` (a report's plain text) with each line wider than `width` broken where a reader would break
    it: an equation at its = signs, each continuation under the first =; a part still too wide at its
    + and - (then * and /) signs, each continuation starting with its sign, at one indent for the part, and
    the next = on a line of its own; a list of values at its commas, then at its spaces; none of these inside
    a bracket or a quote, "(0.3 - 0.5)", "P('y' = 'b')", where there is a place outside it; a note after the value,
    "   (summed over samples)", on the last line where it fits, else on its own line under the value;
    prose at its spaces (not beside a sign, "out_o - target_o", where that part fits a line). Nothing is dropped:
    joined again, the lines are the text. A number wider than the terminal stays whole. `width` 0: unchanged."""
    if width <= 0:
        return text
    out: list[str] = []
    for line in text.split("\n"):
        out.extend(_fit_line(line, width))
    return "\n".join(out)


def _fit_line(line: str, width: int) -> list[str]:
    if len(line) <= width:
        return [line]
    indent = " " * (len(line) - len(line.lstrip()))
    body = line.strip()
    equation, mark, note = body.rpartition("   (")
    if not (mark and note.endswith(")")):
        equation, note = body, ""
    parts = _split(equation, " = ")
    if len(parts) < 2 or body.startswith("- ") or ": " in parts[0] or ", " in parts[1] or PROSE.search(parts[0]):
        # prose (a list item, a sentence) at its spaces; a list of values at its commas, then at its spaces
        more = indent + ("    " if body.startswith("- ") else "  ")
        if body.startswith("- ") or len(_split(equation, ", ")) < 2 or PROSE.search(equation):
            return _pack_words(indent, body, more, width, indent, WORDS)
        return _note(_pack(indent, equation, more, width, indent, (", ", r" +")), note, more, width, indent)
    lhs = parts[0]
    col = indent + " " * (len(lhs) + 1) if len(indent) + len(lhs) + 1 <= width // 3 else indent + "    "
    lines = _pack(indent, lhs, indent + "    ", width, indent)
    broken = len(lines) > 1
    for k, part in enumerate(parts[1:]):
        if not broken and len(lines[-1]) + 3 + len(part) <= width:
            lines[-1] += " = " + part
            continue
        if k == 0 and len(lines) == 1 and len(col) == len(lines[0]) + 1:     # lhs = a broken first part
            lines = _pack(lines[0] + " = ", part, col + "    ", width, indent)
        else:                 # after a part broken at its + or *, the next = starts a line: "* 1 = 0.13" misreads
            packed = _pack(col + "= ", part, col + "    ", width, indent)
            alone = _pack(col, part, col + "    ", width, indent)
            if _broken(part, alone) < _broken(part, packed):      # a bracket that "= " before it would not let fit
                if not broken and len(lines[-1]) + 2 <= width:
                    lines[-1] += " ="             # the = ends the line before, the bracket whole on its own line
                else:                             # "/ n_samples =" would read as an equation of its own
                    lines.append(col + "=")
                packed = alone
            lines.extend(packed)
        broken = len(lines) > 1 and not lines[-1].lstrip().startswith("= ")
    return _note(lines, note, col + "  ", width, indent)


def _broken(part: str, lines: list[str]) -> int:
    """How many of `part`'s round brackets no line of `lines` holds whole."""
    depth = _depths(part)
    starts = [a for a, c in enumerate(part) if c == "(" and a + 1 < len(part) and depth[a + 1] > depth[a]]
    groups = [part[a:next((k for k in range(a + 1, len(part)) if depth[k] <= depth[a]), len(part))] for a in starts]
    return sum(not any(group in line for line in lines) for group in groups)


def _note(lines: list[str], note: str, col: str, width: int, floor: str) -> list[str]:
    """The note split off before breaking, "(summed over samples)": after the value where it fits, else under it at
    `col`, broken between its clauses (at "; ") with a hanging indent; where a clause does not fit there, whole and
    as far left as it needs (a note broken inside a clause reads as two): a note of clauses no further left than its
    value, a clause too wide for that broken at its spaces."""
    if note:
        note = "(" + note
        if len(lines[-1]) + 3 + len(note) <= width:
            lines[-1] += "   " + note
        else:
            kept = _pack_words(col, note, col + " ", width, col, ("; ",))     # at its indent, between clauses
            if any(len(line) > width for line in kept):     # a clause too wide for it there: as far left as it needs
                values = VALUES.fullmatch(note) is not None     # (w1 = 0.15, b_h1 = 0): between values, each whole
                signs = ("; ", ", ", r" +") if values else ("; ", r" +")
                kept = _pack_words(col, note, col + " ", width, "", signs)
                clauses = re.split(r"(?<=[;,]) " if values else r"(?<=;) ", note)   # each whole where a column further
                low = len(lines[-1]) - len(lines[-1].lstrip())      # left holds it, still under its value (not 0)
                for at in range(len(col), low - 1, -1):
                    moved = _pack_words(col[:at], note, col[:at] + " ", width, "", signs)
                    if _torn(clauses, moved) < _torn(clauses, kept):
                        kept = moved
            lines.extend(kept)
    return lines


def _torn(clauses: list[str], lines: list[str]) -> int:
    """How many of a note's clauses no line of `lines` holds whole."""
    return sum(not any(clause in line for line in lines) for clause in clauses)


VALUES = re.compile(r"\((?:[^\s,;()]+ = [^\s,;()]+, )*[^\s,;()]+ = [^\s,;()]+\)")    # a note of values only
PROSE = re.compile(r"(?<![\w/])[A-Za-z]+ [A-Za-z]+(?![\w/(])")   # two words in a row: a sentence, not a formula
# where a part breaks, in order: sums, products, lists, words; each first outside brackets and quotes
# a formula's spaces: after a colon or between two words, never between two factors side by side (target_o1 log
# out_o1, 2 (out - target)), where the second would read as a term of its own
SPACES = r"(?<=[:;]) +|(?<=[A-Za-z]{2}) +(?=[A-Za-z]{2,}\b)"
SIGNS = (r" [+-] ", r" [*/] ", ", ", SPACES)
# prose: at its spaces alone, first never beside a sign ("out_o - target_o" whole), then where that is too long at any
WORDS = (r"(?<![-+*/=]) +(?![-+*/=] )", r" +")
OPTION = re.compile(r"(?<!\S)(--[a-z][\w-]*) (?=[^\s(-])")     # an option and the value after it
LIST = (", ", "; ")                                               # end their line
# 'y' and "owner's age" (repr's quotes, a backslash escaping its own), not the ' of seed's
QUOTED = re.compile(r"""(?<!\w)(?:'(?:[^'\\\n]|\\.)*'|"(?:[^"\\\n]|\\.)*")(?!\w)""")


def _depths(text: str) -> list[int]:
    """How deep each position of `text` lies in its quotes and matched brackets ( [ {: a bracket that
    does not close on this line (a sentence going on to the next) is no bracket."""
    spans = [m.span() for m in QUOTED.finditer(text)]
    quoted = {i for a, b in spans for i in range(a, b)}
    stack: list[int] = []
    for i, c in enumerate(text):
        if i in quoted:
            continue
        if c in "([{":
            stack.append(i)
        elif c in ")]}" and stack and "([{".index(text[stack[-1]]) == ")]}".index(c):
            spans.append((stack.pop(), i + 1))
    depth = [0] * len(text)
    for a, b in spans:
        for i in range(a + 1, b):
            depth[i] += 1
    return depth


def _split(text: str, sign: str) -> list[str]:
    """`text` split at each `sign` outside brackets and quotes."""
    depth = _depths(text)
    cuts = [m for m in re.finditer(re.escape(sign), text) if depth[m.start()] == 0]
    return [text[a.end() if a else 0:b.start() if b else len(text)] for a, b in zip([None, *cuts], [*cuts, None])]


def _pack_words(first: str, text: str, more: str, width: int, floor: str, signs: tuple[str, ...]) -> list[str]:
    """`_pack` with each option beside its value ("--neuron 1" on one line, as it is typed again)."""
    glued = OPTION.sub("\\1\x01", text)
    return [row.replace("\x01", " ") for row in _pack(first, glued, more, width, floor, signs)]


def _pack(first: str, part: str, more: str, width: int, floor: str, signs: tuple[str, ...] = SIGNS) -> list[str]:
    """`part` after `first`, broken where it does not fit at the first of `signs` (regular expressions) it
    holds outside brackets and quotes; only where none is outside them, at the shallowest depth that has one
    (a + or * starts its line, a comma ends one). Each continuation starts at `more`, one indent for the
    whole part; a piece with no sign left in it comes out from under `more`, as far as `floor`, to fit, and
    the part's other continuations with it, so that they stay aligned. A part that is all one bracket, every
    place to break it inside, stays whole where it fits on a line: after an = sign, on the next line (out
    from under `more`, as far as the line's start, to fit); only where it fits nowhere it breaks inside."""
    lines = _pack_at(first, part, more, width, floor, signs)
    while len(lines) > 1 and signs != WORDS:           # prose keeps its indent: only a word too wide comes out
        low = min(len(line) - len(line.lstrip(" ")) for line in lines[1:])
        if low >= len(more):
            break
        more = more[:low]                   # a piece came out from under `more`: the rest of the part with it
        lines = _pack_at(first, part, more, width, floor, signs)
    return lines


def _pack_at(first: str, part: str, more: str, width: int, floor: str, signs: tuple[str, ...]) -> list[str]:
    if len(first) + len(part) <= width:
        return [first + part]
    depth = _depths(part)
    cuts: list[re.Match[str]] = []
    for level in sorted(set(depth) | {0}):
        for sign in signs:
            cuts = [m for m in re.finditer(sign, part) if depth[m.start()] == level]
            if cuts:
                break
        if cuts:
            break
    formula = signs == SIGNS and cuts and not part.startswith("[")      # a formula's bracket, not a list of values
    left = len(first) - len(first.lstrip(" ")) - (0 if formula else len(floor))
    shift = max(0, min(left, len(first) + len(part) - width))          # a formula's bracket as far as column 0
    if not cuts or (level > 0 and len(first) - shift + len(part) <= width):   # whole, out from under `more`
        return [first[shift:] + part]
    if level > 0 and len(part) <= width and first.endswith("= ") and first.strip() != "=":
        return [first.rstrip(), " " * max(0, min(len(more), width - len(part))) + part]   # whole, after its =
    if cuts[0].group() == ", " and part.startswith("[") and level == 1:     # a list's values continue under its first
        more = " " * (len(first) + 1)
    pieces = []          # (what joins it to the piece before, its operator, itself)
    for a, b in zip([None, *cuts], [*cuts, None]):
        cut = a.group() if a else ""
        sign = cut.strip() if cut.strip() in ("+", "-", "*", "/") else ""
        text = part[a.end() if a else 0:b.start() if b else len(part)]
        text += b.group()[0] if b and b.group() in LIST else ""
        pieces.append((" " if sign or cut in LIST else cut, sign + " " if sign else "", text))
    lines = _pack(first, pieces[0][2], more, width, floor, signs)
    for join, lead, text in pieces[1:]:
        if len(lines[-1]) + len(join) + len(lead) + len(text) <= width:
            lines[-1] += join + lead + text
        elif signs == WORDS and " " in text and len(floor) + len(text) > width and not any(
                c == " " and k == 0 for c, k in zip(text, _depths(text))) and len(lines[-1]) + len(join) + len(
                text.split(" ")[0]) <= width:        # bracketed words fitting no line, from where their first word fits
            lines[-1:] = _pack_at(lines[-1] + join, text, more, width, floor, signs)     # fill this one on
        else:
            lines.extend(_pack_at(more + lead, text, more, width, floor, signs))
    return lines


def columns(stream: IO[str]) -> int:
    """The width a command's text is fitted to on `stream`: a terminal's (COLUMNS where set, as --help reads
    it); 0 (every line whole) where `stream` is a pipe or a file, whose reader (grep, a script) reads lines."""
    isatty = getattr(stream, "isatty", None)
    if not (isatty and isatty()):
        return 0
    given = os.environ.get("COLUMNS", "")
    if given.isdigit() and int(given) > 0:
        return int(given)
    try:
        return os.get_terminal_size(stream.fileno()).columns
    except (AttributeError, OSError, ValueError):
        return shutil.get_terminal_size().columns


def fit_lines(text: str, width: int, hang: str = "  ") -> str:
    """A summary line ("numeric columns (4, standardised): ['a', 'b']", "optimizer: Adam(lr=0.01, ...)") wider
    than `width` broken at its spaces (a list at its commas), never inside a quoted name or a short bracket ("(a row
    per input)", under SHORT characters), each continuation at `hang`: an item stays whole on its line for grep. A
    word wider than the line stays whole, but for a call or list written without spaces ("--schedule
    linear@3:start_factor=0.5,total_iters=5", "Adam(lr=SequentialLR(schedules=[StepLR(..."), broken after its commas
    and opening brackets. `width` 0: unchanged."""
    if width <= 0:
        return text
    out: list[str] = []
    for line in text.split("\n"):
        if len(line) <= width:
            out.append(line)
            continue
        quoted = ({i for m in QUOTED.finditer(line) for i in range(*m.span())} | _short_brackets(line)
                  | {m.end(1) for m in OPTION.finditer(line)})         # an option's space before its value
        marked = "".join("\x00" if c == " " and i not in quoted else c for i, c in enumerate(line))
        lead = line[:len(line) - len(line.lstrip(" "))]
        parts = re.split(r"(\x00+)", marked[len(lead):])      # words, and the spaces between them as written
        parts = [p for k, part in enumerate(parts)
                 for p in (_pieces(part, width - len(lead + hang)) if k % 2 == 0 else [part])]
        row = lead + parts[0]
        for gap, word in zip(parts[1::2], parts[2::2]):
            if len(row) + len(gap) + len(word) > width:
                out.append(row)
                row = lead + hang + word
            else:
                row += " " * len(gap) + word
        out.append(row)
    return "\n".join(out)


def _pieces(word: str, room: int) -> list[str]:
    """`word` as `fit_lines` packs it: whole where it fits `room`, or has no comma outside quotes (a path, a
    number); else its pieces, each ending after a comma or an opening bracket, with empty gaps between them. A
    quoted name and a short bracket ("[0.9, 0.999]") stay whole, as between words."""
    quoted = {i for m in QUOTED.finditer(word) for i in range(*m.span())} | _short_brackets(word)
    cuts = [i + 1 for i, c in enumerate(word[:-1]) if c in ",([" and i not in quoted]
    if len(word) <= room or not any(c == "," and i not in quoted for i, c in enumerate(word)) or _path(word):
        return [word]
    pieces = [word[a:b] for a, b in zip([0, *cuts], [*cuts, len(word)])]
    return [x for piece in pieces for x in ("", piece)][1:]


def _path(word: str) -> bool:
    """Whether `word` is a file's path, whose commas are its name's ("runs/a,b/m.npz", "m,1.npz"), also in the
    brackets or before the stop a sentence puts around it ("(the rows of a,b.csv);"): it holds a folder's
    separator, or only its last comma's piece ends in a file's suffix, with no call's '(' or '=' ('Adam(lr=0.1,...',
    'linear@3:gamma=0.5,...'); a list of dotted names ("Sepal.Length,Sepal.Width") or of files is not one."""
    bare = word.strip("([{'\")]};:.,")
    if "/" in bare or "\\" in bare:
        return True
    *names, last = bare.split(",")
    return not re.search(r"[(=]", bare) and bool(SUFFIX.search(last)) and not any(SUFFIX.search(n) for n in names)


SUFFIX = re.compile(r"\.[A-Za-z][A-Za-z0-9]{0,8}$")      # a file's suffix: .npz, .csv, .keras, .jsonl
SHORT = 20        # a bracketed group shorter than this, "(a row per input)", is one word of a summary line


def _short_brackets(line: str) -> set[int]:
    """The positions inside each matched bracket group of `line` shorter than SHORT: `fit_lines` keeps it whole."""
    depth, inside = _depths(line), set[int]()
    for a, c in enumerate(line):
        if c in "([{" and a + 1 < len(line) and depth[a + 1] > depth[a]:
            b = next((k for k in range(a + 1, len(line)) if depth[k] <= depth[a]), len(line))
            if b - a < SHORT:
                inside.update(range(a, b))
    return inside


def word(path: object) -> str:
    """`path` as one word of a line fitted to the terminal: as written where it has no space ("saved iris.npz"),
    else quoted (repr, as the interrupt line has it), which `fit_lines` never breaks inside."""
    text = str(path)
    return repr(text) if any(c.isspace() for c in text) else text


def say(text: str, file: IO[str] | None = None, width: int | None = None) -> None:
    """`text` printed on `file` (standard output by default) fitted to `width` where a command's --width gave
    one (0: whole lines), else to the stream's own (`columns`)."""
    stream = sys.stdout if file is None else file
    print(fit_lines(text, columns(stream) if width is None else width), file=stream, flush=True)
