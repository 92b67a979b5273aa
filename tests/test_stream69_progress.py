"""CsvStream's progress lines: pass 1 knows the file's rows (counted by the check of every line before it), so on a
terminal its line says how many of them are read, as pass 2's does, not only the seconds."""
import io

import numpy as np
import pandas as pd

import chainrule.data.ondisk as ondisk
import chainrule.data.stream as stream_module
from chainrule.data.progress import Progress
from chainrule.data.stream import CsvStream


class Terminal(io.StringIO):
    def isatty(self):
        return True


class Shown(Progress):
    """A Progress past its threshold from the start (its line written at once, not by a timer), on a terminal."""
    lines: list[str] = []

    def __init__(self, what, total=None, unit="", after=2.0, stream=None):
        super().__init__(what, total=total, unit=unit, after=after, stream=Terminal())

    def __enter__(self):
        self._show()
        return self

    def __exit__(self, *exc):
        self.update(self.done)
        self._last = 0.0
        self.update(self.done)                  # the count reached, as a terminal's line rewritten shows it
        Shown.lines.append(self.stream.getvalue().split("\r\x1b[K")[-1])
        super().__exit__(*exc)


def test_each_pass_says_how_many_of_the_files_rows_it_has_read(tmp_path, monkeypatch):
    path = tmp_path / "t.csv"
    rng = np.random.default_rng(0)
    pd.DataFrame({"a": rng.normal(size=250).round(3), "y": rng.choice(list("pq"), 250)}).to_csv(path, index=False)
    n = len(pd.read_csv(path))
    monkeypatch.setattr(stream_module, "Progress", Shown)
    monkeypatch.setattr(ondisk, "Progress", Shown)
    Shown.lines = []
    with CsvStream(path, rows=60) as stream:
        stream.fit("y")
        stream.encode(None)
    passes = [line for line in Shown.lines if "(pass " in line]
    assert len(passes) == 2, Shown.lines
    for line in passes:
        assert f": {n} of {n} rows (100%)" in line, line
