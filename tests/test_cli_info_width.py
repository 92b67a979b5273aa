"""`chainrule info` of a model trained with four --schedule options (a SequentialLR) fits a terminal 40 and 80
columns wide, as the other commands' summaries do: its optimizer line (the schedules' calls, written without a space
at their brackets) and its schedule line ('linear@3:start_factor=0.5,end_factor=1.0,total_iters=5', 54 characters)
ran past 40 columns; broken after their commas and brackets now. In a pipe each line is whole, for grep. A later
schedule past --epochs is refused naming --checkpoint-dir, which trains in parts."""
import sys
from importlib.resources import files

import pytest
from conftest import cli_in_process, cmd

SPECS = ["step:step_size=2", "linear@3:start_factor=0.5", "exponential@5:gamma=0.9", "cosine@8:T_max=5"]
WHOLE = ("schedule: trained with --schedule step:step_size=2,gamma=0.1 --schedule "
         "linear@3:start_factor=0.5,end_factor=1.0,total_iters=5 --schedule exponential@5:gamma=0.9 "
         "--schedule cosine@8:T_max=5,eta_min=0.0")


@pytest.fixture(scope="module")
def model(tmp_path_factory):
    out = tmp_path_factory.mktemp("info") / "m.npz"
    iris = files("chainrule.data.examples") / "iris.csv"
    r = cmd("train", iris, "--target", "species", "--epochs", 10, "--optimizer", "adam", "--lr", "0.01", "--quiet",
            "--out", out, *(w for s in SPECS for w in ("--schedule", s)))
    assert r.returncode == 0, r.stderr
    return out


def test_a_pipe_keeps_each_line_whole(model):
    lines = cmd("info", model).stdout.splitlines()
    assert WHOLE in lines, lines
    optimizer = next(line for line in lines if line.startswith("optimizer: "))
    assert optimizer.startswith("optimizer: Adam(lr=SequentialLR(schedules=[StepLR(lr=0.01, step_size=2, gamma=0.1), "
                                "LinearLR(lr=0.01, start_factor=0.5, "), optimizer
    assert "milestones=[3, 5, 8])" in optimizer, optimizer


@pytest.mark.parametrize("columns", [40, 80])
def test_info_fits_the_terminal(model, capsys, monkeypatch, columns):
    piped = cmd("info", model).stdout
    monkeypatch.setenv("COLUMNS", str(columns))
    monkeypatch.setattr(sys.stdout, "isatty", lambda: True)
    code, out, err = cli_in_process(capsys, "info", model)
    assert code == 0, err
    assert [line for line in out.splitlines() if len(line) > columns] == [], out
    assert "".join(out.split()) == "".join(piped.split())        # nothing dropped, only broken
    assert len(out.splitlines()) > len(piped.splitlines())


def test_a_schedule_past_epochs_is_refused_naming_training_in_parts(tmp_path):
    iris = files("chainrule.data.examples") / "iris.csv"
    r = cmd("train", iris, "--target", "species", "--epochs", 10, "--out", tmp_path / "m.npz",
            "--schedule", "step:step_size=2", "--schedule", "cosine@10:T_max=5")
    assert r.returncode == 2 and not (tmp_path / "m.npz").exists()
    assert r.stderr.splitlines()[-1] == (
        "chainrule train: error: argument --schedule: 'cosine@10:T_max=5' starts at epoch 10, which --epochs 10 never "
        "reaches (its epochs are 0 to 9); give an EPOCH below 10, or more --epochs, or --checkpoint-dir to train in "
        "parts (its checkpoints keep every schedule; --resume with more --epochs reaches this one)")


@pytest.mark.parametrize("width", range(16, 41))
def test_a_word_broken_at_its_commas_keeps_a_short_bracket_whole(width):
    """A word wider than the line was broken after every comma and opening bracket, also inside a short bracket
    ('milestones=[' over '1, 2, 3],'), which fit_lines keeps whole between words, and a piece after a comma inside
    it began with that bracket's space ('   2, 3],' under a two-space indent)."""
    from chainrule.teach.width import fit_lines
    line = "schedule: trained with --schedule multistep@9:milestones=[1, 2, 3],gamma=0.1,other=(a, b),zzzz=1"
    lines = fit_lines(line, width).split("\n")
    assert "".join(lines).replace(" ", "") == line.replace(" ", "")
    assert all(not row.startswith("   ") for row in lines[1:]), lines            # each under the two-space hang
    for group in ("[1, 2, 3]", "(a, b)"):
        assert sum(group in row for row in lines) == 1, lines


@pytest.mark.parametrize("folder, name", [("runs/lr_0.01,batch_32,epochs_100", "cut,1.npz"),
                                          ("", "model,trained,on,the,full,data,2026.npz")])
def test_a_path_with_commas_stays_whole(tmp_path, capsys, monkeypatch, folder, name):
    """A path's commas are its name's: `chainrule info` of one at 40 columns broke it after each comma
    ('runs/lr_0.01,batch_32,' over 'epochs_100/cut,1.npz'), the wrapping meant for a call's arguments; it stays
    whole now, as a path without commas did."""
    (tmp_path / folder).mkdir(parents=True, exist_ok=True)
    path = tmp_path / folder / name
    iris = files("chainrule.data.examples") / "iris.csv"
    assert cmd("train", iris, "--target", "species", "--epochs", 1, "--quiet", "--out", path).returncode == 0
    path.write_bytes(path.read_bytes()[:500])            # cut short: its refusal names it
    monkeypatch.setenv("COLUMNS", "40")
    monkeypatch.setattr(sys.stderr, "isatty", lambda: True)
    shown = str(path.relative_to(tmp_path))
    monkeypatch.chdir(tmp_path)
    code, _, err = cli_in_process(capsys, "info", shown)
    assert code == 2 and any(shown in line for line in err.splitlines()), err
    assert "cut short" in err and [ln for ln in err.splitlines() if len(ln) > 40 and shown not in ln] == [], err


def test_a_path_in_brackets_or_before_a_stop_stays_whole(tmp_path, capsys, monkeypatch):
    """The neighbours: a path with commas closed by a bracket and a ';' ("(the data rows of a,b.csv);"), as
    `explain --row` past the file says it, was still broken after each comma at 40 columns."""
    iris = files("chainrule.data.examples") / "iris.csv"
    data = tmp_path / "iris,full,data,set,2026,final,version,2.csv"
    data.write_bytes(iris.read_bytes())
    done = cmd("train", iris, "--target", "species", "--epochs", 1, "--quiet", "--out", tmp_path / "m.npz")
    assert done.returncode == 0, done.stderr
    monkeypatch.setenv("COLUMNS", "40")
    monkeypatch.setattr(sys.stderr, "isatty", lambda: True)
    monkeypatch.chdir(tmp_path)
    code, _, err = cli_in_process(capsys, "explain", "--model", "m.npz", "--data", data.name, "--row", "999")
    assert code == 2 and "--row must be 1..150" in err and any(data.name in line for line in err.splitlines()), err


def test_a_list_of_dotted_names_still_breaks_at_its_commas():
    """A list written without spaces whose names have dots (R's 'Sepal.Length') is no file's name: it breaks at
    its commas to fit, where the rule for a path's suffix kept it whole, 52 columns at 40."""
    from chainrule.teach.width import fit_lines
    names = "Sepal.Length,Sepal.Width,Petal.Length,Petal.Width"
    for line in ("features: " + names, "files: train.csv,valid.csv,test.csv,holdout.csv"):
        shown = fit_lines(line, 40).split("\n")
        assert max(map(len, shown)) <= 40 and "".join(shown).replace(" ", "") == line.replace(" ", ""), shown
