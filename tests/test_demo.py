"""``kuaixun demo`` writes only into a folder of its own, never into an operator's data/ and out/.

The demo run in an operator's folder is tests/test_end_to_end.py::test_demo_command (one demo run
for both).
"""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from kuaixun.cli import main
from kuaixun.demo import MARKER, DemoRefused, prepare_workdir

PROJECT = Path(__file__).resolve().parents[1]


def test_a_non_empty_folder_the_demo_did_not_make_is_refused(tmp_path: Path) -> None:
    (tmp_path / "notes.txt").write_text("mine", encoding="utf-8")
    result = CliRunner().invoke(
        main, ["--config", str(PROJECT / "config.yaml"), "demo", "--workdir", str(tmp_path)]
    )
    assert result.exit_code == 2
    assert "was not made by `kuaixun demo`" in result.output and "--workdir" in result.output
    assert sorted(p.name for p in tmp_path.iterdir()) == ["notes.txt"]


def test_a_file_as_workdir_is_refused(tmp_path: Path) -> None:
    (tmp_path / "demo").write_text("not a folder", encoding="utf-8")
    with pytest.raises(DemoRefused, match="is not a folder"):
        prepare_workdir(tmp_path / "demo")


def test_a_new_folder_is_marked_and_a_rerun_clears_only_what_the_demo_made(tmp_path: Path) -> None:
    workdir = tmp_path / "new" / "demo"
    prepare_workdir(workdir)
    assert sorted(p.name for p in workdir.iterdir()) == [MARKER]
    (workdir / "data" / "archive").mkdir(parents=True)
    (workdir / "out").mkdir()
    (workdir / "out" / "kuaixun-2019-1101.pdf").write_bytes(b"%PDF")
    (workdir / "notes.txt").write_text("the operator's own note", encoding="utf-8")
    prepare_workdir(workdir)
    assert sorted(p.name for p in workdir.iterdir()) == [MARKER, "notes.txt"]
