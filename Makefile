# Safe Pathways: `make demo` runs the product on SQLite with a synthetic borough; `make test` runs every check.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
PORT ?= 8000
PEOPLE ?= 2000
SEED ?= 2026
PGPORT ?= 54329
PG_URL := postgres://postgres@127.0.0.1:$(PGPORT)/safepathways

.PHONY: demo test lint typecheck test-sqlite test-postgres test-e2e bench clean assets

$(VENV)/.installed: requirements/base.txt requirements/dev.txt
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -r requirements/dev.txt
	touch $@

node_modules/.installed: package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	touch $@

safepathways/static/css/app.css: node_modules/.installed assets/scss/app.scss
	npm run --silent build:css

assets: safepathways/static/css/app.css

demo: $(VENV)/.installed assets
	DJANGO_SETTINGS_MODULE=config.settings.local $(PY) manage.py migrate --noinput
	DJANGO_SETTINGS_MODULE=config.settings.local $(PY) manage.py generate_borough --people $(PEOPLE) --seed $(SEED)
	DJANGO_SETTINGS_MODULE=config.settings.local $(PY) manage.py sweep_breaches
	DJANGO_SETTINGS_MODULE=config.settings.local $(PY) manage.py sweep_authorisations
	DJANGO_SETTINGS_MODULE=config.settings.local $(PY) manage.py sweep_gaps
	@echo "Safe Pathways is running at http://127.0.0.1:$(PORT)/ (Ctrl+C to stop)"
	DJANGO_SETTINGS_MODULE=config.settings.local $(PY) manage.py runserver 127.0.0.1:$(PORT) --noreload

lint: $(VENV)/.installed assets
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/lint-imports
	$(PY) scripts/lint_model_usage_in_views.py
	DJANGO_SETTINGS_MODULE=config.settings.test $(PY) manage.py makemigrations --check --dry-run
	DJANGO_SETTINGS_MODULE=config.settings.test $(PY) manage.py check
	DJANGO_SETTINGS_MODULE=config.settings.test $(PY) manage.py spectacular --validate --fail-on-warn --file /dev/null
	DJANGO_SECRET_KEY=$$($(PY) -c 'import secrets; print(secrets.token_urlsafe(50))') \
		SAFEPATHWAYS_ENCRYPTION_KEYS=$$($(PY) manage.py generate_encryption_key --settings config.settings.test) \
		DJANGO_ALLOWED_HOSTS=safepathways.example DATABASE_URL=$(PG_URL) \
		DJANGO_SETTINGS_MODULE=config.settings.production $(PY) manage.py check --deploy --fail-level WARNING

typecheck: $(VENV)/.installed
	$(VENV)/bin/mypy .

test-sqlite: $(VENV)/.installed assets
	$(PY) -m pytest -q -m "not e2e"

# A throwaway PostgreSQL server for the run: service tests, then the browser journeys.
test-postgres: $(VENV)/.installed assets
	scripts/pg-tmp.sh start
	trap 'scripts/pg-tmp.sh stop' EXIT; \
	DATABASE_URL=$(PG_URL) $(PY) -m pytest -q -m "not e2e" && \
	DATABASE_URL=$(PG_URL) $(PY) -m pytest -q -m e2e -p no:randomly

test: lint typecheck test-sqlite test-postgres

# The benchmark has its own throwaway server, so it can run beside `make test`.
BENCH_PGPORT ?= 54339
bench: $(VENV)/.installed
	PGPORT=$(BENCH_PGPORT) PGROOT=/tmp/safepathways-bench-pg scripts/pg-tmp.sh start
	trap 'PGPORT=$(BENCH_PGPORT) PGROOT=/tmp/safepathways-bench-pg scripts/pg-tmp.sh stop' EXIT; \
	DATABASE_URL=postgres://postgres@127.0.0.1:$(BENCH_PGPORT)/safepathways $(PY) bench/run.py

clean:
	rm -rf $(VENV) node_modules safepathways/static/css var
