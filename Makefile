# Two commands for newcomers: `make demo` and `make test`. Each sets up .venv first.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin

.PHONY: demo test lint check bench e2e clean

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

## make test: lint, format check and every test (no browser needed)
test: $(VENV)/.installed-test
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/python -m pytest

## make check: validate your own key from the terminal (ONCEHUB_API_KEY or .env)
check: $(VENV)/.installed-test
	$(BIN)/oncehub-nb check

## make bench: benchmarks, printed as ratios against a baseline measured in the same run
bench: $(VENV)/.installed-test
	$(BIN)/python benchmarks/run.py

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
	rm -rf $(VENV) .pytest_cache .ruff_cache .hypothesis
