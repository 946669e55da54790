#!/usr/bin/env bash
# Build a PostgreSQL database holding every real dataset, its scores and a trained forecast: the database the
# benchmarks and forecast figures in docs/benchmarks.md and docs/forecast.md were measured on.
#   scripts/make-real-db.sh [database]      (default aw_real; needs PostgreSQL on 127.0.0.1 as user postgres and
#                                           the real data in ATROCITY_WATCH_DATA_DIR, ../shared/data by default)
# The database is dropped and made again. About 4 minutes on an idle 2-core machine.
set -euo pipefail
cd "$(dirname "$0")/.."
DB=${1:-aw_real}
PGHOST=${PGHOST:-127.0.0.1}
dropdb -h "$PGHOST" -U postgres --if-exists "$DB"
createdb -h "$PGHOST" -U postgres "$DB"
export DATABASE_URL="postgres://postgres@$PGHOST:5432/$DB" DEBUG=true
PY=.venv/bin/python
"$PY" manage.py migrate --noinput >/dev/null
"$PY" manage.py seed_demo --import-now   # every real file inline, and the demo users
"$PY" manage.py recompute_scores
"$PY" manage.py forecast_train
