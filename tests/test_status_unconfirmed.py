"""``kuaixun status --json`` lists the deliveries waiting for the operator's decision, as the text does.

A real SMTP server (aiosmtpd) takes the message and drops the connection before its reply: the
delivery is unconfirmed until the operator confirms it.
"""

from __future__ import annotations

import json
import shlex
from pathlib import Path

from click.testing import CliRunner

from kuaixun.cli import main
from kuaixun.delivery import issue_ref, send_digest
from tests.delivery_support import PASSWORD, SmtpBehaviour, seed, smtp_server
from tests.test_exactly_once import READERS, _email_store, _labels

READER = READERS[1]["email"]


def test_status_json_lists_an_unconfirmed_delivery_with_its_two_commands_until_it_is_confirmed(
    tmp_path: Path,
) -> None:
    with smtp_server(tmp_path, SmtpBehaviour(drops_after_data=1)) as server:
        config_path, config, db = _email_store(tmp_path, server.channel(), READERS[1:2])
        seed(db, 1)
        send_digest(config, db, lambda _line: None)
        [label] = _labels(db)
        db.close()
        cli = CliRunner(env={"SMTP_PASSWORD": PASSWORD})
        status = ["--config", str(config_path), "status"]
        text, doubtful = cli.invoke(main, status), cli.invoke(main, [*status, "--json"])
        issue = issue_ref(label)
        confirmed = cli.invoke(
            main, ["--config", str(config_path), "digest", "confirm", issue, "--to", READER]
        )
        settled = cli.invoke(main, [*status, "--json"])
    assert text.exit_code == 1 and "UNCONFIRMED" in text.output and READER in text.output, text.output
    assert doubtful.exit_code == 1, doubtful.output
    report = json.loads(doubtful.output)
    assert report["sources"] == []  # this config crawls nothing
    [entry] = report["unconfirmed"]
    assert (entry["kind"], entry["channel"], entry["recipient"], entry["attempts"]) == (
        "digest",
        "email",
        READER,
        1,
    )
    assert entry["ref"].startswith(issue) and entry["handed_over_at"].endswith("Z")
    assert "it may have been delivered" in entry["error"] and PASSWORD not in doubtful.output
    assert entry["confirm"] == f"kuaixun digest confirm {issue} --to {shlex.quote(READER)}"
    assert entry["resend"] == f"kuaixun digest resend {issue} --to {shlex.quote(READER)}"
    assert entry["confirm"] in text.output and entry["resend"] in text.output  # the text says the same
    assert confirmed.exit_code == 0, confirmed.output
    assert settled.exit_code == 0 and json.loads(settled.output)["unconfirmed"] == [], settled.output
