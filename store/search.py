"""Full-text search over every stored notice with the alert query language (``pipeline.query``).

Each notice's newest version is kept in ``notice_search`` in the normal form queries compare
(NFKC, case-folded, no whitespace), written as the notice is stored (``index_notice``). The
database's own index makes substring tests fast without word segmentation: on SQLite an FTS5
table with the trigram tokenizer over it (kept in step by triggers), on PostgreSQL pg_trgm GIN
indexes that serve ``LIKE '%…%'``. Neither is part of the Alembic schema: ``ensure_index`` makes
them when the store is opened, and fills the table for notices stored before it existed.

A query compiles to one SQL condition that is exact for every part (a term is a substring test
of its normalised column, NOT/AND/OR map one to one), so counts and pages come from SQL; each
hit shown is then confirmed by ``Query.match``, which also yields the terms to highlight.
"""

from __future__ import annotations

import itertools
import logging
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import (
    ColumnElement,
    Engine,
    and_,
    case,
    delete,
    false,
    func,
    insert,
    literal_column,
    not_,
    or_,
    select,
    text,
    true,
    union,
)
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session
from sqlalchemy.sql.util import find_tables

from pipeline.query import TEXT, All, AnyOf, Document, Node, Not, Query, Term, field_term, normalize
from pipeline.records import ExtractedNotice
from store.models import Notice, NoticeRegion, NoticeSearch, NoticeVersion

log = logging.getLogger(__name__)

FTS_TABLE = "notice_fts"
FTS_COLUMNS = ("title", "text", "agencies", "doc")
TRIGRAM = 3
"""Characters a term needs for the trigram indexes to find it directly."""
BIGRAM = 2
"""On SQLite a two-character term is found through the trigrams it begins; one character is scanned for."""
END = "\n"
"""Ends every indexed column: no query term holds whitespace, so it changes no match, and every
pair of characters in a column then begins a trigram."""
LAST_CHARACTER = "\U0010ffff"
FTS_VOCAB = "notice_fts_vocab"
TITLE_WEIGHT = 1
"""Points per query term found in the title: a notice naming the terms in its title ranks first."""
_IDEOGRAPH_LOW, _IDEOGRAPH_HIGH = "\u4e00", "\u9fff"
"""CJK Unified Ideographs: the characters ``holds_word`` may look for through the index."""
LISTED_AT_MOST = 5_000
"""Matches ``subscribe test`` lists whole and sorts; with more (one notice in twenty at 100,000)
its page is among the newest notices (~1,000 tested one by one for a page of 50)."""
NEWEST_FIRST = (Notice.publish_date.desc().nulls_last(), Notice.id.desc())
SCANNED_AT_MOST = 20_000
"""Notices of a subscription's regions whose words are tested row by row (~10 µs each on SQLite):
the index's list of a common word (a two-character one above all) costs more."""
BACKFILL_BATCH = 500
"""Notices indexed per query when the table is filled for an older store."""

_SQLITE_INDEX = (
    f"CREATE VIRTUAL TABLE IF NOT EXISTS {FTS_TABLE} USING fts5("
    f"{', '.join(FTS_COLUMNS)}, content='notice_search', content_rowid='notice_id', tokenize='trigram')",
    f"CREATE VIRTUAL TABLE IF NOT EXISTS {FTS_VOCAB} USING fts5vocab({FTS_TABLE}, 'row')",
    f"""CREATE TRIGGER IF NOT EXISTS notice_search_ai AFTER INSERT ON notice_search BEGIN
  INSERT INTO {FTS_TABLE}(rowid, title, text, agencies, doc)
  VALUES (new.notice_id, new.title, new.text, new.agencies, new.doc);
END""",
    f"""CREATE TRIGGER IF NOT EXISTS notice_search_ad AFTER DELETE ON notice_search BEGIN
  INSERT INTO {FTS_TABLE}({FTS_TABLE}, rowid, title, text, agencies, doc)
  VALUES ('delete', old.notice_id, old.title, old.text, old.agencies, old.doc);
END""",
    f"""CREATE TRIGGER IF NOT EXISTS notice_search_au AFTER UPDATE ON notice_search BEGIN
  INSERT INTO {FTS_TABLE}({FTS_TABLE}, rowid, title, text, agencies, doc)
  VALUES ('delete', old.notice_id, old.title, old.text, old.agencies, old.doc);
  INSERT INTO {FTS_TABLE}(rowid, title, text, agencies, doc)
  VALUES (new.notice_id, new.title, new.text, new.agencies, new.doc);
END""",
)
_POSTGRES_ORDER = (
    "CREATE INDEX IF NOT EXISTS ix_notices_newest ON notices (publish_date DESC NULLS LAST, id DESC)",
    "CREATE INDEX IF NOT EXISTS ix_notices_category_newest "
    "ON notices (category, publish_date DESC NULLS LAST, id DESC)",
)
"""Newest first as listings and searches order (undated last): PostgreSQL sorts NULL above every
date, so a plain index read backwards puts them first and the planner sorts every notice instead.
SQLite puts NULL below (its plain indexes serve) and takes no NULLS LAST in an index."""
_POSTGRES_INDEX = tuple(
    f"CREATE INDEX IF NOT EXISTS ix_notice_search_{column}_trgm "
    f'ON notice_search USING gin ("{column}" gin_trgm_ops)'
    for column in FTS_COLUMNS
)

_DROP_INDEX = {
    "sqlite": (
        *(f"DROP TRIGGER IF EXISTS notice_search_{event}" for event in ("ai", "ad", "au")),
        f"DROP TABLE IF EXISTS {FTS_VOCAB}",
        f"DROP TABLE IF EXISTS {FTS_TABLE}",
    ),
    "postgresql": tuple(f"DROP INDEX IF EXISTS ix_notice_search_{column}_trgm" for column in FTS_COLUMNS),
}


@dataclass(frozen=True)
class SearchHit:
    """One notice a query matched: the row, its newest record, and the terms found in it."""

    notice: Notice
    record: ExtractedNotice
    terms: tuple[Term, ...]
    version: int
    """The newest version's number: 1 until the notice is revised."""
    revised_at: datetime
    """When the newest version was stored (naive UTC)."""


@dataclass(frozen=True)
class SearchPage:
    """One page of results, best first, and how many notices match in all."""

    total: int
    hits: tuple[SearchHit, ...]


@dataclass(frozen=True)
class Scope:
    """What a search is narrowed to besides the query: sections and publish dates (ISO, inclusive)."""

    sections: tuple[str, ...] = ()
    since: str | None = None
    until: str | None = None
    with_deadlines: bool = False
    """Only notices that state a 截止日期."""


EVERYWHERE = Scope()


@dataclass(frozen=True)
class Narrowing:
    """A subscription's filters (``notify.subscriptions.Filters``): each list given must have a
    match, in the query language's terms (``section:``, ``region:``, ``agency:``) or the source's name."""

    sections: tuple[str, ...] = ()
    regions: tuple[str, ...] = ()
    agencies: tuple[str, ...] = ()
    sources: tuple[str, ...] = ()


# --------------------------------------------------------------------------- keeping the index


def search_values(notice_id: int, record: ExtractedNotice) -> dict[str, object]:
    """The normalised ``notice_search`` row of a record (the same fields ``pipeline.query.Document``
    compares), as an INSERT or a ``NoticeSearch(**row)`` takes it."""
    doc = Document.of(record)
    return {
        "notice_id": notice_id,
        "title": doc.title + END,
        "text": doc.text + END,
        "agencies": doc.agencies + END,
        "doc": doc.doc + END,
        "regions": "\n" + "\n".join(sorted(doc.regions)) + "\n",
        "deadlines": " ".join(d.date for d in record.deadlines if d.date),
    }


def region_rows(notice_id: int, regions: str) -> list[dict[str, object]]:
    """The ``notice_regions`` rows of a search row's ``regions`` column (one region a line): each
    region a query's ``region:`` would find."""
    return [{"notice_id": notice_id, "region": region} for region in filter(None, regions.split("\n"))]


def index_new_notices(session: Session, notices: Sequence[tuple[int, ExtractedNotice]]) -> None:
    """``index_notice`` for notices just made (id, newest record): they have no rows yet, so nothing
    to merge or delete, and one INSERT per table serves them all."""
    if not notices:
        return
    rows = [search_values(i, record) for i, record in notices]
    session.execute(insert(NoticeSearch), rows)
    if regions := [r for row in rows for r in region_rows(int(row["notice_id"]), str(row["regions"]))]:
        session.execute(insert(NoticeRegion), regions)


def index_notice(session: Session, notice_id: int, record: ExtractedNotice) -> None:
    """Make ``record`` (the notice's newest version) what searches see of the notice."""
    row = search_values(notice_id, record)
    session.merge(NoticeSearch(**row))
    session.execute(delete(NoticeRegion).where(NoticeRegion.notice_id == notice_id))
    if regions := region_rows(notice_id, str(row["regions"])):
        session.execute(insert(NoticeRegion), regions)


def ensure_index(engine: Engine) -> None:
    """The database's full-text index over ``notice_search`` (on PostgreSQL also the newest-first
    indexes of ``notices``), and a row for every stored notice."""
    with engine.begin() as connection:
        if engine.dialect.name == "sqlite":
            new = not connection.execute(
                text("SELECT 1 FROM sqlite_master WHERE name = :name"), {"name": FTS_TABLE}
            ).first()
            for statement in _SQLITE_INDEX:
                connection.execute(text(statement))
            if new:
                connection.execute(text(f"INSERT INTO {FTS_TABLE}({FTS_TABLE}) VALUES ('rebuild')"))
        elif engine.dialect.name == "postgresql":
            for statement in _POSTGRES_ORDER:
                connection.execute(text(statement))
    if engine.dialect.name == "postgresql":
        _postgres_index(engine)
    with Session(engine) as session, session.begin():
        _backfill(session)
        _backfill_regions(session)


@contextmanager
def index_suspended(engine: Engine) -> Iterator[None]:
    """A bulk load of ``notice_search`` (bench/make_store.py) with the full-text index dropped,
    then built once over every row: row by row, the index costs most of the load."""
    with engine.begin() as connection:
        for statement in _DROP_INDEX.get(engine.dialect.name, ()):
            connection.execute(text(statement))
    yield
    ensure_index(engine)


def _postgres_index(engine: Engine) -> None:
    """pg_trgm's GIN indexes; without the extension (no right to create it) searches scan instead."""
    try:
        with engine.begin() as connection:
            connection.execute(text("CREATE EXTENSION IF NOT EXISTS pg_trgm"))
            for statement in _POSTGRES_INDEX:
                connection.execute(text(statement))
    except DBAPIError as exc:
        log.warning("no trigram index for search (pg_trgm: %s); searches scan the notices", exc.orig)


def _backfill(session: Session) -> None:
    """Index the notices stored before ``notice_search`` existed (or by a program that did not index)."""
    # Notices are indexed as they are stored, and a store is backfilled when opened, so the newest
    # notice indexed means none is missing: two key lookups, where the NOT IN below (or a count)
    # reads every notice at every opening (over a second at 100,000 under load).
    if session.scalar(select(func.max(Notice.id))) == session.scalar(
        select(func.max(NoticeSearch.notice_id))
    ):
        return
    missing = select(Notice.id).where(Notice.id.not_in(select(NoticeSearch.notice_id)))
    for ids in batches(session.scalars(missing).all()):
        newest = (
            select(func.max(NoticeVersion.id))
            .where(NoticeVersion.notice_id.in_(ids))
            .group_by(NoticeVersion.notice_id)
        )
        versions = session.scalars(select(NoticeVersion).where(NoticeVersion.id.in_(newest)))
        index_new_notices(session, [(v.notice_id, v.record) for v in versions])


def _backfill_regions(session: Session) -> None:
    """The ``notice_regions`` rows of a store indexed before that table existed (from the search
    rows); once it holds any, every notice stored or indexed since has its rows."""
    if session.scalar(select(NoticeRegion.notice_id).limit(1)) is not None:
        return
    missing = select(NoticeSearch.notice_id, NoticeSearch.regions)
    rows = [row for notice_id, regions in session.execute(missing) for row in region_rows(notice_id, regions)]
    if rows:
        session.execute(insert(NoticeRegion), rows)


def batches(ids: Sequence[int], size: int = BACKFILL_BATCH) -> Iterator[list[int]]:
    """``ids`` in lists of ``size``, in order."""
    iterator = iter(ids)
    while batch := list(itertools.islice(iterator, size)):
        yield batch


# --------------------------------------------------------------------------- searching


def search(
    session: Session, query: Query, scope: Scope = EVERYWHERE, offset: int = 0, limit: int = 20
) -> SearchPage:
    """The notices ``query`` matches within ``scope``: best first (title hits, then body hits, then
    the newest), ``limit`` of them from ``offset``, and their total."""
    compiler = _Compiler(session)
    where = and_(compiler.condition(query.root), *_scope(scope))
    rank = _rank(query, compiler)
    page = (
        select(NoticeSearch.notice_id, func.count().over())  # the total comes with the page: one pass
        .join(Notice, Notice.id == NoticeSearch.notice_id)
        .where(where)
        .order_by(rank.desc(), Notice.publish_date.desc().nulls_last(), Notice.id.desc())
    )
    rows = session.execute(page.offset(offset).limit(limit)).all()
    ids = [notice_id for notice_id, _ in rows]
    total = rows[0][1] if rows else _count(session, where) if offset else 0
    return SearchPage(total=total, hits=tuple(_hits(session, query, ids)))


def search_all(session: Session, query: Query | None, scope: Scope, limit: int) -> list[SearchHit]:
    """Up to ``limit`` notices in ``scope`` (matching ``query`` if given), newest publish date first."""
    where: list[ColumnElement[bool]] = list(_scope(scope))
    if query is not None:
        where.append(_Compiler(session).condition(query.root))
    ids = list(
        session.scalars(
            select(NoticeSearch.notice_id)
            .join(Notice, Notice.id == NoticeSearch.notice_id)
            .where(*where)
            .order_by(Notice.publish_date.desc().nulls_last(), Notice.id.desc())
            .limit(limit)
        )
    )
    return _hits(session, query, ids)


def newest_matches(session: Session, query: Query, narrowed: Narrowing, limit: int | None) -> SearchPage:
    """``subscribe test``: the notices ``query`` matches within ``narrowed``, newest publish date
    first; the first ``limit`` (None: all), each confirmed by ``Query.match``, and the exact total
    (from SQL: no record is decoded beyond those shown).

    The total is counted alone (through the index), then the page is found by the cheaper of two
    ways: many matches are among the newest notices, tested one by one in date order; few are
    listed whole and sorted. One query doing both (``count() OVER``) let PostgreSQL's planner,
    which underestimates a common word, test every notice in date order (13 s at 100,000)."""
    scan = _few_in_regions(session, narrowed.regions)
    where = _matching(session, query, narrowed, scan)
    matching = select(NoticeSearch.notice_id).join(Notice, Notice.id == NoticeSearch.notice_id)
    if limit is None:
        ids = list(session.scalars(matching.where(where).order_by(*NEWEST_FIRST)))
        return SearchPage(total=len(ids), hits=tuple(_hits(session, query, ids)))
    total = _count(session, where)
    if total > LISTED_AT_MOST and not scan:
        probed = _matching(session, query, narrowed, scan=True)
        ids = list(session.scalars(matching.where(probed).order_by(*NEWEST_FIRST).limit(limit)))
    else:
        dated = session.execute(matching.add_columns(Notice.publish_date).where(where)).all()
        ids = _newest_first([(notice_id, published) for notice_id, published in dated])[:limit]
    return SearchPage(total=total, hits=tuple(_hits(session, query, ids)))


def _matching(session: Session, query: Query, narrowed: Narrowing, scan: bool) -> ColumnElement[bool]:
    """``query`` and ``narrowed`` as one SQL condition; ``scan``: tested row by row (``_Compiler``)."""
    compiler = _Compiler(session, scan=scan)
    return and_(compiler.condition(query.root), *_narrowing(narrowed, compiler))


def _newest_first(dated: Sequence[tuple[int, str | None]]) -> list[int]:
    """The ids of (notice id, publish date) rows in ``NEWEST_FIRST``'s order (sorts are stable)."""
    by_id = sorted(dated, key=lambda row: row[0], reverse=True)
    return [notice_id for notice_id, _ in sorted(by_id, key=lambda row: row[1] or "", reverse=True)]


def _few_in_regions(session: Session, regions: Sequence[str]) -> bool:
    """Whether the notices of ``regions`` (a subscription's filter) are few enough to test the
    query's words on each of them, rather than list every match of each word through the index."""
    if not regions:
        return False
    values = [field_term("region", region).value for region in regions]
    within = select(NoticeRegion.notice_id).where(NoticeRegion.region.in_(values)).limit(SCANNED_AT_MOST + 1)
    return (session.scalar(select(func.count()).select_from(within.subquery())) or 0) <= SCANNED_AT_MOST


def _narrowing(narrowed: Narrowing, compiler: _Compiler) -> Iterator[ColumnElement[bool]]:
    """A subscription's filters as SQL: one of each given list holds (as ``Filters.admits``)."""
    for name, values in (
        ("section", narrowed.sections),
        ("region", narrowed.regions),
        ("agency", narrowed.agencies),
    ):
        if values:
            yield or_(*(compiler.term(field_term(name, value)) for value in values))
    if narrowed.sources:
        yield Notice.source_name.in_(narrowed.sources)


def _scope(scope: Scope) -> Iterator[ColumnElement[bool]]:
    if scope.sections:
        yield Notice.category.in_(scope.sections)
    if scope.since:
        yield Notice.publish_date >= scope.since
    if scope.until:
        yield Notice.publish_date <= scope.until
    if scope.with_deadlines:
        yield NoticeSearch.deadlines != ""


def _hits(session: Session, query: Query | None, ids: Sequence[int]) -> list[SearchHit]:
    """The notices ``ids`` in that order with their newest records, each confirmed by ``query``."""
    if not ids:
        return []
    newest = (
        select(func.max(NoticeVersion.id))
        .where(NoticeVersion.notice_id.in_(ids))
        .group_by(NoticeVersion.notice_id)
    )
    rows = session.execute(
        select(Notice, NoticeVersion, NoticeSearch)
        .join(NoticeVersion, NoticeVersion.notice_id == Notice.id)
        .join(NoticeSearch, NoticeSearch.notice_id == Notice.id)
        .where(NoticeVersion.id.in_(newest))
    )
    found = {notice.id: (notice, version, row) for notice, version, row in rows}
    hits = []
    for notice_id in ids:
        notice, version, row = found[notice_id]
        terms = query.match(_document(row, notice)) if query is not None else ()
        if terms is not None:
            hits.append(
                SearchHit(
                    notice=notice,
                    record=version.record,
                    terms=terms,
                    version=version.number,
                    revised_at=version.fetched_at,
                )
            )
    return hits


def _document(row: NoticeSearch, notice: Notice) -> Document:
    """The row as ``Query.match`` reads a record, with the notice's current section."""
    return Document(
        title=row.title,
        text=row.text,
        regions=frozenset(filter(None, row.regions.split("\n"))),
        agencies=row.agencies,
        doc=row.doc,
        section=normalize(notice.category or ""),
    )


class _Compiler:
    """A query tree → one SQL condition, exact for every term, on ``session``'s database.
    ``scan``: each text term is a plain substring test of the row (where few rows are tested),
    not a lookup in the full-text index."""

    def __init__(self, session: Session, scan: bool = False, by_search_row: bool = False) -> None:
        self.session = session
        self.dialect = session.get_bind().dialect.name
        self.scan = scan
        self.matched = NoticeSearch.notice_id if by_search_row else Notice.id
        """The id an index match is tested on: the notice's (a count then reads no search row), or
        the search row's in a subquery of its own (``holds_word``)."""
        self.names = itertools.count()

    def condition(self, node: Node) -> ColumnElement[bool]:
        if isinstance(node, Term):
            return self.term(node)
        if isinstance(node, Not):
            return not_(self.condition(node.part))
        parts = [self.condition(part) for part in node.parts]
        if isinstance(node, All):
            return and_(true(), *parts)
        assert isinstance(node, AnyOf)
        return or_(false(), *parts)

    def term(self, term: Term) -> ColumnElement[bool]:
        if term.field == "section":
            return _contains(Notice.category, term.value, self.dialect)
        if term.field == "region":  # the normal form, whole (notice_regions holds each one)
            return _in_region(term.value)
        if self.scan or self.dialect != "sqlite" or len(term.value) < BIGRAM:
            return _contains(_COLUMNS[term.field], term.value, self.dialect)
        if len(term.value) >= TRIGRAM:
            return self.fts(term.field, [term.value])
        return self.fts(term.field, self.trigrams_after(term.value))

    def trigrams_after(self, pair: str) -> list[str]:
        """Every indexed trigram that starts with ``pair``: the text holds ``pair`` exactly when it
        holds one of them, since each column ends with END (so no pair is left without a third)."""
        query = text(f"SELECT term FROM {FTS_VOCAB} WHERE term >= :low AND term < :high")
        return list(self.session.scalars(query, {"low": pair, "high": pair + LAST_CHARACTER}))

    def fts(self, field: str, phrases: Sequence[str]) -> ColumnElement[bool]:
        """The FTS5 index: ``field`` holds one of ``phrases`` (none: nothing matches)."""
        if not phrases:
            return false()
        name = f"fts{next(self.names)}"
        quoted = " OR ".join('"' + phrase.replace('"', '""') + '"' for phrase in phrases)
        matching = (
            select(literal_column("rowid"))
            .select_from(text(FTS_TABLE))
            .where(
                text(f"{FTS_TABLE} MATCH :{name}").bindparams(**{name: f"{_FTS_COLUMN[field]} : ({quoted})"})
            )
        )
        return self.matched.in_(matching)


_COLUMNS = {
    TEXT: NoticeSearch.text,
    "title": NoticeSearch.title,
    "agency": NoticeSearch.agencies,
    "doc": NoticeSearch.doc,
}
_FTS_COLUMN = {TEXT: "text", "title": "title", "agency": "agencies", "doc": "doc"}
WORD_FIELDS = (TEXT, "agency", "doc")
"""Where ``items --query`` looks for a word: title and body (TEXT), signers, 文号."""


def indexed_word(word: str) -> bool:
    """Whether ``holds_word`` looks ``word`` up through the index: a word of Chinese characters."""
    return bool(word) and all(_IDEOGRAPH_LOW <= c <= _IDEOGRAPH_HIGH for c in word)


def row_holds_word(session: Session, word: str) -> ColumnElement[bool]:
    """``holds_word`` tested on the notice's own search row (a word of Chinese characters): for a
    few notices at a time, where the index would list every match in the store."""
    dialect = session.get_bind().dialect.name
    held = (_contains(_COLUMNS[field], word, dialect) for field in WORD_FIELDS)
    return select(NoticeSearch.notice_id).where(NoticeSearch.notice_id == Notice.id, or_(*held)).exists()


def holds_word(session: Session, word: str) -> ColumnElement[bool] | None:
    """``word`` is in the notice's title, body, signers or 文号 (through the index), for a word of
    Chinese characters only; None for any other word. Such a word found in those fields as written
    (case-folded) is found in their normal forms too (NFKC composes nothing with an ideograph, and
    case folding makes none), so this keeps every notice a plain substring test would."""
    if not indexed_word(word):
        return None
    compiler = _Compiler(session, by_search_row=True)
    # One list made once (a union: an OR of the fields would scan every search row), not a join.
    found = [select(NoticeSearch.notice_id).where(compiler.term(Term(f, word, word))) for f in WORD_FIELDS]
    return Notice.id.in_(union(*found))


def has_region(region: str) -> ColumnElement[bool]:
    """The notice's newest record names ``region`` (in any spelling a query's ``region:`` takes:
    湖南省 is 湖南) as its region or among its tags; through the index of ``notice_regions``."""
    return _in_region(field_term("region", region).value)


def _in_region(value: str) -> ColumnElement[bool]:
    """The notice's newest record names the region whose normal form is ``value``."""
    return Notice.id.in_(select(NoticeRegion.notice_id).where(NoticeRegion.region == value))


def _contains(column: ColumnElement[str], value: str, dialect: str) -> ColumnElement[bool]:
    """``value`` is a substring of ``column``: ``LIKE`` on PostgreSQL (which pg_trgm serves), a
    plain ``instr`` elsewhere (no wildcard to escape)."""
    if dialect == "postgresql":
        escaped = value.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
        return column.like(f"%{escaped}%")
    return func.instr(column, value) > 0


def _rank(query: Query, compiler: _Compiler) -> ColumnElement[int]:
    """Points for each query term found in the title (through the index, like the terms): a body
    term is in every match already, so the title is what tells matches apart."""
    points: list[ColumnElement[int]] = [
        case((compiler.term(Term("title", term.value, term.text)), TITLE_WEIGHT), else_=0)
        for term in query.terms
        if term.highlights
    ]
    return sum(points[1:], points[0]) if points else func.abs(0)


def _count(session: Session, where: ColumnElement[bool]) -> int:
    """How many notices match: from the notices alone unless ``where`` reads the search rows (the
    index's matches need not: a search row is a page of text, and reading one per match was 95%
    of counting a common word on SQLite)."""
    base = select(Notice.id).where(where)
    if NoticeSearch.__table__ in find_tables(where, check_columns=True):
        base = base.join(NoticeSearch, NoticeSearch.notice_id == Notice.id)
    return session.scalar(select(func.count()).select_from(base.subquery())) or 0
