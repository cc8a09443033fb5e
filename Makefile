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
	$(BIN)/pybabel extract -F babel.cfg -k _l -k lazy_gettext -k N_ -o shop/translations/messages.pot --no-location --sort-output -w 120 .
	$(BIN)/pybabel update -i shop/translations/messages.pot -d shop/translations --no-fuzzy-matching --ignore-obsolete -w 120

LOCALSTRIPE_PORT ?= 8420
export LOCALSTRIPE_PORT

# With no STRIPE_SECRET_KEY, payments go to localstripe on loopback, started here and stopped with the shop
# (before the demo data, whose customs demo orders are paid through it).
run: install
	@set -e; \
	if [ -z "$$STRIPE_SECRET_KEY" ]; then \
	  $(BIN)/python -m shop.payments.localstripe_dev --quiet --port $(LOCALSTRIPE_PORT) \
	    --webhook-url http://$(HOST):$(PORT)/payments/stripe/webhook \
	    --webhook-secret "$${STRIPE_WEBHOOK_SECRET:-whsec_globalbuy_local}" & \
	  LS_PID=$$!; trap 'kill $$LS_PID 2>/dev/null' EXIT INT TERM; \
	  for i in $$(seq 50); do \
	    (echo > /dev/tcp/127.0.0.1/$(LOCALSTRIPE_PORT)) 2>/dev/null && break; \
	    kill -0 $$LS_PID 2>/dev/null || { echo "localstripe did not start"; exit 1; }; sleep 0.1; \
	  done; \
	  echo "Payments: localstripe on http://127.0.0.1:$(LOCALSTRIPE_PORT) — pay with card 4242 4242 4242 4242"; \
	fi; \
	$(FLASK) db upgrade; \
	$(FLASK) seed; \
	echo "GlobalBuy is at http://$(HOST):$(PORT)/  (Ctrl-C stops it)"; \
	$(FLASK) run --host $(HOST) --port $(PORT)

test: install
	$(BIN)/python -m pytest $(PYTEST_ARGS)

lint: install
	$(BIN)/ruff check .

bench: install
	$(BIN)/python bench/export.py

clean:
	rm -rf $(VENV) instance .pytest_cache
