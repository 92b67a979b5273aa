"""`from chainrule.datasets import ...`: the bundled data sets' readers, as `from sklearn.datasets import ...`.

`cr.datasets` is chainrule.data.datasets; this module hands that one over whole (one module under both names)."""
import sys

from .data import datasets as _module
from .data.datasets import *  # noqa: F403 (the names a type checker sees for `from chainrule.datasets import ...`)

sys.modules[__name__] = _module
