"""The PDF renderer fetches nothing a page names: no file, no host, whatever markup gets through.

A real HTTP server on loopback counts every request while the PDF renders; the PDF's text
(pdftotext) is searched for the content of the local file a page pointed at.
"""

from __future__ import annotations

import subprocess
import urllib.request
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from threading import Thread

import pytest

from notify.issue import DigestLayout, build_issue, item_from_record
from notify.render import pdf_from_print_html, render_pdf
from pipeline.extract import extract_page

LOCAL_FILE = "/etc/passwd"
LOCAL_TEXT = "root:"
"""What the local file holds, and so what must never show in a PDF."""
PNG = bytes.fromhex(
    "89504e470d0a1a0a0000000d4948445200000001000000010806000000"
    "1f15c4890000000d49444154789c6360000002000154a24f5d0000000049454e44ae426082"
)


class Counting(BaseHTTPRequestHandler):
    """Answers every GET with a 1×1 PNG (or CSS) and records its path."""

    paths: list[str]

    def do_GET(self) -> None:
        self.paths.append(self.path)
        body, kind = (
            (b"body { color: red }", "text/css") if self.path.endswith(".css") else (PNG, "image/png")
        )
        self.send_response(200)
        self.send_header("Content-Type", kind)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args: object) -> None:
        return


@pytest.fixture
def server() -> Iterator[tuple[str, list[str]]]:
    """(base URL, the paths requested so far) of a loopback server that answers anything."""
    paths: list[str] = []
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), type("Handler", (Counting,), {"paths": paths}))
    thread = Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{httpd.server_address[1]}", paths
    finally:
        httpd.shutdown()
        httpd.server_close()


def hostile_markup(base: str) -> tuple[str, str]:
    """(head, body) markup naming a local file and loopback resources every way HTML and CSS can."""
    head = (
        f'<link rel="stylesheet" href="{base}/linked.css">'
        f'<style>@import url("{base}/imported.css"); body {{ background: url("file://{LOCAL_FILE}") }}</style>'
    )
    body = (
        f'<p>正文第一段，图片如下。<img src="file://{LOCAL_FILE}"><img src="{base}/image.png"></p>'
        f'<p style="background-image:url({base}/background.png)">正文第二段，带背景。</p>'
        f'<object data="file://{LOCAL_FILE}"></object><iframe src="file://{LOCAL_FILE}"></iframe>'
        f'<svg><image href="{base}/svg.png" width="10" height="10"/></svg>'
        f'<table><tr><td style="background:url({base}/cell.png)">序号</td><td>名称</td></tr>'
        f"<tr><td>1</td><td>某某公司</td></tr></table>"
    )
    return head, body


def pdf_text(pdf: bytes, tmp_path: Path) -> str:
    path = tmp_path / "issue.pdf"
    path.write_bytes(pdf)
    return subprocess.run(
        ["pdftotext", "-enc", "UTF-8", str(path), "-"], capture_output=True, text=True
    ).stdout


def assert_server_counts(base: str, paths: list[str]) -> None:
    """The server is up and counting: one probe, one recorded request."""
    with urllib.request.urlopen(f"{base}/probe", timeout=10) as answer:
        assert answer.status == 200
    assert paths == ["/probe"]


def test_a_hostile_page_makes_the_pdf_fetch_nothing(server: tuple[str, list[str]], tmp_path: Path) -> None:
    base, paths = server
    head, body = hostile_markup(base)
    page = (
        f'<html><head><meta charset="utf-8"><title>关于恶意资源的通知</title>{head}</head>'
        f'<body><div class="TRS_Editor"><p>各有关单位：</p>{body}'
        '<p align="right">某某厅</p><p align="right">2019年11月20日</p></div></body></html>'
    )
    record = extract_page(page.encode("utf-8"), "http://www.example.gov.cn/t20191120_1.html", "text/html")
    issue = build_issue(
        "(2019) 1102 期", DigestLayout(sections=("申报通知",)), [("申报通知", item_from_record(record))]
    )
    assert_server_counts(base, paths)
    text = pdf_text(render_pdf(issue), tmp_path)
    assert paths == ["/probe"], "the PDF renderer requested a resource"
    assert "正文第二段" in text and LOCAL_TEXT not in text


def test_markup_that_reaches_the_print_page_fetches_nothing(
    server: tuple[str, list[str]], tmp_path: Path
) -> None:
    """Should a template ever let a page's markup through, the fetcher still refuses it all."""
    from weasyprint import HTML
    from weasyprint.urls import URLFetcher

    base, paths = server
    head, body = hostile_markup(base)
    page = f'<html><head><meta charset="utf-8">{head}</head><body>{body}</body></html>'
    assert_server_counts(base, paths)
    text = pdf_text(pdf_from_print_html(page), tmp_path)
    assert paths == ["/probe"], "the PDF renderer requested a resource"
    assert "正文第二段" in text and LOCAL_TEXT not in text
    HTML(string=page, url_fetcher=URLFetcher()).write_pdf()
    assert len(paths) > 1, "WeasyPrint's own fetcher loads them: the page above does name resources"
