# The two commands of a fresh machine (README): `make run` and `make test`.
# Each builds its own virtual environment in .venv from pyproject.toml.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin

.PHONY: run test eval bench clean

$(BIN)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test]'
	touch $@

run: $(BIN)/.installed
	$(BIN)/newsflow up

test: $(BIN)/.installed
	$(BIN)/pytest

eval: $(BIN)/.installed
	$(BIN)/python ops/eval.py

clean:
	rm -rf $(VENV) .pytest_cache .hypothesis
