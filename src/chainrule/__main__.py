"""`python -m chainrule`: the same as the `chainrule` command."""
from .cli import command

command()
