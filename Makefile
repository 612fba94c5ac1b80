# careermap: `make run` serves the demo; `make test` runs everything CI runs.
# Both set themselves up from nothing: virtualenv, packages, Chromium, database.

SHELL := /bin/bash
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
HOST ?= 127.0.0.1
PORT ?= 8000

# Django 6 needs Python >= 3.12: $PYTHON if given, else the first that runs.
PYTHON ?= $(shell scripts/find-python)

.PHONY: run test lint typecheck format install bench clean
.DEFAULT_GOAL := help

help:
	@echo "make run    set up, load the demo organisation, serve http://$(HOST):$(PORT)"
	@echo "make test   set up, lint, full suite on PostgreSQL (browser tests included), fast suite on SQLite"
	@echo "make format format the code with ruff"

$(STAMP): pyproject.toml
	@if [ -z "$(PYTHON)" ]; then \
		echo "careermap needs Python >= 3.12 (Django 6). None found: set PYTHON=/path/to/python3.12," \
		     "or install one (pyenv install 3.12)." >&2; exit 1; fi
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e ".[dev]"
	@touch $(STAMP)

install: $(STAMP)

# axe-core for the accessibility tests (test-only JavaScript, from npm; no CDN).
AXE := node_modules/axe-core/axe.min.js
$(AXE): package.json package-lock.json
	@command -v npm >/dev/null || { echo "The accessibility tests need npm (apt-get install -y nodejs npm)." >&2; exit 1; }
	npm ci --no-audit --no-fund --loglevel=error
	@touch $(AXE)

run: $(STAMP)
	DJANGO_DEBUG=1 $(BIN)/python manage.py migrate --no-input
	DJANGO_DEBUG=1 $(BIN)/python manage.py demo
	@echo "Serving careermap at http://$(HOST):$(PORT)/  (Ctrl-C stops it), the task worker beside it"
	@# The worker sends the emails (printed here while no EMAIL_HOST is set); it stops with the server.
	DJANGO_DEBUG=1 $(BIN)/python manage.py worker --interval 1 & worker=$$!; \
	trap 'kill $$worker 2>/dev/null' EXIT INT TERM; \
	DJANGO_DEBUG=1 $(BIN)/python manage.py runserver $(HOST):$(PORT)

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	@# Models and migrations agree (no SECRET_KEY needed: debug settings, nothing served).
	DJANGO_DEBUG=1 DATABASE_URL=sqlite:///:memory: $(BIN)/python manage.py makemigrations --check --dry-run

# mypy on the five apps (pyproject.toml [tool.mypy]); django-stubs' plugin loads the
# settings: debug ones, so no SECRET_KEY is needed.
typecheck: $(STAMP)
	DJANGO_DEBUG=1 DATABASE_URL=sqlite:///:memory: $(BIN)/mypy

format: $(STAMP)
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

test: $(STAMP) lint typecheck $(AXE)
	scripts/ensure-chromium
	scripts/test

bench: $(STAMP)
	bench/run

clean:
	rm -rf $(VENV) node_modules staticfiles db.sqlite3 .pytest_cache .ruff_cache .mypy_cache test-artifacts
