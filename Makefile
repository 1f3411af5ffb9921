# Two commands on a fresh machine: `make run` and `make test`. Both create .venv
# and install the project into it when needed; nothing else is installed by hand.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-stamp
HOST ?= 127.0.0.1
PORT ?= 8080
SCENARIO ?= default  # a built-in scenario name, or a file path
# make run: request lines, curl lines to paste, scenario files reloaded when saved
RUN_ARGS ?= --print-curl --reload-scenarios

# The dashboard's browser tests drive Debian's chromium through Playwright, which
# must never download a browser of its own.
CHROMIUM ?= /usr/bin/chromium
export PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD := 1

.PHONY: install browser run test test-suite test-package dist bench bench-reset clean

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test]'
	touch $(STAMP)

install: $(STAMP)

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
test: install browser  ## the whole test suite (-n 2) and the built package as a user installs it (.ci/package_check.py)
	@log=$$(mktemp); nice -n 10 $(BIN)/python .ci/package_check.py > "$$log" 2>&1 & package=$$!; \
	$(BIN)/python -m pytest -n 2 -p xdist $(PYTEST_ARGS); suite=$$?; \
	wait $$package; packaged=$$?; cat "$$log"; rm -f "$$log"; \
	echo "make test: suite exit $$suite, package check exit $$packaged"; \
	test $$suite -eq 0 && test $$packaged -eq 0

test-suite: install browser  ## the project's own tests only (pytest -n 2)
	$(BIN)/python -m pytest -n 2 -p xdist $(PYTEST_ARGS)

test-package: install  ## wheel + sdist into a mktemp dir, a throwaway venv, examples/user-project in-process / -n 2 / sidecar
	$(BIN)/python .ci/package_check.py

dist: install  ## the wheel and the sdist, into dist/
	$(BIN)/python -m build --no-isolation --outdir dist .

bench: install  ## the workloads of bench/workloads.py next to a bare aiohttp app (BENCH_ARGS=--quick: 2 s rows)
	@command -v wrk >/dev/null || { echo "make bench: installing wrk (Debian package)"; \
		apt-get install -y -q wrk >/dev/null 2>&1 || { apt-get update -q >/dev/null && apt-get install -y -q wrk >/dev/null; }; }
	$(BIN)/python -m bench $(BENCH_ARGS)

bench-reset: install  ## reset time (default scenario and 50,000 users) and start-up time to first healthy answer
	$(BIN)/python -m bench.reset $(BENCH_ARGS)

clean:
	rm -rf $(VENV) build dist *.egg-info .pytest_cache
