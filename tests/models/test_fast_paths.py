"""Shortcuts of the fast engine that must not change what is found: which lines get NER, and the
date-of-birth search that runs from the cues forward instead of a look-behind at every position."""

from __future__ import annotations

import random

import regex

from scrubdesk.models.pii.nlp import ner_segments
from scrubdesk.models.pii.recognizers import birth_date


def _segments(analyzer, text):
    doc = analyzer.nlp_engine.nlp["en"].make_doc(text)
    return [text[a:b] for a, b in ner_segments(doc)]


def test_lines_with_a_name_or_place_get_ner(analyzer):
    text = "It is still wrong.\nI met Jane at the office.\nHillingdon is lovely.\nKind regards"
    assert _segments(analyzer, text) == ["I met Jane at the office.", "Hillingdon is lovely.", "Kind regards"]


def test_months_weekdays_initials_and_acronyms_alone_get_no_ner(analyzer):
    text = (
        "I am moving on 24 September.\nThe bill covers Friday 9 May.\nMy NHS number is 9453675997.\n"
        "M: 07700900475\nOur IBAN is GB43 MIDL 2247 0378 0463 86.\nI moved in May with Theo."
    )
    assert _segments(analyzer, text) == ["I moved in May with Theo."]


def test_date_of_birth_forward_search_equals_the_look_behind_pattern():
    look_behind = regex.compile(
        birth_date.DateOfBirthRecognizer.PATTERNS[0][1], regex.IGNORECASE | regex.MULTILINE
    )
    pieces = [
        "born", "DOB", "date of birth", "d.o.b.", "birthday is", " on ", "march ", "3", "12/03/1956", ", ",
        "1956", "\n", "may ", "the ", "x" * 31, "1st ", "1956-03-12", " and ",
    ]  # fmt: skip
    rng = random.Random(7)
    texts = ["".join(rng.choice(pieces) for _ in range(rng.randint(2, 14))) for _ in range(5000)]
    texts += ["born on March 3, 1956", "date of birth (DOB): 12/03/1956", "newborn 12/03/2020"]
    found = 0
    for text in texts:
        expected = [m.span() for m in look_behind.finditer(text)]
        assert [m.span("date") for m in birth_date._FORWARD.finditer(text)] == expected, text
        found += len(expected)
    assert found > 500


def test_date_of_birth_recogniser_reports_the_date_only(find):
    found = find("Hello, my date of birth is 3rd March 1956 and I moved on 12/03/2020.")
    assert ("DATE_OF_BIRTH", "3rd March 1956") in found
    assert not any(v == "12/03/2020" for _, v in found)
