# Two commands do all the set-up on a fresh machine with Python 3.11, make and git:
#   make demo   creates .venv, installs ona, runs the sample diagnostic and writes the report
#   make test   the same set-up, then the whole test suite, notebooks included
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
DEMO_OUT ?= demo-output

.PHONY: demo test bench lint clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev,scale]'
	touch $(STAMP)

demo: $(STAMP)
	$(BIN)/ona demo --out $(DEMO_OUT)

test: $(STAMP)
	$(BIN)/python -m pytest

bench: $(STAMP)
	$(BIN)/python benchmarks/run.py

lint: $(STAMP)
	$(BIN)/ruff check ona tests benchmarks

clean:
	rm -rf $(VENV) $(DEMO_OUT) .pytest_cache
