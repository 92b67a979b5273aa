"""benchmarks/README.md against the Makefile and the scripts: a reader finds every benchmark, the
command that runs it and the file its results go to. The README named only some of the scripts
`make bench` runs (tabular.py, mpi.py, memmap.py: none), and sent contention.py's results to a file
the command it gave never writes (without --out it only prints)."""
import re
from pathlib import Path

ROOT = Path(__file__).parents[1]
BENCH = ROOT / "benchmarks"
README = (BENCH / "README.md").read_text()


def table() -> dict[str, tuple[str, str]]:
    """The README's table of runnable scripts: script -> (how to run it, where its results go)."""
    rows = re.findall(r"^\| `(\w+\.py)` \| (.*?) \| (.*?) \| .*\|$", README, re.M)
    return {script: (how, results) for script, how, results in rows}


def made() -> dict[str, str]:
    """What `make bench` runs, as the Makefile writes it: script -> the results file it ends in."""
    recipe = (ROOT / "Makefile").read_text().split("\nbench:", 1)[1].split("\n\n", 1)[0]
    pairs = dict(re.findall(r"\$\(call results,(\w+\.py)[^,]*,benchmarks/([\w.-]+)\)", recipe))
    assert "$(BENCH) benchmarks/run.py" in recipe      # run.py writes RESULTS.md itself
    return {"run.py": "RESULTS.md", **pairs}


def test_every_script_is_named_and_every_runnable_one_is_in_the_table():
    scripts = sorted(p.name for p in BENCH.glob("*.py"))
    runnable = sorted(p.name for p in BENCH.glob("*.py") if "__main__" in p.read_text())
    assert [s for s in scripts if s not in README] == []
    assert sorted(table()) == runnable


def test_the_table_says_what_make_bench_runs_and_where_its_results_go():
    rows = table()
    for script, results in made().items():
        how, written = rows[script]
        assert "`make bench`" in how and results in written, (script, how, written)
    assert [s for s, (how, _) in rows.items() if "make bench" in how and s not in made()] == []


def test_every_results_file_comes_from_a_command_that_writes_it():
    """A script run by hand writes a file only where its command says so (--out FILE, or > FILE)."""
    for script, (how, written) in table().items():
        if "make bench" in how:
            continue
        source = (BENCH / script).read_text()
        command = re.search(r"`((?:\w+=\S+ )*python benchmarks/\w+\.py[^`]*)`", how)
        assert command, (script, how)
        for option in re.findall(r"(--[\w-]+)", command.group(1)):
            assert f'"{option}"' in source, f"{script} takes no {option}"
        for name in re.findall(r"RESULTS[\w-]*\.md", written):
            assert re.search(rf"(--out|>) benchmarks/{name}", command.group(1)), (script, how, name)
    kept = {p.name for p in BENCH.glob("RESULTS*.md")}
    listed = {name for _, written in table().values() for name in re.findall(r"RESULTS[\w-]*\.md", written)}
    assert kept - listed == set()


def test_each_runnable_script_says_what_it_measures_and_how_to_run_it():
    for script in table():
        doc = re.match(r'"""(.*?)"""', (BENCH / script).read_text(), re.S)
        assert doc and f"benchmarks/{script}" in doc.group(1), script


def test_the_readme_leads_from_make_bench_to_the_benchmarks_readme():
    """README.md named `make bench` and two of its four rivals, with no way to the scripts' README."""
    line = next(p for p in (ROOT / "README.md").read_text().split("\n\n") if p.startswith("`make bench`"))
    assert "(benchmarks/README.md)" in line
    assert all(rival in line for rival in ("PyTorch", "JAX", "Keras", "scikit-learn")), line


def test_every_option_of_a_benchmark_says_what_it_sets_in_its_help():
    """`python benchmarks/run.py --help` showed `--reps REPS` and nothing more (mpi.py's --ranks, --batch, ...)."""
    import ast
    bare = []
    for script in sorted(BENCH.glob("*.py")):
        for call in ast.walk(ast.parse(script.read_text())):
            if isinstance(call, ast.Call) and getattr(call.func, "attr", "") == "add_argument" \
                    and not any(k.arg == "help" for k in call.keywords):
                bare.append(f"{script.name} {ast.literal_eval(call.args[0])}")
    assert bare == []


def test_every_runnable_script_answers_help_with_its_usage():
    """The README says each script's `--help` lists its options: seed_loop.py and worker.py, which read
    sys.argv by hand, answered it with a ValueError and an IndexError traceback; and tabular.py's and
    scaling.py's said what they measure in a sentence cut at its first line ("... over batch")."""
    import os
    import subprocess
    import sys
    env = {**os.environ, "PYTHONPATH": str(ROOT / "src")}
    runs = {script: subprocess.Popen([sys.executable, str(BENCH / script), "--help"], stdout=subprocess.PIPE,
                                     stderr=subprocess.PIPE, text=True, env=env) for script in table()}
    for script, p in runs.items():
        out, err = p.communicate(timeout=120)
        assert p.returncode == 0 and out.startswith("usage:") and "Traceback" not in err, \
            (script, p.returncode, err[-500:])
        said = out.split("\n\n")[1]          # the description, after the usage lines
        assert said.rstrip().endswith("."), (script, said)
