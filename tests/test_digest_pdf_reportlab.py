"""The PDF drawn with ReportLab (notify/pdf.py), read back as a reader's tools read it: pdftotext
for the text and the page each 目 录 entry names, pdffonts for the embedded font, pdfminer for
the link annotations and the outline. Fetched text stays text; only checked URLs link; a
character the TrueType font lacks, or no such font, hands the issue to WeasyPrint."""

from __future__ import annotations

import logging
import re
import subprocess
from collections.abc import Iterator
from io import BytesIO

import pytest
from pdfminer.pdfdocument import PDFDocument
from pdfminer.pdfpage import PDFPage
from pdfminer.pdfparser import PDFParser
from pdfminer.pdftypes import resolve1

from notify import pdf as reportlab_pdf
from notify.issue import DigestLayout, Issue, IssueItem, Table, build_issue
from notify.render import render_pdf

SECTIONS = ("政策文件", "申报通知")
NOTICES = 44
"""Enough 目 录 lines to fill the cover and run onto a second page."""
LACKING = "䶮"
"""CJK Extension A (a personal name's character): in Noto Sans CJK, not in WenQuanYi Micro Hei."""
NOTO = re.compile(r"Noto.?Sans.?CJK")
HOSTILE_TITLE = '关于<font color="red">红字</font>与<a href="javascript:alert(1)">链接</a>&amp;的通知'


def notice(n: int, *, title: str | None = None, urls: tuple[str, ...] = ()) -> IssueItem:
    paragraphs = tuple(
        f"第{n}号通知第{p}段：为做好示范项目申报工作，现将有关事项通知如下。" * 6 for p in range(n % 7 + 1)
    )
    return IssueItem(
        title=title or f"关于第{n}批示范项目申报的通知",
        doc_number=f"工信厅函〔2026〕{n}号",
        addressee="各有关单位",
        body=paragraphs,
        signers=("某某厅",),
        date="2026年11月20日",
        posted=None,
        annex=None,
        source_urls=urls or (f"http://www.example.gov.cn/t20261120_{n}.html",),
    )


def issue_of(items: list[tuple[str, IssueItem]], **layout: object) -> Issue:
    return build_issue(
        "(2026) 1101 期", DigestLayout(sections=SECTIONS, footer=("联系电话：010-1",), **layout), items
    )


def pages(pdf: bytes) -> list[str]:
    text = subprocess.run(
        ["pdftotext", "-enc", "UTF-8", "-", "-"], input=pdf, capture_output=True, check=True
    )
    return text.stdout.decode("utf-8").split("\f")[:-1]


RUNNING = re.compile(r"^(联系电话：010-1|\d+)$", re.MULTILINE)
"""The footer's contact line and the page number: on every page, between the lines of a split."""


def printed_text(pages: list[str]) -> str:
    """The pages' text without the running footer, whitespace removed: what reads continuously."""
    return re.sub(r"\s+", "", "".join(RUNNING.sub("", page) for page in pages))


def fonts(pdf: bytes) -> str:
    return subprocess.run(["pdffonts", "-"], input=pdf, capture_output=True, check=True).stdout.decode()


def annotations(pdf: bytes) -> Iterator[dict[str, object]]:
    document = PDFDocument(PDFParser(BytesIO(pdf)))
    for page in PDFPage.create_pages(document):
        for annotation in resolve1(page.annots) or ():
            yield resolve1(annotation)


def outline(pdf: bytes) -> list[tuple[int, str]]:
    return [(level, title) for level, title, *_ in PDFDocument(PDFParser(BytesIO(pdf))).get_outlines()]


@pytest.fixture(scope="module")
def many() -> Issue:
    return issue_of([(SECTIONS[n % 2], notice(n)) for n in range(1, NOTICES + 1)])


@pytest.fixture(scope="module")
def many_pdf(many: Issue) -> bytes:
    return render_pdf(many)


def test_contents_give_the_page_of_every_notice_across_two_contents_pages(
    many: Issue, many_pdf: bytes
) -> None:
    printed = pages(many_pdf)
    entries = re.findall(r"^(\S+?)[ .]+ (\d+)$", printed[0] + printed[1], re.MULTILINE)
    titles = [f"[{s.name}]" for s in many.sections] + [i.title for s in many.sections for i in s.items]
    assert sorted(title for title, _ in entries) == sorted(titles), "every section and notice is listed"
    assert any(title in printed[1] for title in titles), "the 目 录 runs onto a second page"
    for title, page in entries:
        assert title in printed[int(page) - 1].splitlines(), f"{title} is not on page {page}"


def test_every_notice_is_printed_in_full_with_the_footer_on_every_page(many: Issue, many_pdf: bytes) -> None:
    printed = pages(many_pdf)
    assert all("联系电话：010-1" in page for page in printed)
    body = printed_text(printed[2:])
    for item in (i for s in many.sections for i in s.items):
        assert all(re.sub(r"\s+", "", p) in body for p in item.body if isinstance(p, str)), item.title
        assert str(item.doc_number) in body and item.source_urls[0] in body


def test_contents_link_to_their_headings_and_the_outline_lists_them(many: Issue, many_pdf: bytes) -> None:
    links = list(annotations(many_pdf))
    internal = [a for a in links if "Dest" in a]  # a named destination inside the document
    assert len(internal) == len(many.sections) + many.count
    expected = []
    for section in many.sections:
        expected.append((1, f"[{section.name}]"))
        expected += [(2, item.title) for item in section.items]
    assert outline(many_pdf) == expected


def test_the_font_is_the_truetype_one_embedded_and_subset(many_pdf: bytes) -> None:
    embedded = [line for line in fonts(many_pdf).splitlines() if "WenQuanYi" in line]
    assert embedded and all(re.search(r"\syes\s+yes\s+yes\s", line) for line in embedded), fonts(many_pdf)


def test_fetched_text_stays_text_and_only_checked_urls_link() -> None:
    url = "http://www.example.gov.cn/t1.html?a=1&b=2"
    item = notice(1, title=HOSTILE_TITLE, urls=("javascript:alert(1)", url, "file:///etc/passwd"))
    pdf = render_pdf(issue_of([("政策文件", item)]))
    text = re.sub(r"\s+", "", "".join(pages(pdf)))
    assert text.count(HOSTILE_TITLE.replace(" ", "")) == 2, "the title prints as its characters, twice"
    uris = [resolve1(a["A"]).get("URI") for a in annotations(pdf) if "A" in a]
    assert [u.decode() for u in uris if u] == [url]
    assert "javascript" not in text.replace(HOSTILE_TITLE.replace(" ", ""), "") and "/etc/passwd" not in text


def test_a_character_the_font_lacks_hands_the_issue_to_weasyprint(caplog: pytest.LogCaptureFixture) -> None:
    assert reportlab_pdf.cannot_draw(f"王{LACKING}") and reportlab_pdf.cannot_draw("王小明\ue11b") is None
    with caplog.at_level(logging.WARNING, logger="notify.render"):
        pdf = render_pdf(issue_of([("政策文件", notice(1, title=f"关于王{LACKING}同志任职的通知"))]))
    assert f"王{LACKING}同志" in "".join(pages(pdf))
    assert NOTO.search(fonts(pdf)) and "WenQuanYi" not in fonts(pdf)
    assert any(LACKING in record.getMessage() for record in caplog.records)


def test_without_a_truetype_font_weasyprint_draws_it(
    monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    monkeypatch.setattr(reportlab_pdf, "FONTS", ("No Such Family Anywhere",))
    reportlab_pdf._font_file.cache_clear()
    try:
        with caplog.at_level(logging.WARNING, logger="notify.render"):
            pdf = render_pdf(issue_of([("政策文件", notice(2))]))
    finally:
        reportlab_pdf._font_file.cache_clear()
    assert "关于第2批示范项目申报的通知" in "".join(pages(pdf)) and NOTO.search(fonts(pdf))
    assert any("No Such Family Anywhere" in record.getMessage() for record in caplog.records)


def test_weasyprint_stays_selectable() -> None:
    pdf = render_pdf(issue_of([("政策文件", notice(3))], pdf_engine="weasyprint"))
    assert NOTO.search(fonts(pdf)) and "关于第3批示范项目申报的通知" in "".join(pages(pdf))


@pytest.mark.parametrize(
    ("text", "width", "lines"),
    [
        ("建立散乱污”企业", 5, ["建立散乱污”", "企业"]),  # one closing mark hangs rather than start a line
        ("散乱污乱污。”企", 5, ["散乱污乱", "污。”企"]),  # two: pushed back with a character
        ("参见规划（2016", 5, ["参见规划", "（2016"]),  # an opening bracket goes with what it opens
        ("依据GB/T 29490", 8, ["依据GB/T", "29490"]),  # a Latin word or number is not split
        ("http://a.cn/b", 5, ["http:", "//a.c", "n/b"]),  # unless it is longer than half the line
    ],
)
def test_lines_break_between_characters_but_not_before_closing_or_after_opening_marks(
    text: str, width: float, lines: list[str]
) -> None:
    broken = reportlab_pdf.break_lines(text, [1.0] * len(text), [width])
    assert [line.rstrip() for _, line in broken] == lines


def test_a_title_longer_than_a_page_is_split_and_listed_shortened_with_its_page() -> None:
    runaway = "关于" + "示范项目申报工作" * 400 + "的通知"  # ~3,200 characters: pages of heading
    pdf = render_pdf(issue_of([("政策文件", notice(1)), ("申报通知", notice(2, title=runaway))]))
    assert "WenQuanYi" in fonts(pdf)
    printed = pages(pdf)
    assert printed_text(printed).count(runaway) == 1, "the heading in full"
    listed = re.search(r"(关于示范项目申报工作\S*?……)\.+(\d+)", re.sub(r"\s+", "", printed[0]))
    assert listed and len(listed[1]) == reportlab_pdf.MAX_CONTENTS_TITLE + 2
    assert runaway[:40] in printed_text([printed[int(listed[2]) - 1]])
    assert outline(pdf)[-1] == (2, runaway)


def test_a_table_row_longer_than_a_page_is_split_across_pages() -> None:
    cell = "企业名称及申报项目说明。" * 400  # one row taller than a page
    item = notice(3)
    item = IssueItem(**{**item.__dict__, "body": (*item.body, Table((("序号", "内容"), ("1", cell))))})
    pdf = render_pdf(issue_of([("政策文件", item)]))
    assert "WenQuanYi" in fonts(pdf)
    assert cell in printed_text(pages(pdf))


def test_a_table_too_wide_for_the_page_hands_the_issue_to_weasyprint(
    caplog: pytest.LogCaptureFixture,
) -> None:
    columns = 80  # at one character each, wider than the text column
    rows = (tuple(f"列{n}" for n in range(columns)), tuple("是" for _ in range(columns)))
    item = notice(4)
    item = IssueItem(**{**item.__dict__, "body": (*item.body, Table(rows))})
    with caplog.at_level(logging.WARNING, logger="notify.render"):
        pdf = render_pdf(issue_of([("政策文件", item)]))
    assert NOTO.search(fonts(pdf)) and "关于第4批示范项目申报的通知" in "".join(pages(pdf))
    assert any("80 columns" in record.getMessage() for record in caplog.records)
