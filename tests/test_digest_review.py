"""The 待核 mark: a notice placed in its section on little evidence is marked for the editor in
``digest preview`` (its printed 目录 and the preview files), and never in what readers get."""

from __future__ import annotations

import dataclasses
import re
import subprocess
from pathlib import Path

from kuaixun.config import load_config
from kuaixun.cycle import DigestFiles
from kuaixun.delivery import archive_dir, preview_digest, send_digest
from notify.issue import REVIEW_MARK
from pipeline.classify import classify
from pipeline.process import SourceHints, tag
from pipeline.records import ExtractedNotice
from store import notices
from store.db import Database
from tests.conftest import shown_text
from tests.delivery_support import SEEN, make_config, smtp_server

PROJECT = Path(__file__).resolve().parents[1]
HINTS = SourceHints(agency="湖南省工业和信息化厅", region="湖南")
UNSURE = "关于调整园区管理职责分工的通知"
"""A formal document (文号, 主送, 特此通知) that no section cue describes: placed, flagged."""
SURE = "关于组织开展2026年度绿色工厂推荐工作的通知"


def notice(n: int, title: str, body: str) -> ExtractedNotice:
    return ExtractedNotice(
        source_url=f"https://gxt.hunan.gov.cn/xxgk/tzgg/art_{n}.html",
        title=title,
        doc_number=f"湘工信〔2026〕{n}号",
        publish_date="2026-10-28",
        issuer="湖南省工业和信息化厅",
        addressee="各市州工业和信息化局",
        body_text=body,
        extra={"issuer_source": "signature"},
    )


def store_classified(db: Database, record: ExtractedNotice) -> ExtractedNotice:
    """Tag, classify with the shipped rules and store, as the crawl does."""
    rules = load_config(PROJECT / "config.yaml", environ={"SMTP_PASSWORD": "x"}).classify
    tagged = tag(record, HINTS)
    decision = classify(tagged, rules)
    classified = dataclasses.replace(
        tagged,
        category=decision.section,
        category_low_confidence=decision.low_confidence,
        category_margin=decision.margin,
    )
    with db.session() as session:
        notices.save_version(
            session,
            classified,
            source_name="gxt-hunan",
            content_hash=record.title,
            reasons=list(decision.reasons),
            diff=None,
            seen_at=SEEN,
        )
    return classified


def seed_two(db: Database) -> tuple[ExtractedNotice, ExtractedNotice]:
    unsure = store_classified(
        db, notice(4, UNSURE, "各有关单位：\n根据工作需要，现将有关职责分工调整如下。\n特此通知。")
    )
    sure = store_classified(
        db, notice(5, SURE, "各有关单位：\n为推进绿色制造体系建设，现组织开展绿色工厂推荐工作。")
    )
    assert unsure.category_low_confidence and unsure.category_margin is not None
    assert not sure.category_low_confidence
    return unsure, sure


def pdf_text(pdf: bytes) -> str:
    return subprocess.run(
        ["pdftotext", "-enc", "UTF-8", "-", "-"], input=pdf, capture_output=True, check=True
    ).stdout.decode("utf-8")


def files_text(files: DigestFiles) -> dict[str, str]:
    """What the editor or a reader sees in each file: HTML as shown, the PDF's text."""
    return {
        "html": shown_text(files.html.read_text(encoding="utf-8")),
        "txt": files.text.read_text(encoding="utf-8"),
        "md": files.markdown.read_text(encoding="utf-8"),
        "pdf": pdf_text(files.pdf.read_bytes()),
    }


def test_the_preview_marks_a_low_confidence_notice_beside_its_title(tmp_path: Path) -> None:
    config = make_config(tmp_path)
    db = Database(config.store.url)
    unsure, _ = seed_two(db)
    lines: list[str] = []
    files = preview_digest(config, db, lines.append)
    db.close()
    assert files is not None

    contents = lines[lines.index("目录") + 1 :]
    assert f"  1. {UNSURE}{REVIEW_MARK}(margin {unsure.category_margin:g})" in contents, lines
    assert any(line.endswith(f". {SURE}") for line in contents), lines  # the confident one: no mark
    assert lines[-1].startswith(f"{REVIEW_MARK} 1 notice(s) placed in their section on little evidence")

    for name, text in files_text(files).items():
        # the 目 录 and the item's heading each carry it (the PDF may wrap a long title)
        assert text.count(REVIEW_MARK) == 2, (name, text)
        if name != "pdf":
            assert re.search(rf"{UNSURE}\s?{REVIEW_MARK}", text), name
            assert not re.search(rf"{SURE}\s?{REVIEW_MARK}", text), name


def test_what_readers_get_carries_no_mark(tmp_path: Path) -> None:
    with smtp_server(tmp_path) as server:
        config = make_config(
            tmp_path, email_channel=server.channel(), subscribers=[{"name": "编辑部", "email": "e@x.cn"}]
        )
        db = Database(config.store.url)
        seed_two(db)
        assert preview_digest(config, db, lambda _: None) is not None  # marks in out_dir first
        report = send_digest(config, db, lambda _: None)
        db.close()
    assert report.sent == 1 and report.issue is not None
    [received] = server.received
    message = received.message
    [text] = [p.get_content() for p in message.walk() if p.get_content_type() == "text/plain"]
    [html] = [shown_text(p.get_content()) for p in message.walk() if p.get_content_type() == "text/html"]
    [pdf] = [p.get_content() for p in message.walk() if p.get_content_type() == "application/pdf"]
    shown = [text, html, pdf_text(pdf)]
    assert all(UNSURE in part for part in shown) and not any(REVIEW_MARK in part for part in shown)
    # the issue's files (written over the preview's) and the archive the resends read
    assert all(REVIEW_MARK not in text for text in files_text(report.issue).values())
    archived = [p for p in (archive_dir(config)).rglob("*") if p.suffix in (".html", ".txt", ".md", ".eml")]
    assert archived and not any(REVIEW_MARK in p.read_bytes().decode("utf-8", "replace") for p in archived)
