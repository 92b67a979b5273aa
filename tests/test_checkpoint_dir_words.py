"""`chainrule train --checkpoint-dir` at a path no folder can be made at (a file, or below one) is refused naming the
option as typed, as the command's other refusals of it are (`--checkpoint-dir is empty`); fit keeps its argument's
name, checkpoint_dir. The reason is the operating system's own (os.mkdir's strerror, the truth)."""
import os

import pytest
from conftest import cmd, iris_table


@pytest.mark.parametrize("below", [False, True])
def test_a_checkpoint_dir_that_cannot_be_made_is_named_as_the_option(tmp_path, below):
    data = tmp_path / "iris.csv"
    iris_table().to_csv(data, index=False)
    (tmp_path / "a-file").write_text("not a folder")
    folder = tmp_path / "a-file" / "sub" if below else tmp_path / "a-file"
    with pytest.raises(OSError) as made:                  # what the system says of this path
        os.mkdir(folder)
    r = cmd("train", data, "--target", "species", "--epochs", "1", "--out", tmp_path / "m.npz", "--quiet",
            "--checkpoint-dir", folder)
    said = r.stderr.strip().splitlines()[-1]
    expected = (f"--checkpoint-dir cannot be created ({made.value.strerror}): {str(folder)!r}" if below else
                f"--checkpoint-dir {str(folder)!r} is a file, not a folder: give a folder (one that does not exist "
                "is created)")                    # the file itself: named as what it is, not 'File exists'
    assert r.returncode != 0 and said.endswith(expected), r.stderr
    assert not (tmp_path / "m.npz").exists(), r.stderr
