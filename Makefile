# Set-up and everyday commands. `make demo` and `make test` install everything they need.
PYTHON ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
PORT ?= 8501
export XIAOGE_HOME ?= $(CURDIR)/data

.PHONY: install system-deps demo test lint format bench docs clean

# The venv is rebuilt only when pyproject.toml changes.
$(VENV)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $@

install: $(VENV)/.installed system-deps

# Chromium (browser tests, chart export, PDF) and a CJK font (Chinese text in charts).
# Installed with apt when run as root; otherwise the command to run is printed.
system-deps:
	@if command -v chromium >/dev/null 2>&1 && command -v pdftoppm >/dev/null 2>&1 && fc-list :lang=zh 2>/dev/null | grep -q .; then \
		true; \
	elif [ "$$(id -u)" = "0" ]; then \
		echo "Installing chromium, fonts-wqy-zenhei and poppler-utils with apt-get"; \
		apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium fonts-wqy-zenhei poppler-utils >/dev/null; \
	else \
		echo "Chromium, a CJK font or pdftoppm is missing: run 'sudo apt-get install -y chromium fonts-wqy-zenhei poppler-utils'" >&2; \
	fi

demo: install
	$(BIN)/xiaoge demo --port $(PORT)

test: install lint
	$(BIN)/pytest

lint: $(VENV)/.installed
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: $(VENV)/.installed
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

clean:
	rm -rf $(VENV) dbt/target dbt/logs .pytest_cache
