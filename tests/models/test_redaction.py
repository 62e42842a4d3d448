from __future__ import annotations

import pytest

from scrubdesk.core.redaction import Keyer, RedactionPolicy, Redactor, coarsen, coarsen_number, mask
from scrubdesk.core.spans import Span

KEY = bytes(range(32))
TEXT = "Hi, I am Jane Smith, postcode W9 3JP, born 12/03/1956, card 4111 1111 1111 1111."
SPANS = [
    Span(9, 19, "PERSON"),
    Span(30, 36, "UK_POSTCODE"),
    Span(43, 53, "DATE_OF_BIRTH"),
    Span(60, 79, "CREDIT_CARD"),
]


def redact(op: str, text: str = TEXT, spans=SPANS, key: bytes = KEY) -> str:
    return Redactor(RedactionPolicy(default=op), Keyer(key)).redact(text, spans)


def test_placeholder():
    assert redact("placeholder") == (
        "Hi, I am <PERSON>, postcode <UK_POSTCODE>, born <DATE_OF_BIRTH>, card <CREDIT_CARD>."
    )


def test_mask_keeps_shape_only():
    assert mask("W9 3JP") == "** ***"
    assert "4111" not in redact("mask")


def test_coarsen():
    out = redact("coarsen")
    assert "postcode W9," in out
    assert "born March 1956," in out
    assert "<PERSON>" in out and "<CREDIT_CARD>" in out  # nothing to coarsen: placeholder
    assert coarsen("UK_POSTCODE", "w93jp") == "W9"
    assert coarsen("DATE_OF_BIRTH", "3rd March 1956") == "March 1956"
    assert coarsen("DATE_OF_BIRTH", "not a date") is None
    assert coarsen_number(93, age=True) == "90+"
    assert coarsen_number(34, age=True) == "30-39"
    assert coarsen("AGE", "95") == "90+"


def test_keyed_hash_is_consistent_and_keyed():
    a = redact("hash")
    assert "<PERSON:" in a and "Jane" not in a
    assert redact("hash") == a
    assert redact("hash", key=bytes(32)) != a
    twice = "Jane Smith met jane  smith"
    out = redact("hash", twice, [Span(0, 10, "PERSON"), Span(15, 26, "PERSON")])
    first, second = out.split(" met ")
    assert first == second  # normalised: case and spacing do not change the token


def test_surrogates_are_consistent_within_a_key_and_differ_across_keys():
    text = "Jane Smith wrote. Later jane smith called."
    spans = [Span(0, 10, "PERSON"), Span(24, 34, "PERSON")]
    out = redact("surrogate", text, spans)
    assert "Jane" not in out and "jane" not in out
    first = out.split(" wrote.")[0]
    second = out.split("Later ")[1].split(" called")[0]
    assert first.lower() == second.lower()
    assert second.islower()  # lower-case names get lower-case surrogates
    assert redact("surrogate", text, spans, key=b"\x01" * 32) != out


def test_policy_per_label_and_setting_round_trip():
    policy = RedactionPolicy.from_setting({"default": "placeholder", "UK_POSTCODE": "coarsen"})
    out = Redactor(policy, Keyer(KEY)).redact(TEXT, SPANS)
    assert "postcode W9," in out and "<PERSON>" in out
    assert RedactionPolicy.from_setting(policy.as_setting()) == policy
    with pytest.raises(ValueError, match="unknown redaction operator"):
        RedactionPolicy(default="shred")


def test_overlapping_spans_leave_no_fragment():
    text = "call 07700 900123 now"
    out = redact("placeholder", text, [Span(5, 10, "PHONE_NUMBER"), Span(8, 17, "CUSTOMER_REF")])
    assert out == "call <PHONE_NUMBER> now"


def test_short_key_is_refused():
    with pytest.raises(ValueError):
        Keyer(b"short")


def test_a_span_reaching_past_the_text_still_hides_what_it_covers():
    """Stale offsets (a span longer than the text it now points into) fail closed: the part of the text
    the span covers is redacted, never left in clear."""
    text = "Call Jane Smith"
    assert redact("placeholder", text, [Span(5, 40, "PERSON")]) == "Call <PERSON>"
    assert redact("placeholder", text, [Span(30, 40, "PERSON")]) == text  # covers nothing that exists
