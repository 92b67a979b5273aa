"""README.md's Architecture section and the docs' links, against the files they name.

The section is where a reader finds a module: every module of src/chainrule must be named there
(the explorer's derive, view, widget and wording were not), and every file or module it names must
exist. docs/architecture.md's import diagram must put the packages in the order of
tests/test_architecture.py's LAYERS, and every link of README.md and docs/*.md must reach its file
and heading.
"""
from __future__ import annotations

import re
from pathlib import Path

from test_architecture import LAYERS

ROOT = Path(__file__).parents[1]
SRC = ROOT / "src" / "chainrule"
PAGES = [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]


def section() -> str:
    return (ROOT / "README.md").read_text().split("\n## Architecture\n", 1)[1].split("\n## ", 1)[0]


def test_every_module_at_any_depth_is_named():
    from chainrule.cli import build_parser
    commands = next(a.choices for a in build_parser()._subparsers._group_actions)   # "one module per subcommand"
    words = set(re.findall(r"[\w.]+", section()))
    missing = [str(p.relative_to(SRC)) for p in sorted(SRC.rglob("*.py"))
               if not p.stem.startswith("__") and p.stem not in words and p.name not in words
               and not (p.parent.name == "cli" and p.stem in commands)]
    static = [p.name for p in sorted((SRC / "teach" / "explore" / "static").iterdir()) if p.name not in words]
    assert missing == [] and static == [], f"README.md's Architecture section does not name {missing + static}"


def test_every_file_and_listed_module_it_names_exists():
    text = section()
    files = {p.name for p in ROOT.rglob("*") if ".venv" not in p.parts and p.is_file()}
    absent = [n for n in re.findall(r"[\w-]+\.(?:py|js|css|html)\b", text) if n not in files]
    # the one-module-a-line lists (backend/, nn/): each name a module of the package above it
    package = None
    for line in text.splitlines():
        head = re.match(r" {6}(\w+)/ ", line)
        if head:
            package = head.group(1)
        item = re.match(r" {24}(\w[\w.]*(?:, \w[\w.]*)*)(?: {2,}|$)", line)
        for name in item.group(1).split(", ") if item and package else ():
            if not (SRC / package / f"{name.removesuffix('.py')}.py").is_file():
                absent.append(f"{package}/{name}")
    assert absent == [], f"README.md's Architecture section names what is not there: {absent}"


def test_the_import_diagram_follows_the_layers():
    """Each package of LAYERS is on a row of docs/architecture.md's diagram, a package above another
    on a row above it, packages of one layer on one row."""
    diagram = (ROOT / "docs" / "architecture.md").read_text().split("```\n", 1)[1].split("```", 1)[0]
    rows = [line.split("  ") for line in diagram.splitlines()]
    row_of = {}
    for name in LAYERS:
        if name.startswith("__"):
            continue
        found = [i for i, cells in enumerate(rows)
                 if any(c.strip() in (f"{name}/", f"{name}.py") for c in cells[:12])]
        assert found, f"docs/architecture.md's diagram has no row for {name}"
        row_of[name] = found[0]
    for a in row_of:
        for b in row_of:
            if LAYERS[a] > LAYERS[b]:
                assert row_of[a] < row_of[b], f"{a} (layer {LAYERS[a]}) is not drawn above {b} (layer {LAYERS[b]})"
            if LAYERS[a] == LAYERS[b]:
                assert row_of[a] == row_of[b], f"{a} and {b} share a layer but not a row"


def slug(heading: str) -> str:
    """GitHub's anchor of a heading: lower case, punctuation dropped, spaces as hyphens."""
    return re.sub(r"[^\w\- ]", "", heading.strip().lower()).replace(" ", "-")


def test_every_link_reaches_its_file_and_heading():
    broken = []
    for page in PAGES:
        text = re.sub(r"```.*?```", "", page.read_text(), flags=re.S)
        for target in re.findall(r"\]\(([^)\s]+)\)", text):
            if re.match(r"[a-z]+:", target):
                continue
            path, _, anchor = target.partition("#")
            file = (page.parent / path) if path else page
            if not file.exists():
                broken.append(f"{page.name}: {target}")
            elif anchor:
                body = re.sub(r"```.*?```", "", file.read_text(), flags=re.S)
                if anchor not in {slug(h) for h in re.findall(r"^#+ (.*)$", body, re.M)}:
                    broken.append(f"{page.name}: {target}")
    assert broken == [], f"links that go nowhere: {broken}"


def test_the_slug_is_githubs():
    assert slug("A CSV file larger than memory: `chainrule train --stream`") == \
        "a-csv-file-larger-than-memory-chainrule-train---stream"


def test_the_diagram_draws_every_import_downwards():
    """A module of the diagram imports only what it draws on a lower row: sweep_grid.py imports
    sweep_search.py, yet they were drawn side by side."""
    from test_architecture import FACADES, imports_of
    diagram = (ROOT / "docs" / "architecture.md").read_text().split("```\n", 1)[1].split("```", 1)[0]
    row_of = {}
    for i, line in enumerate(diagram.splitlines()):
        for name in re.findall(r"\b(\w+)(?:/|\.py\b)", line):
            if (SRC / name).is_dir() or (SRC / f"{name}.py").is_file():
                row_of.setdefault(name, i)
    upward = []
    for name, row in row_of.items():
        files = sorted((SRC / name).rglob("*.py")) if (SRC / name).is_dir() else [SRC / f"{name}.py"]
        for path in files:
            rel = str(path.relative_to(SRC))
            for module, _ in imports_of(path):
                them = module.split(".")[1] if module.count(".") else None
                if them in row_of and them != name and row_of[them] <= row \
                        and not any(module.startswith(f) for r, f in FACADES if r == rel):
                    upward.append(f"{rel} imports {module}, drawn on a row not below it")
    assert upward == [], "\n".join(sorted(set(upward)))
