"""The frozen word lists (name lexicon, gazetteer): read from packaged resources, never from Faker at run
time, and part of the analyser version."""

from __future__ import annotations

import subprocess
import sys

from scrubdesk.models.pii import name_lexicon
from scrubdesk.models.pii.gazetteer import gazetteer_digest, load_gazetteer


def test_lexicon_is_read_without_importing_faker():
    code = (
        "import sys\n"
        "from scrubdesk.models.pii.name_lexicon import frozen_lists\n"
        "given, surnames, places, words = frozen_lists()\n"
        "print(len(given) > 10000, len(surnames) > 10000, 'faker' in sys.modules)\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.split() == ["True", "True", "False"]


def test_lexicon_classes():
    given, surnames, places, words = name_lexicon.frozen_lists()
    assert "heather" in given and "smith" in surnames and "aachen" in places
    assert "ability" in words  # the English lorem list
    assert all(w == w.lower() for w in list(given)[:1000])


def test_gazetteer_lookups():
    gazetteer = load_gazetteer()
    assert gazetteer.get("France").kind == "country"
    assert gazetteer.get("Texas").kind == "region"
    assert gazetteer.get("Leeds").kind == "city" and gazetteer.get("Leeds").major
    assert gazetteer.get("leeds") is None  # exact spelling ...
    assert gazetteer.get_lower("LEEDS") == gazetteer.get("Leeds")  # ... or any case
    assert gazetteer.get("Munich") is not None  # an exonym of a large city
    assert gazetteer.max_words >= 3


def test_analyser_version_names_the_word_lists(analyzer):
    assert name_lexicon.resource_digest(name_lexicon.NAMES_RESOURCE)[:8] in analyzer.version
    assert gazetteer_digest()[:8] in analyzer.version
