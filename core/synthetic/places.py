"""Synthetic UK addresses: real town names, invented streets, well-formed postcodes in the town's area.

Towns and postcode areas are public geography, not personal data; the combination of a random house
number, an invented or common street name and a random inward code does not point at a real household
with any certainty, and is never paired with a real person.
"""

from __future__ import annotations

import random
from dataclasses import dataclass

from faker.providers.person.en_GB import Provider as _PersonProvider

# (town, postcode areas)
TOWNS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("London", ("E", "N", "SE", "SW", "W", "NW")),
    ("Manchester", ("M",)),
    ("Leeds", ("LS",)),
    ("Sheffield", ("S",)),
    ("Bristol", ("BS",)),
    ("Birmingham", ("B",)),
    ("Liverpool", ("L",)),
    ("Newcastle upon Tyne", ("NE",)),
    ("Nottingham", ("NG",)),
    ("Leicester", ("LE",)),
    ("Cardiff", ("CF",)),
    ("Edinburgh", ("EH",)),
    ("Glasgow", ("G",)),
    ("Belfast", ("BT",)),
    ("York", ("YO",)),
    ("Oxford", ("OX",)),
    ("Cambridge", ("CB",)),
    ("Norwich", ("NR",)),
    ("Brighton", ("BN",)),
    ("Southampton", ("SO",)),
    ("Portsmouth", ("PO",)),
    ("Plymouth", ("PL",)),
    ("Exeter", ("EX",)),
    ("Coventry", ("CV",)),
    ("Derby", ("DE",)),
    ("Stoke-on-Trent", ("ST",)),
    ("Hull", ("HU",)),
    ("Bradford", ("BD",)),
    ("Preston", ("PR",)),
    ("Swansea", ("SA",)),
    ("Aberdeen", ("AB",)),
    ("Dundee", ("DD",)),
    ("Milton Keynes", ("MK",)),
    ("Northampton", ("NN",)),
    ("Ipswich", ("IP",)),
    ("Luton", ("LU",)),
    ("Bolton", ("BL",)),
    ("Wigan", ("WN",)),
    ("Lincoln", ("LN",)),
    ("Carlisle", ("CA",)),
    ("Durham", ("DH",)),
    ("Sunderland", ("SR",)),
    ("Chester", ("CH",)),
    ("Gloucester", ("GL",)),
    ("Cheltenham", ("GL",)),
    ("Worcester", ("WR",)),
    ("Canterbury", ("CT",)),
    ("Maidstone", ("ME",)),
    ("Guildford", ("GU",)),
    ("Harrogate", ("HG",)),
    ("Lancaster", ("LA",)),
    ("Blackpool", ("FY",)),
    ("Warrington", ("WA",)),
    ("Wolverhampton", ("WV",)),
    ("Salisbury", ("SP",)),
    ("Taunton", ("TA",)),
    ("Truro", ("TR",)),
    ("Inverness", ("IV",)),
    ("Stirling", ("FK",)),
    ("Newport", ("NP",)),
    ("Wrexham", ("LL",)),
    ("Bournemouth", ("BH",)),
    ("Swindon", ("SN",)),
    ("Peterborough", ("PE",)),
    ("Colchester", ("CO",)),
    ("Chelmsford", ("CM",)),
    ("Watford", ("WD",)),
    ("St Albans", ("AL",)),
    ("Huddersfield", ("HD",)),
    ("Halifax", ("HX",)),
    ("Doncaster", ("DN",)),
    ("Reading", ("RG",)),
    ("Bath", ("BA",)),
)

# Towns whose names are also ordinary English words: hard negatives for a location recogniser.
HARD_TOWNS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("Reading", ("RG",)),
    ("Bath", ("BA",)),
    ("Street", ("BA",)),
    ("Hope", ("S",)),
    ("Ware", ("SG",)),
    ("Deal", ("CT",)),
    ("Sale", ("M",)),
    ("Battle", ("TN",)),
)

_TOWN_AREAS: dict[str, tuple[str, ...]] = dict(TOWNS + HARD_TOWNS)

_STREET_STEMS = (
    "High", "Station", "Church", "Mill", "Victoria", "Park", "Manor", "Green", "Queen's", "King's",
    "Albert", "School", "Chapel", "New", "Grange", "Orchard", "Meadow", "Beech", "Oak", "Elm",
    "Willow", "Ash", "Cedar", "Springfield", "Windsor", "York", "Cromwell", "Nelson", "Wellington",
    "Westfield", "Highfield", "Richmond", "Stanley", "Hawthorn", "Birch", "Clarence", "Alexandra",
    "Marlborough", "Belmont", "Brook", "Bridge", "Castle", "Market", "Mount", "North", "South", "West",
    "Holly", "Lime", "Poplar", "Sycamore", "Chestnut", "Rectory", "Vicarage", "Fairfield", "Ferndale",
)  # fmt: skip
_STREET_SUFFIXES = (
    "Road", "Road", "Road", "Street", "Street", "Lane", "Lane", "Avenue", "Close", "Drive", "Way",
    "Crescent", "Grove", "Gardens", "Terrace", "Place", "Court", "Walk", "Mews", "Rise", "View", "Hill",
    "Row", "Square",
)  # fmt: skip
_WHOLE_STREETS = ("Kingsway", "Broadway", "The Green", "The Crescent", "The Avenue", "The Parade", "Parkway")
_HOUSE_NAMES = ("Rose Cottage", "The Old Rectory", "Ivy House", "Orchard House", "The Willows", "Hillcrest")
_FLAT_WORDS = ("Flat", "Flat", "Flat", "Apartment", "Unit")
_INWARD_LETTERS = "ABDEFGHJLNPQRSTUWXYZ"  # C I K M O V are never used in the inward code

_SURNAME_STEMS = tuple(n for n in _PersonProvider.last_names if "'" not in n)


@dataclass(frozen=True, slots=True)
class Address:
    """One postal address. ``flat`` is e.g. 'Flat 3'; ``number`` may be '' when a house name is used."""

    flat: str
    number: str
    street: str
    town: str
    postcode: str  # canonical 'LS6 2QT'

    @property
    def street_line(self) -> str:
        """House number + street, e.g. '27 Mill Lane' or 'Rose Cottage, Mill Lane'."""
        return f"{self.number} {self.street}" if self.number else self.street


def make_postcode(rng: random.Random, area: str) -> str:
    """A well-formed postcode in ``area``: outward 'LS6' / 'SW11', inward digit + two letters."""
    district = rng.randrange(1, 30) if rng.random() < 0.6 else rng.randrange(1, 10)
    letters = _INWARD_LETTERS
    inward = f"{rng.randrange(10)}{letters[rng.randrange(20)]}{letters[rng.randrange(20)]}"
    return f"{area}{district} {inward}"


def make_street(rng: random.Random) -> str:
    r = rng.random()
    if r < 0.08:
        return rng.choice(_WHOLE_STREETS)
    stem = rng.choice(_STREET_STEMS) if r < 0.7 else rng.choice(_SURNAME_STEMS)
    return f"{stem} {rng.choice(_STREET_SUFFIXES)}"


def make_town(rng: random.Random, *, hard: bool = False) -> tuple[str, tuple[str, ...]]:
    """A town and its postcode areas; hard mode mixes in towns named like ordinary words."""
    pool = HARD_TOWNS if hard and rng.random() < 0.3 else TOWNS
    return pool[rng.randrange(len(pool))]


def make_address(rng: random.Random, *, hard: bool = False, town: str | None = None) -> Address:
    if town is None:
        town, areas = make_town(rng, hard=hard)
    else:
        areas = _TOWN_AREAS[town]
    postcode = make_postcode(rng, areas[rng.randrange(len(areas))])
    street = make_street(rng)
    r = rng.random()
    flat = ""
    if r < 0.06:
        # a named house: 'Rose Cottage, Mill Lane'
        return Address("", "", f"{rng.choice(_HOUSE_NAMES)}, {street}", town, postcode)
    if r < 0.3:
        flat = f"{rng.choice(_FLAT_WORDS)} {rng.randrange(1, 40)}"
        if rng.random() < 0.15:
            flat += "ABC"[rng.randrange(3)]
    number = str(rng.randrange(1, 40) if rng.random() < 0.7 else rng.randrange(1, 260))
    if rng.random() < 0.05:
        number += "a"
    return Address(flat, number, street, town, postcode)
