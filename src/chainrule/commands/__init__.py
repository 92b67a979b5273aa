"""Subcommands of the `chainrule` command line; each module has `register(subparsers)`."""
