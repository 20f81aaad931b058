"""Keyword alert queries: parsed once with a lark grammar, matched fast against stored records.

Syntax (see the README's "Keyword alerts"):

* words and ``"quoted phrases"`` (also “中文引号”); adjacent terms are ANDed; a word may hold
  a bracketed part without spaces, so ``doc:京科发（2024）3号`` and ``办法(试行)`` are one word;
* ``AND``, ``OR``, ``NOT`` (any letter case) and ``-term`` for NOT; parentheses group;
  NOT binds tightest, then AND, then OR: ``a OR b c`` is ``a OR (b AND c)``;
* field prefixes ``title:``, ``region:``, ``agency:``, ``doc:`` (文号), ``section:`` and their
  Chinese names ``标题:``, ``地区:``, ``机关:``, ``文号:``, ``栏目:``.

Matching needs nothing but a stored record, so it lives with the other pure functions of a
record. Chinese has no spaces between words, so a bare term is a substring of the title or the
body (no segmentation: 绿色工厂 finds 省级绿色工厂名单). Both sides are normalised the same way:
NFKC (full-width Ａ１（ become A1(), 全角 colons and spaces too), letter case folded, whitespace
removed — so ``"绿色 工厂"`` also finds 绿色工厂 and a title broken over two lines.
"""

from __future__ import annotations

import unicodedata
from array import array
from collections.abc import Callable, Hashable, Iterable, Mapping
from collections.abc import Set as AbstractSet
from dataclasses import dataclass, field
from functools import cache, cached_property
from itertools import compress
from typing import TYPE_CHECKING, Any, Generic, TypeVar

from pipeline.records import ExtractedNotice
from pipeline.tags import normalize_region

if TYPE_CHECKING:  # lark loads only when a query is parsed: every store command imports this module
    from lark import Lark, Token, Tree
    from lark.exceptions import UnexpectedInput

GRAMMAR = r"""
?start: or_expr
?or_expr: and_expr (_OR and_expr)*
?and_expr: unary (_AND? unary)*
?unary: _NOT unary -> negation
      | "-" unary -> negation
      | atom
?atom: term
     | "(" or_expr ")"
term: FIELD? (WORD | PHRASE)

FIELD.2: /[A-Za-z]+:|标题:|地区:|机关:|文号:|栏目:/
_OR: "OR"i
_AND: "AND"i
_NOT: "NOT"i
PHRASE: /"[^"]*"|“[^”]*”/
WORD: /[^\s()"“”\-](?:[^\s()"“”]|\([^\s()"“”]*\))*/i
%import common.WS
%ignore WS
"""

TEXT = "text"
"""The field of a bare term: the title or the body."""
FIELD_NAMES = ("title", "region", "agency", "doc", "section")
FIELDS = {
    **{name: name for name in FIELD_NAMES},
    "标题": "title",
    "地区": "region",
    "机关": "agency",
    "文号": "doc",
    "栏目": "section",
}
OPERATORS = ("AND", "OR", "NOT")
_EXPECTED = {"RPAR": "')'", "WORD": "a word or phrase"}
_DOC_BRACKETS = str.maketrans("[(【［〔])】］〕", "〔〔〔〔〔〕〕〕〕〕")


class QueryError(ValueError):
    """A malformed query, phrased for the user with the 1-based character position of the problem."""

    def __init__(self, problem: str, position: int, hint: str = "") -> None:
        super().__init__(f"query: {problem} at position {position}" + (f"; {hint}" if hint else ""))
        self.problem, self.position = problem, position


def normalize(text: str) -> str:
    """The form both queries and records are compared in: NFKC, case-folded, without whitespace."""
    return "".join(unicodedata.normalize("NFKC", text).casefold().split())


def normalize_doc(text: str) -> str:
    """A 文号 in comparable form: every bracket style (〔〕, [], （）, 【】) becomes 〔〕."""
    return normalize(text).translate(_DOC_BRACKETS)


@dataclass(frozen=True)
class Document:
    """A record prepared once for matching by any number of queries."""

    title: str
    text: str
    """Title and body, joined by a newline (which no term contains, so no match spans both)."""
    regions: frozenset[str]
    agencies: str
    doc: str
    section: str

    @classmethod
    def of(cls, record: ExtractedNotice) -> Document:
        """Prepare a stored notice record (``NoticeVersion.record``)."""
        title = normalize(record.title)
        places = [record.region, *record.regions]
        bodies = [record.agency, *record.agencies, record.issuer]
        return cls(
            title=title,
            text=title + "\n" + normalize(record.body_text),
            regions=frozenset(_region(p) for p in places if p),
            agencies="\n".join(normalize(b) for b in bodies if b),
            doc=normalize_doc(record.doc_number or ""),
            section=normalize(record.category or ""),
        )

    @cached_property
    def pairs(self) -> frozenset[str]:
        """Every two-character piece of ``text``, for ruling out absent terms at a glance."""
        return frozenset(self.text[i : i + 2] for i in range(len(self.text) - 1))


_TESTS: dict[str, Callable[[str, Document], bool]] = {
    TEXT: lambda value, doc: value in doc.text,
    "title": lambda value, doc: value in doc.title,
    "region": lambda value, doc: value in doc.regions,
    "agency": lambda value, doc: value in doc.agencies,
    "doc": lambda value, doc: value in doc.doc,
    "section": lambda value, doc: value in doc.section,
}


@dataclass(frozen=True)
class Term:
    """One word or phrase, in one field; equal terms (same field, same normal form) are tested once."""

    field: str
    value: str
    """Normal form, as compared."""
    text: str = field(compare=False)
    """As the user wrote it (without the field prefix), for display."""

    def __post_init__(self) -> None:
        # Terms are looked up in sets of found terms for every query evaluated: hash once.
        object.__setattr__(self, "_hash", hash((self.field, self.value)))

    def __hash__(self) -> int:
        return self._hash  # type: ignore[attr-defined, no-any-return]

    def test(self, doc: Document) -> bool:
        return _TESTS[self.field](self.value, doc)

    @property
    def highlights(self) -> bool:
        """Whether the term is found in the title or body, so can be marked there."""
        return self.field in (TEXT, "title")


@dataclass(frozen=True)
class Not:
    """NOT part, also written -part."""

    part: Node


@dataclass(frozen=True)
class All:
    """parts joined by AND, or just side by side."""

    parts: tuple[Node, ...]


@dataclass(frozen=True)
class AnyOf:
    """parts joined by OR."""

    parts: tuple[Node, ...]


Node = Term | Not | All | AnyOf


Check = Callable[[AbstractSet[Term]], bool]
"""A compiled query: does it hold, given the set of its terms found in a document?"""


@dataclass(frozen=True)
class Query:
    """A compiled query: its tree, the check it compiles to, and the terms a match reports."""

    text: str
    root: Node
    check: Check
    terms: tuple[Term, ...]
    """Distinct terms outside any NOT: what a match reports (and highlights)."""
    all_terms: tuple[Term, ...]
    """Every distinct term, NOT ones included: what must be looked for."""
    matches_without_terms: bool
    """True for queries like ``-草案`` that match a record none of ``terms`` is in."""

    def match(self, doc: Document) -> tuple[Term, ...] | None:
        """The terms found if the document matches (possibly none, for a pure NOT), else None."""
        found = {term for term in self.all_terms if term.test(doc)}
        return tuple(t for t in self.terms if t in found) if self.check(found) else None


def _check(node: Node) -> Check:
    """The tree as nested closures, built once: evaluating a query walks no tree and dispatches on no type."""
    if isinstance(node, Term):
        return lambda found: node in found
    if isinstance(node, Not):
        inner = _check(node.part)
        return lambda found: not inner(found)
    parts = tuple(_check(part) for part in node.parts)
    if isinstance(node, All):
        return lambda found: all(part(found) for part in parts)
    return lambda found: any(part(found) for part in parts)


def _positive_terms(node: Node, positive: bool = True) -> Iterable[Term]:
    if isinstance(node, Term):
        if positive:
            yield node
    elif isinstance(node, Not):
        yield from _positive_terms(node.part, not positive)
    else:
        for part in node.parts:
            yield from _positive_terms(part, positive)


def compile_query(text: str) -> Query:
    """Parse ``text``; raises QueryError naming the position of the first problem."""
    from lark.exceptions import UnexpectedInput

    normalized, origin = _normalize_query(text)
    if not normalized.strip():
        raise QueryError("empty query", 1)

    def position(offset: int) -> int:
        return origin[offset] + 1 if offset < len(origin) else len(text) + 1

    try:
        tree = _parser().parse(normalized)
    except UnexpectedInput as exc:
        raise _syntax_error(exc, normalized, position) from None
    root = _node(tree, position)
    check = _check(root)
    return Query(
        text=text,
        root=root,
        check=check,
        terms=tuple(dict.fromkeys(_positive_terms(root))),
        all_terms=tuple(dict.fromkeys(_all_terms(root))),
        matches_without_terms=check(frozenset()),
    )


@cache
def _parser() -> Lark:
    from lark import Lark

    return Lark(GRAMMAR, parser="lalr")


def _normalize_query(text: str) -> tuple[str, list[int]]:
    """NFKC character by character, with the original index of every output character."""
    out: list[str] = []
    origin: list[int] = []
    for index, char in enumerate(text):
        form = unicodedata.normalize("NFKC", char)
        out.append(form)
        origin.extend([index] * len(form))
    return "".join(out), origin


def _syntax_error(exc: UnexpectedInput, query: str, position: Callable[[int], int]) -> QueryError:
    from lark.exceptions import UnexpectedCharacters, UnexpectedToken

    if isinstance(exc, UnexpectedCharacters):
        char = query[exc.pos_in_stream]
        problem = "unclosed quote" if char in '"“' else f"unexpected {char!r}"
        return QueryError(problem, position(exc.pos_in_stream))
    if isinstance(exc, UnexpectedToken) and exc.token.type != "$END":
        return QueryError(f"unexpected {exc.token.value!r}", position(exc.token.start_pos))
    expected = getattr(exc, "expected", ())
    wanted = next((_EXPECTED[name] for name in ("RPAR", "WORD") if name in expected), None)
    return QueryError("unexpected end of query", position(len(query)), f"expected {wanted}" if wanted else "")


def _node(tree: Tree | Token, position: Callable[[int], int]) -> Node:
    """Parse tree → Node, checking fields and phrases (with positions for the messages)."""
    from lark import Tree

    assert isinstance(tree, Tree)
    if tree.data == "term":
        return _term(tree.children, position)
    parts = tuple(_node(child, position) for child in tree.children)
    if tree.data == "negation":
        return Not(parts[0])
    return All(parts) if tree.data == "and_expr" else AnyOf(parts)


def _term(children: list[Any], position: Callable[[int], int]) -> Term:
    *prefix, token = children
    name = FIELDS.get(prefix[0][:-1].lower(), "") if prefix else TEXT
    if not name:
        raise QueryError(
            f"unknown field {prefix[0][:-1]!r}",
            position(prefix[0].start_pos),
            "fields are " + ", ".join(f"{f}:" for f in FIELD_NAMES),
        )
    written = token[1:-1] if token.type == "PHRASE" else str(token)
    if token.type == "WORD" and written.upper() in OPERATORS:
        raise QueryError(f"misplaced {written!r}", position(token.start_pos), "quote it to look for the word")
    term = field_term(name, written)
    if not term.value:
        raise QueryError("empty phrase", position(token.start_pos))
    return term


def field_term(name: str, written: str) -> Term:
    """The term ``name:written`` (``name`` TEXT or one of FIELD_NAMES), as a query holds it."""
    return Term(name, _field_form(name, written), written.strip())


def _field_form(name: str, written: str) -> str:
    if name == "region":
        return _region(written)
    if name == "doc":
        return normalize_doc(written)
    return normalize(written)


def _region(name: str) -> str:
    return normalize(normalize_region(unicodedata.normalize("NFKC", name)))


K = TypeVar("K", bound=Hashable)


class QuerySet(Generic[K]):
    """Many queries matched against one document at a time.

    Each distinct term is tested once per document, and only the queries that contain a term
    that is present (or that match without any, like ``-草案``) are evaluated: thousands of
    subscriptions share a vocabulary, so a document costs one test per distinct term, most of
    them a set lookup (bench/match_subscriptions.py: 10,000 queries × 29 notices in ~0.3 s).
    """

    def __init__(self, queries: Mapping[K, Query]) -> None:
        self._queries = dict(queries)
        self._by_term: dict[Term, list[K]] = {}
        for key, query in self._queries.items():
            for term in query.terms:
                self._by_term.setdefault(term, []).append(key)
        terms = {t for q in self._queries.values() for t in q.all_terms}
        self._by_head: dict[str, list[Term]] = {}
        for term in terms:
            if term.highlights and len(term.value) >= 2:
                self._by_head.setdefault(term.value[:2], []).append(term)
        self._short = [t for t in terms if t.highlights and len(t.value) < 2]
        self._in_fields = [t for t in terms if not t.highlights]
        self._always = [k for k, q in self._queries.items() if q.matches_without_terms]

    def present(self, doc: Document) -> set[Term]:
        """The terms found in the document; a title or body term is only searched for when its
        first two characters occur somewhere in the text: the document's pairs pick the terms
        worth searching for, instead of every term being looked at for every document."""
        heads = self._by_head
        candidates = [term for pair in doc.pairs if pair in heads for term in heads[pair]]
        found = {term for term in (*candidates, *self._short) if term.test(doc)}
        found.update(term for term in self._in_fields if term.test(doc))
        return found

    def match(self, doc: Document) -> dict[K, tuple[Term, ...]]:
        """The keys of the queries the document matches, with each one's terms found."""
        present = self.present(doc)
        candidates = dict.fromkeys(self._always)
        for term in present:
            candidates.update(dict.fromkeys(self._by_term.get(term, ())))
        matched: dict[K, tuple[Term, ...]] = {}
        for key in candidates:
            query = self._queries[key]
            if query.check(present):
                matched[key] = tuple(t for t in query.terms if t in present)
        return matched


def _all_terms(node: Node) -> Iterable[Term]:
    if isinstance(node, Term):
        yield node
    elif isinstance(node, Not):
        yield from _all_terms(node.part)
    else:
        for part in node.parts:
            yield from _all_terms(part)


@cache
def _char_form(char: str) -> str:
    """``normalize`` of one character, remembered: a text repeats few distinct characters."""
    return normalize(char)


@dataclass(frozen=True)
class Folded:
    """A text with its normal form, each normal-form character traced back to the one it came from.

    Built once per text and then searched for any number of terms: an alert marks the same
    notice for every subscriber it matches.
    """

    text: str
    flat: str
    """``normalize(text)``, character by character."""
    owner: array[int]
    """For each character of ``flat``, the index in ``text`` it came from (4 bytes each, where
    a tuple of ints takes ~36: a notice's body is thousands of characters)."""

    @classmethod
    def of(cls, text: str) -> Folded:
        forms = list(map(_char_form, text))
        if max(map(len, forms), default=0) <= 1:  # the usual text: iterated in C (alerts fold every excerpt)
            owner = array("I", compress(range(len(forms)), map(len, forms)))
        else:
            owner = array("I", (index for index, form in enumerate(forms) for _ in form))
        return cls(text, "".join(forms), owner)

    def spans(self, terms: Iterable[str]) -> list[tuple[int, int]]:
        """Merged, sorted (start, end) ranges of ``text`` whose normal form is one of ``terms``."""
        found: list[tuple[int, int]] = []
        for term in filter(None, terms):
            at = self.flat.find(term)
            while at != -1:
                found.append((self.owner[at], self.owner[at + len(term) - 1] + 1))
                at = self.flat.find(term, at + len(term))
        merged: list[tuple[int, int]] = []
        for start, end in sorted(found):
            if merged and start <= merged[-1][1]:
                merged[-1] = (merged[-1][0], max(end, merged[-1][1]))
            else:
                merged.append((start, end))
        return merged


def folded(text: str | Folded) -> Folded:
    return text if isinstance(text, Folded) else Folded.of(text)


def highlight(text: str | Folded, terms: Iterable[str]) -> list[tuple[str, bool]]:
    """``text`` cut into (piece, is_match) wherever a normalised term occurs, for marking up.

    The match is found in normal form and mapped back, so 绿色 工厂 in a title is marked
    whole for the term 绿色工厂. Pass a Folded text to mark one text for many term lists.
    """
    source = folded(text)
    text = source.text
    pieces: list[tuple[str, bool]] = []
    cursor = 0
    for start, end in source.spans(terms):
        if start > cursor:
            pieces.append((text[cursor:start], False))
        pieces.append((text[start:end], True))
        cursor = end
    if cursor < len(text):
        pieces.append((text[cursor:], False))
    return pieces


def excerpt(text: str | Folded, terms: Iterable[str], before: int = 24, after: int = 48) -> str | None:
    """The part of ``text`` around the first term found (… where cut), or None if none is."""
    source = folded(text)
    spans = source.spans(terms)
    if not spans:
        return None
    start, end = spans[0]
    text = source.text
    left, right = max(0, start - before), min(len(text), end + after)
    cut = " ".join(text[left:right].split())
    return ("…" if left else "") + cut + ("…" if right < len(text) else "")
