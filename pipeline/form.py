"""What a page is, before where it goes: an official document (公文) or news.

A newsletter section is only ever chosen for a document. The form is read from what the page
carries: a 文号, a 主送 line, a title ending in a document type (通知, 公告, 意见, 办法, 批复 …),
the set phrases of 公文 (特此通知, 现印发给你们, 公示期), and on the other side news evidence:
headline verbs (召开, 举办, 调研, 出席), report genres (答记者问, 政策解读, 一周要闻, 新闻发布会),
datelines (新华社北京…电, 本网讯, 记者), a report's date-led opening, and a news column in the
URL or the page's ColumnName meta. News evidence is never outweighed by a topic: only by the
page's own document evidence.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from urllib.parse import urlsplit

from pipeline.lexicon import OFFICIAL_TYPES
from pipeline.records import ExtractedNotice
from pipeline.tags import notice_type

DOCUMENT = "document"
NEWS = "news"

DOCUMENT_MIN = 3.0
"""Document evidence a page needs at least: one strong sign (文号, 主送 or a 公文 title)."""
OPENING = 200
"""Body characters where datelines and a report's date-led opening are looked for."""


@dataclass(frozen=True)
class Cue:
    """One kind of evidence: a pattern, where it is looked for, and its weight."""

    name: str
    pattern: re.Pattern[str]
    weight: float


def _cue(name: str, pattern: str, weight: float) -> Cue:
    return Cue(name, re.compile(pattern), weight)


# Document evidence in the title besides a type ending: official genres whose titles end otherwise.
DOCUMENT_TITLE_CUES: tuple[Cue, ...] = (
    _cue("official genre", r"行政处罚|信息公开表|决定书|国务院令|部令|令第\s*\d+\s*号", 3),
)
# Set phrases of 公文 in the body: a report does not write them.
DOCUMENT_BODY_CUES: tuple[Cue, ...] = (
    _cue(
        "公文 phrase",
        r"特此(?:通知|公告|公示|通告|批复|通报|函告|决定)|现将[^。]{0,30}(?:通知|公告|公示)如下"
        r"|现(?:予|将)?[^。]{0,20}(?:印发|转发)给你们|请(?:认真)?(?:贯彻执行|遵照执行|贯彻落实|组织实施)"
        r"|现予(?:以)?(?:公布|公告|公示|发布)|予以公示|公示期|如有异议|现提出以下意见|公告如下"
        r"|自\S{0,12}起施行|收悉",
        2,
    ),
)
STRONG_SIGN = 3.0
"""A 文号, a 主送 line or a 公文 title: each alone makes a document of a page without news evidence."""
WEAK_TITLE = 1.0
"""A title ending in a type that reports share (…名单, …标准): it only adds to other signs."""
# News evidence in the title that no document title carries: report genres.
NEWS_GENRE_CUES: tuple[Cue, ...] = (
    _cue(
        "report genre",
        r"答记者问|答问|政策解读|解读|新闻发布会|发布会|一周要闻|要闻|图解|一图读懂|【视频】|专访|访谈|综述|侧记|纪实",
        6,
    ),
)
# News evidence in a title that is not a 公文 title (关于举办…大赛的通知 is a notice): headline
# verbs, meetings and events, a report's subject.
NEWS_TITLE_CUES: tuple[Cue, ...] = (
    _cue(
        "headline verb",
        r"召开|举办|举行|调研|出席|会见|会谈|座谈|考察|走访|督导|慰问|开幕|闭幕|签约|主持|亮相|入选|获评|荣获"
        r"|取得|成效|进展|赴|一行",
        4,
    ),
    _cue("meeting or event", r"(?:会议?|培训班|活动|仪式|论坛|大会)(?:召开|举行|举办)?$", 3),
    _cue("report subject", r"^(?:我市|我省|我区|我县|我局|我厅|我委|全市|全省|全区|全县)", 2),
)
# News evidence at the opening of the body.
NEWS_BODY_CUES: tuple[Cue, ...] = (
    _cue(
        "dateline",
        r"(?:新华社|中新社|人民网|新华网|央视网|央广网)\S{0,12}(?:电|消息)|本(?:网|报|台)讯|[（(]记者|记者\S{0,6}(?:从|获悉)"
        r"|通讯员|女士们、先生们",
        4,
    ),
    _cue("date-led report", r"^(?:\d{1,2}月\d{1,2}日|近日|日前|今年以来|\d{1,2}[-—]\d{1,2}月)[，,上下午]", 2),
)
# News columns, in the URL's last directory or the page's ColumnName meta.
NEWS_COLUMN_RE = re.compile(r"新闻|动态|要闻|资讯|解读|媒体|图片|视频|领导活动|发布会|时政")
NEWS_PATH_RE = re.compile(
    r"^(?:gzdt|xwdt|xwzx|xwfb|news|xinwen|ywdt|zwdt|tpxw|jrtt|zcjd|jd|mtbd|mtjj|ldhd|ldjh|yw|sxyw|xwfbh)\d*$"
)
NEWS_COLUMN_WEIGHT = 3.0
"""A news column is a strong hint, not proof: some sites file their notices under 工作动态."""


@dataclass(frozen=True)
class Form:
    """The form decision: document or news, with the evidence on each side."""

    kind: str
    document: float
    """Document evidence: 文号, 主送, title type, 公文 phrases."""
    news: float
    """News evidence: headline verbs, genres, datelines, news columns."""
    reasons: tuple[str, ...]

    @property
    def is_document(self) -> bool:
        return self.kind == DOCUMENT


def read_form(notice: ExtractedNotice, column: str | None = None) -> Form:
    """Whether ``notice`` is an official document, from what the page itself carries."""
    reasons: list[str] = []
    document = _document_evidence(notice, reasons)
    news = _news_evidence(notice, column, reasons)
    kind = DOCUMENT if document >= DOCUMENT_MIN and document > news else NEWS
    reasons.append(f"form: {kind} (document evidence {document:g}, news evidence {news:g})")
    return Form(kind, document, news, tuple(reasons))


def _document_evidence(notice: ExtractedNotice, reasons: list[str]) -> float:
    score = 0.0
    kind = notice_type(notice.title)
    title = STRONG_SIGN if formal_title(notice.title) else WEAK_TITLE
    for present, weight, why in (
        (bool(notice.doc_number), STRONG_SIGN, f"文号 {notice.doc_number}"),
        (bool(notice.addressee), STRONG_SIGN, "主送 line"),
        (kind is not None, title, f"title is a {kind}"),
    ):
        if present:
            score += weight
            reasons.append(f"form: {why} (+{weight:g})")
    score += _matches(DOCUMENT_TITLE_CUES, notice.title, "title", "+", reasons)
    score += _matches(DOCUMENT_BODY_CUES, notice.body_text, "body", "+", reasons)
    return score


def formal_title(title: str) -> bool:
    """Whether ``title`` is a 公文 title: 关于…的 + a type, or a type of its own (…条例, …公示)."""
    kind = notice_type(title)
    return kind is not None and ("关于" in title or kind in OFFICIAL_TYPES)


def _news_evidence(notice: ExtractedNotice, column: str | None, reasons: list[str]) -> float:
    title = notice.title.strip()
    score = _matches(NEWS_GENRE_CUES, title, "title", "-", reasons)
    if not formal_title(title):
        score += _matches(NEWS_TITLE_CUES, title, "title", "-", reasons)
    score += _matches(NEWS_BODY_CUES, notice.body_text[:OPENING].lstrip(), "body", "-", reasons)
    where = _news_column(notice, column)
    if where:
        score += NEWS_COLUMN_WEIGHT
        reasons.append(f"form: news column {where} (-{NEWS_COLUMN_WEIGHT:g})")
    return score


def _matches(cues: Sequence[Cue], text: str, place: str, sign: str, reasons: list[str]) -> float:
    """The weights of the cues found in ``text``, each counted once."""
    score = 0.0
    for cue in cues:
        found = cue.pattern.search(text)
        if found:
            score += cue.weight
            reasons.append(f"form: {place} has {cue.name} {found.group(0)} ({sign}{cue.weight:g})")
    return score


def _news_column(notice: ExtractedNotice, column: str | None) -> str | None:
    """The news column the page sits in: its URL's last directory, its ColumnName meta, the source's."""
    metas = notice.extra.get("metas") if isinstance(notice.extra.get("metas"), dict) else {}
    for name in (column, metas.get("columnname")):
        if name and NEWS_COLUMN_RE.search(name):
            return name
    directory = _last_directory(notice.source_url)
    return f"/{directory}/" if directory and NEWS_PATH_RE.match(directory) else None


def _last_directory(url: str) -> str | None:
    """The column directory of a page URL: the last path part that is not a date or id."""
    parts = [p for p in urlsplit(url).path.split("/")[:-1] if p]
    for part in reversed(parts):
        if not re.fullmatch(r"[\d_-]+|t?\d{6,8}|[a-z]?\d+", part):
            return part.lower()
    return None
