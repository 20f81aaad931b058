"""``kuaixun demo`` writes only into a folder of its own, never into an operator's data/ and out/."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from kuaixun.cli import main
from kuaixun.demo import MARKER, DemoRefused, prepare_workdir

PROJECT = Path(__file__).resolve().parents[1]


def snapshot(folder: Path, skip: str) -> dict[str, bytes]:
    """Every file under ``folder`` (but the subfolder ``skip``) with its bytes."""
    return {
        str(path.relative_to(folder)): path.read_bytes()
        for path in sorted(folder.rglob("*"))
        if path.is_file() and path.relative_to(folder).parts[0] != skip
    }


def production_checkout(folder: Path) -> None:
    """What an operator's folder holds after real issues: the config, the archive, the issues, the store."""
    shutil.copy(PROJECT / "config.yaml", folder / "config.yaml")
    archived = folder / "data" / "archive" / "2026-1101"
    archived.mkdir(parents=True)
    (archived / "message.json").write_text('{"subject": "快讯 (2026) 1101 期"}', encoding="utf-8")
    (folder / "data" / "kuaixun.db").write_bytes(b"SQLite format 3\x00 the operator's store")
    (folder / "out").mkdir()
    (folder / "out" / "kuaixun-2026-1101.html").write_text("<p>已发送的一期</p>", encoding="utf-8")


def test_demo_in_a_production_folder_leaves_its_data_and_out_byte_identical(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    production_checkout(tmp_path)
    before = snapshot(tmp_path, skip="demo")
    monkeypatch.chdir(tmp_path)
    result = CliRunner().invoke(main, ["demo"], env={"SMTP_PASSWORD": "", "KUAIXUN_SECRET": ""})
    assert result.exit_code == 0, result.output
    assert snapshot(tmp_path, skip="demo") == before
    demo = tmp_path / "demo"
    assert (demo / MARKER).is_file()
    assert len(list((demo / "out").glob("kuaixun-*.pdf"))) == 2
    assert (demo / "data" / "demo.db").is_file() and (demo / "data" / "demo.yaml").is_file()
    assert f"the issues are in {demo / 'out'}" in result.output


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
