#!/usr/bin/env bash
# Run the whole pipeline on the bundled sample chat and register the model in MLflow:
# ingest -> prepare -> train -> evaluate -> register, with the settings of
# configs/experiment/demo.yaml (CPU, a few minutes of LoRA training).
#
# Usage: scripts/demo.sh [HYDRA_OVERRIDES...]    e.g. scripts/demo.sh trainer.max_steps=20
# It needs only the installed .venv: it runs `twinchat train`, not DVC, so a fresh clone
# works without `dvc` state. Runs and the model go to sqlite:///mlflow.db and ./mlruns
# unless MLFLOW_TRACKING_URI names another store.
set -euo pipefail
cd "$(dirname "$0")/.."

export HF_HUB_OFFLINE=1 TRANSFORMERS_OFFLINE=1 HF_DATASETS_OFFLINE=1
export MLFLOW_DISABLE_TELEMETRY=true DO_NOT_TRACK=true DVC_NO_ANALYTICS=1
TWINCHAT="${TWINCHAT:-.venv/bin/twinchat}"

started=$(date +%s)
"$TWINCHAT" train experiment=demo "$@"
elapsed=$(( $(date +%s) - started ))

cat <<MESSAGE

Demo finished in $(( elapsed / 60 )) min $(( elapsed % 60 )) s.
  report:     evaluation/report.md (samples in evaluation/samples.md, plots in evaluation/plots/)
  MLflow UI:  make mlflow-ui, then open http://127.0.0.1:5000
  chat:       .venv/bin/twinchat chat --model twinchat-juniper-vale@champion
MESSAGE
