"""The explorer read by a teacher preparing a class and a student at home. A second `chainrule explore` on the port
of a first said only "Address already in use": it now says what may hold the port and which option picks another.
"""
import socket

from conftest import cmd


def test_a_busy_port_names_the_option_that_picks_another():
    with socket.socket() as holder:                       # another program, say the first `chainrule explore`
        holder.bind(("127.0.0.1", 0))
        holder.listen(1)
        port = holder.getsockname()[1]
        done = cmd("explore", "--no-browser", "--port", port)
    assert done.returncode != 0 and done.stdout == ""       # nothing served, no URL printed
    said = done.stderr
    assert f"cannot listen on 127.0.0.1:{port}" in said, said
    assert "another `chainrule explore`" in said and "--port 0 for any free one" in said, said
