# Set-up and everyday commands. `make demo` and `make test` install everything they need.
PYTHON ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
PORT ?= 8501
export XIAOGE_HOME ?= $(CURDIR)/data
# Java for the Spark target (dbt-spark in local mode), tested by `make test`.
export JAVA_HOME ?= /usr/lib/jvm/java-17-openjdk-amd64

.PHONY: install system-deps demo lab test lint notebooks-check notebooks format bench bench-spark docs clean

# The venv is rebuilt only when pyproject.toml changes.
$(VENV)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $@

install: $(VENV)/.installed system-deps

# The Spark extra (pyspark, ~490 MB) only for the tests, not for `make demo`.
$(VENV)/.spark-installed: $(VENV)/.installed
	$(BIN)/pip install --quiet -e '.[dev,spark]'
	touch $@

# Chromium (browser tests, chart export, PDF), a CJK font (Chinese text in charts), pdftoppm
# (PDF checks), Java 17 (the Spark target) and LibreOffice Calc (kpis.xlsx printed as a
# spreadsheet client prints it).
# Installed with apt when run as root; otherwise the command to run is printed.
system-deps:
	@if command -v chromium >/dev/null 2>&1 && command -v pdftoppm >/dev/null 2>&1 && command -v soffice >/dev/null 2>&1 && [ -x "$(JAVA_HOME)/bin/java" ] \
		&& fc-list :lang=zh 2>/dev/null | grep -q .; then \
		true; \
	elif [ "$$(id -u)" = "0" ]; then \
		echo "Installing chromium, fonts-wqy-zenhei, poppler-utils, openjdk-17-jre-headless and libreoffice-calc-nogui with apt-get"; \
		apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium fonts-wqy-zenhei poppler-utils openjdk-17-jre-headless libreoffice-calc-nogui >/dev/null; \
	else \
		echo "Chromium, a CJK font, pdftoppm, Java 17 or LibreOffice Calc is missing: run 'sudo apt-get install -y chromium fonts-wqy-zenhei poppler-utils openjdk-17-jre-headless libreoffice-calc-nogui'" >&2; \
	fi

demo: install
	$(BIN)/xiaoge demo --port $(PORT)

# JupyterLab on 127.0.0.1 with the notebooks folder open and the venv as its kernel.
$(VENV)/.lab-installed: $(VENV)/.installed
	$(BIN)/pip install --quiet -e '.[dev,lab]'
	touch $@

lab: $(VENV)/.lab-installed
	$(BIN)/xiaoge lab

# The installs and the linters first, side by side (apt's downloads and pip's overlap on a new
# machine); then two workers (pytest-xdist), each given whole test files, slowest first
# (tests/conftest.py).
TEST_WORKERS ?= 2
test:
	$(MAKE) --no-print-directory --jobs=3 --output-sync=target install $(VENV)/.spark-installed lint
	$(BIN)/pytest -n $(TEST_WORKERS) --dist loadfile --no-loadscope-reorder --durations=25

lint: $(VENV)/.installed
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/lint-imports
	cd dbt && XIAOGE_BUILD_DB=:memory: ../$(BIN)/sqlfluff lint models tests snapshots
	cd dbt && XIAOGE_BUILD_DB=:memory: ../$(BIN)/dbt parse --quiet --profiles-dir .
	COLUMNS=200 $(BOUNCER_VENV)/bin/dbt-bouncer --config-file dbt/dbt-bouncer.yml
	$(BIN)/python -m tests.dbt_rules dbt/target/manifest.json
lint: notebooks-check

# Each notebook and its jupytext pair (.py, percent format) hold the same cells, and the
# committed notebook has no outputs. `make notebooks` syncs the pairs and strips the outputs.
NOTEBOOKS ?= dashboards/notebooks
notebooks-check: $(VENV)/.installed
	$(BIN)/python -m warehouse.lab check $(NOTEBOOKS)

notebooks: $(VENV)/.installed
	$(BIN)/jupytext --sync $(NOTEBOOKS)/*.ipynb
	$(BIN)/nbstripout $(NOTEBOOKS)/*.ipynb

# The dbt convention linter (dbt/dbt-bouncer.yml; docs/dbt-conventions.md). dbt-bouncer pins
# duckdb<2, which our venv cannot have, so it gets a venv of its own (git-ignored).
BOUNCER_VENV := .venv-dbt-bouncer
lint: $(BOUNCER_VENV)/.installed
$(BOUNCER_VENV)/.installed:
	$(PYTHON) -m venv $(BOUNCER_VENV)
	$(BOUNCER_VENV)/bin/pip install --quiet dbt-bouncer==4.3.0
	touch $@

# The city-scale benchmark (not part of `make test`): rewrites docs/performance.md.
bench: install
	$(BIN)/python -m tests.benchmarks.bench

# The build step on DuckDB and on Spark at small and city scale (docs/scale-out.md's sizing).
bench-spark: install .venv/.spark-installed
	$(BIN)/python -m tests.benchmarks.spark_sizing

# dbt's documentation site for analysts, from the published warehouse.
docs: install
	$(BIN)/xiaoge docs

format: $(VENV)/.installed
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

clean:
	rm -rf $(VENV) dbt/target dbt/logs .pytest_cache
