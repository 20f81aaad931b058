"""Extraction scored against the simulator's ground truth, page by page, over HTTP.

Starts the simulated government web, fetches every published page with httpx (what the crawler
would get: bytes + Content-Type), runs :func:`pipeline.extract.extract_page` and scores each field
of the notice pages against ``simulator.truth.ground_truth``. The listing hints are what a listing
row shows: the visible title cut with ``...`` and the row date (a PDF-only notice has no other date).

Scoring notes:
* body: character similarity (difflib ratio, whitespace removed) ≥ 0.95. The truth's ``body_text``
  holds the 正文 paragraphs only, while the product spec keeps the ``附件：`` list lines in
  ``body_text``; those list lines are removed from the extracted body before comparing.
* issuer: where the truth has no signer (``""``) the notice has no signature block; the extractor
  then falls back to 发文机关 / ContentSource, which counts as right as long as it did not invent
  signers (``extra["issuer_source"] != "signature"``).
"""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from pipeline.extract import ExtractionError, extract_page
from pipeline.records import ExtractedNotice
from simulator.render import cut
from simulator.server import GovWebThread
from simulator.truth import ground_truth
from tests.layouts.scoring import BODY_SIMILARITY, THRESHOLDS, body_proper, similarity
from tests.layouts.scoring import compact as _compact

REPORTED = (*THRESHOLDS, "addressee", "annex")


def field_checks(got: ExtractedNotice | None, truth: dict[str, Any]) -> dict[str, bool]:
    """Per-field verdicts for one page."""
    if got is None:
        return dict.fromkeys(REPORTED, False)
    names = [a["name"] for a in truth["attachments"]]
    no_signer_ok = truth["issuer"] == "" and got.extra.get("issuer_source") != "signature"
    annex_ok = (
        similarity(got.annex_text, truth["annex_text"]) >= BODY_SIMILARITY
        if got.annex_text or truth["annex_text"]
        else True
    )
    return {
        "title": _compact(got.title) == _compact(truth["title"]),
        "doc_number": got.doc_number == truth["doc_number"],
        "publish_date": got.publish_date == truth["publish_date"],
        "issuer": (got.issuer or "") == truth["issuer"] or no_signer_ok,
        "body": similarity(body_proper(got.body_text, names), truth["body_text"]) >= BODY_SIMILARITY,
        "attachments": sorted((a.name, a.url or "") for a in got.attachments)
        == sorted((a["name"], a["url"] or "") for a in truth["attachments"]),
        "deadlines": sorted({d.date for d in got.deadlines}) == sorted(set(truth["deadlines"])),
        "addressee": got.addressee == truth["addressee"],
        "annex": annex_ok,
    }


@pytest.fixture(scope="module")
def corpus() -> list[tuple[dict[str, Any], ExtractedNotice | None, str | None]]:
    """(truth, extracted, error) for every published page of the simulated web."""
    thread = GovWebThread(held_back=0)
    thread.start()
    try:
        web = thread.web
        truth = ground_truth(web)
        pages = {web.url_of(p): p for p in web.published()}
        out = []
        with httpx.Client(timeout=30, follow_redirects=True) as client:
            for record in truth:
                response = client.get(record["source_url"])
                page = pages[record["source_url"]]
                try:
                    got = extract_page(
                        response.content,
                        record["source_url"],
                        response.headers.get("content-type"),
                        listing_title=cut(page.title, 30),
                        listing_date=page.day.isoformat(),
                    )
                    error = None
                except ExtractionError as exc:
                    got, error = None, str(exc)
                out.append((record, got, error))
        return out
    finally:
        thread.stop()


def test_corpus_field_scores(corpus, capsys) -> None:
    notices = [(t, g, e) for t, g, e in corpus if t["kind"] != "news"]
    assert notices, "the simulator published no notice pages"
    totals = dict.fromkeys(REPORTED, 0)
    failures: list[str] = []
    for truth, got, error in notices:
        checks = field_checks(got, truth)
        for name, ok in checks.items():
            totals[name] += ok
        bad = [name for name, ok in checks.items() if not ok]
        if bad:
            failures.append(f"  {truth['site']:12s} {truth['title'][:28]} {bad} {error or ''}")
    scores = {name: totals[name] / len(notices) for name in REPORTED}
    with capsys.disabled():
        print(f"\nextraction vs simulator truth: {len(notices)} notice pages ({len(corpus)} pages fetched)")
        print(f"  {'field':14s} {'score':>7s}  threshold")
        for name in REPORTED:
            limit = THRESHOLDS.get(name)
            print(
                f"  {name:14s} {scores[name] * 100:6.1f}%  {'' if limit is None else f'≥ {limit * 100:.0f}%'}"
            )
        if failures:
            print("  misses:\n" + "\n".join(failures))
    for name, limit in THRESHOLDS.items():
        assert scores[name] >= limit, f"{name}: {scores[name]:.1%} < {limit:.0%}"


def test_corpus_news_pages_extract(corpus) -> None:
    """News items (no 公文 shape) still yield their title and body."""
    news = [(t, g) for t, g, _ in corpus if t["kind"] == "news"]
    good = sum(
        1
        for truth, got in news
        if got is not None
        and _compact(got.title) == _compact(truth["title"])
        and similarity(got.body_text, truth["body_text"]) >= 0.9
    )
    assert good >= 0.9 * len(news)
