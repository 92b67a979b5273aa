"""The pip line for an optional part that is missing. chainrule is not on PyPI, so
`pip install 'chainrule[X]'` fails: the line names the package(s) to install, with the lower
bounds of pyproject.toml's [project.optional-dependencies] as the installed chainrule's metadata
lists them (one source of truth), and the extra's name in passing, installed from the checkout."""
from __future__ import annotations

import re
from importlib import metadata

# module -> (pip package, extra), where the module is what Python imports
MODULES = {"pandas": ("pandas", "cli"), "tqdm": ("tqdm", "cli"), "matplotlib": ("matplotlib", "plot"),
           "sklearn": ("scikit-learn", "sklearn"), "numba": ("numba", "fast"), "scipy": ("scipy", "cli"),
           "threadpoolctl": ("threadpoolctl", "fast"), "onnx": ("onnx", "onnx"),
           "onnxruntime": ("onnxruntime", "onnx"), "dask": ("dask", "dask"), "distributed": ("dask", "dask"),
           "joblib": ("joblib", "dask"), "mpi4py": ("mpi4py", "mpi"), "starlette": ("starlette", "explore"),
           "uvicorn": ("uvicorn", "explore"), "anywidget": ("anywidget", "explore")}


def _name(requirement: str) -> str:
    match = re.match(r"[A-Za-z0-9._-]+", requirement)
    return (match.group(0) if match else requirement).lower().replace("_", "-")


def requirements(extra: str) -> list[str]:
    """The requirements of chainrule's `extra` ('pandas>=2.0', ...); [] where chainrule's metadata
    is not installed (run from a source tree alone)."""
    try:
        listed = metadata.requires("chainrule") or []
    except metadata.PackageNotFoundError:
        return []
    marker = re.compile(r"""extra\s*==\s*["']""" + re.escape(extra) + r"""["']""")
    return [r.split(";")[0].strip() for r in listed if ";" in r and marker.search(r.split(";", 1)[1])]


def install(packages: list[str], extra: str) -> str:
    """`pip install 'pandas>=2.0' (the 'cli' extra: ...)`: each package with its extra's bound."""
    listed = {_name(r): r for r in requirements(extra)}
    wanted = " ".join(f"'{listed[p]}'" if p in listed else p for p in packages)
    return f"pip install {wanted} (the '{extra}' extra: pip install '.[{extra}]' in chainrule's checkout)"


def missing(module: str, who: str = "this command needs") -> str:
    """"this command needs pandas: pip install ..." for a module of an extra (a key of MODULES)."""
    package, extra = MODULES[module.split(".")[0]]
    return f"{who} {package}: {install([package], extra)}"


def absent(exc: ImportError, *modules: str) -> bool:
    """Whether `exc` says one of `modules` itself is not installed, where the pip line is the advice: not a package
    there but broken (one of its own dependencies missing, or its compiled part), whose own error says what is wrong
    and which a `pip install` of the package would not mend. Import the package alone (`import matplotlib`, not
    `from matplotlib.figure import ...`) so that its name is the one a missing package gives."""
    return isinstance(exc, ModuleNotFoundError) and exc.name in modules
