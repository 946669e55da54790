# The two commands a new user needs: `make run` and `make test`. Both build .venv from pyproject.toml first.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
PY := $(VENV)/bin/python
RUN_STAMP := $(VENV)/.installed-run
DEV_STAMP := $(VENV)/.installed-dev

.PHONY: run test check pytest install install-dev browser report-libs pdf-tools migrate seed clean

$(VENV)/bin/python:
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip

$(RUN_STAMP): pyproject.toml | $(VENV)/bin/python
	$(PY) -m pip install --quiet -e .
	touch $@

$(DEV_STAMP): pyproject.toml | $(VENV)/bin/python
	$(PY) -m pip install --quiet -e '.[dev]'
	touch $@ $(RUN_STAMP)

install: $(RUN_STAMP)
install-dev: $(DEV_STAMP)

## make run: install, migrate, load demo data, then serve on http://127.0.0.1:8000 with a Celery worker and beat.
run: install report-libs
	$(PY) manage.py migrate --noinput
	$(PY) manage.py seed_demo
	scripts/run-dev

## make test: install, lint, check migrations, then run the whole pytest suite (browser tests included).
test: install-dev browser report-libs pdf-tools check pytest

check: install-dev
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/lint-imports --no-cache
	$(PY) manage.py check
	$(PY) manage.py makemigrations --check --dry-run

pytest: install-dev
	$(PY) -m pytest $(PYTEST_ARGS)

# Debian's Chromium drives the Playwright tests; Playwright cannot download its own browser here.
browser:
	@command -v chromium >/dev/null 2>&1 || { \
		echo "Installing Debian's chromium for the browser tests"; \
		(apt-get install -y -q chromium >/dev/null 2>&1 || (apt-get update -q >/dev/null && apt-get install -y -q chromium >/dev/null)); }

# WeasyPrint draws the PDF reports through Pango, which a bare Debian lacks (fonts are vendored in static/reports/).
APT_INSTALL := apt-get install -y -q -o DPkg::Lock::Timeout=120
report-libs:
	@ldconfig -p | grep -q 'libpangoft2-1.0.so.0' || { \
		echo "Installing Pango for WeasyPrint's PDF reports"; \
		($(APT_INSTALL) libpango-1.0-0 libpangoft2-1.0-0 >/dev/null 2>&1 || \
		 (apt-get update -q >/dev/null && $(APT_INSTALL) libpango-1.0-0 libpangoft2-1.0-0 >/dev/null)); }

# The report tests read PDFs back with pdftotext and save their first pages with pdftoppm (Debian's poppler-utils).
pdf-tools:
	@command -v pdftotext >/dev/null 2>&1 && command -v pdftoppm >/dev/null 2>&1 || { \
		echo "Installing poppler-utils for the report tests"; \
		($(APT_INSTALL) poppler-utils >/dev/null 2>&1 || \
		 (apt-get update -q >/dev/null && $(APT_INSTALL) poppler-utils >/dev/null)); }

clean:
	rm -rf $(VENV) var db.sqlite3 db.sqlite3-* staticfiles test-artifacts
