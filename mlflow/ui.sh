#!/usr/bin/env bash
# Start the MLflow UI on the default local store: runs and registry in sqlite:///mlflow.db,
# artifacts under ./mlruns, both in the repository root. Usage: mlflow/ui.sh [PORT]
set -euo pipefail
cd "$(dirname "$0")/.."

export MLFLOW_DISABLE_TELEMETRY=true DO_NOT_TRACK=true
PORT="${1:-5000}"
MLFLOW="${MLFLOW:-.venv/bin/mlflow}"

exec "$MLFLOW" ui \
    --backend-store-uri sqlite:///mlflow.db \
    --default-artifact-root ./mlruns \
    --host 127.0.0.1 \
    --port "$PORT"
