# Two commands from a fresh clone: `make run` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
PY := $(BIN)/python
MANAGE := $(PY) manage.py
HOST ?= 127.0.0.1
PORT ?= 8000
# Emailed links point where `make run` serves, unless SITE_URL is given.
SITE_URL ?= http://$(HOST):$(PORT)
# `make run RESET=1` restores the demo content over editors' changes.
RESET ?=

.PHONY: run test lint format messages compilemessages bench bench-tiny screenshots check-deploy clean

$(BIN)/activate:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip

$(VENV)/.installed: requirements.txt requirements-dev.txt $(BIN)/activate
	$(BIN)/pip install --quiet -r requirements-dev.txt
	touch $@

compilemessages: $(VENV)/.installed
	DEBUG=true $(MANAGE) compilemessages --ignore=.venv --ignore=var -v 0

run: $(VENV)/.installed compilemessages
	DEBUG=true $(MANAGE) migrate --no-input -v 0
	DEBUG=true $(MANAGE) load_demo $(if $(RESET),--reset)
	DEBUG=true $(MANAGE) load_demo_pledges $(if $(RESET),--reset)
	DEBUG=true SITE_URL=$(SITE_URL) $(MANAGE) local_admin
	DEBUG=true SITE_URL=$(SITE_URL) $(MANAGE) runserver $(HOST):$(PORT)

test: $(VENV)/.installed compilemessages
	$(BIN)/pytest $(PYTEST_ARGS)

lint: $(VENV)/.installed
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/djhtml --check templates devtools/templates

format: $(VENV)/.installed
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .
	$(BIN)/djhtml templates devtools/templates

# Update both catalogues; English msgids are copied to the English catalogue.
messages: $(VENV)/.installed
	DEBUG=true $(MANAGE) makemessages -l fr -l en --ignore=.venv --ignore=var --no-obsolete --no-location
	msgen --no-wrap -o locale/en/LC_MESSAGES/django.po locale/en/LC_MESSAGES/django.po
	DEBUG=true $(MANAGE) compilemessages --ignore=.venv --ignore=var -v 0

# Load benchmark on PostgreSQL, Redis, gunicorn and wrk: SMALL and LARGE portfolios, built
# once (LARGE takes minutes); see README. BENCH_ARGS passes options, e.g. --sizes small.
bench: $(VENV)/.installed compilemessages
	DEBUG=true $(MANAGE) bench $(BENCH_ARGS)

# The same steps in a minute or two, on a few projects: for continuous integration.
bench-tiny: $(VENV)/.installed compilemessages
	DEBUG=true $(MANAGE) bench --tiny $(BENCH_ARGS)

# Screenshots of the public pages for the README, taken by the browser tests' tooling.
screenshots: $(VENV)/.installed compilemessages
	SCREENSHOTS_DIR=docs/screenshots $(BIN)/pytest tests/browser/test_public_screenshots.py -q

check-deploy: $(VENV)/.installed
	DEBUG=false SECRET_KEY=$$($(PY) -c 'import secrets; print(secrets.token_urlsafe(50))') \
	ALLOWED_HOSTS=example.org $(MANAGE) check --deploy --fail-level WARNING

clean:
	rm -rf $(VENV) var
