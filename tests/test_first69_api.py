"""The Python API's first minutes for a user of PyTorch, Keras or scikit-learn: a name they reach for at the top
(cr.Adam, cr.BackpropClassifier) says where it is, cr.sklearn needs no import line of its own, a missing
scikit-learn names its pip package (not `sklearn`), `from chainrule.datasets import *` gives the readers alone, and
load_fashion_mnist answers scikit-learn's return_X_y."""
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
import sklearn.datasets
from test_datasets import folder, write_idx  # noqa: F401 (folder: the fixture of small IDX files)

import chainrule as cr
from chainrule.errors import ChainruleTypeError


def run(code):
    return subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)


@pytest.mark.parametrize("name, home", [("Adam", "chainrule.optim"), ("SGD", "chainrule.optim"),
                                        ("BackupAndRestore", "chainrule.callbacks"),
                                        ("ValidationError", "chainrule.errors"), ("xor", "chainrule.examples"),
                                        ("load_fashion_mnist", "chainrule.datasets"),
                                        ("BackpropClassifier", "chainrule.sklearn")])
def test_a_name_of_a_submodule_says_where_it_is(name, home):
    """torch.optim.Adam's user tries cr.Adam: the error names chainrule.optim.Adam and an import line that works."""
    with pytest.raises(AttributeError, match=rf"has no attribute '{name}': it is {home}\.{name} \(from (\S+) import"
                       ) as info:
        getattr(cr, name)
    line = str(info.value).split("(", 1)[1].rstrip(")")
    space: dict = {}
    exec(line, space)                  # the import line given runs as written and gives the name asked for
    module, attribute = home.rsplit(".", 1)
    assert space[name] is getattr(getattr(cr, attribute), name)


def test_a_typo_keeps_pythons_suggestion_and_an_unknown_name_its_plain_message():
    with pytest.raises(AttributeError) as info:
        cr.Netwrok  # noqa: B018 (the attribute read is the test)
    assert str(info.value) == "module 'chainrule' has no attribute 'Netwrok'"
    assert not hasattr(cr, "no_such_name_at_all")
    done = run("import chainrule as cr\ncr.Netwrok")       # Python's own printing adds the suggestion
    assert done.stderr.strip().splitlines()[-1].endswith("has no attribute 'Netwrok'. Did you mean: 'Network'?")


def test_the_estimators_named_are_chainrule_sklearns():
    import chainrule.sklearn
    assert tuple(chainrule.sklearn.__all__) == cr._SKLEARN


def test_cr_sklearn_needs_no_import_line_of_its_own():
    """cr.datasets works after `import chainrule as cr` alone; cr.sklearn, the estimators' package, did not."""
    done = run("import chainrule as cr\nfrom sklearn.neural_network import MLPClassifier\n"
               "print(cr.sklearn.BackpropClassifier.__name__, cr.sklearn.BackpropClassifier.fit.__module__)")
    assert done.returncode == 0, done.stderr
    assert done.stdout.split() == ["BackpropClassifier", "chainrule.sklearn.estimators"]


def test_scikit_learn_missing_names_its_pip_package():
    """Without scikit-learn, `import chainrule.sklearn` said "No module named 'sklearn'": `pip install sklearn` is the
    name that does not install it."""
    done = run("import sys\nsys.modules['sklearn'] = None\nimport chainrule.sklearn")
    assert done.returncode == 1
    last = done.stderr.strip().splitlines()[-1]
    assert last.startswith("ModuleNotFoundError: chainrule.sklearn needs scikit-learn: pip install 'scikit-learn"), last
    assert "'.[sklearn]'" in last


def test_star_import_of_datasets_gives_its_readers_alone():
    space: dict = {}
    exec("from chainrule.datasets import *", space)
    given = {k for k in space if not k.startswith("__")}
    assert given == {"load_fashion_mnist", "read_idx", "CLASSES", "Bunch"}      # not np, os, gzip, Path, Any
    assert set(cr.datasets.__all__) == given


def test_return_X_y_as_scikit_learns(folder):  # noqa: F811
    X, y = cr.datasets.load_fashion_mnist(folder)
    X2, y2 = cr.datasets.load_fashion_mnist(folder, return_X_y=True)
    np.testing.assert_array_equal(X, X2)
    np.testing.assert_array_equal(y, y2)
    bunch = cr.datasets.load_fashion_mnist(folder, kind="test", return_X_y=False)
    digits = sklearn.datasets.load_digits()
    assert {"data", "target", "target_names", "DESCR"} <= set(bunch) <= set(digits)
    Xt, yt = cr.datasets.load_fashion_mnist(folder, kind="test")
    np.testing.assert_array_equal(bunch.data, Xt)
    np.testing.assert_array_equal(bunch["target"], yt)
    assert list(bunch.target_names) == list(cr.datasets.CLASSES) and len(bunch.target_names) == 10
    with pytest.raises(AttributeError, match="has no 'images'; it has data, target"):
        bunch.images  # noqa: B018 (the attribute read is the test)


def test_return_X_y_must_be_a_flag(folder):  # noqa: F811
    with pytest.raises(ChainruleTypeError, match="return_X_y must be True or False; got 'no'"):
        cr.datasets.load_fashion_mnist(folder, return_X_y="no")


def public_docstring_tests():
    import doctest
    import inspect

    import chainrule.sklearn
    finder = doctest.DocTestFinder(recurse=False)
    objects = {"chainrule": cr, "chainrule.sklearn": chainrule.sklearn,
               **{name: getattr(cr, name) for name in cr.__all__ if name != "__version__"},
               # the methods a user calls first: Network's own (summary, save) and those it inherits (fit, predict)
               **{f"Network.{name}": value for klass in cr.Network.__mro__ for name, value in vars(klass).items()
                  if not name.startswith("_") and inspect.isfunction(value)}}
    return [test for name, obj in objects.items() for test in finder.find(obj, name, module=inspect.getmodule(obj))
            if test.examples]


@pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")   # chainrule.sklearn's 200 epochs
def test_the_public_names_examples_print_what_they_show():
    """help(chainrule) showed no example; the examples of cr.Network, cr.Dense, cr.explain... run as shown."""
    import doctest

    from chainrule.nn import activations, losses
    from chainrule.nn.layer import LAYERS
    tests = public_docstring_tests()
    assert "chainrule" in {t.name for t in tests}
    runner = doctest.DocTestRunner(optionflags=doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE)
    registries = [activations.ACTIVATIONS, losses.LOSSES, LAYERS]
    before = [dict(r) for r in registries]
    try:
        for test in tests:
            runner.run(test)
    finally:        # the register_* examples register their names: not for the rest of the run (its lists of names)
        for registry, kept in zip(registries, before):
            registry.clear()
            registry.update(kept)
    assert runner.summarize(verbose=False).failed == 0


@pytest.mark.parametrize("kind", [["train"], {"test"}, "Train"])
def test_kind_refused_by_name(folder, kind):  # noqa: F811
    """kind=["train"] failed deep inside with "unhashable type: 'list'"; every refusal names the function."""
    with pytest.raises(cr.errors.ValidationError, match=r"load_fashion_mnist: kind must be 'train' or 'test'; got "):
        cr.datasets.load_fashion_mnist(folder, kind=kind)


def test_scikit_learn_missing_is_still_a_module_not_found_error():
    """`except ModuleNotFoundError` around `import chainrule.sklearn` caught Python's error; the pip line kept it."""
    done = run("import sys\nsys.modules['sklearn'] = None\ntry:\n    import chainrule.sklearn\n"
               "except ModuleNotFoundError as exc:\n    print(exc.name)")
    assert done.returncode == 0, done.stderr
    assert done.stdout.split() == ["sklearn"]


def test_a_broken_scikit_learn_says_its_own_error_not_to_install_it():
    """scikit-learn installed but a dependency of it missing (scipy): the pip line for scikit-learn was wrong advice."""
    done = run("import sys\nsys.modules['scipy'] = None\nimport chainrule.sklearn")
    assert done.returncode == 1
    last = done.stderr.strip().splitlines()[-1]
    assert "scipy" in last and "pip install" not in last, last


def test_a_bunch_attribute_set_is_its_key_as_scikit_learns(folder):  # noqa: F811
    from sklearn.utils import Bunch
    ours = cr.datasets.load_fashion_mnist(folder, return_X_y=False)
    theirs = Bunch(**ours)
    for bunch in (ours, theirs):
        bunch.target = bunch.target[:3]
        bunch.extra = 1
    assert list(ours["target"]) == list(theirs["target"]) and len(ours["target"]) == 3
    assert ours["extra"] == theirs["extra"] == 1 and set(ours) == set(theirs)


def test_return_X_y_types_every_call_the_function_takes(tmp_path, monkeypatch):
    """A type checker refused return_X_y given a bool variable, or False by position: calls the function runs."""
    api = pytest.importorskip("mypy.api")
    monkeypatch.chdir(tmp_path)                # no configuration of the checkout's: mypy's defaults, as a user's
    monkeypatch.setenv("MYPYPATH", str(Path(cr.__file__).parents[1]))        # the chainrule under test
    (tmp_path / "calls.py").write_text(
        "import chainrule as cr\nflag = bool(len('x'))\n"
        "bunch = cr.datasets.load_fashion_mnist(None, 'train', True, 'float32', False)\n"
        "reveal_type(bunch)\n"
        "either = cr.datasets.load_fashion_mnist(return_X_y=flag)\n"
        "X, y = cr.datasets.load_fashion_mnist()\n")
    out, err, status = api.run([str(tmp_path / "calls.py"), "--cache-dir", str(tmp_path / "cache"),
                                "--follow-imports=silent", "--no-error-summary"])
    assert status == 0, out + err
    assert 'Revealed type is "chainrule.data.datasets.Bunch"' in out


def test_the_guides_signature_of_load_fashion_mnist_is_the_functions():
    """docs/guide.md wrote load_fashion_mnist's signature without return_X_y: every parameter, with its default."""
    import inspect
    import re
    guide = (Path(__file__).parents[1] / "docs" / "guide.md").read_text()
    written = re.search(r"`cr\.datasets\.load_fashion_mnist\(([^`]*)\)`", guide)
    assert written, "docs/guide.md no longer writes load_fashion_mnist's signature"
    real = [f"{p.name}={p.default!r}".replace("'", '"')
            for p in inspect.signature(cr.datasets.load_fashion_mnist).parameters.values()]
    assert [part.strip() for part in written.group(1).split(",")] == real


@pytest.mark.parametrize("name, home", [("StepLR", "chainrule.optim"), ("CosineAnnealingLR", "chainrule.optim"),
                                        ("Optimizer", "chainrule.optim"), ("ModelFileError", "chainrule.errors")])
def test_a_schedule_at_the_top_says_where_it_is_as_the_optimizers(name, home):
    """torch.optim.lr_scheduler.StepLR's user tries cr.StepLR: it is chainrule.optim's, as Adam, and said so."""
    with pytest.raises(AttributeError, match=rf"it is {home}\.{name} \(from {home} import {name}\)"):
        getattr(cr, name)
    assert getattr(getattr(cr, home.rsplit(".", 1)[1]), name) is not None


@pytest.mark.parametrize("name", ["label", "plural", "refusal", "counted", "E"])
def test_the_wording_helpers_of_errors_are_not_offered_as_api(name):
    """cr.label pointed at chainrule.errors.label, a helper that words messages, as if it were what was meant."""
    with pytest.raises(AttributeError) as info:
        getattr(cr, name)
    assert str(info.value) == f"module 'chainrule' has no attribute {name!r}"


def test_every_name_said_to_live_in_a_submodule_imports_as_said():
    """The table of homes against each module's own names: every one the message gives imports by its line."""
    import importlib
    said = 0
    for module_name, _, _ in cr._HOMES:
        for name in set(getattr(importlib.import_module(module_name), "__all__", [])) - set(cr.__all__):
            with pytest.raises(AttributeError) as info:
                getattr(cr, name)
            space: dict = {}
            exec(str(info.value).split("(", 1)[1].rstrip(")"), space)
            assert space[name] is getattr(importlib.import_module(module_name), name), name
            said += 1
    assert said > 20
