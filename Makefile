# Two commands for a fresh machine: `make demo` and `make test`. Both build their own venv.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
export FLASK_APP := wsgi

# the suite runs on every core (pytest-xdist; a worker that runs out of tests takes some from
# another, so a few long browser tests do not leave one core idle at the end) and names its 20
# slowest steps; PYTEST_ARGS adds or overrides options
WORKERS ?= auto
# coverage is measured, printed and held to its floor (pyproject.toml) unless COVERAGE= is given
COVERAGE ?= --cov=dcx --cov-report=term:skip-covered

.PHONY: demo test lint format install lock translations bench clean

# Exactly the versions in requirements.lock (hashes checked), then the project itself.
$(STAMP): pyproject.toml requirements.lock
	$(PYTHON) -m venv --clear $(VENV)
	$(BIN)/pip install -q --upgrade pip
	$(BIN)/pip install -q --require-hashes -r requirements.lock
	$(BIN)/pip install -q --no-deps -e .
	touch $(STAMP)

install: $(STAMP)
	$(BIN)/pybabel compile -d dcx/translations

demo: install  ## seed the showcase on SQLite and serve it at http://127.0.0.1:5000/
	$(BIN)/flask dcx demo

test: install lint  ## the whole suite in parallel: lint, unit, views, browser (headless Chromium), coverage
	scripts/preflight
	$(BIN)/pytest -n $(WORKERS) --dist worksteal --durations=20 $(COVERAGE) $(PYTEST_ARGS)

lock:  ## refresh requirements.lock after changing a range in pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q uv
	$(BIN)/uv pip compile -q pyproject.toml --extra dev --extra redis --generate-hashes --universal --python-version 3.11 -o requirements.lock

# Lint once per change of the sources: `make test` after `make lint` (as CI runs them) does not
# check the same files again.
PY_SOURCES := $(shell find dcx tests bench migrations -name '*.py' -not -path '*/__pycache__/*') wsgi.py pyproject.toml
LINTED := $(VENV)/.linted

lint: $(LINTED)  ## ruff (lint and format), the type checker and the security lint

# bandit at medium severity and above: each accepted finding is marked `# nosec BXXX` with
# its reason beside it.
$(LINTED): $(STAMP) $(PY_SOURCES)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy
	$(BIN)/bandit -q -r dcx -ll
	touch $(LINTED)

format: $(STAMP)
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

translations: $(STAMP)  ## extract, merge and compile the catalogues (the site's and the default showcase's texts)
	$(BIN)/pybabel extract -F babel.cfg -k _l -o dcx/translations/messages.pot .
	$(BIN)/pybabel update -N --ignore-obsolete -i dcx/translations/messages.pot -d dcx/translations
	$(BIN)/pybabel compile -d dcx/translations
	$(BIN)/flask dcx showcase-texts default

# `make bench SCALE=200 DURATION=2` for a quicker run; BENCH_ARGS adds options of bench/load.py
SCALE ?= 2000
DURATION ?= 5
bench: install  ## load benchmark at size (gunicorn + wrk, every page, the ingest API), then the service benchmarks; writes bench/RESULTS.md
	$(BIN)/python bench/load.py --scale $(SCALE) --duration $(DURATION) $(BENCH_ARGS)
	for f in bench/bench_*.py; do $(BIN)/python $$f || exit 1; done

clean:
	rm -rf $(VENV) instance .pytest_cache
