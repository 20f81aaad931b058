"""Small parts of the cycle that must hold for months of unattended running."""

from __future__ import annotations

from pathlib import Path

from kuaixun.crawl_process import rotate


def test_crawl_log_rotates_and_keeps_a_bounded_number(tmp_path: Path) -> None:
    log = tmp_path / "crawl.log"
    for run in range(5):
        log.write_text(f"run {run}\n" + "x" * 100, encoding="utf-8")
        rotate(log, max_bytes=50, keep=3)
    kept = sorted(p.name for p in tmp_path.iterdir())
    assert kept == ["crawl.log.1", "crawl.log.2", "crawl.log.3"]
    assert (tmp_path / "crawl.log.1").read_text(encoding="utf-8").startswith("run 4")
    assert (tmp_path / "crawl.log.3").read_text(encoding="utf-8").startswith("run 2")
    small = tmp_path / "small.log"
    small.write_text("short", encoding="utf-8")
    rotate(small, max_bytes=50, keep=3)
    assert small.exists()
