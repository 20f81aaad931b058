"""Read-only commands start without the crawler, the PDF renderer, the HTTP client or Alembic.

Judged by what a fresh interpreter has imported after the command, never by time.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from alembic.script import ScriptDirectory

from kuaixun.config import read_raw
from store.db import Database, alembic_config, head_revision
from tests.stores import store_url

PROJECT = Path(__file__).resolve().parents[1]
NEVER_READ_ONLY = (
    "scrapy",
    "twisted",
    "weasyprint",
    "httpx",
    "starlette",
    "uvicorn",
    "playwright",
    "alembic",
)
"""Packages only crawling, rendering, sending, serving or migrating needs."""
NOT_FOR_HELP = (*NEVER_READ_ONLY, "sqlalchemy", "pydantic", "lark", "apscheduler")
NOT_FOR_EXTRACT = (*NEVER_READ_ONLY, "sqlalchemy", "lark", "apscheduler")
"""Extracting a saved page opens no store, parses no query, reads no crontab line."""
NOT_FOR_LISTING = ("lxml", "kuaixun.ingest", "notify.render", "notify.channels.wecom", "pipeline.extract")
"""What listing issues, deliveries and notices never needs: the listing readers, the crawl's
ingest, the issue's rendering, a chat channel, the extractor."""
QUERY_PARSER = "lark"
"""Parses alert queries: loaded when a command or a configured subscription has one, never else."""

RUN_AND_LIST_IMPORTS = """
import json, sys
from click.testing import CliRunner
from kuaixun.cli import main
result = CliRunner().invoke(main, sys.argv[1:])
print(json.dumps({"exit_code": result.exit_code, "output": result.output,
                  "modules": sorted({name.split(".")[0] for name in sys.modules}),
                  "all": sorted(sys.modules)}))
"""


def imported_by(*args: str, allowed_exits: tuple[int, ...] = (0,), whole: bool = False) -> set[str]:
    """The top-level packages (``whole``: the modules) a fresh interpreter has imported after
    ``kuaixun ARGS``."""
    child = subprocess.run(
        [sys.executable, "-c", RUN_AND_LIST_IMPORTS, *args],
        capture_output=True,
        text=True,
        cwd=PROJECT,
        check=True,
    )
    answer = json.loads(child.stdout.splitlines()[-1])
    assert answer["exit_code"] in allowed_exits, answer["output"]
    return set(answer["all" if whole else "modules"])


def test_help_imports_no_part_of_the_job() -> None:
    assert imported_by("--help") & set(NOT_FOR_HELP) == set()


@pytest.fixture
def config_file(tmp_path: Path) -> Path:
    """The shipped config.yaml on a store that exists (created and migrated, as after any first run)."""
    url = store_url(tmp_path)
    Database(url).close()
    raw = read_raw(PROJECT / "config.yaml") | {
        "store": {"url": url},
        "data_dir": str(tmp_path / "data"),
        "out_dir": str(tmp_path / "out"),
    }
    path = tmp_path / "config.yaml"
    path.write_text(yaml.safe_dump(raw, allow_unicode=True), encoding="utf-8")
    return path


@pytest.mark.parametrize(
    "command",
    [
        ["items"],
        ["items", "--section", "申报通知", "--query", "绿色"],
        ["status"],
        ["digest", "list"],
        ["subscribe", "test", "绿色工厂"],
    ],
)
def test_read_only_commands_import_only_what_they_use(config_file: Path, command: list[str]) -> None:
    assert imported_by("--config", str(config_file), *command) & set(NEVER_READ_ONLY) == set()


@pytest.mark.parametrize("command", [["items"], ["status"], ["digest", "list"], ["explain", "1"]])
def test_commands_without_a_query_load_no_query_parser(config_file: Path, command: list[str]) -> None:
    modules = imported_by("--config", str(config_file), *command, allowed_exits=(0, 1))
    assert QUERY_PARSER not in modules


@pytest.mark.parametrize("command", [["items"], ["status"], ["digest", "list"]])
def test_listing_commands_load_no_reader_renderer_or_channel(config_file: Path, command: list[str]) -> None:
    """config.yaml names listing families and webhooks: their names are checked, not their code loaded."""
    modules = imported_by("--config", str(config_file), *command, allowed_exits=(0, 1), whole=True)
    assert modules & set(NOT_FOR_LISTING) == set()


def test_extracting_a_saved_page_loads_neither_store_nor_query_parser(config_file: Path) -> None:
    page = PROJECT / "tests" / "pages" / "ndrc_trs.html"
    modules = imported_by(
        "--config", str(config_file), "extract", str(page), "--url", "https://www.ndrc.gov.cn/a.html"
    )
    assert modules & set(NOT_FOR_EXTRACT) == set()


def test_a_failing_command_still_ends_on_one_line_and_its_exit_code(tmp_path: Path) -> None:
    """The errors are looked up only after the failure (kuaixun.failures), and still caught."""
    config = tmp_path / "config.yaml"
    config.write_text("crawl: {retries: yes}\n", encoding="utf-8")
    child = subprocess.run(
        [sys.executable, "-c", "from kuaixun.cli import main; main()", "--config", str(config), "items"],
        capture_output=True,
        text=True,
        cwd=PROJECT,
    )
    assert (child.returncode, child.stderr.strip()) == (
        2,
        "error: config.yaml: crawl.retries: expected a whole number, not the boolean true",
    )


def test_the_head_revision_read_from_the_scripts_is_alembics() -> None:
    assert head_revision() == ScriptDirectory.from_config(alembic_config()).get_current_head()
