# `make run` and `make test` work on a fresh machine: they install uv (when missing), the
# locked dependencies into .venv with Python from .python-version, and what the tests need.
SHELL := /bin/bash
export UV_PYTHON_DOWNLOADS := never
export UV_PROJECT_ENVIRONMENT := .venv
UV := $(shell command -v uv 2>/dev/null || echo .tools/bin/uv)
VENV := .venv/bin
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: install run demo test test-fast lint format typecheck messages browser-deps belenios-deps node-deps clean

.tools/bin/uv:
	python3 -m venv .tools
	.tools/bin/pip install --quiet --disable-pip-version-check uv

$(VENV)/folkmoot: pyproject.toml uv.lock | $(if $(findstring .tools,$(UV)),.tools/bin/uv)
	$(UV) sync --locked
	@touch $@

install: $(VENV)/folkmoot
	@# Compiled translations are build products, made from the committed .po files.
	@$(VENV)/folkmoot compilemessages --ignore=.venv --ignore=.tools -v 0

run: install
	@mkdir -p var
	$(VENV)/folkmoot migrate --no-input -v 0
	$(VENV)/folkmoot createcachetable
	$(VENV)/folkmoot demo
	@# The server and the worker (results, elections, notifications, mail) together; Ctrl-C
	@# stops both (honcho signals each process and waits for it).
	FOLKMOOT_HOST=$(HOST) FOLKMOOT_PORT=$(PORT) $(VENV)/honcho --procfile Procfile.dev start

demo: install
	@mkdir -p var
	$(VENV)/folkmoot migrate --no-input -v 0
	$(VENV)/folkmoot createcachetable
	$(VENV)/folkmoot demo

# Browser tests drive Debian's Chromium through Playwright; never a downloaded browser.
browser-deps:
	@{ command -v chromium && [ -d /usr/share/fonts/opentype/noto ]; } >/dev/null || { \
	  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium fonts-noto-cjk >/dev/null; }

# Sealed ballots are checked with Debian's belenios-tool (2.0), Belenios's own verifier.
belenios-deps:
	@command -v belenios-tool >/dev/null || { \
	  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq belenios-tool >/dev/null; }

# axe-core, which the accessibility test runs inside Chromium, from the npm registry as locked
# in package-lock.json (Node.js and npm: apt-get installs them where missing).
node_modules/axe-core/axe.min.js: package.json package-lock.json
	@command -v npm >/dev/null || { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq nodejs npm >/dev/null; }
	npm ci --ignore-scripts --no-audit --no-fund --loglevel=error
	@touch $@

node-deps: node_modules/axe-core/axe.min.js

test: install browser-deps belenios-deps node-deps
	$(VENV)/pytest -n 2 --dist loadfile

test-fast: install belenios-deps
	$(VENV)/pytest -n 2 -m "not browser"

lint: install
	$(VENV)/ruff check .
	$(VENV)/ruff format --check .
	$(VENV)/mypy
	$(VENV)/folkmoot makemigrations --check --dry-run

format: install
	$(VENV)/ruff check --fix .
	$(VENV)/ruff format .

messages: install
	cd src/folkmoot && ../../$(VENV)/folkmoot makemessages -l es -l fr -l ja --no-obsolete --no-location --ignore='*/help/*'

clean:
	rm -rf .venv .tools var node_modules .pytest_cache .mypy_cache .ruff_cache
