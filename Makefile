# Entry points for a fresh machine with Python 3.11+, pip and make:
#   make demo  install everything, run a coalition under attack end to end, serve the console
#   make up    install everything and run Shieldwall on the embedded default (empty database)
#   make test  install everything and run the whole test suite (what CI runs)
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: install demo up test lint typecheck contracts pytest bench clean

$(STAMP): pyproject.toml constraints.txt
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --disable-pip-version-check -c constraints.txt -e '.[dev]'
	touch $(STAMP)

install: $(STAMP)

demo: install
	$(BIN)/shieldwall demo

up: install
	$(BIN)/shieldwall up

lint: install
	$(BIN)/ruff check src tests bench
	$(BIN)/ruff format --check src tests bench

typecheck: install
	$(BIN)/mypy

contracts: install
	$(BIN)/lint-imports

# two pytest-xdist workers (the machines have 2 cores), a test file kept on one worker so
# its module-scoped fixtures (browsers, demo campaigns, corpus scans) are built once; files
# handed out in collection order, not most-tests-first, which left the one-test oracles
# (a minute each) to run alone at the end
PYTEST_WORKERS ?= 2

pytest: install
	$(BIN)/python tests/run_pytest.py -n $(PYTEST_WORKERS) --dist loadfile --no-loadscope-reorder --durations=40

test: lint typecheck contracts pytest

bench: install
	$(BIN)/python bench/audit.py

clean:
	rm -rf $(VENV) .mypy_cache .ruff_cache .pytest_cache
