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
    are; the count is checked against the split scikit-learn makes of digits (batches of 32). It then said "batches of
    32" of a last batch of 3, and "the mean over the epoch's batches" of means the trainer takes over images."""
    pytest.importorskip("sklearn")
    from sklearn.datasets import load_digits
    from sklearn.model_selection import train_test_split
    X, y = load_digits(return_X_y=True)
    n = len(train_test_split(X, y, test_size=0.25, random_state=0, stratify=y)[0])
    batches, (full, last) = math.ceil(n / 32), divmod(n, 32)
    assert (n, last) == (1347, 3)          # the last batch is not one of 32: the words must say so
    terminal(monkeypatch, 80)
    code, out, _ = cli_in_process(capsys, "demo", "--epochs", "1", "--no-example")
    assert code == 0
    assert [line for line in out.splitlines() if len(line) > 80] == []
    prose = " ".join(out.split())
    assert f"{batches}/{batches} batches done ({full} of 32 images, the last of {last}), the epoch's seconds" in prose
    assert f"the training accuracy and loss, each the mean over the epoch's {n} images" in prose
    # a step of a second or more is "1s/step", as Keras writes it: a loaded machine compiling the kernels in the fit
    assert re.search(rf"^{batches}/{batches} - \d+s - \d+(us|ms|s)/step - accuracy: ", out, re.M)


def install_lines(text: str) -> list[str]:
    return re.findall(r"pip install (-e )?'([^']*)'", text)


def test_the_guide_and_readme_install_from_the_checkout_first():
    """docs/guide.md opened on `pip install -e ".[plot,sklearn]"`; then README and the guide opened on `pip install
    'chainrule[cli,sklearn,plot]'`, which fails: chainrule is not on PyPI. Each now leads with the checkout's
    install, then the editable one, with extras pyproject.toml has, and names no package to fetch."""
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    extras = set(project["optional-dependencies"])
    guide = (ROOT / "docs" / "guide.md").read_text().split("\n## ", 1)[0]
    readme = (ROOT / "README.md").read_text().split("\n## Use", 1)[0]
    for text in (guide, readme):
        (plain, first), (editable, second) = install_lines(text)[:2]
        wanted = re.fullmatch(r"\.\[([\w,]+)\]", first).group(1)
        assert (plain, editable, second) == ("", "-e ", first)
        assert set(wanted.split(",")) <= extras and {"cli", "sklearn", "plot"} <= set(wanted.split(","))
        assert [spec for _, spec in install_lines(text) if spec.startswith(project["name"])] == []


def test_readmes_performance_opens_on_figures_of_results_md():
    """README's Performance section was a table of long cells and paragraphs of 1,000-3,000 characters; it now
    opens on four short lines, each ratio one that benchmarks/RESULTS.md measured."""
    readme = (ROOT / "README.md").read_text()
    section = readme.split("## Performance\n", 1)[1]
    lead = section.split("\n\n", 2)[1]
    assert lead.startswith("- ") and len(lead.split("\n- ")) == 4
    assert "benchmarks/RESULTS.md" in section.split("\n\n")[0]
    figures = re.findall(r"(\d+\.\d+)x", lead) + re.findall(r"\((\d\.\d+)\)", lead)
    target = "Targets", "measured", "target"
    mnist, wide, inference = "MNIST-shaped", "Wide", "Inference"
    where = [(target, "seed network >= 10x PyTorch"), (target, "seed network faster than JAX"),
             (target, "digits sgd >= 6x PyTorch"), (target, "digits adam >= 6x PyTorch"),
             (target, "digits sgd >= 3x scikit-learn"), (target, "digits adam >= 3x scikit-learn"),
             *[((mnist, "vs PyTorch Adam", "batch"), b) for b in ("32", "128", "1024")],
             *[((mnist, "vs JAX", "batch"), b) for b in ("32", "128", "1024")],
             ((wide, "vs PyTorch", "framework"), "chainrule"), ((wide, "vs JAX", "framework"), "chainrule"),
             ((inference, "vs PyTorch", "input"), "float32"), ((inference, "vs JAX", "input"), "float32"),
             (("Targets", "target", "target"), "MNIST batch 32 >= 1.2x JAX"), (target, "MNIST batch 32 >= 1.2x JAX"),
             (target, "MNIST batch 1024 >= 80% of matmul peak"), (target, "`chainrule train` on a 1,000-row CSV")]
    assert len(figures) == len(where) == 20          # 1.2x: a target's, as RESULTS.md names it
    for figure, ((section, column, key), row) in zip(figures, where):
        cell = results_cell(section, column, key, row)
        assert figure in re.findall(r"\d+\.\d+", cell), (figure, section, row, column, cell)
    paragraphs = re.split(r"\n\s*\n", section.split("\nEnvironment variables", 1)[0])
    assert max(len(p) for p in paragraphs if "|" not in p) < 2000


def results_cell(section: str, column: str, key: str, row: str) -> str:
    """The cell of benchmarks/RESULTS.md's table under the heading starting `section`, in `column`, of its first
    row whose `key` column starts with `row` (the chainrule row where the table has a framework column)."""
    text = (ROOT / "benchmarks" / "RESULTS.md").read_text()
    body = next(part for part in text.split("\n## ") if part.startswith(section))
    table = [[c.strip() for c in line.strip().strip("|").split("|")] for line in body.splitlines()
             if line.startswith("|")]
    header, rows = table[0], [dict(zip(table[0], r)) for r in table[2:]]
    found = [r for r in rows if r[key].startswith(row) and r.get("framework", "chainrule") == "chainrule"]
    assert found and column in header, (section, column, row)
    return found[0][column]


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
    assert any(line.startswith("note: a random sample (--seed 0): --inputs ") and line.endswith("for your own")
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


def test_usage_errors_warnings_and_interruptions_fit_the_terminal(capsys, monkeypatch):
    """argparse printed its own usage errors whole ("invalid choice: 'traim' ..." 220 columns in a 40-column
    terminal, the misspelt --epocs 82 at 80), and a warning and "chainrule: interrupted; ..." were printed whole."""
    import chainrule.cli
    import chainrule.cli.train
    long_out = "model-with-a-longer-name.npz"
    runs = [(("traim",), 40), (("train", "iris.csv", "--target", "species", "--epocs", "3", "--out", "m2.npz"), 80)]

    def interrupted(args):
        raise KeyboardInterrupt
    monkeypatch.setattr(chainrule.cli.train, "train", interrupted)
    runs.append((("train", "iris.csv", "--target", "species", "--out", long_out), 40))
    for argv, columns in runs:
        monkeypatch.delenv("COLUMNS", raising=False)
        piped = cmd(*argv)
        terminal(monkeypatch, columns)
        code, out, err = cli_in_process(capsys, *argv)
        monkeypatch.setattr(sys.stderr, "isatty", lambda: False)
        assert code == piped.returncode and code in (2, 130) and out == ""
        assert [line for line in err.splitlines() if len(line) > columns] == [], argv
        said = [err[err.index("chainrule" + w):] for w in (": int", " train: e", ": error") if "chainrule" + w in err]
        assert err.split() == piped.stderr.split() and len(said[0].splitlines()) > 1, err
        whole = [line for line in piped.stderr.splitlines() if line.startswith("chainrule")]
        assert whole == [" ".join(said[0].split())]             # in a pipe: one line
    terminal(monkeypatch, 40)
    chainrule.cli._show_warning("the column 'a long name' holds text in 12 rows; they are read as missing",
                                UserWarning, "x.py", 1)
    err = capsys.readouterr().err
    assert [line for line in err.splitlines() if len(line) > 40] == [] and len(err.splitlines()) > 1
    assert err.split()[:3] == ["chainrule:", "warning:", "the"]


def test_shortened_options_before_the_command_are_refused_as_a_commands_are(tmp_path, monkeypatch):
    """`chainrule --vers`, `--he` and `--deb info m.npz` were read as argparse reads a unique prefix, while a
    command's own options (`train --ou`) were refused: one rule now, options are read whole everywhere, refused
    with the option meant; `--debug help train` is still `train --help` ("invalid choice: 'help'" before)."""
    from chainrule.cli import build_parser, main
    with pytest.raises(SystemExit):                  # argparse itself no longer takes the prefix
        build_parser().parse_args(["--deb", "info", "m.npz"])
    for argv, word, whole in [(["--vers"], "--vers", "--version"), (["--he"], "--he", "--help"),
                              (["--deb", "info", "m.npz"], "--deb", "--debug"),
                              (["--debug", "--vers"], "--vers", "--version")]:
        r = cmd(*argv)
        assert (r.returncode, r.stdout) == (2, "") and r.stderr.startswith("usage: chainrule"), argv
        assert r.stderr.splitlines()[-1] == f"chainrule: error: unrecognized arguments: {word} (did you mean {whole}?)"
    r, expected = cmd("--debug", "help", "train"), cmd("train", "--help")
    assert (r.returncode, r.stdout, r.stderr) == (0, expected.stdout, "")
    _iris(tmp_path, monkeypatch)
    assert cmd("--debug", "info", "m.npz").stdout == cmd("info", "m.npz").stdout != ""
    assert cmd("--deb", "info", "missing.npz").returncode == 2      # said as a usage error, the model never read
    assert main(["--deb", "info", "missing.npz"]) == 2


def test_an_unknown_option_after_help_is_refused():
    """`chainrule help --versoin` and `chainrule help -x` printed the whole help with exit status 0. The guess is
    among the options help takes (it guessed --version, which help refuses: `help --version` was told "did you mean
    --version?")."""
    for argv, last in [(["help", "--versoin"], "unrecognized arguments: --versoin"),
                       (["help", "--version"], "unrecognized arguments: --version"),
                       (["help", "--hepl"], "unrecognized arguments: --hepl (did you mean --help?)"),
                       (["help", "-x"], "unrecognized arguments: -x")]:
        r = cmd(*argv)
        assert (r.returncode, r.stdout) == (2, "") and r.stderr.splitlines()[-1] == f"chainrule: error: {last}"
    assert cmd("help", "-h").stdout == cmd("--help").stdout != ""


def test_the_layer_table_keeps_its_count_column_from_layer_10_on():
    """From layer 10 on, "  10: " is a character wider than "  9: ": each count stood one column right."""
    import chainrule as cr
    from chainrule.nn.summary import summary_table
    net = cr.Network([cr.Dense(2, 3, "relu"), *[cr.Dense(3, 3, "relu") for _ in range(10)], cr.Dense(3, 2)], seed=0)
    for text in (summary_table(net), summary_table(net, 60)):
        rows = [line for line in text.splitlines() if re.match(r" +\d+: ", line)]
        assert len(rows) == 12 and len({line.index(":") for line in rows}) == 1
        assert len({line.index(" parameters") for line in rows}) == 1, text
        assert [int(n) for n in re.findall(r"(\d+) parameters$", "\n".join(rows), re.M)] == \
            [2 * 3 + 3] + [3 * 3 + 3] * 10 + [3 * 2 + 2]
    rows = [line for line in net.summary().splitlines() if re.match(r" +\d+: ", line)]     # Keras' table too
    assert len(rows) == 12 and len({line.index(":") for line in rows}) == 1
    assert len({line.index("(None, ") for line in rows}) == 1, net.summary()
