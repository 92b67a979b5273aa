"""`from chainrule.optim import ...`: the optimizers and schedules, as `from torch.optim import Adam`.

`cr.optim` is chainrule.training.optim; this module hands that one over whole (one module under both names)."""
import sys

from .training import optim as _module
from .training.optim import *  # noqa: F403 (the names a type checker sees for `from chainrule.optim import ...`)

sys.modules[__name__] = _module
