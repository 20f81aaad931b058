"""Which 快讯 section a notice belongs to: 政策文件 / 绿色制造 / 申报通知, or 其他 (never sent).

Weighted cues from config.yaml, looked for in the title (strong) and the body (weak), plus
the source column's lean; every decision keeps its reasons so ``kuaixun explain`` can show them.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from pydantic import BaseModel, ConfigDict, model_validator

from pipeline.records import ExtractedNotice

SECTIONS = ("政策文件", "绿色制造", "申报通知")
OTHER = "其他"
BODY_WINDOW = 3000
"""Body characters looked at: the opening states what a notice is about."""
COLUMN_WEIGHT = 2.0


class SectionRule(BaseModel):
    """Cues for one section: words with weights, in the title and in the body."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    title: dict[str, float] = {}
    body: dict[str, float] = {}
    columns: tuple[str, ...] = ()
    """Column names (栏目) that lean towards this section."""


class ClassifyRules(BaseModel):
    """The operator's section rules (config.yaml ``classify``)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    sections: dict[str, SectionRule] = {}
    other_title: dict[str, float] = {}
    """Cues of news, meetings, personnel: they pull towards 其他."""
    threshold: float = 1.0
    """Below this best score a page is 其他."""
    overrides: dict[str, str] = {}
    """URL or 文号 → section: the editor's last word."""

    @model_validator(mode="after")
    def _known(self) -> ClassifyRules:
        for name in (*self.sections, *self.overrides.values()):
            if name not in (*SECTIONS, OTHER):
                raise ValueError(f"unknown section {name!r}; sections are {', '.join((*SECTIONS, OTHER))}")
        return self


@dataclass(frozen=True)
class Decision:
    section: str
    scores: dict[str, float] = field(default_factory=dict)
    reasons: tuple[str, ...] = ()


def classify(notice: ExtractedNotice, rules: ClassifyRules, column: str | None = None) -> Decision:
    """The section of ``notice`` under ``rules``, with the score of each section and why."""
    override = rules.overrides.get(notice.source_url) or (
        rules.overrides.get(notice.doc_number) if notice.doc_number else None
    )
    if override:
        return Decision(override, reasons=(f"override for {notice.doc_number or notice.source_url}",))
    reasons: list[str] = []
    scores = {name: _score(name, rule, notice, column, reasons) for name, rule in rules.sections.items()}
    other = sum(w for cue, w in rules.other_title.items() if cue in notice.title)
    if other:
        reasons.append(f"{OTHER}: title has news cues (+{other:g})")
    best = max(scores, key=lambda name: scores[name], default=OTHER)
    if not scores or scores[best] < rules.threshold or other >= scores[best]:
        reasons.append(f"{OTHER}: best score {scores.get(best, 0):g} below threshold or news cues")
        return Decision(OTHER, scores, tuple(reasons))
    return Decision(best, scores, tuple(reasons))


def _score(
    name: str, rule: SectionRule, notice: ExtractedNotice, column: str | None, reasons: list[str]
) -> float:
    score = 0.0
    for cue, weight in rule.title.items():
        if cue in notice.title:
            score += weight
            reasons.append(f"{name}: title has {cue} (+{weight:g})")
    opening = notice.body_text[:BODY_WINDOW]
    for cue, weight in rule.body.items():
        if cue in opening:
            score += weight
            reasons.append(f"{name}: body has {cue} (+{weight:g})")
    if column and any(c in column for c in rule.columns):
        score += COLUMN_WEIGHT
        reasons.append(f"{name}: column {column} (+{COLUMN_WEIGHT:g})")
    return score
