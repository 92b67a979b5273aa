"""`python -m chainrule.cli`: the same as the `chainrule` command."""
from . import command

command()
