"""Each recogniser, table-driven: values it must find (with the exact extent) and values it must not."""

from __future__ import annotations

import itertools

import pytest

FOUND = [
    # postcodes: full, with and without space, lower case; outward code with context
    ("UK_POSTCODE", "Please send it to LS6 2QT today.", "LS6 2QT"),
    ("UK_POSTCODE", "postcode ls62qt", "ls62qt"),
    ("UK_POSTCODE", "The area is SW1A 1AA.", "SW1A 1AA"),
    ("UK_POSTCODE", "my postcode area is W9 I think", "W9"),
    # NINO
    ("UK_NINO", "My NI number is AB 12 34 56 C.", "AB 12 34 56 C"),
    ("UK_NINO", "nino jg103759a thanks", "jg103759a"),
    # NHS (mod 11)
    ("UK_NHS", "NHS number 943 476 5919 please", "943 476 5919"),
    ("UK_NHS", "nhs no 9434765919.", "9434765919"),
    # bank details need context
    ("UK_SORT_CODE", "Sort code: 12-34-56", "12-34-56"),
    ("UK_SORT_CODE", "sort code 123456 and", "123456"),
    ("UK_BANK_ACCOUNT", "sort code 12-34-56, account number 12345678.", "12345678"),
    ("IBAN_CODE", "IBAN GB82 WEST 1234 5698 7654 32 thanks", "GB82 WEST 1234 5698 7654 32"),
    ("IBAN_CODE", "iban GB82WEST12345698765432.", "GB82WEST12345698765432"),
    ("CREDIT_CARD", "my card is 4111 1111 1111 1111.", "4111 1111 1111 1111"),
    ("CREDIT_CARD", "card 4242-4242-4242-4242 expired", "4242-4242-4242-4242"),
    # phones, including Ofcom drama ranges that phonenumbers calls invalid
    ("PHONE_NUMBER", "Call me on 07700 900123 please", "07700 900123"),
    ("PHONE_NUMBER", "Call me on 07700900123.", "07700900123"),
    ("PHONE_NUMBER", "Tel: +44 20 7946 0018", "+44 20 7946 0018"),
    ("PHONE_NUMBER", "ring (020) 7946 0018 after six", "(020) 7946 0018"),
    ("PHONE_NUMBER", "phone 0161-496-0000 or", "0161-496-0000"),
    ("PHONE_NUMBER", "mobile +44 (0)7700 900640.", "+44 (0)7700 900640"),
    ("PHONE_NUMBER", "call 020 7123 4567 today", "020 7123 4567"),
    # internet
    ("EMAIL_ADDRESS", "write to jane.smith+x@mail.example.com.", "jane.smith+x@mail.example.com"),
    ("IP_ADDRESS", "I logged in from 192.0.2.44 today", "192.0.2.44"),
    ("IP_ADDRESS", "from 2001:db8:85a3::7334 yesterday", "2001:db8:85a3::7334"),
    ("URL", "see https://example.com/account?id=3 for", "https://example.com/account?id=3"),
    # date of birth only after a cue
    ("DATE_OF_BIRTH", "My date of birth is 12/03/1956.", "12/03/1956"),
    ("DATE_OF_BIRTH", "DOB: 3rd March 1956", "3rd March 1956"),
    ("DATE_OF_BIRTH", "I was born on 1956-03-12.", "1956-03-12"),
    # addresses: one line, town after a comma; flat; named house
    ("STREET_ADDRESS", "I live at 27 Mill Lane, Leeds now", "27 Mill Lane, Leeds"),
    ("STREET_ADDRESS", "move to Flat 3, 14 The Avenue soon", "Flat 3, 14 The Avenue"),
    ("STREET_ADDRESS", "at Rose Cottage, Mill Lane.", "Rose Cottage, Mill Lane"),
    ("CUSTOMER_REF", "My account number is NE-482133.", "NE-482133"),
    ("CUSTOMER_REF", "order ORD-1234567 never came", "ORD-1234567"),
    # names by cue
    ("PERSON", "Dear Ms Jane Smith,\n\nThanks.", "Jane Smith"),
    ("PERSON", "My name is Tom Baker and I need help.", "Tom Baker"),
    ("PERSON", "I spoke to marie on the phone.", "marie"),
    ("PERSON", "My wife, jane smith, is on the account.", "jane smith"),
    ("PERSON", "hi tom,\n\nthe bill is wrong", "tom"),
    ("PERSON", "It is wrong.\n\nKind regards,\nGeraldine Okafor\n", "Geraldine Okafor"),
    ("PERSON", "It is wrong.\n\nThanks, Dev", "Dev"),
    # international: names in any script and with a middle initial, addresses, phones, cards, IBANs
    ("PERSON", "Name: Åsa Lindqvist\nPhone: 0161 496 0000", "Åsa Lindqvist"),
    ("PERSON", "The song is by Szabina J Kovácsné.", "Szabina J Kovácsné"),
    ("PERSON", "Please follow up with Ingrid Thorsdottir next week.", "Ingrid Thorsdottir"),
    ("PERSON", "I'd like to join accounts with ms. Quintella", "Quintella"),
    ("PERSON", "Qazimir lives on Mill Lane with his sister.", "Qazimir"),
    ("PERSON", "Wenthra Koloszar\nSenior Buyer\nPhone: 0161 496 0000\n", "Wenthra Koloszar"),
    ("STREET_ADDRESS", "Please send it to ul. Chrzanowska 61 tomorrow.", "ul. Chrzanowska 61"),
    ("STREET_ADDRESS", "She lives at 3784 Archwood Avenue.", "3784 Archwood Avenue"),
    ("STREET_ADDRESS", "Ship it to Rua das Flores 120, please.", "Rua das Flores 120"),
    ("STREET_ADDRESS", "PSC 1437, Box 3833\nAPO AA 66791", "PSC 1437, Box 3833\nAPO AA 66791"),
    ("STREET_ADDRESS", "Write to P.O. Box 242 instead.", "P.O. Box 242"),
    (
        "STREET_ADDRESS",
        "We meet at the corner of Hamngatan 12 and Lake Road.",
        "the corner of Hamngatan 12 and Lake Road",
    ),
    ("PHONE_NUMBER", "Fax: 345-899-3560x4587", "345-899-3560x4587"),
    ("PHONE_NUMBER", "Stop sending messages to 541-714-1388 please", "541-714-1388"),
    ("PHONE_NUMBER", "Desk: 5403926876", "5403926876"),
    ("CREDIT_CARD", "What is the limit for card 501864667909?", "501864667909"),
    ("IBAN_CODE", "IBAN DE89 3704 0044 0532 0130 00 is mine", "DE89 3704 0044 0532 0130 00"),
    # release 3: phones by their grouping alone, names no dictionary knows, streets the NER calls places
    ("PHONE_NUMBER", "They're not answering at 99 668472", "99 668472"),
    ("PHONE_NUMBER", "You can find her at 06-12345678 tomorrow", "06-12345678"),
    ("PERSON", "Please change it to Bekbolat Musliyevich", "Bekbolat Musliyevich"),
    ("PERSON", "Yesterday Ingmar Becker called.", "Ingmar Becker"),
    ("PERSON", "my name is borna jerković but everyone calls me borna", "borna jerković"),
    ("PERSON", "Is there a better example than early Ström?", "Ström"),
    ("STREET_ADDRESS", "these early shows on Berg Hills Street were important", "Berg Hills Street"),
]

NOT_FOUND = [
    ("UK_POSTCODE", "Vitamin B12 is good", "B12"),
    ("UK_POSTCODE", "grid square A1 on the map", "A1"),
    ("UK_NHS", "reference 943 476 5918 here", "943 476 5918"),
    ("CREDIT_CARD", "number 4111 1111 1111 1112 here", "4111 1111 1111 1112"),
    ("IBAN_CODE", "GB82 WEST 1234 5698 7654 33", "GB82 WEST 1234 5698 7654 33"),
    ("UK_NINO", "code DA123456C", "DA123456C"),
    ("UK_SORT_CODE", "We moved on 12-03-56 to the new place", "12-03-56"),
    ("DATE_OF_BIRTH", "The bill dated 12/03/2024 is wrong", "12/03/2024"),
    ("IP_ADDRESS", "version 999.1.2.3 of the app", "999.1.2.3"),
    ("PERSON", "Dear Sir or Madam,\n\nthe bill", "Madam"),
    ("PERSON", "Hello Billing team,\n\nhelp", "Billing"),
    ("PERSON", "Kind regards,\nSent from my iPhone", "Sent from my iPhone"),
    ("STREET_ADDRESS", "I paid 2 Green tariffs", "2 Green"),
    ("STREET_ADDRESS", "The meeting is at 3 PM on Friday.", "3 PM on Friday"),
    ("STREET_ADDRESS", "We paid on 12 March 2024 for it.", "12 March 2024"),
    ("STREET_ADDRESS", "I will send it to my wife tomorrow.", "my wife tomorrow"),
    ("PHONE_NUMBER", "His social security number is 853-37-1694", "853-37-1694"),
    ("CREDIT_CARD", "reference 501864667909 attached", "501864667909"),
    ("PERSON", "Vitamin D Tablets are good for you", "Vitamin D Tablets"),
    ("PERSON", "The old account with Starling is being closed.", "Starling"),
    ("PERSON", "We had smart meter installations in Bradford last year.", "Bradford"),
    # grouped digits that are no phone: amounts, dates and times, ranges, references
    ("PHONE_NUMBER", "I paid £1 250 000 yesterday", "1 250 000"),
    ("PHONE_NUMBER", "it costs 12 500 pounds", "12 500"),
    ("PHONE_NUMBER", "between 2019 - 2020 we", "2019 - 2020"),
    ("PHONE_NUMBER", "Date: 1978-04-13 12:20:39", "1978-04-13 12"),
    ("PHONE_NUMBER", "Order 1234 5678 is late", "1234 5678"),
    ("PHONE_NUMBER", "The meter read 0123 4567 kWh", "0123 4567"),
    ("PHONE_NUMBER", "ZIP: 75534-030", "75534-030"),
    ("PERSON", "We use Microsoft Teams at work", "Microsoft Teams"),
    ("PERSON", "I shop at Marks and Spencer", "Marks and Spencer"),
]


@pytest.mark.parametrize(("label", "text", "value"), FOUND)
def test_found(find, label, text, value):
    assert (label, value) in find(text)


@pytest.mark.parametrize(("label", "text", "value"), NOT_FOUND)
def test_not_found(find, label, text, value):
    assert (label, value) not in find(text)


def test_multi_line_address_block(find):
    text = "Kind regards,\nJo Bloggs\nFlat 3\n27 Mill Lane\nLeeds\nLS6 2QT\n"
    found = find(text)
    assert ("STREET_ADDRESS", "Flat 3") in found
    assert ("STREET_ADDRESS", "27 Mill Lane") in found
    assert ("LOCATION", "Leeds") in found
    assert ("UK_POSTCODE", "LS6 2QT") in found
    assert ("PERSON", "Jo Bloggs") in found


def test_international_address_block(find):
    text = "Kasimir Olberg\n\n4127 Lindegade 52\n Apt. 656\n Vordingborg\n\n Denmark 35018\n"
    found = find(text)
    assert ("STREET_ADDRESS", "4127 Lindegade 52") in found
    assert ("STREET_ADDRESS", "Apt. 656") in found
    assert ("LOCATION", "Vordingborg") in found
    assert ("STREET_ADDRESS", "35018") in found


def test_a_found_name_is_found_again(find):
    text = "My name is Wenthra Koloszar. The parcel for Wenthra went missing again."
    assert find(text).count(("PERSON", "Wenthra")) == 1
    assert ("PERSON", "Wenthra Koloszar") in find(text)
    listed = find("The founders are Mr Koloszar, Wenthrop and Dalberg.")
    assert {("PERSON", "Koloszar"), ("PERSON", "Wenthrop"), ("PERSON", "Dalberg")} <= set(listed)


def test_a_list_of_three_with_two_known_surnames_is_a_list_of_people(find):
    found = find("The firm is the brainchild of our 3 founders: Kónya, Becker and Vasquez.")
    assert {("PERSON", "Becker"), ("PERSON", "Vasquez")} <= set(found)
    assert ("PERSON", "Kónya") in found or ("LOCATION", "Kónya") in found  # found either way: redacted


def test_a_pair_of_surnames_alone_is_not_a_list_of_people(analyzer):
    from scrubdesk.models.pii.propagation import propagate_names

    known = {"Becker", "Vasquez"}
    pair = "Becker and Vasquez"
    assert propagate_names(pair, [], lambda w: False, known.__contains__) == []
    three = "Kónya, Becker and Vasquez"
    assert [
        three[s.start : s.end] for s in propagate_names(three, [], lambda w: False, known.__contains__)
    ] == [
        "Kónya",
        "Becker",
        "Vasquez",
    ]


def test_dialogue_speakers_are_names(find):
    found = find("Ubbrik: Are you there?\nTorvald: Yes, I am.\nUbbrik: Good.")
    assert ("PERSON", "Ubbrik") in found and ("PERSON", "Torvald") in found


def test_spans_do_not_overlap_and_point_into_the_text(analyzer):
    text = "Sort code 12-34-56, account 12345678, card 4111 1111 1111 1111, call 07700 900123."
    spans = analyzer.analyze(text)
    assert spans == sorted(spans)
    for a, b in itertools.pairwise(spans):
        assert a.end <= b.start
    assert all(text[s.start : s.end].strip() == text[s.start : s.end] for s in spans)
