"""`from chainrule.callbacks import ...`: the callbacks, as `from keras.callbacks import EarlyStopping`.

`cr.callbacks` is chainrule.training.callbacks; this module hands that one over whole (one module under both names)."""
import sys

from .training import callbacks as _module
from .training.callbacks import *  # noqa: F403 (the names a type checker sees for `from chainrule.callbacks import ...`)

sys.modules[__name__] = _module
