"""Release 4 (real mail), table-driven: quoted header blocks, salutations, initials, ranks, places from
the gazetteer, vetoed stretches, whole-token checksums. Every text here is invented for the test.

Each FOUND row fails if its rule is removed: the name or place in it is found by nothing else.
"""

from __future__ import annotations

import pytest

from scrubdesk.models.pii.recognizers.header_grammar import NameWords, display_names

FOUND = [
    # Outlook's 'Last, First' on quoted header lines, one person or a list, with middle initials
    (
        "PERSON",
        "Original Message\nFrom: Quarrington, Odile\nSent: Friday\n\nSee below.",
        "Quarrington, Odile",
    ),
    ("PERSON", "To: Vantwest, Bram K.; Oduya, Chinelo\nSubject: rota", "Vantwest, Bram K"),
    ("PERSON", "To: Vantwest, Bram K.; Oduya, Chinelo\nSubject: rota", "Oduya, Chinelo"),
    ("PERSON", "X-To: Pellow, Dorcas, Haverly, Ansel\nX-cc:", "Haverly"),
    # display names in lower case, in capitals, quoted, and Lotus Notes paths
    ("PERSON", 'Reply-To: "tamsin orreby" <t.orreby@example.net>\n\nhi all', "tamsin orreby"),
    ("PERSON", 'From: "GRISELDA VOYCE" <gv@example.org>\n\nSee you.', "GRISELDA VOYCE"),
    ("PERSON", "cc: Ewart Pindle / LDN / ACME@ACME\n\nOk.", "Ewart Pindle"),
    # a name from a quoted header found again in the body, even one that is an ordinary word
    ("PERSON", "From: Quarrington, Heather\n\nHeather, the file is attached.", "Heather"),
    # a name alone on a salutation line, or before a dash
    ("PERSON", "Subject: rota\n\nTeodric,\nthe rota is attached.", "Teodric"),
    ("PERSON", "Subject: rota\n\nRowena:\nthe rota is attached.", "Rowena"),
    ("PERSON", "Subject: cards\n\nKaronwe-please order two more.", "Karonwe"),
    # initials as a signature, and the same initials elsewhere in the text
    ("PERSON", "The rates are entered.\nQX\n", "QX"),
    ("PERSON", "Item 2-QX to check the rates.\nThanks.\nQX\n", "QX"),
    # rank or office before a name or an initial
    ("PERSON", "The statement was taken by Sergeant H at the station.", "H"),
    ("PERSON", "Detective Inspector Vallory arrived at noon.", "Vallory"),
    # places from the gazetteer: a subject, a heading, a place with its state, lower case after a cue
    ("LOCATION", "Subject: August FERC California report", "California"),
    ("LOCATION", "Hope to get back to Houston by Friday.", "Houston"),
    ("LOCATION", "we moved to Lawrence, Kansas last year", "Lawrence"),
    ("LOCATION", "i have been to the one in australia and loved it", "australia"),
    ("LOCATION", "The pumps at Mont Aurelle need a check.", "Mont Aurelle"),
    # phones: a slash between area code and number; a number valid where the sender's domain says
    ("PHONE_NUMBER", "Call me on 0423/972429 tomorrow", "0423/972429"),
    ("PHONE_NUMBER", "my mobile is 13812345678, write to li.wei@example.cn", "13812345678"),
    ("PHONE_NUMBER", "Call +1 212 555 0199 after nine.", "+1 212 555 0199"),
    # e-mail addresses with Exchange's leading dot, and Exchange's encoding of a foreign address
    ("EMAIL_ADDRESS", "To: e-mail <.hollis@example.com>", "hollis@example.com"),
    ("EMAIL_ADDRESS", "X-From: <IMCEANOTES-Ida+20Brack+20+3Cib+40example+2Ecom+3E@EX.com>", None),
]

NOT_FOUND = [
    # header field names, Lotus units, quote separators and date parts are no names
    ("PERSON", "Cc: ann@example.com\nBcc: ann@example.com\nImportance: High\n", "Bcc"),
    ("PERSON", "Cc: ann@example.com\nBcc: ann@example.com\nImportance: High\n", "Importance"),
    ("PERSON", "Forwarded by Ewart Pindle / LDN / ACME on 10/19/2001", "LDN"),
    ("PERSON", "Thanks!\nOriginal Message\nFrom: Pindle, Ewart", "Original Message"),
    ("PERSON", "Date: Wed, 26 Jan 2001 06:16:30 -0700", "Jan"),
    # an organisation's display name is no person and is not spread into the body
    ("PERSON", 'From: "Brightwater Card Services" <news@example.com>\n\nBrightwater offers', "Brightwater"),
    # a field label line is no salutation, nor are ordinary words, nouns or sign-offs
    ("PERSON", "Dimensions: 54 by 32\nPrice: $17,000.00\n", "Price"),
    ("PERSON", "Subject: RE: Map Request\n\nsee below", "Map Request"),
    ("PERSON", "Many thanks,\nLove,\nPindle", "Love"),
    # abbreviations alone on a line are no initials
    ("PERSON", "See the attached.\nFYI\n", "FYI"),
    # ranks before ordinary words are no names
    ("PERSON", "Shares in General Motors rose.", "Motors"),
    # places: a gerund opening a sentence, a month, a street, a word opening a sentence
    ("LOCATION", "Reading the bill again, I still cannot see it.", "Reading"),
    ("LOCATION", "We switched to you in March.", "March"),
    ("LOCATION", "The new address is 158 Chapel Hill, Chester.", "Chapel Hill"),
    ("LOCATION", "Goes along perfectly with my phone.", "Goes"),
    # the lexicon needs evidence: lone nouns in lower case, 'the X', adjectives after 'I'm'
    ("PERSON", "add lemon and almond to the list", "almond"),
    ("PERSON", "Thanks to the Council for the letter", "Council"),
    ("PERSON", "I'm curious, how does this work", "curious"),
    # an amount is no house number
    ("STREET_ADDRESS", "We got a $402,000 Home Loan approved", "000 Home Loan"),
    # checksums on whole tokens only
    ("UK_NHS", "Call +1 212 555 0199 after nine.", "212 555 0199"),
    ("UK_NHS", "Tracking code AB9434765919 is on the parcel.", "9434765919"),
    ("CREDIT_CARD", "Order ref 4111111111111111X shipped.", "4111111111111111"),
]


@pytest.mark.parametrize(("label", "text", "value"), FOUND)
def test_found(find, label, text, value):
    found = find(text)
    if value is None:
        assert any(lab == label for lab, _ in found), found
    else:
        assert (label, value) in found, found


@pytest.mark.parametrize(("label", "text", "value"), NOT_FOUND)
def test_not_found(find, label, text, value):
    assert (label, value) not in find(text)


WORDS = NameWords(lambda w: w.lower() in {"chris", "jo", "mary"}, lambda w: w.lower() in {"map", "request"})


@pytest.mark.parametrize(
    ("value", "names"),
    [
        ("Germany, Chris; Lamb, Jo", ["Germany, Chris", "Lamb, Jo"]),
        ("Germany, Chris, Lamb, Jo", ["Germany", "Chris", "Lamb", "Jo"]),
        ('"Mary Smith" <m@example.com>, "Jo Lamb" <j@example.com>', ["Mary Smith", "Jo Lamb"]),
        ("Amy & Jo <family@example.com>", ["Amy", "Jo"]),
        ("Doug Leach / HOU / ECT@ECT", ["Doug Leach"]),
        ("Map Request", []),  # ordinary words, no known name: a subject, not a person
        ("Customer Services <help@example.com>", []),
        ("e-mail <.bob@example.com>", []),
        ("Kilmer III, Robert; Heckerman, Mary", ["Kilmer III, Robert", "Heckerman, Mary"]),
    ],
)
def test_display_names(value, names):
    assert [value[m.start : m.end] for m in display_names(value, WORDS)] == names


def test_surname_first_names_are_read_in_order():
    (mailbox,) = display_names("Allen, Phillip K.", WORDS)
    assert mailbox.surname_first and mailbox.words == ("Allen", "Phillip")


def test_all_caps_lines_are_read_and_spans_map_back(find, analyzer):
    from scrubdesk.models.pii.casing import recase

    text = "Hello,\nMY NAME IS JOHN SMITH AND I LIVE IN LEEDS, POSTCODE LS6 2QT\nthanks"
    recased = recase(text, analyzer._lexicon.is_word)
    assert len(recased) == len(text)
    # ordinary words lower case, other words (names, places, nouns) title case, acronyms kept
    assert recased.split("\n")[1] == "My name is John Smith and I live in Leeds, Postcode LS6 2QT"
    assert recased.split("\n")[0] == "Hello," and recased.endswith("\nthanks")  # other lines unchanged
    found = find(text)
    assert ("PERSON", "JOHN SMITH") in found
    assert ("LOCATION", "LEEDS") in found
    assert ("UK_POSTCODE", "LS6 2QT") in found


def test_short_capitals_are_not_recased(analyzer):
    from scrubdesk.models.pii.casing import recase

    assert recase("FYI\nASAP\nSee the NHS page", analyzer._lexicon.is_word) == "FYI\nASAP\nSee the NHS page"


GERMAN = (
    "Sehr geehrte Damen und Herren,\n"
    "die Rechnung vom letzten Monat ist leider falsch. Bitte korrigieren Sie den Betrag und schicken "
    "Sie mir eine neue Rechnung an hedwig.sommerfeld@example.de oder rufen Sie mich unter "
    "+49 30 901820 an. Meine IBAN lautet DE89 3704 0044 0532 0130 00.\n"
    "Mit freundlichen Grüßen\nHedwig Sommerfeld, Lindenstraße 12, Berlin"
)


def test_non_english_message_is_flagged_and_keeps_language_independent_findings(analyzer):
    from scrubdesk.models.pii.analyzer import AnalysisInput

    (result,) = analyzer.analyze_many_detailed([AnalysisInput(GERMAN)])
    assert (result.language, result.supported) == ("de", False)
    labels = {s.label for s in result.spans}
    assert {"EMAIL_ADDRESS", "PHONE_NUMBER", "IBAN_CODE"} <= labels
    # no flood of names and places from capitalised German nouns
    names = [GERMAN[s.start : s.end] for s in result.spans if s.label in ("PERSON", "LOCATION")]
    assert "Rechnung" not in names and "Betrag" not in names
    assert "Rechnung" not in repr(result)  # no text in the repr


def test_english_and_short_texts_are_supported(analyzer):
    from scrubdesk.models.pii.analyzer import AnalysisInput

    english = (
        "Hello, I would like to cancel my subscription from the end of this month. My name is Jane Okonkwo "
        "and I live in Leeds."
    )
    short = "lol ok"
    quoted = (
        "Thanks for letting us know, the invoice has been corrected and a new one is on its way to you.\n\n"
        "> Die Rechnung ist falsch. Bitte korrigieren Sie den Betrag."
    )
    results = list(
        analyzer.analyze_many_detailed([AnalysisInput(english), AnalysisInput(short), AnalysisInput(quoted)])
    )
    assert [(r.language, r.supported) for r in results[:2]] == [("en", True), (None, True)]
    assert results[2].supported
    assert any(s.label == "PERSON" for s in results[0].spans)


class _Ent:
    def __init__(self, text, value, label="ORGANIZATION"):
        self.start_char = text.index(value)
        self.end_char = self.start_char + len(value)
        self.label_ = label


@pytest.mark.parametrize(
    ("text", "value", "person"),
    [
        ("Hi Wojtowiczowa, the meter is fine.", "Wojtowiczowa", True),  # after a greeting
        ("I sent it to Wojtowiczowa, Anna yesterday.", "Wojtowiczowa", True),  # surname, given name
        ("Then Wojtowiczowa said the meter was fine.", "Wojtowiczowa", True),  # a verb people do
        ("I sent it to Wojtowiczowa yesterday.", "Wojtowiczowa", False),  # no person context
        ("Hi Acme Holdings, please call.", "Acme Holdings", False),  # an organisation word
        ("How do you get a Texas Tech graduate to leave?", "Texas Tech", False),  # a place first
    ],
)
def test_org_in_person_context_is_a_person(analyzer, text, value, person):
    from types import SimpleNamespace

    ner = next(r for r in analyzer.engine.registry.recognizers if r.name == "SpacyRecognizer")
    artifacts = SimpleNamespace(entities=[_Ent(text, value)])
    found = [text[r.start : r.end] for r in ner._organisations_in_person_context(text, artifacts)]
    assert (found == [value]) is person
