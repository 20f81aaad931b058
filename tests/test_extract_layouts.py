"""Extraction on layouts the simulator never renders: every seed notice in every layout.

The simulator's families are what the extractor was tuned on; these layouts (``tests/layouts``)
are not: Word-export markup, ``<br>``-only bodies, lying charsets and metas, 公开目录 tables in
the body, and whole pages of gov.cn, gkmlpt, MOST xxgk, Zhejiang jpaas. The page alone is given to
:func:`pipeline.extract.extract_page` (no listing title or date), and each field is scored against
the seed (``tests/layouts/scoring.py``) with the corpus test's thresholds over the whole set.
A per-layout table is printed so that a regression points at the trait that caused it.
"""

from __future__ import annotations

from collections import defaultdict

import pytest

from pipeline.extract import ExtractionError, extract_page
from pipeline.records import ExtractedNotice
from simulator.seeds import load_seeds
from tests.layouts import LAYOUTS, Case, cases
from tests.layouts.scoring import FIELDS, THRESHOLDS, describe_miss, field_checks

MAX_MISSES_SHOWN = 40
LAYOUT_FLOOR = 0.75
"""Share of its pages each layout must get right, per field."""

Result = tuple[Case, ExtractedNotice | None, str | None]


@pytest.fixture(scope="module")
def results() -> list[Result]:
    """(case, extracted record or None, error) for every seed in every layout."""
    out: list[Result] = []
    for case in cases(load_seeds()):
        page = case.page
        try:
            got, error = extract_page(page.body, page.url, page.content_type), None
        except ExtractionError as exc:
            got, error = None, str(exc)
        out.append((case, got, error))
    return out


def _table(scores: dict[str, dict[str, list[bool]]]) -> list[str]:
    """Rows of the layout × field table (percent right), plus the overall row."""
    header = f"  {'layout':12s}" + "".join(f"{name[:11]:>12s}" for name in FIELDS)
    lines = [header]
    for layout, fields in scores.items():
        lines.append(f"  {layout:12s}" + "".join(f"{100 * sum(v) / len(v):11.0f}%" for v in fields.values()))
    return lines


def test_layout_field_scores(results: list[Result], capsys: pytest.CaptureFixture[str]) -> None:
    per_layout: dict[str, dict[str, list[bool]]] = defaultdict(lambda: {name: [] for name in FIELDS})
    overall: dict[str, list[bool]] = {name: [] for name in FIELDS}
    misses: list[str] = []
    for case, got, error in results:
        for name, ok in field_checks(got, case.expected).items():
            per_layout[case.layout][name].append(ok)
            overall[name].append(ok)
            if not ok:
                why = error if got is None else describe_miss(name, got, case.expected)
                misses.append(f"  {case.layout:12s} {name:12s} {case.seed.title[:24]}: {why[:160]}")
    scores = {name: sum(v) / len(v) for name, v in overall.items()}
    with capsys.disabled():
        print(f"\nextraction on {len(LAYOUTS)} unseen layouts × {len(results) // len(LAYOUTS)} seeds")
        print("\n".join(_table(dict(per_layout))))
        print(f"  {'ALL':12s}" + "".join(f"{100 * scores[name]:11.1f}%" for name in FIELDS))
        print(f"  {'threshold':12s}" + "".join(f"{100 * THRESHOLDS[name]:11.0f}%" for name in FIELDS))
        if misses:
            print(f"  misses ({len(misses)}):\n" + "\n".join(misses[:MAX_MISSES_SHOWN]))
    for name, limit in THRESHOLDS.items():
        assert scores[name] >= limit, f"{name}: {scores[name]:.1%} < {limit:.0%}"


def test_no_layout_collapses(results: list[Result]) -> None:
    """A trait that breaks one field on most of its pages is a regression even when the whole set
    still clears its bar (one layout is under 5% of the pages)."""
    per_layout: dict[tuple[str, str], list[bool]] = defaultdict(list)
    for case, got, _ in results:
        for name, ok in field_checks(got, case.expected).items():
            per_layout[case.layout, name].append(ok)
    collapsed = [
        f"{layout} {name}: {sum(v)}/{len(v)}"
        for (layout, name), v in per_layout.items()
        if sum(v) < LAYOUT_FLOOR * len(v)
    ]
    assert not collapsed, collapsed


def test_every_layout_is_documented() -> None:
    """Each layout names the real-site trait it imitates (the table is useless otherwise)."""
    for layout in LAYOUTS.values():
        assert len(layout.trait) > 20, layout.name


def test_no_layout_page_is_refused(results: list[Result]) -> None:
    """Every rendered page is a readable notice: a refusal is a bug, never a low score."""
    refused = [
        f"{case.layout}: {case.seed.title[:20]}: {error}" for case, got, error in results if got is None
    ]
    assert not refused, "\n".join(refused)
