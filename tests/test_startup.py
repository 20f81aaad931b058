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

RUN_AND_LIST_IMPORTS = """
import json, sys
from click.testing import CliRunner
from kuaixun.cli import main
result = CliRunner().invoke(main, sys.argv[1:])
print(json.dumps({"exit_code": result.exit_code, "output": result.output,
                  "modules": sorted({name.split(".")[0] for name in sys.modules})}))
"""


def imported_by(*args: str) -> set[str]:
    """The top-level packages a fresh interpreter has imported after ``kuaixun ARGS``."""
    child = subprocess.run(
        [sys.executable, "-c", RUN_AND_LIST_IMPORTS, *args],
        capture_output=True,
        text=True,
        cwd=PROJECT,
        check=True,
    )
    answer = json.loads(child.stdout.splitlines()[-1])
    assert answer["exit_code"] == 0, answer["output"]
    return set(answer["modules"])


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


def test_the_head_revision_read_from_the_scripts_is_alembics() -> None:
    assert head_revision() == ScriptDirectory.from_config(alembic_config()).get_current_head()
