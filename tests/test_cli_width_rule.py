"""One rule for the lines the command writes on stderr: a --width asked for (explain, example) fits its warnings as
it fits its error lines; beside --format markdown (where --width is refused) it fits none of them."""
from conftest import cmd


def _model_and_unseen_row(tmp_path):
    (tmp_path / "t.csv").write_text("a,c,y\n1,red,x\n2,blue,z\n3,red,x\n4,blue,z\n")
    (tmp_path / "u.csv").write_text("a,c,y\n1,green,x\n")
    assert cmd("train", tmp_path / "t.csv", "--target", "y", "--out", tmp_path / "m.npz", "--epochs", "1",
               "--quiet").returncode == 0
    return tmp_path / "m.npz", tmp_path / "u.csv"


def test_a_warning_is_fitted_to_the_width_asked_for_as_the_error_line_is(tmp_path):
    model, rows = _model_and_unseen_row(tmp_path)
    done = cmd("explain", model, "--data", rows, "--row", "1", "--layer", "1", "--neuron", "1", "--width", "40")
    assert "green" in done.stderr and "unseen" in done.stderr           # the warning is said
    assert all(len(line) <= 40 for line in done.stderr.splitlines()), done.stderr


def test_argparse_errors_beside_markdown_are_not_fitted_to_the_refused_width():
    # --width beside --format markdown is refused (Markdown keeps its lines whole): the usage error of the
    # same command line is then fitted as that refusal is, whole in a pipe, not to the refused 40 columns
    refused = cmd("example", "--width", "40", "--format", "markdown")
    assert refused.returncode == 2 and "leave --width out" in refused.stderr.splitlines()[-1]
    for spelled in (["--format", "markdown"], ["--format=markdown"]):
        done = cmd("example", "--width", "40", *spelled, "--bogus")
        error = done.stderr.splitlines()[-1]
        assert done.returncode == 2 and error.startswith("chainrule example: error: unrecognized arguments: --bogus")
    text = cmd("example", "--width", "40", "--format", "text", "--bogus")       # the text format: fitted
    assert all(len(line) <= 40 for line in text.stderr.splitlines()), text.stderr


def test_a_typo_is_guessed_by_the_options_names_not_by_their_shared_dashes(tmp_path):
    # '--id' (predict's) given to train: its '--' made it 'close' to '--mpi' (difflib's 0.67 of '--id', '--mpi');
    # the names alone, 'id' and 'mpi', are not close (0.4)
    import difflib
    assert difflib.SequenceMatcher(None, "id", "mpi").ratio() < 0.6 <= difflib.SequenceMatcher(
        None, "--id", "--mpi").ratio()
    (tmp_path / "t.csv").write_text("a,y\n1,x\n2,z\n")
    done = cmd("train", "t.csv", "--target", "y", "--out", "m.npz", "--id", "a", cwd=tmp_path)
    assert done.returncode == 2 and done.stderr.splitlines()[-1].endswith("unrecognized arguments: --id a")
    typo = cmd("train", "t.csv", "--target", "y", "--out", "m.npz", "--epohcs", "3", "--lrr", "1", cwd=tmp_path)
    assert typo.stderr.splitlines()[-1].endswith("(did you mean --epochs for --epohcs, --lr for --lrr?)")
    assert cmd("--versoin").stderr.splitlines()[-1].endswith("(did you mean --version?)")
