"""What a newcomer meant by a file name given as CSV that cannot be read as one: a bundled example not yet written
(`chainrule data iris.csv` writes it), a typo of a file in that folder, a folder, a file they may not read, a JSON
file. The words `opening.open_csv` adds to its refusal; the bundled examples' names `chainrule data` copies."""
from __future__ import annotations

import os
import re
import shlex
from importlib import resources
from itertools import islice

from ..errors import did_you_mean
from .advice import caller

#: the endings of the bundled examples, added to a name given without one (`chainrule data iris`)
EXAMPLE_SUFFIXES = (".csv", ".npz")
#: the endings of JSON files (JSON Lines too), refused by name where their text starts as JSON's does
JSON_SUFFIXES = (".json", ".jsonl", ".ndjson", ".geojson")
#: how many of a folder's entries a hint looks at: a folder of a million files is not listed to word a refusal
LOOKED = 1000


def _files(folder: str) -> tuple[list[str], bool]:
    """The names of (at most LOOKED of) the files in `folder`, and whether it holds more entries than were looked
    at; ([], False) where it cannot be listed."""
    try:
        with os.scandir(folder) as entries:
            seen = list(islice(entries, LOOKED + 1))
            return [f.name for f in seen[:LOOKED] if f.is_file()], len(seen) > LOOKED
    except OSError:
        return [], False


def examples() -> dict[str, str]:
    """{file name: first line of its description} of the example files shipped with chainrule."""
    folder = resources.files("chainrule.data") / "examples"
    about = {}
    for line in (folder / "README.txt").read_text().splitlines():
        name, _, text = line.partition(": ")
        if name.endswith(EXAMPLE_SUFFIXES) and " " not in name:
            about[name] = text.strip()
    return about


def bundled(name: str) -> str | None:
    """The bundled example `name` means, spelled otherwise or without its ending ('IRIS.csv', 'iris', 'Iris'); None
    for a name no example has."""
    for example in examples():
        stem = os.path.splitext(example)[0]
        if name.casefold() in (example.casefold(), stem.casefold()):
            return example
    return None


def missing_hint(name: str) -> str:
    """Why the file `name` is not there, as a newcomer's likely mistake: a bundled example that `chainrule data`
    writes (into the folder named; in Python, its path in the package), or the file of a close name in that folder
    ('irs.csv' for 'iris.csv'; none in a folder of more than LOOKED entries); ''."""
    folder, base = os.path.split(os.path.expanduser(name))
    example = bundled(base)
    if example is not None and os.path.isdir(folder or "."):
        there = os.path.join(folder, example) if folder else example
        if os.path.exists(there):       # 'Iris' for iris.csv, written already
            return f" (did you mean {there!r}?)"
        if caller() not in ("command", "sweep command"):    # Python's caller reads the package's copy
            return (f"; {example} is a bundled example, shipped with chainrule: give its path, "
                    f"importlib.resources.files('chainrule.data') / 'examples' / {example!r}")
        out = f" --out {shlex.quote(folder)}" if folder else ""
        return (f"; {example} is a bundled example: `chainrule data {example}{out}` writes it"
                + ("" if there == name else f", then give {shlex.quote(there)}"))
    files, more = _files(folder or ".")
    close = "" if more else did_you_mean(base, files, "{}")     # a part of a huge folder's names would mislead
    return f" (did you mean {os.path.join(folder, close)!r}?)" if close else ""


def folder_hint(name: str) -> str:
    """What to give for the folder `name`: a CSV file in it (its first few named), or one elsewhere."""
    files, more = _files(os.path.expanduser(name))
    inside = sorted(f for f in files if f.lower().endswith((".csv", ".tsv", ".txt", ".csv.gz", ".zip")))
    if not inside:
        return ": give the path of a CSV file" + ("" if more else " (this folder holds none)")
    shown = ", ".join(repr(os.path.join(name, f)) for f in inside[:3]) + (" ..." if len(inside) > 3 or more else "")
    return f": give the path of a CSV file in it, e.g. {shown}"


def unreadable_hint(name: str) -> str:
    """What to do about a file that the user may not read."""
    return (f": give a file you may read (ls -l {shlex.quote(name)} shows whose it is; if it is yours, chmod u+r "
            f"{shlex.quote(name)} lets you read it)")


def json_text(name: str, head: bytes, piped: bool = False) -> str | None:
    """The refusal of a JSON file (`name` ends as one, its first text `head` opens an object or array) given as
    CSV, with the way to a CSV file; None for another file (pandas read its first line as the header: 'a header
    but no data rows', or a column per key). `piped`: standard input or a pipe, which has no name to tell JSON by
    (`cat x.json | chainrule train /dev/stdin`): its text alone tells it, opening as JSON's records do."""
    text = head.lstrip(b"\xef\xbb\xbf \t\r\n")
    if piped:
        if not (text[:1] in (b"{", b"[") and text[1:].lstrip()[:1] in ((b'"', b"}") if text[:1] == b"{" else
                                                                       (b"{", b"[", b"]"))):
            return None
        # one object a line: an object's end then the next's start on a new line (an array's are split by commas)
        lines = ", lines=True" if text[:1] == b"{" and re.search(rb"}[ \t]*\r?\n\s*{", text) else ""
    elif not name.lower().endswith(JSON_SUFFIXES) or not text.startswith((b"{", b"[")):
        return None
    else:
        lines = ", lines=True" if name.lower().endswith((".jsonl", ".ndjson")) else ""
    from .csvfile import short
    return (f"{short(name, 200)} is {'JSON text' if piped else 'a JSON file'}, not CSV text: write it as CSV with "
            f"pandas: pandas.read_json(path"
            f"{lines}).to_csv(new_path, index=False) (a list of records, one object a row"
            + (")" if lines else "; lines=True for JSON Lines, one object a line)"))


#: standard input and what `stdin_json` said of it: a command opens '-' more than once (its separator sniffed, then
#: its lines checked), and a pipe left open with nothing in it made each of them wait its second
_SAID: tuple[object, str] | None = None


def stdin_json() -> str:
    """' (it holds JSON text: ...)' where standard input, given as '-', is a pipe or file whose text is JSON's
    (`cat x.json | chainrule predict m.npz -`), for the refusal of '-' to say what `json_text` says of a JSON file;
    '' otherwise. Looked at only where something is there to read within a second, and once a process: a pipe left
    open by a caller that writes nothing makes the refusal wait that second, no more."""
    import sys
    global _SAID
    if _SAID is None or _SAID[0] is not sys.stdin:
        _SAID = (sys.stdin, _looked())
    return _SAID[1]


def _looked() -> str:
    """`stdin_json`'s words, from a look at standard input's head that takes nothing from it (a peek)."""
    import select
    import sys
    try:
        buffer = sys.stdin.buffer
        if sys.stdin.isatty() or not select.select([buffer], [], [], 1.0)[0]:
            return ""
        head = buffer.peek(4096)[:4096] if hasattr(buffer, "peek") else b""    # unbuffered: not looked at
    except (AttributeError, OSError, ValueError):      # no standard input, or one closed
        return ""
    said = json_text("standard input", head, piped=True)
    return f" (it holds JSON text: {said.split(', not CSV text: ', 1)[1]})" if said else ""
