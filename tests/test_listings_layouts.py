"""The listing reader on handwritten pages in the layouts gov-sites.md describes.

Written before the reader's rules were tuned on the real pages: a ``ul`` list cut in two blocks
with a pinned topic row, a nested 解读 link, sidebars and 友情链接; a table list; whole-entry
``<a>`` cards with an ``<h3>`` title; a Hanweb datastore; a provincial platform with
``common_list_N.shtml`` paging; an undated list with a base64 pager; a list built by JavaScript.
Each is read through ``kuaixun listing``'s own code (``crawlers.probe``).
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from crawlers.probe import listing_from_file, listing_json
from kuaixun.cli import main

PAGES = Path(__file__).parent / "listing_pages"
EXPECTED: dict[str, dict] = json.loads((PAGES / "expected.json").read_text(encoding="utf-8"))


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_layout(name: str) -> None:
    want = EXPECTED[name]
    got = listing_json(listing_from_file(PAGES / name, want["url"]))
    assert got["reader"] == want["reader"]
    assert [[e["url"], e["title"], e["date"]] for e in got["entries"]] == want["entries"]
    assert got["next_page"] == want["next_page"]


def _cli(page: Path, url: str) -> Result:
    return CliRunner().invoke(main, ["listing", str(page), "--url", url])


def test_cli_prints_one_json_object_and_fails_on_a_script_built_list() -> None:
    ok = _cli(PAGES / "table_rows.html", EXPECTED["table_rows.html"]["url"])
    assert ok.exit_code == 0, ok.stderr
    assert len(json.loads(ok.stdout)["entries"]) == 4
    shell = _cli(PAGES / "js_built.html", EXPECTED["js_built.html"]["url"])
    assert shell.exit_code == 1
    assert json.loads(shell.stdout) == {"reader": "js_built", "entries": [], "next_page": None}
    assert "JavaScript" in shell.stderr


def test_cli_refuses_a_missing_file_clearly(tmp_path: Path) -> None:
    result = _cli(tmp_path / "nope.html", "http://x.gov.cn/")
    assert result.exit_code == 1
    assert "cannot read" in result.stderr
    assert not isinstance(result.exception, Exception) or isinstance(result.exception, SystemExit)
