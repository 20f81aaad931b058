"""config.yaml validation: one line naming the key, exit code 2, no traceback.

Secrets (``${NAME}``) in the keys only sending needs are checked when a channel is built to
send: every read-only command works on the shipped config.yaml without them.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
import yaml
from click.testing import CliRunner, Result

from crawlers.items import FetchedPage, SourceReport
from crawlers.spool import SpoolWriter, read_spool
from kuaixun import config as config_module
from kuaixun.cli import main
from kuaixun.config import MAX_DEPTH, SECRET_RECIPE, ConfigError, load_config, read_raw, validate
from kuaixun.cycle import record_run
from kuaixun.delivery import deliver_due, send_digest
from kuaixun.ingest import ingest
from kuaixun.scheduler import ConfigWatch, build_scheduler
from simulator.server import GovWebThread
from store.db import Database
from tests.delivery_support import PASSWORD, SECTION_RULES, seed, smtp_server

PROJECT = Path(__file__).resolve().parents[1]
SHIPPED = PROJECT / "config.yaml"
SECRETS = ("SMTP_PASSWORD", "KUAIXUN_SECRET", "DINGTALK_TOKEN", "DINGTALK_SECRET", "WECOM_KEY")
"""The variables the shipped config.yaml names or suggests: all unset in the read-only tests."""


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "config.yaml"
    path.write_text(text, encoding="utf-8")
    return path


def test_shipped_config_is_valid() -> None:
    config = load_config(SHIPPED, environ={"SMTP_PASSWORD": "secret"})
    assert len(config.sources) >= 20
    assert config.channels.email is not None and config.channels.email.password == "secret"
    assert config.store.url.endswith("/data/kuaixun.db")
    config.require_secrets("channels.email")  # all set: nothing to say


def test_shipped_config_loads_without_its_secrets_and_names_them_when_sending() -> None:
    config = load_config(SHIPPED, environ={})
    with pytest.raises(ConfigError) as error:
        config.require_secrets("channels.email")
    assert str(error.value) == (
        "config.yaml: channels.email.password: environment variable SMTP_PASSWORD is not set"
    )


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
            "config.yaml: crawl.download_delay: must be at least 0, not -1",
        ),
        (
            "classify: {sections: {政策文件: {}}}\ndigest: {sections: [政策文件, 新闻]}\n",
            "config.yaml: digest.sections: unknown section '新闻'",
        ),
        ("sourcez: []\n", "config.yaml: sourcez: unknown key (did you mean `sources`?)"),
        (
            "crawl: {download_dela: 3}\n",
            "config.yaml: crawl.download_dela: unknown key (did you mean `download_delay`?)",
        ),
        (
            "sources:\n  - {name: a, agency: x, listing_url: 'http://a.gov.cn/', alowed_hosts: []}\n",
            "config.yaml: sources[0].alowed_hosts: unknown key (did you mean `allowed_hosts`?)",
        ),
        (
            "channels:\n  webhooks:\n    x: {type: slack, url: 'https://hooks.slack.com/x', timout: 3}\n",
            "config.yaml: channels.webhooks.x.timout: unknown key (did you mean `timeout`?)",
        ),
        ("crawl: {zzz: 1}\n", "config.yaml: crawl.zzz: unknown key\n"),
        (
            "sources:\n  - {name: a, listing_url: 'http://a.gov.cn/'}\n",
            "config.yaml: sources[0].agency: required key is missing",
        ),
        (
            "store: {url: 'postgresql://u:${KX_NOT_SET}@db/kuaixun'}\n",
            "config.yaml: store.url: environment variable KX_NOT_SET is not set",
        ),
        ("sources: [\n", "config.yaml: line 2: not valid YAML"),
        # issue 16, hostile config: each one line naming the key
        (
            "a: " + "[" * 5000 + "]" * 5000 + "\n",
            f"config.yaml: nested too deeply (more than {MAX_DEPTH} levels)",
        ),
        (
            "classify: {overrides: " + "{a: " * 40 + "1" + "}" * 41 + "\n",
            "config.yaml: classify.overrides.a.a",
        ),
        ("store: {url: 'nosuch://x/y'}\n", "config.yaml: store.url: unsupported database 'nosuch'"),
        ("store: {url: 'not a url'}\n", "config.yaml: store.url: not a database URL"),
        (
            "crawl: {revisit_days: 999999999999}\n",
            "config.yaml: crawl.revisit_days: must be at most 366, not 999999999999",
        ),
        (
            "schedule: {timezone: Mars/Olympus}\n",
            "config.yaml: schedule.timezone: unknown time zone 'Mars/Olympus'",
        ),
        ("schedule: {timezone: /etc/passwd}\n", "config.yaml: schedule.timezone: unknown time zone"),
        (
            "crawl: {retries: 1e20}\n",
            "config.yaml: crawl.retries: expected a whole number, not the text '1e20'",
        ),
        (
            "crawl: {retries: 100000000000000000000}\n",
            "config.yaml: crawl.retries: must be at most 10, not 100000000000000000000",
        ),
        (
            "crawl: {download_delay: 1.0e+300}\n",
            "config.yaml: crawl.download_delay: must be at most 60, not 1e+300",
        ),
        (
            "crawl: {download_delay: 1e300}\n",
            "config.yaml: crawl.download_delay: expected a number, not the text '1e300'",
        ),
        ("crawl: {timeout: .inf}\n", "config.yaml: crawl.timeout: inf is not a finite number"),
        ("crawl: {timeout: yes}\n", "config.yaml: crawl.timeout: expected a number, not the boolean true"),
        (
            "crawl: {concurrent_per_source: true}\n",
            "config.yaml: crawl.concurrent_per_source: expected a whole number, not the boolean true",
        ),
        ("classify: {threshold: .nan}\n", "config.yaml: classify.threshold: nan is not a finite number"),
        (
            "classify: {sections: {政策文件: {title: {意见: yes}}}}\n",
            "config.yaml: classify.sections.政策文件.title.意见: expected a number, not the boolean true",
        ),
        (
            "classify: {sections: {政策文件: {patterns: {'a{99999999999}': 1}}}}\n",
            "config.yaml: classify.sections.政策文件.patterns: pattern 'a{99999999999}' is not a regular expression",
        ),
        ('crawl: {user_agent: "a\\r\\nX-Evil: 1"}\n', "config.yaml: crawl.user_agent: String should match"),
        (
            "sources:\n  - {name: a, agency: x, listing_url: 'http://[::1'}\n",
            "config.yaml: sources[0].listing_url: not a URL",
        ),
        (
            "sources:\n  - {name: a, agency: x, listing_url: 'http://a.gov.cn:99999/'}\n",
            "config.yaml: sources[0].listing_url: not a URL",
        ),
        (
            "sources:\n  - {name: a, agency: x, listing_url: 'http://a.gov.cn/', max_pages: 1000000}\n",
            "config.yaml: sources[0].max_pages: must be at most 100, not 1000000",
        ),
        ("crawl: {}\ncrawl: {}\n", "config.yaml: line 2: not valid YAML (duplicate key 'crawl')"),
        ('crawl: {"a\\nb\\u2028c": 1}\n', "config.yaml: crawl.a\\nb\\u2028c: unknown key\n"),
        (
            "sources: [{name: a, agency: x, listing_url: 'http://a.gov.cn/', enabled: 1}]\n",
            "config.yaml: sources[0].enabled: expected true or false, not 1",
        ),
        (
            "a: &a [x,x,x,x,x,x,x,x,x,x]\nb: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a,*a]\n"
            "c: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b,*b]\nd: &d [*c,*c,*c,*c,*c,*c,*c,*c,*c,*c]\n"
            "e: [*d,*d,*d,*d,*d,*d,*d,*d,*d,*d,*d,*d]\n",
            "config.yaml: more than 100000 values",
        ),
        ("", "config.yaml: the file is empty"),
        ("# only comments\n", "config.yaml: the file is empty"),
        ("- a\n- b\n", "config.yaml: the top level must be a mapping of keys, not a list"),
        ("just words\n", "config.yaml: the top level must be a mapping of keys, not a single value"),
    ],
)
def test_bad_config_names_the_key(tmp_path: Path, text: str, message: str) -> None:
    path = write(tmp_path, text)
    with pytest.raises(ConfigError) as error:
        load_config(path, environ={})
    assert (str(error.value) + "\n").startswith(message)
    assert str(error.value).isprintable()


def test_a_config_nested_past_what_libyaml_survives_is_an_error_not_a_crash(tmp_path: Path) -> None:
    # libyaml's composer recurses in C: given this text it kills the process; the loader must not.
    path = write(tmp_path, "a: " + "[" * 100_000 + "]" * 100_000 + "\n")
    with pytest.raises(ConfigError, match="nested too deeply"):
        load_config(path, environ={})


def test_the_shipped_config_reads_the_same_through_both_parsers() -> None:
    text = (Path(__file__).resolve().parents[1] / "config.yaml").read_text(encoding="utf-8")
    assert config_module._nesting_bound(text) <= config_module.C_PARSED_NESTING  # the fast parser reads it
    fast = yaml.load(text, Loader=config_module._CUniqueKeyLoader)
    assert fast == yaml.load(text, Loader=config_module._UniqueKeyLoader)


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ("crawl: {user_agent: café}\n".encode("latin-1"), "config.yaml: not UTF-8 (byte 0xe9 at offset 23)"),
        (SHIPPED.read_text(encoding="utf-8").encode("utf-16"), "config.yaml: not UTF-8 (UTF-16 text)"),
        (bytes(range(256)), "config.yaml: not UTF-8"),
        (b"crawl: {}\n\x00\x01\x02", "config.yaml: not valid YAML"),
        (b"x" * 1_000_001, "config.yaml: larger than 1000000 bytes"),
    ],
)
def test_bad_bytes_are_one_line(tmp_path: Path, data: bytes, message: str) -> None:
    path = tmp_path / "config.yaml"
    path.write_bytes(data)
    with pytest.raises(ConfigError) as error:
        load_config(path, environ={})
    assert str(error.value).startswith(message)
    assert "\n" not in str(error.value)


def test_utf8_with_a_byte_order_mark_is_read(tmp_path: Path) -> None:
    path = tmp_path / "config.yaml"
    path.write_bytes(b"\xef\xbb\xbfcrawl: {retries: 3}\n")
    assert load_config(path, environ={}).crawl.retries == 3


def test_missing_alerts_secret_says_how_to_make_one(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        "channels: {email: {host: h, sender: s@x.cn}}\n"
        "subscriptions: [{name: a, query: 绿色工厂, channel: a@x.cn}]\n",
    )
    with pytest.raises(ConfigError) as error:
        load_config(path, environ={})
    assert "subscriptions[0].channel: email alerts need alerts.secret" in str(error.value)
    assert SECRET_RECIPE in str(error.value) and "KUAIXUN_SECRET" in str(error.value)


def test_unset_alerts_secret_is_no_secret_and_names_its_variable(tmp_path: Path) -> None:
    """An unset ${KUAIXUN_SECRET} must never sign with the literal text: it reads as None."""
    path = write(
        tmp_path,
        "channels: {email: {host: h, sender: s@x.cn}}\n"
        "alerts: {secret: '${KUAIXUN_SECRET}'}\n"
        "subscriptions: [{name: a, query: 绿色工厂, channel: a@x.cn}]\n",
    )
    config = load_config(path, environ={})
    assert config.alerts.secret is None
    assert config.missing("alerts.secret").startswith(
        "alerts.secret: environment variable KUAIXUN_SECRET is not set; make one with"
    )
    assert load_config(path, environ={"KUAIXUN_SECRET": "k"}).alerts.secret == "k"


def test_unset_webhook_token_is_named_when_the_webhook_is_built(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        "channels:\n  webhooks:\n"
        "    team: {type: dingtalk, url: 'https://oapi.dingtalk.com/robot/send?access_token=${KX_TOKEN}'}\n"
        "subscribers: [{name: t, webhooks: [team]}]\n",
    )
    config = load_config(path, environ={})
    with pytest.raises(
        ConfigError, match=r"^config.yaml: channels.webhooks.team.url: environment variable KX_TOKEN"
    ):
        config.require_secrets("channels.webhooks.team")
    load_config(path, environ={"KX_TOKEN": "t"}).require_secrets("channels.webhooks.team")


def test_a_whole_secret_url_that_is_unset_is_named_at_start(tmp_path: Path) -> None:
    """Unresolved, it cannot even be checked as a URL: the missing variable is the error then."""
    path = write(tmp_path, "channels:\n  webhooks:\n    team: {type: wecom, url: '${KX_HOOK_URL}'}\n")
    with pytest.raises(
        ConfigError, match=r"channels.webhooks.team.url: environment variable KX_HOOK_URL is not set"
    ):
        load_config(path, environ={})


def test_digest_send_names_the_missing_password_and_loses_nothing(tmp_path: Path) -> None:
    """Sending without ${SMTP_PASSWORD} stops at the channel with the one line; set, it goes out."""
    with smtp_server(tmp_path) as smtp:
        raw = {
            "store": {"url": "sqlite:///data/kuaixun.db"},
            "channels": {"email": smtp.channel()},
            "subscribers": [{"name": "编辑部", "email": "editor@example.cn"}],
            "classify": SECTION_RULES,
        }
        config = validate(raw, "config.yaml", tmp_path, environ={})
        db = Database(config.store.url)
        try:
            seed(db)
            with pytest.raises(ConfigError) as error:
                send_digest(config, db, lambda line: None)
            assert str(error.value) == (
                "config.yaml: channels.email.password: environment variable SMTP_PASSWORD is not set"
            )
            assert smtp.received == []
            report = deliver_due(
                validate(raw, "config.yaml", tmp_path, {"SMTP_PASSWORD": PASSWORD}), db, print
            )
        finally:
            db.close()
    assert report.sent == 1 and len(smtp.received) == 1


def test_unusable_folders_are_named(tmp_path: Path) -> None:
    (tmp_path / "afile").write_text("x", encoding="utf-8")
    cases = {
        "data_dir: afile\n": f"config.yaml: data_dir: {tmp_path / 'afile'} is a file, not a folder",
        "out_dir: afile/out\n": f"config.yaml: out_dir: {tmp_path / 'afile'} is a file, not a folder",
        "store: {url: 'sqlite:///afile/kuaixun.db'}\n": f"config.yaml: store.url: {tmp_path / 'afile'} is a file",
        "store: {url: 'sqlite:///.'}\n": "config.yaml: store.url: ",
    }
    for text, message in cases.items():
        with pytest.raises(ConfigError) as error:
            load_config(write(tmp_path, text), environ={})
        assert str(error.value).startswith(message), text


@pytest.mark.skipif(os.geteuid() == 0, reason="root may write in any folder: cannot make one unwritable")
def test_unwritable_data_dir_is_named(tmp_path: Path) -> None:
    locked = tmp_path / "locked"
    locked.mkdir(mode=0o500)
    with pytest.raises(ConfigError, match=r"config.yaml: data_dir: .*locked is not writable"):
        load_config(write(tmp_path, "data_dir: locked/data\n"), environ={})


def cli(args: list[str], **env: str | None) -> Result:
    return CliRunner().invoke(main, args, env={name: None for name in SECRETS} | env)


def test_cli_reports_bad_config_in_one_line_with_exit_2(tmp_path: Path) -> None:
    path = write(tmp_path, "sources:\n  - {name: a, agency: x, listing_url: nope}\n")
    result = cli(["--config", str(path), "crawl"])
    assert result.exit_code == 2
    assert result.stderr.strip() == "error: config.yaml: sources[0].listing_url: not a URL"
    assert "Traceback" not in result.output


@pytest.mark.parametrize(
    ("setup", "message"),
    [
        (lambda d: d / "nope.yaml", "error: nope.yaml: cannot read: No such file or directory"),
        (lambda d: d, "is a folder, not a config file"),
        (lambda d: write(d, ""), "error: config.yaml: the file is empty"),
        (
            lambda d: write(d, "- a\n"),
            "error: config.yaml: the top level must be a mapping of keys, not a list",
        ),
        (
            lambda d: write(d, "42\n"),
            "error: config.yaml: the top level must be a mapping of keys, not a single",
        ),
    ],
)
def test_cli_unusable_config_file(tmp_path: Path, setup, message: str) -> None:  # type: ignore[no-untyped-def]
    result = cli(["--config", str(setup(tmp_path)), "status"])
    assert result.exit_code == 2
    assert len(result.stderr.strip().splitlines()) == 1 and message in result.stderr
    assert result.stdout == ""


# -- the read-only commands on the shipped config.yaml, no secret in the environment ----------------


@pytest.fixture(scope="module")
def shipped_store(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """The shipped config.yaml in a folder of its own, its store filled through the ingest path:
    the simulator's mee pages fetched over HTTP, spooled and processed as the crawl does."""
    folder = tmp_path_factory.mktemp("shipped")
    path = folder / "config.yaml"
    path.write_text(SHIPPED.read_text(encoding="utf-8"), encoding="utf-8")
    config = load_config(path, environ={})
    spool = folder / "spool.jsonl"
    writer = SpoolWriter(spool)
    with GovWebThread() as sim, httpx.Client() as client:
        pages = [p for p in sim.web.published() if p.site.name == "mee"]
        for page in pages:
            url = sim.web.url_of(page)
            response = client.get(url)
            writer.write(
                FetchedPage(
                    "mee",
                    url,
                    url,
                    response.status_code,
                    response.headers.get("content-type"),
                    response.content,
                )
            )
    writer.write(SourceReport("mee", listing_pages=1, links=len(pages), fetched=len(pages)))
    writer.close()
    db = Database(config.store.url)
    try:
        items = list(read_spool(spool))
        outcomes = ingest(config, db, [i for i in items if isinstance(i, FetchedPage)]).outcomes
        for report in (i for i in items if isinstance(i, SourceReport)):
            outcomes[0].apply(report)
        record_run(config, db, outcomes)
    finally:
        db.close()
    assert outcomes[0].new >= 3, outcomes
    yield path


def test_items_explain_and_subscribe_test_need_no_secret(shipped_store: Path) -> None:
    found = cli(["--config", str(shipped_store), "items", "--json"])
    assert found.exit_code == 0, found.output
    items = json.loads(found.stdout)
    assert len(items) >= 3
    explained = cli(["--config", str(shipped_store), "explain", str(items[0]["id"])])
    assert explained.exit_code == 0, explained.output
    assert items[0]["title"] in explained.stdout
    word = items[0]["title"][:4]
    matched = cli(["--config", str(shipped_store), "subscribe", "test", word])
    assert matched.exit_code == 0, matched.output
    assert "stored notice(s) match" in matched.stdout


def test_status_and_digest_preview_and_list_need_no_secret(shipped_store: Path) -> None:
    status = cli(["--config", str(shipped_store), "status"])
    assert status.exit_code == 0, status.output
    assert any(line.startswith("mee ") and " ok " in line for line in status.stdout.splitlines())
    preview = cli(["--config", str(shipped_store), "digest", "preview"])
    assert preview.exit_code == 0, preview.output
    assert "not recorded, not sent" in preview.stdout
    listed = cli(["--config", str(shipped_store), "digest", "list"])
    assert listed.exit_code == 0, listed.output
    assert "SMTP_PASSWORD" not in listed.output


def test_sending_command_names_the_missing_secret(shipped_store: Path) -> None:
    """``digest send`` on the shipped config: the issue is made and waits; the line names the variable."""
    result = cli(["--config", str(shipped_store), "digest", "send"])
    assert result.exit_code == 2
    assert result.stderr.strip() == (
        "error: config.yaml: channels.email.password: environment variable SMTP_PASSWORD is not set"
    )
    listed = cli(["--config", str(shipped_store), "digest", "list"])
    assert "editor@chinamomentum.com" in listed.stdout and "pending" in listed.stdout
    assert read_raw(shipped_store) == read_raw(SHIPPED)  # the config file itself is untouched


def test_schedule_checks_its_secrets_before_it_starts(tmp_path: Path) -> None:
    """The unattended process sends: it refuses to start without them (a subprocess: start() blocks)."""
    path = write(tmp_path, SHIPPED.read_text(encoding="utf-8"))
    env = {k: v for k, v in os.environ.items() if k not in SECRETS}
    kuaixun = Path(sys.executable).with_name("kuaixun")
    result = subprocess.run(
        [str(kuaixun), "--config", str(path), "schedule"],
        capture_output=True,
        text=True,
        env=env,
        timeout=600,
    )
    assert result.returncode == 2
    assert result.stderr == (
        "error: config.yaml: channels.email.password: environment variable SMTP_PASSWORD is not set\n"
    )


def test_a_scheduled_job_says_a_missing_secret_in_one_line(tmp_path: Path) -> None:
    """A secret unset after the start (the config is re-read for each job) is the job's line."""
    path = write(
        tmp_path,
        "channels: {email: {host: 127.0.0.1, port: 9, password: '${KX_LATER}', sender: s@x.cn}}\n"
        "subscribers: [{name: 编辑部, email: editor@example.cn}]\n"
        "classify: {sections: {政策文件: {}, 绿色制造: {}, 申报通知: {}}}\n",
    )
    os.environ["KX_LATER"] = "set at start"
    db = Database(load_config(path, environ={}).store.url)
    try:
        said: list[str] = []
        watch = ConfigWatch(path, said.append)
        scheduler = build_scheduler(watch, said.append, db)
    finally:
        del os.environ["KX_LATER"]
    try:
        seed(db)
        job = scheduler.get_job("digest")
        job.func(*job.args)  # a stored job names its function and the job's id
    finally:
        db.close()
    assert said[-1] == "error: config.yaml: channels.email.password: environment variable KX_LATER is not set"
