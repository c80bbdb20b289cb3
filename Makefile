# RESCUE Audit: the two commands are `make run` and `make test`.
SHELL := /bin/bash
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-stamp
HOST ?= 127.0.0.1
PORT ?= 8000
# make test runs the suite on this many processes (pytest-xdist), each with its own test database.
TEST_WORKERS ?= 2

.PHONY: run test install migrate catalogue demo lint format lock messages services clean help

help:
	@echo "make run    - install, migrate, load the catalogue and demo data, serve on http://$(HOST):$(PORT)"
	@echo "make test   - lint, type check, migration check and the whole suite on PostgreSQL and Redis"
	@echo "make lock   - re-pin requirements.lock from pyproject.toml"
	@echo "make format - format the code with ruff"
	@echo "make messages - compile locale/*/django.po after editing a translation (needs gettext)"

$(STAMP): pyproject.toml requirements.lock requirements-dev.lock
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -r requirements-dev.lock
	@touch $(STAMP)

install: $(STAMP)

# --- Embedded mode: SQLite under var/, files on local disk, Celery tasks in-process ---------------
run: export DJANGO_SETTINGS_MODULE = rescue.settings.local
run: install
	@mkdir -p var
	$(BIN)/python manage.py migrate --noinput
	$(BIN)/python manage.py load_catalogue fixtures/catalogue
	$(BIN)/python manage.py seed_demo
	@echo "Serving on http://$(HOST):$(PORT)/ (Ctrl-C to stop)"
	$(BIN)/python manage.py runserver --insecure $(HOST):$(PORT)

# --- The whole suite against PostgreSQL and Redis on localhost -----------------------------------
test: export DJANGO_SETTINGS_MODULE = rescue.settings.test
test: install
	$(BIN)/python scripts/ensure_services.py
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy
	$(BIN)/python manage.py makemigrations --check --dry-run
	$(BIN)/pytest -n $(TEST_WORKERS) --durations=15

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy

format: install
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

# requirements.lock pins what production installs; requirements-dev.lock adds the tools, on the
# same pins.
lock: install
	$(BIN)/pip-compile --quiet --strip-extras --no-emit-index-url --no-emit-find-links \
		-o requirements.lock pyproject.toml
	$(BIN)/pip-compile --quiet --extra dev --strip-extras --no-emit-index-url \
		--no-emit-find-links -c requirements.lock -o requirements-dev.lock pyproject.toml

# The compiled .mo files are committed, so neither make run nor make test needs gettext.
messages: install
	$(BIN)/python manage.py compilemessages --ignore=.venv

clean:
	rm -rf $(VENV) var .pytest_cache .ruff_cache .mypy_cache
