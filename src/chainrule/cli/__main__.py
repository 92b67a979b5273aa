"""`python -m chainrule.cli`: the same as the `chainrule` command."""
import sys

from . import main

sys.exit(main())
