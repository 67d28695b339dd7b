# The two commands of the README: `make serve` and `make test`. Each does all of its own set-up.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV   ?= .venv
BIN    := $(VENV)/bin
PIP    := $(BIN)/python -m pip --disable-pip-version-check --quiet
RUNTIME_STAMP := $(VENV)/.runtime-installed
DEV_STAMP     := $(VENV)/.dev-installed
PYTEST_ARGS   ?=

.PHONY: help install dev browser nginx client bundle serve test lint format typecheck pytest fuzz bench clean

help:  ## List the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-10s %s\n", $$1, $$2}'

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(PIP) install --upgrade pip

$(RUNTIME_STAMP): pyproject.toml | $(BIN)/python
	$(PIP) install -e .
	touch $@

$(DEV_STAMP): pyproject.toml $(RUNTIME_STAMP)
	$(PIP) install -e '.[dev]'
	touch $@

install: $(RUNTIME_STAMP)  ## Create .venv and install the service

dev: $(DEV_STAMP)  ## Install the service and the development tools

bundle: install  ## Build the city bundle for the current inputs (no-op when it exists)
	$(BIN)/heritage build

serve: bundle  ## Build the bundle if missing, then serve the API on 127.0.0.1:8000
	$(BIN)/heritage serve

lint: dev  ## ruff lint and format check
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: dev  ## Apply ruff's fixes and formatting
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

typecheck: dev  ## mypy (strict on routing/ and recommender/)
	$(BIN)/mypy

# Debian's chromium + chromedriver for the browser test (tests/e2e/test_operator_page.py); it skips, loudly, without them.
browser:  ## Install chromium and chromium-driver with apt-get when missing
	@command -v chromium >/dev/null 2>&1 && command -v chromedriver >/dev/null 2>&1 \
	  || (apt-get update && apt-get install -y chromium chromium-driver) \
	  || echo "WARNING: could not install chromium / chromium-driver; the browser test will be skipped"

# Debian's nginx for the two-replica test (tests/e2e/test_replicas.py), which runs its own nginx on free ports; it
# skips, loudly, without it. The package's own service is stopped and disabled: nothing is left listening on port 80.
nginx:  ## Install nginx with apt-get when missing (the two-replica test's proxy)
	@test -x /usr/sbin/nginx || command -v nginx >/dev/null 2>&1 \
	  || (apt-get update && apt-get install -y nginx \
	      && (service nginx stop >/dev/null 2>&1; systemctl disable --now nginx >/dev/null 2>&1; true)) \
	  || echo "WARNING: could not install nginx; the two-replica test will be skipped"

# The TypeScript client (clients/typescript): npm ci from the lock file (again only when it changes), the OpenAPI document
# from the app, openapi-typescript's types, tsc --strict. The pytest suite does the same by itself
# (tests/e2e/test_typescript_client.py), in a copy, and then runs the flow test against a live server.
CLIENT_DIR   := clients/typescript
CLIENT_STAMP := $(CLIENT_DIR)/node_modules/.heritage-installed

$(CLIENT_STAMP): $(CLIENT_DIR)/package.json $(CLIENT_DIR)/package-lock.json
	cd $(CLIENT_DIR) && npm ci --no-audit --no-fund
	cat $^ | sha256sum | cut -c1-64 | tr -d '\n' > $@

client: dev $(CLIENT_STAMP)  ## Generate the TypeScript client from the OpenAPI document and type-check it
	$(BIN)/python $(CLIENT_DIR)/dump_openapi.py $(CLIENT_DIR)/openapi.json
	cd $(CLIENT_DIR) && npm run --silent generate && npm run --silent build

pytest: dev browser nginx  ## Run every test
	$(BIN)/pytest $(PYTEST_ARGS)

test: lint typecheck pytest  ## Lint, type-check and run every test

fuzz: dev  ## schemathesis over every /v1 operation on PostgreSQL + Redis, up to 500 cases each (about 4 min)
	HERITAGE_FUZZ_EXAMPLES=$${HERITAGE_FUZZ_EXAMPLES:-250} $(BIN)/pytest tests/api/test_fuzz.py -p no:cacheprovider

bench: dev  ## Run the benchmark programs (figures for docs/BENCHMARKS.md)
	$(BIN)/python -m bench.build

clean:  ## Remove the virtual environment, caches and built bundles
	rm -rf $(VENV) bundles .mypy_cache .ruff_cache .pytest_cache .hypothesis
