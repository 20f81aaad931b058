"""Fuzzing config.yaml: seeded random mutations of the shipped file, fed to the CLI's own loader.

Whatever the file holds, loading it either succeeds or raises ConfigError with one line that
starts with the file's name; never another exception. For a sample of the failing files,
``kuaixun --config BAD status`` exits 2 with that one line on stderr. Deterministic: the
same seed gives the same files (``KUAIXUN_FUZZ_SCALE=10`` runs ten times as many).
"""

from __future__ import annotations

import copy
import os
import random
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import yaml
from click.testing import CliRunner

from kuaixun.cli import main
from kuaixun.config import Config, ConfigError, load_config
from kuaixun.scheduler import ConfigWatch, build_scheduler
from store.db import Database
from tests.stores import store_url

PROJECT = Path(__file__).resolve().parents[1]
SHIPPED_TEXT = (PROJECT / "config.yaml").read_text(encoding="utf-8")
SHIPPED_DATA = yaml.load(SHIPPED_TEXT, Loader=yaml.CSafeLoader)
SEED = 20261129
SCALE = int(os.environ.get("KUAIXUN_FUZZ_SCALE", "1"))
CASES = 120 * SCALE
"""Mutated files per run: some eight seconds of loading on an idle machine."""
CLI_SAMPLE = 12
"""Failing files also run through the CLI in-process (one of them as a real subprocess)."""

ODD_NUMBERS: tuple[Any, ...] = (
    0, -1, -(10**20), 10**20, 2**63, 999999999999, 1e308, -1e308, 1e-320, float("nan"), float("inf"),
    float("-inf"), 0.5, True, False,
)  # fmt: skip
ODD_VALUES: tuple[Any, ...] = (None, "", " ", "x" * 10_000, [], {}, [1, 2], {"a": 1}, "${KX_FUZZ_UNSET}", "é")
JUNK_CHARS = "\x00\x07\x1b\u200b\u200e\u202e\u2028\ufeff\ud7ff\ue000\U0001f600中文\\\"'{}[]:#&*!|>%@`-?,"
YAML_JUNK = (
    "{",
    "}",
    "[",
    "]",
    ": ",
    "- ",
    "&a ",
    "*a ",
    "!!python/object ",
    "? ",
    "---\n",
    "...\n",
    "\t",
    "%YAML 1.1\n",
)


def paths(data: Any, prefix: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    """Every path to a value inside ``data`` (keys of mappings, indexes of lists)."""
    found = [prefix] if prefix else []
    if isinstance(data, dict):
        for key, value in data.items():
            found += paths(value, (*prefix, key))
    elif isinstance(data, list):
        for i, value in enumerate(data):
            found += paths(value, (*prefix, i))
    return found


def parent(data: Any, path: tuple[Any, ...]) -> Any:
    for part in path[:-1]:
        data = data[part]
    return data


def delete_key(rng: random.Random, data: Any) -> None:
    path = rng.choice(paths(data))
    del parent(data, path)[path[-1]]


def swap_type(rng: random.Random, data: Any) -> None:
    path = rng.choice(paths(data))
    parent(data, path)[path[-1]] = rng.choice(ODD_VALUES + ODD_NUMBERS)


def odd_number(rng: random.Random, data: Any) -> None:
    numbers = [p for p in paths(data) if isinstance(parent(data, p)[p[-1]], (int, float))]
    path = rng.choice(numbers or paths(data))
    parent(data, path)[path[-1]] = rng.choice(ODD_NUMBERS)


def rename_key(rng: random.Random, data: Any) -> None:
    keyed = [p for p in paths(data) if isinstance(p[-1], str)]
    path = rng.choice(keyed)
    holder = parent(data, path)
    holder[_junk(rng, path[-1])] = holder.pop(path[-1])


def deep_value(rng: random.Random, data: Any) -> None:
    path = rng.choice(paths(data))
    value: Any = rng.choice([1, "x", None])
    for _ in range(rng.choice([5, 20, 200])):
        value = [value] if rng.random() < 0.5 else {"k": value}
    parent(data, path)[path[-1]] = value


STRUCTURAL: tuple[Callable[[random.Random, Any], None], ...] = (
    delete_key, swap_type, odd_number, rename_key, deep_value,
)  # fmt: skip


def _junk(rng: random.Random, text: str) -> str:
    at = rng.randrange(len(text) + 1)
    return text[:at] + "".join(rng.choice(JUNK_CHARS) for _ in range(rng.randint(1, 4))) + text[at:]


def structural(rng: random.Random) -> bytes:
    data = copy.deepcopy(SHIPPED_DATA)
    for _ in range(rng.randint(1, 3)):
        rng.choice(STRUCTURAL)(rng, data)
    text = yaml.dump(data, Dumper=yaml.CSafeDumper, allow_unicode=True, sort_keys=False)
    return text.encode("utf-8", "surrogatepass")


def duplicate_line(rng: random.Random) -> bytes:
    lines = SHIPPED_TEXT.splitlines(keepends=True)
    keyed = [i for i, line in enumerate(lines) if ":" in line and not line.lstrip().startswith("#")]
    i = rng.choice(keyed)
    return "".join(lines[: i + 1] + lines[i : i + 1] + lines[i + 1 :]).encode()


def text_junk(rng: random.Random) -> bytes:
    text = SHIPPED_TEXT
    for _ in range(rng.randint(1, 5)):
        at = rng.randrange(len(text))
        piece = rng.choice(YAML_JUNK) if rng.random() < 0.5 else _junk(rng, "")
        text = text[:at] + piece + text[at:]
    return text.encode("utf-8", "surrogatepass")


def deep_text(rng: random.Random) -> bytes:
    depth = rng.choice([17, 100, 1000, 20_000])
    opener, closer = rng.choice([("[", "]"), ("{a: ", "}")])
    return f"{SHIPPED_TEXT}\nx: {opener * depth}1{closer * depth}\n".encode()


def random_bytes(rng: random.Random) -> bytes:
    data = bytearray(SHIPPED_TEXT.encode())
    for _ in range(rng.randint(1, 20)):
        data[rng.randrange(len(data))] = rng.randrange(256)
    return bytes(data)


def truncated(rng: random.Random) -> bytes:
    data = SHIPPED_TEXT.encode()
    return data[: rng.randrange(len(data))]


def reencoded(rng: random.Random) -> bytes:
    codec = rng.choice(["utf-16", "utf-16-be", "utf-32", "gbk", "big5"])
    return SHIPPED_TEXT.encode(codec, "replace")


def binary(rng: random.Random) -> bytes:
    return rng.randbytes(rng.choice([1, 64, 4096]))


MUTATORS: tuple[Callable[[random.Random], bytes], ...] = (
    structural, structural, structural, duplicate_line, text_junk, deep_text, random_bytes, truncated,
    reencoded, binary,
)  # fmt: skip


def mutations(count: int) -> list[bytes]:
    rng = random.Random(SEED)
    return [rng.choice(MUTATORS)(rng) for _ in range(count)]


def check_loaded(config: Config, path: Path, db: Database) -> None:
    """A config that loads can also be scheduled and asked for its secrets without a crash."""
    try:
        config.require_secrets("channels.email")
    except ConfigError as exc:
        assert_clean(str(exc))
    build_scheduler(ConfigWatch(path, lambda line: None), lambda line: None, db)


def assert_clean(message: str) -> None:
    assert message.startswith("config.yaml: ") and len(message) > len("config.yaml: "), message
    assert message.isprintable(), message  # one line: no line break or control character


@pytest.fixture(scope="module")
def outcomes(tmp_path_factory: pytest.TempPathFactory) -> list[tuple[bytes, str | None]]:
    """Each mutated file and its ConfigError (None when it loaded)."""
    folder = tmp_path_factory.mktemp("fuzz-config")
    path = folder / "config.yaml"
    results: list[tuple[bytes, str | None]] = []
    db = Database(store_url(folder))  # the store a scheduler is built on; no job runs
    for data in mutations(CASES):
        path.write_bytes(data)
        try:
            config = load_config(path, environ={})
        except ConfigError as exc:
            results.append((data, str(exc)))
            continue
        except Exception as exc:  # the finding, reported with the file that caused it
            kept = folder / f"crash-{len(results)}.yaml"
            kept.write_bytes(data)
            pytest.fail(f"{type(exc).__name__}: {exc} (the file: {kept})")
        check_loaded(config, path, db)
        results.append((data, None))
    db.close()
    return results


def test_every_mutation_loads_or_fails_in_one_line(outcomes: list[tuple[bytes, str | None]]) -> None:
    for _, error in outcomes:
        if error is not None:
            assert_clean(error)
    failed = sum(error is not None for _, error in outcomes)
    # The mutations must reach both sides: files that still load and files refused.
    assert 0.2 * len(outcomes) < failed < len(outcomes)


def test_mutations_are_deterministic() -> None:
    assert mutations(30) == mutations(30)


def test_cli_says_one_line_and_exits_2(outcomes: list[tuple[bytes, str | None]], tmp_path: Path) -> None:
    failing = [(data, error) for data, error in outcomes if error is not None]
    sample = random.Random(SEED).sample(failing, min(CLI_SAMPLE, len(failing)))
    path = tmp_path / "config.yaml"
    for data, error in sample:
        path.write_bytes(data)
        result = CliRunner().invoke(main, ["--config", str(path), "status"], env={"SMTP_PASSWORD": None})
        assert result.exit_code == 2, result.output
        assert result.stderr == f"error: {error}\n"
        assert result.stdout == ""
    path.write_bytes(sample[0][0])
    real = subprocess.run(
        [str(Path(sys.executable).with_name("kuaixun")), "--config", str(path), "status"],
        capture_output=True,
        text=True,
        env={k: v for k, v in os.environ.items() if k != "SMTP_PASSWORD"},
        check=False,
    )
    assert real.returncode == 2
    assert real.stderr == f"error: {sample[0][1]}\n"
