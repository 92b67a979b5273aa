"""`from chainrule.optim import Adam` as torch's, `from chainrule.callbacks import EarlyStopping` as Keras',
`from chainrule.datasets import ...` as scikit-learn's: each was a ModuleNotFoundError (cr.optim existed only as
the package root's lazy attribute). Run in a fresh interpreter: the import's order is what is tested."""
import subprocess
import sys

import pytest

CHECK = """
{first}
from chainrule.optim import Adam, StepLR
from chainrule.callbacks import EarlyStopping
from chainrule.datasets import load_fashion_mnist
import chainrule as cr, chainrule.optim, chainrule.training.optim as engine
assert cr.optim is engine and chainrule.optim is engine, (cr.optim, chainrule.optim)
assert cr.optim.Adam is Adam and cr.optim.StepLR is StepLR and cr.EarlyStopping is EarlyStopping
assert cr.datasets.load_fashion_mnist is load_fashion_mnist
assert engine.__spec__.name == "chainrule.training.optim"   # the engine's module keeps its own spec
import pickle
opt = pickle.loads(pickle.dumps(Adam(0.01)))
assert type(opt) is cr.optim.Adam and type(opt).__module__ == "chainrule.training.optim"
print("ok")
"""


@pytest.mark.parametrize("first", ["", "import chainrule as cr; cr.optim; cr.callbacks; cr.datasets"],
                         ids=["imported first", "after the lazy attributes"])
def test_the_api_modules_import_as_torch_keras_and_sklearn_users_write_them(first):
    done = subprocess.run([sys.executable, "-c", CHECK.format(first=first)], capture_output=True, text=True,
                          timeout=120)
    assert done.returncode == 0 and done.stdout.strip() == "ok", done.stderr
