"""The read-only commands on a big store (bench/make_store.py): each one's time, median, beside a reference.

    python bench/make_store.py sqlite:////tmp/kx100k.db
    python bench/store_queries.py sqlite:////tmp/kx100k.db [--reference CHECKOUT] [--explain]

Each command runs through the CLI (click's runner, in a worker process, so the figure is the query
and its output, not the interpreter's start-up) on the shipped config.yaml pointed at the store:
one warm-up run, then ``--runs`` timed ones, median. ``--reference`` names another checkout of
the project (``git worktree add /tmp/old COMMIT``): its worker runs the same command right before
this checkout's, command by command, so both see the same load (one over ``--timeout`` seconds is
stopped and shown as such). Each command is also run once as a whole process (``kuaixun …``:
start-up included). ``--explain`` prints, for each command over the target, its slowest SQL
statement with the database's plan (SQLite ``EXPLAIN QUERY PLAN``, PostgreSQL ``EXPLAIN ANALYZE``).
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from click.testing import CliRunner

PROJECT = Path(__file__).resolve().parents[1]
CHECKOUT_ENV = "KUAIXUN_BENCH_CHECKOUT"
"""The checkout a worker imports the project from (this one unless the parent names another)."""
sys.path.insert(0, os.environ.get(CHECKOUT_ENV, str(PROJECT)))

TARGET_MS = 200
COMMANDS = (
    ("items", ["items"]),
    ("items --section 申报通知", ["items", "--section", "申报通知"]),
    ("items --query 绿色工厂", ["items", "--query", "绿色工厂"]),
    ("items --query 海南自由贸易港 (rare)", ["items", "--query", "海南自由贸易港"]),
    ("items --region 湖南", ["items", "--region", "湖南"]),
    ("items --region 西藏 (none)", ["items", "--region", "西藏"]),
    ("items --agency 工业和信息化部", ["items", "--agency", "工业和信息化部"]),
    ("items --section 绿色制造 --query 绿色工厂", ["items", "--section", "绿色制造", "--query", "绿色工厂"]),
    (
        "items --region 湖南 --section 申报通知 --query 申报",
        ["items", "--region", "湖南", "--section", "申报通知", "--query", "申报"],
    ),
    ("subscribe test 绿色工厂", ["subscribe", "test", "绿色工厂"]),
    ("subscribe test 申报 --region 湖南", ["subscribe", "test", "申报", "--region", "湖南"]),
    ("subscribe test 海南自由贸易港 (rare)", ["subscribe", "test", "海南自由贸易港"]),
    ("search 绿色工厂", ["search", "绿色工厂"]),
    ("search 申报 (62% of the store)", ["search", "申报"]),
    ("search 'title:申报 agency:工业和信息化部'", ["search", "title:申报 agency:工业和信息化部"]),
    ("search '(绿色工厂 OR 绿色园区) -公示'", ["search", "(绿色工厂 OR 绿色园区) -公示"]),
    ("digest preview", ["digest", "preview"]),
    ("status", ["status"]),
)


@dataclass(frozen=True)
class Timing:
    """One checkout's figures for one command: the timed runs (ms), or why there are none."""

    runs: tuple[float, ...] = ()
    cpu: tuple[float, ...] = ()
    """This process's CPU time of each run (ms): SQLite's work, not a PostgreSQL server's."""
    failure: str | None = None

    def shown(self) -> str:
        return self.failure or f"{statistics.median(self.runs):.0f} / {statistics.median(self.cpu):.0f}"


def write_config(url: str, work: Path) -> Path:
    """config.yaml as shipped, pointed at the store, its outputs in ``work``."""
    import yaml

    from kuaixun.config import read_raw

    raw = read_raw(PROJECT / "config.yaml") | {
        "store": {"url": url},
        "data_dir": str(work / "data"),
        "out_dir": str(work / "out"),
    }
    path = work / "config.yaml"
    path.write_text(yaml.safe_dump(raw, allow_unicode=True), encoding="utf-8")
    return path


def worker(config: Path, args: list[str], runs: int, explain: bool) -> None:
    """In a worker process: one warm-up run, then ``runs`` timed ones; JSON on stdout."""
    from click.testing import CliRunner

    from kuaixun.cli import main

    runner = CliRunner(env={"SMTP_PASSWORD": "", "KUAIXUN_SECRET": "bench"})
    command = ["--config", str(config), *args]
    result = runner.invoke(main, command)  # warm-up: imports and the database's cache
    times, cpu = [], []
    for _ in range(runs):
        started, used = time.perf_counter(), time.process_time()
        runner.invoke(main, command)
        times.append((time.perf_counter() - started) * 1000)
        cpu.append((time.process_time() - used) * 1000)
    report = {"runs": times, "cpu": cpu, "exit": result.exit_code, "tail": result.output[-400:]}
    if explain and statistics.median(times) >= TARGET_MS:
        report["plan"] = slowest_plan(runner, command, config)
    print(json.dumps(report, ensure_ascii=False))


def slowest_plan(runner: CliRunner, command: list[str], config: Path) -> str:
    """The slowest query (SELECT) of one more run of ``command``, with its plan."""
    from sqlalchemy import Engine, event

    from kuaixun.cli import main
    from kuaixun.config import load_config
    from store.db import create_store_engine

    statements: list[tuple[float, str, object]] = []

    def before(conn, cursor, statement, parameters, context, many):  # type: ignore[no-untyped-def]
        conn.info["started"] = time.perf_counter()

    def after(conn, cursor, statement, parameters, context, many):  # type: ignore[no-untyped-def]
        statements.append((time.perf_counter() - conn.info["started"], statement, parameters))

    event.listen(Engine, "before_cursor_execute", before)
    event.listen(Engine, "after_cursor_execute", after)
    runner.invoke(main, command)
    event.remove(Engine, "before_cursor_execute", before)
    event.remove(Engine, "after_cursor_execute", after)
    queries = [s for s in statements if s[1].lstrip().upper().startswith("SELECT")]
    if not queries:
        return "no query"
    seconds, statement, parameters = max(queries, key=lambda s: s[0])
    engine = create_store_engine(load_config(config).store.url)
    prefix = "EXPLAIN QUERY PLAN " if engine.dialect.name == "sqlite" else "EXPLAIN ANALYZE "
    with engine.connect() as connection:
        raw = connection.connection.driver_connection
        cursor = raw.cursor()  # type: ignore[union-attr]
        cursor.execute(prefix + statement, parameters)
        plan = "\n".join(" | ".join(str(c) for c in row) for row in cursor.fetchall())
    engine.dispose()
    return f"{seconds * 1000:.0f} ms: {statement.strip()[:600]}\n{plan}"


def timed(checkout: Path, config: Path, args: list[str], runs: int, timeout: float, explain: bool) -> Timing:
    """``args`` in a worker importing the project from ``checkout``."""
    env = os.environ | {CHECKOUT_ENV: str(checkout), "PYTHONPATH": str(checkout)}
    command = [
        sys.executable,
        __file__,
        "--worker",
        str(config),
        "--runs",
        str(runs),
        *(["--explain"] if explain else []),
    ]
    try:
        done = subprocess.run(
            [*command, "--", *args], env=env, cwd=checkout, capture_output=True, text=True, timeout=timeout
        )
    except subprocess.TimeoutExpired:
        return Timing(failure=f"> {timeout:.0f} s")
    if done.returncode != 0:
        return Timing(failure=f"worker failed: {done.stderr.strip()[-300:]}")
    report = json.loads(done.stdout.strip().splitlines()[-1])
    if report.get("plan"):
        print(f"    plan: {report['plan']}".replace("\n", "\n    "), flush=True)
    if report["exit"] not in (0, 1):  # status exits 1 for a failing source: an answer all the same
        return Timing(failure=f"exit {report['exit']}: {report['tail'][-200:]}")
    return Timing(runs=tuple(report["runs"]), cpu=tuple(report["cpu"]))


def process_ms(config: Path, args: list[str]) -> float:
    """Wall time of ``kuaixun ARGS`` as a whole process (start-up included), once."""
    started = time.perf_counter()
    subprocess.run(
        [sys.executable, "-c", "from kuaixun.cli import main; main()", "--config", str(config), *args],
        cwd=PROJECT,
        capture_output=True,
        env=os.environ | {"SMTP_PASSWORD": "", "KUAIXUN_SECRET": "bench"},
    )
    return (time.perf_counter() - started) * 1000


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("url", help="the store, e.g. sqlite:////tmp/kx100k.db")
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--reference", type=Path, help="another checkout to time beside this one")
    parser.add_argument("--timeout", type=float, default=120, help="seconds a worker may take")
    parser.add_argument("--explain", action="store_true", help="plans of the slowest statements")
    parser.add_argument("--only", help="only the commands whose name contains this")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as work:
        config = write_config(args.url, Path(work))
        print(
            f"store {args.url.split('@')[-1]}; load {os.getloadavg()[0]:.1f}; runs {args.runs}, medians (ms)"
        )
        ref_head = f"{'reference':>14}  " if args.reference else ""
        print(f"{'command (ms: wall / CPU)':<52} {ref_head}{'this':>14}  {'process':>8}  < {TARGET_MS} ms")
        for name, command in COMMANDS:
            if args.only and args.only not in name:
                continue
            ref = ""
            if args.reference:
                ref = (
                    f"{timed(args.reference, config, command, args.runs, args.timeout, False).shown():>10}  "
                )
            this = timed(PROJECT, config, command, args.runs, args.timeout, args.explain)
            verdict = "met" if this.runs and statistics.median(this.runs) < TARGET_MS else "MISSED"
            whole = process_ms(config, command)
            print(f"{name:<52} {ref}{this.shown():>14}  {whole:>8.0f}  {verdict}", flush=True)
        print(f"load at the end {os.getloadavg()[0]:.1f}")


def worker_main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--worker", type=Path, required=True)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--explain", action="store_true")
    parser.add_argument("args", nargs="*")
    options = parser.parse_args()
    worker(options.worker, options.args, options.runs, options.explain)


if __name__ == "__main__":
    worker_main() if "--worker" in sys.argv else main()
