"""The read-only commands on a big store (bench/make_store.py): each one's time in-process, median.

    python bench/make_store.py sqlite:////tmp/kx100k.db
    python bench/store_queries.py sqlite:////tmp/kx100k.db

Each command runs through the CLI (click's runner, in this process, so the figure is the query
and its output, not the interpreter's start-up) on the shipped config.yaml pointed at the store.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

import yaml
from click.testing import CliRunner

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from kuaixun.cli import main
from kuaixun.config import read_raw

PROJECT = Path(__file__).resolve().parents[1]
TARGET_MS = 200
COMMANDS = (
    ("items", ["items"]),
    ("items --section 申报通知", ["items", "--section", "申报通知"]),
    ("items --query 绿色工厂", ["items", "--query", "绿色工厂"]),
    ("items --region 湖南", ["items", "--region", "湖南"]),
    ("items --section 绿色制造 --query 绿色工厂", ["items", "--section", "绿色制造", "--query", "绿色工厂"]),
    ("subscribe test 绿色工厂", ["subscribe", "test", "绿色工厂"]),
    ("digest preview", ["digest", "preview"]),
    ("status", ["status"]),
)


def main_() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("url", help="the store, e.g. sqlite:////tmp/kx100k.db")
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as work:
        raw = read_raw(PROJECT / "config.yaml") | {
            "store": {"url": args.url},
            "data_dir": str(Path(work) / "data"),
            "out_dir": str(Path(work) / "out"),
        }
        path = Path(work) / "config.yaml"
        path.write_text(yaml.safe_dump(raw, allow_unicode=True), encoding="utf-8")
        runner = CliRunner(env={"SMTP_PASSWORD": "", "KUAIXUN_SECRET": "bench"})
        print(f"{'command':<44} {'median ms':>10}  target < {TARGET_MS} ms  (runs: {args.runs})")
        for name, command in COMMANDS:
            times = []
            for _ in range(args.runs):
                started = time.perf_counter()
                result = runner.invoke(main, ["--config", str(path), *command])
                times.append((time.perf_counter() - started) * 1000)
                if result.exit_code != 0:
                    print(f"{name}: exit {result.exit_code}: {result.output[-300:]}", file=sys.stderr)
            median = statistics.median(times)
            print(f"{name:<44} {median:>10.0f}  {'met' if median < TARGET_MS else 'MISSED'}", flush=True)


if __name__ == "__main__":
    main_()
