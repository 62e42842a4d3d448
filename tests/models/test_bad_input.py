"""Empty, huge, binary and non-English input: handled, never a crash; chunk offsets stay exact."""

from __future__ import annotations

import pytest

from scrubdesk.models.pii.analyzer import AnalysisInput, clean_text
from scrubdesk.models.pii.chunking import chunks


@pytest.mark.parametrize("text", ["", "   ", "\n\n\n", "\x00\x01\x02", "🙂" * 50])
def test_empty_and_junk(analyzer, text):
    assert analyzer.analyze(text) == [] or all(s.end <= len(text) for s in analyzer.analyze(text))


def test_binary_junk_keeps_offsets(analyzer):
    junk = bytes(range(256)).decode("latin-1") * 20
    text = junk + " call 07700 900123 " + junk
    spans = analyzer.analyze(text)
    assert ("PHONE_NUMBER", "07700 900123") in [(s.label, text[s.start : s.end]) for s in spans]
    assert len(clean_text(text)) == len(text)


def test_non_english(find):
    text = "Sehr geehrte Frau Müller, meine Telefonnummer ist +49 30 901820. 日本語のテキストです。"
    found = find(text)
    assert ("PHONE_NUMBER", "+49 30 901820") in found


@pytest.mark.slow
def test_five_megabyte_body_is_chunked_with_correct_offsets(analyzer):
    filler = "The meter reading was fine and nothing else happened that day.\n"
    block = filler * 300
    needles = ["07700 900123", "AB 12 34 56 C", "jane.doe@example.com"]
    parts = []
    for i in range(5_000_000 // len(block) + 1):
        parts.append(block)
        parts.append(f"Note {i}: contact {needles[i % 3]} about it.\n")
    text = "".join(parts)
    assert len(text) > 5_000_000
    spans = analyzer.analyze(text)
    values = [text[s.start : s.end] for s in spans]
    assert values.count("07700 900123") >= (len(parts) // 2) // 3
    assert all(v in needles or v.startswith("Note") is False for v in values)
    assert spans == sorted(spans)


def test_entity_on_a_chunk_boundary_is_found_whole(analyzer):
    size, overlap = analyzer.config.chunk_chars, analyzer.config.chunk_overlap
    prefix = ("x" * 79 + " ") * (size // 80)
    text = prefix[: size - 6] + " 07700 900123 " + "y " * 200
    pieces = list(chunks(text, size, overlap))
    assert len(pieces) > 1
    spans = analyzer.analyze(text)
    assert [(s.label, text[s.start : s.end]) for s in spans] == [("PHONE_NUMBER", "07700 900123")]


@pytest.mark.parametrize("size", [50, 97, 400])
def test_chunks_cover_text_exactly(size):
    text = "".join(f"line {i} with some words\n" for i in range(200))
    pieces = list(chunks(text, size, 20))
    assert pieces[0][0] == 0
    for offset, piece in pieces:
        assert text[offset : offset + len(piece)] == piece
    covered = set()
    for offset, piece in pieces:
        covered.update(range(offset, offset + len(piece)))
    assert covered == set(range(len(text)))


def test_batch_keeps_order(analyzer):
    inputs = [AnalysisInput(f"call 07700 900{i:03d}") for i in range(40)] + [AnalysisInput("")]
    results = list(analyzer.analyze_many(inputs, batch_size=7))
    assert len(results) == 41
    assert [r[0].label for r in results[:40]] == ["PHONE_NUMBER"] * 40
    assert results[40] == []
