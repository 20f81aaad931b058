"""Exactly once: an outage is retried until it goes through, a crash never loses or doubles a delivery.

Real parts throughout: aiosmtpd and aiohttp on loopback, a SQLite file, and for the crash
a ``kuaixun digest send`` process killed with SIGKILL while the SMTP server stalls in DATA.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path

import yaml
from click.testing import CliRunner
from sqlalchemy import func, select

from kuaixun.cli import main
from kuaixun.config import Config, load_config, read_raw
from kuaixun.cycle import now_utc
from kuaixun.delivery import deliver_due, issue_ref, send_digest
from kuaixun.demo import demo_config
from simulator.server import GovWebThread
from store.db import Database
from store.models import Delivery, Digest
from tests.delivery_support import (
    PASSWORD,
    SECTION_RULES,
    SmtpBehaviour,
    SmtpServer,
    free_port,
    make_config,
    receiver,
    seed,
    smtp_server,
    trickling_smtp,
)

PROJECT = Path(__file__).resolve().parents[1]
READERS = [
    {"name": "编辑部", "email": "editor@chinamomentum.com"},
    {"name": "客户甲", "email": "a@example.cn"},
    {"name": "客户乙", "email": "b@example.cn"},
]


def quiet(_line: str) -> None:
    pass


@dataclass
class SteppedClock:
    """A clock that moves only when the test moves it: however long a send takes, it is ``now``."""

    now: datetime

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **delta: float) -> SteppedClock:
        self.now += timedelta(**delta)
        return self


def statuses(db: Database) -> list[tuple[str, str, int]]:
    with db.session() as session:
        return [
            (d.recipient, d.status, d.attempts)
            for d in session.scalars(select(Delivery).order_by(Delivery.id))
        ]


def test_a_451_stays_pending_with_backoff_and_the_next_run_after_it_delivers_once(tmp_path: Path) -> None:
    behaviour = SmtpBehaviour(failures=1)
    with smtp_server(tmp_path, behaviour) as server:
        config = make_config(tmp_path, email_channel=server.channel(), subscribers=READERS[:1])
        db = Database(config.store.url)
        seed(db, 2)
        clock = SteppedClock(datetime(2026, 11, 2, 9, 0))
        first = send_digest(config, db, quiet, clock=clock)
        assert statuses(db) == [("editor@chinamomentum.com", "pending", 1)]
        too_soon = deliver_due(config, db, quiet, clock=clock.advance(seconds=59))
        recovered = deliver_due(config, db, quiet, clock=clock.advance(seconds=1))
        again = send_digest(config, db, quiet, clock=clock.advance(hours=1))
        final = statuses(db)
        db.close()
    assert first.retrying == 1 and too_soon.sent == 0 and recovered.sent == 1 and again.sent == 0
    assert final == [("editor@chinamomentum.com", "sent", 2)]
    assert len(server.received) == 1


def test_a_server_that_is_down_then_up_gets_the_issue_once(tmp_path: Path) -> None:
    port = free_port()
    with smtp_server(tmp_path, port=port) as server:
        channel = server.channel()
    config = make_config(tmp_path, email_channel=channel, subscribers=READERS)
    db = Database(config.store.url)
    seed(db, 1)
    clock = SteppedClock(now_utc())
    down = send_digest(config, db, quiet, clock=clock)
    with smtp_server(tmp_path, port=port) as server:
        up = deliver_due(config, db, quiet, clock=clock.advance(minutes=5))
        deliver_due(config, db, quiet, clock=clock.advance(minutes=5))
    db.close()
    assert down.retrying == 3 and up.sent == 3
    assert sorted(r.rcpt_tos[0] for r in server.received) == sorted(r["email"] for r in READERS)


def test_a_webhook_answering_500_then_200_receives_exactly_one(tmp_path: Path) -> None:
    with receiver({"hook": "s"}) as played:
        played.script["hook"].append(500)
        webhooks = {"crm": {"type": "webhook", "url": played.url("hook"), "secret": "s"}}
        config = make_config(tmp_path, webhooks=webhooks, subscribers=[{"name": "CRM", "webhooks": ["crm"]}])
        db = Database(config.store.url)
        seed(db, 1)
        clock = SteppedClock(now_utc())
        send_digest(config, db, quiet, clock=clock)
        for minutes in (2, 8, 50):
            deliver_due(config, db, quiet, clock=clock.advance(minutes=minutes))
        db.close()
    assert [hit.signed for hit in played.hits["hook"]] == [False, True]
    assert len({hit.delivery for hit in played.hits["hook"]}) == 1  # the same key on the retry


def test_killed_mid_send_then_restarted_every_reader_has_the_issue_once(tmp_path: Path) -> None:
    # the first reader's message goes through, then the server hangs at RCPT: before any DATA
    behaviour = SmtpBehaviour(stall_in_rcpt_after=1)
    with smtp_server(tmp_path, behaviour) as server:
        config_path, db = _killed_at_the_stall(tmp_path, server, behaviour)
        label_then = _labels(db)
        assert [s for _, s, _ in statuses(db)] == ["sent", "sending", "pending"]
        behaviour.release.set()
        # the restart: the same command, run here to save a second interpreter start-up
        restarted = CliRunner(env={"SMTP_PASSWORD": PASSWORD}).invoke(
            main, ["--config", str(config_path), "digest", "send"]
        )
        label_now = _labels(db)
        final = statuses(db)
        db.close()
    assert restarted.exit_code == 0, restarted.output
    assert "no digest: no notice is waiting" in restarted.output
    assert label_then == label_now and len(label_now) == 1
    assert [s for _, s, _ in final] == ["sent", "sent", "sent"]
    delivered = sorted(r.rcpt_tos[0] for r in server.received)
    assert delivered == sorted(r["email"] for r in READERS)


def test_killed_after_the_final_dot_the_delivery_is_unconfirmed_never_sent_again(tmp_path: Path) -> None:
    """The server has the whole message (it stalls before its reply): the client cannot know whether
    it will be delivered, so the restart sends the others and leaves that one to the operator."""
    behaviour = SmtpBehaviour(stall_after=1)
    with smtp_server(tmp_path, behaviour) as server:
        config_path, db = _killed_at_the_stall(tmp_path, server, behaviour)
        behaviour.release.set()
        restarted = CliRunner(env={"SMTP_PASSWORD": PASSWORD}).invoke(
            main, ["--config", str(config_path), "digest", "send"]
        )
        final = statuses(db)
        [label] = _labels(db)
        db.close()
    assert restarted.exit_code == 1, restarted.output
    assert [s for _, s, _ in final] == ["sent", "unconfirmed", "sent"]
    assert "stopped after the message was handed over" in restarted.output
    assert f"digest confirm {issue_ref(label)} --to {READERS[1]['email']}" in restarted.output
    # readers 1 and 3 once each; reader 2's copy is the one the server held when the sender died
    assert sorted(r.rcpt_tos[0] for r in server.received) == sorted(
        [READERS[0]["email"], READERS[2]["email"]]
    )


def test_a_server_that_takes_the_message_but_loses_its_reply_gets_it_once(tmp_path: Path) -> None:
    """DATA's final dot went out, the 250 never came: unconfirmed, reported, never retried by
    itself; the operator's resend carries the same Message-ID."""
    with smtp_server(tmp_path, SmtpBehaviour(drops_after_data=1)) as server:
        config_path, config, db = _email_store(tmp_path, server.channel(), READERS[:1])
        seed(db, 1)
        clock = SteppedClock(now_utc())
        first = send_digest(config, db, quiet, clock=clock)
        later = deliver_due(config, db, quiet, clock=clock.advance(hours=7))
        taken = len(server.received)
        cli = CliRunner(env={"SMTP_PASSWORD": PASSWORD})
        listed = cli.invoke(main, ["--config", str(config_path), "digest", "list"])
        health = cli.invoke(main, ["--config", str(config_path), "status"])
        again = cli.invoke(main, ["--config", str(config_path), "digest", "send"])
        [label] = _labels(db)
        resent = cli.invoke(
            main, ["--config", str(config_path), "digest", "resend", label, "--to", READERS[0]["email"]]
        )
        final = statuses(db)
        db.close()
    assert (first.sent, first.unconfirmed, first.retrying) == (0, 1, 0) and not first.ok
    assert (later.sent, later.unconfirmed) == (0, 1) and taken == 1
    assert "UNCONFIRMED" in listed.output and "it may have been delivered" in listed.output
    assert health.exit_code == 1 and "UNCONFIRMED" in health.output, health.output
    assert again.exit_code == 1 and "1 unconfirmed" in again.output, again.output
    assert resent.exit_code == 0, resent.output
    assert [m.message["Message-ID"] for m in server.received] == [
        server.received[0].message["Message-ID"]
    ] * 2
    assert final == [(READERS[0]["email"], "sent", 2)]


def test_confirming_an_unconfirmed_delivery_sends_nothing(tmp_path: Path) -> None:
    with smtp_server(tmp_path, SmtpBehaviour(drops_after_data=1)) as server:
        config_path, config, db = _email_store(tmp_path, server.channel(), READERS[:1])
        seed(db, 1)
        send_digest(config, db, quiet)
        [label] = _labels(db)
        cli = CliRunner(env={"SMTP_PASSWORD": PASSWORD})
        wrong = cli.invoke(main, ["--config", str(config_path), "digest", "confirm", label, "--to", "x@y.cn"])
        confirmed = cli.invoke(
            main, ["--config", str(config_path), "digest", "confirm", label, "--to", READERS[0]["email"]]
        )
        again = cli.invoke(main, ["--config", str(config_path), "digest", "send"])
        final = statuses(db)
        db.close()
    assert wrong.exit_code == 1
    assert wrong.output == f"error: no delivery of {issue_ref(label)} to x@y.cn is unconfirmed\n"
    assert confirmed.exit_code == 0, confirmed.output
    assert again.exit_code == 0 and "unconfirmed" not in again.output, again.output
    # the attempt in doubt, then the confirmed one that found nothing left to send
    assert len(server.received) == 1 and final == [(READERS[0]["email"], "sent", 2)]


def test_a_connection_dropped_before_data_is_retried_and_delivered_once(tmp_path: Path) -> None:
    with smtp_server(tmp_path, SmtpBehaviour(drops_before_data=1)) as server:
        _, config, db = _email_store(tmp_path, server.channel(), READERS[:1])
        seed(db, 1)
        clock = SteppedClock(now_utc())
        first = send_digest(config, db, quiet, clock=clock)
        waiting = statuses(db)
        second = deliver_due(config, db, quiet, clock=clock.advance(minutes=2))
        final = statuses(db)
        db.close()
    assert first.retrying == 1 and waiting == [(READERS[0]["email"], "pending", 1)]
    assert second.sent == 1 and final == [(READERS[0]["email"], "sent", 2)]
    assert len(server.received) == 1


def test_a_trickling_server_cannot_hold_a_delivery_past_its_timeout(tmp_path: Path) -> None:
    """One byte every 0.2 s never trips a 1 s read timeout; the whole session is bounded."""
    with trickling_smtp(byte_every=0.2) as port:
        channel = {"host": "127.0.0.1", "port": port, "security": "none", "sender": "k@x.cn", "timeout": 1}
        config = make_config(tmp_path, email_channel=channel, subscribers=READERS[:1])
        db = Database(config.store.url)
        seed(db, 1)
        clock = SteppedClock(now_utc())
        send_digest(config, db, quiet, clock=clock)
        retried = deliver_due(config, db, quiet, clock=clock.advance(minutes=2))
        [row] = _rows(db)
        db.close()
    assert retried.retrying == 1 and row.status == "pending"
    # the overall deadline ended it: a per-read timeout alone would have let the greeting trickle
    # for its whole minute, until the server hung up with another error
    assert row.last_error == "SMTP session not finished within the 1 s timeout"


def test_preview_records_nothing_resend_is_a_delivery_of_its_own_and_list_shows_them(tmp_path: Path) -> None:
    with smtp_server(tmp_path) as server:
        config_path, _config, db = _email_store(tmp_path, server.channel(), READERS[:1])
        seed(db, 2)
        cli = CliRunner(env={"SMTP_PASSWORD": PASSWORD})
        preview = cli.invoke(main, ["--config", str(config_path), "digest", "preview"])
        assert preview.exit_code == 0, preview.output
        assert _labels(db) == [] and statuses(db) == [] and (tmp_path / "out").is_dir()
        sent = cli.invoke(main, ["--config", str(config_path), "digest", "send"])
        [label] = _labels(db)
        resent = cli.invoke(
            main, ["--config", str(config_path), "digest", "resend", label, "--to", "new@example.cn"]
        )
        listed = cli.invoke(main, ["--config", str(config_path), "digest", "list"])
        unknown = cli.invoke(
            main, ["--config", str(config_path), "digest", "resend", "2001-0101", "--to", "x@y.cn"]
        )
        db.close()
    assert sent.exit_code == 0 and resent.exit_code == 0, sent.output + resent.output
    assert [r.rcpt_tos[0] for r in server.received] == ["editor@chinamomentum.com", "new@example.cn"]
    assert server.received[0].message["Subject"] == server.received[1].message["Subject"]
    assert server.received[0].message["Message-ID"] != server.received[1].message["Message-ID"]
    assert listed.output.startswith(f"{label}  ") and "2 notice(s)" in listed.output
    assert listed.output.count(" sent ") == 2 and "#resend-1" in listed.output
    assert unknown.exit_code == 1 and "issue 2001-0101 has no archive" in unknown.output


def test_a_crawl_sends_its_alerts_but_leaves_a_digest_retry_to_digest_send(
    sim: GovWebThread, tmp_path: Path
) -> None:
    env = {"SMTP_PASSWORD": PASSWORD, "KUAIXUN_SECRET": "alerts-secret"}
    with smtp_server(tmp_path, SmtpBehaviour(failures=1)) as server:
        raw = demo_config(read_raw(PROJECT / "config.yaml"), sim.web, tmp_path)
        alerts = {"name": "all", "query": "关于", "channel": "alerts@example.cn"}
        raw |= {
            "channels": {"email": server.channel()},
            "subscribers": READERS[:1],
            "alerts": {"secret": "${KUAIXUN_SECRET}"},
            "subscriptions": [alerts],
        }
        config_path = tmp_path / "config.yaml"
        config_path.write_text(yaml.safe_dump(raw, allow_unicode=True), encoding="utf-8")
        config = load_config(config_path, environ=env)
        db = Database(config.store.url)
        seed(db, 1)
        an_hour_ago = SteppedClock(now_utc() - timedelta(hours=1))
        assert send_digest(config, db, quiet, clock=an_hour_ago).retrying == 1  # its retry is due now
        cli = CliRunner(env=env)
        crawled = cli.invoke(
            main, ["--config", str(config_path), "crawl", "--source", raw["sources"][0]["name"]]
        )
        after_crawl = statuses(db)
        alerted = {r.rcpt_tos[0] for r in server.received}
        sent = cli.invoke(main, ["--config", str(config_path), "digest", "send"])
        final = statuses(db)
        db.close()
    assert crawled.exit_code == 0, crawled.output
    assert alerted == {"alerts@example.cn"}  # the crawl's alert went out, the digest did not
    assert after_crawl[0] == ("editor@chinamomentum.com", "pending", 1)
    assert sent.exit_code == 0, sent.output
    assert final[0] == ("editor@chinamomentum.com", "sent", 2)


def test_digest_send_while_a_delivery_waits_for_its_retry_says_so_and_exits_1(tmp_path: Path) -> None:
    with smtp_server(tmp_path, SmtpBehaviour(failures=1)) as server:
        config_path, config, db = _email_store(tmp_path, server.channel(), READERS[:1])
        seed(db, 1)
        cli = CliRunner(env={"SMTP_PASSWORD": PASSWORD})
        first = cli.invoke(main, ["--config", str(config_path), "digest", "send"])
        waiting = cli.invoke(main, ["--config", str(config_path), "digest", "send"])
        deliver_due(config, db, quiet, clock=SteppedClock(now_utc()).advance(minutes=2))
        done = cli.invoke(main, ["--config", str(config_path), "digest", "send"])
        db.close()
    assert first.exit_code == 1 and "retry at" in first.output, first.output
    assert waiting.exit_code == 1, waiting.output
    assert "no digest: no notice is waiting" in waiting.output
    assert "editor@chinamomentum.com" in waiting.output and "retry at" in waiting.output
    assert "deliveries: 0 sent, 0 to retry, 0 failed, 1 waiting for their retry time" in waiting.output
    assert done.exit_code == 0 and "to retry" not in done.output, done.output
    assert len(server.received) == 1


def _email_store(
    tmp_path: Path, channel: dict[str, object], readers: list[dict[str, str]]
) -> tuple[Path, Config, Database]:
    config_path = tmp_path / "config.yaml"
    raw = {"channels": {"email": channel}, "subscribers": readers, "classify": SECTION_RULES}
    config_path.write_text(yaml.safe_dump(raw, allow_unicode=True), encoding="utf-8")
    config = load_config(config_path, environ={"SMTP_PASSWORD": PASSWORD})
    return config_path, config, Database(config.store.url)


def _killed_at_the_stall(
    tmp_path: Path, server: SmtpServer, behaviour: SmtpBehaviour
) -> tuple[Path, Database]:
    """Three notices and every reader; ``digest send`` started in a process of its own and killed
    (SIGKILL) once it stalls where ``behaviour`` makes the server stall."""
    config_path, _config, db = _email_store(tmp_path, server.channel(), READERS)
    seed(db, 3)
    killed = _digest_send(config_path)
    _wait_for_stall(behaviour, killed)
    os.kill(killed.pid, signal.SIGKILL)
    killed.wait(10)
    return config_path, db


def _rows(db: Database) -> list[Delivery]:
    with db.session() as session:
        return list(session.scalars(select(Delivery).order_by(Delivery.id)))


def _digest_send(config_path: Path) -> subprocess.Popen[str]:
    command = [sys.executable, "-c", "from kuaixun.cli import main; main()", "--config", str(config_path)]
    return subprocess.Popen(
        [*command, "digest", "send"],
        cwd=PROJECT,
        env={**os.environ, "SMTP_PASSWORD": PASSWORD},
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )


def _wait_for_stall(behaviour: SmtpBehaviour, process: subprocess.Popen[str]) -> None:
    """Until the send stalls in DATA, however slow the machine; at once if the process ends first."""
    while not behaviour.stalled.wait(0.5):
        if process.poll() is not None:
            output = process.stdout.read() if process.stdout else ""
            raise AssertionError(f"the send never reached the stalling server:\n{output}")


def _labels(db: Database) -> list[str]:
    with db.session() as session:
        assert session.scalar(select(func.count()).select_from(Digest)) is not None
        return [d.label for d in session.scalars(select(Digest))]
