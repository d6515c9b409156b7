# Sotong: `make build` sets everything up and builds the sample site;
# `make test` runs the whole test suite.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
SOTONG := $(BIN)/sotong
SETTINGS ?= pelicanconf.py
PYTEST_ARGS ?=

.PHONY: build test setup devserver publish check clean benchmarks

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e '.[test]'
	touch $@

setup: $(VENV)/.installed

build: setup
	$(SOTONG) build -s $(SETTINGS)

check: setup
	$(SOTONG) check -s $(SETTINGS)

test: setup
	$(BIN)/python -m pytest -n 2 $(PYTEST_ARGS)

devserver: setup
	$(BIN)/pelican --autoreload --listen --bind 127.0.0.1 --port 8000 -s pelicanconf.py

publish: setup
	$(SOTONG) build -s publishconf.py

benchmarks: setup
	$(BIN)/python benchmarks/build.py

clean:
	rm -rf output .cache
