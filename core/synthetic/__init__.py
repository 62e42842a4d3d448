"""Synthetic UK customer emails with gold PII spans and intent labels.

Used by the demo project, the import benchmark, the tests, the app's self-test, the PII-engine
evaluation (``hard=True``) and the classifier benchmarks. Everything it produces is invented: names from
Faker's en_GB tables, reserved e-mail domains, Ofcom drama phone numbers, test card BINs.

    >>> from scrubdesk.core.synthetic import generate
    >>> email = next(generate(1, seed=7))
    >>> all(email.body[s.start : s.end] for s in email.spans)
    True
"""

from __future__ import annotations

from .generator import generate
from .labels import INTENTS, LABELS
from .message import GoldSpan, SyntheticEmail
from .writers import write_csv, write_eml_dir, write_gold_jsonl, write_mbox

__all__ = [
    "INTENTS",
    "LABELS",
    "GoldSpan",
    "SyntheticEmail",
    "generate",
    "write_csv",
    "write_eml_dir",
    "write_gold_jsonl",
    "write_mbox",
]
