"""The names the first documents a user reads (README.md, docs/tutorial.md, docs/guide.md) give are the ones the
package has: README listed `BackupAndRestore` among the callbacks beside `cr.EarlyStopping`'s, but
`cr.BackupAndRestore` is no name (it is `cr.callbacks.BackupAndRestore`, as Keras' `keras.callbacks`)."""
from __future__ import annotations

import importlib
import inspect
import re
from pathlib import Path

import pytest

import chainrule as cr
from chainrule.training.callbacks import Callback

ROOT = Path(__file__).parents[1]
FIRST = ["README.md", "docs/tutorial.md", "docs/guide.md"]


def resolve(dotted: str) -> object:
    """`cr.a.b` as Python reads it: attributes, or submodules imported on the way."""
    obj: object = cr
    parts = dotted.split(".")[1:]
    for i, part in enumerate(parts):
        try:
            obj = getattr(obj, part)
        except AttributeError:
            obj = importlib.import_module("chainrule." + ".".join(parts[: i + 1]))
    return obj


@pytest.mark.parametrize("doc", FIRST)
def test_every_dotted_name_exists(doc):
    text = (ROOT / doc).read_text(encoding="utf-8")
    names = sorted(set(re.findall(r"\b(?:cr|chainrule)(?:\.[A-Za-z_]\w*)+", text)))
    missing = []
    for name in names:
        try:
            resolve(re.sub(r"^chainrule\b", "cr", name))
        except (AttributeError, ImportError):
            missing.append(name)
    assert missing == [], f"{doc} names what chainrule does not have"


@pytest.mark.parametrize("doc", FIRST)
def test_every_import_the_prose_shows_runs(doc):
    """`from chainrule.optim import Adam`, written in a sentence rather than a code block test_docs runs."""
    text = (ROOT / doc).read_text(encoding="utf-8")
    for statement in sorted(set(re.findall(r"`(from chainrule[\w.]* import [\w, ]+)`", text))):
        exec(statement, {})


def test_the_readmes_callbacks_are_where_it_says_and_all_of_them():
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    sentence = re.search(r"The callbacks are\s(.+?)and so are", text, re.S)
    assert sentence, "README.md no longer lists the callbacks"
    where = cr.callbacks if "`cr.callbacks`" in sentence[1] else cr
    listed = re.findall(r"`([A-Z]\w+)`", sentence[1])
    not_there = [n for n in listed if not (inspect.isclass(getattr(where, n, None))
                                           and issubclass(getattr(where, n), Callback))]
    assert not_there == [], f"README.md lists callbacks that {where.__name__} does not have"
    # Keras' callbacks the package has (its own base class, History and the progress lines are no user's choice)
    own = {"Callback", "History", "ProgressBar", "EpochLogger"}
    keras = {n for n, v in vars(cr.callbacks).items() if inspect.isclass(v) and issubclass(v, Callback)} - own
    assert sorted(keras - set(listed)) == []
