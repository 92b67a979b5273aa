"""What a new user reads first: every command's --help in an 80-column terminal, its examples run as
printed on the files `chainrule data` ships, and every option found in the docs."""
import re
import shlex
from pathlib import Path

import pytest
from conftest import cmd

from chainrule.cli import build_parser

ROOT = Path(__file__).parents[1]
SUB = next(a for a in build_parser()._actions if a.choices and "train" in a.choices)
COMMANDS = list(SUB.choices)
# run as printed; the others (a server, a minute of compiling, a Dask cluster, seconds of training or
# every figure) are parsed: each option and value they show is one the command takes
RUN = {"data", "train", "predict", "evaluate", "info", "explain", "export"}


def helps(monkeypatch) -> dict[str, str]:
    monkeypatch.setenv("COLUMNS", "80")
    texts = {name: cmd(*name.split(), "--help") for name in ["", *COMMANDS]}
    assert all(r.returncode == 0 for r in texts.values())
    return {name: r.stdout for name, r in texts.items()}


def examples(text: str) -> list[list[str]]:
    """The commands of a help's "example(s):" section, as a shell reads them (` \\` continues a line)."""
    section = re.search(r"^examples?:\n((?:  .*\n?)+)", text, re.M)
    assert section, text
    return [shlex.split(line, comments=True) for line in section.group(1).replace("\\\n", "").splitlines()
            if not line.strip().startswith("#")]


def test_every_help_fits_an_80_column_terminal(monkeypatch):
    """Descriptions, epilogs and examples were printed as written: up to 437 columns, wrapped by the
    terminal mid-word; an example is broken with ` \\` so that it still runs when pasted."""
    for name, text in helps(monkeypatch).items():
        long = [line for line in text.splitlines() if len(line) > 80]
        assert long == [], f"chainrule {name} --help"
    text = helps(monkeypatch)["train"]
    assert "  chainrule train iris.csv --target species --hidden 16 --epochs 100 \\\n      --out iris.npz\n" in text


def test_every_help_example_runs_on_the_shipped_files(monkeypatch, tmp_path):
    """The examples named files no one has (cars.csv, new.csv, test.csv, model.npz): each now runs in a
    folder holding only what `chainrule data` copies and the examples before it write."""
    pytest.importorskip("onnx")
    shown = {name: examples(text) for name, text in helps(monkeypatch).items()}
    monkeypatch.chdir(tmp_path)
    for name in ["data", "train", *(c for c in COMMANDS if c not in ("data", "train"))]:
        for argv in shown[name]:
            env = [word for word in argv if re.match(r"^[A-Z_]+=", word)]
            argv = argv[len(env):]
            assert argv[0] == "chainrule" and argv[1] == name, argv
            if name in RUN:
                r = cmd(*argv[1:])
                assert r.returncode == 0, (argv, r.stderr)
            else:
                build_parser().parse_args(argv[1:])
    assert {"iris.csv", "diabetes.csv", "iris.npz", "diabetes.npz", "iris.onnx", "diabetes.onnx",
            "predictions.csv"} <= {p.name for p in tmp_path.iterdir()}
    for argv in shown[""]:
        build_parser().parse_args(argv[1:])


def options(name: str) -> set[str]:
    return {o for a in SUB.choices[name]._actions for o in a.option_strings if o.startswith("--")}


def test_every_option_is_in_the_docs_and_every_documented_option_exists():
    """`chainrule demo --no-example` was in no page, nor sweep's --impute, --task and CSV options beside
    `chainrule sweep`; and no page shows an option a command lacks."""
    pages = {p: p.read_text() for p in [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]}
    paragraphs = [q for words in pages.values() for q in re.split(r"\n\s*\n", words)]
    for name in COMMANDS:
        # where the command is named, or on its own page (docs/explore.md): `sweep --impute` was only
        # train's in the docs
        own = [q for q in paragraphs if re.search(rf"\b{name}\b", q)] + [pages.get(ROOT / "docs" / f"{name}.md", "")]
        missing = [o for o in sorted(options(name) - {"--help", "--debug"})
                   if not any(re.search(re.escape(o) + r"(?![\w-])", q) for q in own)]
        assert missing == [], f"chainrule {name}: in no page of the docs"
        for page, words in pages.items():
            for found in re.finditer(rf"(?<![\w-])chainrule {name}\b[^\n`|]*", words):
                line = found.group()
                # errors.md: a typo refused on this line (only it; another option of the line is checked), as
                # unrecognized or as the word that came where a value was expected
                told = words[found.start():].split("\n", 1)[0]
                refused = re.search(r"unrecognized arguments: ([^(|`\n]*)", told)
                typos = set(re.findall(r"--[a-z][\w-]*", refused.group(1))) if refused else set()
                typos |= set(re.findall(r"\((--[a-z][\w-]*), no option, came in its place", told))
                unknown = set(re.findall(r"(?<![\w-])--[a-z][\w-]*", line)) - options(name) - {"--help"} - typos
                assert not unknown, f"{page.name}: {line}"


def test_every_default_is_written_one_way(monkeypatch):
    """argparse writes "(default: 100)"; 14 options wrote their own "(default 1000)" or "; default 0" beside it."""
    monkeypatch.setenv("COLUMNS", "1000")
    for name in COMMANDS:
        text = cmd(name, "--help").stdout
        assert re.findall(r"\(default [^)]*\)|; default [\w.']+", text) == [], f"chainrule {name} --help"


def test_the_worked_examples_table_says_what_its_columns_and_first_row_are(capsys, monkeypatch):
    """`make demo`'s table showed 0.3775 where the derivation above it showed 0.377500000, and opened on
    "Error = 1/2 (0.191 - 1.0)^2", numbers found nowhere else in the output; its header ended in spaces."""
    from conftest import cli_in_process
    monkeypatch.setenv("COLUMNS", "80")
    code, out, _ = cli_in_process(capsys, "example", "--width", "80")
    assert code == 0
    lines = out.splitlines()
    assert [ln for ln in lines if ln != ln.rstrip()] == []
    prose = " ".join(out.split("Every figure of the seed, checked\n", 1)[1].split("\n  figure", 1)[0].split())
    assert "rounded to the same digits" in prose and "a prediction of 0.191 against a target of 1.0" in prose


def test_the_tutorials_steps_are_where_it_points():
    """docs/tutorial.md sent the reader to "step 6" for a regression; step 6 is a plot, 7 the regression.
    Its dead units' sentence is checked against its own explain output: the weights from h2, h3 and h4
    (w42..w44) are those whose gradient is 0."""
    text = (ROOT / "docs" / "tutorial.md").read_text()
    steps = dict(re.findall(r"^## (\d+)\. (.+)$", text, re.M))
    for number in re.findall(r"regression, see step (\d+)", text):
        assert "regression" in steps[number].lower(), steps
    for weight in ("w42", "w43", "w44"):
        assert re.search(rf"dE/d{weight} = .* = 0 ", text)        # zero written 0, as the seed's rule writes it
    assert "(h2, h3, h4 here: w42, w43, w44) get a" in text


def test_a_second_make_demo_installs_nothing(tmp_path):
    """`make demo` ran pip install -e every time (an editable build: seconds, and a failure offline);
    it installs once, and again only when pyproject.toml changes."""
    import os
    import shutil
    import subprocess
    if shutil.which("make") is None:
        pytest.fail("make is not installed: the README's two commands need it")
    for name in ("Makefile", "pyproject.toml"):
        shutil.copy(ROOT / name, tmp_path / name)
    (tmp_path / ".venv" / "bin").mkdir(parents=True)
    (tmp_path / ".venv" / "bin" / "python").touch()

    def planned() -> str:
        return subprocess.run(["make", "-n", "demo"], cwd=tmp_path, capture_output=True, text=True, check=True).stdout
    assert "pip install" in planned() and ".venv/bin/chainrule demo" in planned()
    (tmp_path / ".venv" / ".demo-installed").touch()
    assert "pip" not in planned() and ".venv/bin/chainrule demo" in planned()
    later = (tmp_path / ".venv" / ".demo-installed").stat().st_mtime + 10
    os.utime(tmp_path / "pyproject.toml", (later, later))
    assert "pip install" in planned()
