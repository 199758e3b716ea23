# Performile — `make run` starts the platform, `make test` runs the whole suite.
# Both install what they need into .venv; with no DATABASE_URL / REDIS_URL they
# start a real PostgreSQL and Redis under .run/ (see performile/devstack.py).

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
DEVSTACK := $(BIN)/python -m performile.devstack
PYTEST_ARGS ?=
SCENARIO ?=

.PHONY: run test lint audit format bench messages lock system-deps clean help

help:
	@echo "make run    - the platform with demo data on http://localhost:8000"
	@echo "make test   - linters and the whole test suite (browser tests included)"
	@echo "make lint   - ruff check and ruff format --check"
	@echo "make bench  - benchmark scenarios (SCENARIO=<name> for one)"
	@echo "make messages - collect the texts to translate into locale/, compile them"

# uv installs the pinned requirements several times faster than pip (a warm cache
# makes it seconds). uv itself, at this version, is installed by pip once per
# machine, beside the caches of the packages (a venv of its own: ~6 s to make).
UV_VERSION := 0.13.9
UV_HOME := $(or $(XDG_CACHE_HOME),$(HOME)/.cache)/performile/uv-$(UV_VERSION)
UV := $(UV_HOME)/bin/uv
# uv compiles no bytecode at install (pip compiled every package: ~18 s of CPU on
# two cores); Python writes it for what each process imports, once. With
# PYTHONDONTWRITEBYTECODE set, every process would compile Django and the apps
# from source again (~4 s each, and `make run` starts a dozen).
unexport PYTHONDONTWRITEBYTECODE

$(UV):
	$(PYTHON) -m venv $(UV_HOME)
	$(UV_HOME)/bin/python -m pip install --quiet --disable-pip-version-check uv==$(UV_VERSION)

$(STAMP): requirements.txt requirements-dev.txt | $(UV)
	@$(PYTHON) -c 'import sys; v = sys.version_info; sys.exit(0 if v >= (3, 11) else f"Python 3.11+ is required; {sys.executable} is {v.major}.{v.minor}. Run: make PYTHON=python3.11 ...")'
	@test -x $(BIN)/python || $(UV) venv --quiet --seed --python "$$($(PYTHON) -c 'import sys; print(sys.executable)')" $(VENV)
	$(UV) pip install --quiet --python $(BIN)/python -r requirements-dev.txt
	@touch $@

system-deps:
	@scripts/system-deps.sh

# --roles: the platform connects as the application role, the owner role migrates
# (docs/configuration.md); make test keeps the superuser, which creates test databases.
run: $(STAMP) system-deps
	@$(DEVSTACK) --roles -- scripts/run-platform.sh

# pg_stat_statements: the bench smoke run checks each scenario counts statements.
test: $(STAMP) lint audit system-deps
	PERFORMILE_PG_STAT_STATEMENTS=1 $(DEVSTACK) --state .run/test -- $(BIN)/pytest $(PYTEST_ARGS)

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

# Known vulnerabilities in the pinned requirements (scripts/audit-deps.py).
audit: $(STAMP)
	$(BIN)/python scripts/audit-deps.py requirements.txt requirements-dev.txt

format: $(STAMP)
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

# The bench database is sized as a production one would be (1 GB of cache), and
# counts its statements (pg_stat_statements) for statements per event.
bench: $(STAMP) system-deps
	@PERFORMILE_PG_SHARED_BUFFERS=$${PERFORMILE_PG_SHARED_BUFFERS:-1GB} PERFORMILE_PG_STAT_STATEMENTS=1 $(DEVSTACK) --state .run/bench --roles -- $(BIN)/python -m bench $(SCENARIO)

# Customer-facing texts: collect what is marked for translation into locale/*.po
# (translate there), then compile the .mo files, which are committed. GNU gettext.
MESSAGES_ENV = DATABASE_URL=postgres://localhost/none REDIS_URL=redis://localhost:1 SECRET_KEY=messages
messages: $(STAMP)
	$(MESSAGES_ENV) $(BIN)/python manage.py makemessages -l sv -l nb -l da --no-wrap --no-location --ignore='.venv/*' --ignore='bench/*' --ignore='tests/*'
	$(MESSAGES_ENV) $(BIN)/python manage.py compilemessages --ignore='.venv/*'

lock:
	rm -rf .lock-venv && $(PYTHON) -m venv .lock-venv
	.lock-venv/bin/pip install --quiet -r requirements.in
	(echo "# Pinned runtime dependencies (from requirements.in; 'make lock' regenerates)."; .lock-venv/bin/pip freeze) > requirements.txt
	.lock-venv/bin/pip install --quiet -r requirements-dev.in
	(echo "# Pinned development and test tools (from requirements-dev.in)."; echo "-r requirements.txt"; .lock-venv/bin/pip freeze | grep -v -x -F -f requirements.txt) > requirements-dev.txt
	rm -rf .lock-venv

clean:
	rm -rf $(VENV) .run staticfiles .pytest_cache .ruff_cache
