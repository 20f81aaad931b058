"""Keyword alert subscriptions as config.yaml declares them, and the filters they narrow by.

A subscription is a query (pipeline.query) plus optional filters — sections, regions, sources,
agencies — each of which, when given, must hold; a notice passes a filter when it meets any
one of its values. The channel is an email address or ``webhook:NAME`` (``channels.webhooks``).
"""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass
from functools import cached_property
from typing import TYPE_CHECKING, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationInfo, field_validator

from notify.channels.base import is_email
from notify.channels.targets import Problem, Resolver, webhook_name
from pipeline.classify import OTHER, check_sections, configured_sections

if TYPE_CHECKING:
    from pipeline.query import Document, Term

Mode = Literal["instant", "daily", "weekly"]
SUMMARY_MODES: tuple[Mode, ...] = ("daily", "weekly")


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


def check_channel(value: str) -> str:
    """An email address or ``webhook:NAME``; raises ValueError otherwise."""
    if not (is_email(value) or webhook_name(value)):
        raise ValueError(f"{value!r} is neither an email address nor webhook:NAME")
    return value


def check_query(value: str) -> str:
    """A query that compiles; raises ValueError with the parser's position otherwise."""
    from pipeline.query import QueryError, compile_query  # the parser (lark) only for a config with queries

    try:
        compile_query(value)
    except QueryError as exc:
        raise ValueError(str(exc)) from None
    return value


class SubscriptionConfig(_Model):
    """One entry of config.yaml ``subscriptions``; synced into the store by name at each run."""

    name: str = Field(min_length=1, max_length=100)
    query: str
    sections: tuple[str, ...] = ()
    regions: tuple[str, ...] = ()
    sources: tuple[str, ...] = ()
    agencies: tuple[str, ...] = ()
    channel: str
    """An email address, or ``webhook:NAME`` of ``channels.webhooks``."""
    mode: Mode = "instant"

    _query = field_validator("query")(check_query)
    _channel = field_validator("channel")(check_channel)

    @field_validator("sections")
    @classmethod
    def _known_sections(cls, value: tuple[str, ...], info: ValidationInfo) -> tuple[str, ...]:
        allowed = configured_sections(info)
        if allowed is not None:
            check_sections(value, (*allowed, OTHER))
        return value

    def filters(self) -> dict[str, list[str]]:
        return filters_json(self.sections, self.regions, self.sources, self.agencies)


def subscriptions_problem(
    subscriptions: Sequence[SubscriptionConfig], resolver: Resolver, sources: Collection[str]
) -> str | None:
    """``key: problem`` for the first subscription the rest of config.yaml cannot serve."""
    seen: set[str] = set()
    for i, sub in enumerate(subscriptions):
        key = f"subscriptions[{i}]"
        target = resolver.resolve(sub.channel, alert=True)
        unknown = [s for s in sub.sources if s not in sources]
        if sub.name in seen:
            return f"{key}.name: duplicate subscription name {sub.name!r}"
        if isinstance(target, Problem):
            return f"{key}.channel: {target}"
        if unknown:
            return f"{key}.sources: unknown source {unknown[0]!r}"
        seen.add(sub.name)
    return None


def filters_json(
    sections: Sequence[str] = (),
    regions: Sequence[str] = (),
    sources: Sequence[str] = (),
    agencies: Sequence[str] = (),
) -> dict[str, list[str]]:
    """The store's ``filters`` JSON: only the filters that are given."""
    given = {"sections": sections, "regions": regions, "sources": sources, "agencies": agencies}
    return {key: list(values) for key, values in given.items() if values}


@dataclass(frozen=True)
class Filters:
    """A subscription's filters, compared in the query's normal forms (湖南省 is 湖南, case folded)."""

    sections: tuple[str, ...] = ()
    regions: tuple[str, ...] = ()
    sources: tuple[str, ...] = ()
    agencies: tuple[str, ...] = ()

    @classmethod
    def of(cls, stored: Mapping[str, Any] | None) -> Filters:
        stored = stored or {}
        return cls(
            **{key: tuple(stored.get(key) or ()) for key in ("sections", "regions", "sources", "agencies")}
        )

    def admits(self, doc: Document, source: str) -> bool:
        """Whether a notice (prepared ``doc``, from ``source``) passes every filter that is given."""
        return all(not terms or any(term.test(doc) for term in terms) for terms in self._terms) and (
            not self.sources or source in self.sources
        )

    @cached_property
    def _terms(self) -> tuple[tuple[Term, ...], ...]:
        """The section, region and agency filters as query terms, made once (a run tests one
        subscription's filters on every notice it matches)."""
        from pipeline.query import field_term  # loaded already by whoever made the documents

        given = (("section", self.sections), ("region", self.regions), ("agency", self.agencies))
        return tuple(tuple(field_term(field, value) for value in values) for field, values in given)

    def describe(self) -> str:
        """One line for ``subscribe list``: ``region 北京、天津; section 申报通知``."""
        names = {"sections": "section", "regions": "region", "sources": "source", "agencies": "agency"}
        given = ((key, getattr(self, key)) for key in names)  # not vars(): it holds the cached terms too
        parts = [f"{names[key]} {'、'.join(values)}" for key, values in given if values]
        return "; ".join(parts)
