"""Which 快讯 section a notice belongs to: 政策文件 / 绿色制造 / 申报通知, or 其他 (never sent).

First what the page is (:mod:`pipeline.form`): only an official document gets a section, and news
evidence is never outweighed by a topic. Then where a document goes, by weighted cues from
config.yaml, looked for where each kind of evidence lives: the title (strong), the opening of the
body (weak words and phrase patterns), the issuing body, the issuer code of the 文号 (节 in
工信厅节函 is the energy-saving division), and the source column. The document's type (from the
title's form, see :mod:`pipeline.tags`) can add to a section or silence one: a draft put out for
comment is not policy yet. A document no cue places goes to the general section, flagged
low-confidence with its margin. Every decision keeps its reasons, the last one being the scores,
so ``kuaixun explain`` can show why.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from pydantic import BaseModel, ConfigDict, ValidationInfo, field_validator, model_validator

from pipeline.form import read_form
from pipeline.records import ExtractedNotice
from pipeline.tags import NOTICE_TYPES, notice_type

OTHER = "其他"
"""Not a notice for the 快讯 (news, a page that is no official document): stored, never sent.
The sections themselves are config.yaml's: the keys of ``classify.sections``."""
SECTIONS_CONTEXT = "sections"
"""Validation context key under which config.yaml's section names reach the models that name sections."""
BODY_WINDOW = 3000
"""Body characters looked at: the opening states what a notice is about."""
COLUMN_WEIGHT = 2.0
SCORES_PREFIX = "scores: "
"""The last reason of a scored decision: ``scores: 政策文件 3, 绿色制造 0, 申报通知 5``."""

_CODE_END_RE = re.compile(r"[〔\[［(（【]|(?:19|20)\d{2}")


def configured_sections(info: ValidationInfo) -> tuple[str, ...] | None:
    """config.yaml's section names while it is validated (None outside a config: nothing to check)."""
    context = info.context or {}
    return context.get(SECTIONS_CONTEXT)


def check_sections(names: Iterable[str], allowed: Sequence[str]) -> None:
    """Raise the config's error for the first name that is not a section."""
    for name in names:
        if name not in allowed:
            known = f"sections are {', '.join(allowed)}" if allowed else "classify.sections names none"
            raise ValueError(f"unknown section {name!r}; {known}")


class SectionRule(BaseModel):
    """Cues for one section, each a word (or pattern) with a weight, grouped by where it is looked for."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    title: dict[str, float] = {}
    body: dict[str, float] = {}
    patterns: dict[str, float] = {}
    """Regular expressions looked for in the body opening: phrases with a variable part (请于…前报送)."""
    issuer: dict[str, float] = {}
    """Words in the issuing bodies (落款, else the source's agency)."""
    doc_number: dict[str, float] = {}
    """Words in the 文号's issuer code, the part before the year (工信厅节函 in 工信厅节函〔2016〕586号)."""
    columns: tuple[str, ...] = ()
    """Column names (栏目) that lean towards this section."""

    @field_validator("patterns")
    @classmethod
    def _compiles(cls, value: dict[str, float]) -> dict[str, float]:
        for pattern in value:
            try:
                re.compile(pattern)
            except (re.error, OverflowError) as exc:  # a{99999999999} overflows instead of erroring
                raise ValueError(f"pattern {pattern!r} is not a regular expression ({exc})") from None
        return value


class TypeRule(BaseModel):
    """What a notice's type says beyond its words: points for some sections, silence for others."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    add: dict[str, float] = {}
    mute: tuple[str, ...] = ()
    """Sections this type can never be: they score 0 (a 征求意见稿 is not yet a 政策文件)."""


class ClassifyRules(BaseModel):
    """The operator's section rules (config.yaml ``classify``)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    sections: dict[str, SectionRule] = {}
    types: dict[str, TypeRule] = {}
    """Notice type (通知, 公示, 征求意见稿 …, see pipeline.tags.NOTICE_TYPES) → its rule."""
    order: tuple[str, ...] = ()
    """Which section wins a tie: the earlier one; by default the order of ``sections``."""
    topics: dict[str, float] = {}
    """Topic sections and the score at which they win outright, whatever the form scores: the editor
    files a green call, a green policy and a green 公示 alike under 绿色制造."""
    threshold: float = 1.0
    """Evidence of its own (title, body, 文号, type; not the issuer or column priors) a section needs
    to be a confident choice; below it the document still goes there, flagged low-confidence."""
    min_margin: float = 1.0
    """Lead over the runner-up below which the choice is flagged low-confidence."""
    fallback: str | None = None
    """Where a document with no cue for any section goes (flagged): the editor's general section;
    by default the first of ``sections``."""
    overrides: dict[str, str] = {}
    """URL or 文号 → section: the editor's last word."""

    @model_validator(mode="after")
    def _known(self) -> ClassifyRules:
        named = [*self.sections, *self.overrides.values(), *self.order, *self.topics]
        for rule in self.types.values():
            named += [*rule.add, *rule.mute]
        check_sections(named, (*self.names, OTHER))
        check_sections([self.fallback] if self.fallback else [], self.names)
        for kind in self.types:
            if kind not in NOTICE_TYPES:
                raise ValueError(f"unknown notice type {kind!r}; types are {', '.join(NOTICE_TYPES)}")
        return self

    @property
    def names(self) -> tuple[str, ...]:
        """The 快讯's sections, in issue order: the keys of config.yaml's ``classify.sections``."""
        return tuple(self.sections)

    @property
    def general(self) -> str | None:
        """The section of a document no cue places."""
        return self.fallback or next(iter(self.sections), None)


@dataclass(frozen=True)
class Decision:
    """Where a page goes and why: its section (or 其他), each section's score, the reasons."""

    section: str
    scores: dict[str, float] = field(default_factory=dict)
    reasons: tuple[str, ...] = ()
    low_confidence: bool = False
    """A document placed with little evidence or a narrow lead: the editor should look at it."""
    margin: float | None = None
    """The chosen section's lead over the runner-up; None for news and overrides."""


def classify(notice: ExtractedNotice, rules: ClassifyRules, column: str | None = None) -> Decision:
    """The section of ``notice`` under ``rules``, with the score of each section and why.

    First the form: news (and anything that is not an official document) is 其他 whatever its
    topic. Then the section of a document, by its cues; a document no cue places still gets its
    most likely section, flagged low-confidence with its margin.
    """
    override = rules.overrides.get(notice.source_url) or (
        rules.overrides.get(notice.doc_number) if notice.doc_number else None
    )
    if override:
        return Decision(override, reasons=(f"override for {notice.doc_number or notice.source_url}",))
    form = read_form(notice, column)
    reasons = list(form.reasons)
    scores, evidence = _section_scores(notice, rules, column, reasons)
    topic = _topic(scores, rules.topics, reasons)
    best = topic or best_section(scores, rules.order or rules.names)
    if not form.is_document:
        vetoed = ""
        if best and scores[best]:
            vetoed = f" (its topic, {best} {scores[best]:g}, does not make it one)"
        reasons += [f"{OTHER}: not an official document{vetoed}", format_scores(scores)]
        return Decision(OTHER, scores, tuple(reasons))
    if best is None or scores[best] <= 0:
        best = rules.general
        if best is None:
            return Decision(OTHER, scores, (*reasons, f"{OTHER}: config.yaml names no section"))
        reasons.append(f"{best}: no section cue; a document goes to the general section")
    margin = scores.get(best, 0.0) - max((v for k, v in scores.items() if k != best), default=0.0)
    # A topic that reaches its bar decides whatever the runner-up scores; its lead is not the question.
    low = evidence.get(best, 0.0) < rules.threshold or (topic is None and margin < rules.min_margin)
    if low:
        reasons.append(
            f"{best}: low confidence (own evidence {evidence.get(best, 0.0):g}, threshold "
            f"{rules.threshold:g}; margin {margin:g}, minimum {rules.min_margin:g})"
        )
    reasons.append(format_scores(scores))
    return Decision(best, scores, tuple(reasons), low_confidence=low, margin=margin)


def _section_scores(
    notice: ExtractedNotice, rules: ClassifyRules, column: str | None, reasons: list[str]
) -> tuple[dict[str, float], dict[str, float]]:
    """Each section's score, and the part of it the page itself supports (without the priors)."""
    kind = notice_type(notice.title)
    type_rule = rules.types.get(kind) if kind else None
    scores: dict[str, float] = {}
    evidence: dict[str, float] = {}
    for name, rule in rules.sections.items():
        if type_rule and name in type_rule.mute:
            scores[name] = evidence[name] = 0.0
            reasons.append(f"{name}: muted, the notice is a {kind}")
            continue
        evidence[name] = _evidence(name, rule, notice, reasons)
        if type_rule and type_rule.add.get(name):
            evidence[name] += type_rule.add[name]
            reasons.append(f"{name}: the notice is a {kind} (+{type_rule.add[name]:g})")
        scores[name] = evidence[name] + _prior(name, rule, notice, column, reasons)
    return scores, evidence


def best_section(scores: dict[str, float], order: Sequence[str] = ()) -> str | None:
    """The highest-scoring section; on a tie the one earlier in ``order`` (then in ``scores``)."""
    if not scores:
        return None
    rank = {name: i for i, name in enumerate(order)}
    return max(scores, key=lambda name: (scores[name], -rank.get(name, len(rank))))


def _topic(scores: dict[str, float], topics: dict[str, float], reasons: list[str]) -> str | None:
    """The first topic section whose score reaches its bar, noted in ``reasons``."""
    for name, bar in topics.items():
        if scores.get(name, 0) >= bar:
            reasons.append(f"{name}: topic score {scores[name]:g} reaches {bar:g}, the topic decides")
            return name
    return None


def format_scores(scores: dict[str, float], order: Sequence[str] = ()) -> str:
    """The scores as one stored reason line, in ``order`` (by default the order they were scored in:
    the sections' own)."""
    names = sorted(scores, key=lambda n: order.index(n) if n in order else len(order))
    return SCORES_PREFIX + ", ".join(f"{name} {scores[name]:g}" for name in names)


def issuer_code(doc_number: str | None) -> str:
    """The 文号's issuer code, where the issuing division shows: 工信厅节函 for 工信厅节函〔2016〕586号,
    财政部税务总局公告 for 财政部税务总局公告2019年第84号."""
    return _CODE_END_RE.split(doc_number or "", maxsplit=1)[0]


def _evidence(name: str, rule: SectionRule, notice: ExtractedNotice, reasons: list[str]) -> float:
    """What the page itself says: its title, body opening and 文号."""
    opening = notice.body_text[:BODY_WINDOW]
    places = (
        ("title", rule.title, notice.title),
        ("body", rule.body, opening),
        ("文号", rule.doc_number, issuer_code(notice.doc_number)),
    )
    score = 0.0
    for place, cues, text in places:
        for cue, weight in cues.items():
            if cue in text:
                score += weight
                reasons.append(f"{name}: {place} has {cue} (+{weight:g})")
    for pattern, weight in rule.patterns.items():
        found = re.search(pattern, opening)
        if found:
            score += weight
            reasons.append(f"{name}: body has {found.group(0)} (+{weight:g})")
    return score


def _prior(
    name: str, rule: SectionRule, notice: ExtractedNotice, column: str | None, reasons: list[str]
) -> float:
    """What is known before reading: who publishes it and in which column. It tips the balance
    between sections but never makes a page a notice (a science bureau's news is still news)."""
    score = 0.0
    issuer = " ".join(filter(None, (notice.issuer, notice.agency)))
    for cue, weight in rule.issuer.items():
        if cue in issuer:
            score += weight
            reasons.append(f"{name}: issuer has {cue} (+{weight:g})")
    if column and any(c in column for c in rule.columns):
        score += COLUMN_WEIGHT
        reasons.append(f"{name}: column {column} (+{COLUMN_WEIGHT:g})")
    return score
