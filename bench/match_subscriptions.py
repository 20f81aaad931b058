"""Benchmark (not a test): 10,000 generated subscriptions matched against one run's new notices.

    .venv/bin/python bench/match_subscriptions.py [--subscriptions 10000] [--repeat 3]

The notices are the simulator's seeds (every past 快讯 item); the queries are built from words
of their titles and bodies, so a realistic share of them match. Three ways, in the same run:

* QuerySet — what the alerts use: each distinct term tested once per notice, and only the
  queries holding a term that is present evaluated;
* Query.match — each compiled query on its own, term by term;
* naive re — one regular expression per subscription (lookaheads for AND/NOT, alternation
  for OR), searched over each notice's normalised text: the obvious baseline.

All three must find the same matches; the target for QuerySet is well under one second.
"""

from __future__ import annotations

import argparse
import random
import re
import time
from collections.abc import Callable
from typing import Any

from pipeline.query import TEXT, All, AnyOf, Document, Node, Not, Query, QuerySet, Term, compile_query
from pipeline.records import ExtractedNotice
from simulator.seednotice import SeedNotice
from simulator.seeds import load_seeds

CJK_RUN = re.compile(r"[\u4e00-\u9fff]{2,}")
SHAPES = (
    "{a}",
    "{a} OR {b}",
    "{a} {b}",
    "({a} OR {b}) -{c}",
    "title:{a} {b}",
    '"{a}{b}" OR {c}',
    "{a} OR {b} OR {c} NOT {d}",
)


def record(seed: SeedNotice) -> ExtractedNotice:
    """A seed as the store keeps a notice record (the fields the queries look at)."""
    return ExtractedNotice(
        source_url=seed.source_url,
        title=seed.title,
        body_text="\n".join(seed.paragraphs),
        doc_number=seed.doc_number,
        category=seed.section,
        issuer="、".join(seed.signers),
        agencies=tuple(seed.signers),
    )


def vocabulary(records: list[ExtractedNotice], rng: random.Random) -> list[str]:
    """Chinese 2–4 character words cut from the titles (often matching) and bodies (less often)."""
    words: set[str] = set()
    for rec in records:
        for text, keep in ((rec.title, 1.0), (rec.body_text, 0.05)):
            for run in CJK_RUN.findall(text):
                for size in (2, 3, 4):
                    words.update(run[i : i + size] for i in range(len(run) - size + 1) if rng.random() < keep)
    return sorted(words)


def generate(count: int, words: list[str], rng: random.Random) -> list[str]:
    return [rng.choice(SHAPES).format(**{k: rng.choice(words) for k in "abcd"}) for _ in range(count)]


def as_regex(node: Node) -> str:
    """The query as one pattern of zero-width tests, matched at the start of ``title\\nbody``."""
    if isinstance(node, Term):
        scope = r"[^\n]*?" if node.field == "title" else r"[\s\S]*?"
        assert node.field in (TEXT, "title")
        return f"(?={scope}{re.escape(node.value)})"
    if isinstance(node, Not):
        return f"(?!{as_regex(node.part)})"
    if isinstance(node, All):
        return "".join(as_regex(part) for part in node.parts)
    assert isinstance(node, AnyOf)
    return "(?:" + "|".join(as_regex(part) for part in node.parts) + ")"


def timed(work: Callable[[], Any], repeat: int) -> tuple[float, Any]:
    """The best of ``repeat`` runs (seconds), and the result of the last."""
    best, result = float("inf"), None
    for _ in range(repeat):
        start = time.perf_counter()
        result = work()
        best = min(best, time.perf_counter() - start)
    return best, result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--subscriptions", type=int, default=10_000)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    rng = random.Random(20261121)
    records = [record(seed) for seed in load_seeds()]
    texts = generate(args.subscriptions, vocabulary(records, rng), rng)

    compile_time, queries = timed(lambda: {i: compile_query(t) for i, t in enumerate(texts)}, 1)
    index_time, index = timed(lambda: QuerySet(queries), 1)
    patterns = {i: re.compile(as_regex(q.root)) for i, q in queries.items()}

    def with_index() -> set[tuple[int, int]]:
        docs = [Document.of(r) for r in records]
        return {(n, key) for n, doc in enumerate(docs) for key in index.match(doc)}

    def one_by_one(found: dict[int, Query] = queries) -> set[tuple[int, int]]:
        docs = [Document.of(r) for r in records]
        return {
            (n, key) for n, doc in enumerate(docs) for key, q in found.items() if q.match(doc) is not None
        }

    def naive_re() -> set[tuple[int, int]]:
        docs = [Document.of(r) for r in records]
        return {(n, key) for n, doc in enumerate(docs) for key, p in patterns.items() if p.match(doc.text)}

    results = {
        "QuerySet (alerts)": timed(with_index, args.repeat),
        "Query.match each": timed(one_by_one, args.repeat),
        "naive re each": timed(naive_re, args.repeat),
    }
    matches = {name: found for name, (_, found) in results.items()}
    assert len({frozenset(found) for found in matches.values()}) == 1, "the three ways disagree"

    terms = {t for q in queries.values() for t in q.terms}
    print(f"{len(queries):,} subscriptions ({len(terms):,} distinct terms) × {len(records)} notices")
    print(f"compile once: {compile_time:.3f} s   index: {index_time:.3f} s")
    print(f"matches: {len(matches['QuerySet (alerts)']):,} (subscription, notice) pairs")
    for name, (seconds, _) in results.items():
        print(f"  {name:<18} {seconds:8.3f} s")
    fastest = results["QuerySet (alerts)"][0]
    print(
        f"QuerySet is {results['naive re each'][0] / fastest:.0f}× the naive re; target < 1 s: "
        f"{'met' if fastest < 1 else 'MISSED'}"
    )


if __name__ == "__main__":
    main()
