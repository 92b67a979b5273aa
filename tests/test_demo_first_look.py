"""`chainrule demo` as a new user meets it: what it says, and with what exit status, where a part it
needs is not installed (the exit codes of `chainrule --help`)."""
import subprocess
import sys

from chainrule.cli import EXIT_CODES


def test_demo_without_scikit_learn_exits_5_naming_the_package_on_stderr():
    """It printed the pip line on stdout and exited 1, which `chainrule --help` calls a bug in chainrule; then it
    printed the whole worked example (a page of numbers) before refusing: a tool that cannot do its work says so
    before starting it."""
    script = ("import sys; sys.modules['sklearn'] = None\n"      # as where scikit-learn is not installed
              "from chainrule.cli import main\n"
              "sys.exit(main(['demo', '--epochs', '1']))")
    r = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=120)
    assert r.returncode == 5 and "optional part" in EXIT_CODES[5], (r.returncode, r.stdout, r.stderr)
    assert r.stderr.startswith("chainrule: error:") and "scikit-learn" in r.stderr and "pip install" in r.stderr
    assert r.stdout == "", r.stdout[:300]


def test_demo_trains_scikit_learn_for_as_many_epochs_as_chainrule(monkeypatch):
    """The demo says MLPClassifier ran the same epochs; its default early stop (no loss improvement of
    1e-4 in 10 epochs) ended it sooner on a long run (173 of 200 on digits), timing less work."""
    import numpy as np
    import sklearn.datasets
    import sklearn.neural_network
    from conftest import cmd
    from sklearn.neural_network import MLPClassifier
    fitted = []

    class Recorded(MLPClassifier):
        def fit(self, X, y):
            fitted.append(super().fit(X, y))
            return self
    # images of zeros: the loss flattens within 60 epochs, where the default early stop ends a fit
    monkeypatch.setattr(sklearn.datasets, "load_digits", lambda return_X_y: (np.zeros((200, 64)), np.arange(200) % 10))
    monkeypatch.setattr(sklearn.neural_network, "MLPClassifier", Recorded)
    r = cmd("demo", "--no-example", "--epochs", "100")
    assert r.returncode == 0 and "same layers, batch and epochs" in r.stdout, r.stderr
    assert [clf.n_iter_ for clf in fitted] == [100]


def test_the_as_published_figures_are_written_as_the_seed_writes_them():
    """`chainrule example --as-published` wrote '3.51085481225e-05, which reproduces the seed's 0.0000351085':
    a reader compares the digits with the seed's, so both are written in positional notation."""
    import re

    from conftest import cmd
    r = cmd("example", "--as-published", "--width", "0")
    found = re.findall(r"as published: (\S+), which reproduces the seed's (\S+)\.", r.stdout)
    assert r.returncode == 0 and len(found) == 3, r.stdout[-2000:]
    for published, seed in found:
        assert re.fullmatch(r"-?\d+\.\d+", published), published
        decimals = len(seed.split(".")[1])
        assert len(published.split(".")[1]) > decimals and round(float(published), decimals) == float(seed)
