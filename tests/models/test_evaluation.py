"""The two scoring rules of the PII benchmarks: span overlap and token level."""

from __future__ import annotations

import json

import pytest

from scrubdesk.core.spans import Span
from scrubdesk.models.pii.evaluation import (
    GoldDoc,
    evaluate,
    evaluate_tokens,
    leaks,
    leaks_by_label,
    map_labels,
    read_gold_jsonl,
)

TEXT = "Mr John Smith lives at 12 Mill Lane, Leeds."
#       0123456789012345678901234567890123456789012
GOLD = [Span(3, 13, "PERSON"), Span(23, 35, "STREET_ADDRESS"), Span(37, 42, "LOCATION")]


def test_span_overlap_is_lenient_about_boundaries():
    predicted = [Span(0, 13, "PERSON"), Span(23, 30, "STREET_ADDRESS"), Span(37, 42, "PERSON")]
    result = evaluate([GOLD], [predicted], {"PERSON", "STREET_ADDRESS", "LOCATION"})
    assert result.per_entity["STREET_ADDRESS"].recall == 1.0  # half the address overlaps: found
    assert result.per_entity["PERSON"].recall == 1.0
    assert result.per_entity["PERSON"].precision == 0.5  # 'Leeds' as a person is wrong
    assert result.per_entity["LOCATION"].recall == 0.0


def test_token_level_counts_every_word():
    predicted = [Span(0, 13, "PERSON"), Span(23, 30, "STREET_ADDRESS"), Span(37, 42, "PERSON")]
    result = evaluate_tokens([TEXT], [GOLD], [predicted], {"PERSON", "STREET_ADDRESS", "LOCATION"})
    person, street = result.per_entity["PERSON"], result.per_entity["STREET_ADDRESS"]
    assert (person.support, person.predicted, person.found) == (2, 4, 2)  # 'Mr' and 'Leeds' are extra
    assert person.precision == pytest.approx(0.5)
    assert (street.support, street.found) == (3, 2)  # '12 Mill' of '12 Mill Lane'
    assert result.per_entity["LOCATION"].recall == 0.0
    assert result.overall.support == 6


def test_predictions_outside_the_vocabulary_are_not_scored():
    predicted = [Span(3, 13, "PERSON"), Span(0, 2, "URL")]
    result = evaluate_tokens([TEXT], [[Span(3, 13, "PERSON")]], [predicted], {"PERSON"})
    assert set(result.per_entity) == {"PERSON"}
    assert result.overall.precision == 1.0


def test_predictions_on_unscored_spans_are_neither_right_nor_wrong():
    gold = [Span(3, 13, "PERSON")]
    ignored = [Span(23, 35, "_unscored_ORG")]
    predicted = [Span(3, 13, "PERSON"), Span(23, 30, "PERSON"), Span(37, 42, "PERSON")]
    result = evaluate([gold], [predicted], {"PERSON"}, [ignored])
    person = result.per_entity["PERSON"]
    assert (person.predicted, person.correct) == (2, 1)  # the one on the unscored span is not counted


def test_map_labels_folds_finer_labels():
    spans = map_labels([Span(0, 2, "STREET_ADDRESS"), Span(3, 5, "PERSON")], {"STREET_ADDRESS": "LOCATION"})
    assert [s.label for s in spans] == ["LOCATION", "PERSON"]


def test_gold_reader_keeps_unscored_spans_apart(tmp_path):
    record = {
        "text": TEXT,
        "spans": [
            {"start": 3, "end": 13, "label": "PERSON"},
            {"start": 23, "end": 35, "label": "_unscored_ORG"},
        ],
    }
    path = tmp_path / "gold.jsonl"
    path.write_text(json.dumps(record) + "\n", encoding="utf-8")
    (doc,) = read_gold_jsonl(path)
    assert [s.label for s in doc.spans] == ["PERSON"]
    assert [s.label for s in doc.ignored] == ["_unscored_ORG"]


def test_leaks_are_counted_per_label():
    doc = GoldDoc(TEXT, tuple(GOLD))
    scrubbed = "Mr <PERSON> lives at 12 Mill Lane, <LOCATION>."
    assert leaks_by_label([doc], [scrubbed]) == {
        "LOCATION": (0, 1),
        "PERSON": (0, 1),
        "STREET_ADDRESS": (1, 1),
    }
    assert leaks([doc], [scrubbed]) == (1, 3)
