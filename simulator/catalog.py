"""The simulated web's content: which page lives where, with which attachments and files.

Built once from the seed notices and the site table. Seeds are served at the path of their
printed URL on the site of its host; a seed printed without a URL goes on its issuer's site
at a path in that site's pattern (the first such one is published as a bare PDF, the
"PDF-only" trap). Each site is padded with news items so listings look like real columns.
"""

from __future__ import annotations

import logging
import re
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import date
from functools import partial

from simulator.files import FileBlob, make_file, make_pdf
from simulator.news import news_items
from simulator.seednotice import SeedNotice
from simulator.sites import SITES, TRS, SiteSpec, site_for_host, site_for_issuer
from simulator.urls import expand, page_dir, route_key, showname, split_url, stable_int

log = logging.getLogger(__name__)

NOTICE = "notice"
NEWS = "news"
PDF_ONLY = "pdf-only"
REPOST = "repost"

#: (original site, reposting site): the reposting site republishes the original site's first
#: notice that has a 文号, unchanged — as provinces republish ministry notices.
REPOSTS = (("miit", "gxt-hunan"),)

#: Pages whose listing date metas contradict (the reference's PubDate trap) or omit the source.
FLAG_PUBDATE_OFF = "pubdate-off"
FLAG_NO_SOURCE = "no-source"

_DEFAULT_ANCHOR = date(2019, 11, 15)


@dataclass(frozen=True)
class Attachment:
    """One 附件 of a notice: the seed's name and where (if anywhere) the file is served."""

    name: str
    """The name as printed in the seed (ground truth)."""
    filename: str
    """Display file name with extension (link text, Content-Disposition)."""
    kind: str
    """pdf / doc / xls / docx / xlsx."""
    path: str | None
    """Root-relative path (query percent-encoded) or None when the page does not link it."""


@dataclass(frozen=True)
class Page:
    """One published (or held-back) resource of a site: a notice, a news item, or a bare PDF."""

    site: SiteSpec
    path: str
    kind: str
    title: str
    day: date
    time: str
    """Visible time of day ``HH:MM`` (sites that show one)."""
    serial: int
    """Numeric content id (contentid meta, URL ids)."""
    seq: int
    """Position in seed order for notices, -1 for news."""
    seed: SeedNotice | None = None
    news_paragraphs: tuple[str, ...] = ()
    attachments: tuple[Attachment, ...] = ()
    original_url: str | None = None
    flags: frozenset[str] = field(default_factory=frozenset)

    @property
    def key(self) -> str:
        return route_key(self.path)

    @property
    def is_notice(self) -> bool:
        return self.kind != NEWS

    @property
    def paragraphs(self) -> tuple[str, ...]:
        return self.seed.paragraphs if self.seed else self.news_paragraphs


class FilesOnDemand(Mapping[str, FileBlob]):
    """Files made the first time they are asked for: a scaled web has thousands of attachments
    (office files take ~50 ms each to make) that a crawl of its notices never fetches."""

    def __init__(self) -> None:
        self._recipes: dict[str, Callable[[], FileBlob]] = {}
        self._made: dict[str, FileBlob] = {}

    def add(self, key: str, recipe: Callable[[], FileBlob]) -> None:
        self._recipes[key] = recipe
        self._made.pop(key, None)

    def __getitem__(self, key: str) -> FileBlob:
        if key not in self._made:
            self._made[key] = self._recipes[key]()
        return self._made[key]

    def __iter__(self) -> Iterator[str]:
        return iter(self._recipes)

    def __len__(self) -> int:
        return len(self._recipes)


@dataclass
class Catalog:
    pages: list[Page]
    files: Mapping[str, FileBlob]
    """route_key → file bytes (attachments and PDF-only notices)."""
    file_owner: dict[str, Page]
    """route_key of a file → the page it belongs to (files of held-back pages are hidden too)."""

    def by_key(self) -> dict[str, Page]:
        return {p.key: p for p in self.pages}


_DATE_IN_URL = (
    re.compile(r"t(\d{4})(\d{2})(\d{2})_"),
    re.compile(r"/art/(\d{4})/(\d{1,2})/(\d{1,2})/"),
    re.compile(r"/(\d{4})-(\d{2})/"),
)


def seed_date(seed: SeedNotice) -> date:
    """成文日期 of the seed, else the date in its URL, else the middle of its issue's half-month."""
    if seed.date:
        return date.fromisoformat(seed.date)
    for rx in _DATE_IN_URL:
        m = rx.search(seed.source_url or "")
        if m:
            y, mo, *d = (int(g) for g in m.groups())
            return date(y, mo, d[0] if d else 1)
    m = re.match(r"(\d{4})-(\d{2})(\d{2})", seed.issue)
    if m:
        y, mo, n = map(int, m.groups())
        return date(y, mo, min(28, 1 + (max(n, 1) - 1) * 14))
    return _DEFAULT_ANCHOR


def _path_id(path: str) -> int | None:
    """The numeric id at the end of a seed path (t2019…_1203505 → 1203505, art_15201_7120101)."""
    base = path.split("?", 1)[0].rstrip("/")
    tail = base.rsplit("/", 1)[-1]
    if tail.startswith("index.") or tail == "content.html":
        tail = base.rsplit("/", 2)[-2]
    nums = re.findall(r"\d{4,}", tail)
    return int(nums[-1]) if nums else None


def _time_of(key: str) -> str:
    minutes = stable_int(key, "clock", lo=8 * 60 + 30, hi=18 * 60)
    return f"{minutes // 60:02d}:{minutes % 60:02d}"


_ORDINAL = re.compile(r"^\s*(?:附件)?\s*\d+\s*[.、．:：]?\s*")
_EXT = re.compile(r"\.(pdf|docx?|xlsx?|wps|ofd|zip|rar)$", re.IGNORECASE)
_TABLE_WORDS = ("表", "名单", "清单")
_DOC_WORDS = ("申报书", "申请书", "模版", "模板", "格式", "提纲", "承诺书", "报告")


class _KindChooser:
    """Chooses a file format from an attachment's name, cycling so every format gets used."""

    def __init__(self) -> None:
        self._tables = 0
        self._docs = 0

    def choose(self, name: str) -> tuple[str, str]:
        """(kind, display filename)."""
        stem = _ORDINAL.sub("", name).strip() or name.strip()
        m = _EXT.search(stem)
        if m:
            ext = m.group(1).lower()
            kind = ext if ext in ("pdf", "doc", "docx", "xls", "xlsx") else "pdf"
            return kind, stem
        if stem.endswith(_TABLE_WORDS) or "表" in stem[-6:]:
            kind = ("xls", "xlsx")[self._tables % 2]
            self._tables += 1
        elif any(w in stem for w in _DOC_WORDS):
            kind = ("doc", "docx")[self._docs % 2]
            self._docs += 1
        else:
            kind = "pdf"
        return kind, f"{stem}.{kind}"


class _Builder:
    def __init__(self, sites: Sequence[SiteSpec]) -> None:
        self.sites = sites
        self.pages: list[Page] = []
        self.files = FilesOnDemand()
        self.file_owner: dict[str, Page] = {}
        self.used: dict[str, set[str]] = defaultdict(set)
        self.bases: dict[str, int] = {}
        self.kinds = _KindChooser()

    def _free_path(
        self, site: SiteSpec, day: date, serial: int, pattern: str, ext: str = ""
    ) -> tuple[str, int]:
        """First free path of the pattern, bumping the serial on collision."""
        while True:
            key = f"{site.name}|{serial}|{day}"
            path = expand(
                pattern,
                day=day,
                key=key,
                serial=serial,
                extra={
                    "listing_dir": site.listing_dir,
                    "page_dir": site.listing_dir,
                    "ext": ext,
                    "showname": showname(f"{serial}.{ext}"),
                    "n": "1",
                },
            )
            if path not in self.used[site.name]:
                self.used[site.name].add(path)
                return path, serial
            serial += 1

    def _site_of(self, seed: SeedNotice) -> tuple[SiteSpec, str | None]:
        """The site serving a seed and its path there (None: to be created in the site's pattern)."""
        if seed.source_url:
            _, host, path = split_url(seed.source_url)
            site = next((s for s in self.sites if s.host == host), None) or site_for_host(host)
            if site is not None:
                return site, path
            log.warning("seed %r: host %s is not simulated; placing it by issuer", seed.title, host)
        site = site_for_issuer(*seed.signers, seed.title)
        if site is None:
            log.warning("seed %r: no issuer site found; placing it on %s", seed.title, self.sites[0].name)
            site = self.sites[0]
        return site, None

    def add_seeds(self, seeds: Sequence[SeedNotice]) -> None:
        placed = [(seed, *self._site_of(seed)) for seed in seeds]
        for _, site, path in placed:
            if path:
                self.used[site.name].add(path)
                pid = _path_id(path)
                if pid:
                    self.bases[site.name] = max(self.bases.get(site.name, 0), pid)
        pdf_only_done = False
        taken: dict[SiteSpec, set[str]] = defaultdict(set)
        """Paths of the seeds placed so far, per site (a set: thousands of seeds at scale)."""
        for seq, (seed, site, path) in enumerate(placed):
            day = seed_date(seed)
            original = seed.source_url or None
            kind = NOTICE
            if path is None or path in taken[site]:
                serial = self._base(site) + stable_int(seed.title, hi=50)
                if original is None and not pdf_only_done:
                    kind, pdf_only_done = PDF_ONLY, True
                    path, serial = self._free_path(site, day, serial, site.attach_pattern, ext="pdf")
                else:
                    path, serial = self._free_path(site, day, serial, site.detail_pattern)
            else:
                serial = _path_id(path) or self._base(site) + seq
            page = Page(
                site=site,
                path=path,
                kind=kind,
                title=seed.title,
                day=day,
                time=_time_of(path),
                serial=serial,
                seq=seq,
                seed=seed,
                original_url=original,
            )
            page = self._with_attachments(page)
            self.pages.append(page)
            taken[site].add(path)
            if kind == PDF_ONLY:
                self._add_pdf_only(page)

    def _base(self, site: SiteSpec) -> int:
        if site.name not in self.bases:
            self.bases[site.name] = stable_int(site.name, "base", lo=100_000, hi=999_999)
        return self.bases[site.name]

    def _with_attachments(self, page: Page) -> Page:
        seed = page.seed
        assert seed is not None
        atts: list[Attachment] = []
        for n, name in enumerate(seed.attachments, start=1):
            kind, filename = self.kinds.choose(name)
            if page.kind == PDF_ONLY:
                # The PDF carries the whole notice; nothing else is linked.
                atts.append(Attachment(name, filename, kind, None))
                continue
            path = expand(
                page.site.attach_pattern,
                day=page.day,
                key=f"{page.path}#{n}",
                serial=page.serial,
                extra={
                    "listing_dir": page.site.listing_dir,
                    "page_dir": page_dir(page.path),
                    "ext": kind,
                    "showname": showname(filename),
                    "n": str(n),
                },
            )
            stem = _EXT.sub("", filename)
            body = seed.annex if n == 1 and seed.annex else (f"附件{n}", seed.title)
            key = route_key(path)
            self.files.add(key, partial(make_file, kind, stem, body, filename))
            atts.append(Attachment(name, filename, kind, path))
        return replace(page, attachments=tuple(atts))

    def _add_pdf_only(self, page: Page) -> None:
        seed = page.seed
        assert seed is not None
        lines = [seed.doc_number or "", f"{seed.addressee}：" if seed.addressee else "", *seed.paragraphs]
        if seed.attachments:
            lines.append("附件：" + "、".join(seed.attachments))
        lines += [*seed.signers, _cn_date(page.day) if seed.date else "", *seed.annex]
        data = make_pdf(seed.title, [line for line in lines if line])
        blob = FileBlob(data, "application/octet-stream", page.path.rsplit("/", 1)[-1])
        self.files.add(page.key, lambda: blob)
        self.file_owner[page.key] = page

    def add_reposts(self, reposts: Sequence[tuple[str, str]]) -> None:
        for origin, target in reposts:
            original = next(
                (
                    p
                    for p in self.pages
                    if p.site.name == origin and p.kind == NOTICE and p.seed and p.seed.doc_number
                ),
                None,
            )
            site = next((s for s in self.sites if s.name == target), None)
            if original is None or site is None:
                continue
            serial = self._base(site) + stable_int(original.title, "repost", hi=50)
            path, serial = self._free_path(site, original.day, serial, site.detail_pattern)
            repost = replace(original, site=site, path=path, kind=REPOST, serial=serial, time=_time_of(path))
            self.pages.append(self._with_attachments(replace(repost, attachments=())))

    def add_news(self) -> None:
        for site in self.sites:
            notice_days = [p.day for p in self.pages if p.site == site]
            anchor = max(notice_days, default=_DEFAULT_ANCHOR)
            base = self._base(site)
            for i, item in enumerate(news_items(site, anchor)):
                serial = base - (anchor - item.date).days * 13 - i - 1
                path, serial = self._free_path(site, item.date, serial, site.detail_pattern)
                self.pages.append(
                    Page(
                        site=site,
                        path=path,
                        kind=NEWS,
                        title=item.title,
                        day=item.date,
                        time=_time_of(path),
                        serial=serial,
                        seq=-1,
                        news_paragraphs=item.paragraphs,
                    )
                )

    def flag(self) -> None:
        """Mark the metadata traps: one contradicting PubDate, some empty ContentSource."""
        trs = [p for p in self.pages if p.site.family == TRS and p.kind == NOTICE]
        target = next((p for p in trs if p.site.name == "ndrc"), trs[0] if trs else None)
        out = []
        for p in self.pages:
            flags = set(p.flags)
            if p is target:
                flags.add(FLAG_PUBDATE_OFF)
            if stable_int(p.path, "source", hi=4) == 0:
                flags.add(FLAG_NO_SOURCE)
            out.append(replace(p, flags=frozenset(flags)))
        self.pages = out
        by_key = {p.key: p for p in out}
        for key, page in list(self.file_owner.items()):
            self.file_owner[key] = by_key[page.key]

    def link_files(self) -> None:
        for page in self.pages:
            for att in page.attachments:
                if att.path:
                    self.file_owner[route_key(att.path)] = page


def _cn_date(day: date) -> str:
    return f"{day.year}年{day.month}月{day.day}日"


def build_catalog(seeds: Iterable[SeedNotice], sites: Sequence[SiteSpec] = SITES) -> Catalog:
    """Place every seed and news item on its site and generate the attachment files."""
    b = _Builder(sites)
    b.add_seeds(list(seeds))
    b.add_reposts(REPOSTS)
    b.add_news()
    b.flag()
    b.link_files()
    return Catalog(pages=b.pages, files=b.files, file_owner=b.file_owner)


def newest_first(pages: Iterable[Page]) -> list[Page]:
    """Listing order of real columns: by date, then time, newest on top."""
    return sorted(pages, key=lambda p: (p.day, p.time, p.seq), reverse=True)
