"""A package installed but broken (one of its own dependencies missing, simulated by a None entry in sys.modules)
was told to be installed: "plots need matplotlib: pip install matplotlib" where matplotlib is there and kiwisolver is
not. Only the package itself missing gives the pip line; a broken one shows its own error, naming what is missing."""
import subprocess
import sys

import pytest

NET = "import chainrule as cr\nnet = cr.examples.seed_network()[0]\n"
#: what needs the optional package: (its package, a module of Python's to None for a broken install of it, the code)
USES = {
    "plot": ("matplotlib", "kiwisolver", NET + "cr.plot.network_diagram(net, 'n.png')"),
    "onnx": ("onnx", "google.protobuf", NET + "cr.to_onnx(net, 'n.onnx')"),
    "sweep": ("distributed", "tornado", "from chainrule.sweep_tasks import check_scheduler\n"
                                        "check_scheduler('tcp://127.0.0.1:8786')"),
    "explore": ("uvicorn", "click", "from chainrule.cli import main\nsys.exit(main(['explore', '--no-browser']))"),
    "demo": ("sklearn", "scipy", "from chainrule.cli import main\nsys.exit(main(['demo', '--epochs', '1']))"),
    "stream": ("pandas", "pandas.core", "open('a.csv', 'w').write('x,y\\n1,0\\n')\n"
                                        "from chainrule.data.stream import CsvStream\nCsvStream('a.csv')"),
}


def run(blocked, code, cwd):
    script = f"import sys\nsys.modules[{blocked!r}] = None\n{code}"
    return subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=120, cwd=cwd)


def last_words(blocked, code, cwd):
    """The last line the use says on stderr with `blocked` missing; it must have failed."""
    done = run(blocked, code, cwd)
    assert done.returncode != 0, done.stdout
    return done.stderr.strip().splitlines()[-1]


@pytest.mark.parametrize("use", sorted(USES))
def test_a_broken_package_shows_its_own_error_not_the_pip_line_for_it(use, tmp_path):
    package, dependency, code = USES[use]
    said = last_words(dependency, code, tmp_path)
    assert dependency.split(".")[-1] in said, said
    assert f"pip install {package}" not in said and f"pip install '{package}" not in said, said
    assert "scikit-learn" not in said and "dask" not in said, said           # the pip names of sklearn, distributed


@pytest.mark.parametrize("use", sorted(USES))
def test_the_package_itself_missing_still_gives_the_pip_line(use, tmp_path):
    package, _, code = USES[use]
    said = last_words(package, code, tmp_path)
    assert "pip install" in said and "extra" in said, said


def test_a_broken_scipy_under_compile_says_scipys_error(tmp_path):
    """SciPy's compiled part missing: SciPy's own "seems to be broken ... reinstalling", not `pip install scipy`."""
    pytest.importorskip("numba")
    done = run("scipy._lib._ccallback_c", "from chainrule.cli import main\nsys.exit(main(['compile']))", tmp_path)
    assert done.returncode == 5, done.stderr
    assert "broken" in done.stderr and "pip install" not in done.stderr, done.stderr
