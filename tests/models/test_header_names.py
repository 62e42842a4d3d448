"""People named in From/To/Cc are found in the body in any case and as first name alone."""

from __future__ import annotations

from scrubdesk.models.pii.recognizers.header_names import people_from_headers

HEADERS = {"From": "Jane Okonkwo <jane.okonkwo@example.com>", "To": "Northwind <support@northwind.example>"}


def test_full_name_in_lower_case(find):
    assert ("PERSON", "jane okonkwo") in find("this is jane okonkwo again about the bill", HEADERS)


def test_first_name_alone_in_lower_case(find):
    assert ("PERSON", "jane") in find("ok so jane here, the meter is broken", HEADERS)


def test_surname_alone(find):
    assert ("PERSON", "Okonkwo") in find("Please ask for Okonkwo at the door.", HEADERS)


def test_header_address_in_body(find):
    assert ("EMAIL_ADDRESS", "Jane.Okonkwo@example.com") in find("reply to Jane.Okonkwo@example.com", HEADERS)


def test_word_like_name_needs_capital_and_not_sentence_start(find):
    headers = {"From": "Bill Hope <b.hope@example.com>"}
    found = find("I hope you can help. Bill me monthly please.", headers)
    assert ("PERSON", "hope") not in found
    assert ("PERSON", "Bill") not in found
    assert ("PERSON", "Bill") in find("Thanks,\nBill", headers)
    assert ("PERSON", "Hope") in find("My name is Mr Hope and I called.", headers)


def test_name_only_in_signature_without_headers(find):
    text = "The meter is broken.\n\nYours sincerely,\nPrudence Achterberg"
    assert ("PERSON", "Prudence Achterberg") in find(text)


def test_company_and_allow_listed_names_are_not_people():
    people = people_from_headers(
        {
            "From": "Northwind Energy Customer Care <care@northwind.example>",
            "To": "Tom Jones <t@example.com>",
        },
        not_people=["Northwind Energy", "care@northwind.example"],
    )
    assert people.full_names == ("Tom Jones",)
    assert "northwind" not in people.parts
    assert people.addresses == ("t@example.com",)
    assert "Tom" not in repr(people)  # repr never shows personal data


def test_address_local_part_gives_weak_name_parts():
    people = people_from_headers({"From": "rowena.quist@example.com"})
    assert {"rowena", "quist"} <= people.weak_parts
