"""Every "missing optional part" message said `pip install 'chainrule[X]'`, which fails: chainrule is not on
PyPI, so pip finds no such package. Each now names the pip package(s) missing, with pyproject.toml's lower
bound, and the extra in passing (installed from the checkout). Each case below takes one module away
(sys.modules[name] = None: Python's ImportError for a module not installed) and checks the printed pip line
against pyproject.toml's extras and against the distribution that installs the module."""
import re
import sys
import tomllib
from importlib import metadata
from pathlib import Path

import pytest
from conftest import cmd

import chainrule as cr

ROOT = Path(__file__).resolve().parent.parent
EXTRAS = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["optional-dependencies"]
LINE = re.compile(r"pip install ((?:'[^']+' ?)+) \(the '(\w+)' extra: "
                  r"pip install '\.\[(\w+)\]' in chainrule's checkout\)")


def names(spec: str) -> set[str]:
    """The distributions `spec` installs by name: 'dask[distributed]>=2024.1' -> {'dask', 'distributed'}."""
    found = re.match(r"([A-Za-z0-9._-]+)(?:\[([\w,]+)\])?", spec)
    return {found.group(1).lower(), *(found.group(2) or "").lower().split(",")} - {""}


def installs(message: str, *modules: str) -> None:
    """The message's pip line installs each of `modules`, with the bounds of the extra it names."""
    found = LINE.search(message)
    assert found, message
    specs, extra, again = found.group(1).replace("'", "").split(), found.group(2), found.group(3)
    assert extra == again and "chainrule[" not in message
    assert set(specs) <= set(EXTRAS[extra]), (specs, EXTRAS[extra])
    providers = metadata.packages_distributions()       # module -> the distributions that install it
    for module in modules:
        assert {p.lower() for p in providers[module]} & set().union(*map(names, specs)), (module, specs)


def missing(monkeypatch, *modules):
    for module in modules:
        for loaded in [m for m in sys.modules if m == module or m.startswith(module + ".")]:
            monkeypatch.delitem(sys.modules, loaded)
        monkeypatch.setitem(sys.modules, module, None)


def error(r, code):
    assert r.returncode == code, (r.returncode, r.stdout, r.stderr)
    return r.stderr.strip().splitlines()[-1]


def test_a_csv_command_without_pandas_names_pandas(monkeypatch, tmp_path):
    (tmp_path / "d.csv").write_text("a,y\n1,0\n2,1\n3,0\n4,1\n")
    missing(monkeypatch, "pandas")
    line = error(cmd("train", tmp_path / "d.csv", "--target", "y", "--out", tmp_path / "m.npz"), 5)
    assert "this command needs pandas: pip install 'pandas>=" in line
    installs(line, "pandas")
    row = (ROOT / "docs" / "errors.md").read_text().split("| 5 | an optional part is not installed | `", 1)[1]
    assert line.endswith(row.split("`", 1)[0])          # docs/errors.md's exit-code 5 row: the real line


def test_compile_without_numba_or_scipy(monkeypatch):
    missing(monkeypatch, "numba")
    installs(error(cmd("compile"), 5), "numba")
    monkeypatch.undo()
    missing(monkeypatch, "scipy")
    line = error(cmd("compile"), 5)
    assert "this command needs SciPy, whose BLAS Numba's matrix products call: pip install 'scipy>=" in line
    installs(line, "scipy")


@pytest.mark.parametrize("module", ["starlette", "uvicorn"])
def test_explore_without_starlette_or_uvicorn_exits_5_as_every_missing_part(monkeypatch, module):
    """It exited 2 (a ValidationError: bad input) where docs/errors.md's exit code 5 says a part is missing."""
    missing(monkeypatch, module)
    line = error(cmd("explore", "--no-browser"), 5)
    assert line.startswith("chainrule: error: this command needs Starlette and uvicorn: pip install 'starlette>=")
    installs(line, "starlette", "uvicorn")


def test_demo_without_scikit_learn(monkeypatch):
    missing(monkeypatch, "sklearn")
    r = cmd("demo", "--no-example")
    assert r.returncode == 5 and "pip install" not in r.stdout, (r.returncode, r.stdout)
    installs(r.stderr, "sklearn")
    assert "the training demo needs scikit-learn: pip install 'scikit-learn>=" in r.stderr


def test_to_onnx_without_onnx(monkeypatch):
    missing(monkeypatch, "onnx")
    net = cr.Network([cr.Dense(2, 2, "sigmoid")], loss="mse", seed=0)
    with pytest.raises(ImportError) as raised:
        net.to_onnx()
    assert str(raised.value).startswith("ONNX export needs onnx: pip install 'onnx>=")
    installs(str(raised.value), "onnx")


def test_plots_without_matplotlib(monkeypatch):
    from chainrule.teach import plot
    missing(monkeypatch, "matplotlib")
    with pytest.raises(ImportError) as raised:
        plot._figure((2, 2), 50)
    assert str(raised.value).startswith("plots need matplotlib: pip install 'matplotlib>=")
    installs(str(raised.value), "matplotlib")


def test_a_sweep_on_a_scheduler_without_dask(monkeypatch):
    from chainrule.sweep_tasks import on_dask
    missing(monkeypatch, "distributed")
    with pytest.raises(ImportError) as raised:          # exit 5 on the command line, as every missing part
        on_dask(lambda client: None, "tcp://127.0.0.1:1")
    assert str(raised.value).startswith("--scheduler needs dask: pip install 'dask[distributed]>=")
    installs(str(raised.value), "distributed", "dask")


def test_train_mpi_without_mpi4py(monkeypatch):
    from chainrule.cli.train import mpi_world
    missing(monkeypatch, "mpi4py")
    with pytest.raises(ImportError) as raised:          # exit 5 on the command line, as every missing part
        mpi_world()
    assert str(raised.value).startswith("--mpi needs mpi4py and an MPI library: pip install 'mpi4py>=")
    installs(str(raised.value), "mpi4py")
    assert "'mpich>=" in str(raised.value)


def test_without_chainrules_metadata_the_line_names_the_package_alone(monkeypatch):
    from chainrule import extras

    def absent(name):
        raise metadata.PackageNotFoundError(name)
    monkeypatch.setattr(extras.metadata, "requires", absent)
    assert extras.missing("sklearn") == ("this command needs scikit-learn: pip install scikit-learn "
                                         "(the 'sklearn' extra: pip install '.[sklearn]' in chainrule's checkout)")


def test_no_docstring_tells_pip_install_chainrule_with_an_extra():
    """The explorer's docstrings still said `pip install 'chainrule[explore]'`, which fails (chainrule is not on
    PyPI); README says `pip install '.[explore]'` in the checkout. Only extras.py names the failing form, as such."""
    told = [f"{path.relative_to(ROOT)}: {line.strip()}" for path in sorted((ROOT / "src" / "chainrule").rglob("*.py"))
            for line in path.read_text(encoding="utf-8").splitlines()
            if re.search(r"chainrule\[\w", line) and "'chainrule[X]'` fails" not in line]
    assert told == []
    assert "`pip install '.[explore]'` in the checkout" in (ROOT / "README.md").read_text()
