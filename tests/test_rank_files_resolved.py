"""Rank 0's warnings of callbacks given to other ranks alone, read from what every rank said (the ranks' allgather,
given here as the lists each rank's `files_written` and `printers` give): one file that two other ranks name two
ways is one warning, and a verbose callback that rank 0 has quiet is named by what differs (verbose=1)."""
import os
import warnings

import chainrule as cr
from chainrule.training.rank_callbacks import unwritten


class Ranks:
    """The communicator of rank 0 among ranks whose callbacks are `each` (a list per rank): its allgather gives what
    each rank's own call would have sent."""

    def __init__(self, each):
        self.each = each

    def Get_rank(self):
        return 0

    def allgather(self, _):
        from chainrule.training.rank_callbacks import files_written, printers
        return [(files_written(cbs), printers(cbs)) for cbs in self.each]


def said(each):
    with warnings.catch_warnings(record=True) as heard:
        warnings.simplefilter("always")
        unwritten(Ranks(each), each[0])
    return [str(w.message) for w in heard]


def test_one_file_named_two_ways_by_two_other_ranks_is_one_warning(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    os.symlink(tmp_path, tmp_path / "link")
    heard = said([[], [cr.callbacks.CSVLogger("log.csv")], [cr.callbacks.CSVLogger("./log.csv")],
                  [cr.callbacks.CSVLogger(str(tmp_path / "link" / "log.csv"))]])
    assert len(heard) == 1, heard
    assert heard[0].startswith("CSVLogger('log.csv') was given to ranks 1, 2, 3 of 4 and not to rank 0"), heard


def test_a_verbose_callback_rank_0_has_quiet_is_named_by_its_verbose(tmp_path):
    heard = said([[cr.callbacks.EarlyStopping(monitor="loss")], [cr.callbacks.EarlyStopping(monitor="loss",
                                                                                            verbose=1)]])
    assert heard == ["EarlyStopping(verbose=1) was given to rank 1 of 2 and not to rank 0, which alone prints under "
                     "MPI: nothing is printed; give it to rank 0 (or to every rank)"], heard
