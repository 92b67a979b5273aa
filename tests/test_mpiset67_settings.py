"""How an MPI job reports and ends travels with its communicator (`JobComm`), not as module globals that the command
line set and restored: a fit of the Python API in the same process gets the defaults whatever a job of the command
line gives, and the data file a job names is read from its settings."""
import copy

import numpy as np

from chainrule.training import meeting


class Comm:
    """The calls a communicator answers (one rank), for the settings' readers."""

    def Get_rank(self):
        return 0

    def Get_size(self):
        return 1


def test_a_job_s_settings_are_its_own_and_a_plain_communicator_gets_the_python_api_s(tmp_path):
    job = meeting.JobComm(Comm(), meeting.JobSettings(timed_out_code=4, not_come=meeting.HUNG,
                                                      data_file=str(tmp_path / "data.csv")))
    assert meeting.settings(job).timed_out_code == 4 and meeting.settings(job).not_come == meeting.HUNG
    assert job.Get_size() == 1                                   # it answers as the communicator it holds
    plain = meeting.settings(Comm())
    assert (plain.timed_out_code, plain.not_come, plain.data_file) == (1, meeting.NOT_COME, None)
    assert plain.ending is meeting.said_and_code


def test_the_data_file_named_is_the_job_s_for_arrays_and_the_memmap_s_own_else(tmp_path):
    job = meeting.JobComm(Comm(), meeting.JobSettings(data_file=str(tmp_path / "data.csv")))
    X = np.zeros((4, 2))
    assert meeting.file_of_data(X, job) == str(tmp_path / "data.csv")
    assert meeting.file_of_data(X, Comm()) is None               # the Python API's array made in memory
    np.save(tmp_path / "x.npy", X)
    mapped = np.load(tmp_path / "x.npy", mmap_mode="r")
    assert meeting.file_of_data(mapped[1:], job) == str(tmp_path / "x.npy")


def test_a_job_comm_copies_and_says_what_it_lacks():
    """A JobComm copied (copy, deepcopy, as a trainer or its callbacks may be) keeps its communicator and settings,
    and an attribute neither has is an AttributeError, not a RecursionError."""
    job = meeting.JobComm(Comm(), meeting.JobSettings(timed_out_code=4))
    for twin in (copy.copy(job), copy.deepcopy(job)):
        assert meeting.settings(twin).timed_out_code == 4 and twin.Get_rank() == 0
    assert not hasattr(job, "Split_type_nothing")
