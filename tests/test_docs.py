"""Every code block of README.md and docs/*.md runs as written.

A ```python block runs in one namespace per document, in order: with `>>>` prompts it is a
doctest; followed by a ```text block, what it prints must be that text. A ```sh or ```console
block runs in bash in the same folder as the document's other blocks; with `$ ` prompts each
command's shown output (stdout and stderr, as a terminal shows them) must match, `...` matching
anything (doctest's ELLIPSIS); a float printed in full (15 digits or more) may differ in its last
places (`Checker`).
Each document runs in a fresh, empty folder: its data comes from `chainrule data` or its own code.
A block that cannot run here (it installs software, starts a server, needs a cluster) says so
on the line before it: `<!-- not run: the reason -->`; other fences (text, output) are not code.
"""
from __future__ import annotations

import contextlib
import doctest
import io
import os
import re
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest

ROOT = Path(__file__).parents[1]
DOCS = [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]
CODE = {"python": "python", "py": "python", "sh": "sh", "bash": "sh", "console": "sh", "shell": "sh"}
NOT_RUN = re.compile(r"<!--\s*not run:\s*(.+?)\s*-->")
FLAGS = doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE
# a float written in full (repr's 15-17 significant digits), whose last bits depend on the NumPy build
# and processor (its vectorised exp, a BLAS's order of sums)
FULL = re.compile(r"-?\d+\.\d+(?:e[-+]?\d+)?")


def _full(text: str) -> bool:
    return len(re.sub(r"e.*|[^0-9]", "", text).lstrip("0")) >= 15


class Checker(doctest.OutputChecker):
    """doctest's comparison, where a float shown in full may differ from the one printed by a few
    units in its last places (relative 1e-12); every shorter number (the seed's 9 digits) and all
    the text must be as shown."""

    def check_output(self, want: str, got: str, optionflags: int) -> bool:
        if super().check_output(want, got, optionflags):
            return True
        wanted, printed = FULL.findall(want), FULL.findall(got)
        if len(wanted) != len(printed) or not any(map(_full, wanted)):
            return False
        for w, g in zip(wanted, printed):
            if w != g and not (_full(w) and _full(g) and abs(float(w) - float(g)) <= 1e-12 * abs(float(w))):
                return False
        numbers = iter(printed)
        return super().check_output(FULL.sub(lambda m: next(numbers), want), got, optionflags)


CHECK = Checker()


@dataclass
class Block:
    path: Path
    line: int               # of the opening fence
    kind: str               # "python" or "sh"
    code: str
    skip: str | None        # the reason it is not run
    shown: str | None = None  # a python block's output, from the ```text block right after it

    def where(self) -> str:
        return f"{self.path.relative_to(ROOT)}:{self.line}"


def blocks(path: Path) -> list[Block]:
    found, lines = [], path.read_text().splitlines()
    i = 0
    while i < len(lines):
        m = re.match(r"^```(\w*)\s*$", lines[i])
        if not m:
            i += 1
            continue
        end = next(j for j in range(i + 1, len(lines)) if lines[j].startswith("```"))
        before = next((lines[k] for k in range(i - 1, -1, -1) if lines[k].strip()), "")
        skip = NOT_RUN.search(before)
        shown = None
        after = next((k for k in range(end + 1, len(lines)) if lines[k].strip()), None)
        if after is not None and lines[after].strip() in ("```text", "```output"):
            close = next(j for j in range(after + 1, len(lines)) if lines[j].startswith("```"))
            shown = "\n".join(lines[after + 1:close]) + "\n"
        if m.group(1) in CODE:
            found.append(Block(path, i + 1, CODE[m.group(1)], "\n".join(lines[i + 1:end]) + "\n",
                               skip.group(1) if skip else None, shown if CODE[m.group(1)] == "python" else None))
        i = end + 1
    return found


def env() -> dict[str, str]:
    e = dict(os.environ, PYTHONUNBUFFERED="1", MPLBACKEND="Agg", COLUMNS="100", NO_COLOR="1")
    e["PATH"] = f"{Path(sys.executable).parent}{os.pathsep}{e.get('PATH', '')}"
    return e


def run_python(block: Block, namespace: dict) -> None:
    if ">>>" in block.code:
        test = doctest.DocTestParser().get_doctest(block.code, namespace, block.where(), str(block.path), block.line)
        runner = doctest.DocTestRunner(checker=CHECK, optionflags=FLAGS)
        out: list[str] = []
        runner.run(test, out=out.append, clear_globs=False)
        namespace.update(test.globs)          # DocTest copies the namespace: later blocks see this one's names
        assert runner.failures == 0, f"{block.where()}: doctest failed\n" + "".join(out)
    elif block.shown is None:
        exec(compile(block.code, block.where(), "exec"), namespace)
    else:                                  # the ```text block after it shows what it prints
        out = io.StringIO()
        with contextlib.redirect_stdout(out):
            exec(compile(block.code, block.where(), "exec"), namespace)
        assert CHECK.check_output(block.shown, out.getvalue(), FLAGS), (
            f"{block.where()} printed\n{out.getvalue()}\nbut the document shows\n{block.shown}")


def commands(code: str) -> list[tuple[str, str | None]]:
    """(command, shown output or None) of a shell block: with `$ ` prompts, each command and the
    lines shown under it; without, the whole block as one script."""
    if not any(line.startswith("$ ") for line in code.splitlines()):
        return [(code, None)]
    result: list[tuple[str, list[str]]] = []
    for line in code.splitlines():
        if line.startswith("$ "):
            result.append((line[2:], []))
        elif result and result[-1][0].endswith("\\") and not result[-1][1]:
            result[-1] = (result[-1][0][:-1] + line, [])
        elif result:
            result[-1][1].append(line)
    return [(cmd, "\n".join(out).strip() + "\n") for cmd, out in result]


#: data.progress's two lines (start, end) printed only when reading takes over 2 s: a loaded machine's, not the doc's
SLOW_PROGRESS = re.compile(r"^(reading|checking|preprocessing|predicting)\b[^\n]*( \.\.\.|: done in [0-9.]+ s)\n", re.M)


def run_sh(block: Block, folder: Path) -> None:
    for cmd, shown in commands(block.code):
        r = subprocess.run(["bash", "-c", "set -eo pipefail\n" + cmd], cwd=folder, env=env(), text=True,
                           stdout=subprocess.PIPE, stderr=subprocess.STDOUT, timeout=300)
        assert r.returncode == 0, f"{block.where()}: `{cmd.strip()}` exited {r.returncode}:\n{r.stdout[-3000:]}"
        if shown is not None and shown.strip():
            got = SLOW_PROGRESS.sub("", r.stdout.replace(str(folder) + os.sep, ""))
            assert CHECK.check_output(shown, got, FLAGS), (
                f"{block.where()}: `{cmd}` printed\n{got}\nbut the document shows\n{shown}")


@pytest.mark.parametrize("path", DOCS, ids=[str(p.relative_to(ROOT)) for p in DOCS])
def test_every_code_block_runs(path: Path, tmp_path: Path, monkeypatch):
    found = blocks(path)
    if not found:
        pytest.skip(f"{path.name} has no code blocks")
    monkeypatch.chdir(tmp_path)
    namespace: dict = {"__name__": "__docs__"}
    for block in found:
        if block.skip:
            continue
        if block.kind == "python":
            run_python(block, namespace)
        else:
            run_sh(block, tmp_path)


def test_blocks_not_run_say_why():
    skipped = [b for p in DOCS for b in blocks(p) if b.skip]
    assert all(len(b.skip) > 10 for b in skipped), [b.where() for b in skipped]
    # the blocks this project can run are run: only installs, servers, clusters and long runs are left out
    allowed = ("install", "server", "cluster", "browser", "long", "mpi", "gpu", "network", "hours",
               "minutes", "machine")
    assert all(any(word in b.skip.lower() for word in allowed) for b in skipped), \
        [(b.where(), b.skip) for b in skipped]


def test_commands_parser():
    assert commands("$ echo a\na\n$ echo b\n") == [("echo a", "a\n"), ("echo b", "\n")]
    assert commands("make demo\nmake test\n") == [("make demo\nmake test\n", None)]


def test_the_checker_forgives_only_the_last_places_of_full_floats():
    assert CHECK.check_output("p 0.000510547745589435 ok\n", "p 0.0005105477455894346 ok\n", FLAGS)
    assert CHECK.check_output("a 1.4890517218756813e-05\n", "a 1.489051721875684e-05\n", FLAGS)
    assert not CHECK.check_output("p 0.000510547745589435 ok\n", "p 0.000510547745590435 ok\n", FLAGS)
    assert not CHECK.check_output("p 0.000510547745589435 ok\n", "q 0.0005105477455894346 ok\n", FLAGS)
    assert not CHECK.check_output("E_total = 0.298371109\n", "E_total = 0.298371108\n", FLAGS)   # 9 digits: exact
    assert CHECK.check_output("x ... 0.12345678901234567\n", "x y z 0.12345678901234566\n", FLAGS)


def test_the_readme_architecture_names_every_module():
    """README.md's architecture section lists each package's modules: a module added without a line
    there is a part of chainrule a reader cannot find."""
    text = (ROOT / "README.md").read_text()
    section = text.split("## Architecture", 1)[1].split("\n## ", 1)[0]
    words = set(re.findall(r"[\w.]+", section))
    src = ROOT / "src" / "chainrule"
    from chainrule.cli import build_parser
    commands = next(a.choices for a in build_parser()._subparsers._group_actions)   # "one module per subcommand"
    missing = []
    for module in sorted(src.glob("*/*.py")) + sorted(src.glob("*.py")):
        if module.stem.startswith("__") or (module.parent.name == "cli" and module.stem in commands):
            continue
        if module.stem not in words and module.name not in words:
            missing.append(str(module.relative_to(src)))
    for folder in sorted(p for p in src.glob("*/*") if p.is_dir() and p.name != "__pycache__"):
        if f"{folder.name}/" not in section:
            missing.append(f"{folder.relative_to(src)}/")
    assert not missing, f"README.md's architecture section does not name {missing}"


def test_the_architecture_diagram_names_every_top_level_module_and_package():
    """docs/architecture.md's import diagram places each package and top-level module of src/chainrule: it
    lacked extras.py (beneath the packages that import it) and the optim, callbacks and datasets aliases."""
    text = (ROOT / "docs" / "architecture.md").read_text()
    diagram = text.split("## Packages, bottom up", 1)[1].split("## ", 1)[0]
    src = ROOT / "src" / "chainrule"
    names = [f"{p.name}/" for p in sorted(src.iterdir()) if (p / "__init__.py").exists()]
    names += [p.name for p in sorted(src.glob("*.py")) if not p.stem.startswith("__")]
    missing = [n for n in names if not re.search(rf"(?<![\w/]){re.escape(n)}", diagram)]
    assert not missing, f"docs/architecture.md's package diagram does not name {missing}"


def test_every_output_shown_after_a_run_block_is_compared():
    """An output shown right after a block that runs is compared only where the harness knows it: a
    ```text block after a python block, or the lines under a `$ ` command. A ```text block after a
    prompt-less shell script, or a bare ``` block after a python block, would be shown and never
    checked."""
    unchecked = []
    for path in DOCS:
        lines = path.read_text().splitlines()
        found = {b.line: b for b in blocks(path)}
        for line, block in found.items():
            if block.skip:
                continue
            end = next(j for j in range(line, len(lines)) if lines[j].startswith("```"))
            after = next((k for k in range(end + 1, len(lines)) if lines[k].strip()), None)
            fence = lines[after].strip() if after is not None else ""
            prompted = any(row.startswith("$ ") for row in block.code.splitlines())
            if (block.kind == "sh" and not prompted and fence in ("```text", "```output", "```")) or \
                    (block.kind == "python" and fence == "```"):
                unchecked.append(block.where())
    assert not unchecked, f"outputs shown but not compared after {unchecked}"


def test_a_text_block_follows_the_block_whose_output_it_is():
    """A ```text block is compared with the block right before it; one after a paragraph is
    compared with nothing (the paragraph goes after the output)."""
    detached = []
    for path in DOCS:
        lines = path.read_text().splitlines()
        for i, line in enumerate(lines):
            if line.strip() in ("```text", "```output"):
                before = next((lines[k] for k in range(i - 1, -1, -1) if lines[k].strip()), "")
                if before.strip() != "```":
                    detached.append(f"{path.relative_to(ROOT)}:{i + 1}")
    assert not detached, f"text blocks after a paragraph, not after their code: {detached}"


def test_tabular_speed_quotes_the_benchmark_file():
    """docs/tabular.md's Speed section gives the ratios of benchmarks/RESULTS-tabular.md's latest run: it said 0.29x
    and 0.47x after the file (and README's table) had been rerun to 0.35x and 0.45x."""
    results = (ROOT / "benchmarks" / "RESULTS-tabular.md").read_text(encoding="utf-8")
    speed = (ROOT / "docs" / "tabular.md").read_text(encoding="utf-8").split("### Speed")[1].split("\n### ")[0]
    speed = " ".join(speed.split())
    for rows in ("100,000", "1,000,000"):
        table = results.split(f"\n{rows} training rows")[1]
        row = next(line for line in table.splitlines() if line.startswith("| chainrule (default"))
        time_ratio, memory_ratio = [cell.strip() for cell in row.strip("|").split("|")][-2:]
        said = f"at {rows} rows: {time_ratio} the time of the scikit-learn pipeline, in {memory_ratio} its memory"
        assert said in speed, (rows, time_ratio, memory_ratio)


@pytest.mark.parametrize("results", ["RESULTS-memmap.md", "RESULTS-mpi.md"])
def test_scale_quotes_the_benchmark_files_tables(results):
    """docs/scale.md's measured tables are the rows of the benchmark file it names: they gave an older run's times
    (13.1 and 11.4 s an epoch, 46.66 ms a step) after the files had been rerun."""
    rows = [line for line in (ROOT / "benchmarks" / results).read_text(encoding="utf-8").splitlines()
            if line.startswith("| ") and line[2:3].isdigit() or line.startswith("| float")]
    scale = (ROOT / "docs" / "scale.md").read_text(encoding="utf-8")
    assert rows and f"`benchmarks/{results}`" in scale
    assert "\n".join(rows) in scale, results


@pytest.mark.parametrize("path", DOCS, ids=lambda p: p.name)
def test_no_line_of_a_sentence_starts_a_quote(path: Path):
    """A paragraph's line that begins '> 0 blue' is rendered as a quote of its own (CommonMark lets a quote break
    into a paragraph), its sentence cut in two. Truth: markdown-it; a quote meant as one follows a blank line."""
    from markdown_it import MarkdownIt
    lines = path.read_text().split("\n")
    quotes = [t.map[0] for t in MarkdownIt("commonmark").parse(path.read_text()) if t.type == "blockquote_open"]
    broken = [f"line {k + 1}: {lines[k]!r}" for k in quotes if k and lines[k - 1].strip()]
    assert not broken, f"{path.name}: a sentence broken by a '>' at the start of its next line: {broken}"


def test_a_closing_fence_carries_no_text():
    """Markdown closes a fence only on a line of backticks alone: text after them (``` Weights of ...) leaves the block
    open, and the rest of the document shows as code while the blocks above still run here."""
    bad = [f"{p.relative_to(ROOT)}:{n}" for p in DOCS for n, line in enumerate(p.read_text().splitlines(), 1)
           if re.match(r"^```\s*[^\w\s`]|^```\s+\w", line)]
    assert not bad, bad
