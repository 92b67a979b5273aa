"""Users' own words (a column's, a class's name) written into the report's Markdown and LaTeX so that each reads as
written: a Markdown code span, LaTeX's \\text{} with each of TeX's special characters between its parts in a form
meant to render alike in LaTeX, MathJax (3, without its textmacros extension, prints \\_ or \\textbackslash inside
\\text{} as they are typed), KaTeX and matplotlib's mathtext (the one tested here).
LaTeX and KaTeX read -- and --- inside one \\text{} as dashes, `` and '' as double quotes (LaTeX's fonts also !` and ?`
as inverted marks, T1's ,, as a low quote): such a pair is split between two \\text{}, so each character stays one.
A name holding a line break (any that str.splitlines breaks at), or any character repr escapes (a tab, a terminal's
escape), is written as Python's repr writes it, quotes and all ('x\\ny'), so that it reads apart from a name typed
with a backslash and an n (x\\ny), as the command's lines write names; so is a name that starts with a quote, an
empty one, or one that starts or ends with a space (' a', unseen at a label's edge), so that what starts with a
quote is always repr's (a column typed 'x\\ny' is written "'x\\\\ny'").
Left: a single ` or ' stays curly in LaTeX and KaTeX, and LaTeX's OT1 fonts print " as a closing double quote (no form
of the straight ones reads alike in all four: KaTeX has no \\textquotesingle, MathJax 3 prints it as typed)."""
from __future__ import annotations

import re

# A special character in maths, where all four read it: | < > themselves (text mode's fonts print an em dash, ¡ and
# ¿); \\# in \\mathrm (mathtext has no \\# in maths); \\hat{} and {\\sim} for ^ and ~ (text mode's \\textasciicircum
# and \\textasciitilde are words to MathJax 3); & alone in \\text{} (\\& in maths is no symbol of mathtext's).
TEX_SIGNS = {"|": "|", "<": "<", ">": ">", "_": "\\_", "$": "\\$", "%": "\\%", "{": "\\{", "}": "\\}",
             "#": "\\mathrm{\\#}", "\\": "{\\backslash}", "^": "\\hat{}", "~": "{\\sim}", "&": "\\text{\\&}"}


#: what str.splitlines breaks a line at (a terminal too, at \\v and \\f): each written as Python's repr writes it
BREAKS = re.compile("[\n\r\v\f\x1c\x1d\x1e\x85\u2028\u2029]")
#: the pairs TeX's text fonts join into one glyph (-- and ---, `` and '', !` and ?`, T1's ,,): split between them
LIGATURES = r"(?<=-)(?=-)|(?<=`)(?=`)|(?<=')(?=')|(?<=[!?])(?=`)|(?<=,)(?=,)"


def one_line(words: str) -> str:
    """`words` on one line: a name holding a line break, or any character repr escapes (a tab, a terminal's escape, a
    zero-width space), as Python's repr writes it ('x\\ny', its quotes telling it from a name typed x\\ny), so that
    it keeps the report's line (the Markdown's $$...$$, a plot's label) whole, as the command's lines write it.
    A name that starts with a quote (one typed 'x\\ny', quotes and all), is empty, or starts or ends with a space is
    written by repr too (a label's edges do not show a space): what starts with a quote is then always repr's
    ("'x\\\\ny'"), read back by ast.literal_eval, and all else as typed."""
    words = str(words)
    plain = words.isprintable() and words[:1] not in ("'", '"', "") and words == words.strip()
    return words if plain else repr(words)


def tex_text(words: str) -> str:
    """`words` as LaTeX writes them as they are: plain runs in \\text{}, each special character between them as
    `TEX_SIGNS` writes it ('x0^2' -> \\text{x0}\\hat{}\\text{2}; 'num__age' -> \\text{num}\\_\\_\\text{age}); a line
    break left in them as repr writes it (a name's: one_line first)."""
    parts = re.split(r"([|<>_$%{}#\\^~&])|" + LIGATURES, BREAKS.sub(lambda m: repr(m[0])[1:-1], words))
    return "".join(TEX_SIGNS[part] if part in TEX_SIGNS else f"\\text{{{part}}}" for part in parts if part)


def code_span(words: str) -> str:
    """`words` as Markdown's inline code, read as written whatever they hold (a column named a`b): fenced by more
    backticks than their longest run, padded where they start or end with one (CommonMark's code spans)."""
    fence = "`" * (max(map(len, re.findall("`+", words)), default=0) + 1)
    pad = " " if words.startswith("`") or words.endswith("`") else ""
    return f"{fence}{pad}{words}{pad}{fence}"
