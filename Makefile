# Unroll: `make run` serves the app on SQLite; `make test` runs every check CI runs.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
# gunicorn.conf.py reads HOST, PORT, WORKERS and THREADS (127.0.0.1, 8000, 2, 8 when unset).
export HOST PORT WORKERS THREADS
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)
export FLASK_APP := app
# The demo's small matrix products are fastest, and fairest to other requests, on one BLAS thread.
export OPENBLAS_NUM_THREADS := 1
export OMP_NUM_THREADS := 1

.PHONY: run test lint install install-dev chromium nginx bench screenshots pygments-css clean

run: $(VENV)/.installed
	$(BIN)/flask db upgrade
	$(BIN)/flask content sync
	$(BIN)/gunicorn --config gunicorn.conf.py

test: $(VENV)/.installed-dev chromium nginx lint
	$(BIN)/pytest

lint: $(VENV)/.installed-dev
	$(BIN)/ruff check app tests bench migrations
	$(BIN)/ruff format --check app tests bench
	$(BIN)/lint-imports

install: $(VENV)/.installed
install-dev: $(VENV)/.installed-dev

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet --config-settings editable_mode=compat -e .
	touch $@

$(VENV)/.installed-dev: pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet --config-settings editable_mode=compat -e '.[dev]'
	touch $(VENV)/.installed $@

# Browser tests use Debian's Chromium where apt exists; elsewhere Playwright's own build.
chromium: $(VENV)/.installed-dev
	@if [ -x /usr/bin/chromium ]; then :; \
	elif command -v apt-get >/dev/null; then \
		$(SUDO) apt-get update -qq && $(SUDO) apt-get install -y -qq chromium >/dev/null; \
	else $(BIN)/playwright install chromium; fi

# The deployment tests put Debian's nginx, as deploy/nginx/ configures it, in front of gunicorn.
nginx:
	@if command -v nginx >/dev/null || [ -x /usr/sbin/nginx ]; then :; \
	elif command -v apt-get >/dev/null; then \
		$(SUDO) apt-get update -qq && $(SUDO) apt-get install -y -qq nginx >/dev/null; \
	else echo "nginx not found: tests/deploy will skip the proxy test"; fi

bench: $(VENV)/.installed-dev
	@command -v wrk >/dev/null || ! command -v apt-get >/dev/null || \
		($(SUDO) apt-get update -qq && $(SUDO) apt-get install -y -qq wrk >/dev/null)
	$(BIN)/python bench/content.py
	$(BIN)/python bench/study.py
	$(BIN)/python bench/fsrs.py
	$(BIN)/python bench/http.py

# Phone and desktop screenshots, light and dark, into build/screenshots/ (the browser tests take them).
screenshots: $(VENV)/.installed-dev chromium
	$(BIN)/pytest tests/browser -q -k fit_phone

pygments-css: $(VENV)/.installed
	$(BIN)/python -m app.web.pygments_css > app/static/pygments.css

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache .hypothesis
