"""``kuaixun search QUERY``: the desk's search (store.search) in the terminal, terms in 【】."""

from __future__ import annotations

from pipeline.query import compile_query, excerpt, highlight
from store import search
from store.db import Database
from store.search import Scope, SearchHit


def search_lines(db: Database, text: str, scope: Scope, page: int, size: int) -> list[str]:
    """One line per notice of page ``page`` (best first), its excerpt below, then the count.
    Raises QueryError for a malformed query."""
    query = compile_query(text)
    with db.session() as session:
        found = search.search(session, query, scope, offset=(page - 1) * size, limit=size)
    lines = [line for hit in found.hits for line in _lines(hit)]
    pages = max(1, -(-found.total // size))
    return [*lines, f"{found.total} notice(s) match (page {page} of {pages})"]


def _lines(hit: SearchHit) -> list[str]:
    values = [term.value for term in hit.terms if term.highlights]
    record = hit.record
    date = record.publish_date or "-"
    head = f"#{hit.notice.id:<6} {date:<10} {hit.notice.category}  {_marked(record.title, values)}"
    around = excerpt(record.body_text, values) if values else None
    return [head, *([f"        {_marked(around, values)}"] if around else []), f"        {hit.notice.url}"]


def _marked(text: str, values: list[str]) -> str:
    return "".join(f"【{piece}】" if hit else piece for piece, hit in highlight(text, values))
