"""config.yaml validation: one line naming the key, exit code 2, no traceback."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from kuaixun.cli import main
from kuaixun.config import ConfigError, load_config

PROJECT = Path(__file__).resolve().parents[1]


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "config.yaml"
    path.write_text(text, encoding="utf-8")
    return path


def test_shipped_config_is_valid() -> None:
    config = load_config(PROJECT / "config.yaml", environ={"SMTP_PASSWORD": "secret"})
    assert len(config.sources) >= 20
    assert config.channels.email is not None and config.channels.email.password == "secret"
    assert config.store.url.endswith("/data/kuaixun.db")


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (
            "sources:\n"
            "  - {name: a, agency: x, listing_url: 'http://a.gov.cn/'}\n"
            "  - {name: b, agency: x, listing_url: 'http://b.gov.cn/'}\n"
            "  - {name: c, agency: x, listing_url: 'http://c.gov.cn/'}\n"
            "  - {name: d, agency: x, listing_url: 'www.d.gov.cn'}\n",
            "config.yaml: sources[3].listing_url: not a URL",
        ),
        ("schedule: {crawl: 'every day'}\n", "config.yaml: schedule.crawl: not a crontab line"),
        (
            "crawl: {download_delay: -1}\n",
            "config.yaml: crawl.download_delay: Input should be greater than or equal to 0",
        ),
        ("digest: {sections: [政策文件, 新闻]}\n", "config.yaml: digest.sections: unknown section '新闻'"),
        ("sourcez: []\n", "config.yaml: sourcez: unknown key"),
        (
            "sources:\n  - {name: a, listing_url: 'http://a.gov.cn/'}\n",
            "config.yaml: sources[0].agency: required key is missing",
        ),
        (
            "channels:\n  email: {host: h, sender: s@x.cn, password: '${KX_NOT_SET}'}\n",
            "config.yaml: channels.email.password: environment variable KX_NOT_SET is not set",
        ),
        ("sources: [\n", "config.yaml: line 2: not valid YAML"),
    ],
)
def test_bad_config_names_the_key(tmp_path: Path, text: str, message: str) -> None:
    path = write(tmp_path, text)
    with pytest.raises(ConfigError) as error:
        load_config(path, environ={})
    assert str(error.value).startswith(message)


def test_cli_reports_bad_config_in_one_line_with_exit_2(tmp_path: Path) -> None:
    path = write(tmp_path, "sources:\n  - {name: a, agency: x, listing_url: nope}\n")
    result = CliRunner().invoke(main, ["--config", str(path), "crawl"])
    assert result.exit_code == 2
    assert result.output.strip() == "error: config.yaml: sources[0].listing_url: not a URL"
    assert "Traceback" not in result.output


def test_missing_config_file(tmp_path: Path) -> None:
    result = CliRunner().invoke(main, ["--config", str(tmp_path / "nope.yaml"), "run"])
    assert result.exit_code == 2
    assert "nope.yaml: cannot read" in result.output
