"""What a learner reading `explain` and `example` side by side trips on: the Markdown form must write each step
the text form and the seed write."""
from __future__ import annotations

import re
import sys

from conftest import cmd

import chainrule as cr


def _equations(text: str) -> dict[str, int]:
    """Each `dE_oK/dout_hJ = ...` line of the text form: its left side, and how many sides it has."""
    found = {}
    for line in re.sub(r"\n {6,}", " ", text).splitlines():      # a broken line joined again
        m = re.match(r"  (dE_(o\d+)/dout_(h\d+)) = ", line)
        if m:
            found[f"{m[2]},{m[3]}"] = line.count(" = ")
    return found


def test_markdown_path_into_a_hidden_unit_writes_the_chain_rule_factor_the_seed_writes():
    # the seed: dE_o1/dout_h1 = dE_o1/dnet_o1 * dnet_o1/dout_h1 = 0.138498562 * 0.40; the text form writes both
    # sides, the Markdown form wrote dE_o1/dout_h1 = dE/dnet_o1 * w5 without the factor dnet_o1/dout_h1
    net, X, Y, lr = cr.examples.seed_network()
    report = cr.explain(net, X, Y, lr=lr)
    text, markdown = report.text(), report.markdown()
    sides = _equations(text)
    assert set(sides) == {"o1,h1", "o2,h1", "o1,h2", "o2,h2"}
    for key, count in sides.items():
        o, h = key.split(",")
        line = next(m for m in markdown.splitlines()
                    if m.startswith(f"$$\\frac{{\\partial E_{{{o}}}}}{{\\partial out_{{{h}}}}} = "))
        assert f"\\frac{{\\partial net_{{{o}}}}}{{\\partial out_{{{h}}}}}" in line, line
        assert line.count(" = ") == count, (line, count)


def test_guide_counts_the_sigmoid_layers_its_vanishing_gradient_snippet_builds():
    # the guide said "Eight sigmoid layers": its snippet builds 7 sigmoid layers and a softmax output
    from pathlib import Path
    guide = (Path(__file__).parent.parent / "docs" / "guide.md").read_text(encoding="utf-8")
    section = guide[guide.index("## 6. When gradients vanish"):]
    code = section[section.index("```python") + len("```python"):]
    code = code[:code.index("```")]
    widths_line = next(line for line in code.splitlines() if line.startswith("widths = "))
    build = next(line.strip() for line in code.splitlines() if "layers = [cr.Dense(" in line)
    space: dict = {"cr": cr}
    exec(widths_line, space)
    words = {"six": 6, "seven": 7, "eight": 8, "nine": 9}
    for act in ("sigmoid", "relu"):
        exec(build, {**space, "act": act, "init": "glorot_uniform"}, space)
        built = sum(layer.activation.name == act for layer in space["layers"])
        said = re.findall(rf"(\w+) {act} layers", section, flags=re.IGNORECASE)
        assert said, act
        for word in said:
            assert (int(word) if word.isdigit() else words[word.lower()]) == built, (word, act, built)


def test_the_random_sample_note_states_the_targets_the_report_uses():
    # a softmax network's random sample said "targets [0]", where the report's targets are 1 and 0 (class 0)
    import json
    for options in (["--activation", "relu,softmax", "--loss", "categorical_crossentropy"], []):
        r = cmd("explain", "--layers", "2,3,3", *options, "--format", "json")
        assert r.returncode == 0, r.stderr
        used = [t["value"][0] for t in json.loads(r.stdout)["targets"]]
        note = next(line for line in r.stderr.splitlines() if line.startswith("note: a random sample"))
        said = re.search(r"one-hot ([\d.,]+)", note) or re.search(r"--targets ([\d.,]+)", note)
        assert said and [float(v) for v in said[1].split(",")] == used, (note, used)


def test_a_line_broken_to_the_terminal_keeps_each_option_beside_its_value():
    # at 80 columns the slice line ended "...into hidden layer 1; --neuron" and went on "1 (0-based)": what a
    # reader types again, split across two lines
    torn = []
    for width in range(60, 101, 2):
        for slice_ in (["--layer", "0", "--neuron", "1"], ["--layer", "1", "--neuron", "0"], ["--layer", "1"]):
            r = cmd("explain", *slice_, "--lr", "0.5", "--width", str(width))
            assert r.returncode == 0, r.stderr
            lines = r.stdout.splitlines()
            assert all(len(line) <= width for line in lines)
            torn += [(width, line) for line in lines if re.search(r"(?:^|\s)--[a-z][\w-]*$", line)]
    assert not torn, torn[:3]


def test_every_code_span_of_the_docs_is_closed():
    # the guide's "`verbose="auto" is the bar, ..." opened a code span that closed at the next one's start, so
    # that its prose rendered as code and its code as prose, to the end of the paragraph
    from pathlib import Path
    root = Path(__file__).parent.parent
    for path in [root / "README.md", *sorted((root / "docs").glob("*.md"))]:
        text = re.sub(r"^```.*?^```", "", path.read_text(encoding="utf-8"), flags=re.S | re.M)   # fenced blocks
        for paragraph in re.split(r"\n\s*\n", text):
            assert paragraph.count("`") % 2 == 0, f"{path.name}: {paragraph[:160]!r}"


TORN = re.compile(r"(?:^|\s)--[a-z][\w-]*$")          # a line ending on an option, its value on the next


def test_a_note_after_a_value_keeps_each_option_beside_its_value():
    # the neighbour: a neuron slice's note after a value, "out_h1 = 0.593269992   (the other units of hidden layer
    # 1: --layer 0 derives it)", at 55 columns ended "...hidden layer 1: --layer" and went on "0 derives it)"
    torn = []
    for width in range(44, 72):
        r = cmd("explain", "--layer", "0", "--neuron", "1", "--lr", "0.5", "--width", str(width))
        assert r.returncode == 0, r.stderr
        assert "--layer 0 --neuron 0 derives it" in " ".join(r.stdout.split()), r.stdout
        torn += [(width, line) for line in r.stdout.splitlines() if TORN.search(line)]
    assert not torn, torn[:3]


def test_an_error_at_a_terminals_width_keeps_each_option_beside_its_value(capsys, monkeypatch):
    # the neighbour on stderr: at 80 columns a softmax network's missing --targets ended a line on "e.g. --targets"
    # and began the next with "1,0,0"
    from conftest import cli_in_process
    monkeypatch.setattr(sys.stderr, "isatty", lambda: True)
    torn = []
    for width in (50, 55, 80):
        monkeypatch.setenv("COLUMNS", str(width))
        code, _, err = cli_in_process(capsys, "explain", "--layers", "2,3,3", "--activation", "relu,softmax",
                                      "--loss", "categorical_crossentropy", "--inputs", "0.1,0.2")
        assert code == 2 and "e.g. --targets 1,0,0" in " ".join(err.split()), err
        assert all(len(line) <= width for line in err.splitlines()), err
        torn += [(width, line) for line in err.splitlines() if TORN.search(line)]
    assert not torn, torn[:3]
