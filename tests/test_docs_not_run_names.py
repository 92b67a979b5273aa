"""A block of the docs that is not run (it needs a package, a cluster) must not rebind a name that a later, run
block reads: a reader who runs it as well would feed that later block other data (another data set's rows,
another network) than test_docs checked, and see other output than the document shows."""
from __future__ import annotations

import ast
import textwrap
from pathlib import Path

import pytest
from test_docs import DOCS, ROOT, Block, blocks


def _names(block: Block) -> tuple[set[str], set[str]]:
    """(names the block binds, names it reads), doctest prompts dropped."""
    lines = block.code.splitlines()
    if ">>>" in block.code:                  # a doctest: its source lines, not its shown output
        lines = [line[4:] for line in lines if line.startswith((">>> ", "... "))]
    tree = ast.parse(textwrap.dedent("\n".join(lines)))
    nodes = list(ast.walk(tree))
    bound = {n.id for n in nodes if isinstance(n, ast.Name) and isinstance(n.ctx, ast.Store)}
    bound |= {n.arg for n in nodes if isinstance(n, ast.arg)}          # a function's parameters
    bound |= {n.name for n in nodes if isinstance(n, (ast.FunctionDef, ast.ClassDef))}
    bound |= {(a.asname or a.name).split(".")[0] for n in nodes if isinstance(n, (ast.Import, ast.ImportFrom))
              for a in n.names}
    return bound, {n.id for n in nodes if isinstance(n, ast.Name) and isinstance(n.ctx, ast.Load)}


def rebound_by_a_skipped_block(found: list[Block]) -> list[tuple[int, list[str], int]]:
    """(line, names, line of the block not run that bound the first) for each run block reading a name that a
    block not run above it bound last."""
    last_skipped: dict[str, int] = {}
    bad = []
    for block in (b for b in found if b.kind == "python"):
        bound, read = _names(block)
        if block.skip:
            last_skipped.update(dict.fromkeys(bound, block.line))
            continue
        hit = sorted((read - bound) & last_skipped.keys())
        if hit:
            bad.append((block.line, hit, last_skipped[hit[0]]))
        for name in bound:
            last_skipped.pop(name, None)
    return bad


@pytest.mark.parametrize("path", DOCS, ids=[str(p.relative_to(ROOT)) for p in DOCS])
def test_no_run_block_reads_a_name_a_block_not_run_rebinds(path: Path):
    found = [f"{path.name}:{line}: {', '.join(names)} (bound by the block not run at line {at})"
             for line, names, at in rebound_by_a_skipped_block(blocks(path))]
    assert found == []


def test_the_check_sees_a_rebinding(tmp_path):
    doc = tmp_path / "doc.md"
    doc.write_text("```python\nX = 1\n```\n\n<!-- not run: needs a package -->\n```python\nX = load()\n```\n\n"
                   "```python\nprint(X)\nY = X\n```\n")
    assert rebound_by_a_skipped_block(blocks(doc)) == [(10, ["X"], 6)]
