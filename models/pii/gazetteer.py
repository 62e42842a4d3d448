"""Place names: the frozen GeoNames gazetteer of ``resources/pii_places.tsv`` (continents, countries, US
states, cities of 15,000 people or more; built by :mod:`~scrubdesk.models.pii.lexicon_build`).

Read once per process (about 0.2 s, a few MB); its digest is part of the analyser version.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass

from scrubdesk.models.pii.name_lexicon import resource_digest, resource_text

PLACES_RESOURCE = "pii_places.tsv"
KINDS = ("continent", "country", "region", "city", "alias")


@dataclass(frozen=True, slots=True)
class Place:
    kind: str  # continent, country, region (a US state), city, or alias (another name of a city)
    population: int

    @property
    def major(self) -> bool:
        """A country, continent or state, or a city of at least 100,000 people (by its own name)."""
        return self.kind in ("continent", "country", "region") or (
            self.kind == "city" and self.population >= 100_000
        )

    @property
    def town(self) -> bool:
        return self.kind in ("city", "alias")


class Gazetteer:
    """Place names as written ('New York', 'Sankt Gallen'), looked up by their exact spelling or their
    lower-case form."""

    def __init__(self, rows: list[tuple[str, str, int]]) -> None:
        self._exact: dict[str, Place] = {}
        self._lower: dict[str, Place] = {}
        self.first_words: set[str] = set()  # the first word of every name, lower case
        self.max_words = 1
        rank = {kind: i for i, kind in enumerate(KINDS)}
        for name, kind, population in rows:
            place = Place(kind, population)
            for table, key in ((self._exact, name), (self._lower, name.lower())):
                old = table.get(key)
                if old is None or (rank[kind], -population) < (rank[old.kind], -old.population):
                    table[key] = place
            words = name.split()
            self.max_words = max(self.max_words, len(words))
            self.first_words.add(words[0].lower())
            self.first_words.add(words[0].split("-")[0].lower())

    def __repr__(self) -> str:
        return f"Gazetteer(names={len(self._exact)})"

    def __len__(self) -> int:
        return len(self._exact)

    def get(self, name: str) -> Place | None:
        """The place called exactly ``name``, or None."""
        return self._exact.get(name)

    def get_lower(self, name: str) -> Place | None:
        """The place whose name is ``name`` in any capitalisation, or None."""
        return self._lower.get(name.lower())


@functools.cache
def load_gazetteer() -> Gazetteer:
    rows: list[tuple[str, str, int]] = []
    for line in resource_text(PLACES_RESOURCE).splitlines():
        if not line or line.startswith("#"):
            continue
        name, kind, population, _country = line.split("\t")
        rows.append((name, kind, int(population)))
    return Gazetteer(rows)


def gazetteer_digest() -> str:
    return resource_digest(PLACES_RESOURCE)
