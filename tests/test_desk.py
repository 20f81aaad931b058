"""The editor's desk: its store, its login, and its pages over HTTP (Starlette's TestClient, a real SQLite file)."""

from __future__ import annotations

import re
import threading
from datetime import datetime
from pathlib import Path

import pytest
from click.testing import CliRunner
from sqlalchemy import select

from kuaixun.approval import IssueChanged, approve
from kuaixun.baseline import baseline
from kuaixun.cli import main
from kuaixun.config import ConfigError
from kuaixun.delivery import list_digests, send_digest, waiting_notices
from kuaixun.queries import explain_notice, format_explanation
from kuaixun.web import auth
from kuaixun.web.auth import FAILURE_WINDOW, MAX_FAILURES, LoginLimiter, check_web_config
from kuaixun.web.passwords import check_hash_format, hash_password, verify_password
from store import editorial
from store.db import Database
from store.models import Delivery, DigestItem, EditorialAction
from tests.delivery_support import smtp_server
from tests.desk_support import (
    EDITOR,
    EDITOR_PASSWORD,
    client,
    desk_config,
    form_csrf,
    logged_in,
    store_notice,
)

NOW = datetime(2026, 11, 2, 1, 30)


def quiet(_line: str) -> None:
    pass


# -- passwords and the login limiter ----------------------------------------------------------


def test_a_password_hash_verifies_its_password_only_and_malformed_hashes_are_refused() -> None:
    stored = hash_password("春天的密码")
    assert stored.startswith("scrypt$") and check_hash_format(stored) is None
    assert verify_password("春天的密码", stored)
    assert not verify_password("春天的密码 ", stored)
    assert hash_password("春天的密码") != stored  # a fresh salt each time
    tampered = stored[:-2] + ("AA" if stored[-2:] != "AA" else "BB")
    assert not verify_password("春天的密码", tampered)
    for bad in ("plain", "scrypt$16384$8$1$c2FsdA$aGFzaA", "scrypt$1048576$64$1$" + stored.split("$", 4)[4]):
        assert check_hash_format(bad) is not None
        assert not verify_password("x", bad)


def test_the_limiter_blocks_one_user_and_address_after_five_failures_within_the_window() -> None:
    now = [0.0]
    limiter = LoginLimiter(clock=lambda: now[0])
    key, elsewhere, other_user = ("编辑甲", "10.0.0.1"), ("编辑甲", "10.0.0.2"), ("编辑乙", "10.0.0.1")
    for _ in range(MAX_FAILURES - 1):
        limiter.failed(key)
    assert not limiter.blocked(key)
    limiter.failed(key)
    assert limiter.blocked(key)
    assert not limiter.blocked(elsewhere) and not limiter.blocked(other_user)
    now[0] += FAILURE_WINDOW + 1
    assert not limiter.blocked(key)


def test_the_limiter_forgets_the_oldest_pairs_beyond_its_bound(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(auth, "MAX_TRACKED", 3)
    limiter = LoginLimiter()
    for n in range(10):
        limiter.failed((f"guess-{n}", "10.0.0.9"))
    assert len(limiter.failures) == 3
    assert list(limiter.failures) == [(f"guess-{n}", "10.0.0.9") for n in (7, 8, 9)]


def test_the_desk_refuses_to_start_without_a_secret_or_an_account(tmp_path: Path) -> None:
    check_web_config(desk_config(tmp_path))
    unset = desk_config(tmp_path, web={"secret": "${NOT_SET_ANYWHERE}", "accounts": []})
    with pytest.raises(ConfigError, match=r"web\.secret: environment variable NOT_SET_ANYWHERE is not set"):
        check_web_config(unset)
    with pytest.raises(ConfigError, match=r"web\.secret: at least 16 characters"):
        check_web_config(desk_config(tmp_path, web={"secret": "short", "accounts": []}))
    with pytest.raises(ConfigError, match=r"web\.accounts: no account"):
        check_web_config(desk_config(tmp_path, web={"secret": "s" * 20}))
    with pytest.raises(ConfigError, match=r"web.accounts\[0\].password_hash: .*kuaixun passwd"):
        desk_config(tmp_path, web={"accounts": [{"user": "a", "password_hash": "hunter2"}]})
    with pytest.raises(ConfigError, match=r"digest\.approval"):
        desk_config(tmp_path, digest={"approval": "sometimes"})


# -- login and CSRF over HTTP -----------------------------------------------------------------


def test_every_page_asks_for_the_login_on_a_private_desk_and_only_the_desk_on_a_public_one(
    tmp_path: Path,
) -> None:
    config = desk_config(tmp_path)
    db = Database(config.store.url)
    anonymous = client(config, db)
    for path in ("/next", "/notice/1", "/issues", "/feed.atom"):
        answer = anonymous.get(path, follow_redirects=False)
        assert answer.status_code == 303 and answer.headers["location"].startswith("/login?next="), path
    assert anonymous.post("/next/drop", data={"group": "1"}).status_code == 401
    assert anonymous.get("/unsubscribe/token", follow_redirects=False).status_code != 303  # alert links work

    public = client(desk_config(tmp_path, web={**config.web.model_dump(), "public": True}), db)
    assert public.get("/next", follow_redirects=False).status_code == 303
    assert public.get("/issues", follow_redirects=False).status_code != 303  # the public helper's pages
    db.close()


def test_a_wrong_password_is_refused_and_the_sixth_try_is_refused_even_when_right(tmp_path: Path) -> None:
    config = desk_config(tmp_path)
    db = Database(config.store.url)
    browser = client(config, db)
    token = form_csrf(browser.get("/login").text)
    for _ in range(MAX_FAILURES):
        answer = browser.post("/login", data={"user": EDITOR, "password": "wrong", "csrf": token})
        assert answer.status_code == 401 and "用户名或密码错误" in answer.text
    answer = browser.post("/login", data={"user": EDITOR, "password": EDITOR_PASSWORD, "csrf": token})
    assert answer.status_code == 429
    assert browser.get("/next", follow_redirects=False).status_code == 303  # still not logged in
    db.close()


def test_a_login_or_an_edit_without_the_session_csrf_token_changes_nothing(tmp_path: Path) -> None:
    config = desk_config(tmp_path)
    db = Database(config.store.url)
    group = store_notice(db, 1, "政策文件")
    browser = client(config, db)
    browser.get("/login")
    refused = browser.post("/login", data={"user": EDITOR, "password": EDITOR_PASSWORD, "csrf": "forged"})
    assert refused.status_code == 403
    browser, token = logged_in(config, db)
    _other, other_token = logged_in(config, db)
    assert other_token != token  # each session has its own token …
    forged = (
        {"group": str(group)},
        {"group": str(group), "csrf": "forged"},
        {"group": str(group), "csrf": ""},
    )
    for data in (*forged, {"group": str(group), "csrf": other_token}):  # … and only it is accepted
        assert browser.post("/next/drop", data=data).status_code == 403
    with db.session() as session:
        assert editorial.actions_of(session, group) == []
    assert browser.post("/next/drop", data={"group": str(group), "csrf": token}).status_code == 200
    with db.session() as session:
        assert [a.action for a in editorial.actions_of(session, group)] == ["drop"]
    db.close()


# -- corrections and the digest ---------------------------------------------------------------


def test_moves_drops_and_order_made_on_the_desk_are_logged_and_the_digest_honours_them(
    tmp_path: Path,
) -> None:
    config = desk_config(tmp_path)
    db = Database(config.store.url)
    a, b, c = (store_notice(db, n, "政策文件", title=f"政策{n}号文件的通知") for n in (1, 2, 3))
    call = store_notice(
        db, 4, "申报通知", title="关于申报第4批项目的通知", low_confidence=True, deadline="2026-12-01"
    )
    browser, token = logged_in(config, db)
    page = browser.get("/next").text
    assert "待核" in page and "截止 2026年12月1日" in page
    assert "尚未发出过任何一期" in page and 'class="badge newsource"' not in page  # all new: no badge

    def post(action: str, group: int, **extra: str) -> None:
        answer = browser.post(f"/next/{action}", data={"csrf": token, "group": str(group), **extra})
        assert answer.status_code == 200, answer.text

    post("move", b, section="申报通知")
    post("drop", c)
    post("down", call)  # the last one: stays
    post("up", a)  # the first: stays
    assert (
        browser.post("/next/move", data={"csrf": token, "group": str(a), "section": "其他"}).status_code
        == 400
    )
    assert browser.post("/next/drop", data={"csrf": token, "group": "99999"}).status_code == 400

    page = browser.get("/next").text
    assert "编辑甲 改为本栏（原 政策文件）" in page and "已移出本期（不发送）：1 条" in page
    with db.session() as session:
        log = [(x.group_id, x.action, x.section, x.editor) for x in session.scalars(select(EditorialAction))]
        labels = editorial.editor_labels(session)
    assert log[:2] == [(b, "move", "申报通知", EDITOR), (c, "drop", None, EDITOR)]
    assert sorted(labels) == sorted([(b, "申报通知"), (c, "其他")])
    explained = explain_notice(db, b)
    assert explained is not None and "editor: moved to 申报通知 by 编辑甲" in format_explanation(explained)

    post("up", b)  # b above the call in 申报通知
    files = send_digest(config, db, quiet).issue
    assert files is not None
    text = files.text.read_text(encoding="utf-8")
    assert "政策3号文件" not in text  # dropped
    calls = text[text.index("[申报通知]") :]
    assert calls.index("政策2号文件") < calls.index("关于申报第4批项目")  # moved, and above the call
    assert "政策2号文件" not in text[text.index("[政策文件]") : text.index("[申报通知]")]
    assert waiting_notices(config, db) == 0  # the dropped one is never offered again …

    post("restore", c)  # … unless restored
    assert waiting_notices(config, db) == 1

    store_notice(db, 9, "政策文件", source="ndrc", title="发改委的第一条通知")
    page = browser.get("/next").text
    assert "尚未发出过任何一期" not in page
    assert page.count('class="badge newsource"') == 1  # only the source never in an issue
    assert page.index('class="badge newsource"') > page.index("政策3号文件")  # … on the ndrc notice
    db.close()


def test_a_hostile_title_and_link_are_shown_escaped_and_unlinked(tmp_path: Path) -> None:
    config = desk_config(tmp_path)
    db = Database(config.store.url)
    notice = store_notice(
        db,
        1,
        "申报通知",
        title="<script>alert(1)</script><img src=x onerror=alert(2)>通知",
        url="javascript:alert(3)",
    )
    browser, _ = logged_in(config, db)
    for path in ("/next", f"/notice/{notice}"):
        page = browser.get(path).text
        assert "<script>alert(1)" not in page and "<img src=x" not in page
        assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page
        assert 'href="javascript:' not in page
    db.close()


# -- approval ---------------------------------------------------------------------------------


def approval_config(tmp_path: Path, smtp_channel: dict) -> object:
    return desk_config(
        tmp_path,
        digest={"approval": "required"},
        channels={"email": smtp_channel},
        subscribers=[{"name": "客户甲", "email": "a@example.cn"}],
    )


def test_an_issue_waits_for_approval_and_two_approvals_at_once_send_it_once(tmp_path: Path) -> None:
    with smtp_server(tmp_path) as smtp:
        config = approval_config(tmp_path, smtp.channel())
        db = Database(config.store.url)
        for n in range(3):
            store_notice(db, n, "政策文件")
        lines: list[str] = []
        report = send_digest(config, db, lines.append)
        assert report.issue is not None and smtp.received == []
        assert any("waits for the editor's approval" in line for line in lines), lines
        listed = list_digests(config, db)
        assert listed[0].endswith("3 notice(s)  waiting for approval"), listed
        with db.session() as session:
            assert session.scalars(select(Delivery)).all() == []
            ref = editorial.waiting(session)[0].ref

        results = []
        start = threading.Barrier(3)

        def approve_now(editor: str) -> None:
            start.wait()
            results.append(approve(config, db, quiet, ref, editor))

        threads = [threading.Thread(target=approve_now, args=(f"editor-{n}",)) for n in range(3)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        assert sorted(r.approved_now for r in results) == [False, False, True]
        assert len(smtp.received) == 1

        cli = CliRunner().invoke(main, ["--config", str(_saved(config, tmp_path)), "digest", "approve", ref])
        assert "approved already" in cli.output and len(smtp.received) == 1
        assert "waiting for approval" not in list_digests(config, db)[0]
        db.close()


def test_an_approval_from_a_page_shown_before_a_correction_is_refused(tmp_path: Path) -> None:
    with smtp_server(tmp_path) as smtp:
        config = approval_config(tmp_path, smtp.channel())
        db = Database(config.store.url)
        groups = [store_notice(db, n, "政策文件") for n in range(2)]
        send_digest(config, db, quiet)
        browser, token = logged_in(config, db)
        page = browser.get("/next").text
        shown = re.search(r'name="fingerprint" value="([^"]+)"', page)
        assert shown
        with db.session() as session:
            ref = editorial.waiting(session)[0].ref
            editorial.drop(session, groups[0], "编辑乙", NOW)  # another tab drops one meanwhile
        with pytest.raises(IssueChanged):
            approve(config, db, quiet, ref, EDITOR, expected=shown[1])
        answer = browser.post("/next/approve", data={"csrf": token, "issue": ref, "fingerprint": shown[1]})
        assert answer.status_code == 409 and smtp.received == []
        fresh = re.search(r'name="fingerprint" value="([^"]+)"', browser.get("/next").text)
        assert fresh
        answer = browser.post("/next/approve", data={"csrf": token, "issue": ref, "fingerprint": fresh[1]})
        assert answer.status_code == 200 and len(smtp.received) == 1
        with db.session() as session:
            kept = [i.version.notice_id for i in session.scalars(select(DigestItem))]
        assert kept == [groups[1]]  # the dropped one left the issue
        db.close()


def _saved(config: object, tmp_path: Path) -> Path:
    """The test config as a file, for the CLI (the same store and channels)."""
    import yaml

    from tests.delivery_support import SECTION_RULES
    from tests.desk_support import EDITOR_HASH

    path = tmp_path / "config.yaml"
    raw = {
        "store": {"url": config.store.url},  # type: ignore[attr-defined]
        "data_dir": str(config.data_dir),  # type: ignore[attr-defined]
        "out_dir": str(config.out_dir),  # type: ignore[attr-defined]
        "digest": {"approval": "required"},
        "channels": {"email": config.channels.email.model_dump(mode="json")},  # type: ignore[attr-defined]
        "subscribers": [{"name": "客户甲", "email": "a@example.cn"}],
        "web": {"accounts": [{"user": EDITOR, "password_hash": EDITOR_HASH}]},
        "classify": SECTION_RULES,
    }
    path.write_text(yaml.safe_dump(raw, allow_unicode=True), encoding="utf-8")
    return path


# -- baseline ---------------------------------------------------------------------------------


def test_baseline_leaves_the_next_issue_only_what_comes_after_it(tmp_path: Path) -> None:
    config = desk_config(tmp_path)
    db = Database(config.store.url)
    old = store_notice(db, 1, "政策文件")
    dated = store_notice(db, 20, "申报通知")  # published 2026-10-21
    result = baseline(config, db, EDITOR, NOW, before=datetime(2026, 10, 10).date())
    assert (result.marked, result.left) == (1, 1)  # only the notice published before 10-10
    result = baseline(config, db, EDITOR, NOW)
    assert (result.marked, result.left) == (1, 0)
    assert send_digest(config, db, quiet).issue is None
    fresh = store_notice(db, 5, "绿色制造", title="关于绿色工厂的新通知")
    files = send_digest(config, db, quiet).issue
    assert files is not None and files.count == 1
    assert "关于绿色工厂的新通知" in files.text.read_text(encoding="utf-8")
    with db.session() as session:
        assert [i.version.notice_id for i in session.scalars(select(DigestItem))] == [fresh]
        assert old != fresh != dated
    db.close()


def test_arrange_puts_the_editors_order_first_then_arrivals_and_sets_drops_apart() -> None:
    from kuaixun.editorial import arrange
    from store.editorial import Decision
    from store.models import Notice, NoticeVersion

    def group(n: int, section: str) -> list[NoticeVersion]:
        return [NoticeVersion(id=n, notice=Notice(id=n, group_id=n, category=section))]

    groups = [
        group(1, "政策文件"),
        group(2, "申报通知"),
        group(3, "申报通知"),
        group(4, "政策文件"),
        group(5, "其他"),
    ]
    decisions = {
        4: Decision(4, None, False, 0, EDITOR, NOW),  # ordered first in 政策文件
        1: Decision(1, "申报通知", False, None, EDITOR, NOW),  # moved: in arrival order among 申报通知's
        3: Decision(3, None, True, None, EDITOR, NOW),  # dropped
        5: Decision(5, "绿色制造", False, None, EDITOR, NOW),  # moved in from 其他
    }
    arranged = arrange(groups, decisions, ("政策文件", "绿色制造", "申报通知"))
    assert [(p.group_id, p.section) for p in arranged.placed] == [
        (4, "政策文件"),
        (5, "绿色制造"),
        (1, "申报通知"),
        (2, "申报通知"),
    ]
    assert [p.group_id for p in arranged.dropped] == [3]
    assert [p.group_id for p in arrange(groups, {}, ("政策文件", "绿色制造", "申报通知")).placed] == [
        1,
        4,
        2,
        3,
    ]
