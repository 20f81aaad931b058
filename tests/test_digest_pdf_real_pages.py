"""The ReportLab PDF of the notices of ``../shared/real-pages`` (pages real government sites
served, which nobody on this project wrote), extracted as a crawl extracts them: every paragraph
printed, in the TrueType font (no character sends it to WeasyPrint), and no line starting with
closing punctuation or ending with opening punctuation."""

from __future__ import annotations

import json
import re
import subprocess
from pathlib import Path

import pytest

from notify.issue import DigestLayout, Issue, build_issue, item_from_record
from notify.render import render_pdf
from pipeline.extract import extract_page

REAL = Path(__file__).resolve().parents[2] / "shared" / "real-pages" / "details"
FOOTER = "联系电话：010-1"
STARTS_WITH_CLOSING = re.compile(r"^\s*[，。、；：？！）》」』】〕”’]", re.MULTILINE)
ENDS_WITH_OPENING = re.compile(r"[（《「『【〔“‘]\s*$", re.MULTILINE)

pytestmark = pytest.mark.skipif(not REAL.is_dir(), reason=f"{REAL} is absent (the shared real pages)")


@pytest.fixture(scope="module")
def issue() -> Issue:
    items = []
    for entry in json.loads((REAL / "truth.json").read_text(encoding="utf-8")):
        page = next(REAL.glob(f"{entry['id']}*.html"))
        url = entry["source_url"] or f"http://www.example.gov.cn/{entry['id']}.html"
        items.append(("政策文件", item_from_record(extract_page(page.read_bytes(), url, None))))
    return build_issue("(2026) 1101 期", DigestLayout(sections=("政策文件",), footer=(FOOTER,)), items)


@pytest.fixture(scope="module")
def pdf(issue: Issue) -> bytes:
    return render_pdf(issue)


def pages(pdf: bytes) -> list[str]:
    text = subprocess.run(
        ["pdftotext", "-enc", "UTF-8", "-", "-"], input=pdf, capture_output=True, check=True
    )
    return text.stdout.decode("utf-8").split("\f")[:-1]


def test_the_real_notices_are_drawn_by_reportlab_in_full(issue: Issue, pdf: bytes) -> None:
    fonts = subprocess.run(["pdffonts", "-"], input=pdf, capture_output=True, check=True).stdout.decode()
    assert "WenQuanYi" in fonts, "a real page's character sent the issue to WeasyPrint"
    running = re.compile(rf"^({FOOTER}|\d+)$", re.MULTILINE)
    printed = re.sub(r"\s+", "", "".join(running.sub("", page) for page in pages(pdf)))
    paragraphs = [block for item in issue.sections[0].items for block in item.body if isinstance(block, str)]
    assert len(paragraphs) > 100
    missing = [p[:30] for p in paragraphs if re.sub(r"\s+", "", p) not in printed]
    assert not missing


def test_no_line_starts_with_closing_or_ends_with_opening_punctuation(pdf: bytes) -> None:
    text = "".join(pages(pdf))
    assert STARTS_WITH_CLOSING.findall(text) == [] and ENDS_WITH_OPENING.findall(text) == []
