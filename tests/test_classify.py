"""Section quality: the shipped rules against the editor's choices in the three past issues.

The seeds are the reference (the editor's sections, borderline ones included); the simulator's
news items must never reach a digest; the hand-written examples below are kinds of notices the
seeds do not contain, to keep the rules from fitting the 29 seed items only.

See the agreement and the confusion table with:
    .venv/bin/pytest -q -s tests/test_classify.py -k agreement
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from datetime import date
from pathlib import Path

import pytest
from pydantic import ValidationError

from kuaixun.config import load_config
from kuaixun.queries import display_width
from pipeline.classify import (
    BODY_WINDOW,
    OTHER,
    SCORES_PREFIX,
    ClassifyRules,
    SectionRule,
    TypeRule,
    best_section,
    classify,
    format_scores,
    issuer_code,
)
from pipeline.records import ExtractedNotice
from simulator.news import news_items
from simulator.seednotice import SeedNotice
from simulator.seeds import SECTIONS, load_seeds
from simulator.sites import SITES
from simulator.unseen import UNSEEN_NOTICES

PROJECT = Path(__file__).resolve().parents[1]
MIN_AGREEMENT = 0.9

# (section, title, issuer, 文号, body opening): realistic notices of kinds the seeds lack.
EXAMPLES: tuple[tuple[str, str, str, str | None, str], ...] = (
    ("政策文件", "国务院办公厅关于促进平台经济规范健康发展的指导意见", "国务院办公厅", "国办发〔2019〕38号", "互联网平台经济是生产力新的组织方式……现提出以下意见。"),
    ("政策文件", "关于集成电路设计和软件产业企业所得税政策的公告", "财政部、税务总局", "财政部税务总局公告2019年第68号", "为支持集成电路设计和软件产业发展，现将有关企业所得税政策问题公告如下："),
    ("政策文件", "关于修改《高新技术企业认定管理办法》的决定", "科技部、财政部、税务总局", None, "为贯彻落实国务院关于深化“放管服”改革的要求，决定对《高新技术企业认定管理办法》作如下修改："),
    ("政策文件", "湖南省人民政府办公厅关于印发《湖南省制造业高质量发展实施方案》的通知", "湖南省人民政府办公厅", "湘政办发〔2019〕52号", "《湖南省制造业高质量发展实施方案》已经省人民政府同意，现印发给你们，请认真组织实施。"),
    ("政策文件", "关于发布《铸造行业规范条件》的公告", "工业和信息化部", "工业和信息化部公告2019年第55号", "为推动铸造行业高质量发展，现将《铸造行业规范条件》予以公告。"),
    ("政策文件", "国家发展改革委 商务部关于印发《市场准入负面清单（2019年版）》的通知", "国家发展改革委、商务部", "发改体改〔2019〕1685号", "经党中央、国务院同意，现将《市场准入负面清单（2019年版）》印发给你们，请认真遵照执行。"),
    ("政策文件", "关于加快培育共享制造新模式新业态促进制造业高质量发展的指导意见", "工业和信息化部", "工信部产业〔2019〕226号", "为贯彻落实党中央、国务院决策部署，加快培育共享制造新模式新业态，现提出以下意见。"),
    ("绿色制造", "工业和信息化部办公厅关于开展2019年度绿色制造体系建设示范名单推荐工作的通知", "工业和信息化部办公厅", "工信厅节函〔2019〕105号", "为贯彻落实《工业绿色发展规划》，请各地组织推荐绿色工厂、绿色设计产品、绿色园区和绿色供应链管理示范企业。"),
    ("绿色制造", "关于组织推荐2019年国家工业节能技术装备的通知", "工业和信息化部办公厅", "工信厅节函〔2019〕142号", "为加快先进节能技术装备推广应用，现组织推荐2019年国家工业节能技术装备，请于9月30日前报送。"),
    ("绿色制造", "关于做好2019年度重点用能单位能耗在线监测系统建设工作的通知", "河北省工业和信息化厅", "冀工信节〔2019〕210号", "为加快推进重点用能单位能耗在线监测系统建设，现将有关事项通知如下。"),
    ("绿色制造", "关于推荐2019年国家工业资源综合利用先进适用技术装备的通知", "工业和信息化部办公厅", "工信厅节函〔2019〕163号", "为推动工业固体废物综合利用，请各地组织推荐先进适用技术装备，并于10月15日前报送。"),
    ("绿色制造", "关于征求《绿色数据中心评价规范（征求意见稿）》意见的函", "工业和信息化部节能与综合利用司", None, "为推动数据中心绿色发展，我司组织编制了《绿色数据中心评价规范（征求意见稿）》，现公开征求意见。"),
    ("绿色制造", "关于2019年省级绿色工厂名单的公示", "河北省工业和信息化厅", None, "根据企业申报、第三方评价和专家评审，现将拟认定的2019年省级绿色工厂名单予以公示。"),
    ("绿色制造", "关于开展2019年工业企业清洁生产审核工作的通知", "云南省工业和信息化厅", "云工信节能〔2019〕12号", "为深入推进工业清洁生产，现就开展2019年清洁生产审核工作通知如下。"),
    ("申报通知", "关于组织申报2020年度省级工业和信息化专项资金项目的通知", "山东省工业和信息化厅", "鲁工信规〔2019〕88号", "一、申报条件……二、申报材料……请于2019年10月31日前报送。"),
    ("申报通知", "关于开展2019年度专精特新中小企业认定工作的通知", "辽宁省工业和信息化厅", None, "为推动中小企业走专业化、精细化、特色化、新颖化发展之路，现开展2019年度专精特新中小企业认定工作。一、申报条件"),
    ("申报通知", "关于征集2019年工业互联网创新发展工程项目的通知", "工业和信息化部办公厅", "工信厅信管函〔2019〕120号", "为贯彻落实《关于深化“互联网+先进制造业”发展工业互联网的指导意见》，现征集一批项目。"),
    ("申报通知", "科技部关于发布国家重点研发计划“智能机器人”重点专项2020年度项目申报指南的通知", "科技部", "国科发资〔2019〕344号", "根据国家重点研发计划组织管理的相关要求，现将“智能机器人”重点专项2020年度项目申报指南予以发布。"),
    ("申报通知", "关于开展2019年度国家级工业设计中心推荐工作的通知", "工业和信息化部办公厅", "工信厅产业函〔2019〕158号", "为贯彻落实《工业设计中心认定管理办法》，现组织开展2019年度国家级工业设计中心推荐工作。"),
    ("申报通知", "关于组织开展2019年制造业单项冠军企业遴选工作的通知", "福建省工业和信息化厅", None, "请各地组织企业申报，申报材料请于2019年10月20日前报送我厅。"),
    ("申报通知", "关于开展2020年度科技型中小企业评价工作的通知", "天津市科学技术局", None, "科技型中小企业通过服务平台填报信息，请企业按要求自主填报。"),
    ("申报通知", "关于2019年第二批拟认定高新技术企业名单的公示", "深圳市科技创新委员会", None, "根据《高新技术企业认定管理办法》，现将拟认定高新技术企业名单予以公示。"),
    ("申报通知", "关于征求《企业技术中心认定管理办法（修订征求意见稿）》意见的通知", "重庆市经济和信息化委员会", None, "为做好企业技术中心认定工作，我委修订了认定管理办法，现公开征求意见。"),
    ("申报通知", "关于举办第八届中国创新创业大赛的通知", "科技部火炬中心", None, "大赛报名时间为2019年5月至7月，请参赛企业登录大赛官网报名。"),
)  # fmt: skip


@pytest.fixture(scope="module")
def rules() -> ClassifyRules:
    return load_config(PROJECT / "config.yaml", environ={"SMTP_PASSWORD": "x"}).classify


@pytest.fixture(scope="module")
def seeds() -> list[SeedNotice]:
    return load_seeds()


def seed_record(seed: SeedNotice) -> ExtractedNotice:
    """The record extraction would produce for a seed item (the fields classification reads)."""
    return ExtractedNotice(
        source_url=seed.source_url,
        title=seed.title,
        doc_number=seed.doc_number,
        addressee=seed.addressee,
        body_text="\n".join(seed.paragraphs),
        issuer="、".join(seed.signers),
        publish_date=seed.date,
    )


def confusion_table(pairs: Iterable[tuple[str, str]]) -> str:
    """Rows: the editor's section; columns: ours. Plain text, for the test's output."""
    counts = Counter(pairs)
    labels = (*SECTIONS, OTHER)

    def cell(text: object, width: int = 10) -> str:
        return " " * (width - display_width(str(text))) + str(text)

    lines = [cell("editor \\ rules", 14) + "".join(cell(label) for label in labels)]
    lines += [
        cell(expected, 14) + "".join(cell(counts[expected, got]) for got in labels) for expected in SECTIONS
    ]
    return "\n".join(lines)


def test_agreement_with_editor(rules: ClassifyRules, seeds: list[SeedNotice]) -> None:
    decisions = [(seed, classify(seed_record(seed), rules)) for seed in seeds]
    agree = sum(d.section == seed.section for seed, d in decisions)
    misses = [
        f"{seed.section} → {d.section}: {seed.title} ({d.reasons[-1]})"
        for seed, d in decisions
        if d.section != seed.section
    ]
    report = (
        f"agreement {agree}/{len(seeds)} = {agree / len(seeds):.1%}\n"
        + confusion_table((seed.section, d.section) for seed, d in decisions)
        + "".join(f"\n  {miss}" for miss in misses)
    )
    print("\n" + report)
    assert len(seeds) == 29
    assert agree / len(seeds) >= MIN_AGREEMENT, report


def test_no_seed_goes_to_other(rules: ClassifyRules, seeds: list[SeedNotice]) -> None:
    lost = [seed.title for seed in seeds if classify(seed_record(seed), rules).section == OTHER]
    assert lost == []


def test_every_simulated_news_item_goes_to_other(rules: ClassifyRules) -> None:
    items = [(site, item) for site in SITES for item in news_items(site, date(2019, 11, 15))]
    sent = []
    for site, item in items:
        record = ExtractedNotice(
            source_url="https://example.gov.cn/news",
            title=item.title,
            body_text="\n".join(item.paragraphs),
            issuer=site.agency,
            agency=site.agency,
        )
        decision = classify(record, rules, column=site.column)
        if decision.section != OTHER:
            sent.append(f"{item.title} → {decision.section} ({decision.reasons[-1]})")
    assert len(items) > 50
    assert sent == []


def test_kinds_of_notices_beyond_the_seeds(rules: ClassifyRules) -> None:
    """Generalization: notices of other kinds and issuers go where the editor's conventions put them."""
    wrong = []
    for expected, title, issuer, doc_number, body in EXAMPLES:
        notice = ExtractedNotice(
            source_url="https://example.gov.cn/n",
            title=title,
            issuer=issuer,
            doc_number=doc_number,
            body_text=body,
        )
        decision = classify(notice, rules)
        if decision.section != expected:
            wrong.append(f"{expected} → {decision.section}: {title} ({decision.reasons[-1]})")
    assert len(wrong) <= len(EXAMPLES) // 10, "\n".join(wrong)


def test_no_cue_fits_a_single_seed(rules: ClassifyRules, seeds: list[SeedNotice]) -> None:
    """Cues are words of a kind of notice: a cue found in one seed and in no other notice we have
    (the examples above, the unseen families' notices) fits that seed alone; it belongs in overrides."""

    def record(title: str, body: str, doc_number: str | None) -> dict[str, str]:
        return {"title": title, "body": body[:BODY_WINDOW], "doc_number": issuer_code(doc_number)}

    seen = [record(s.title, "\n".join(s.paragraphs), s.doc_number) for s in seeds]
    others = [record(title, body, doc) for _, title, _, doc, body in EXAMPLES]
    others += [record(n.title, "\n".join(n.paragraphs), n.doc_number) for n in UNSEEN_NOTICES]
    single = [
        f"{name} {place} {cue}"
        for name, rule in rules.sections.items()
        for place, cues in (("title", rule.title), ("body", rule.body), ("doc_number", rule.doc_number))
        for cue in cues
        if sum(cue in r[place] for r in seen) == 1 and not any(cue in r[place] for r in others)
    ]
    assert single == []
    for rule in rules.sections.values():
        for cue in (*rule.title, *rule.body):
            assert len(cue) <= 8, cue


# Mechanics of the rules, on small hand-made rule sets.


def _notice(
    title: str, body: str = "", issuer: str | None = None, doc_number: str | None = None
) -> ExtractedNotice:
    return ExtractedNotice(
        source_url="https://example.gov.cn/a",
        title=title,
        body_text=body,
        issuer=issuer,
        doc_number=doc_number,
    )


def test_scores_are_the_last_reason() -> None:
    rules = ClassifyRules(sections={"申报通知": SectionRule(title={"申报": 5})}, threshold=2)
    decision = classify(_notice("关于组织申报试点的通知"), rules)
    assert decision.section == "申报通知"
    assert decision.reasons[-1] == "scores: 申报通知 5"
    assert decision.reasons[-1].startswith(SCORES_PREFIX)


def test_format_scores_uses_section_order() -> None:
    assert (
        format_scores({"申报通知": 5, "政策文件": 3, "绿色制造": 0}, SECTIONS)
        == "scores: 政策文件 3, 绿色制造 0, 申报通知 5"
    )


def test_consultation_draft_is_judged_by_topic_not_as_policy() -> None:
    rules = ClassifyRules(
        sections={
            "政策文件": SectionRule(title={"意见": 3}),
            "绿色制造": SectionRule(title={"绿色": 5}),
            "申报通知": SectionRule(title={"征求": 1}),
        },
        types={"征求意见稿": TypeRule(mute=("政策文件",), add={"申报通知": 2})},
        threshold=2,
    )
    general = classify(_notice("关于征求《工业互联网发展指导意见（征求意见稿）》意见的通知"), rules)
    assert general.section == "申报通知"
    assert "政策文件: muted, the notice is a 征求意见稿" in general.reasons
    green = classify(_notice("关于征求《绿色工厂评价通则（征求意见稿）》意见的函"), rules)
    assert green.section == "绿色制造"


def test_topic_wins_over_form_at_its_bar() -> None:
    sections = {
        "绿色制造": SectionRule(title={"两化融合": 5}),
        "申报通知": SectionRule(title={"推荐": 3, "试点": 3}),
    }
    notice = _notice("关于做好两化融合贯标试点企业推荐工作的通知")
    assert classify(notice, ClassifyRules(sections=sections, threshold=2)).section == "申报通知"
    assert (
        classify(notice, ClassifyRules(sections=sections, threshold=2, topics={"绿色制造": 5})).section
        == "绿色制造"
    )


def test_order_breaks_ties() -> None:
    assert best_section({"政策文件": 3, "申报通知": 3}) == "政策文件"
    assert best_section({"政策文件": 3, "申报通知": 3}, ("申报通知", "政策文件")) == "申报通知"
    assert best_section({}) is None


def test_doc_number_issuer_code_and_issuer_cues() -> None:
    assert issuer_code("工信厅节函〔2016〕586号") == "工信厅节函"
    assert issuer_code("财政部税务总局公告2019年第84号") == "财政部税务总局公告"
    assert issuer_code(None) == ""
    rules = ClassifyRules(
        sections={
            "绿色制造": SectionRule(doc_number={"节": 3}),
            "申报通知": SectionRule(issuer={"科学技术": 1}, title={"推荐": 2}),
        },
        threshold=2,
    )
    decision = classify(
        _notice("关于推荐技术装备的通知", issuer="某省科学技术厅", doc_number="工信厅节函〔2019〕1号"), rules
    )
    assert decision.section == "绿色制造"
    assert "绿色制造: 文号 has 节 (+3)" in decision.reasons
    assert "申报通知: issuer has 科学技术 (+1)" in decision.reasons


def test_body_patterns_match_phrases_with_a_variable_part() -> None:
    rules = ClassifyRules(
        sections={"申报通知": SectionRule(patterns={"请于[^。]{0,20}前[^。]{0,10}报送": 2})}, threshold=2
    )
    decision = classify(_notice("关于有关事项的通知", body="请于2019年10月8日前将材料报送我厅。"), rules)
    assert decision.section == "申报通知"
    assert "申报通知: body has 请于2019年10月8日前将材料报送 (+2)" in decision.reasons


def test_news_is_other_whatever_its_topic() -> None:
    rules = ClassifyRules(sections={"申报通知": SectionRule(title={"高新技术企业": 3})}, threshold=2)
    decision = classify(_notice("武清区举行高新技术企业培育项目集中签约仪式"), rules)
    assert decision.section == OTHER
    assert decision.scores["申报通知"] == 3
    assert any(r.startswith("form: title has headline verb 举行") for r in decision.reasons)
    assert (
        decision.reasons[-2]
        == f"{OTHER}: not an official document (its topic, 申报通知 3, does not make it one)"
    )


def test_a_document_no_cue_places_goes_to_the_fallback_flagged() -> None:
    rules = ClassifyRules(
        sections={"政策文件": SectionRule(), "申报通知": SectionRule(title={"申报": 5})}, threshold=2
    )
    decision = classify(_notice("关于调整园区管理职责分工的通知", doc_number="某工信〔2024〕4号"), rules)
    assert (decision.section, decision.low_confidence, decision.margin) == ("政策文件", True, 0)
    assert "政策文件: no section cue; a document goes to the general section" in decision.reasons
    confident = classify(_notice("关于组织申报专项资金的通知"), rules)
    assert (confident.section, confident.low_confidence, confident.margin) == ("申报通知", False, 5)


def test_a_narrow_lead_is_flagged() -> None:
    rules = ClassifyRules(
        sections={"政策文件": SectionRule(title={"管理": 2}), "申报通知": SectionRule(title={"评价": 2})},
        threshold=2,
        min_margin=1,
    )
    decision = classify(_notice("关于企业评价管理工作的通知"), rules)
    assert decision.low_confidence and decision.margin == 0


def test_overrides_have_the_last_word() -> None:
    rules = ClassifyRules(
        sections={"政策文件": SectionRule(), "申报通知": SectionRule(title={"申报": 5})},
        overrides={"某发〔2019〕1号": "政策文件"},
    )
    decision = classify(_notice("关于申报的通知", doc_number="某发〔2019〕1号"), rules)
    assert decision.section == "政策文件"


@pytest.mark.parametrize(
    "raw",
    [
        {"types": {"不存在": {"add": {"申报通知": 1}}}},
        {"types": {"公示": {"mute": ["新闻"]}}},
        {"order": ["政策文件", "要闻"]},
        {"topics": {"环保": 5}},
        {"sections": {"申报通知": {"patterns": {"请于(": 1}}}},
    ],
)
def test_rules_are_validated(raw: dict) -> None:
    with pytest.raises(ValidationError):
        ClassifyRules.model_validate(raw)
