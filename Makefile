# GlobalBuy — the README's two commands are `make run` and `make test`; each sets itself up.
SHELL := /bin/bash
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
FLASK := $(BIN)/flask --app shop
HOST ?= 127.0.0.1
PORT ?= 5000

# `make serve`: the shop under gunicorn, configured from the environment (docs/DEPLOY.md).
.PHONY: run serve worker test install translations translations-update lint bench clean

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

serve: install
	$(FLASK) db upgrade
	$(BIN)/gunicorn -c python:shop.gunicorn_conf shop.wsgi:app

# Background jobs when REDIS_URL is set: the worker and the periodic scheduler (production runs them as services).
worker: install
	$(FLASK) jobs worker

test: install
	$(BIN)/python -m pytest $(PYTEST_ARGS)

lint: install
	$(BIN)/ruff check .

# The load and export benchmarks (docs/PERFORMANCE.md): gunicorn on loopback loaded by wrk, then 100,000
# declarations exported; on SQLite, and on PostgreSQL too when it answers at BENCH_POSTGRES_URL (each run makes
# and drops databases of its own there). About 16 minutes on 2 cores; `make bench BENCH_ARGS=--quick` is a
# smoke run of a few minutes. Other options: `.venv/bin/python bench/load.py --help`.
BENCH_POSTGRES_URL ?= postgresql+psycopg://postgres@127.0.0.1:5432/postgres
BENCH_ARGS ?=
bench: install
	$(BIN)/python bench/load.py --postgres-url '$(BENCH_POSTGRES_URL)' $(BENCH_ARGS)

clean:
	rm -rf $(VENV) instance .pytest_cache
