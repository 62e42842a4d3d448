"""Synthetic people: names from Faker's en_GB provider data, e-mail addresses on reserved domains.

Faker's provider tables are read once at import (no Faker instance per email, no Faker call per name);
sampling uses the caller's ``random.Random`` so output depends only on the seed. Addresses use only
RFC 2606 / RFC 6761 reserved domains, so no generated address can belong to a real mailbox.
"""

from __future__ import annotations

import itertools
import random
from dataclasses import dataclass

from faker.providers.person.en_GB import Provider as _PersonProvider

FEMALE_FIRST: tuple[str, ...] = tuple(_PersonProvider.first_names_female)
MALE_FIRST: tuple[str, ...] = tuple(_PersonProvider.first_names_male)
SURNAMES: tuple[str, ...] = tuple(_PersonProvider.last_names)
_SURNAME_CUM_WEIGHTS: tuple[float, ...] = tuple(itertools.accumulate(_PersonProvider.last_names.values()))

# Hard mode: surnames and first names that are also common English words.
HARD_SURNAMES: tuple[str, ...] = (
    "Baker", "Green", "Cook", "Rose", "Hill", "Brown", "Wood", "Bell", "Moss", "King", "Young",
    "White", "Black", "Fox", "Lamb", "Marsh", "Page", "Sharp", "Field", "Hope", "May", "Little",
    "Long", "Best", "Stone", "Wells", "Waters", "Mason", "Rich", "Gold", "Booth", "Church",
)  # fmt: skip
HARD_FEMALE_FIRST: tuple[str, ...] = ("Rose", "May", "Grace", "Hope", "Joy", "Holly", "Dawn", "Ivy", "Amber")
HARD_MALE_FIRST: tuple[str, ...] = ("Mark", "Bill", "Will", "Frank", "Jack", "Pat", "Rob", "Guy", "Drew")

FEMALE_TITLES = ("Ms", "Mrs", "Miss", "Dr")
MALE_TITLES = ("Mr", "Mr", "Mr", "Dr")

# Reserved for documentation/testing (RFC 2606, RFC 6761): never a real mailbox.
PERSONAL_DOMAINS: tuple[str, ...] = (
    "example.com",
    "example.com",
    "example.org",
    "example.net",
    "mail.example.com",
    "home.example.net",
    "inbox.example.org",
    "post.example",
)


@dataclass(frozen=True, slots=True)
class Person:
    first: str
    last: str
    female: bool

    @property
    def full(self) -> str:
        return f"{self.first} {self.last}"

    def title(self, rng: random.Random) -> str:
        return rng.choice(FEMALE_TITLES if self.female else MALE_TITLES)


def make_person(rng: random.Random, *, hard: bool = False, last: str | None = None) -> Person:
    female = rng.random() < 0.5
    if hard and rng.random() < 0.3:
        first = rng.choice(HARD_FEMALE_FIRST if female else HARD_MALE_FIRST)
    else:
        first = rng.choice(FEMALE_FIRST if female else MALE_FIRST)
    if last is None:
        if hard and rng.random() < 0.5:
            last = rng.choice(HARD_SURNAMES)
        else:
            last = rng.choices(SURNAMES, cum_weights=_SURNAME_CUM_WEIGHTS)[0]
            if rng.random() < 0.03:
                last += "-" + rng.choices(SURNAMES, cum_weights=_SURNAME_CUM_WEIGHTS)[0]
    return Person(first, last, female)


def make_email(rng: random.Random, person: Person) -> str:
    """A personal address derived from the name, as people really choose them."""
    first = person.first.lower()
    last = person.last.lower().replace("'", "").replace("-", "")
    r = rng.randrange(9)
    if r == 0:
        local = f"{first}.{last}"
    elif r == 1:
        local = f"{first}{last}{rng.randrange(1, 100)}"
    elif r == 2:
        local = f"{first[0]}.{last}"
    elif r == 3:
        local = f"{last}{first[0]}"
    elif r == 4:
        local = f"{first}_{last[0]}{rng.randrange(60, 100)}"
    elif r == 5:
        local = f"{first[0]}{last}{rng.randrange(1950, 2006)}"
    elif r == 6:
        local = f"{first}.{last}{rng.randrange(1, 10)}"
    elif r == 7:
        local = f"{first}{rng.randrange(100, 1000)}"
    else:
        local = f"{first}.{last}"
    return f"{local}@{rng.choice(PERSONAL_DOMAINS)}"


def company_domain(company: str) -> str:
    """'Northwind Energy' -> 'northwind-energy.example' (a reserved TLD)."""
    slug = "-".join("".join(ch for ch in word if ch.isalnum()) for word in company.lower().split())
    return f"{slug or 'company'}.example"


def company_ref_prefix(company: str) -> str:
    """Prefix of the company's account references: initials of the first two words ('Northwind Energy'
    -> 'NE'), or the first two letters of a one-word name."""
    words = [w for w in company.upper().split() if w[:1].isalpha()]
    if not words:
        return "AC"
    if len(words) == 1:
        return (words[0] + "X")[:2]
    return words[0][0] + words[1][0]
