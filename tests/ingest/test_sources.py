"""Inputs (files, folders, zip archives) expand into the export files and units to parse."""

from __future__ import annotations

import zipfile
from pathlib import Path

import pytest

from trainer.ingest import IngestError
from trainer.ingest.sources import Source, expand_inputs, group_units


def _expand(*inputs: Path) -> list[tuple[str, list[list[Source]]]]:
    return list(expand_inputs(list(inputs)))


def _unit_names(units: list[list[Source]], root: Path | str) -> list[list[str]]:
    prefix = f"{root}/"
    return [[source.name.replace(prefix, "") for source in unit] for unit in units]


def _zip(path: Path, members: dict[str, str]) -> Path:
    with zipfile.ZipFile(path, "w") as archive:
        for name, text in members.items():
            archive.writestr(name, text)
    return path


def test_file_input_is_one_unit(tmp_path: Path) -> None:
    path = tmp_path / "chat.txt"
    path.write_text("hello")
    [(name, units)] = _expand(path)
    assert name == str(path)
    assert [[source.name for source in unit] for unit in units] == [[str(path)]]
    assert units[0][0].size == 5


def test_folder_keeps_export_files_only(tmp_path: Path) -> None:
    (tmp_path / "photos").mkdir()
    (tmp_path / "photos" / "photo_1.jpg").write_bytes(b"\xff\xd8")
    (tmp_path / "css").mkdir()
    (tmp_path / "css" / "style.css").write_text("body {}")
    (tmp_path / "result.json").write_text("{}")
    (tmp_path / "notes.TXT").write_text("x")
    (tmp_path / "voice.ogg").write_bytes(b"OggS")
    [(_, units)] = _expand(tmp_path)
    assert _unit_names(units, tmp_path) == [["notes.TXT"], ["result.json"]]


def test_folder_reads_nested_zip(tmp_path: Path) -> None:
    _zip(tmp_path / "export.zip", {"chat.txt": "hi", "media/a.jpg": "x"})
    [(_, units)] = _expand(tmp_path)
    assert [[source.name for source in unit] for unit in units] == [
        [f"{tmp_path}/export.zip!chat.txt"]
    ]


def test_zip_input_skips_resource_forks(tmp_path: Path) -> None:
    archive = _zip(
        tmp_path / "export.zip",
        {"WhatsApp Chat.txt": "hi", "__MACOSX/._WhatsApp Chat.txt": "x", "dir/": ""},
    )
    [(name, units)] = _expand(archive)
    assert name == str(archive)
    assert [source.path.as_posix() for unit in units for source in unit] == ["WhatsApp Chat.txt"]


def test_zip_member_reads_content(tmp_path: Path) -> None:
    archive = _zip(tmp_path / "export.zip", {"ChatExport/result.json": '{"messages": []}'})
    [(_, [[source]])] = _expand(archive)
    assert source.path.as_posix() == "ChatExport/result.json"
    with source.open() as stream:
        assert stream.read() == b'{"messages": []}'


def test_zip_detected_by_content(tmp_path: Path) -> None:
    archive = _zip(tmp_path / "export.dat", {"chat.txt": "hi"})
    [(_, units)] = _expand(archive)
    assert [source.path.name for unit in units for source in unit] == ["chat.txt"]


def test_bad_zip_is_error(tmp_path: Path) -> None:
    path = tmp_path / "export.zip"
    path.write_text("not a zip")
    with pytest.raises(IngestError, match="not a readable zip archive"):
        _expand(path)


def test_missing_path_is_error(tmp_path: Path) -> None:
    with pytest.raises(IngestError, match="no such file or folder"):
        _expand(tmp_path / "absent.json")


def test_folder_without_exports_is_error(tmp_path: Path) -> None:
    (tmp_path / "photo.jpg").write_bytes(b"\xff\xd8")
    with pytest.raises(IngestError, match=r"contains no \.json, \.txt, \.csv, \.html or \.zip"):
        _expand(tmp_path)


def test_meta_parts_grouped_in_order(tmp_path: Path) -> None:
    thread = tmp_path / "inbox" / "ana_1"
    other = tmp_path / "inbox" / "ben_2"
    thread.mkdir(parents=True)
    other.mkdir(parents=True)
    for number in (1, 2, 10):
        (thread / f"message_{number}.json").write_text("{}")
    (other / "message_1.json").write_text("{}")
    (tmp_path / "result.json").write_text("{}")
    [(_, units)] = _expand(tmp_path)
    assert _unit_names(units, tmp_path) == [
        [
            "inbox/ana_1/message_1.json",
            "inbox/ana_1/message_2.json",
            "inbox/ana_1/message_10.json",
        ],
        ["inbox/ben_2/message_1.json"],
        ["result.json"],
    ]


def test_meta_parts_of_two_archives_stay_apart(tmp_path: Path) -> None:
    first = _zip(tmp_path / "ana.zip", {"message_1.json": "{}", "message_2.json": "{}"})
    second = _zip(tmp_path / "ben.zip", {"message_1.json": "{}"})
    [(_, units)] = _expand(tmp_path)
    assert [[source.name for source in unit] for unit in units] == [
        [f"{first}!message_1.json", f"{first}!message_2.json"],
        [f"{second}!message_1.json"],
    ]


def test_group_units_keeps_other_files_alone() -> None:
    sources = [Source(name, 0, lambda: None) for name in ("a/result.json", "a/chat.txt")]
    assert [[source.name for source in unit] for unit in group_units(sources)] == [
        ["a/result.json"],
        ["a/chat.txt"],
    ]


def test_head_strips_byte_order_mark(tmp_path: Path) -> None:
    path = tmp_path / "chat.txt"
    path.write_bytes("\ufeff[1/2/23, 10:00] Ana: hi".encode())
    [(_, [[source]])] = _expand(path)
    assert source.head() == "[1/2/23, 10:00] Ana: hi"


def test_open_reports_bytes_read(tmp_path: Path) -> None:
    path = tmp_path / "result.json"
    path.write_bytes(b"x" * 10_000)
    [(_, [[source]])] = _expand(path)
    reads: list[int] = []
    source.on_read = reads.append
    with source.open() as stream:
        while stream.read(4096):
            pass
    assert sum(reads) == 10_000
