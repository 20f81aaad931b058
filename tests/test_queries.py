"""``kuaixun explain`` and ``kuaixun items`` on a real SQLite store filled through store.notices."""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path

import pytest
from click.testing import CliRunner

from kuaixun.cli import main
from kuaixun.config import load_config
from kuaixun.queries import (
    Explanation,
    Item,
    ItemFilter,
    display_width,
    explain_notice,
    find_items,
    format_explanation,
    format_items,
    parse_scores,
)
from pipeline.classify import classify, format_scores
from pipeline.process import SourceHints, tag
from pipeline.records import ExtractedNotice
from store import notices
from store.db import Database
from tests.stores import store_url

PROJECT = Path(__file__).resolve().parents[1]
SEEN = datetime(2019, 11, 16, 8, 0)


@dataclasses.dataclass(frozen=True)
class Stored:
    """Ids of the notices the fixture stored, by role."""

    green: int
    call: int
    policy: int
    news: int
    legacy: int


def _record(title: str, url: str, date: str, issuer: str, body: str, **extra: str) -> ExtractedNotice:
    return ExtractedNotice(
        source_url=url, title=title, publish_date=date, issuer=issuer, body_text=body, **extra
    )


def _save(
    db: Database, record: ExtractedNotice, hints: SourceHints, *, reasons: list[str] | None = None
) -> int:
    """Tag, classify with the shipped rules and store, as the crawl does; the notice's id."""
    rules = load_config(PROJECT / "config.yaml", environ={"SMTP_PASSWORD": "x"}).classify
    tagged = tag(record, hints)
    decision = classify(tagged, rules, column=hints.column)
    tagged = dataclasses.replace(tagged, category=decision.section)
    with db.session() as session:
        version = notices.save_version(
            session,
            tagged,
            source_name="test",
            content_hash=str(hash(tagged.body_text)),
            reasons=list(decision.reasons) if reasons is None else reasons,
            diff=None,
            seen_at=SEEN,
        )
        return version.notice_id


@pytest.fixture
def config_path(tmp_path: Path) -> Path:
    path = tmp_path / "config.yaml"
    path.write_text(
        f"store:\n  url: {store_url(tmp_path, 'sqlite:///data/kuaixun.db')}\n"
        "classify: {sections: {政策文件: {}, 绿色制造: {}, 申报通知: {}}}\n",
        encoding="utf-8",
    )
    return path


@pytest.fixture
def db(config_path: Path) -> Iterator[Database]:
    database = Database(load_config(config_path).store.url)
    yield database
    database.close()


@pytest.fixture
def stored(db: Database) -> Stored:
    hunan = SourceHints(agency="湖南省工业和信息化厅", region="湖南")
    miit = SourceHints(agency="工业和信息化部", region="全国")
    green = _record(
        "关于公开征集湖南省绿色设计产品标准的通知",
        "http://gxt.hunan.gov.cn/a/1.html",
        "2019-11-08",
        "湖南省工业和信息化厅",
        "为贯彻落实《湖南省绿色制造体系建设实施方案》，进一步推动绿色制造体系建设。",
    )
    green_id = _save(db, green, hunan)
    revised = dataclasses.replace(green, body_text=green.body_text + "\n请于2019年11月30日前报送。")
    assert _save(db, revised, hunan) == green_id
    call = _record(
        "工业和信息化部办公厅关于组织开展2020年大数据产业发展试点示范项目申报工作的通知",
        "http://www.miit.gov.cn/a/2.html",
        "2019-11-12",
        "工业和信息化部办公厅",
        "一、支持方向 围绕工业大数据融合应用。二、申报条件 申报单位应为长沙市、深圳市等地企业。",
        doc_number="工信厅信软函〔2019〕243号",
    )
    policy = _record(
        "关于推动先进制造业和现代服务业深度融合发展的实施意见",
        "http://www.ndrc.gov.cn/a/3.html",
        "2019-11-10",
        "国家发展改革委、工业和信息化部",
        "先进制造业和现代服务业融合是重要途径。现提出以下意见。",
        doc_number="发改产业〔2019〕1762号",
    )
    news = _record(
        "副厅长赴长沙市调研智能制造工作", "http://gxt.hunan.gov.cn/a/4.html", "2019-11-01", "", "调研。"
    )
    legacy = _record(
        "关于推荐2020年度山东省服务型制造示范企业的通知",
        "http://gxt.shandong.gov.cn/a/5.html",
        "2019-09-09",
        "山东省工业和信息化厅",
        "组织开展推荐工作。",
    )
    return Stored(
        green=green_id,
        call=_save(db, call, miit),
        policy=_save(db, policy, SourceHints(agency="国家发展改革委", region="全国")),
        news=_save(db, news, hunan),
        legacy=_save(
            db, legacy, SourceHints(agency="山东省工业和信息化厅", region="山东"), reasons=["申报通知: old"]
        ),
    )


def _invoke(config_path: Path, *args: str) -> tuple[int, str]:
    result = CliRunner().invoke(main, ["--config", str(config_path), *args])
    return result.exit_code, result.output


# explain


def test_explain_shows_the_newest_version_and_its_scores(db: Database, stored: Stored) -> None:
    explanation = explain_notice(db, stored.green)
    assert isinstance(explanation, Explanation)
    assert explanation.item.section == "绿色制造"
    assert (explanation.item.version, explanation.versions) == (2, 2)
    assert explanation.scores is not None and explanation.scores["绿色制造"] >= 5
    assert list(explanation.scores) == ["政策文件", "绿色制造", "申报通知"]
    assert "绿色制造: title has 绿色 (+5)" in explanation.reasons
    assert any("请于2019年11月30日前报送" in r for r in explanation.reasons), "reasons of version 2"
    assert not any(r.startswith("scores:") for r in explanation.reasons)


def test_explain_without_stored_scores(db: Database, stored: Stored) -> None:
    explanation = explain_notice(db, stored.legacy)
    assert explanation is not None
    assert explanation.scores is None
    assert explanation.reasons == ("申报通知: old",)
    assert format_explanation(explanation).endswith("scores: not stored")


def test_explain_unknown_id(db: Database, stored: Stored) -> None:
    assert explain_notice(db, 9999) is None


def test_cli_explain(config_path: Path, stored: Stored) -> None:
    code, output = _invoke(config_path, "explain", str(stored.call))
    assert code == 0, output
    lines = output.splitlines()
    assert (
        lines[0]
        == f"#{stored.call} 工业和信息化部办公厅关于组织开展2020年大数据产业发展试点示范项目申报工作的通知"
    )
    assert "url: http://www.miit.gov.cn/a/2.html" in lines
    assert "section: 申报通知" in lines
    assert "  申报通知: title has 申报 (+5)" in lines
    assert lines[-1].startswith("scores: 政策文件 ")
    assert "申报通知 " in lines[-1]


def test_cli_explain_unknown_id_fails(config_path: Path, stored: Stored) -> None:
    code, output = _invoke(config_path, "explain", "9999")
    assert code == 1
    assert "no notice with id 9999" in output


# items


def _ids(items: list[Item]) -> list[int]:
    return [item.id for item in items]


def test_items_newest_first(db: Database, stored: Stored) -> None:
    assert _ids(find_items(db, ItemFilter())) == [
        stored.call,
        stored.policy,
        stored.green,
        stored.news,
        stored.legacy,
    ]


def test_items_by_section(db: Database, stored: Stored) -> None:
    assert _ids(find_items(db, ItemFilter(section="申报通知"))) == [stored.call, stored.legacy]
    assert _ids(find_items(db, ItemFilter(section="其他"))) == [stored.news]


def test_items_by_region_match_primary_and_tags(db: Database, stored: Stored) -> None:
    assert _ids(find_items(db, ItemFilter(region="湖南省"))) == [stored.green, stored.news]
    assert _ids(find_items(db, ItemFilter(region="全国"))) == [stored.call, stored.policy]
    assert _ids(find_items(db, ItemFilter(region="长沙"))) == [stored.news]


def test_items_by_agency_match_any_signing_body(db: Database, stored: Stored) -> None:
    assert _ids(find_items(db, ItemFilter(agency="工业和信息化部"))) == [stored.call, stored.policy]
    assert _ids(find_items(db, ItemFilter(agency="发展改革委"))) == [stored.policy]


def test_items_by_date_and_words_and_limit(db: Database, stored: Stored) -> None:
    assert _ids(find_items(db, ItemFilter(since="2019-11-08", until="2019-11-10"))) == [
        stored.policy,
        stored.green,
    ]
    assert _ids(find_items(db, ItemFilter(words=("申报条件",)))) == [stored.call]
    assert _ids(find_items(db, ItemFilter(words=("绿色", "11月30日")))) == [stored.green]
    assert _ids(find_items(db, ItemFilter(words=("1762号",)))) == [stored.policy]
    assert _ids(find_items(db, ItemFilter(limit=2))) == [stored.call, stored.policy]
    assert find_items(db, ItemFilter(section="政策文件", region="湖南")) == []


def test_items_carry_the_record_tags(db: Database, stored: Stored) -> None:
    (item,) = find_items(db, ItemFilter(words=("1762号",)))
    assert item.notice_type == "意见"
    assert item.agencies == ("国家发展改革委", "工业和信息化部")
    assert item.regions == ("全国",)


def test_cli_items_table_is_aligned(config_path: Path, stored: Stored) -> None:
    code, output = _invoke(config_path, "items", "--limit", "0")
    assert code == 0, output
    lines = output.splitlines()
    assert lines[0].split() == ["id", "date", "section", "region", "agency", "title"]
    assert len(lines) == 6
    title_columns = {
        display_width(line[: line.index(title)]) for line, title in zip(lines, _titles(lines), strict=True)
    }
    assert len(title_columns) == 1, output


def _titles(lines: list[str]) -> list[str]:
    return [line.split()[-1] for line in lines]


def test_cli_items_filters_and_json(config_path: Path, stored: Stored) -> None:
    code, output = _invoke(
        config_path, "items", "--section", "绿色制造", "--region", "湖南", "--since", "2019-11-01", "--json"
    )
    assert code == 0, output
    data = json.loads(output)
    assert [d["id"] for d in data] == [stored.green]
    assert data[0]["regions"] == ["湖南"]
    assert data[0]["agencies"] == ["湖南省工业和信息化厅"]
    assert data[0]["url"] == "http://gxt.hunan.gov.cn/a/1.html"


def test_cli_items_empty_and_bad_date(config_path: Path, stored: Stored) -> None:
    assert _invoke(config_path, "items", "--query", "不存在的词") == (0, "no notices match\n")
    code, output = _invoke(config_path, "items", "--since", "2019-13-01")
    assert code == 2
    assert "not a date" in output


# pure helpers


def test_scores_line_round_trip() -> None:
    scores = {"政策文件": 3.0, "绿色制造": 0.0, "申报通知": 5.5}
    assert parse_scores(format_scores(scores)) == scores
    assert parse_scores("申报通知: title has 申报 (+5)") is None


def test_format_items_counts_chinese_as_two_columns() -> None:
    items = [
        Item(1, "2019-11-08", "绿色制造", "湖南", "湖南省工业和信息化厅", "标题一", "u1"),
        Item(12, None, "其他", None, "x" * 40, "title two", "u2"),
    ]
    lines = format_items(items).splitlines()
    assert display_width("湖南a") == 5
    assert lines[2].startswith("12  -           其他")
    assert "x" * 23 + "…" in lines[2]
    assert display_width(lines[1][: lines[1].index("标题一")]) == display_width(
        lines[2][: lines[2].index("title")]
    )
