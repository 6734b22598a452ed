# Arkivrutiner: the two commands a new user needs are `make run` and `make test`.
# Everything they need is installed by this file (Python venv via uv, npm test tools, Chromium).
SHELL := /bin/bash
PY ?= python3
UV_VERSION := 0.13.9
UV := .tools/bin/uv
VENV := .venv
BIN := $(VENV)/bin
PORT ?= 8000
DEV_DB ?= sqlite:///var/arkivrutiner.sqlite

.PHONY: help install run test test-sqlite test-postgres lint fmt typecheck browser-deps i18n clean

help: ## Show the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-14s %s\n", $$1, $$2}'

$(UV):
	$(PY) -m venv .tools
	.tools/bin/pip install -q "uv==$(UV_VERSION)"

$(BIN)/arkivrutiner: $(UV) pyproject.toml uv.lock
	$(UV) sync --frozen --quiet
	@touch $@

install: $(BIN)/arkivrutiner ## Create .venv with the pinned dependencies (uv.lock)

node_modules/axe-core/axe.min.js: package.json package-lock.json
	npm ci --no-audit --no-fund --silent
	@touch $@

browser-deps: node_modules/axe-core/axe.min.js ## axe-core (npm) and Chromium (Debian) for browser tests
	@command -v chromium >/dev/null || { \
	  echo "Installerer Chromium (Debian-pakken chromium) ..."; \
	  SUDO=$$( [ "$$(id -u)" = 0 ] || echo sudo ); \
	  $$SUDO apt-get update -qq && $$SUDO apt-get install -y -qq chromium >/dev/null; }

run: install ## Start the app on SQLite with demo data and dev login: http://127.0.0.1:8000
	ARKIV_DATABASE_URL=$${ARKIV_DATABASE_URL:-$(DEV_DB)} $(BIN)/arkivrutiner migrate
	ARKIV_DATABASE_URL=$${ARKIV_DATABASE_URL:-$(DEV_DB)} $(BIN)/arkivrutiner demo-data
	ARKIV_DATABASE_URL=$${ARKIV_DATABASE_URL:-$(DEV_DB)} $(BIN)/arkivrutiner serve --port $(PORT)

# With CI=true both rounds run at the same time (.ci/test-rounds: one log each, both exit codes).
test: install browser-deps ## Run the whole test suite (SQLite; also PostgreSQL when CI=true)
	@if [ "$$CI" = "true" ] || [ -n "$$ARKIV_TEST_POSTGRES_TOO" ]; then \
	  PYTEST=$(BIN)/pytest .ci/test-rounds; \
	else \
	  $(BIN)/pytest; \
	fi

test-postgres: install browser-deps ## Run the test suite against PostgreSQL only
	ARKIV_TEST_DATABASE=postgres $(BIN)/pytest

lint: install ## ruff (lint + format check), mypy strict, import-linter
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy
	$(BIN)/lint-imports

fmt: install ## Format and auto-fix
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

i18n: install ## Extract strings and update the nynorsk catalogue
	mkdir -p var
	$(BIN)/pybabel extract -F babel.cfg -o var/messages.pot --no-location --sort-output .
	$(BIN)/pybabel update -i var/messages.pot -d core/locales -l nn --no-fuzzy-matching --ignore-obsolete

clean: ## Remove venvs, caches and the dev database
	rm -rf .tools $(VENV) node_modules var .pytest_cache .mypy_cache .ruff_cache
