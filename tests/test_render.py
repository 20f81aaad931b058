"""The 快讯 in its four formats, built from a past issue (seed 2019-1102) plus a hostile notice.

Checked the way a reader would: the text and markdown read like the seeds; the HTML and
markdown, once rendered by a browser or a CommonMark parser, carry no injected markup or
``javascript:`` link; the PDF has its cover, 目 录, every title, the contact line on every
page and an embedded CJK font, and its first page is not blank when rasterised.
"""

from __future__ import annotations

import email
import re
import shutil
import subprocess
from datetime import UTC, datetime
from email.message import EmailMessage
from email.policy import default
from io import BytesIO
from pathlib import Path
from typing import Any

import lxml.html
import pytest
from markdown_it import MarkdownIt
from PIL import Image

from kuaixun.config import read_raw, validate
from kuaixun.cycle import write_issue
from notify.issue import DigestLayout, Issue, IssueItem, build_issue, item_from_record
from notify.mail import email_body, issue_message
from notify.render import (
    Change,
    changes,
    changes_left_out,
    clean,
    md_escape,
    render_html,
    render_markdown,
    render_pdf,
    render_print_html,
    render_text,
    safe_url,
)
from pipeline.records import ExtractedNotice
from simulator.seednotice import SeedNotice
from simulator.seeds import load_seeds
from tests.browser import chromium
from tests.conftest import PROJECT

SECTIONS = ("政策文件", "绿色制造", "申报通知")
SCRIPT = "<script>alert(1)</script>"
EVIL_URL = "javascript:alert(1)"
EVIL_TITLE = f"关于恶意内容的通知{SCRIPT}"
EVIL_BODY = (
    "[点我](javascript:alert(2)) **粗** <img src=x onerror=alert(3)> &lt;b&gt;",
    "# 不是标题",
    "1. 不是列表",
    "[ref]: javascript:alert(4)",
    "| a | b |",
    "正文\x1b[31m带控制符\u202e和反向字符",
)
DIFF = "--- 之前\n+++ 现在\n@@ -1,3 +1,3 @@\n 标题：x\n-文号：旧文号\n+文号：新文号〔2019〕1号"


# --------------------------------------------------------------------------- the issue


def seed_record(seed: SeedNotice) -> ExtractedNotice:
    """A stored-notice record carrying what the seed printed, as the pipeline would store it."""
    return ExtractedNotice.from_json(
        {
            "title": seed.title,
            "doc_number": seed.doc_number,
            "addressee": seed.addressee,
            "body_text": "\n".join(seed.paragraphs),
            "attachments": [{"name": name, "url": "http://example.gov.cn/a"} for name in seed.attachments],
            "issuer": "、".join(seed.signers),
            "publish_date": seed.date,
            "annex_text": "\n".join(seed.annex),
            "source_url": seed.source_url,
            "extra": {"issuer_source": "signature" if seed.signers else None},
        }
    )


def evil_item() -> IssueItem:
    record = ExtractedNotice.from_json(
        {
            "title": EVIL_TITLE,
            "doc_number": "恶〔2019〕1号",
            "addressee": "各有关单位",
            "body_text": "\n".join(EVIL_BODY),
            "attachments": [],
            "issuer": "某某厅",
            "publish_date": "2019-11-20",
            "annex_text": "",
            "source_url": EVIL_URL,
            "extra": {"issuer_source": "signature"},
        }
    )
    return item_from_record(record)


@pytest.fixture(scope="module")
def layout() -> DigestLayout:
    return DigestLayout(**read_raw(PROJECT / "config.yaml")["digest"])


@pytest.fixture(scope="module")
def seeds() -> list[SeedNotice]:
    return [s for s in load_seeds() if s.issue == "2019-1102"]


@pytest.fixture(scope="module")
def issue(layout: DigestLayout, seeds: list[SeedNotice]) -> Issue:
    """Seed 2019-1102 in reverse section order (build_issue must restore it), one revised, one hostile."""
    pairs = [
        (s.section, item_from_record(seed_record(s), revised=i == 1, diff=DIFF if i == 1 else None))
        for i, s in enumerate(reversed(seeds))
    ]
    return build_issue("(2019) 1102 期", layout, [*pairs, ("申报通知", evil_item())])


@pytest.fixture(scope="module")
def pdf(issue: Issue, tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("pdf") / "issue.pdf"
    path.write_bytes(render_pdf(issue))
    return path


def squeeze(text: str) -> str:
    return re.sub(r"\s+", "", text)


def body_part(text: str, marker: str) -> str:
    """The text after the 目 录: from the second occurrence of the first section heading."""
    first = text.index(marker)
    return text[text.index(marker, first + 1) :]


# --------------------------------------------------------------------------- text


def test_text_reads_like_the_seed(issue: Issue, seeds: list[SeedNotice], layout: DigestLayout) -> None:
    text = render_text(issue)
    lines = text.splitlines()
    assert [line for line in lines if line][:4] == [layout.publisher, "快 讯", "(2019) 1102 期", "目 录"]
    body = body_part(text, "[政策文件]\n")
    positions = [body.index(f"[{name}]\n") for name in SECTIONS]
    assert positions == sorted(positions)
    for seed in seeds:
        assert f"\n{seed.title}" in body
        assert (seed.doc_number or "") in body
        if seed.source_url:  # the seed printed none for 宁波
            assert f"相关链接：\n\n{seed.source_url}\n" in body
        for signer in seed.signers:
            assert signer in lines
    assert "\n国家发展改革委\n工业和信息化部\n" in body  # signers one per line, as the seed prints them
    assert "2019年11月10日" in lines
    assert all(line in lines for line in layout.closing + layout.footer)


def test_text_marks_the_revision_and_what_changed(issue: Issue) -> None:
    text = render_text(issue)
    assert text.count("（更新）") == 2  # 目 录 and title
    assert "- 文号：旧文号\n+ 文号：新文号〔2019〕1号\n" in text


def test_what_changed_lists_only_removed_and_added_lines() -> None:
    diff = "--- 之前\n+++ 现在\n@@ -1,2 +1,2 @@\n 标题：x\n--- 以横线开头的旧行\n+新行\n"
    assert changes(diff) == [Change("removed", "-- 以横线开头的旧行"), Change("added", "新行")]
    many = "@@ -1,20 +1,20 @@\n" + "\n".join(f"+第{i}行" for i in range(20))
    assert len(changes(many)) == 12 and changes_left_out(many) == 8
    assert changes(None) == [] and changes_left_out(None) == 0


def test_text_drops_controls_and_unsafe_links(issue: Issue) -> None:
    text = render_text(issue)
    assert "\x1b" not in text and "\u202e" not in text
    assert EVIL_URL not in text
    assert "正文[31m带控制符和反向字符" in text


# --------------------------------------------------------------------------- markdown


def test_markdown_has_the_seed_layout(issue: Issue, seeds: list[SeedNotice], layout: DigestLayout) -> None:
    markdown = render_markdown(issue)
    assert markdown.startswith(f"# {layout.publisher}\n\n## 快 讯\n\n(2019) 1102 期\n\n### 目 录\n")
    headings = [markdown.index(f"\n## [{name}]\n") for name in SECTIONS]
    assert headings == sorted(headings)
    for seed in seeds:
        assert f"\n# {md_escape(seed.title)}" in markdown
        assert f"\n- {md_escape(seed.title)}" in markdown
        assert (seed.doc_number or "") in markdown
        if seed.source_url:
            assert f"相关链接：\n\n<{seed.source_url}>\n" in markdown


def test_markdown_renders_no_injected_markup(issue: Issue) -> None:
    html = MarkdownIt("commonmark").enable("table").enable("strikethrough").render(render_markdown(issue))
    assert "<script" not in html and "<img" not in html
    assert 'href="javascript' not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "<strong>" in html  # the template's own **[section]** still renders
    assert "<strong>粗</strong>" not in html and "<th>a</th>" not in html
    assert "<h1>不是标题</h1>" not in html and "<ol>" not in html
    hrefs = re.findall(r'href="([^"]*)"', html)
    assert hrefs and all(h.startswith(("http://", "https://")) for h in hrefs)


def test_md_escape_leaves_chinese_text_alone() -> None:
    assert md_escape("关于印发《办法》的通知（2019-2022年）") == "关于印发《办法》的通知（2019-2022年）"
    assert md_escape("- 列表") == "\\- 列表"
    assert md_escape("2. 第二") == "2\\. 第二"
    assert md_escape("a_b*c") == "a\\_b\\*c"


# --------------------------------------------------------------------------- HTML


@pytest.mark.parametrize("render", [render_html, render_print_html])
def test_html_escapes_scraped_content(issue: Issue, render: Any) -> None:
    html = render(issue)
    assert SCRIPT not in html and "<img" not in html
    assert EVIL_TITLE in lxml.html.fromstring(html).text_content()  # printed as text
    assert EVIL_URL not in html  # the 相关链接 is dropped; body text mentioning javascript: stays text
    assert not re.search(r"(href|src)=[\"']?\s*javascript", html, re.IGNORECASE)
    hrefs = re.findall(r'href="([^"]*)"', html)
    assert all(h.startswith(("http://", "https://", "#")) for h in hrefs)


def test_html_email_is_self_contained(issue: Issue, seeds: list[SeedNotice]) -> None:
    html = render_html(issue)
    assert "<style" not in html and "<link" not in html and "<script" not in html
    assert "max-width:720px" in html and "Noto Sans CJK SC" in html
    text = lxml.html.fromstring(html).text_content()
    for seed in seeds:
        assert seed.title in text
    assert html.count("（更新）") == 2 and "文号：新文号〔2019〕1号" in html


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("http://www.ndrc.gov.cn/a.html", "http://www.ndrc.gov.cn/a.html"),
        ("HTTPS://x.gov.cn/?a=1&b=2", "HTTPS://x.gov.cn/?a=1&b=2"),
        ("javascript:alert(1)", None),
        (" JavaScript:alert(1)", None),
        ("data:text/html,<script>", None),
        ("/relative/path", None),
        ('http://x.cn/"><script>', None),
        ("http://x.cn/a b", None),
        ("http:///nohost", None),
    ],
)
def test_only_http_urls_are_links(url: str, expected: str | None) -> None:
    assert safe_url(url) == expected


def test_clean_flattens_fields_to_one_visible_line() -> None:
    assert clean("标题\n相关链接：\nhttp://evil") == "标题 相关链接： http://evil"
    assert clean("a\u200bb\u202ec\x00d\te") == "abcd e"


# --------------------------------------------------------------------------- PDF


def pdf_pages(pdf: Path) -> list[str]:
    text = subprocess.run(["pdftotext", "-enc", "UTF-8", str(pdf), "-"], capture_output=True, text=True)
    return text.stdout.split("\f")[:-1]


def test_pdf_has_cover_contents_titles_and_footer_on_every_page(
    pdf: Path, seeds: list[SeedNotice], layout: DigestLayout
) -> None:
    pages = pdf_pages(pdf)
    assert len(pages) >= 2
    cover = squeeze(pages[0])
    assert squeeze(layout.publisher + "快讯(2019)1102期目录") in cover
    for name in SECTIONS:
        assert f"[{name}]" in cover
    body = squeeze("".join(pages[1:]))
    for seed in seeds:
        assert squeeze(seed.title) in cover and squeeze(seed.title) in body
    assert "关于恶意内容的通知<script>alert(1)</script>" in body  # printed as text, not interpreted
    footer = [squeeze(line) for line in layout.footer]
    for number, page in enumerate(pages, 1):
        assert all(line in squeeze(page) for line in footer), f"no footer on page {number}"


def test_pdf_contents_give_the_page_of_each_section(pdf: Path) -> None:
    pages = pdf_pages(pdf)
    cover = pages[0]
    for name in SECTIONS:
        listed = re.search(rf"\[{name}\][ .]*?(\d+)\s*$", cover, re.MULTILINE)
        assert listed, name
        page = int(listed[1])
        assert f"[{name}]" in pages[page - 1], f"[{name}] is not on page {page}"


def test_pdf_embeds_a_cjk_font(pdf: Path) -> None:
    fonts = subprocess.run(["pdffonts", str(pdf)], capture_output=True, text=True, check=True).stdout
    embedded = [
        line
        for line in fonts.splitlines()[2:]
        if re.search(r"CJK|Han|WenQuanYi", line)
        and re.search(r"\syes\s+(yes|no)\s+(yes|no)\s+\d+\s+\d+$", line)
    ]
    assert embedded, fonts


def dark_fraction(png: bytes) -> float:
    image = Image.open(BytesIO(png)).convert("L")
    histogram = image.histogram()
    return sum(histogram[:128]) / (image.width * image.height)


def test_pdf_first_page_is_not_blank(pdf: Path) -> None:
    png = subprocess.run(
        ["pdftoppm", "-r", "60", "-f", "1", "-l", "1", "-png", str(pdf)], capture_output=True, check=True
    ).stdout
    assert 0.005 < dark_fraction(png) < 0.5


# --------------------------------------------------------------------------- HTML in a browser


@pytest.mark.skipif(
    shutil.which("chromium") is None, reason="chromium not installed (scripts/system-deps.sh)"
)
def test_html_email_renders_in_a_phone_sized_browser(issue: Issue, tmp_path: Path) -> None:
    page = tmp_path / "issue.html"
    page.write_text(render_html(issue), encoding="utf-8")
    shot = tmp_path / "phone.png"
    subprocess.run(
        chromium(
            tmp_path / "profile",
            f"--screenshot={shot}",
            "--window-size=420,2000",
            page.as_uri(),
        ),
        capture_output=True,
        timeout=120,
        check=False,
    )
    assert shot.exists()
    assert Image.open(shot).size == (420, 2000)
    assert dark_fraction(shot.read_bytes()) > 0.01


# --------------------------------------------------------------------------- the files and the email


def test_email_carries_html_text_and_the_pdf(issue: Issue) -> None:
    body = email_body(issue)
    message = issue_message(
        issue,
        body,
        sender="kuaixun@example.com",
        to=["a@example.com"],
        now=datetime(2019, 11, 21, tzinfo=UTC),
        pdf=b"%PDF-1.7 fake",
        pdf_name="kuaixun-2019-1102.pdf",
    )
    parsed = email.message_from_bytes(bytes(message), _class=EmailMessage, policy=default)
    assert parsed.get_content_type() == "multipart/mixed"
    html = parsed.get_body(("html",))
    assert html is not None and html.get_content() == body.html
    assert parsed.get_body(("plain",)).get_content() == body.text
    attachments = list(parsed.iter_attachments())
    assert [(a.get_content_type(), a.get_filename()) for a in attachments] == [
        ("application/pdf", "kuaixun-2019-1102.pdf")
    ]
    assert attachments[0].get_content() == b"%PDF-1.7 fake"


def test_write_issue_writes_every_format(issue: Issue, tmp_path: Path) -> None:
    raw = read_raw(PROJECT / "config.yaml")
    config = validate(
        {
            "digest": raw["digest"],
            "classify": raw["classify"],
            "sources": raw["sources"],
            "out_dir": str(tmp_path / "out"),
        },
        "test",
        tmp_path,
    )
    files = write_issue(config, issue, datetime(2019, 11, 21))
    assert [p.name for p in (files.html, files.text, files.markdown, files.pdf, files.eml)] == [
        f"kuaixun-2019-1102.{suffix}" for suffix in ("html", "txt", "md", "pdf", "eml")
    ]
    assert files.pdf.read_bytes().startswith(b"%PDF")
    assert files.markdown.read_text(encoding="utf-8").startswith("# ")
    message = email.message_from_bytes(files.eml.read_bytes(), _class=EmailMessage, policy=default)
    assert [a.get_filename() for a in message.iter_attachments()] == ["kuaixun-2019-1102.pdf"]
