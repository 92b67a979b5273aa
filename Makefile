# The two commands of the README, and the benchmarks. Everything installs into .venv.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
PIP := $(PY) -m pip
# byte-code compiled at install, as pip does for a regular install: an editable one otherwise
# compiles chainrule's modules at every start where PYTHONDONTWRITEBYTECODE is set (CI, containers)
COMPILE := $(PY) -m compileall -q src/chainrule

# the benchmarks run every framework at its defaults for this CPU: NumPy's OpenBLAS picks its own
# kernels, whatever a machine image forces on all its hosts (OPENBLAS_CORETYPE=Haswell on an AVX-512
# CPU ran the benchmarks' float32 products at 0.55-0.7x the speed of the kernels OpenBLAS picks there)
BENCH := env -u OPENBLAS_CORETYPE -u OPENBLAS_L2_SIZE $(PY)
# $(call results,SCRIPT ARGS,FILE): a benchmark's table replaces FILE only once the benchmark has
# finished; stopped or failed, it leaves the table of the run before (`> FILE` would empty it first)
results = $(BENCH) benchmarks/$(1) > $(2).part && mv $(2).part $(2) || (rm -f $(2).part; exit 1)
# the tabular benchmark's sizes: in a variable, as a comma in $(call)'s argument would split it
TABULAR_ROWS := 100000,1000000

# the suite runs on a process a core, up to 4 (each holds PyTorch, Keras and Numba's kernels: about 1.5 GB);
# most of its time is one core's (compiling, starting processes), so two cores take it in little over half
TEST_WORKERS ?= $(shell $(PYTHON) -c "import os; print(min(4, len(os.sched_getaffinity(0)) if hasattr(os, 'sched_getaffinity') else os.cpu_count() or 1))")

.PHONY: demo test bench install install-test clean

$(PY):
	$(PYTHON) -m venv $(VENV)
	$(PIP) install --quiet --upgrade pip

install: $(PY)
	$(PIP) install --quiet -e ".[cli,sklearn,plot]"
	$(COMPILE)

install-test: $(PY)
	$(PIP) install --quiet -e ".[test]"
	$(COMPILE)

# installed once (again when pyproject.toml changes): a second `make demo` runs offline, at once
DEMO_INSTALLED := $(VENV)/.demo-installed
$(DEMO_INSTALLED): pyproject.toml | $(PY)
	$(PIP) install --quiet -e ".[cli,sklearn,plot]"
	$(COMPILE)
	touch $@

demo: $(DEMO_INSTALLED)
	$(VENV)/bin/chainrule demo

test: install-test
	command -v chromium >/dev/null || (apt-get update -qq && apt-get install -y -qq chromium)
	$(PY) -m pytest -n $(TEST_WORKERS) --durations=25
	$(PY) -m ruff check src tests benchmarks
	$(PY) -m mypy

bench: $(PY)
	$(PIP) install --quiet -e ".[bench,cli,mpi]"
	$(COMPILE)
	-command -v apt-get >/dev/null && (dpkg -s dataset-fashion-mnist >/dev/null 2>&1 || (apt-get update -qq && apt-get install -y -qq dataset-fashion-mnist)) >/dev/null 2>&1
	$(BENCH) benchmarks/run.py
	# the tabular path against scikit-learn's pipeline, data-parallel steps, data larger than memory
	$(call results,tabular.py --rows $(TABULAR_ROWS) --reps 5,benchmarks/RESULTS-tabular.md)
	$(call results,mpi.py,benchmarks/RESULTS-mpi.md)
	$(call results,memmap.py,benchmarks/RESULTS-memmap.md)
	$(call results,scaling.py,benchmarks/RESULTS-scaling.md)
	$(call results,subnormal.py,benchmarks/RESULTS-subnormal.md)

clean:
	rm -rf $(VENV) build *.egg-info src/*.egg-info .pytest_cache
