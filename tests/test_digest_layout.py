"""The issue as the editor reads it: annexes, tables, signatures and titles laid out as the seeds do.

The notices come the way the product gets them: pages run through the extractor, the records
through ``item_from_record``. The PDF is checked where a reader sees it — word positions from
``pdftotext -bbox`` (an annex title centred, paragraphs indented, table columns aligned, 附件
entries under one another) — and the HTML, text and Markdown where their readers do.
"""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

import pytest
from lxml import etree
from lxml import html as lxml_html
from markdown_it import MarkdownIt

from kuaixun.queries import display_width
from notify.issue import DigestLayout, Issue, IssueItem, build_issue, item_from_record
from notify.render import render_html, render_markdown, render_pdf, render_print_html, render_text
from pipeline.extract import extract_page
from pipeline.records import ExtractedNotice
from simulator.seeds import SECTIONS

PAGE = """<!DOCTYPE html>
<html lang="zh-CN"><head><meta charset="utf-8">
<title>{title}_{site}</title>
<meta name="ArticleTitle" content="{title}">
<meta name="PubDate" content="{posted} 09:30">
<meta name="ContentSource" content="{source}">
</head><body>
<div class="header"><a href="/">首页</a> <a href="/xxgk/">政务公开</a></div>
<div class="article"><h2 class="title">{title}</h2>
<div class="time">发布时间：{posted}</div>
<div class="TRS_Editor">{body}</div></div>
<div class="footer">主办单位：{site}</div>
</body></html>"""

SIGNED_TITLE = "关于开展宁波市绿色制造示范推荐工作的通知"
SIGNED_BODY = "".join((
    '<p align="center">甬经信节能〔2019〕120号</p>',
    "<p>各区县（市）经信局，各管委会经发局：</p>",
    "<p>为加快推进我市绿色制造体系建设，现将有关事项通知如下：</p>",
    "<p>一、时间安排</p>",
    "<table border='1'><tr><td>阶段</td><td>时间</td></tr>",
    "<tr><td>企业申报</td><td>2019年12月6日前</td></tr>",
    "<tr><td>专家评审</td><td>2019年12月下旬</td></tr></table>",
    "<p>二、请各地于2019年12月6日前将推荐材料报送市经信局。</p>",
    "<p>附件：1.绿色制造示范推荐名单汇总表</p>",
    "<p>2.绿色制造示范单项申报书</p>",
    '<p align="right">宁波市经济和信息化局</p>',
    '<p align="right">2019年11月15日</p>',
    "<p>附件1</p>",
    "<p>绿色制造示范推荐名单汇总表</p>",
    "<p>请各地按以下格式填报推荐企业，每类不超过三家，并加盖单位公章后随推荐文件一并报送。</p>",
    "<table border='1'><tr><td>序号</td><td>工厂名称</td><td>第三方机构名称</td><td>行业</td></tr>",
    "<tr><td>1</td><td>宁波某某电器有限公司</td><td>某某认证中心</td><td>家电</td></tr>",
    "<tr><td>2</td><td>宁波某某化工股份有限公司</td><td>某某评价中心</td><td>化工</td></tr>",
    "<tr><td>3</td><td></td><td></td><td></td></tr></table>",
))  # fmt: skip
ANNEX_TITLE = "绿色制造示范推荐名单汇总表"
ANNEX_PARAGRAPH = "请各地按以下格式填报推荐企业"
HEADER = ("序号", "工厂名称", "第三方机构名称", "行业")
ROWS = (
    ("1", "宁波某某电器有限公司", "某某认证中心", "家电"),
    ("2", "宁波某某化工股份有限公司", "某某评价中心", "化工"),
)

UNSIGNED_TITLE = "公开征求对《工业大数据发展指导意见（征求意见稿）》的意见"
UNSIGNED_BODY = "".join((
    "<p>为推进工业大数据发展，工业和信息化部编制了《工业大数据发展指导意见（征求意见稿）》。"
    "现向社会公开征求意见，如有意见或建议，请于2019年9月16日前反馈工业和信息化部信息化和软件服务业司。</p>",
    "<p>联系人：辛晓华 张毅夫</p>",
    "<p>电话：010-68208206</p>",
))  # fmt: skip
UNSIGNED_ISSUER = "工业和信息化部"
UNSIGNED_POSTED = "2019年9月1日"

ORPHAN_STEM = "关于组织开展二〇一九年度工业节能与绿色发展评价中心推荐工作及有关事项安排和材料报送要求的补充"
ORPHAN_LENGTHS = (*range(31, 36), *range(41, 46), *range(63, 68))
"""Title lengths around a full line of the item title (32 characters) and of the 目 录 (42)."""


def extracted(title: str, body: str, source: str, posted: str, url: str) -> ExtractedNotice:
    page = PAGE.format(title=title, body=body, source=source, posted=posted, site="某某政府网")
    return extract_page(page.encode("utf-8"), url, "text/html; charset=utf-8")


def orphan_item(length: int) -> IssueItem:
    title = (ORPHAN_STEM * 2)[: length - 3] + "的通知"
    record = ExtractedNotice(
        source_url=f"http://example.gov.cn/{length}.html", title=title, body_text="正文。"
    )
    return item_from_record(record)


@pytest.fixture(scope="module")
def issue() -> Issue:
    signed = extracted(
        SIGNED_TITLE, SIGNED_BODY, "节能处", "2019-11-15", "http://jxj.ningbo.gov.cn/art/1.html"
    )
    unsigned = extracted(
        UNSIGNED_TITLE,
        UNSIGNED_BODY,
        UNSIGNED_ISSUER,
        "2019-09-01",
        "http://www.miit.gov.cn/c7393004/content.html",
    )
    pairs = [("绿色制造", item_from_record(signed)), ("申报通知", item_from_record(unsigned))]
    pairs += [("政策文件", orphan_item(n)) for n in ORPHAN_LENGTHS]
    return build_issue("(2019) 1102 期", DigestLayout(sections=SECTIONS), pairs)


@pytest.fixture(scope="module")
def pdf(issue: Issue, tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("layout") / "issue.pdf"
    path.write_bytes(render_pdf(issue))
    return path


# --------------------------------------------------------------------------- PDF word positions


class Word:
    def __init__(self, element: etree._Element, page: int) -> None:
        self.text = element.text or ""
        self.x0, self.x1 = float(element.get("xMin")), float(element.get("xMax"))
        self.y0, self.y1 = float(element.get("yMin")), float(element.get("yMax"))
        self.page = page

    @property
    def height(self) -> float:
        return self.y1 - self.y0


def pdf_words(pdf: Path) -> tuple[list[Word], float]:
    """Every word of the PDF with its box (points), and the page width."""
    out = subprocess.run(["pdftotext", "-bbox", str(pdf), "-"], capture_output=True, check=True).stdout
    root = etree.fromstring(out, etree.XMLParser(recover=True))
    pages = root.findall(".//{*}page")
    words = [Word(w, n) for n, page in enumerate(pages) for w in page.iter("{*}word")]
    return words, float(pages[0].get("width"))


def word(words: list[Word], start: str, after: Word | None = None) -> Word:
    """The first word starting with ``start`` (after ``after`` in reading order, when given)."""
    begin = words.index(after) + 1 if after else 0
    found = next((w for w in words[begin:] if w.text.startswith(start)), None)
    assert found, f"no word starting with {start} in the PDF"
    return found


def char_width(word: Word) -> float:
    """The advance of one character of a word set in full-width characters only (the body's em)."""
    return (word.x1 - word.x0) / len(word.text)


def body_left(words: list[Word]) -> float:
    """The left edge of the text column: where most words start."""
    lefts = [round(w.x0) for w in words if w.page > 0]
    return max(set(lefts), key=lefts.count)


def test_pdf_sets_the_annex_title_as_a_title_and_indents_its_paragraphs(pdf: Path) -> None:
    words, width = pdf_words(pdf)
    signature = word(words, "宁波市经济和信息化局")
    title = word(words, ANNEX_TITLE, after=signature)
    assert abs((title.x0 + title.x1) / 2 - width / 2) < 3, "the annex title is centred"
    paragraph = word(words, ANNEX_PARAGRAPH, after=title)
    assert title.height > paragraph.height * 1.1, "the annex title is larger than its text"
    em = char_width(signature)
    assert 1.5 * em < paragraph.x0 - body_left(words) < 2.5 * em, (
        "the annex paragraph is indented 2 characters"
    )


def test_pdf_keeps_the_table_columns(pdf: Path) -> None:
    words, _ = pdf_words(pdf)
    header = [word(words, "序号")]
    for cell in HEADER[1:]:
        header.append(word(words, cell, after=header[-1]))
    previous = header[-1]
    for row in ROWS:
        cells = []
        for cell in row:
            cells.append(word(words, cell, after=previous))
            previous = cells[-1]
        assert [round(c.x0) for c in cells] == [round(h.x0) for h in header], row
        assert len({round(c.y0) for c in cells}) == 1, f"row {row} on one line"
    assert header[0].x0 < header[1].x0 < header[2].x0 < header[3].x0


def test_pdf_aligns_the_attachment_entries_under_the_first(pdf: Path) -> None:
    words, _ = pdf_words(pdf)
    first = word(words, "附件：")  # 附件：1.绿色制造示范推荐名单汇总表 (one word, or two)
    second = word(words, "2.绿色制造示范单项申报书", after=first)
    label = 3 * char_width(word(words, "宁波市经济和信息化局"))  # 附件： is three characters wide
    assert abs(second.x0 - (first.x0 + label)) < 2


def pdf_text(pdf: Path) -> str:
    return subprocess.run(
        ["pdftotext", "-enc", "UTF-8", str(pdf), "-"], capture_output=True, text=True
    ).stdout


def item_text(text: str, title: str, end: str = "相关链接") -> str:
    """One item's printed text: from its title (the second time: the first is the 目 录) to ``end``."""
    start = text.index(title, text.index(title) + 1)
    return text[start : text.index(end, start)]


def test_pdf_prints_no_signature_the_notice_does_not_carry(pdf: Path) -> None:
    text = pdf_text(pdf)
    unsigned = item_text(text, "征求意见稿）》的意见")
    lines = [line.strip() for line in unsigned.splitlines()]
    assert UNSIGNED_ISSUER not in lines and UNSIGNED_POSTED not in lines
    assert f"发布日期：{UNSIGNED_POSTED}" in lines  # the posting date, labelled as such
    signed = [line.strip() for line in item_text(text, SIGNED_TITLE).splitlines()]
    assert "宁波市经济和信息化局" in signed and "2019年11月15日" in signed


def test_pdf_titles_never_end_with_one_character_alone(pdf: Path) -> None:
    lone = re.compile(r"^\s*[\u4e00-\u9fff][\s.·]*\d*\s*$")  # 知, or 知 . . . . 2 in the 目 录
    orphans = [line for line in pdf_text(pdf).splitlines() if lone.match(line)]
    assert not orphans


# --------------------------------------------------------------------------- HTML


@pytest.mark.parametrize("render", [render_html, render_print_html])
def test_html_sets_the_annex_title_and_keeps_the_table(issue: Issue, render: object) -> None:
    root = lxml_html.fromstring(render(issue))  # type: ignore[operator]
    headings = [h.text_content() for h in root.iter("h2", "h3", "h4")]
    assert ANNEX_TITLE in headings
    tables = [
        [[cell.text_content() for cell in row.iter("td", "th")] for row in table.iter("tr")]
        for table in root.iter("table")
    ]
    assert [list(HEADER), *map(list, ROWS), ["3", "", "", ""]] in tables
    assert [["阶段", "时间"], ["企业申报", "2019年12月6日前"], ["专家评审", "2019年12月下旬"]] in tables


def test_html_prints_no_invented_signature(issue: Issue) -> None:
    root = lxml_html.fromstring(render_html(issue))
    blocks = [" ".join(el.text_content().split()) for el in root.iter("p", "div") if len(el) == 0]
    assert UNSIGNED_ISSUER not in blocks and UNSIGNED_POSTED not in blocks
    assert f"发布日期：{UNSIGNED_POSTED}" in blocks
    assert "宁波市经济和信息化局" in blocks and "2019年11月15日" in blocks


def test_html_titles_keep_their_last_two_characters_together(issue: Issue) -> None:
    for render in (render_html, render_print_html):
        assert '的<span style="white-space:nowrap">通知</span>' in render(issue)


# --------------------------------------------------------------------------- text and Markdown


def columns(lines: list[str], cells: list[tuple[str, ...]]) -> list[list[int]]:
    """Display column where each (non-empty) cell starts, line by line."""
    out = []
    for line, row in zip(lines, cells, strict=True):
        starts, end = [], 0
        for cell in filter(None, row):
            end = line.index(cell, end)
            starts.append(display_width(line[:end]))
            end += len(cell)
        out.append(starts)
    return out


def test_text_aligns_the_table_columns(issue: Issue) -> None:
    text = render_text(issue)
    lines = text.splitlines()
    start = next(i for i, line in enumerate(lines) if line.startswith("序号"))
    table = lines[start : start + 4]
    starts = columns(table, [HEADER, *ROWS, ("3",)])
    assert starts[1] == starts[2] == starts[0]
    assert starts[3] == [0]
    assert f"{ANNEX_TITLE}\n\n{ANNEX_PARAGRAPH}" in text  # the annex title on its own line


def test_text_prints_no_invented_signature(issue: Issue) -> None:
    lines = item_text(render_text(issue), UNSIGNED_TITLE).splitlines()
    assert UNSIGNED_ISSUER not in lines and UNSIGNED_POSTED not in lines
    assert f"发布日期：{UNSIGNED_POSTED}" in lines


def test_text_aligns_the_attachment_entries_under_the_first(issue: Issue) -> None:
    lines = render_text(issue).splitlines()
    first = next(i for i, line in enumerate(lines) if line.startswith("附件：1.绿色制造"))
    assert display_width(lines[first + 1][: lines[first + 1].index("2.")]) == display_width("附件：")


def test_markdown_keeps_the_table_as_a_pipe_table(issue: Issue) -> None:
    markdown = render_markdown(issue)
    lines = [line for line in markdown.splitlines() if line.startswith("| 序号")]
    assert lines
    start = markdown.splitlines().index(lines[0])
    source = markdown.splitlines()[start : start + 5]
    pipes = [[display_width(line[:i]) for i, ch in enumerate(line) if ch == "|"] for line in source]
    assert all(p == pipes[0] for p in pipes), "the pipes line up"
    html = MarkdownIt("commonmark").enable("table").render(markdown)
    root = lxml_html.fromstring(f"<div>{html}</div>")
    tables = [
        [[c.text_content() for c in r.iter("td", "th")] for r in t.iter("tr")] for t in root.iter("table")
    ]
    assert [list(HEADER), *map(list, ROWS), ["3", "", "", ""]] in tables
    assert f"### {ANNEX_TITLE}" in markdown


# --------------------------------------------------------------------------- the record, read


def record(**fields: str | list[dict[str, str]]) -> ExtractedNotice:
    return ExtractedNotice.from_json(
        {"title": "关于某事项的通知", "source_url": "http://example.gov.cn/1.html", **fields}
    )


def test_closing_notes_after_the_signature_are_not_an_annex_title() -> None:
    notes = "（联系人：市工业和信息化局节能与综合利用处 王芳；联系电话：83605973）\n（此件主动公开）"
    annex = item_from_record(record(annex_text=notes)).annex
    assert annex is not None and annex.label is None and annex.title is None
    assert annex.blocks == tuple(notes.splitlines())


def test_a_body_that_names_its_attachments_gets_no_second_list() -> None:
    files = [{"name": "甲表"}, {"name": "乙表"}]
    named = item_from_record(record(body_text="正文。\n附件1：甲表\n附件2：乙表", attachments=files))
    assert named.body == ("正文。", "附件1：甲表", "附件2：乙表")
    unnamed = item_from_record(record(body_text="正文。", attachments=files))
    assert [type(block).__name__ for block in unnamed.body] == ["str", "AttachmentList"]
