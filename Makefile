# The two commands of a fresh machine (README): `make run` and `make test`.
# Each builds .venv from the hashed lock with the venv's own pip (not
# upgraded: what a new user has), then installs newsflow itself.
#
#   requirements.lock       runtime dependencies: exact versions + hashes (ops/deploy/Dockerfile)
#   requirements-test.lock  the same pins + the test extra (make test, make run, .ci/run)
#   make lock               re-resolve after editing pyproject.toml (keeps other pins)
#   make lock UPGRADE=--upgrade                      newest versions the ranges allow
#   make lock UPGRADE="--upgrade-package trafilatura" one dependency
#   make test-latest        newest versions, no lock, in .venv-latest: the smoke tests
#   requirements-overrides.txt  requirements a locked wheel declares and newsflow never imports (none today)
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
TOOLS := .venv-tools
UV_VERSION := 0.13.9
# The lock is for CPython 3.11 on Linux; hashes cover every wheel of each pinned version.
LOCK_FLAGS := --generate-hashes --python-version 3.11 --python-platform x86_64-manylinux_2_28 --quiet \
	--override requirements-overrides.txt
UPGRADE ?=

.PHONY: run test test-latest lock eval bench clean

$(BIN)/.installed: requirements-test.lock pyproject.toml requirements-overrides.txt
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --require-hashes --no-deps -r requirements-test.lock
	# setuptools (the build backend) is in the lock: build with it, fetch nothing unpinned
	$(BIN)/python -m pip install --quiet --no-deps --no-build-isolation -e .
	$(BIN)/python ops/tools/pipcheck.py requirements-overrides.txt
	touch $@

run: $(BIN)/.installed
	$(BIN)/newsflow up

test: $(BIN)/.installed
	$(BIN)/pytest

test-latest:
	rm -rf .venv-latest
	$(PYTHON) -m venv .venv-latest
	.venv-latest/bin/python -m pip install --quiet '.[test]'
	.venv-latest/bin/python -m pip list --format=freeze > .venv-latest/versions.txt
	.venv-latest/bin/pytest -m smoke -p no:cacheprovider

$(TOOLS)/bin/uv:
	$(PYTHON) -m venv $(TOOLS)
	$(TOOLS)/bin/python -m pip install --quiet uv==$(UV_VERSION)

lock: $(TOOLS)/bin/uv
	$(TOOLS)/bin/uv pip compile pyproject.toml $(LOCK_FLAGS) $(UPGRADE) -o requirements.lock
	$(TOOLS)/bin/uv pip compile pyproject.toml --extra test -c requirements.lock $(LOCK_FLAGS) $(UPGRADE) -o requirements-test.lock

eval: $(BIN)/.installed
	$(BIN)/python ops/tools/eval.py

clean:
	rm -rf $(VENV) .venv-latest $(TOOLS) .pytest_cache .hypothesis
