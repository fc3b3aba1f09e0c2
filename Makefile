# The two commands of a fresh clone: `make run` and `make test` (README).
SHELL := /bin/bash
.DEFAULT_GOAL := help

PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
MANAGE := $(PY) manage.py
# Without DATABASE_URL, run under the embedded PostgreSQL in var/ (started and stopped around the command).
WITH_DB = $(if $(DATABASE_URL),,$(PY) -m innoinfra.devdb run --)
DEV_ENV := DEBUG=$${DEBUG:-1} DEMO_MODE=$${DEMO_MODE:-1}
PYTEST_ARGS ?=

VENDOR := static/vendor

.PHONY: help install run test lint format worker beat bench clean

help:
	@echo "make run     serve the portal with demo data on http://127.0.0.1:8000"
	@echo "make test    lint, then the whole test suite"
	@echo "make lint    ruff, mypy, migrations check"
	@echo "make worker  a Celery worker (needs REDIS_URL)"
	@echo "make beat    the Celery beat scheduler (needs REDIS_URL)"
	@echo "make bench   the benchmarks in bench/ (FULL=1 adds 100k facilities)"

$(VENV)/.installed: pyproject.toml
	@$(PYTHON) -c 'import sys; sys.exit(sys.version_info < (3, 11))' || { echo "Python 3.11+ needed ($(PYTHON))"; exit 1; }
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[dev]'
	touch $@

node_modules/.installed: package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	touch $@

$(VENDOR)/.installed: node_modules/.installed Makefile
	mkdir -p $(VENDOR)/leaflet $(VENDOR)/markercluster
	cp node_modules/htmx.org/dist/htmx.min.js $(VENDOR)/
	cp -r node_modules/leaflet/dist/leaflet.js node_modules/leaflet/dist/leaflet.js.map node_modules/leaflet/dist/leaflet.css node_modules/leaflet/dist/images $(VENDOR)/leaflet/
	cp node_modules/leaflet.markercluster/dist/leaflet.markercluster.js node_modules/leaflet.markercluster/dist/leaflet.markercluster.js.map node_modules/leaflet.markercluster/dist/MarkerCluster.css node_modules/leaflet.markercluster/dist/MarkerCluster.Default.css $(VENDOR)/markercluster/
	touch $@

install: $(VENV)/.installed $(VENDOR)/.installed

run: install
	$(DEV_ENV) $(WITH_DB) bash -c '$(MANAGE) migrate --noinput && $(MANAGE) load_reference_data && $(MANAGE) seed_demo_accounts && $(MANAGE) seed_demo_catalogue && exec $(MANAGE) runserver 127.0.0.1:8000'

lint: $(VENV)/.installed
	$(PY) -m ruff check .
	$(PY) -m ruff format --check .
	DEBUG=1 $(WITH_DB) bash -c '$(PY) -m mypy . && $(MANAGE) makemigrations --check --dry-run'

format: $(VENV)/.installed
	$(PY) -m ruff format .
	$(PY) -m ruff check --fix .

test: install lint
	$(WITH_DB) $(PY) -m pytest $(PYTEST_ARGS)

worker: install
	$(WITH_DB) $(PY) -m celery -A innoinfra worker --loglevel=INFO

beat: install
	$(WITH_DB) $(PY) -m celery -A innoinfra beat --loglevel=INFO --schedule=var/celerybeat-schedule

bench: install
	$(WITH_DB) $(PY) -m bench.run $(if $(FULL),--full,)

clean:
	rm -rf $(VENDOR) node_modules .pytest_cache .mypy_cache .ruff_cache
