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

demo: install
	$(VENV)/bin/chainrule demo

test: install-test
	command -v chromium >/dev/null || (apt-get update -qq && apt-get install -y -qq chromium)
	$(PY) -m pytest
	$(PY) -m ruff check src tests benchmarks
	$(PY) -m mypy

bench: $(PY)
	$(PIP) install --quiet -e ".[bench,cli,mpi]"
	$(COMPILE)
	-command -v apt-get >/dev/null && (dpkg -s dataset-fashion-mnist >/dev/null 2>&1 || (apt-get update -qq && apt-get install -y -qq dataset-fashion-mnist)) >/dev/null 2>&1
	$(BENCH) benchmarks/run.py
	# the tabular path against scikit-learn's pipeline, data-parallel steps, data larger than memory
	$(BENCH) benchmarks/tabular.py --rows 100000,1000000 --reps 5 > benchmarks/RESULTS-tabular.md
	$(BENCH) benchmarks/mpi.py > benchmarks/RESULTS-mpi.md
	$(BENCH) benchmarks/memmap.py > benchmarks/RESULTS-memmap.md
	$(BENCH) benchmarks/scaling.py > benchmarks/RESULTS-scaling.md
	$(BENCH) benchmarks/subnormal.py > benchmarks/RESULTS-subnormal.md

clean:
	rm -rf $(VENV) build *.egg-info src/*.egg-info .pytest_cache
