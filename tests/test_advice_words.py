"""Advice in its reader's words: chosen per context (a thread running the command leaves another thread's
Preprocessing.fit in Python's words), and per Python caller (run_sweep takes a path and drop=, read=;
CsvStream its own options; transform its dtype), each followed to a fit that works."""
import threading

import numpy as np
import pandas as pd
import pytest
from conftest import cmd

from chainrule.errors import ValidationError

EMPTY = "a,b,y\n1,,2\n2,,3\n3,,2\n4,,3\n"        # column b has no values at all: leave it out


def _fit_refusal() -> str:
    from chainrule.data.tabular import Preprocessing
    with pytest.raises(ValidationError) as e:
        Preprocessing.fit(pd.DataFrame({"a": [1.0, 2, 3], "b": [np.nan] * 3, "y": [0, 1, 0]}), "y")
    return str(e.value)


def test_a_thread_running_the_command_leaves_another_threads_fit_in_pythons_words(monkeypatch):
    import chainrule.cli as cli_module
    from chainrule.data.advice import give
    inside, done, heard = threading.Event(), threading.Event(), {}

    def long_run(args, parser):             # the command's run (a long train), held until the other thread is done
        heard["command"] = give("drop any")
        inside.set()
        assert done.wait(30)
        raise ValidationError("the run ends with an error")

    monkeypatch.setattr(cli_module, "_run", long_run)

    def command():
        with pytest.raises(ValidationError, match="the run ends"):
            cli_module.main(["info", "model.npz"])
        heard["after"] = give("drop any")      # the command's words end with its run, also on an error

    thread = threading.Thread(target=command)
    thread.start()
    try:
        assert inside.wait(30)
        said = _fit_refusal()                   # meanwhile, in this thread: Python's words
    finally:
        done.set()
        thread.join(30)
    assert "leave it out (df.drop(columns=['b'])" in said and " --" not in said, said
    assert heard == {"command": "--drop", "after": "df.drop(columns=...)"}


def test_words_are_reset_after_an_exception_and_an_outer_callers_stand():
    from chainrule.data.advice import command_words, give, words
    with pytest.raises(KeyError), command_words():
        raise KeyError("x")
    assert give("drop any") == "df.drop(columns=...)"
    with command_words(), words("sweep"):          # the command's sweep speaks the command's words
        assert give("drop any") == "--drop"
    with pytest.raises(ValueError, match="caller must be one of fit, stream, sweep, command, sweep command, backup; "
                                         "got 'notebook'"):
        with words("notebook"):
            pass


def test_the_explorers_server_thread_speaks_as_whoever_started_it(monkeypatch):
    import socket

    import uvicorn

    from chainrule.data.advice import command_words, give
    from chainrule.teach.explore.server import Server
    heard = []
    monkeypatch.setattr(uvicorn.Server, "run", lambda self, sockets=None: heard.append(give("drop any")))
    for speaking in (command_words, lambda: threading.Lock()):       # the command's server; a notebook's
        with socket.socket() as sock, speaking():
            server = Server(None, sock)
        server.thread.start()
        server.thread.join(10)
    assert heard == ["--drop", "df.drop(columns=...)"]


# (file, what run_sweep says, what doing it is)
SWEEP_ADVICE = [
    ("a,y\n1,2\n?,3\n4,2\n5,3\n6,2\n7,3\n", "Read the file with na_values=['?'] to read such cells as missing (and "
     "impute= to fill them)", {"na_values": ["?"], "impute": "median"}),
    ("a;y\n5;2\n1,5;3\n7;2\n8;3\n6;2\n9;3\n", "read the file with read={'decimal': ','}", {"read": {"decimal": ","}}),
    ('a,y\n7,2\n"1,234",2\n"12,500",3\n8,3\n', "read the file with read={'thousands': ','}",
     {"read": {"thousands": ","}}),
    ("a,b,y\n1 days 02:00:00,1,2\n0 days 01:00:00,2,3\n0 days 03:00:00,3,2\n0 days 04:00:00,4,3\n",
     "or give text_columns=['a'] to use them as categories, or drop=['a']", {"drop": ["a"]}),
    (EMPTY, "leave it out (drop=['b'], or remove it from the file)", {"drop": ["b"]}),
]


@pytest.mark.parametrize("content, said, advised", SWEEP_ADVICE)
def test_run_sweep_names_its_own_arguments_and_doing_as_told_sweeps(tmp_path, content, said, advised):
    from chainrule.sweep import run_sweep
    path = tmp_path / "t.csv"
    path.write_text(content)
    with pytest.raises(ValidationError) as e:
        run_sweep(path, "y", "hidden=2", epochs=1, cv=2)
    assert said in str(e.value) and "--" not in str(e.value) and "df." not in str(e.value), str(e.value)
    with pytest.warns(Warning):                        # one epoch: it ran out of epochs (said once)
        done = run_sweep(path, "y", "hidden=2", epochs=1, cv=2, **advised)
    assert len(done.table) == 1


def test_run_sweep_names_weight_grid_and_out_dir_as_its_arguments(tmp_path):
    from chainrule.sweep import run_sweep
    path = tmp_path / "t.csv"
    path.write_text("a,w,y\n1,0,2\n2,0,3\n3,0,2\n4,0,3\n")
    refusals = {"weight column 'w' is 0 on every row": dict(weight="w"),
                "weight: column 'ww' is not in the file": dict(weight="ww"),
                "the weight column 'y' cannot also be the target, in features or in drop": dict(weight="y"),
                "grid: each part must be name=value,value,...": dict(grid="hidden"),
                f"out_dir {str(path)!r} is a file": dict(out_dir=path)}
    for said, given in refusals.items():
        with pytest.raises(ValidationError) as e:
            run_sweep(path, "y", **{"grid": "hidden=2", **given})
        assert said in str(e.value) and "--" not in str(e.value), str(e.value)
    run = cmd("sweep", path, "--target", "y", "--grid", "hidden=2", "--weight", "w")       # the command's words
    assert run.returncode == 2 and "--weight column 'w' is 0 on every row" in run.stderr, run.stderr


def test_transform_and_encode_name_their_own_dtype(tmp_path):
    from chainrule.data.stream import CsvStream
    from chainrule.data.tabular import Preprocessing
    df = pd.DataFrame({"a": [1.0, 2, 3, 4], "y": [0, 1, 0, 1]})
    big = df.assign(a=[0, 1, 2, 1e300])
    with pytest.raises(ValidationError, match=r"scale the column, or transform with dtype='float64'$"):
        Preprocessing.fit(df, "y").transform(big, dtype=np.float32)
    assert Preprocessing.fit(df, "y").transform(big, dtype="float64")[3, 0] > 1e299         # as told
    path = tmp_path / "t.csv"
    big.to_csv(path, index=False)
    with CsvStream(path, rows=2) as stream:
        stream.fit("y", train=np.array([True, True, True, False]))      # the last row's value, unseen: far out
        with pytest.raises(ValidationError, match=r"scale the column, or encode with dtype='float64'$"):
            stream.encode(dtype=np.float32)
        assert stream.encode(dtype="float64")[0][3, 0] > 1                                     # as told
