"""Alert messages made from frames (each template rendered once per shape, then filled) are the
messages the templates give when rendered directly for each alert; the caches that make them
stay bounded; the folded text and the archive keep what they held before they were made cheaper.

The expectation is always the plain way: the item template rendered with the marks macros
applied to the whole title, context and terms, the message templates rendered with the alert.
"""

from __future__ import annotations

import random
import unicodedata
from dataclasses import replace
from pathlib import Path

from markupsafe import Markup

from notify import archive
from notify.alerts import Alert, AlertItem, Recent, RenderedItems, Unsubscribe, alert_item, render_alert
from notify.outgoing import FileAttachment, Link, Outgoing
from notify.render import environment, markdown_environment
from pipeline.query import Folded, normalize
from pipeline.records import ExtractedNotice
from simulator.seeds import load_seeds
from tests.test_alerts_scale import notice_record

MODES = ("instant", "daily", "weekly", "reminder")
HOSTILE = (
    "订阅 <b>&amp;</b> *粗体* _斜_ [链接](javascript:x) `代码` # 标题\n换行\r\x00\u202e反转 @all 1. 列表"
)
"""A name or query with HTML, Markdown, control, bidi and mention syntax in it."""
ITEM_TEMPLATES = (
    (environment, "alert.item.html.j2", "alert.marks.html.j2"),
    (environment, "alert.item.txt.j2", "alert.marks.txt.j2"),
    (markdown_environment, "alert.item.md.j2", "alert.marks.md.j2"),
)


def item_directly(item: AlertItem) -> tuple[Markup, ...]:
    """The item in each form, its templates rendered for it alone (html, text, markdown)."""
    forms = []
    for environment_of, template, marks in ITEM_TEMPLATES:
        macros = environment_of().get_template(marks).module
        parts = {
            "title": Markup(macros.marked(item.title)),
            "context": Markup(macros.marked(item.context or ())),
            "terms": Markup(macros.found(item.terms)),
        }
        forms.append(Markup(environment_of().get_template(template).render(item=item, **parts)))
    return tuple(forms)


def message_directly(alert: Alert) -> dict[str, str]:
    """The message's forms, each template rendered with this alert."""
    html, text, markdown = zip(*(item_directly(item) for item in alert.items), strict=True) or ((), (), ())
    subject = environment().get_template("alert.subject.j2").render(alert=alert).strip()
    page = {"alert": alert, "subject": subject}
    return {
        "subject": subject,
        "text": environment().get_template("alert.txt.j2").render(page, items=list(text)),
        "html": environment().get_template("alert.html.j2").render(page, items=list(html)),
        "markdown": markdown_environment()
        .get_template("alert.md.j2")
        .render(alert=alert, items=list(markdown)),
    }


def hostile_record(record: ExtractedNotice) -> ExtractedNotice:
    """The record with NUL (the frames' hole mark), escapes and Markdown in its title and body."""
    return replace(
        record,
        title="\x00title\x00 <script>申报</script> **通知** \x00item0\x00 " + record.title,
        body_text="申报\x00context\x00 1. [x](y) & <b>" + record.body_text,
        agency="\x00name\x00<i>机关</i>",
    )


def alerts(count: int, rng: random.Random) -> list[Alert]:
    """Alerts of every shape: each mode, 1 to 12 items, revised or not, each kind of unsubscribe."""
    records = [notice_record(seed, n) for n, seed in enumerate(load_seeds()[:15])]
    records.append(hostile_record(records[0]))
    made = []
    for n in range(count):
        items = tuple(
            alert_item(
                record,
                terms=[
                    ["text", w, w] for w in rng.sample(["申报", "通知", "关于", "工作", "企业", "title"], 2)
                ],
                revised=rng.random() < 0.3,
                diff="@@ -1 +1 @@\n-旧的一行\n+新的<一行>\n" if rng.random() < 0.5 else None,
            )
            for record in rng.sample(records, rng.choice((1, 1, 2, 5, 12)))
        )
        unsubscribe = rng.choice(
            (
                None,
                Unsubscribe("kx@example.cn", f"tok{n}"),
                Unsubscribe("kx@example.cn", f"tok{n}", f"https://kx.example.cn/unsubscribe/tok{n}"),
            )
        )
        name = HOSTILE if n % 5 == 0 else f"订阅{n}"
        query = HOSTILE if n % 7 == 0 else "申报 OR title:通知"
        made.append(Alert(name, query, MODES[n % len(MODES)], items, unsubscribe))
    return made


def test_messages_from_frames_are_the_templates_rendered_for_each_alert() -> None:
    shared = RenderedItems()
    checked = 0
    for alert in alerts(120, random.Random(5)):
        message = render_alert(alert, shared)
        expected = message_directly(alert)
        assert {form: getattr(message, form) for form in expected} == expected, alert.name
        assert message.summary == expected["subject"]
        assert "\x00" not in message.html + message.text + message.markdown + message.subject
        checked += len(alert.items)
    assert checked > 300


def test_an_item_from_its_frame_is_its_templates_rendered_alone() -> None:
    shared = RenderedItems()
    for alert in alerts(60, random.Random(11)):
        for item in alert.items:
            forms = shared.of(item)
            assert (forms.html, forms.text, forms.markdown) == item_directly(item)


def test_recent_keeps_a_bounded_number_of_values_made_once_each() -> None:
    made: list[int] = []

    def make(key: int) -> int:
        made.append(key)
        return key * 10

    kept: Recent[int, int] = Recent(3)
    assert [kept.get(k, make, k) for k in (1, 2, 1, 3, 4, 1, 2)] == [10, 20, 10, 30, 40, 10, 20]
    # 1 stayed (used again before 4 came), 2 was the least recent when 4 came: made again
    assert made == [1, 2, 3, 4, 2]
    assert len(kept._kept) == 3


def test_folded_text_traces_each_normal_character_to_its_origin() -> None:
    texts = [
        "绿色 工厂Ａ１（  x\n\tﬁ",
        "",
        "   ",
        "abc",
        "㍿ＴＥＳＴ\u3000通知",
        "关于开展绿色工厂申报工作的通知",
    ]
    for text in texts:
        folded = Folded.of(text)
        assert folded.flat == normalize(text)
        forms = [unicodedata.normalize("NFKC", char).casefold() for char in text]
        expected = [index for index, form in enumerate(forms) for _ in "".join(form.split())]
        assert list(folded.owner) == expected, text


def test_an_archived_message_loads_as_it_was_saved(tmp_path: Path) -> None:
    message = Outgoing(
        subject="【快讯提醒】订阅：2 条通知",
        text="正文\n第二行",
        html="<p>正文 &amp; “引号”</p>",
        markdown="**正文**",
        summary="摘要",
        links=(Link("标题", "https://www.miit.gov.cn/a.html"), Link("二", "https://b.cn/")),
        attachments=(FileAttachment("附件.pdf", "application/pdf", b"%PDF-1.4 \x00\xff"),),
        headers={"List-Unsubscribe": "<mailto:kx@example.cn?subject=unsubscribe%20t>"},
    )
    archive.save(tmp_path / "m", message)
    assert archive.exists(tmp_path / "m")
    assert archive.load(tmp_path / "m") == message
    assert not (tmp_path / "m" / (archive.MANIFEST + ".part")).exists()
