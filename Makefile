# Two commands for newcomers: `make demo` and `make test`. Each sets up .venv first.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
# Three pytest workers, even on two cores: kernels, subprocesses and sockets keep a worker
# waiting often enough that a third one finishes sooner; work stealing keeps them all busy.
PYTEST := python -m pytest -n 3 --dist worksteal
# Compiled bytecode is kept under the venv (never beside the sources), even where
# PYTHONDONTWRITEBYTECODE is set: otherwise every test process (two workers, the kernels,
# the CLI and hook subprocesses) compiles the package, the tests and pytest's rewritten
# asserts from source on every run, about 10 s of CPU. `make test TEST_ENV=` runs without.
TEST_ENV = PYTHONDONTWRITEBYTECODE= PYTHONPYCACHEPREFIX='$(CURDIR)/$(VENV)/pycache'

.PHONY: demo test quick lint check bench e2e matrix clean conformance conformance-schema

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

# One stamp per set of extras, remade when pyproject.toml changes.
$(VENV)/.installed-%: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e '.[$(subst -,$(comma),$*)]'
	touch $@

comma := ,

## make demo: the main job (the built-in sandbox stands in when no key is configured)
demo: $(VENV)/.installed-test-demo
	$(BIN)/python -m oncehub_nb.demo

## make lint: ruff, the format check, the layers (import-linter) and the types (mypy)
lint: $(VENV)/.installed-lint-test
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/lint-imports
	$(BIN)/mypy

## make test: make lint, then every test (no browser needed)
test: lint
	$(TEST_ENV) $(BIN)/$(PYTEST)

## make quick: make lint, then the tests marked neither kernel nor slow
quick: lint
	$(TEST_ENV) $(BIN)/$(PYTEST) -m "not kernel and not slow"

## make check: validate your own key from the terminal (ONCEHUB_API_KEY or .env)
check: $(VENV)/.installed-test
	$(BIN)/oncehub-nb check

## make bench: benchmarks, printed as ratios against a baseline measured in the same run
bench: $(VENV)/.installed-test
	$(BIN)/python benchmarks/run.py

# One venv per CPython in $(MATRIX_DIR), each with its own install stamp like $(VENV)'s.
# `make matrix MATRIX=3.12` runs one version.
MATRIX := 3.10 3.11 3.12 3.13
MATRIX_DIR := .venv-matrix
MATRIX_STAMPS := $(foreach v,$(MATRIX),$(MATRIX_DIR)/py$(v)/.installed-test)
MATRIX_PYTHONS := $(foreach v,$(MATRIX),$(MATRIX_DIR)/py$(v)/bin/python)

## make matrix: every test of make test, kernels included (no lint), under CPython 3.10, 3.11,
## 3.12 and 3.13, one venv each
matrix: $(MATRIX_STAMPS) | $(MATRIX_PYTHONS)
	@failed=; for v in $(MATRIX); do \
	  echo "== make matrix: CPython $$v ($$($(MATRIX_DIR)/py$$v/bin/python -V))"; \
	  $(TEST_ENV) $(MATRIX_DIR)/py$$v/bin/$(PYTEST) -q -p no:cacheprovider || failed="$$failed $$v"; \
	done; \
	test -z "$$failed" || { echo "make matrix: tests failed under CPython$$failed" >&2; exit 1; }

$(MATRIX_DIR)/py%/.installed-test: pyproject.toml | $(MATRIX_DIR)/py%/bin/python
	$(MATRIX_DIR)/py$*/bin/python -m pip install --quiet -e '.[test]'
	touch $@

# Exits 0 only under CPython X.Y, X.Y being its first argument.
IS_CPYTHON := import platform, sys; sys.exit(platform.python_implementation() != "CPython" \
	or "%d.%d" % sys.version_info[:2] != sys.argv[1])

# CPython X.Y is pythonX.Y on PATH, else pyenv's newest installed X.Y (pyenv's shims answer
# only for the versions it has selected). A missing one is an error, never a skip.
$(MATRIX_DIR)/py%/bin/python:
	@py=$$(command -v python$* || true); \
	if ! "$${py:-false}" -c '$(IS_CPYTHON)' $* 2>/dev/null; then \
	  py="$$(pyenv root 2>/dev/null)/versions/$$(pyenv latest $* 2>/dev/null)/bin/python$*"; \
	  "$$py" -c '$(IS_CPYTHON)' $* 2>/dev/null || py=; \
	fi; \
	test -n "$$py" || { \
	  echo "python$* not found: install CPython $* (make matrix tests $(firstword $(MATRIX))-$(lastword $(MATRIX)))" >&2; \
	  exit 1; }; \
	mkdir -p $(MATRIX_DIR) && echo '*' > $(MATRIX_DIR)/.gitignore; \
	echo "$$py -m venv --clear $(MATRIX_DIR)/py$*"; \
	"$$py" -m venv --clear $(MATRIX_DIR)/py$*
	$@ -m pip install --quiet --upgrade pip

# Debian's Chromium, driven by Playwright; never a browser downloaded by `playwright install`.
CHROMIUM := /usr/bin/chromium

## make e2e: browser tests (JupyterLab, Notebook 7) and a terminal IPython test
e2e: $(VENV)/.installed-test-e2e $(CHROMIUM)
	$(BIN)/python -m pytest tests/e2e

$(CHROMIUM):
	@test "$$(id -u)" = 0 || { echo "$@ is missing: as root, apt-get install -y chromium fonts-liberation" >&2; exit 1; }
	apt-get update
	DEBIAN_FRONTEND=noninteractive apt-get install -y chromium fonts-liberation

clean:
	rm -rf $(VENV) $(MATRIX_DIR) $(CONFORMANCE_VENV) .pytest_cache .ruff_cache .hypothesis

# Schemathesis (pinned in conformance/requirements.txt) in a venv of its own, with the project
# installed so that conformance/run.py starts the sandbox in-process.
CONFORMANCE_VENV := .venv-conformance
# OnceHub's published OpenAPI file, read where it lies (never copied into the repo).
ONCEHUB_OPENAPI ?= ../shared/reference/oncehub-api-v2.yaml

## make conformance: Schemathesis checks the sandbox against OnceHub's OpenAPI file (~3-4 min);
## fails on failures not accepted in conformance/baseline.toml. CONFORMANCE_ARGS goes to run.py.
conformance: conformance-schema $(CONFORMANCE_VENV)/.installed-conformance
	ONCEHUB_OPENAPI='$(ONCEHUB_OPENAPI)' $(CONFORMANCE_VENV)/bin/python conformance/run.py $(CONFORMANCE_ARGS)

conformance-schema:
	@test -f "$(ONCEHUB_OPENAPI)" || { \
	  echo "make conformance: OnceHub's OpenAPI file is not at $(ONCEHUB_OPENAPI)" >&2; \
	  echo "  It is OnceHub's published API reference, kept read-only in the team's shared/reference" >&2; \
	  echo "  folder (shared/reference/oncehub-api-v2.yaml beside this repo); it is never copied here." >&2; \
	  echo "  Point ONCEHUB_OPENAPI at it: ONCEHUB_OPENAPI=/path/to/oncehub-api-v2.yaml make conformance" >&2; \
	  exit 1; }

$(CONFORMANCE_VENV)/bin/python:
	$(PYTHON) -m venv $(CONFORMANCE_VENV)
	echo '*' > $(CONFORMANCE_VENV)/.gitignore
	$@ -m pip install --quiet --upgrade pip

$(CONFORMANCE_VENV)/.installed-conformance: conformance/requirements.txt pyproject.toml | $(CONFORMANCE_VENV)/bin/python
	$(CONFORMANCE_VENV)/bin/python -m pip install --quiet -r conformance/requirements.txt -e .
	touch $@
