"""Output files (engine/outputs.py): written whole or not at all, never over an input."""

from __future__ import annotations

import os
import stat

import pytest

from citelog.outputs import OutputError, replacing, write_text


def _leftovers(folder) -> list[str]:
    return sorted(p.name for p in folder.iterdir() if p.name.endswith(".tmp"))


def test_a_document_replaces_the_previous_one_whole(tmp_path):
    target = tmp_path / "out.md"
    target.write_text("old\n", encoding="utf-8")
    target.chmod(0o640)
    write_text(target, "new\n")
    assert target.read_text(encoding="utf-8") == "new\n"
    assert stat.S_IMODE(target.stat().st_mode) == 0o640  # the permissions of the file it replaces
    assert _leftovers(tmp_path) == []


@pytest.mark.parametrize("failure", [KeyboardInterrupt, ValueError])
def test_a_write_that_stops_half_way_leaves_the_previous_file(tmp_path, failure):
    target = tmp_path / "schedule.csv"
    target.write_text("previous schedule\n", encoding="utf-8")
    with pytest.raises(failure):
        with replacing(target) as file:
            file.write("row 1\n" * 10_000)
            raise failure()
    assert target.read_text(encoding="utf-8") == "previous schedule\n"
    assert _leftovers(tmp_path) == []


def test_a_full_disk_is_an_error_that_names_the_file_and_leaves_it(tmp_path, monkeypatch):
    target = tmp_path / "out.json"
    target.write_text("{}\n", encoding="utf-8")

    def full(descriptor):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, "fsync", full)
    with pytest.raises(OutputError) as raised:
        write_text(target, "{...}\n")
    assert raised.value.code == "bad-output"
    assert str(raised.value) == (f"{target}: error[bad-output]: cannot write {target}: No space left on device; the "
                                 "previous file, if any, is unchanged")
    assert target.read_text(encoding="utf-8") == "{}\n"
    assert _leftovers(tmp_path) == []


@pytest.mark.parametrize("alias", ["hard link", "symbolic link", "same path"])
def test_an_output_that_is_an_input_is_refused(tmp_path, alias):
    inventory = tmp_path / "inventory.csv"
    inventory.write_text("record_id\n" + "r\n" * 5000, encoding="utf-8")
    target = tmp_path / "out.csv"
    if alias == "hard link":
        os.link(inventory, target)
    elif alias == "symbolic link":
        target.symlink_to(inventory)
    else:
        target = inventory
    with pytest.raises(OutputError) as raised:
        write_text(target, "row\n", [tmp_path / "rules.clog", inventory])
    assert raised.value.code == "bad-output"
    assert f"the same file as the input {inventory}" in raised.value.message
    assert inventory.read_text(encoding="utf-8").count("\n") == 5001


def test_a_symbolic_link_is_followed_and_kept(tmp_path):
    real = tmp_path / "reports" / "2026.md"
    real.parent.mkdir()
    real.write_text("old\n", encoding="utf-8")
    link = tmp_path / "latest.md"
    link.symlink_to(real)
    write_text(link, "new\n")
    assert link.is_symlink() and real.read_text(encoding="utf-8") == "new\n"


def test_a_folder_that_cannot_be_written_is_an_error(tmp_path):
    with pytest.raises(OutputError) as raised:
        write_text(tmp_path / "no-such-folder" / "out.md", "text\n")
    assert "cannot write" in raised.value.message and "No such file or directory" in raised.value.message
