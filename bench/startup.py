"""Start-up of Kuaixun's read-only commands, beside the interpreter's own and SQLAlchemy's import.

Why: ``items``, ``status`` and the like answer a person at a terminal; most of their time is
importing, not working. Each command runs as the installed ``kuaixun`` script in a fresh process
on a small real store (the simulator's pages stored through ``kuaixun.ingest.ingest``, the
shipped config.yaml with two keyword subscriptions). The references run in the same rounds:
``python -c pass`` (the interpreter) and ``python -c "import sqlalchemy"`` (the store's library,
the floor of any command that opens the store).

Rounds are interleaved (every subject once per round, the order rotated), ``--runs`` rounds,
medians of wall and CPU (user+sys of that one process, ``os.wait4``). Bytecode: by default the
runs read bytecode compiled by a warm-up round into a private cache (``PYTHONPYCACHEPREFIX``), as
an install with ``--compile-bytecode`` does; ``--no-bytecode`` measures with
``PYTHONDONTWRITEBYTECODE=1`` and no such cache, as this environment runs the project's own
modules. Then ``python -X importtime`` of the slowest commands (median of 3 runs per module):
the top-level imports that cost most.

Run: ``make bench`` or ``.venv/bin/python bench/startup.py [--runs 7] [--no-bytecode]``.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from collections import defaultdict
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import httpx  # noqa: E402

from crawlers.items import FetchedPage  # noqa: E402
from kuaixun.config import read_raw, validate  # noqa: E402
from kuaixun.demo import demo_config  # noqa: E402
from kuaixun.ingest import ingest  # noqa: E402
from simulator.server import GovWeb, GovWebThread  # noqa: E402
from store.db import Database  # noqa: E402

KUAIXUN = Path(sys.executable).with_name("kuaixun")
TARGET = 0.3
"""Seconds: issue 13's start-up target for the read-only commands."""
IMPORTTIME_RUNS = 3
"""``-X importtime`` runs per profiled command; the median per module smooths a loaded machine."""
PROFILED = 3
"""How many of the slowest commands get an import profile."""
TOP_IMPORTS = 8
"""Top-level imports listed per profiled command."""
SUBSCRIPTIONS = [
    {"name": "绿色制造", "query": "(绿色工厂 OR 绿色园区) -公示", "channel": "a@example.com"},
    {"name": "北京高企", "query": "高新技术企业 region:北京", "sections": ["申报通知"], "channel": "b@x.cn"},
]
"""Two keyword alerts, as an operator's config.yaml has them (their queries are parsed at load)."""


@dataclass(frozen=True)
class Subject:
    """One command line measured; ``ok`` the exit codes that mean it did its job."""

    name: str
    argv: tuple[str, ...]
    ok: tuple[int, ...] = (0,)
    reference: bool = False
    checkout: Path | None = None
    """Another checkout of the project whose code this run imports (``--reference``)."""


@dataclass
class Figures:
    """One subject's runs: wall and CPU seconds, exit codes seen."""

    wall: list[float] = field(default_factory=list)
    cpu: list[float] = field(default_factory=list)
    codes: set[int] = field(default_factory=set)


@dataclass(frozen=True)
class Workspace:
    """The small store, its config, and a saved listing page and notice page for the file commands."""

    config: Path
    notice_id: int
    notices: int
    listing: Path
    listing_url: str
    page: Path
    page_url: str


def build_workspace(folder: Path) -> Workspace:
    """Every page the simulator publishes, stored through ingest; the shipped config.yaml on that store."""
    with GovWebThread(held_back=0) as thread:
        web = thread.web
        raw = demo_config(read_raw(ROOT / "config.yaml"), web, folder)
        store = {"url": f"sqlite:///{folder / 'data' / 'kuaixun.db'}"}
        config = validate(raw | {"store": store}, "config.yaml (bench)", folder)
        with httpx.Client(timeout=30) as client:
            pages = list(fetched_pages(web, client, config.sources))
            site = web.sites[0]
            listing = client.get(web.listing_url(site.name))
        with Database(config.store.url) as db:
            result = ingest(config, db, pages)
        listing_url = str(listing.url)
    shipped = read_raw(ROOT / "config.yaml") | {
        "store": store,
        "data_dir": str(folder / "data"),
        "out_dir": str(folder / "out"),
        "alerts": {"secret": "bench-only-secret-not-used-to-send"},
        "subscriptions": SUBSCRIPTIONS,
    }
    path = folder / "config.yaml"
    path.write_text(yaml.safe_dump(shipped, allow_unicode=True), encoding="utf-8")
    (folder / "listing.html").write_bytes(listing.content)
    notice = next(p for p in pages if p.content_type and "html" in p.content_type)
    (folder / "notice.html").write_bytes(notice.body)
    return Workspace(
        path, 1, result.new, folder / "listing.html", listing_url, folder / "notice.html", notice.url
    )


def fetched_pages(web: GovWeb, client: httpx.Client, sources: Sequence) -> Iterator[FetchedPage]:
    """Each published page over HTTP, filed under the first source on its site (as a crawl would)."""
    for page in web.published():
        base = web.base_url(page.site.name)
        source = next((s.name for s in sources if s.listing_url.startswith(base)), page.site.name)
        url = web.url_of(page)
        response = client.get(url)
        content_type = response.headers.get("content-type")
        yield FetchedPage(source, url, url, response.status_code, content_type, response.content)


def subjects(space: Workspace) -> list[Subject]:
    py = sys.executable
    config = ("--config", str(space.config))
    kx = (str(KUAIXUN), *config)
    return [
        Subject("python -c pass", (py, "-c", "pass"), reference=True),
        Subject("import sqlalchemy", (py, "-c", "import sqlalchemy"), reference=True),
        Subject("kuaixun --help", (str(KUAIXUN), "--help")),
        Subject("items", (*kx, "items")),
        Subject("explain", (*kx, "explain", str(space.notice_id))),
        Subject("status", (*kx, "status"), ok=(0, 1)),  # 1: a source is failing (never crawled)
        Subject("subscribe test", (*kx, "subscribe", "test", "绿色工厂")),
        Subject("digest list", (*kx, "digest", "list")),
        Subject("listing", (*kx, "listing", str(space.listing), "--url", space.listing_url)),
        Subject("extract", (*kx, "extract", str(space.page), "--url", space.page_url)),
    ]


def of_checkout(subject: Subject, checkout: Path) -> Subject:
    """``subject`` run on the code of ``checkout`` (its modules first on the path), with this interpreter."""
    main = "import sys; sys.argv[0] = 'kuaixun'; from kuaixun.cli import main; main()"
    argv = (sys.executable, "-c", main, *subject.argv[1:])
    return Subject(f"{subject.name} @ref", argv, subject.ok, reference=True, checkout=checkout)


def environment(bytecode: bool, cache: Path) -> dict[str, str]:
    env = dict(os.environ)
    if bytecode:
        env.pop("PYTHONDONTWRITEBYTECODE", None)
        env["PYTHONPYCACHEPREFIX"] = str(cache)
    else:
        env["PYTHONDONTWRITEBYTECODE"] = "1"
        env.pop("PYTHONPYCACHEPREFIX", None)
    return env


def run_once(argv: Sequence[str], env: dict[str, str], cwd: Path = ROOT) -> tuple[float, float, int]:
    """Wall seconds, CPU seconds (user+sys of this process alone) and exit code of one run."""
    start = time.perf_counter()
    child = subprocess.Popen(argv, env=env, cwd=cwd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    _, status, usage = os.wait4(child.pid, 0)
    wall = time.perf_counter() - start
    child.returncode = os.waitstatus_to_exitcode(status)
    return wall, usage.ru_utime + usage.ru_stime, child.returncode


def where(subject: Subject, env: dict[str, str]) -> tuple[dict[str, str], Path]:
    """The environment and folder ``subject`` runs in: its checkout's code first on the path."""
    if subject.checkout is None:
        return env, ROOT
    return env | {"PYTHONPATH": str(subject.checkout)}, subject.checkout


def measure(items: list[Subject], env: dict[str, str], rounds: int) -> dict[str, Figures]:
    """``rounds`` rounds, each running every subject once, the order rotated from round to round."""
    figures = {s.name: Figures() for s in items}
    for r in range(rounds):
        shift = r % len(items)
        for subject in items[shift:] + items[:shift]:
            wall, cpu, code = run_once(subject.argv, *where(subject, env))
            figures[subject.name].wall.append(wall)
            figures[subject.name].cpu.append(cpu)
            figures[subject.name].codes.add(code)
    return figures


def check_exits(items: list[Subject], figures: dict[str, Figures], env: dict[str, str]) -> None:
    """A command that failed was not measured doing its job: show its error and stop."""
    for subject in items:
        bad = figures[subject.name].codes - set(subject.ok)
        if bad:
            run_env, cwd = where(subject, env)
            child = subprocess.run(subject.argv, env=run_env, cwd=cwd, capture_output=True, text=True)
            sys.exit(f"{subject.name} exited {sorted(bad)}:\n{child.stderr[-2000:]}")


def table(items: list[Subject], figures: dict[str, Figures]) -> Iterator[str]:
    floor = statistics.median(figures["import sqlalchemy"].cpu)
    yield f"{'command':20s} {'wall s':>8s} {'CPU s':>8s} {'CPU − sqlalchemy':>17s}   target < {TARGET} s CPU"
    for subject in items:
        wall = statistics.median(figures[subject.name].wall)
        cpu = statistics.median(figures[subject.name].cpu)
        verdict = "(reference)" if subject.reference else ("met" if cpu < TARGET else "missed")
        yield f"{subject.name:20s} {wall:8.3f} {cpu:8.3f} {cpu - floor:+17.3f}   {verdict}"


@dataclass(frozen=True)
class ImportCost:
    """One module in ``-X importtime``: median cumulative and self microseconds, nesting depth."""

    name: str
    cumulative: float
    own: float
    depth: int


def import_profile(argv: Sequence[str], env: dict[str, str]) -> list[ImportCost]:
    """Median per module over IMPORTTIME_RUNS runs of ``python -X importtime`` on the command."""
    runs: dict[tuple[str, int], list[tuple[int, int]]] = defaultdict(list)
    script = argv[1:] if argv[0] == sys.executable else argv  # the kuaixun script is Python source
    command = [sys.executable, "-X", "importtime", *script]
    for _ in range(IMPORTTIME_RUNS):
        child = subprocess.run(command, env=env, cwd=ROOT, capture_output=True, text=True)
        for line in child.stderr.splitlines():
            if not line.startswith("import time:") or "self [us]" in line:
                continue
            own, cumulative, name = line.removeprefix("import time:").split("|", 2)
            depth = (len(name) - len(name.lstrip(" ")) - 1) // 2
            runs[(name.strip(), depth)].append((int(cumulative), int(own)))
    return [
        ImportCost(
            name,
            statistics.median(c for c, _ in values),
            statistics.median(o for _, o in values),
            depth,
        )
        for (name, depth), values in runs.items()
    ]


def profile_lines(subject: Subject, costs: list[ImportCost]) -> Iterator[str]:
    """The costliest imports made at the top level (by the command's code, not by another module)."""
    top = sorted((c for c in costs if c.depth == 0), key=lambda c: -c.cumulative)[:TOP_IMPORTS]
    total = sum(c.cumulative for c in costs if c.depth == 0)
    yield f"{subject.name}: all imports {total / 1e6:.3f} s (wall, median of {IMPORTTIME_RUNS})"
    for cost in top:
        yield f"    {cost.cumulative / 1e6:7.3f} s  {cost.name}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=7, help="interleaved rounds (medians)")
    parser.add_argument("--no-bytecode", action="store_true", help="run without compiled bytecode")
    parser.add_argument(
        "--reference", type=Path, help="another checkout (git worktree add) whose commands run beside these"
    )
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="kuaixun-startup-") as tmp:
        folder = Path(tmp)
        space = build_workspace(folder)
        env = environment(not args.no_bytecode, folder / "pycache")
        items = subjects(space)
        if args.reference:
            items += [of_checkout(s, args.reference.resolve()) for s in items if not s.reference]
        measure(items, env, 1)  # warm-up: writes the bytecode cache, fills the page cache
        figures = measure(items, env, args.runs)
        check_exits(items, figures, env)
        print(f"load average {' '.join(f'{x:.2f}' for x in os.getloadavg())}, {os.cpu_count()} cores")
        print(
            f"store: {space.notices} notices (simulator pages through ingest); "
            f"{'bytecode compiled' if not args.no_bytecode else 'no bytecode (PYTHONDONTWRITEBYTECODE=1)'}; "
            f"{args.runs} interleaved rounds, medians\n"
        )
        print("\n".join(table(items, figures)))
        slowest = sorted(
            (s for s in items if not s.reference), key=lambda s: -statistics.median(figures[s.name].cpu)
        )[:PROFILED]
        print("\nimports of the slowest commands (python -X importtime, top level):")
        for subject in slowest:
            print("\n".join(profile_lines(subject, import_profile(subject.argv, env))))


if __name__ == "__main__":
    main()
