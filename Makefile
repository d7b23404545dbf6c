# Civic: the two commands are `make run` and `make test` (GNU make).
#
#   make run           venv + app dependencies, translations, database migrations, demo data,
#                      then serve http://127.0.0.1:5000
#   make serve         production: checks the settings, migrates the database, then gunicorn with
#                      gunicorn.conf.py (README, "Production")
#   make test          venv + test dependencies, translations, then scripts/run-tests.sh:
#                      system tools, throwaway PostgreSQL and Redis, the browser checks (in the
#                      background), pytest on SQLite, pytest on PostgreSQL; both servers are
#                      always removed after
#   make translations  extract the strings, update the fr and en catalogs, compile them
#   make page-weight   print the compressed weight of every demo page (scripts/page_weight.py)
#   make bench         pages, throughput, publication and counting on a metropolis's data, SQLite and
#                      PostgreSQL (scripts/bench/run.py; BENCH_ARGS=--quick for a tenth of the sizes)
#   make benchmark     time the counting code on large and real elections (scripts/benchmark_counting.py)
#   make clean         remove caches and compiled catalogs (make distclean also removes .venv)
#
# Pass pytest options with PYTEST_ARGS, e.g. make test PYTEST_ARGS="-x -k proposals".

SHELL := /bin/bash
.DEFAULT_GOAL := help

VENV ?= .venv
PYTHON := $(VENV)/bin/python
PIP := $(PYTHON) -m pip --disable-pip-version-check
# The development settings for `make run` and the other flask commands run from here.
export CIVIC_ENV ?= development
FLASK := $(VENV)/bin/flask --app wsgi
PYBABEL := $(VENV)/bin/pybabel
HOST ?= 127.0.0.1
PORT ?= 5000
PYTEST_ARGS ?=

PO_FILES := $(wildcard translations/*/LC_MESSAGES/messages.po)
MO_FILES := $(PO_FILES:.po=.mo)

.PHONY: help run serve test translations compile-translations page-weight bench benchmark clean distclean

help:
	@sed -n '2,15s/^# \{0,1\}//p' Makefile

# --- Python environment --------------------------------------------------------------------

# Debian ships python3 without ensurepip: install python3-venv when we can (root + apt-get).
$(PYTHON):
	@rm -rf $(VENV)
	@python3 -m venv $(VENV) 2>/dev/null || { \
	  rm -rf $(VENV); \
	  if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
	    echo "python3 -m venv needs python3-venv: installing it"; \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq python3-venv && python3 -m venv $(VENV); \
	  else \
	    echo "python3 -m venv failed: install python3-venv (Debian: apt-get install python3-venv)" >&2; exit 1; \
	  fi; }

# The stamps make pip run again only when a lock changes. test.txt includes app.txt.
$(VENV)/.installed-app: requirements/app.txt | $(PYTHON)
	$(PIP) install --quiet -r requirements/app.txt
	@touch $@

# --no-compile: make test compiles what it imports once, under its own PYTHONPYCACHEPREFIX (scripts/run-tests.sh),
# and never reads the .pyc pip would write (8 of pip's 26 seconds here).
$(VENV)/.installed-test: requirements/test.txt requirements/app.txt | $(PYTHON)
	$(PIP) install --quiet --no-compile -r requirements/test.txt
	@touch $@ $(VENV)/.installed-app

# --- Translations ----------------------------------------------------------------------------

%.mo: %.po | $(VENV)/.installed-app
	$(PYBABEL) -q compile -i $< -o $@

compile-translations: $(MO_FILES)

translations: | $(VENV)/.installed-app
	$(PYBABEL) extract -F babel.cfg -k _l -k lazy_gettext -k lazy_pgettext:1c,2 --no-location --sort-output --project Civic -o translations/messages.pot .
	$(PYBABEL) update -i translations/messages.pot -d translations --no-fuzzy-matching --ignore-obsolete
	$(PYBABEL) compile -d translations

# --- The two commands ------------------------------------------------------------------------

run: $(VENV)/.installed-app compile-translations
	$(FLASK) db upgrade
	$(FLASK) seed-demo --if-empty
	CIVIC_PUBLIC_URL=$${CIVIC_PUBLIC_URL:-http://$(HOST):$(PORT)} $(FLASK) run --host $(HOST) --port $(PORT)

# Production: the settings are read from the environment (README, "Production"); nothing is started when one
# is missing or unsafe. exec: gunicorn takes make's place, so that systemd's signals reach it.
serve: export CIVIC_ENV = production
serve: $(VENV)/.installed-app compile-translations
	$(PYTHON) -m civic.ops.preflight
	$(FLASK) db upgrade
	exec $(VENV)/bin/gunicorn -c gunicorn.conf.py wsgi:app

test: $(VENV)/.installed-test compile-translations
	PYTHON=$(PYTHON) scripts/run-tests.sh $(PYTEST_ARGS)

page-weight: $(VENV)/.installed-app compile-translations
	$(PYTHON) scripts/page_weight.py

# pabutools, the reference the bench compares equal shares with, lives apart: it brings numpy, gurobipy, PuLP.
BENCH_VENV := .venv-bench
$(BENCH_VENV)/.installed: requirements/bench.txt | $(PYTHON)
	@test -x $(BENCH_VENV)/bin/python || python3 -m venv $(BENCH_VENV)
	$(BENCH_VENV)/bin/python -m pip --disable-pip-version-check install --quiet -r requirements/bench.txt
	@touch $@

BENCH_ARGS ?=
bench: $(VENV)/.installed-test compile-translations $(BENCH_VENV)/.installed
	CI= scripts/test-deps.sh bench
	$(PYTHON) scripts/bench/run.py $(BENCH_ARGS)

benchmark: $(VENV)/.installed-app
	$(PYTHON) scripts/benchmark_counting.py

# --- Cleaning --------------------------------------------------------------------------------

clean:
	-scripts/pg.sh stop
	-scripts/redis.sh stop
	rm -rf .pytest_cache .hypothesis $(MO_FILES)
	find . -name $(notdir $(VENV)) -prune -o -name __pycache__ -type d -exec rm -rf {} +

distclean: clean
	rm -rf $(VENV) $(BENCH_VENV)
