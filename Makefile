# One command to set up and see a scorecard (`make demo`), one to test (`make test`).
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
# What analysing needs (make demo), then the test, browser and cluster extras (make test).
STAMP := $(VENV)/.installed
DEV_STAMP := $(VENV)/.installed-dev

.PHONY: install demo test lint bench clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	# torch is pinned to the CPU wheel; an unpinned torch pulls a multi-GB CUDA build.
	$(BIN)/python -m pip install --quiet "torch==2.13.0"
	$(BIN)/python -m pip install --quiet -e .
	touch $(STAMP)

$(DEV_STAMP): $(STAMP)
	$(BIN)/python -m pip install --quiet -e ".[dev]"
	touch $(DEV_STAMP)

install: $(STAMP)

demo: $(STAMP)
	$(BIN)/transcript-lens analyze samples/order_taker.vtt

test: $(DEV_STAMP)
	$(BIN)/python -m pytest -q

lint: $(DEV_STAMP)
	$(BIN)/ruff check src tests benchmarks
	$(BIN)/ruff format --check src tests benchmarks
	$(BIN)/mypy src

bench: $(DEV_STAMP)
	$(BIN)/python benchmarks/quality.py --classifier rules
	$(BIN)/python benchmarks/quality.py
	$(BIN)/python benchmarks/real_quality.py
	$(BIN)/python benchmarks/speed.py
	$(BIN)/python benchmarks/learned_speed.py

clean:
	rm -rf $(VENV) build dist src/*.egg-info .pytest_cache
