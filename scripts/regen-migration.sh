#!/usr/bin/env bash
# Regenerate the initial Alembic migration from store/models.py.
# Only while no store exists in the field: once a release has shipped, add new revisions instead.
set -euo pipefail
cd "$(dirname "$0")/.."
rm -f store/migrations/versions/0001_initial_schema.py
db=$(mktemp -u /tmp/kuaixun-migration-XXXX.db)
.venv/bin/python - "$db" <<'PY'
import sys
from alembic import command
from store.db import alembic_config, create_store_engine
engine = create_store_engine(f"sqlite:///{sys.argv[1]}")
config = alembic_config()
with engine.begin() as connection:
    config.attributes["connection"] = connection
    command.revision(config, message="initial schema", autogenerate=True, rev_id="0001")
PY
rm -f "$db"
.venv/bin/ruff format -q store/migrations/versions/
.venv/bin/ruff check -q --fix store/migrations/versions/ || true
