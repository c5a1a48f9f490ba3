# The two commands of the README: `make demo` and `make test`.
PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
DISTS  := $(wildcard core/pyproject.toml plugins/*/pyproject.toml contrib/*/pyproject.toml) pyproject.toml

REFERENCE := benchmarks/.venvs/reference

.PHONY: setup reference-venv demo test lint bench race screenshots clean

setup: $(STAMP)

$(STAMP): requirements-dev.txt $(DISTS)
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -r requirements-dev.txt
	touch $(STAMP)

# jobify 0.14.0, the reference that tests/conformance compares this project with, with
# the extras its serializers and type adapter need (the virtualenv benchmarks/compare.py
# makes when it is missing; the extras do not change 0.14's defaults).
reference-venv: $(REFERENCE)/.installed

$(REFERENCE)/.installed:
	test -x $(REFERENCE)/bin/python || $(PYTHON) -m venv $(REFERENCE)
	$(REFERENCE)/bin/python -m pip install --quiet "jobify[cbor2,msgpack,orjson,pydantic]==0.14.0"
	touch $@

# Runs the demo app on the embedded defaults (SQLite in ./jobify.db, no server)
# for DEMO_SECONDS (12), then stops it with SIGINT as Ctrl+C would. Its dashboard
# ([jobify.web] listen in jobify.toml) needs a token: a throwaway one is made for
# the run and printed, unless JOBIFY_WEB_TOKEN is set.
DEMO_SECONDS ?= 12
demo: setup
	@if [ -n "$$JOBIFY_WEB_TOKEN" ]; then token="$$JOBIFY_WEB_TOKEN"; shown='$$JOBIFY_WEB_TOKEN'; \
	else token="$$($(BIN)/python -c 'import secrets; print(secrets.token_urlsafe(18))')"; shown="$$token"; fi; \
	echo "dashboard: http://127.0.0.1:8765/  token: $$shown  (for this run; make demo DEMO_SECONDS=600 keeps it up longer)"; \
	JOBIFY_WEB_TOKEN="$$token" timeout --preserve-status --signal=INT $(DEMO_SECONDS) $(BIN)/jobify run

# Runs pytest against a throwaway local PostgreSQL server, with Debian's headless
# Chromium for the dashboard's browser tests (each installed when missing).
test: setup reference-venv
	scripts/with-postgres scripts/with-chromium $(BIN)/pytest
	$(MAKE) lint

# The dashboard's screenshots in contrib/jobify-web/docs/, taken by its browser tests.
screenshots: setup
	JOBIFY_WEB_SCREENSHOTS=1 scripts/with-chromium $(BIN)/pytest contrib/jobify-web/tests/test_browser.py

lint: setup
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy

# Per-combination suites, timed; saved under .benchmarks/ (pytest-benchmark compare).
bench: setup
	$(BIN)/pytest benchmarks --benchmark-enable --benchmark-group-by=group \
		--benchmark-columns=min,median,ops,rounds --benchmark-autosave

# Side-by-side race with jobify 0.14.0 and APScheduler 3.11 (own venvs in benchmarks/.venvs).
race: setup
	$(BIN)/python benchmarks/compare.py

clean:
	rm -rf $(VENV) jobify.db jobify.db-wal jobify.db-shm jobify.db.jobify_schedules.lock
