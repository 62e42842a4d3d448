from __future__ import annotations

import hashlib

import pytest

from scrubdesk.core.ids import ID_HEX_CHARS, KeyedIds

KEY_A = bytes(range(32))
KEY_B = bytes(range(1, 33))


def test_ids_are_keyed_not_plain_hashes():
    address = "jane.smith@example.co.uk"
    keyed = KeyedIds(KEY_A).subject_id(address)
    # A dictionary attack hashes candidate addresses; none of the plain hashes may match.
    for plain in (hashlib.sha256(address.encode()).hexdigest(), hashlib.md5(address.encode()).hexdigest()):
        assert keyed != plain[:ID_HEX_CHARS]
    assert keyed != KeyedIds(KEY_B).subject_id(address)
    assert len(keyed) == ID_HEX_CHARS


def test_subject_id_ignores_case_and_display_name():
    ids = KeyedIds(KEY_A)
    assert ids.subject_id("Jane Smith <Jane.Smith@Example.co.uk>") == ids.subject_id(
        "jane.smith@example.co.uk"
    )


def test_message_id_normalises_brackets_and_whitespace():
    ids = KeyedIds(KEY_A)
    assert ids.message_id("<abc@host>") == ids.message_id(" abc@host ")


def test_domains_keep_kinds_apart():
    ids = KeyedIds(KEY_A)
    assert ids.message_id("x@y") != ids.subject_id("x@y")


def test_short_key_is_refused():
    with pytest.raises(ValueError, match="256 bits"):
        KeyedIds(b"short")
