"""`chainrule compile`: the kernels compiled ahead (a container image, a shared install), so that
the first long job loads them instead of running on NumPy while a background process compiles;
and that background process, which no job waits for."""
from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest
from test_cli_csv import error_line

from chainrule.backend import cachedir

# long enough that a job with CHAINRULE_NUMBA unset loads the kernels (its NumPy estimate: 20,000
# steps, over warmup.LOAD_SECONDS), 8 units wide (the general compiled loop, not a tiny version)
JOB = """
import numpy as np, chainrule as cr
from chainrule.backend import kernels, loops, warmup
X = np.random.default_rng(0).normal(size=(200, 4))
net = cr.Network([cr.Dense(4, 8, 'sigmoid'), cr.Dense(8, 3)], loss='mse', seed=0)
try:
    net.fit(X, X[:, :3].copy(), epochs=100, batch_size=1, optimizer=cr.optim.SGD(0.01), verbose=0)
    s = loops._train_jit.stats if loops._train_jit is not None else None     # None: never loaded
    hits, misses = (sum(s.cache_hits.values()), sum(s.cache_misses.values())) if s else (0, 0)
    print(kernels.numba is not None, hits, misses, warmup.compiling is not None)
finally:                        # the background compiling the job started: not left running beside the tests
    if warmup.compiling is not None:
        warmup.compiling.kill()
        warmup.compiling.wait()
"""


def run(args: list[str], **env: str) -> subprocess.CompletedProcess:
    environ = {k: v for k, v in os.environ.items() if k != "CHAINRULE_NUMBA"}
    return subprocess.run([sys.executable, *args], capture_output=True, text=True, timeout=600,
                          env={**environ, **env})


def shown_in_the_docs() -> list[tuple[str, str | None]]:
    """docs/scale.md's two `chainrule compile` commands and what it shows them print: run by the test
    below (the docs' test leaves that block to it, so that the kernels are compiled once, not twice)."""
    from test_docs import ROOT, blocks, commands
    block = next(b for b in blocks(ROOT / "docs" / "scale.md") if "chainrule compile" in b.code)
    assert block.skip and "test_compile_command.py" in block.skip
    return commands(block.code)


def shell(command: str, folder: Path) -> str:
    """A documented command, run as test_docs runs one: bash in `folder`, the venv's commands first."""
    from test_docs import env
    environ = {k: v for k, v in env().items() if k != "CHAINRULE_NUMBA"}
    r = subprocess.run(["bash", "-c", "set -eo pipefail\n" + command], cwd=folder, env=environ, text=True,
                       stdout=subprocess.PIPE, stderr=subprocess.STDOUT, timeout=600)
    assert r.returncode == 0, r.stdout[-3000:]
    return r.stdout


SCRIPT = """
import json, sys, time
import chainrule as cr
net, X, Y, lr = cr.examples.seed_network()
kind = sys.argv[1]
if kind == "tiny":
    from sklearn.datasets import load_digits
    Xd, yd = load_digits(return_X_y=True)
    net = cr.Network([cr.Dense(64, 32, "relu"), cr.Dense(32, 10, "softmax")], loss="categorical_crossentropy", seed=0)
    net.fit(Xd / 16.0, yd, epochs=3, verbose=0)
else:
    net.train_steps(X, Y, 30_000, optimizer=cr.optim.SGD(lr))
from chainrule.backend import loops
print(json.dumps({"numba": "numba" in sys.modules, "compiled": loops._train_jit is not None,
                  "loss": net.loss(X, Y) if kind != "tiny" else None}))
"""


def job(kind: str, cache: Path) -> dict:
    env = {k: v for k, v in os.environ.items() if k != "CHAINRULE_NUMBA"}
    env["NUMBA_CACHE_DIR"] = str(cache)
    out = subprocess.run([sys.executable, "-c", SCRIPT, kind], capture_output=True, text=True, env=env, timeout=300)
    assert out.returncode == 0, out.stderr
    return json.loads(out.stdout.strip().splitlines()[-1])


def test_compile_ahead_and_in_the_background_fill_caches_that_the_next_jobs_load(tmp_path):
    """Two caches filled side by side (a core each, as the two compiles take a minute or more): the
    documented `chainrule compile` into one, and into the other the process a job on an empty cache
    starts behind it. No job waits for compilation; the next long job finds the kernels."""
    from test_docs import CHECK, FLAGS, env
    (first, shows_first), (second, shows_second) = shown_in_the_docs()
    ahead, behind = tmp_path / "ahead", tmp_path / "behind"
    ahead.mkdir()
    behind.mkdir()
    environ = {k: v for k, v in env().items() if k != "CHAINRULE_NUMBA"}
    compiling = subprocess.Popen(["bash", "-c", "set -eo pipefail\n" + first], cwd=ahead, env=environ, text=True,
                                 stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    try:
        tiny = job("tiny", behind)                   # digits, 3 epochs: shorter on NumPy than loading Numba
        assert tiny == {"numba": False, "compiled": False, "loss": None}
        assert not list(behind.iterdir())            # ... and nothing started
        cold = job("long", behind)                   # 30,000 seed steps, cache empty: NumPy, compiling behind
        assert cold["numba"] is False and cold["compiled"] is False
        deadline = time.time() + 400
        folder = Path(cachedir.folder(str(behind)))  # Numba's subfolder for chainrule's backend
        while not list(folder.glob("chainrule-kernels-*.ready")) and time.time() < deadline:
            time.sleep(2)
        assert list(folder.glob("chainrule-kernels-*.ready")), "the background compilation wrote no marker"
        assert not (folder / "chainrule-kernels.compiling").exists()
        warm = job("long", behind)                   # the same job again: the cached kernels
        assert warm["numba"] is True and warm["compiled"] is True
        assert warm["loss"] == pytest.approx(cold["loss"], rel=1e-10)
        done, _ = compiling.communicate(timeout=600)
    finally:
        if compiling.poll() is None:
            compiling.kill()
            compiling.wait()
    # the documented commands (NUMBA_CACHE_DIR=numba-cache chainrule compile, twice) print what docs/scale.md shows
    assert compiling.returncode == 0, done
    assert shows_first and CHECK.check_output(shows_first, done, FLAGS), done
    assert done.startswith("compiled chainrule's kernels for float32 and float64 into numba-cache/")
    cache = str(ahead / "numba-cache")
    assert len(list(Path(cachedir.folder(cache)).glob("chainrule-kernels-*.ready"))) == 1
    loaded = run(["-c", JOB], NUMBA_CACHE_DIR=cache)
    assert loaded.returncode == 0, loaded.stderr
    # the kernels loaded, the loop read from the cache and not compiled, no background compiling started
    assert loaded.stdout.split() == ["True", "1", "0", "False"]
    again = shell(second, ahead)
    assert shows_second and CHECK.check_output(shows_second, again, FLAGS), again
    assert again.startswith("already compiled in numba-cache/")
    # for another processor (here Numba told to compile for a generic one) Numba's cache holds
    # nothing: the job runs on NumPy (loading would have compiled every kernel in it: 11 s)
    other = run(["-c", JOB], NUMBA_CACHE_DIR=cache, NUMBA_CPU_NAME="generic")
    assert other.returncode == 0, other.stderr
    assert other.stdout.split() == ["False", "0", "0", "True"]


def test_without_compile_the_first_job_runs_on_numpy(tmp_path):
    """What the command saves: with an empty cache the same job does not load the kernels."""
    job = run(["-c", JOB], NUMBA_CACHE_DIR=str(tmp_path))
    assert job.returncode == 0, job.stderr
    assert job.stdout.split() == ["False", "0", "0", "True"]        # NumPy, and the compiling started behind


def test_compile_says_what_stops_it(tmp_path):
    off = run(["-m", "chainrule.cli", "compile"], CHAINRULE_NUMBA="0", NUMBA_CACHE_DIR=str(tmp_path))
    assert "CHAINRULE_NUMBA=0 turns the compiled kernels off" in error_line(off)
    no_numba = run(["-c", "import sys; sys.modules['numba'] = None\n"
                          "from chainrule.cli import main; sys.exit(main(['compile']))"])
    assert ("this command needs numba: pip install 'numba>=0.60' (the 'fast' extra: pip install '.[fast]'"
            in error_line(no_numba, code=5))


def test_a_compiled_cache_this_process_cannot_write_is_not_loaded(tmp_path, monkeypatch):
    """Numba loads only from a cache folder it can write. Compiled kernels in one this process
    cannot write (a container image built as root and run as another user, a shared install)
    were loaded, which compiled them all again inside the job: 12.5 s on a read-only mount of a
    compiled cache, for a job of 0.7 s on NumPy. The job now runs on NumPy, with one warning."""
    from chainrule.backend import kernels, warmup
    monkeypatch.setenv("NUMBA_CACHE_DIR", str(tmp_path))
    Path(warmup.marker()).parent.mkdir(parents=True, exist_ok=True)
    Path(warmup.marker()).write_text("compiled\n")
    monkeypatch.setattr(kernels, "ENABLED", "auto")
    monkeypatch.setattr(kernels, "numba", None)                 # not loaded yet in this "process"
    monkeypatch.setattr(cachedir, "writable", lambda quiet=False: False)
    monkeypatch.setattr(warmup, "_next_look", 0.0)
    monkeypatch.setattr(warmup, "_timer", None)
    monkeypatch.setattr(warmup, "_warned_cache", False)
    with pytest.warns(RuntimeWarning, match="cannot be used: Numba reads only a cache folder it can write"):
        assert warmup.prepare(60.0) is False
    assert kernels.numba is None and warmup._timer is None


def test_the_ready_marker_names_the_processor(monkeypatch):
    """Numba's cache is per processor: a marker written by a compile for another one (an image
    built elsewhere, a cache shared between machines) must not say the kernels are ready here."""
    from chainrule.backend import warmup
    for name in ("NUMBA_CPU_NAME", "NUMBA_CPU_FEATURES", "NUMBA_ENABLE_AVX"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setattr(warmup, "_source_keys", {})
    here = warmup.marker()
    monkeypatch.setattr(warmup, "_source_keys", {})
    monkeypatch.setenv("NUMBA_CPU_NAME", "generic")
    assert warmup.marker() != here
    monkeypatch.delenv("NUMBA_CPU_NAME")
    monkeypatch.setattr(warmup, "_source_keys", {})
    monkeypatch.setattr(warmup, "cpu", lambda: "another processor")
    assert warmup.marker() != here


def test_a_generic_processor_is_the_same_on_every_machine(monkeypatch):
    """NUMBA_CPU_NAME=generic (Numba's code for any processor of the architecture, no features):
    one cache, and one marker, serve every machine."""
    from chainrule.backend import warmup
    monkeypatch.delenv("NUMBA_CPU_FEATURES", raising=False)
    monkeypatch.delenv("NUMBA_ENABLE_AVX", raising=False)
    monkeypatch.setenv("NUMBA_CPU_NAME", "generic")
    assert warmup.cpu() == "generic||"
    monkeypatch.setenv("NUMBA_CPU_FEATURES", "+avx2")
    assert warmup.cpu() == "generic|+avx2|"


def test_the_processor_is_llvms_as_numba_sees_it(monkeypatch):
    """The host's CPU name and features as Numba's codegen reads them (its cache's key)."""
    from numba.core.codegen import JITCPUCodegen

    from chainrule.backend import warmup
    for name in ("NUMBA_CPU_NAME", "NUMBA_CPU_FEATURES", "NUMBA_ENABLE_AVX"):
        monkeypatch.delenv(name, raising=False)
    codegen = JITCPUCodegen("probe")
    _, cpu_name, features = codegen.magic_tuple()
    assert warmup.cpu() == f"{cpu_name}|{features}|"


def test_the_cache_folder_is_numbas_own_subfolder(tmp_path, monkeypatch):
    """Under NUMBA_CACHE_DIR Numba keeps the kernels in a subfolder named after the install's path:
    that is the folder whose writability decides (a NUMBA_CACHE_DIR writable at its top, with the
    subfolder left by another user's `chainrule compile`, was taken as usable), and where the
    markers go (installs at other paths sharing NUMBA_CACHE_DIR said each other's kernels were
    ready). One that cannot be written passes to Numba's next choice, __pycache__ beside the package."""
    from numba.core.caching import _CacheLocator

    from chainrule.backend import kernels
    monkeypatch.setenv("NUMBA_CACHE_DIR", str(tmp_path))
    sub = Path(cachedir.folder())
    assert sub == tmp_path / _CacheLocator.get_suitable_cache_subpath(kernels.__file__)
    sub.rmdir()
    sub.write_text("")                                 # Numba cannot make its folder there
    monkeypatch.setattr(cachedir, "_said_passed_over", False)
    with pytest.warns(RuntimeWarning, match="cannot be written by this user; Numba caches the kernels in"):
        assert cachedir.folder() == os.path.join(os.path.dirname(kernels.__file__), "__pycache__")


def test_a_read_only_install_caches_in_the_users_folder(tmp_path, monkeypatch):
    """Where neither NUMBA_CACHE_DIR nor __pycache__ beside the package can be written (a shared
    install on a lab machine), Numba caches in the user's cache folder, and so the kernels and
    their markers go there: before, such an install never used the kernels with CHAINRULE_NUMBA
    unset, and compiled them in every process with CHAINRULE_NUMBA=1."""
    from numba.core.caching import UserWideCacheLocator
    from numba.misc.appdirs import AppDirs

    from chainrule.backend import kernels
    monkeypatch.delenv("NUMBA_CACHE_DIR", raising=False)
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    in_tree = os.path.join(os.path.dirname(kernels.__file__), "__pycache__")
    usable = cachedir.usable
    monkeypatch.setattr(cachedir, "usable", lambda path: path != in_tree and usable(path))
    numbas = os.path.join(AppDirs(appname="numba", appauthor=False).user_cache_dir,
                          UserWideCacheLocator.get_suitable_cache_subpath(kernels.__file__))
    assert cachedir.folder() == numbas and numbas.startswith(str(tmp_path))
    assert cachedir.writable(quiet=True)


@pytest.mark.parametrize("where", ["given", "blocked", "unset"])
def test_the_cache_folder_is_where_numba_caches_the_kernels(tmp_path, where):
    """`cachedir.folder` against the folder Numba's dispatchers use, in a process with the kernels loaded."""
    blocked = tmp_path / "a-file"
    blocked.write_text("")
    env = {"given": {"NUMBA_CACHE_DIR": str(tmp_path / "cache")}, "blocked": {"NUMBA_CACHE_DIR": str(blocked / "x")},
           "unset": {}}[where]
    environ = {k: v for k, v in os.environ.items() if k != "NUMBA_CACHE_DIR"}
    out = subprocess.run([sys.executable, "-c", "from chainrule.backend import cachedir, kernels\n"
                          "assert kernels.load()\n"
                          "print(kernels._adam_jit._cache._cache_path == cachedir.folder(), kernels.CACHE)"],
                         capture_output=True, text=True, timeout=300, env={**environ, **env, "CHAINRULE_NUMBA": "1"})
    assert out.returncode == 0, out.stderr
    assert out.stdout.split() == ["True", "True"]
    # Numba passes over a NUMBA_CACHE_DIR it cannot write without a word; chainrule says it, once
    said = out.stderr.count(f"NUMBA_CACHE_DIR {blocked / 'x'} cannot be written by this user; Numba caches the "
                            "kernels in ")
    assert said == (1 if where == "blocked" else 0), out.stderr


def test_force_removes_chainrules_entries_and_compiles_again(tmp_path, monkeypatch, capsys):
    """--force: Numba would load the entries it still finds valid, so they are removed first;
    only chainrule's (the compiled modules' entries, the markers), nothing else in the folder."""
    from chainrule.backend import warmup
    from chainrule.cli import main
    monkeypatch.setenv("NUMBA_CACHE_DIR", str(tmp_path))
    folder = Path(cachedir.folder())                  # made by cachedir.folder's test of it
    ours = ["kernels._adam-115.py311.nbi", "kernels._adam-115.py311.1.nbc", "loops._train-87.py311.nbi",
            "tiny._train_tiny-40.py311.nbi", "csr._matmul-25.py311.nbi", "units._flush-9.py311.nbc",
            "chainrule-kernels-0123456789abcdef.ready", "chainrule-tiny-0123456789abcdef-d-2.2.2.ready"]
    theirs = ["mymodule.f-1.py311.nbi", "kernels.cpython-311.pyc", "notes.txt"]
    for name in ours + theirs:
        (folder / name).write_text("")
    compiled = []
    monkeypatch.setattr(warmup, "compile_all", lambda: compiled.append(sorted(p.name for p in folder.iterdir())))
    monkeypatch.setattr(warmup, "ready", lambda: True)
    assert main(["compile"]) == 0 and compiled == []                    # ready: nothing done
    assert main(["compile", "--force"]) == 0
    assert compiled == [sorted(theirs + ["chainrule-kernels.compiling"])]    # its lock held while it compiles
    assert not (folder / "chainrule-kernels.compiling").exists()
    assert "compiled chainrule's kernels" in capsys.readouterr().out


def test_compile_says_when_no_cache_folder_can_be_written(tmp_path, monkeypatch, capsys):
    """NUMBA_CACHE_DIR, __pycache__ beside the package and the user's cache folder all read-only
    (simulated: this runs as root in CI): exit 2, naming the folder and what to set."""
    from chainrule.cli import main
    monkeypatch.setattr(cachedir, "usable", lambda path: False)
    monkeypatch.setenv("NUMBA_CACHE_DIR", str(tmp_path / "cache"))
    assert main(["compile"]) == 2
    line = capsys.readouterr().err.strip().splitlines()[-1]
    assert line.startswith(f"chainrule: error: cannot write Numba's cache folder '{tmp_path / 'cache'}")
    assert "set NUMBA_CACHE_DIR to a folder this user can write" in line


def test_without_scipy_the_kernels_are_not_used_and_compile_says_why(tmp_path):
    """Numba's np.dot calls SciPy's BLAS, and `[fast]` did not install SciPy: with Numba alone, a
    fit with CHAINRULE_NUMBA=1 crashed inside Numba ("scipy 0.16+ is required for linear
    algebra"), and with it unset the background compiling failed at every first job. Now `[fast]`
    installs SciPy, and without it the kernels count as not installed: a job trains on NumPy, and one with
    CHAINRULE_NUMBA=1 (always the kernels) is refused, naming SciPy."""
    block = "import sys; sys.modules['scipy'] = None      # SciPy not installed\n"
    job = run(["-c", block + JOB], NUMBA_CACHE_DIR=str(tmp_path))
    assert job.returncode == 0, job.stderr
    assert job.stdout.split() == ["False", "0", "0", "False"]            # NumPy, nothing compiling
    job = run(["-c", block + JOB], NUMBA_CACHE_DIR=str(tmp_path), CHAINRULE_NUMBA="1")
    assert job.returncode == 1 and job.stderr.splitlines()[-1] == (
        "ModuleNotFoundError: CHAINRULE_NUMBA=1 asks for the compiled kernels, which need scipy: install it, or "
        "unset CHAINRULE_NUMBA to train on NumPy"), job.stderr
    compile_ = run(["-c", block + "from chainrule.cli import main; sys.exit(main(['compile']))"],
                   NUMBA_CACHE_DIR=str(tmp_path))
    assert "this command needs SciPy, whose BLAS Numba's matrix products call: pip install 'scipy>=1.10'" in \
        error_line(compile_, code=5)
