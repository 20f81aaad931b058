"""Alembic environment: migrations run from the program (``store.db.open_store``), not a CLI."""

from typing import Any

from alembic import context
from sqlalchemy.types import TypeDecorator

from store.models import SCHEDULER_TABLE, Base


def _ours(name: str | None, kind: str, _parents: object) -> bool:
    """Autogenerate never proposes dropping the scheduler's job table, which is not in the models."""
    return not (kind == "table" and name == SCHEDULER_TABLE)


def _render_item(kind: str, obj: Any, autogen_context: Any) -> str | bool:
    """A column of a project type (the typed notice record) is written as the type it stores in,
    so a migration never imports the models it migrates."""
    if kind == "type" and isinstance(obj, TypeDecorator):
        return f"sa.{obj.impl_instance!r}"
    return False


connection = context.config.attributes["connection"]
context.configure(
    connection=connection,
    target_metadata=Base.metadata,
    render_as_batch=True,
    render_item=_render_item,
    include_name=_ours,
)
with context.begin_transaction():
    context.run_migrations()
