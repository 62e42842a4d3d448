"""Faker, trimmed: the providers' base modules and only the English locales Scrubdesk uses (surrogates
are en_GB; Faker falls back to en_US), instead of every locale (~20 MB) — except the person and address
providers, whose every locale feeds the PII engine's name lexicon (models/pii/name_lexicon.py): the
bundle must find the same names as the tested source tree (~9 MB)."""

from PyInstaller.utils.hooks import collect_data_files, collect_submodules

LOCALES = ("en", "en_GB", "en_US")
LEXICON_PROVIDERS = ("person", "address")


def _wanted(name: str) -> bool:
    parts = name.split(".")
    # faker.providers.<provider>[.<locale>]: keep the provider and the English locales only
    if len(parts) >= 4 and parts[1] == "providers":
        return parts[2] in LEXICON_PROVIDERS or parts[3] in LOCALES
    return True


hiddenimports = collect_submodules("faker.providers", filter=_wanted)
datas = collect_data_files("text_unidecode")
