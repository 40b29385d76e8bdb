#!/usr/bin/env bash
# Create the `mlflow` database on a PostgreSQL server and start an MLflow tracking server that
# keeps runs and the model registry there, and serves artifacts from ARTIFACT_ROOT.
#
# Usage: mlflow/postgres.sh [PORT]
# Settings (environment variables, with their defaults):
#   PGHOST=127.0.0.1 PGPORT=5432 PGUSER=postgres  the server; any libpq variable works
#   MLFLOW_DB=mlflow                             the database to create and use
#   ARTIFACT_ROOT=./mlruns/server                where the server stores artifacts (git-ignored)
#   MLFLOW_WORKERS=2                             server worker processes
#
# Then point twinchat at the server: export MLFLOW_TRACKING_URI=http://127.0.0.1:PORT
set -euo pipefail
cd "$(dirname "$0")/.."

export MLFLOW_DISABLE_TELEMETRY=true DO_NOT_TRACK=true
export PGHOST="${PGHOST:-127.0.0.1}" PGPORT="${PGPORT:-5432}" PGUSER="${PGUSER:-postgres}"
PORT="${1:-5000}"
MLFLOW_DB="${MLFLOW_DB:-mlflow}"
ARTIFACT_ROOT="${ARTIFACT_ROOT:-./mlruns/server}"
MLFLOW="${MLFLOW:-.venv/bin/mlflow}"
WORKERS="${MLFLOW_WORKERS:-2}"

if ! pg_isready --quiet; then
    echo "error: PostgreSQL is not reachable at $PGHOST:$PGPORT; start it or set PGHOST/PGPORT" >&2
    exit 1
fi
exists="$(psql --dbname=postgres --tuples-only --no-align \
    --command="SELECT 1 FROM pg_database WHERE datname = '$MLFLOW_DB'")"
if [ "$exists" != "1" ]; then
    createdb "$MLFLOW_DB"
    echo "created database $MLFLOW_DB on $PGHOST:$PGPORT" >&2
fi

# The URI names psycopg 3, the installed driver. MLflow creates its tables on the first start.
# NOTE: the URI has no password, which fits a server with trust or peer authentication.
# Elsewhere, put the password in ~/.pgpass rather than on the command line.
exec "$MLFLOW" server \
    --backend-store-uri "postgresql+psycopg://$PGUSER@$PGHOST:$PGPORT/$MLFLOW_DB" \
    --artifacts-destination "$ARTIFACT_ROOT" \
    --serve-artifacts \
    --workers "$WORKERS" \
    --host 127.0.0.1 \
    --port "$PORT"
