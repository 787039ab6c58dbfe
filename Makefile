# Two commands on a fresh machine: `make run` (baseline) and `make test`.
PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed

.PHONY: run test test-pure test-long test-fast lint check bench bench-ci clean lab docs native

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $(STAMP)

# The model compiled with mypyc (tools/build_native.py, about 2 minutes; rebuilt when a model
# source changes). A failed build is not an error: the pure-Python model runs, and ketensim
# never runs a build older than its source (ketensim/native.py). KETENSIM_PURE=1 skips it.
NATIVE := src/ketensim/_native.json
$(NATIVE): $(STAMP) $(wildcard src/ketensim/model/*.py) src/ketensim/metrics/recorder.py \
           src/ketensim/native.py tools/build_native.py
	$(BIN)/python tools/build_native.py

native: $(NATIVE)

run: $(STAMP) $(NATIVE)
	$(BIN)/ketensim run scenarios/baseline-2020.yaml --out results/baseline-2020

# The browser tests of the HTML report need headless Chromium; without it they are skipped
# (in CI, .ci/run installs it and they must run). `make test` runs every test not marked slow
# (at most 6 minutes on a fresh 2-core machine); `make test-long` runs the slow ones (long
# statistical checks, full-year runs); CI runs both. Kinds and markers: tests/conftest.py.
test: $(STAMP) $(NATIVE)
	@command -v chromium >/dev/null 2>&1 || command -v chromium-browser >/dev/null 2>&1 || \
	  echo "note: chromium not found: the browser tests of the HTML report are skipped; enable them with" \
	       "'sudo apt-get install chromium' (Debian/Ubuntu) or 'brew install --cask chromium' (macOS)"
	$(BIN)/python -m pytest -q -n 2 -m "not slow"

test-long: $(STAMP) $(NATIVE)
	$(BIN)/python -m pytest -q -n 2 -m slow

# The same tests on the pure-Python model (CI runs both paths), with the tests that watch the
# model's internals (marked pure_python), which the compiled model skips.
test-pure: $(STAMP)
	KETENSIM_PURE=1 $(BIN)/python -m pytest -q -n 2 -m "not slow"

# The inner loop: the unit tests not marked slow, on one core.
test-fast: $(STAMP) $(NATIVE)
	$(BIN)/python -m pytest -q -m "unit and not slow"

# Lint (ruff: rules and import order) and types (mypy, strict for model and scenario), no
# import cycles between modules, and the layer contract (lower layers never import higher
# ones, function-local imports included); configuration in pyproject.toml.
lint: $(STAMP)
	$(BIN)/ruff check src tests bench tools/layers.py tools/build_native.py docs/_ext docs/conf.py
	$(BIN)/mypy
	$(BIN)/python tools/import_cycles.py src/ketensim
	$(BIN)/python tools/layers.py pyproject.toml

check: $(STAMP) $(NATIVE)
	$(BIN)/ketensim check scenarios/baseline-2020.yaml

# Benchmark: figures against their goals in results/bench/ (README.md, bench.json).
# BENCH_ARGS="--before REF" measures an earlier version alongside (its pure-Python model).
bench: $(STAMP) $(NATIVE)
	$(BIN)/python bench/run.py $(BENCH_ARGS)

# Reduced size for CI: prints the figures, never fails the build on a figure.
bench-ci: $(STAMP) $(NATIVE)
	$(BIN)/python bench/run.py --quick --out $${TMPDIR:-/tmp}/ketensim-bench

# The documentation site: docs/_build/html (warnings are errors). The reference pages are
# generated from the code and the notebooks executed (cached in docs/_build/.jupyter_cache).
DOCS_STAMP := $(VENV)/.docs-installed
$(DOCS_STAMP): $(STAMP)
	$(BIN)/pip install --quiet -e '.[dev,docs]'
	touch $(DOCS_STAMP)

docs: $(DOCS_STAMP)
	$(BIN)/python -m sphinx -W --keep-going -q -b html docs docs/_build/html
	@echo "docs: open docs/_build/html/index.html"

# JupyterLab on the notebooks (the dev extra installs it)
lab: $(STAMP)
	$(BIN)/jupyter lab notebooks/

clean:
	-$(BIN)/python tools/build_native.py --clean
	rm -rf $(VENV) .pytest_cache docs/_build
