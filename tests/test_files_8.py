"""Reading tables and naming their rows: advice in the caller's words, lines listed in file order,
file_lines' contract; a checkpoint folder's lock recorded as held the moment it exists."""
import numpy as np
import pytest

import chainrule as cr
from chainrule.errors import ValidationError
from chainrule.saving import runlock


def test_a_ctrl_c_just_after_the_checkpoint_lock_exists_leaves_no_lock(tmp_path, monkeypatch):
    # the interruption comes after the lock file exists and before fit's code after acquire runs
    real = runlock.acquire

    def interrupted(directory, *args, **kwargs):
        real(directory, *args, **kwargs)
        assert (directory / runlock.LOCKNAME).exists()
        raise KeyboardInterrupt
    monkeypatch.setattr(runlock, "acquire", interrupted)
    net = cr.Network([cr.Dense(2, 2, "sigmoid")], loss="mse")
    X = np.zeros((4, 2))
    with pytest.raises(KeyboardInterrupt):
        net.fit(X, X, epochs=1, verbose=0, checkpoint_dir=tmp_path / "ck")
    assert not (tmp_path / "ck" / runlock.LOCKNAME).exists()
    monkeypatch.setattr(runlock, "acquire", real)
    net.fit(X, X, epochs=1, verbose=0, checkpoint_dir=tmp_path / "ck")       # the folder is free again


def _csv_with_gaps(tmp_path):
    """A file whose column 'a' is empty on a few lines; those lines, counted in its text."""
    rows = [f"{'' if i % 4 == 1 else i},{i % 3},{'x' if i % 2 else 'y'}" for i in range(24)]
    path = tmp_path / "gaps.csv"
    path.write_text("a,b,t\n" + "\n".join(rows) + "\n")
    gaps = [n for n, line in enumerate(path.read_text().splitlines(), start=1) if line.startswith(",")]
    return path, gaps


def test_a_shuffled_frames_missing_values_are_listed_in_file_order(tmp_path):
    from chainrule.data.tabular import Preprocessing, read_csv
    path, gaps = _csv_with_gaps(tmp_path)
    df = read_csv(path).sample(frac=1.0, random_state=3)            # rows in another order, labels kept
    with pytest.raises(ValidationError) as e:
        Preprocessing.fit(df, "t")
    shown = ", ".join(str(n) for n in gaps[:4]) + f", {gaps[4]} and {len(gaps) - 5} more"
    assert f"'a' on lines {shown}" in str(e.value)


def test_a_shuffled_frames_target_gaps_and_first_bad_cell_name_the_earliest_lines(tmp_path):
    from chainrule.data.tabular import Preprocessing, read_csv
    path = tmp_path / "t.csv"
    lines = ["a,t"] + [f"{i},{'' if i in (3, 9, 15) else ('oops' if i in (5, 11) else i * 0.5)}" for i in range(20)]
    path.write_text("\n".join(lines) + "\n")
    df = read_csv(path).sample(frac=1.0, random_state=1)
    with pytest.raises(ValidationError, match=r"on lines 5, 11 and 17$"):      # rows 3, 9, 15: lines 5, 11, 17
        Preprocessing.fit(df, "t")
    pre = Preprocessing.fit(read_csv(path).dropna().query("t != 'oops'").astype({"t": float}), "t",
                            task="regression")
    with pytest.raises(ValidationError, match=r"line 7 has 'oops'"):            # row 5, the file's first
        pre.encode_target(df.dropna())


def test_file_lines_refuses_labels_that_are_not_row_numbers(tmp_path):
    from chainrule.data.lines import file_lines, place
    from chainrule.data.tabular import read_csv
    path, gaps = _csv_with_gaps(tmp_path)
    df = read_csv(path)
    assert file_lines(df, [0, 1]).tolist() == [2, 3]
    named = df.set_index("t")
    with pytest.raises(ValueError, match=r"index labels \(e\.g\. 'y'\) are not its file's row numbers"):
        file_lines(named, [0])
    assert place(named, 1) == "row 'x'"                       # named by label, never a line it is not on
