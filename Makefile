# Keep it Local: one command to run, one to test. See README.md.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
CHROMIUM ?= /usr/bin/chromium
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: run test install chromium assets lint format migrate clean bench loadtest wrk

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

# Reinstall whenever the pinned requirements change.
$(VENV)/.installed: requirements.txt requirements-dev.txt | $(BIN)/python
	$(BIN)/pip install --quiet -r requirements-dev.txt
	touch $@

install: $(VENV)/.installed

run: install
	DEBUG=$${DEBUG:-true} $(BIN)/python manage.py migrate --no-input
	DEBUG=$${DEBUG:-true} $(BIN)/python manage.py seed_demo
	DEBUG=$${DEBUG:-true} $(BIN)/python manage.py make_signing_ca .dev-ca --if-missing
	DEBUG=$${DEBUG:-true} $(BIN)/python manage.py runserver $(HOST):$(PORT)

migrate: install
	DEBUG=$${DEBUG:-true} $(BIN)/python manage.py migrate --no-input

# Browser tests drive the system Chromium, and the PDF tests read text with
# poppler's pdftotext; install them when they are missing.
chromium:
	@if [ ! -x "$(CHROMIUM)" ] || ! command -v pdftotext >/dev/null; then \
		echo "Installing Chromium and poppler-utils for the tests"; \
		apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium poppler-utils >/dev/null; \
	fi

test: install chromium
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/pytest

# Measure every speed and memory target and rewrite docs/PERFORMANCE.md, against
# PostgreSQL (its own database, created when missing). `make bench BENCH=name` runs one.
BENCH_DATABASE_URL ?= postgres://postgres@127.0.0.1:5432/keepitlocal_bench
BENCH_ENV = DATABASE_URL=$(BENCH_DATABASE_URL) SECRET_KEY=benchmarks-only-not-a-secret \
	DEBUG=false SECURE_SSL_REDIRECT=false ALLOWED_HOSTS=127.0.0.1,localhost
bench: install wrk
	$(BENCH_ENV) $(BIN)/python -m bench $(BENCH)

# 50 clients through the main pages for 60 s, then two servers on one database; prints
# its figures and fails on any error or lost write (`make bench` puts it in the report).
LOADTEST_CLIENTS ?= 50
LOADTEST_SECONDS ?= 60
loadtest: install wrk
	$(BENCH_ENV) LOADTEST_CLIENTS=$(LOADTEST_CLIENTS) LOADTEST_SECONDS=$(LOADTEST_SECONDS) \
		$(BIN)/python -m bench loadtest

wrk:
	@if ! command -v wrk >/dev/null; then \
		echo "Installing wrk for the load benchmarks"; \
		apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq wrk >/dev/null; \
	fi

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: install
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

# Rebuild the committed GOV.UK Frontend CSS and JavaScript (needs Node and npm).
assets:
	npm ci --no-audit --no-fund
	npm run build
	cp node_modules/govuk-frontend/dist/govuk/govuk-frontend.min.js static/js/govuk-frontend.min.js

clean:
	rm -rf $(VENV) staticfiles .pytest_cache .ruff_cache
