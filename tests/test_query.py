"""The alert query language: precedence, phrases, fields, normalisation, errors with positions."""

from __future__ import annotations

from typing import Any

import pytest

from pipeline.query import Document, QueryError, QuerySet, compile_query, excerpt, highlight
from pipeline.records import ExtractedNotice


def record(
    title: str = "关于开展2024年度绿色工厂申报工作的通知",
    body: str = "各有关单位：为推进绿色制造体系建设，现组织开展申报。",
    **fields: Any,
) -> ExtractedNotice:
    base = {
        "source_url": "http://www.miit.gov.cn/n1.html",
        "title": title,
        "body_text": body,
        "doc_number": "工信厅节函〔2024〕12号",
        "category": "绿色制造",
        "region": "全国",
        "regions": ["全国"],
        "agency": "工业和信息化部",
        "agencies": ["工业和信息化部办公厅"],
        "issuer": "工业和信息化部办公厅",
    }
    return ExtractedNotice.from_json(base | fields)


def matches(query: str, rec: ExtractedNotice) -> bool:
    return compile_query(query).match(Document.of(rec)) is not None


def words(*present: str) -> ExtractedNotice:
    """A record whose body holds exactly the given words (a, b, c …)."""
    return record(title="通知", body=" ".join(present))


@pytest.mark.parametrize(
    ("query", "present", "expected"),
    [
        ("a OR b c", ["a"], True),
        ("a OR b c", ["b"], False),
        ("a OR b c", ["b", "c"], True),
        ("(a OR b) c", ["a"], False),
        ("(a OR b) c", ["a", "c"], True),
        ("a AND b OR c", ["c"], True),
        ("a AND (b OR c)", ["c"], False),
        ("NOT a b", ["b"], True),
        ("NOT a b", ["a", "b"], False),
        ("NOT (a b)", ["a"], True),
        ("a -b", ["a"], True),
        ("a -b", ["a", "b"], False),
        ("a NOT NOT b", ["a", "b"], True),
        ("-(a OR b)", ["c"], True),
        ("a or b", ["b"], True),
        ("a and not b", ["a"], True),
    ],
)
def test_precedence_not_then_and_then_or(query: str, present: list[str], expected: bool) -> None:
    assert matches(query, words(*present)) is expected


def test_phrases_keep_operators_and_spaces_as_text() -> None:
    assert matches('"绿色 工厂"', record())
    assert matches("“绿色工厂 申报”", record(title="绿色工厂 申报指南"))
    assert not matches('"绿色 申报"', record())
    assert matches('"a OR b"', words("a", "OR", "b"))
    assert not matches('"a OR b"', words("a"))


def test_bare_terms_are_substrings_of_title_or_body_only() -> None:
    rec = record(title="关于征集典型案例的通知", body="请各地推荐绿色工厂。")
    assert matches("绿色工厂", rec)
    assert matches("典型", rec)
    assert not matches("工信厅节函", rec)  # the 文号 is not title or body: use doc:
    assert not matches("工业和信息化部办公厅", rec)  # nor the issuer: use agency:


def test_fields() -> None:
    rec = record(
        title="关于申报高新技术企业的通知",
        body="北京市各有关单位：绿色",
        region="北京",
        regions=["北京", "天津"],
        agency="北京市科学技术委员会",
        agencies=["北京市科学技术委员会", "北京市财政局"],
        issuer="北京市科学技术委员会、北京市财政局",
        doc_number="京科发〔2024〕3号",
        category="申报通知",
    )
    assert matches("高新技术企业 region:北京", rec)
    assert matches("region:北京市", rec)
    assert matches("region:天津市", rec)
    assert not matches("region:河北", rec)
    assert not matches("region:北", rec)  # a region is a place, not a substring
    assert matches("title:高新", rec)
    assert not matches("title:绿色", rec)
    assert matches("agency:财政局", rec)
    assert matches("agency:科学技术委员会 -agency:工业和信息化部", rec)
    assert matches("doc:京科发", rec)
    assert matches("doc:京科发[2024]3号", rec)
    assert matches("doc:京科发（2024）3号", rec)
    assert matches("section:申报通知", rec)
    assert matches("section:申报", rec)
    assert not matches("section:政策文件", rec)
    assert matches("文号:京科发 地区:北京 栏目:申报通知 标题:高新 机关:财政局", rec)
    assert matches("Title:高新 REGION:北京", rec)


def test_full_width_case_and_spaces_are_normalised_on_both_sides() -> None:
    rec = record(title="关于５Ｇ＋工业互联网 试点示范 项目的通知", body="申报 ABC Corp 参加。")
    assert matches("5g+工业互联网", rec)
    assert matches("试点示范项目", rec)
    assert matches("abc corp", rec)
    assert matches("ＡＢＣ （corp OR 无）", rec)
    assert matches("ｔｉｔｌｅ：试点", rec)
    assert matches("region：全国", rec)


def test_match_reports_the_terms_found_outside_any_not() -> None:
    query = compile_query("(绿色工厂 OR 绿色园区 OR 节水) title:通知 -草案 NOT agency:税务")
    found = query.match(Document.of(record()))
    assert found is not None
    assert [(t.field, t.text) for t in found] == [("text", "绿色工厂"), ("title", "通知")]
    assert query.match(Document.of(record(title="绿色工厂通知（草案）"))) is None


def test_a_pure_negation_matches_without_terms() -> None:
    query = compile_query("-草案")
    assert query.matches_without_terms
    assert query.match(Document.of(record())) == ()


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ("绿色工厂 OR (绿色园区))", "query: unexpected ')' at position 15"),
        ("(高新技术企业 OR 专精特新", "query: unexpected end of query at position 16; expected ')'"),
        ("绿色工厂 OR", "query: unexpected end of query at position 8; expected a word or phrase"),
        ('申报 "绿色 工厂', "query: unclosed quote at position 4"),
        ("()", "query: unexpected ')' at position 2"),
        ("title:", "query: unexpected end of query at position 7; expected a word or phrase"),
        ("titel:绿色", "query: unknown field 'titel' at position 1; fields are title:, region:"),
        ('a ""', "query: empty phrase at position 3"),
        ("a AND AND b", "query: misplaced 'AND' at position 7"),
        ("OR 绿色", "query: misplaced 'OR' at position 1"),
        ("   ", "query: empty query at position 1"),
        ("ａ ｂ ）", "query: unexpected ')' at position 5"),
    ],
)
def test_malformed_queries_name_the_position(query: str, message: str) -> None:
    with pytest.raises(QueryError) as error:
        compile_query(query)
    assert str(error.value).startswith(message)


def test_query_set_agrees_with_each_query_alone() -> None:
    queries = {
        "green": compile_query("绿色工厂 OR 绿色园区"),
        "beijing": compile_query("高新技术企业 region:北京"),
        "not-draft": compile_query("-草案"),
        "doc": compile_query("doc:工信厅节函 -绿色园区"),
        "none": compile_query("氢能"),
    }
    records = [
        record(),
        record(title="绿色园区名单", doc_number=None),
        record(title="高新技术企业认定（草案）", region="北京", regions=["北京"]),
        record(title="氢能产业", body="草案"),
    ]
    together = QuerySet(queries)
    for rec in records:
        doc = Document.of(rec)
        alone = {key: found for key, q in queries.items() if (found := q.match(doc)) is not None}
        assert together.match(doc) == alone


def test_highlight_maps_normalised_matches_back_to_the_text() -> None:
    pieces = highlight("关于开展 绿色 工厂 和ＡＢＣ申报的通知", ["绿色工厂", "abc"])
    assert (
        "".join(f"【{p}】" if hit else p for p, hit in pieces)
        == "关于开展 【绿色 工厂】 和【ＡＢＣ】申报的通知"
    )
    assert highlight("无关", ["绿色"]) == [("无关", False)]


def test_excerpt_shows_the_first_match_in_context() -> None:
    body = "前" * 100 + "绿色工厂" + "后" * 100
    cut = excerpt(body, ["绿色工厂"], before=5, after=5)
    assert cut == "…前前前前前绿色工厂后后后后后…"
    assert excerpt(body, ["园区"]) is None
