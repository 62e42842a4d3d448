"""Format detection, directories (eml trees, Maildir), progress, and the InputError cases of read_source."""

from __future__ import annotations

import os
import threading
from pathlib import Path

import pytest

from scrubdesk.core.errors import InputError
from scrubdesk.core.ingest import files, records
from scrubdesk.core.ingest.readers import detect_format, estimate_total_bytes, read_source
from scrubdesk.core.ingest.records import (
    ImportOptions,
    ParsedMessage,
    Quarantined,
    QuarantineReason,
    SourceProgress,
)
from tests.core.ingest import corpus
from tests.core.ingest.corpus import MARK
from tests.core.ingest.msg_builder import MsgSpec, build_msg


def read_all(path: Path, **options: object) -> list[ParsedMessage | Quarantined]:
    return list(read_source(path, ImportOptions(**options), SourceProgress()))  # type: ignore[arg-type]


def write(path: Path, data: bytes) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)
    return path


# ---------------------------------------------------------------------------------------------- detection


def test_detect_format_by_layout_extension_and_content(tmp_path: Path) -> None:
    maildir = tmp_path / "Maildir"
    for sub in ("cur", "new", "tmp"):
        (maildir / sub).mkdir(parents=True)
    assert detect_format(maildir) == "maildir"
    assert detect_format(tmp_path / "Maildir" / "cur") == "emldir"
    cases = {
        "a.eml": b"", "b.MBOX": b"", "c.mbx": b"", "d.msg": b"", "e.csv": b"", "f.json": b"", "g.jsonl": b"",
        "h.ndjson": b"",
        "sniff-mbox": b"From x@y Mon Mar  4 10:00:00 2024\nFrom: a@b\n",
        "sniff-msg.bin": build_msg(MsgSpec(body="x")),
        "sniff-eml.txt": corpus.ALTERNATIVE,
        "sniff-crlf": corpus.crlf(corpus.ALTERNATIVE),
    }  # fmt: skip
    expected = ["eml", "mbox", "mbox", "msg", "csv", "json", "json", "json", "mbox", "msg", "eml", "eml"]
    assert [detect_format(write(tmp_path / name, data)) for name, data in cases.items()] == expected


@pytest.mark.parametrize(
    "data", [b"", b"just text\n", b"Note: a header-like line\n\ntext", b"\x00\x01binary"]
)
def test_unknown_content_raises_input_error_naming_the_path(tmp_path: Path, data: bytes) -> None:
    path = write(tmp_path / "mystery.dat", data)
    with pytest.raises(InputError, match=r"mystery\.dat"):
        detect_format(path)
    with pytest.raises(InputError, match=r"mystery\.dat"):
        read_source(path, ImportOptions(), SourceProgress())


def test_missing_path_and_bad_format_raise_before_reading(tmp_path: Path) -> None:
    with pytest.raises(InputError, match=r"nope\.eml"):
        read_source(tmp_path / "nope.eml", ImportOptions(), SourceProgress())
    eml = write(tmp_path / "a.eml", corpus.ALTERNATIVE)
    with pytest.raises(InputError, match="unknown format"):
        read_source(eml, ImportOptions(format="pst"), SourceProgress())
    with pytest.raises(InputError, match="cannot be read as maildir"):
        read_source(eml, ImportOptions(format="maildir"), SourceProgress())
    with pytest.raises(InputError, match="cannot be read as mbox"):
        read_source(tmp_path, ImportOptions(format="mbox"), SourceProgress())


# ---------------------------------------------------------------------------------------------- single files


def test_single_eml_location_is_the_absolute_path(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    write(tmp_path / "a.eml", corpus.ALTERNATIVE)
    monkeypatch.chdir(tmp_path)
    [item] = read_all(Path("a.eml"))
    assert isinstance(item, ParsedMessage)
    assert item.location == str(tmp_path / "a.eml")


def test_empty_eml_is_quarantined(tmp_path: Path) -> None:
    [item] = read_all(write(tmp_path / "empty.eml", b""))
    assert isinstance(item, Quarantined) and item.reason is QuarantineReason.NOT_AN_EMAIL


def test_oversized_file_is_too_large_without_reading_it_whole(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(records, "MAX_MESSAGE_BYTES", 100)
    [item] = read_all(write(tmp_path / "big.eml", corpus.ALTERNATIVE))
    assert isinstance(item, Quarantined) and item.reason is QuarantineReason.TOO_LARGE
    assert item.size_bytes == len(corpus.ALTERNATIVE)


def test_unreadable_file_is_quarantined(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    write(tmp_path / "d" / "a.eml", corpus.ALTERNATIVE)
    write(tmp_path / "d" / "locked.eml", corpus.ALTERNATIVE)
    real_open = files._open_nonblocking

    def guarded_open(path: Path) -> int:
        if Path(path).name == "locked.eml":
            raise PermissionError(13, "Permission denied", str(path))
        return real_open(path)

    monkeypatch.setattr(files, "_open_nonblocking", guarded_open)
    first, locked = read_all(tmp_path / "d")
    assert isinstance(first, ParsedMessage)
    assert isinstance(locked, Quarantined) and locked.reason is QuarantineReason.UNREADABLE_FILE
    assert locked.detail == "read failed: PermissionError"
    assert locked.location == str(tmp_path / "d" / "locked.eml")


# ---------------------------------------------------------------------------------------------- directories


def make_tree(root: Path) -> None:
    write(root / "b" / "2.eml", corpus.simple_message(2))
    write(root / "b" / "1.eml", corpus.simple_message(1))
    write(root / "a.eml", corpus.simple_message(0))
    write(root / "c-notes.txt", corpus.NO_HEADERS)  # not an email: quarantined, not skipped
    write(root / ".hidden.eml", corpus.simple_message(99))  # hidden: skipped
    write(root / ".git" / "config.eml", corpus.simple_message(98))  # hidden dir: skipped
    write(root / "d-archive.mbox", corpus.mbox_of([corpus.simple_message(3), corpus.simple_message(4)]))
    write(root / "e.msg", build_msg(MsgSpec(subject="outlook", body=f"{MARK} from outlook")))
    write(root / "f-unixfrom", corpus.WITH_UNIXFROM)
    for sub in ("cur", "new", "tmp"):
        (root / "g-maildir" / sub).mkdir(parents=True)
    write(root / "g-maildir" / "cur" / "1700000000.1.host:2,S", corpus.simple_message(5))
    write(root / "g-maildir" / "tmp" / "1700000001.2.host", corpus.simple_message(97))  # in delivery: skipped


def test_emldir_walks_recursively_in_sorted_order(tmp_path: Path) -> None:
    root = tmp_path / "mail"
    make_tree(root)
    items = read_all(root)
    names = [item.location.removeprefix(str(root) + "/") for item in items]
    assert names == [
        ".git",  # reported once, not descended into
        ".hidden.eml",
        "a.eml",
        "b/1.eml",
        "b/2.eml",
        "c-notes.txt",
        "d-archive.mbox#offset=0",
        f"d-archive.mbox#offset={(root / 'd-archive.mbox').read_bytes().index(b'From sender1@')}",
        "e.msg",
        "f-unixfrom#offset=0",
        "g-maildir/cur/1700000000.1.host:2,S",
        "g-maildir/tmp/1700000001.2.host",
    ]
    kinds = [(type(i).__name__, getattr(i, "reason", None)) for i in items]
    assert kinds[5] == ("Quarantined", QuarantineReason.NOT_AN_EMAIL)
    skipped = [i.reason for i in items if isinstance(i, Quarantined) and i.reason in records.SKIP_REASONS]
    assert skipped == [QuarantineReason.SKIPPED_HIDDEN] * 2 + [QuarantineReason.SKIPPED_MAILDIR_TMP]
    assert sum(isinstance(i, ParsedMessage) for i in items) == 8
    bodies = [i.body for i in items if isinstance(i, ParsedMessage)]
    assert f"{MARK} from outlook" in bodies
    assert all("number 9" not in b for b in bodies)  # hidden and tmp/ files were not read


def test_maildir_reads_cur_and_new_and_maildirplusplus_folders(tmp_path: Path) -> None:
    root = tmp_path / "Maildir"
    for folder in (root, root / ".Sent", root / ".Archive.2024"):
        for sub in ("cur", "new", "tmp"):
            (folder / sub).mkdir(parents=True)
    write(root / "new" / "2.host", corpus.simple_message(2))
    write(root / "cur" / "1.host:2,S", corpus.simple_message(1))
    write(root / "tmp" / "3.host", corpus.simple_message(3))
    write(root / "cur" / ".hidden", corpus.simple_message(4))
    write(root / "cur" / "folder" / "7.host", corpus.simple_message(7))  # not part of the format
    write(root / ".Sent" / "cur" / "5.host:2,S", corpus.simple_message(5))
    write(root / ".Archive.2024" / "new" / "6.host", b"not a mail at all")
    write(root / "dovecot-uidlist", b"3 V1 N1\n")  # index files of the server: not messages
    items = read_all(root)
    names = [item.location.removeprefix(str(root) + "/") for item in items]
    assert names == [
        "cur/.hidden",
        "cur/1.host:2,S",
        "cur/folder",
        "new/2.host",
        "tmp/3.host",
        ".Archive.2024/new/6.host",
        ".Sent/cur/5.host:2,S",
    ]
    reasons = [getattr(i, "reason", None) for i in items]
    assert reasons == [
        QuarantineReason.SKIPPED_HIDDEN,
        None,
        QuarantineReason.SKIPPED_FOLDER,
        None,
        QuarantineReason.SKIPPED_MAILDIR_TMP,
        QuarantineReason.NOT_AN_EMAIL,
        None,
    ]
    assert [getattr(i, "subject", None) for i in items if isinstance(i, ParsedMessage)] == [
        "Message 1",
        "Message 2",
        "Message 5",
    ]


def test_directory_progress_matches_estimate(tmp_path: Path) -> None:
    root = tmp_path / "mail"
    make_tree(root)
    total = estimate_total_bytes(root, "emldir")
    relative = [p.relative_to(root) for p in root.rglob("*") if p.is_file()]
    expected = sum(
        (root / p).stat().st_size
        for p in relative
        if not any(part.startswith(".") for part in p.parts) and "tmp" not in p.parts
    )
    assert total == expected
    progress = SourceProgress()
    items = read_source(root, ImportOptions(), progress)
    assert progress.done_bytes == 0  # nothing read before iteration
    list(items)
    assert progress.done_bytes == total


def test_symlinked_directory_is_reported_not_followed(tmp_path: Path) -> None:
    root = tmp_path / "mail"
    write(root / "a.eml", corpus.simple_message(1))
    (root / "loop").symlink_to(root, target_is_directory=True)
    items = read_all(root)
    assert len(items) == 2
    assert isinstance(items[1], Quarantined) and items[1].reason is QuarantineReason.SKIPPED_FOLDER
    assert items[1].location.endswith("/loop") and items[1].detail == "link to a folder: not followed"


def test_big_mbox_without_extension_in_a_directory_is_streamed(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(records, "MAX_MESSAGE_BYTES", 2000)
    root = tmp_path / "mail"
    write(root / "archive", corpus.mbox_of([corpus.simple_message(i) for i in range(30)]))
    write(root / "big.eml", corpus.simple_message(1, "x" * 5000))
    items = read_all(root)
    assert sum(isinstance(i, ParsedMessage) for i in items) == 30
    assert isinstance(items[-1], Quarantined) and items[-1].reason is QuarantineReason.TOO_LARGE


# ---------------------------------------------------------------------------------------------- hostile paths


def _read_within(path: Path, seconds: float = 10, **options: object) -> list[ParsedMessage | Quarantined]:
    """read_all in a thread, failing (not hanging) when it does not finish in time."""
    result: list[list[ParsedMessage | Quarantined]] = []
    worker = threading.Thread(target=lambda: result.append(read_all(path, **options)), daemon=True)
    worker.start()
    worker.join(seconds)
    assert result, f"reading {path.name} did not finish in {seconds} s"
    return result[0]


@pytest.mark.skipif(not hasattr(os, "mkfifo") or not Path("/dev/zero").exists(), reason="POSIX only")
def test_fifos_devices_and_broken_links_are_refused_never_read(tmp_path: Path) -> None:
    root = tmp_path / "mail"
    write(root / "a.eml", corpus.simple_message(1))
    os.mkfifo(root / "b-pipe.eml")
    (root / "c-zero.mbox").symlink_to("/dev/zero")
    (root / "d-gone.eml").symlink_to(root / "nowhere")
    items = _read_within(root)
    assert [i.location.rsplit("/", 1)[1] for i in items] == [
        "a.eml",
        "b-pipe.eml",
        "c-zero.mbox",
        "d-gone.eml",
    ]
    assert [(getattr(i, "reason", None), getattr(i, "detail", None)) for i in items[1:]] == [
        (QuarantineReason.SPECIAL_FILE, "a named pipe (FIFO): not read"),
        (QuarantineReason.SPECIAL_FILE, "a character device: not read"),
        (QuarantineReason.UNREADABLE_FILE, "broken link"),
    ]
    # given as sources themselves, in every format that reads a file
    for fmt in ("eml", "mbox", "msg", "csv", "json", None):
        for source in (root / "b-pipe.eml", root / "c-zero.mbox"):
            (item,) = _read_within(source, format=fmt, text_column="text")
            assert isinstance(item, Quarantined) and item.reason is QuarantineReason.SPECIAL_FILE
    assert detect_format(root / "b-pipe.eml") == "eml"  # by its name: never opened


def test_file_names_that_are_not_utf8_are_read_and_keep_their_bytes(tmp_path: Path) -> None:
    root = tmp_path / "mail"
    root.mkdir()
    bad = os.fsencode(root) + b"/caf\xe9-\xff.eml"
    Path(os.fsdecode(bad)).write_bytes(corpus.simple_message(1))
    write(root / "z.eml", corpus.simple_message(2))
    items = _read_within(root)
    assert all(isinstance(i, ParsedMessage) for i in items) and len(items) == 2
    location = items[0].location
    location.encode("utf-8")  # storable and printable
    assert location == str(root) + "/caf\\xe9-\\xff.eml"
    (item,) = _read_within(Path(os.fsdecode(bad)))  # the file as a source of its own
    assert isinstance(item, ParsedMessage) and item.location == location


def test_one_home_for_formats_reasons_and_flags() -> None:
    from scrubdesk.core.ingest import formats
    from scrubdesk.core.ingest.readers import FORMATS

    assert FORMATS == formats.FORMATS == ("eml", "emldir", "mbox", "maildir", "msg", "csv", "json")
    assert set(records.REASON_TEXT) == set(QuarantineReason)
    assert records.reason_text("special_file").startswith("Not a regular file")
    assert records.reason_text("no_such_reason") == "no_such_reason"
    assert "*.ndjson" in formats.file_filter() and "undecoded_body" in records.NEEDS_REVIEW_FLAGS
    assert set(records.FLAG_TEXT) >= records.NEEDS_REVIEW_FLAGS
