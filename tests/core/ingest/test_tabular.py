"""CSV and JSON/JSONL sources with a column mapping."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from scrubdesk.core.errors import InputError
from scrubdesk.core.ingest import records, tabular
from scrubdesk.core.ingest.readers import read_source
from scrubdesk.core.ingest.records import (
    ImportOptions,
    ParsedMessage,
    Quarantined,
    QuarantineReason,
    SourceProgress,
)


def read(path: Path, **options: object) -> list[ParsedMessage | Quarantined]:
    return list(read_source(path, ImportOptions(**options), SourceProgress()))  # type: ignore[arg-type]


def rows(items: list[ParsedMessage | Quarantined]) -> list[int]:
    return [int(i.location.rsplit("#row=", 1)[1]) for i in items]


# ---------------------------------------------------------------------------------------------- CSV

CSV = (
    "id,Text,label,subject,from,date\n"
    '1,"Hello,\nthis is ""quoted""\nover lines",refund,Re: order,'
    '"Doe, Jane <Jane@Example.org>",2024-03-04T10:00:00+01:00\n'
    "2,,spam,,,\n"
    '3,Plain row,,,bob@example.com,"Mon, 4 Mar 2024 10:00:00 +0000"\n'
    "\n"
    "4,   ,ham,,,\n"
    "5,Bad date row,ham,,,next tuesday\n"
    "6\n"
)


def test_csv_mapping_multiline_fields_and_row_numbers(tmp_path: Path) -> None:
    path = tmp_path / "tickets.csv"
    path.write_text(CSV, encoding="utf-8")
    items = read(
        path,
        text_column="text",  # case-insensitive match to "Text"
        label_column="label",
        id_column="id",
        subject_column="subject",
        from_column="from",
        date_column="date",
    )
    assert rows(items) == [1, 2, 3, 5, 6, 7]  # row 4 is blank: no item, but it keeps its number
    first = items[0]
    assert isinstance(first, ParsedMessage)
    assert first.body == 'Hello,\nthis is "quoted"\nover lines'
    assert first.body_kind == "record"
    assert (first.label, first.natural_id, first.subject) == ("refund", "1", "Re: order")
    assert (first.from_name, first.from_addr) == ("Doe, Jane", "jane@example.org")
    assert first.sent_at == "2024-03-04T09:00:00+00:00"
    assert first.location == f"{path}#row=1"
    assert first.content_fingerprint and first.size_bytes > 0
    assert isinstance(items[1], Quarantined) and items[1].reason is QuarantineReason.MALFORMED_RECORD
    assert items[1].detail == "empty text"
    third = items[2]
    assert isinstance(third, ParsedMessage)
    assert (third.label, third.from_addr, third.sent_at) == (
        None,
        "bob@example.com",
        "2024-03-04T10:00:00+00:00",
    )
    assert isinstance(items[3], Quarantined)  # whitespace-only text
    assert isinstance(items[4], ParsedMessage) and items[4].sent_at is None and "bad_date" in items[4].flags
    assert isinstance(items[5], Quarantined) and items[5].detail == "no text column"


def test_csv_semicolon_bom_and_cp1252_cells(tmp_path: Path) -> None:
    path = tmp_path / "excel.csv"
    path.write_bytes(b"\xef\xbb\xbftext;label\r\n" + "Grüße;a\r\n".encode() + b"caf\xe9 \x80;b\r\n")
    items = read(path, text_column="text", label_column="label")
    assert [i.body for i in items if isinstance(i, ParsedMessage)] == ["Grüße", "café €"]
    assert items[0].flags == () and items[1].flags == ("charset_fallback",)  # type: ignore[union-attr]


def test_csv_field_larger_than_the_csv_module_default(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(records, "MAX_BODY_CHARS", 1000)
    path = tmp_path / "big.csv"
    path.write_text("text\n" + '"' + "x" * 300_000 + '"\n', encoding="utf-8")
    [item] = read(path, text_column="text")
    assert isinstance(item, ParsedMessage)
    assert len(item.body) == 1000 and "body_truncated" in item.flags


def test_csv_missing_text_column_names_file_and_columns(tmp_path: Path) -> None:
    path = tmp_path / "t.csv"
    path.write_text("id,body\n1,x\n", encoding="utf-8")
    with pytest.raises(InputError, match=r"t\.csv.*its columns: id, body"):
        read_source(path, ImportOptions(text_column="text"), SourceProgress())
    with pytest.raises(InputError, match=r"t\.csv.*say which column"):
        read_source(path, ImportOptions(), SourceProgress())
    with pytest.raises(InputError, match="label_column"):
        read_source(path, ImportOptions(text_column="body", label_column="category"), SourceProgress())


def test_a_csv_without_a_header_row_does_not_have_its_first_row_quoted(tmp_path: Path) -> None:
    """Without a header, the "column names" are the first message: an error names the file, not them."""
    path = tmp_path / "export.csv"
    first = "Hello, this is Jane Canary of 14 Mill Lane, please change my address to the one below today"
    path.write_text(f"1,{first},2024-05-01\n2,another message,2024-05-02\n", encoding="utf-8")
    for options in (ImportOptions(text_column="text"), ImportOptions()):
        with pytest.raises(InputError) as refused:
            read_source(path, options, SourceProgress())
        assert "export.csv" in str(refused.value) and "Canary" not in str(refused.value)
        assert "does not look like a CSV header (5 field(s); not shown)" in str(refused.value)


def test_csv_fields_allow_list(tmp_path: Path) -> None:
    path = tmp_path / "t.csv"
    path.write_text("text,subject,from,date\nbody,subj,a@example.org,2024-01-01\n", encoding="utf-8")
    [item] = read(
        path, text_column="text", subject_column="subject", from_column="from", date_column="date", fields=()
    )
    assert isinstance(item, ParsedMessage)
    assert (item.subject, item.from_addr, item.sent_at) == (None, None, None)


# ---------------------------------------------------------------------------------------------- JSON


def test_jsonl_with_malformed_lines(tmp_path: Path) -> None:
    path = tmp_path / "t.jsonl"
    path.write_text(
        '{"text": "first", "label": 1, "id": 10}\n'
        "this is not json\n"
        "[1, 2]\n"
        "\n"
        '{"text": ""}\n'
        '{"text": {"nested": 1}}\n'
        '{"other": "no text key"}\n'
        '{"text": "last\\r\\nline", "label": null}',
        encoding="utf-8",
    )
    items = read(path, text_column="text", label_column="label", id_column="id")
    assert rows(items) == [1, 2, 3, 5, 6, 7, 8]  # row = line number
    first, last = items[0], items[-1]
    assert isinstance(first, ParsedMessage) and (first.body, first.label, first.natural_id) == (
        "first",
        "1",
        "10",
    )
    assert isinstance(last, ParsedMessage) and (last.body, last.label) == ("last\nline", None)
    details = [(i.reason, i.detail) for i in items[1:-1] if isinstance(i, Quarantined)]
    assert details == [
        (QuarantineReason.MALFORMED_RECORD, "invalid JSON: JSONDecodeError"),
        (QuarantineReason.MALFORMED_RECORD, "not an object"),
        (QuarantineReason.MALFORMED_RECORD, "empty text"),
        (QuarantineReason.MALFORMED_RECORD, "text is not a string"),
        (QuarantineReason.MALFORMED_RECORD, "no text column"),
    ]
    assert all(i.fingerprint for i in items[1:-1] if isinstance(i, Quarantined))


def test_json_list(tmp_path: Path) -> None:
    path = tmp_path / "t.json"
    records_ = [{"body": f"message {i}", "cat": "a" if i % 2 else "b"} for i in range(5)]
    path.write_text(json.dumps([*records_[:3], 7, *records_[3:]], indent=2), encoding="utf-8")
    items = read(path, text_column="body", label_column="cat")
    assert rows(items) == [1, 2, 3, 4, 5, 6]
    assert [getattr(i, "body", None) for i in items] == [
        "message 0", "message 1", "message 2", None, "message 3", "message 4",
    ]  # fmt: skip
    assert isinstance(items[3], Quarantined) and items[3].detail == "not an object"
    assert [getattr(i, "label", None) for i in items] == ["b", "a", "b", None, "a", "b"]


def test_json_list_invalid_element_quarantines_that_element_only(tmp_path: Path) -> None:
    path = tmp_path / "t.json"
    broken = [
        '{"text": "broken" oops}',  # a bare word
        '{"text": "unterminated}',  # a quote left open: the line break ends it
        '{"text": "a [bracket" , "x": [1, {"y": }]}',  # nested brackets around the error
        '{"text": bad\\escape "q\\"uote"}',
        "}",  # a stray closing brace
    ]
    good = [json.dumps({"text": f"message {i}"}) for i in range(len(broken) + 1)]
    elements = [x for pair in zip(good, broken, strict=False) for x in pair] + [good[-1]]
    path.write_text("[\n" + ",\n".join(elements) + "\n]\n", encoding="utf-8")
    items = read(path, text_column="text")
    assert rows(items) == list(range(1, len(elements) + 1))
    assert [getattr(i, "body", None) for i in items[::2]] == [f"message {i}" for i in range(len(good))]
    for item in items[1::2]:
        assert isinstance(item, Quarantined) and item.detail == "invalid JSON: JSONDecodeError"


def test_json_list_without_an_end_and_text_after_it(tmp_path: Path) -> None:
    path = tmp_path / "t.json"
    path.write_text('[{"text": "ok"}, {"text": "cut off', encoding="utf-8")
    items = read(path, text_column="text")
    assert isinstance(items[0], ParsedMessage) and len(items) == 2
    assert isinstance(items[1], Quarantined)
    assert items[1].detail == "invalid JSON: JSONDecodeError; rest of file not read"
    path.write_text('[{"text": "ok"}] {"text": "after"}', encoding="utf-8")
    items = read(path, text_column="text")
    assert rows(items) == [1, 2] and isinstance(items[1], Quarantined)
    assert items[1].detail == "text after the end of the list"


def test_json_list_streams_elements_across_read_chunks(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(tabular, "_READ_CHARS", 64)
    path = tmp_path / "t.json"
    data = [{"text": "é" * n, "n": n} for n in (1, 100, 1000, 5)] + [
        {"text": "tail", "n": 12345678901234567890}
    ]
    path.write_text(json.dumps(data), encoding="utf-8")
    items = read(path, text_column="text", id_column="n")
    assert [getattr(i, "natural_id", None) for i in items] == [
        "1",
        "100",
        "1000",
        "5",
        "12345678901234567890",
    ]
    assert items[2].body == "é" * 1000  # type: ignore[union-attr]


def test_json_missing_column_names_the_keys(tmp_path: Path) -> None:
    path = tmp_path / "t.jsonl"
    path.write_text('not json\n{"message": "x", "tag": "y"}\n', encoding="utf-8")
    with pytest.raises(InputError, match=r"t\.jsonl.*its columns: message, tag"):
        read_source(path, ImportOptions(text_column="text"), SourceProgress())


def test_empty_json_and_empty_list(tmp_path: Path) -> None:
    for content in ("", "[]", "  [ ]  ", "\n\n"):
        path = tmp_path / "e.json"
        path.write_text(content, encoding="utf-8")
        assert read(path, text_column="text") == []


def test_tabular_progress_reaches_file_size(tmp_path: Path) -> None:
    path = tmp_path / "t.csv"
    path.write_text("text\n" + "".join(f"row {i}\n" for i in range(50_000)), encoding="utf-8")
    progress = SourceProgress()
    assert sum(1 for _ in read_source(path, ImportOptions(text_column="text"), progress)) == 50_000
    assert progress.done_bytes == path.stat().st_size


def test_utf16_files_and_nul_characters(tmp_path: Path) -> None:
    csv_path = tmp_path / "unicode.csv"
    csv_path.write_bytes("text\tlabel\r\nGrüße\ta\r\nnul\x00here\tb\r\n".encode("utf-16"))
    assert [getattr(i, "body", None) for i in read(csv_path, text_column="text")] == ["Grüße", "nulhere"]
    json_path = tmp_path / "unicode.json"
    json_path.write_bytes(json.dumps([{"text": "Köln"}], ensure_ascii=False).encode("utf-16"))
    assert [getattr(i, "body", None) for i in read(json_path, text_column="text")] == ["Köln"]


def _utf16_with_a_bad_unit(text: str, row_marker: str) -> bytes:
    """``text`` as UTF-16-LE with a BOM, and a lone low surrogate (invalid UTF-16) inserted right after
    ``row_marker``."""
    data = text.encode("utf-16-le")
    at = data.index(row_marker.encode("utf-16-le")) + len(row_marker) * 2
    return b"\xff\xfe" + data[:at] + b"\x00\xdc" + data[at:]


@pytest.mark.parametrize("fmt", ["csv", "jsonl", "json"])
def test_invalid_and_truncated_utf16_quarantine_their_rows_only(tmp_path: Path, fmt: str) -> None:
    texts = ["first", "second", "third"]
    if fmt == "csv":
        content = "text,id\n" + "".join(f"{t},{n}\n" for n, t in enumerate(texts))
    elif fmt == "jsonl":
        content = "".join(json.dumps({"text": t, "id": n}) + "\n" for n, t in enumerate(texts))
    else:
        content = json.dumps([{"text": t, "id": n} for n, t in enumerate(texts)], indent=1)
    path = tmp_path / f"t.{fmt}"
    path.write_bytes(_utf16_with_a_bad_unit(content, "sec"))
    items = read(path, text_column="text")
    assert [getattr(i, "body", None) for i in items] == ["first", None, "third"]
    assert isinstance(items[1], Quarantined) and items[1].detail == "invalid UTF-16 text"
    assert items[1].reason is QuarantineReason.MALFORMED_RECORD
    # a file cut off in the middle of a character (an odd number of bytes)
    path.write_bytes(content.encode("utf-16")[:-1])
    items = read(path, text_column="text")
    assert [getattr(i, "body", None) for i in items[:2]] == ["first", "second"]
    assert isinstance(items[-1], Quarantined)
    assert items[-1].detail in ("invalid UTF-16 text", "invalid JSON: JSONDecodeError; rest of file not read")


def test_json_escaped_lone_surrogates_are_repaired_not_fatal(tmp_path: Path) -> None:
    path = tmp_path / "t.jsonl"
    path.write_text('{"text": "bad \\ud800 here", "id": "\\udfff"}\n{"text": "ok"}\n', encoding="utf-8")
    items = read(path, text_column="text", id_column="id")
    assert [getattr(i, "body", None) for i in items] == ["bad \ufffd here", "ok"]
    assert "charset_fallback" in items[0].flags  # type: ignore[union-attr]
