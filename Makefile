# GlobalBuy — the README's two commands are `make run` and `make test`; each sets itself up.
SHELL := /bin/bash
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
FLASK := $(BIN)/flask --app shop
HOST ?= 127.0.0.1
PORT ?= 5000

.PHONY: run test install translations translations-update lint bench clean

$(BIN)/python:
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "GlobalBuy needs Python 3.11 or newer (set PYTHON=python3.x)")'
	$(PYTHON) -m venv $(VENV)

$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet --disable-pip-version-check -e ".[dev]"
	@touch $@

install: $(VENV)/.installed translations

# Compiled catalogues (.mo) are build output, made from the .po files kept in git.
CATALOGUES := $(patsubst %.po,%.mo,$(wildcard shop/translations/*/LC_MESSAGES/messages.po))
translations: $(CATALOGUES)

shop/translations/%/LC_MESSAGES/messages.mo: shop/translations/%/LC_MESSAGES/messages.po $(VENV)/.installed
	$(BIN)/pybabel compile -i $< -o $@

# After changing user-facing strings: extract them and merge into the catalogues, then translate.
translations-update: $(VENV)/.installed
	$(BIN)/pybabel extract -F babel.cfg -k _l -k lazy_gettext -o shop/translations/messages.pot --no-location --sort-output .
	$(BIN)/pybabel update -i shop/translations/messages.pot -d shop/translations --no-fuzzy-matching --ignore-obsolete

run: install
	$(FLASK) db upgrade
	$(FLASK) seed
	@echo "GlobalBuy is at http://$(HOST):$(PORT)/  (Ctrl-C stops it)"
	$(FLASK) run --host $(HOST) --port $(PORT)

test: install
	$(BIN)/python -m pytest $(PYTEST_ARGS)

lint: install
	$(BIN)/ruff check .

bench: install
	$(BIN)/python bench/catalog.py

clean:
	rm -rf $(VENV) instance .pytest_cache
