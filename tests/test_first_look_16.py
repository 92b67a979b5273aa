"""What a new user meets first: the demo's progress lines said what they are, the guide's and README's install
lines a package user types, README's performance figures first (from benchmarks/RESULTS.md), `chainrule info`'s
layer table and explain's notes and errors in a narrow terminal, and the command line's own refusals in
docs/errors.md as they are printed."""
import math
import re
import shlex
import sys
import tomllib
from pathlib import Path

import numpy as np
import pytest
from conftest import cli_in_process, cmd

ROOT = Path(__file__).parents[1]


def terminal(monkeypatch, columns: int) -> None:
    """Standard output and error as a terminal `columns` wide (as tests/test_widths_12.py has it)."""
    monkeypatch.setenv("COLUMNS", str(columns))
    monkeypatch.setattr(sys.stdout, "isatty", lambda: True)
    monkeypatch.setattr(sys.stderr, "isatty", lambda: True)


def test_the_demo_says_what_its_progress_lines_are(capsys, monkeypatch):
    """"43/43 - 0s - 362us/step - loss: ..." was printed to a learner without a word on what 43/43 and the numbers
    are; the count is checked against the split scikit-learn makes of digits (batches of 32)."""
    pytest.importorskip("sklearn")
    from sklearn.datasets import load_digits
    from sklearn.model_selection import train_test_split
    X, y = load_digits(return_X_y=True)
    batches = math.ceil(len(train_test_split(X, y, test_size=0.25, random_state=0, stratify=y)[0]) / 32)
    terminal(monkeypatch, 80)
    code, out, _ = cli_in_process(capsys, "demo", "--epochs", "1", "--no-example")
    assert code == 0
    assert [line for line in out.splitlines() if len(line) > 80] == []
    prose = " ".join(out.split())
    assert f"{batches}/{batches} batches of 32 images done, the epoch's seconds, the time per batch" in prose
    assert "the training accuracy and loss" in prose
    assert re.search(rf"^{batches}/{batches} - \d+s - \d+(us|ms)/step - accuracy: ", out, re.M)


def install_lines(text: str) -> list[str]:
    return re.findall(r"pip install (-e )?'([^']*)'", text)


def test_the_guide_and_readme_give_the_packages_install_first():
    """docs/guide.md opened on `pip install -e ".[plot,sklearn]"`, a source checkout's only; README gave no install
    line but `make demo`. Each now names the package as pyproject.toml does, extras it has, then the checkout's."""
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    extras = set(project["optional-dependencies"])
    guide = (ROOT / "docs" / "guide.md").read_text().split("\n## ", 1)[0]
    readme = (ROOT / "README.md").read_text().split("\n## Use", 1)[0]
    for text in (guide, readme):
        (editable, first), (again, second) = install_lines(text)[:2]
        name, wanted = re.fullmatch(r"([\w-]+)\[([\w,]+)\]", first).groups()
        assert (editable, name, again) == ("", project["name"], "-e ") and second == f".[{wanted}]"
        assert set(wanted.split(",")) <= extras and {"cli", "sklearn", "plot"} <= set(wanted.split(","))
    assert "pip install -e \".[plot,sklearn]\"" not in guide


def test_readmes_performance_opens_on_figures_of_results_md():
    """README's Performance section was a table of long cells and paragraphs of 1,000-3,000 characters; it now
    opens on four short lines, each ratio one that benchmarks/RESULTS.md measured."""
    readme = (ROOT / "README.md").read_text()
    section = readme.split("## Performance\n", 1)[1]
    lead = section.split("\n\n", 2)[1]
    assert lead.startswith("- ") and len(lead.split("\n- ")) == 4
    assert "benchmarks/RESULTS.md" in section.split("\n\n")[0]
    results = (ROOT / "benchmarks" / "RESULTS.md").read_text()
    figures = re.findall(r"(\d+\.\d+)x", lead) + re.findall(r"\((\d\.\d+)\)", lead)
    assert len(figures) == 20                                    # 1.2x: a target's, as RESULTS.md names it
    for figure in figures:
        assert f"| {figure}x |" in results or f"| {figure} |" in results or f">= {figure}x" in results, figure
    paragraphs = re.split(r"\n\s*\n", section.split("\nEnvironment variables", 1)[0])
    assert max(len(p) for p in paragraphs if "|" not in p) < 2000


def _iris(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    assert cmd("data", "iris.csv").returncode == 0
    r = cmd("train", "iris.csv", "--target", "species", "--hidden", "16", "--epochs", "1", "--quiet", "--out", "m.npz")
    assert r.returncode == 0, r.stderr


@pytest.mark.parametrize("columns", [60, 40])
def test_infos_layer_table_keeps_each_count_whole(tmp_path, capsys, monkeypatch, columns):
    """At 60 columns "80 parameters" fell to a line of its own (the table was 75 wide); now the count's column
    moves left, and where even that is too wide each count stands whole under its layer. 4*16+16 and 16*3+3."""
    _iris(tmp_path, monkeypatch)
    terminal(monkeypatch, columns)
    code, out, _ = cli_in_process(capsys, "info", "m.npz")
    assert code == 0
    lines = out.splitlines()
    assert [line for line in lines if len(line) > columns] == []
    table = "\n".join(lines[:lines.index("  total: 131 parameters")])
    assert re.findall(r"(?:^|\s)(\d+) parameters$", table, re.M) == ["80", "51"]
    layers = ["Dense(4, 16, activation='relu')", "Dense(16, 3, activation='softmax')"]
    assert re.findall(r"Dense\([^)]*\)", table) == layers
    if columns == 60:
        assert re.search(r"^  0: Dense\(4, 16, activation='relu'\) +80 parameters$", table, re.M)
    else:
        assert "  0: Dense(4, 16, activation='relu')\n     80 parameters\n" in table


def test_explains_notes_and_errors_fit_an_80_column_terminal_and_stay_whole_in_a_pipe(tmp_path, capsys,
                                                                                       monkeypatch):
    """"note: a random sample (--seed 0): inputs ..." (118 columns) and "chainrule: error: explain prints at most
    120 parameters; ..." (155) ran past an 80-column terminal, broken by it mid-word."""
    _iris(tmp_path, monkeypatch)
    piped = [cmd("explain", "--layers", "2,3,2"), cmd("explain", "--model", "m.npz", "--data", "iris.csv")]
    assert any(line.startswith("note: a random sample (--seed 0): inputs [") and line.endswith("for your own")
               for line in piped[0].stderr.splitlines())
    assert piped[1].returncode == 2 and len(piped[1].stderr.splitlines()) == 1      # in a pipe: one line to grep
    terminal(monkeypatch, 80)
    for argv, was in zip([("explain", "--layers", "2,3,2"), ("explain", "--model", "m.npz", "--data", "iris.csv")],
                         piped):
        code, out, err = cli_in_process(capsys, *argv)
        assert code == was.returncode
        assert [line for line in (out + err).splitlines() if len(line) > 80] == []
        assert err.split() == was.stderr.split()


def documented_refusals() -> list[tuple[str, str]]:
    doc = (ROOT / "docs" / "errors.md").read_text()
    table = doc.split("The command line's own refusals", 1)[1].split("\n\n", 2)[1]
    rows = [[c.strip() for c in line.strip().strip("|").split(" | ")] for line in table.splitlines()[2:]]
    return [(command.strip("`"), message) for _, command, message in rows]


@pytest.mark.parametrize("command, message", documented_refusals())
def test_the_command_lines_own_refusals_are_documented_as_printed(tmp_path, monkeypatch, command, message):
    """`chainrule help traim` (an unknown command) had no row in docs/errors.md, nor any usage error; `chainrule
    --versoin` said "the following arguments are required: COMMAND", and `traim` got no guess."""
    _iris(tmp_path, monkeypatch)
    r = cmd(*shlex.split(command)[1:])
    assert r.returncode == 2 and r.stdout == ""
    assert r.stderr.startswith("usage: chainrule") and r.stderr.splitlines()[-1] == message


def test_the_refusals_name_the_likely_command_and_option():
    for argv, guess in [(["traim"], "did you mean 'train'?"), (["help", "explian"], "did you mean 'explain'?"),
                        (["--debug", "infoo"], "did you mean 'info'?"), (["--verison"], "did you mean --version?")]:
        r = cmd(*argv)
        assert r.returncode == 2 and guess in r.stderr, argv
    assert cmd("help", "help").returncode == 0 and cmd("--version").returncode == 0
    assert np.all([cmd(*a).returncode == 2 for a in (["zzz"], ["--zzz"])])
