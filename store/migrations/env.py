"""Alembic environment: migrations run from the program (``store.db.open_store``), not a CLI."""

from alembic import context

from store.models import SCHEDULER_TABLE, Base


def _ours(name: str | None, kind: str, _parents: object) -> bool:
    """Autogenerate never proposes dropping the scheduler's job table, which is not in the models."""
    return not (kind == "table" and name == SCHEDULER_TABLE)


connection = context.config.attributes["connection"]
context.configure(
    connection=connection, target_metadata=Base.metadata, render_as_batch=True, include_name=_ours
)
with context.begin_transaction():
    context.run_migrations()
