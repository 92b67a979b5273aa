"""How a refusal's advice names what its reader can give: the same check speaks to two audiences.

Called from Python (`Preprocessing.fit`, `CsvStream`, `read_csv`), a message names the arguments that
caller has: fit's own (`text_columns=['x']`, `impute=`), a reading option as read_csv's argument
(chainrule's and pandas' read_csv take the same: `na_values=`, `decimal=`, `thousands=`, `encoding=`,
`sep=`), a column left out with `df.drop(columns=...)`. The `chainrule` command names its options
(`--text 'x'`) instead: it chooses its words for the length of its run (`command_words`), Python's
are the default. One table, `WORDS`, holds both; a message asks it with `give`.
"""
from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

#: each piece of advice: (Python's words, the command's words), formatted with `give`'s values
WORDS: dict[str, tuple[str, str]] = {
    "text": ("text_columns=[{column}]", "--text {column}"),
    "drop": ("df.drop(columns=[{column}])", "--drop {column}"),
    "drop any": ("df.drop(columns=...)", "--drop"),
    "drop column": ("df.drop(columns=[...])", "--drop COLUMN"),
    "leave out": ("df.drop(columns=[{column}])", "chainrule train --drop {column}"),
    "impute": ("impute=", "--impute"),
    "impute as": ("impute={how!r}", "--impute {how}"),
    "impute any": ("impute='mean', 'median' or 'most_frequent'", "--impute mean|median|most_frequent"),
    "task": ("task={task!r}", "--task {task}"),
    "max categories": ("max_categories=", "--max-categories"),
    "dtype": ("dtype={dtype!r}", "--dtype {dtype}"),
    "stream": ("chainrule.data.stream.CsvStream", "chainrule train --stream"),
    "na values": ("Read the file with na_values=[{value}] (read_csv, chainrule's or pandas')",
                  "Give --na-values {value}"),
    "thousands": ("read the file with thousands=',' (read_csv, chainrule's or pandas')", "give --thousands ','"),
    "decimal.": ("read the file with decimal=',' and thousands='.' (read_csv, chainrule's or pandas')",
                 "give --decimal ',' --thousands '.'"),
    "decimal": ("read the file with decimal=',' (read_csv, chainrule's or pandas')", "give --decimal ','"),
    "encoding": ("read it with its encoding, e.g. encoding='latin-1' (or 'cp1252')",
                 "give its encoding, e.g. --encoding latin-1 (or cp1252)"),
    "sep": ("read it with sep={char!r}", "give --sep {sep}"),
    "weight column": ("weight column {column}", "--weight column {column}"),
    "sep any": ("give it with sep= (read_csv, chainrule's or pandas')", "give it with --sep"),
}

#: whether the command's words are chosen: the whole process's choice, not a thread's or a context's, so that
#: the threads the command starts (a sweep's folds, the explorer's server) speak as it does
_COMMAND = [False]


def give(key: str, **values: Any) -> str:
    """The advice `key` of WORDS in the words of who reads it (the command's in its run, else Python's)."""
    return WORDS[key][1 if _COMMAND[0] else 0].format(**values)


@contextmanager
def command_words() -> Iterator[None]:
    """The `chainrule` command's words for its run: its options, not the Python arguments."""
    before, _COMMAND[0] = _COMMAND[0], True
    try:
        yield
    finally:
        _COMMAND[0] = before
