"""The domain's word lists, each written once: every pipeline module reads them from here.

Chinese government documents follow GB/T 9704 (党政机关公文格式) and the 政府网站发展指引, so a few
closed lists describe every site: how a 公文 title ends (its type), how the name of an issuing
body ends, which posts sign in person, which files a notice attaches, and the marks an anti-bot
challenge leaves in a page. Where the first match decides (:data:`DOC_TYPES`), longer endings come
first, so that 实施细则 is matched before 细则 and 复函 before 函.
"""

from __future__ import annotations

DOC_TYPES: tuple[tuple[str, str], ...] = (
    ("实施细则", "细则"),
    ("实施意见", "意见"),
    ("若干意见", "意见"),
    ("指导意见", "意见"),
    ("细则", "细则"),
    ("意见", "意见"),
    ("通知", "通知"),
    ("通告", "通告"),
    ("公告", "公告"),
    ("公示", "公示"),
    ("公报", "公报"),
    ("通报", "通报"),
    ("办法", "办法"),
    ("指南", "指南"),
    ("指引", "指引"),
    ("方案", "方案"),
    ("规划", "规划"),
    ("纲要", "纲要"),
    ("计划", "计划"),
    ("要点", "要点"),
    ("决定", "决定"),
    ("决议", "决议"),
    ("规定", "规定"),
    ("条例", "条例"),
    ("批复", "批复"),
    ("答复", "答复"),
    ("措施", "措施"),
    ("复函", "函"),
    ("标准", "标准"),
    ("规范", "规范"),
    ("名单", "名单"),
    ("目录", "目录"),
    ("清单", "清单"),
    ("报告", "报告"),
    ("纪要", "纪要"),
    ("议案", "议案"),
    ("说明", "说明"),
    ("命令", "令"),
    ("函", "函"),
    ("令", "令"),
)
"""公文 title endings → the document type they name (…的通知 → 通知, …实施细则 → 细则)."""

CONSULTATION = "征求意见稿"
"""The type of a draft put out for comment: it wins over the ending (``…的意见`` is not policy yet)."""

OFFICIAL_TYPES: frozenset[str] = frozenset(
    ("通知", "通告", "公告", "公示", "意见", "办法", "决定", "决议", "批复", "通报", "答复", "令", "条例",
     "规定", "细则", "函", "报告", "公报", "措施", CONSULTATION)
)  # fmt: skip
"""Types whose title is a 公文's own (党政机关公文 types and regulations); a 名单 or 标准 title may
as well be a report's ("我市3家企业入选…名单")."""

TITLE_ENDINGS: tuple[str, ...] = tuple(ending for ending, _ in DOC_TYPES)
"""How a 公文 title ends: spots an unmarked title line (``<td><b>…的通知</b></td>``)."""

ORG_ENDINGS: tuple[str, ...] = (
    "部", "委", "局", "厅", "署", "办", "院", "行", "会", "府", "室", "处", "中心", "集团", "公司", "协会",
    "小组", "站", "所", "司", "馆", "社", "队", "组", "科", "团", "委员会", "政府", "银行", "大学", "学院",
    "学校", "党组", "联合会", "总队", "支队", "基地", "办公厅", "办公室", "法院", "检察院", "管委会",
)  # fmt: skip
"""How the name of an issuing body ends (工业和信息化部, 湖南能源监管办, 人民政府 …): a signature
line, a letterhead and the last name of a 主送 line end so."""

STRONG_ORG_ENDINGS: tuple[str, ...] = (
    "部", "委", "局", "厅", "署", "办", "院", "行", "政府", "委员会", "监会", "协会", "联合会", "集团",
    "总局", "办公室", "办公厅", "管委会", "中心",
)  # fmt: skip
"""Endings that close a body's name for sure: where two bodies typeset without a space may be cut
apart (自治区工业和信息化厅自治区生态环境厅)."""

ORG_CONTINUATIONS: tuple[str, ...] = (
    "办公", "委员", "直属", "机关", "党组", "分", "驻", "派出", "所属", "下属", "内设", "有限", "股份", "员",
    "总", "厅", "局", "部", "会", "司", "处", "科", "室",
)  # fmt: skip
"""How the rest of one body's name can start after an ending (工业和信息化部|办公厅, 国务院|办公厅):
no cut there."""

UNSPLIT_ORGS: tuple[str, ...] = ("国务院", "中共中央", "省委", "市委")
"""Bodies whose name ends like one but always heads a longer name (国务院办公厅, 省委办公厅)."""

ADDRESSEE_ENDINGS: tuple[str, ...] = (
    *ORG_ENDINGS, "单位", "企业", "部门", "机构", "人员", "高校", "院所", "同志", "园区", "地区",
    "委员", "代表", "区", "市", "县", "省",
)  # fmt: skip
"""How the last unit of a 主送 line ends: bodies, kinds of units (有关单位), places, and persons
addressed by their role (王超斌委员, the 答复 to a CPPCC member; 人大代表)."""

SIGNING_POSTS: tuple[str, ...] = (
    "总理", "副总理", "国务委员", "主席", "副主席", "委员长", "部长", "主任", "局长", "署长", "行长",
    "厅长", "省长", "市长", "县长", "区长", "州长", "院长", "书记",
)  # fmt: skip
"""Posts that sign a 令 in person (总理　李克强, 部长　张三): the signature names a person, so the
issuing body comes from the 令 header or the 公开目录 instead."""

ORDER_HEADER_SUFFIX = "令"
"""A letterhead that ends in 令 (中华人民共和国国务院令, 工业和信息化部令) heads a decree."""

STATE_PREFIX = "中华人民共和国"
"""The state's name that central bodies carry in letterheads but not when named as issuers."""

RELATED_LABELS: tuple[str, ...] = (
    "政策解读", "解读文件", "相关解读", "文件解读", "图文解读", "图片解读", "视频解读", "一图读懂", "图解",
    "解读", "相关链接", "相关文件", "相关阅读", "相关新闻", "相关稿件", "延伸阅读",
)  # fmt: skip
"""Labels of related-content links a template prints after the text (解读文件：《…》政策解读):
not part of the notice's body."""

ATTACHMENT_HEADINGS: tuple[str, ...] = (
    "相关附件", "附件下载", "附件列表", "下载附件", "附件", "相关文件下载", "文件下载",
)  # fmt: skip
"""Headings of a page-level attachment block (``<h2>附件：</h2><ul>…``, 相关附件：)."""

FILE_EXTENSIONS: tuple[str, ...] = (
    "pdf", "doc", "docx", "xls", "xlsx", "wps", "et", "ofd", "zip", "rar", "7z", "ppt", "pptx", "txt",
    "csv", "ceb", "tif", "tiff", "dps", "odt", "ods", "gz", "tar",
)  # fmt: skip
"""Extensions of the document files a notice attaches (WPS/永中 ``wps``/``et``/``dps``, the
national ``ofd`` format, 方正 ``ceb`` as well as Office and archives)."""

DOWNLOAD_ENDPOINTS: tuple[str, ...] = ("downfile", "download", "getfile", "filedown", "attachment")
"""Path words of CMS download endpoints (Hanweb ``/module/download/downfile.jsp?…&showname=…``)."""

CHALLENGE_MARKERS: tuple[str, ...] = ("$_ts", "__jsl_clearance", "C3VK=", "_$xx()", "acw_sc__v2")
"""Script marks of anti-bot challenge pages: 瑞数 (``$_ts``, ``_$xx()``), 加速乐
(``__jsl_clearance``), C3VK cookie shells, Aliyun WAF (``acw_sc__v2``)."""

CHALLENGE_TITLES: tuple[str, ...] = (
    "访问异常", "安全验证", "访问验证", "人机验证", "请开启JavaScript", "WAF", "拦截", "Access Denied",
)  # fmt: skip
"""``<title>`` words of a blocked or challenge page."""

CHALLENGE_STATUSES: tuple[int, ...] = (202, 412, 521)
"""HTTP statuses challenges answer with (瑞数 412, 加速乐 521, some WAFs 202): for the crawler's
challenge middleware, with the markers above."""
