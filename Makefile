# Concilium: `make demo` serves a demo at http://127.0.0.1:8000, `make test` runs every test.
PYTHON ?= $(shell for p in python3 python3.13 python3.12 python3.11; do $$p -c 'import sys; sys.exit(sys.version_info < (3, 11))' 2>/dev/null && { echo $$p; break; }; done)
VENV := .venv
BIN := $(VENV)/bin
DEMO_ENV := DEBUG=1 CONCILIUM_DATA_DIR=$(CURDIR)/var

.PHONY: demo test lint install install-test messages clean

$(BIN)/python:
	@test -n "$(PYTHON)" || { echo "Concilium needs Python 3.11 or newer on the PATH"; exit 1; }
	$(PYTHON) -c 'import sys; assert sys.version_info >= (3, 11), "Concilium needs Python 3.11 or newer"'
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(VENV)/.installed: $(BIN)/python pyproject.toml
	$(BIN)/python -m pip install --quiet -e .
	touch $@

$(VENV)/.installed-test: $(BIN)/python pyproject.toml
	$(BIN)/python -m pip install --quiet -e '.[test]'
	touch $(VENV)/.installed $@

install: $(VENV)/.installed
install-test: $(VENV)/.installed-test

demo: install
	mkdir -p var
	$(DEMO_ENV) $(BIN)/concilium migrate --no-input
	$(DEMO_ENV) $(BIN)/concilium demo_load
	$(DEMO_ENV) $(BIN)/concilium serve_demo --addr 127.0.0.1:8000

test: install-test
	$(BIN)/python -m pytest $(PYTEST_ARGS)

lint: install-test
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	DEBUG=1 $(BIN)/concilium makemigrations --check --dry-run
	$(BIN)/lint-imports --no-cache
	DEBUG=1 $(BIN)/mypy concilium

messages: install-test
	cd concilium && DEBUG=1 ../$(BIN)/concilium makemessages -l de -l fr --no-obsolete
	cd concilium && DEBUG=1 ../$(BIN)/concilium compilemessages

clean:
	rm -rf $(VENV) var .pytest_cache
