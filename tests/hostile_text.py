"""What a hostile page may write in a title or a body, for the tests of every output.

Each constant is one kind of attack on a renderer downstream: a disguised link, a mass mention,
markup, a URL scheme other than http(s), a block construct, a forged header line. A hostile
simulated site can serve the same strings (``HOSTILE_TITLE`` and ``HOSTILE_BODY`` as a notice).
"""

from __future__ import annotations

PHISH_URL = "http://phish.example/claim"
PHISH_LINK = f"[点击领取补贴]({PHISH_URL})"
"""A Markdown link whose text looks official and whose target is not the notice."""

MENTIONS = (
    "@all",
    "@所有人",
    "@channel",
    "<@all>",
    "<@U024BE7LH>",
    "<!channel>",
    "<!here>",
    '<at user_id="all">所有人</at>',
    "<at id=all></at>",
)
"""Mass mentions of WeCom/DingTalk (text), Slack (``<!…>``, ``<@…>``) and Feishu (``<at>``)."""

MARKUP = (
    "**加粗**",
    "__加粗__",
    "*斜体*",
    "_斜体_",
    "~~删除~~",
    "~删除~",
    "`代码`",
    '<font color="warning">紧急</font>',
    "<b>粗</b>",
    "<img src=x onerror=alert(1)>",
    "<script>alert(1)</script>",
    "&lt;b&gt;",
    f"<{PHISH_URL}|官方通知>",
    f"<{PHISH_URL}>",
    f"![图]({PHISH_URL}.png)",
)
"""Emphasis, code, HTML and link forms of CommonMark, WeCom/DingTalk Markdown and Slack mrkdwn."""

SCHEMES = (
    "javascript:alert(1)",
    "JavaScript:alert(1)",
    "data:text/html,<script>alert(1)</script>",
    "file:///etc/passwd",
    "vbscript:msgbox(1)",
    f"详见 {PHISH_URL} 办理",
)
"""URLs a page wrote, which an autolinker or a chat client would turn into links."""

BLOCKS = (
    "# 伪标题",
    "> 伪引用",
    "- 伪列表",
    "+ 伪列表",
    "1. 伪列表",
    f"[ref]: {PHISH_URL}",
    "| a | b |",
    "    四个空格的代码块",
)
"""Constructs that take effect at the start of a line."""

HEADER_BREAKS = (
    "通知标题\r\nBcc: victim@evil.example",
    "通知标题\nBcc: victim@evil.example",
    "通知标题\u2028Bcc: victim@evil.example",
    "通知标题\u0085X-Injected: 1",
)
"""Line breaks (CR/LF, U+2028, NEL) that would forge a header or a line if a title kept them."""

EVERY = (PHISH_LINK, *MENTIONS, *MARKUP, *SCHEMES, *BLOCKS, *HEADER_BREAKS)

HOSTILE_TITLE = (
    f"关于{PHISH_LINK}的通知 @all <!channel> <@all> "
    '<at user_id="all">所有人</at> **紧急** `代码` <font color="warning">红</font> <b>粗</b>'
)
HOSTILE_BODY = (
    PHISH_LINK,
    "请 @all 成员 <!here> 立即办理",
    "javascript:alert(1)",
    f"详见 {PHISH_URL}",
    "# 伪标题",
    "- 伪列表",
    "~~删除~~ _斜体_ <script>alert(1)</script>",
)
"""A notice's title and body paragraphs carrying one of each kind."""
