# deckgen: `make run` serves on :8000 with the embedded defaults; `make test` runs every check.
PYTHON ?= python3
VENV ?= .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed-stamp

.PHONY: system-deps install run test fuzz lint typecheck protos check-protos buf-lint buf-breaking contract-baseline unit client-test format clean

install: $(STAMP)

$(STAMP): pyproject.toml clients/python/pyproject.toml
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e ./clients/python -e '.[dev]'
	touch $(STAMP)

# LibreOffice, poppler and fonts for PDF and previews (apt; skipped with a note when not root).
system-deps:
	bash .ci/system-deps.sh

run: install system-deps
	ENVIRONMENT=$${ENVIRONMENT:-development} $(VENV)/bin/deckgen serve

protos: install
	$(PY) tools/gen_protos.py

# The committed stubs must be exactly what the .proto files generate.
check-protos: install
	rm -rf build/protos-check && $(PY) tools/gen_protos.py build/protos-check
	diff -r -x __pycache__ build/protos-check/deckgen/v1 clients/python/src/deckgen/v1
	@echo "generated stubs match proto/"

buf-lint: install
	$(VENV)/bin/buf lint

buf-breaking: install
	PATH="$(abspath $(VENV))/bin:$$PATH" bash .ci/buf-breaking.sh

# After an additive contract change: record it as the published contract.
contract-baseline: install
	$(VENV)/bin/buf build -o .ci/contract.binpb

lint: install
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

typecheck: install
	$(VENV)/bin/mypy

format: install
	$(VENV)/bin/ruff format .
	$(VENV)/bin/ruff check --fix .

unit: install
	$(PY) -m pytest -q

# Hostile requests against a real server for as long as asked (`make test` runs 250 derandomised).
FUZZ_SECONDS ?= 300
fuzz: install
	FUZZ_SECONDS=$(FUZZ_SECONDS) $(PY) -m pytest -q -s -p no:cacheprovider tests/fuzz

# The client installs and passes its tests in a venv of its own: proof it needs no server code.
CLIENT_VENV := build/client-venv
client-test:
	test -x $(CLIENT_VENV)/bin/python || $(PYTHON) -m venv $(CLIENT_VENV)
	$(CLIENT_VENV)/bin/python -m pip install --quiet './clients/python[test]'
	cd clients/python && ../../$(CLIENT_VENV)/bin/python -m pytest -q -p no:cacheprovider

test: install system-deps buf-lint buf-breaking check-protos lint typecheck unit client-test

clean:
	rm -rf $(VENV) build var .mypy_cache .ruff_cache .pytest_cache
