"""The two handlers SIGINT and SIGTERM put back one after the other (saving/runlock._signals_held, the lock's few
system calls; backend/signals.ignored, the line of a first Ctrl-C): signal.signal first runs the handlers of the
signals come, so a Ctrl-C just after SIGINT's handler was back raised before SIGTERM's was, and SIGTERM stayed
only noted (or ignored) for good: every later SIGTERM of the process (a kill, a batch system's time limit) lost."""
import subprocess
import sys

import pytest
from conftest import as_in_a_terminal

#: a Ctrl-C right after SIGINT's handler is put back: sent to this thread (`signal`), or one whose handler runs here
#: though another thread received it (`raised`); the script says whether it interrupted and SIGTERM's handler after
CUT = """
import signal, sys
from chainrule.backend import signals
from chainrule.saving import runlock

def term(signum, frame):
    pass

signal.signal(signal.SIGTERM, term)
real = signal.signal

def hooked(sig, handler):
    before = real(sig, handler)
    if sig == signal.SIGINT and handler is signal.default_int_handler:       # SIGINT's handler back
        if sys.argv[2] == "signal":
            signal.raise_signal(signal.SIGINT)
        else:
            raise KeyboardInterrupt
    return before

held = runlock._signals_held if sys.argv[1] == "held" else signals.ignored
signal.signal = hooked
try:
    with held():
        pass
    for _ in range(1000):           # a blocked Ctrl-C is handled once unblocked
        pass
    print("went on")
except KeyboardInterrupt:
    print("interrupted")
signal.signal = real
print("SIGTERM", "restored" if signal.getsignal(signal.SIGTERM) is term else signal.getsignal(signal.SIGTERM))
"""


@pytest.mark.parametrize("how", ["signal", "raised"])
@pytest.mark.parametrize("held", ["held", "ignored"])
def test_a_ctrl_c_as_the_handlers_are_put_back_leaves_none_changed(held, how):
    r = subprocess.run([sys.executable, "-c", CUT, held, how], capture_output=True, text=True, timeout=60,
                       check=False, preexec_fn=as_in_a_terminal)
    assert r.stdout.splitlines() == ["interrupted", "SIGTERM restored"], (r.stdout, r.stderr)
