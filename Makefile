# The two commands: `make run` and `make test`. Both need only Python 3.11+.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
HOST ?= 127.0.0.1
PORT ?= 8000
# Test processes for `make test`: one per core (pytest-xdist); 0 runs in this one.
TEST_PROCESSES ?= auto

.PHONY: run test lint format lock smoke clean

$(PY):
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip

# Both files pin every package with its hashes (see `lock`); pip refuses
# anything that does not match.
$(VENV)/.installed: requirements.txt | $(PY)
	$(PY) -m pip install --quiet --require-hashes -r requirements.txt
	touch $@

$(VENV)/.installed-dev: requirements.txt requirements-dev.txt | $(PY)
	$(PY) -m pip install --quiet --require-hashes -r requirements-dev.txt
	touch $@ $(VENV)/.installed

## run: install, migrate, load the demo salon if the database is empty, compile translations, start web + worker + beat
# Development mode (DEBUG=1) unless DEBUG is set: no SECRET_KEY needed on a laptop.
run: export DEBUG ?= 1
run: $(VENV)/.installed
	$(PY) manage.py migrate --noinput
	$(PY) manage.py seed_demo --if-empty
	$(PY) manage.py collectstatic --noinput --verbosity 0
	$(PY) manage.py compile_translations --verbosity 0
	$(PY) manage.py serve --host $(HOST) --port $(PORT)

## test: install test tools, lint, check the layers, check migrations, compile translations, run the whole suite
test: $(VENV)/.installed-dev
	$(PY) -m ruff check .
	$(PY) -m ruff format --check .
	$(VENV)/bin/lint-imports
	$(PY) scripts/testenv.py manage.py makemigrations --check --dry-run
	$(PY) scripts/testenv.py manage.py compile_translations --verbosity 0
	$(PY) scripts/testenv.py -m pytest --numprocesses $(TEST_PROCESSES) $(PYTEST_ARGS)

## lock: pin requirements.in and requirements-dev.in (every package, with hashes)
# PIP_CONFIG_FILE=/dev/null: only PyPI, whatever this machine's pip is set up to use.
PIP_COMPILE = PIP_CONFIG_FILE=/dev/null $(PY) -m piptools compile --quiet --generate-hashes --allow-unsafe \
	--strip-extras --no-emit-index-url --no-emit-find-links
lock: $(VENV)/.installed-dev
	$(PIP_COMPILE) --output-file requirements.txt requirements.in
	$(PIP_COMPILE) --output-file requirements-dev.txt requirements-dev.in

## smoke: install requirements.txt alone and run web, worker and beat as the Docker image does
smoke: $(VENV)/.installed-dev
	$(PY) scripts/smoke_production.py

lint: $(VENV)/.installed-dev
	$(PY) -m ruff check .
	$(PY) -m ruff format --check .
	$(VENV)/bin/lint-imports

format: $(VENV)/.installed-dev
	$(PY) -m ruff check --fix .
	$(PY) -m ruff format .

clean:
	rm -rf $(VENV) staticfiles var/celery var/test-* var/smoke
