# Two commands on a fresh machine: `make run` and `make test`. Both create .venv
# and install into it when needed; nothing else is installed by hand. What they
# install is locked, with hashes (requirements/*.txt, from `make lock`), so a fresh
# machine today and in six months gets the same versions:
#   make run   requirements/pip.txt (the installer), requirements/run.txt (serving
#              only) and the project itself (--no-deps -e .)
#   make test  and make lint add requirements/test.txt (.[test], ruff, mypy, stubs)
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
PIP := $(BIN)/python -m pip
PIP_STAMP := $(VENV)/.pip-stamp
RUN_STAMP := $(VENV)/.run-stamp
TEST_STAMP := $(VENV)/.test-stamp
UV_STAMP := $(VENV)/.uv-stamp
HOST ?= 127.0.0.1
PORT ?= 8080
SCENARIO ?= default  # a built-in scenario name, or a file path
# make run: request lines, curl lines to paste, scenario files reloaded when saved
RUN_ARGS ?= --print-curl --reload-scenarios
# make lock LOCK_ARGS=--upgrade (everything to the newest allowed), or
# LOCK_ARGS='--upgrade-package aiohttp'; without, the pins already there stay.
LOCK_ARGS ?=
# One platform, the one make run/test and CI install on: CPython 3.11, linux x86_64.
UV_COMPILE = $(BIN)/uv pip compile --quiet --no-config --generate-hashes --python-version 3.11 \
	--python-platform x86_64-unknown-linux-gnu --custom-compile-command 'make lock' $(LOCK_ARGS)

# The dashboard's browser tests drive Debian's chromium through Playwright, which
# must never download a browser of its own.
CHROMIUM ?= /usr/bin/chromium
export PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD := 1

.PHONY: install install-test lock lint browser run test test-suite test-package fuzz dist bench bench-reset clean

# The venv starts without the interpreter's bundled pip (ensurepip takes seconds and
# brings an old pip that takes seconds more to resolve): the locked pip goes in first,
# by the interpreter's own pip (--python, pip >= 22.3), else by ensurepip.
$(PIP_STAMP): requirements/pip.txt
	test -x $(BIN)/python || $(PYTHON) -m venv --without-pip $(VENV)
	$(PYTHON) -m pip --python $(BIN)/python install --quiet --require-hashes -r requirements/pip.txt 2>/dev/null \
		|| { $(BIN)/python -m ensurepip --default-pip >/dev/null \
			&& $(PIP) install --quiet --require-hashes -r requirements/pip.txt; }
	touch $@

# --no-compile: the first make run serves within 10 s of a fresh clone (a warm pip
# cache); Python compiles what it imports on the first start, and the test stamp
# compiles the rest.
$(RUN_STAMP): $(PIP_STAMP) requirements/run.txt pyproject.toml
	$(PIP) install --quiet --no-compile --require-hashes -r requirements/run.txt
	PYTHONWARNINGS=ignore::UserWarning $(PIP) install --quiet --no-deps --no-build-isolation -e .  # setuptools' editable-mode notice
	touch $@

$(TEST_STAMP): $(RUN_STAMP) requirements/test.txt
	$(PIP) install --quiet --require-hashes -r requirements/test.txt
	$(BIN)/python -m compileall -q -j 0 $(VENV)/lib >/dev/null || true  # what make run left uncompiled: timed tests pay no first import
	touch $@

install: $(RUN_STAMP)  ## .venv with what serving needs (requirements/run.txt) and the project

install-test: $(TEST_STAMP)  ## .venv with the tests' and linters' tools too (requirements/test.txt)

$(UV_STAMP): $(PIP_STAMP) requirements/uv.txt
	$(PIP) install --quiet --require-hashes -r requirements/uv.txt
	touch $@

lock: $(UV_STAMP)  ## regenerate requirements/*.txt from pyproject.toml and requirements/*.in (uv pip compile, with hashes)
	$(UV_COMPILE) requirements/pip.in -o requirements/pip.txt
	$(UV_COMPILE) requirements/uv.in -o requirements/uv.txt
	$(UV_COMPILE) pyproject.toml requirements/run.in -o requirements/run.txt
	$(UV_COMPILE) --extra test pyproject.toml requirements/test.in -o requirements/test.txt

# All run, whichever fails; lint fails when any did.
lint: install-test  ## ruff check, ruff format --check and mypy (configured in pyproject.toml)
	@status=0; \
	echo "ruff check"; $(BIN)/ruff check emulator tests bench .ci examples || status=1; \
	echo "ruff format --check"; $(BIN)/ruff format --check emulator tests bench .ci examples || status=1; \
	echo "mypy (packages = emulator)"; $(BIN)/mypy || status=1; \
	exit $$status

run: install  ## serve both APIs on the default scenario at http://127.0.0.1:8080, print curl lines, reload on edit
	$(BIN)/python -m emulator --host $(HOST) --port $(PORT) --scenario $(SCENARIO) $(RUN_ARGS)

browser:  ## Debian's chromium for the dashboard's browser tests (apt; nothing to do when installed)
	@test -x $(CHROMIUM) || { echo "make browser: installing chromium (Debian package)"; \
		sudo=$$(test "$$(id -u)" = 0 || echo "sudo -n"); \
		{ $$sudo apt-get install -y -q chromium || { $$sudo apt-get update -q && $$sudo apt-get install -y -q chromium; }; } \
			>/dev/null 2>&1 || echo "make browser: could not install chromium; the browser tests will say so"; }

# make test = test-suite and test-package, run side by side (the package check
# mostly waits on pip and subprocesses; niced, so the suite's timed checks keep
# their CPU). Add prerequisites (like browser) to
# `test:` / `test-suite:`.
test: install-test browser  ## the whole test suite (-n 2) and the built package as a user installs it (.ci/package_check.py)
	@log=$$(mktemp); nice -n 10 $(BIN)/python .ci/package_check.py > "$$log" 2>&1 & package=$$!; \
	$(BIN)/python -m pytest -n 2 -p xdist $(PYTEST_ARGS); suite=$$?; \
	wait $$package; packaged=$$?; cat "$$log"; rm -f "$$log"; \
	echo "make test: suite exit $$suite, package check exit $$packaged"; \
	test $$suite -eq 0 && test $$packaged -eq 0

test-suite: install-test browser  ## the project's own tests only (pytest -n 2)
	$(BIN)/python -m pytest -n 2 -p xdist $(PYTEST_ARGS)

test-package: install-test  ## wheel + sdist into a mktemp dir, a throwaway venv, examples/user-project in-process / -n 2 / sidecar
	$(BIN)/python .ci/package_check.py

# Not part of make test: schemathesis over each OpenAPI document, FUZZ_CASES cases per
# document (make test runs 300), one document after the other (docs/limits.md).
FUZZ_CASES ?= 20000
fuzz: install-test  ## schemathesis, all checks, FUZZ_CASES (20000) cases per document: CustomerID, DFS, control
	FUZZ_CASES=$(FUZZ_CASES) $(BIN)/python -m pytest -p no:xdist -s -q tests/robustness/test_fuzz_openapi.py $(PYTEST_ARGS)

dist: install-test  ## the wheel and the sdist, into dist/
	$(BIN)/python -m build --no-isolation --outdir dist .

bench: install  ## the workloads of bench/workloads.py next to a bare aiohttp app (BENCH_ARGS=--quick: 2 s rows)
	@command -v wrk >/dev/null || { echo "make bench: installing wrk (Debian package)"; \
		apt-get install -y -q wrk >/dev/null 2>&1 || { apt-get update -q >/dev/null && apt-get install -y -q wrk >/dev/null; }; }
	$(BIN)/python -m bench $(BENCH_ARGS)

bench-reset: install  ## reset time (default scenario and 50,000 users) and start-up time to first healthy answer
	$(BIN)/python -m bench.reset $(BENCH_ARGS)

clean:
	rm -rf $(VENV) build dist *.egg-info .pytest_cache
