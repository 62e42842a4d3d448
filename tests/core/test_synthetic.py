"""The synthetic email generator: exact gold spans, determinism, validity of identifiers, writers."""

from __future__ import annotations

import csv
import dataclasses
import email
import email.policy
import ipaddress
import json
import mailbox
import re
from collections import Counter
from collections.abc import Iterator
from datetime import UTC
from pathlib import Path

import pytest

from scrubdesk.core.synthetic import (
    INTENTS,
    LABELS,
    GoldSpan,
    SyntheticEmail,
    generate,
    write_csv,
    write_eml_dir,
    write_gold_jsonl,
    write_mbox,
)
from scrubdesk.core.synthetic import generator as gen_mod
from scrubdesk.core.synthetic import identifiers as ids
from scrubdesk.core.synthetic import templates as tpl_mod
from scrubdesk.core.synthetic.names import HARD_SURNAMES
from scrubdesk.core.synthetic.places import HARD_TOWNS, TOWNS

TOWN_NAMES = {t for t, _ in TOWNS + HARD_TOWNS}


@pytest.fixture(scope="module")
def easy() -> list[SyntheticEmail]:
    return list(generate(1500, seed=1))


@pytest.fixture(scope="module")
def hard() -> list[SyntheticEmail]:
    return list(generate(1500, seed=1, hard=True))


def _text(e: SyntheticEmail, s: GoldSpan) -> str:
    return e.body[s.start : s.end]


def _with_inserted(
    monkeypatch: pytest.MonkeyPatch, emails: Iterator[SyntheticEmail]
) -> Iterator[tuple[SyntheticEmail, list[tuple[str, str]]]]:
    """Pair every email with the (label, value) segments the generator appended, in order."""
    inserted: list[tuple[str, str]] = []
    original = gen_mod._Body.add

    def recording_add(self: gen_mod._Body, seg: gen_mod.Segment) -> None:
        if not isinstance(seg, str):
            inserted.append(seg)
        original(self, seg)

    monkeypatch.setattr(gen_mod._Body, "add", recording_add)
    for e in emails:
        yield e, list(inserted)
        inserted.clear()


# --- spans ------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("hard_mode", [False, True])
def test_every_span_is_exactly_the_inserted_value(monkeypatch: pytest.MonkeyPatch, hard_mode: bool) -> None:
    checked = 0
    for e, inserted in _with_inserted(monkeypatch, generate(600, seed=5, hard=hard_mode)):
        body_values, subject_values = inserted[: len(e.spans)], inserted[len(e.spans) :]
        assert len(subject_values) == len(e.subject_spans)
        for span, (label, value) in zip(e.spans, body_values, strict=True):
            assert span.label == label
            assert e.body[span.start : span.end] == value
            checked += 1
        for span, (label, value) in zip(e.subject_spans, subject_values, strict=True):
            assert span.label == label
            assert (
                e.subject[span.start : span.end].lower() == value.lower()
            )  # hard subjects may be lower-cased
    assert checked > 2000


@pytest.mark.parametrize("corpus", ["easy", "hard"])
def test_spans_sorted_non_overlapping_and_clean(corpus: str, request: pytest.FixtureRequest) -> None:
    emails: list[SyntheticEmail] = request.getfixturevalue(corpus)
    for e in emails:
        for spans, text in ((e.spans, e.body), (e.subject_spans, e.subject)):
            assert list(spans) == sorted(spans, key=lambda s: (s.start, s.end))
            prev_end = 0
            for s in spans:
                assert s.label in LABELS
                assert 0 <= prev_end <= s.start < s.end <= len(text)
                value = text[s.start : s.end]
                assert value == value.strip(), value
                assert "\n" not in value
                prev_end = s.end


def test_every_label_is_used(easy: list[SyntheticEmail], hard: list[SyntheticEmail]) -> None:
    used = Counter(s.label for e in easy + hard for s in e.spans)
    assert set(used) == set(LABELS)


def test_values_look_like_their_label(easy: list[SyntheticEmail], hard: list[SyntheticEmail]) -> None:
    patterns = {
        "EMAIL_ADDRESS": re.compile(r"[a-z0-9._]+@[a-z.]+\.(com|org|net|example)"),
        "UK_POSTCODE": re.compile(r"[A-Za-z]{1,2}\d{1,2} ?\d[A-Za-z]{2}"),
        "UK_SORT_CODE": re.compile(r"\d\d([- ]?)\d\d\1\d\d"),
        "UK_BANK_ACCOUNT": re.compile(r"\d{8}"),
        "CUSTOMER_REF": re.compile(r"[A-Za-z]{2,3}-?\d{6,8}"),
        "PHONE_NUMBER": re.compile(r"[+0(][\d ()+-]{9,18}\d"),
        "PERSON": re.compile(r"[A-Za-z][A-Za-z' -]*[A-Za-z]"),
    }
    for e in easy + hard:
        for s in e.spans:
            value = _text(e, s)
            if s.label in patterns:
                assert patterns[s.label].fullmatch(value), (s.label, value)
            elif s.label == "LOCATION":
                assert value in TOWN_NAMES
            elif s.label == "IP_ADDRESS":
                assert ipaddress.ip_address(value).is_private  # documentation ranges count as private
            elif s.label == "STREET_ADDRESS":
                assert re.search(r"[A-Za-z]", value)


def test_address_span_rule(easy: list[SyntheticEmail], hard: list[SyntheticEmail]) -> None:
    for e in easy + hard:
        for s in e.spans:
            if s.label == "STREET_ADDRESS":
                value = _text(e, s)
                # the postcode is never inside; a town, when present, ends the span
                assert not re.search(r"\b[A-Z]{1,2}\d{1,2} ?\d[A-Z]{2}\b", value)
                assert not value.endswith(",")
    # multi-line address blocks occur: a town alone on its line right after a street line
    blocks = 0
    for e in hard:
        for a, b in zip(e.spans, e.spans[1:], strict=False):
            between = e.body[a.end : b.start]
            if a.label == "STREET_ADDRESS" and b.label == "LOCATION" and between in ("\n", ",\n"):
                blocks += 1
    assert blocks > 20


# --- identifiers ------------------------------------------------------------------------------------------


def test_identifier_validity(easy: list[SyntheticEmail], hard: list[SyntheticEmail]) -> None:
    checks = {
        "UK_NHS": ids.is_valid_nhs,
        "UK_NINO": ids.is_valid_nino,
        "IBAN_CODE": ids.is_valid_gb_iban,
        "CREDIT_CARD": ids.luhn_valid,
    }
    seen: Counter[str] = Counter()
    for e in easy + hard:
        for s in e.spans:
            if s.label in checks:
                assert checks[s.label](_text(e, s)), (s.label, _text(e, s))
                seen[s.label] += 1
    assert all(seen[label] >= 10 for label in checks), seen


def test_nino_rules() -> None:
    banned = {"BG", "GB", "NK", "KN", "TN", "NT", "ZZ"}
    assert not banned & set(ids.NINO_PREFIXES)
    for prefix in ids.NINO_PREFIXES:
        assert not set(prefix) & set("DFIQUV")
        assert prefix[1] != "O"
    assert ids.is_valid_nino("AB 12 34 56 C")
    assert not ids.is_valid_nino("GB123456A")
    assert not ids.is_valid_nino("AB123456E")


def test_checksums_against_known_values() -> None:
    assert ids.is_valid_nhs("943 476 5919")  # the NHS's published example
    assert not ids.is_valid_nhs("943 476 5918")
    assert ids.is_valid_gb_iban("GB82 WEST 1234 5698 7654 32")  # the standard's example
    assert not ids.is_valid_gb_iban("GB83 WEST 1234 5698 7654 32")
    assert ids.luhn_valid("4111 1111 1111 1111")
    assert not ids.luhn_valid("4111 1111 1111 1112")
    assert ids.luhn_valid("378282246310005")


def test_phone_formats_in_hard_mode(hard: list[SyntheticEmail]) -> None:
    phones = [_text(e, s) for e in hard for s in e.spans if s.label == "PHONE_NUMBER"]
    assert any(p.startswith("+44 (0)") for p in phones)
    assert any(p.startswith("(0") for p in phones)
    assert any(re.fullmatch(r"0\d+-\d+-\d+", p) for p in phones)
    assert any(re.fullmatch(r"07700\d{6}", p) for p in phones)
    assert any(p.startswith("+44 7700 ") for p in phones)


def test_hard_mode_features(hard: list[SyntheticEmail]) -> None:
    persons = [_text(e, s) for e in hard for s in e.spans if s.label == "PERSON"]
    assert any(p.islower() for p in persons)
    assert any(p.split()[-1] in HARD_SURNAMES for p in persons)
    postcodes = [_text(e, s) for e in hard for s in e.spans if s.label == "UK_POSTCODE"]
    assert any(" " not in p for p in postcodes)
    assert any(p.islower() for p in postcodes)
    ninos = [_text(e, s) for e in hard for s in e.spans if s.label == "UK_NINO"]
    assert any(" " in n for n in ninos)
    angle = [e for e in hard for s in e.spans if s.label == "EMAIL_ADDRESS" and e.body[s.start - 1] == "<"]
    assert angle
    first_name_greeting = [e for e in hard if re.match(r"(Hi|Hello) [A-Za-z]+,", e.body)]
    assert first_name_greeting


# --- determinism, balance, shape --------------------------------------------------------------------------


def test_deterministic_from_seed() -> None:
    a = list(generate(50, seed=42))
    assert a == list(generate(50, seed=42))
    assert a[:20] == list(generate(20, seed=42))
    other = list(generate(50, seed=43))
    assert [e.body for e in a] != [e.body for e in other]
    assert not {e.message_id for e in a} & {e.message_id for e in other}
    assert not {e.message_id for e in a} & {e.message_id for e in generate(50, seed=42, hard=True)}


def test_intents_balanced() -> None:
    counts = Counter(e.intent for e in generate(500, seed=3))
    assert set(counts) == set(INTENTS)
    assert all(40 <= c <= 60 for c in counts.values()), counts


def test_email_shape(easy: list[SyntheticEmail]) -> None:
    ids_seen = set()
    words = []
    for e in easy:
        assert re.fullmatch(r"<[^<>@\s]+@[^<>@\s]+>", e.message_id)
        ids_seen.add(e.message_id)
        assert e.sent_at.tzinfo is not None and e.sent_at.utcoffset() == UTC.utcoffset(None)
        assert e.to_addr == "support@northwind-energy.example"
        assert "\r" not in e.body and not e.body.endswith("\n")
        assert e.intent in INTENTS
        # the display name is the signature name, and appears in the body as a PERSON
        assert e.from_name in {_text(e, s) for s in e.spans if s.label == "PERSON"}
        words.append(len(e.body.split()))
    assert len(ids_seen) == len(easy)
    words.sort()
    assert words[len(words) // 20] >= 35 and words[-1] <= 300


def test_every_template_slot_is_known() -> None:
    groups = [
        v for v in vars(tpl_mod).values() if isinstance(v, tuple) and v and isinstance(v[0], tpl_mod.Template)
    ]
    groups += [
        getattr(t, f)
        for t in tpl_mod.INTENT_TEMPLATES.values()
        for f in ("subjects", "openers", "details", "asks")
    ]
    for group in groups:
        for template in group:
            assert template.slots <= set(gen_mod._SLOTS), template.slots - set(gen_mod._SLOTS)
    assert tuple(tpl_mod.INTENT_TEMPLATES) == INTENTS


def test_company_parameter() -> None:
    e = next(generate(1, seed=0, company="Contoso Water"))
    assert e.to_addr == "support@contoso-water.example"


def test_rejects_bad_arguments() -> None:
    with pytest.raises(ValueError):
        list(generate(-1))
    with pytest.raises(ValueError):
        list(generate(1, html_ratio=2.0))


# --- RFC 822 and writers ----------------------------------------------------------------------------------


def _plain_body(msg: email.message.EmailMessage) -> str:
    part = msg.get_body(preferencelist=("plain",))
    assert part is not None
    content = part.get_content()
    return content.replace("\r\n", "\n").rstrip("\n")


def test_to_bytes_round_trips(easy: list[SyntheticEmail]) -> None:
    html_count = 0
    for e in easy[:250]:
        msg = email.message_from_bytes(e.to_bytes(), policy=email.policy.default)
        assert isinstance(msg, email.message.EmailMessage)
        assert _plain_body(msg) == e.body
        assert msg["Message-ID"] == e.message_id
        assert msg["From"].addresses[0].display_name == e.from_name
        assert msg["From"].addresses[0].addr_spec == e.from_addr
        assert msg["To"] == e.to_addr
        assert msg["Subject"] == e.subject
        assert msg["Date"].datetime == e.sent_at
        if e.html_alternative:
            html_count += 1
            assert msg.get_content_type() == "multipart/alternative"
            assert msg.get_body(preferencelist=("html",)) is not None
        else:
            assert msg.get_content_type() == "text/plain"
    assert 20 < html_count < 90  # default ratio 0.2


def test_to_bytes_matches_email_message(easy: list[SyntheticEmail], hard: list[SyntheticEmail]) -> None:
    # the fast header path writes exactly what the email package would
    for e in easy[:200] + hard[:200]:
        assert e.to_bytes() == e.to_message().as_bytes()
    assert [e.to_bytes() for e in generate(30, seed=2)] == [e.to_bytes() for e in generate(30, seed=2)]
    odd = dataclasses.replace(easy[0], from_name="Zoë Ó Briain", subject="Re: " + "x" * 90)
    assert odd.to_bytes() == odd.to_message().as_bytes()
    msg = email.message_from_bytes(odd.to_bytes(), policy=email.policy.default)
    assert msg["From"].addresses[0].display_name == "Zoë Ó Briain"
    assert msg["Subject"] == odd.subject


def test_html_ratio_extremes() -> None:
    assert all(e.html_alternative for e in generate(20, seed=1, html_ratio=1.0))
    assert not any(e.html_alternative for e in generate(20, seed=1, html_ratio=0.0))


def test_mbox_round_trip(tmp_path: Path) -> None:
    path = tmp_path / "out.mbox"
    emails = list(generate(300, seed=9))
    assert write_mbox(path, iter(emails)) == 300
    raw = path.read_bytes()
    # the only unescaped 'From ' lines are the separators, though bodies contain such lines
    assert sum(1 for line in raw.split(b"\n") if line.startswith(b"From ")) == 300
    assert any(re.search(r"^From ", e.body, re.M) for e in emails)
    assert b"\n>From " in raw  # ... and were quoted
    box = mailbox.mbox(path)
    try:
        keys = box.keys()
        assert len(keys) == 300
        for key, e in zip(keys, emails, strict=True):
            data = re.sub(rb"^>(>*From )", rb"\1", box.get_bytes(key), flags=re.M)  # undo mboxrd
            msg = email.message_from_bytes(data, policy=email.policy.default)
            assert msg["Message-ID"] == e.message_id
            assert _plain_body(msg) == e.body  # type: ignore[arg-type]
    finally:
        box.close()


def test_eml_dir(tmp_path: Path) -> None:
    emails = list(generate(25, seed=2))
    assert write_eml_dir(tmp_path / "eml", emails) == 25
    files = sorted((tmp_path / "eml").glob("*.eml"))
    assert len(files) == 25
    for f, e in zip(files, emails, strict=True):
        msg = email.message_from_bytes(f.read_bytes(), policy=email.policy.default)
        assert msg["Message-ID"] == e.message_id
        assert _plain_body(msg) == e.body  # type: ignore[arg-type]


def test_gold_jsonl(tmp_path: Path) -> None:
    path = tmp_path / "gold.jsonl"
    emails = list(generate(50, seed=4, hard=True))
    assert write_gold_jsonl(path, emails) == 50
    lines = path.read_text(encoding="utf-8").splitlines()
    assert len(lines) == 50
    for line, e in zip(lines, emails, strict=True):
        rec = json.loads(line)
        assert {"id", "text", "spans", "headers", "intent"} <= set(rec)
        assert rec["id"] == e.message_id and rec["text"] == e.body and rec["intent"] == e.intent
        assert set(rec["headers"]) == {"From", "To", "Subject"}
        for span in rec["spans"]:
            assert set(span) == {"start", "end", "label"}
        assert [GoldSpan(**s) for s in rec["spans"]] == list(e.spans)


def test_csv(tmp_path: Path) -> None:
    path = tmp_path / "out.csv"
    emails = list(generate(40, seed=6))
    assert write_csv(path, emails) == 40
    with path.open(encoding="utf-8", newline="") as fh:
        rows = list(csv.DictReader(fh))
    assert list(rows[0]) == ["id", "text", "category", "subject", "from"]
    for row, e in zip(rows, emails, strict=True):
        assert (row["id"], row["text"], row["category"], row["subject"]) == (
            e.message_id,
            e.body,
            e.intent,
            e.subject,
        )
        assert e.from_addr in row["from"]


def test_writers_stream(tmp_path: Path) -> None:
    # a generator is consumed lazily, one message at a time
    taken = []

    def source() -> Iterator[SyntheticEmail]:
        for e in generate(5, seed=0):
            taken.append(e.message_id)
            yield e

    assert write_mbox(tmp_path / "s.mbox", source()) == 5
    assert len(taken) == 5
