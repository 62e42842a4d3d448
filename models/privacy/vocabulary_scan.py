"""The vocabulary scan: proves a trained model holds no PII string of the project and no PII-shaped text.

Scans every string a fitted estimator stores (vocabularies, class labels, parameters, nested estimators),
not only the vocabularies, against every PII string of the project and every data subject's own
identifiers from the headers. A finding names where (vocabulary, class label or parameter, and the
attribute path) and what kind. It never quotes a vocabulary term or parameter (that could be the personal
string itself); a class label is named, because labels are the admin's own words, with how to resolve it.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Any

import numpy as np

from scrubdesk.models.privacy.patterns import first_match

PII_STRING = "PROJECT_PII_STRING"
SUBJECT_IDENTIFIER = "SUBJECT_IDENTIFIER"
LOCATIONS = ("vocabulary", "class label", "parameter")
_KIND_WORDS = {
    PII_STRING: "equals (or has a word equal to) a string the analyser or a reviewer marked as personal data",
    SUBJECT_IDENTIFIER: "equals (or has a word equal to) a sender's or recipient's name or address part",
}


@dataclass(frozen=True)
class ScanFinding:
    where: str  # e.g. "model.steps[0][1].transformer_list[1][1].vocabulary_.keys"
    kind: str  # PROJECT_PII_STRING, SUBJECT_IDENTIFIER or a pattern name (EMAIL_ADDRESS, ...)
    location: str = "parameter"  # vocabulary | class label | parameter
    label: str | None = None  # the class label itself, for class-label findings only

    def describe(self) -> str:
        """What and where, in words, with how to resolve it (never quotes a vocabulary term)."""
        what = _KIND_WORDS.get(self.kind, f"contains a {self.kind}-shaped string")
        if self.location == "class label" and self.label is None:
            return f"a class label ({self.where}) {what}: rename that label (`scrubdesk labels rename`)"
        if self.location == "class label":
            return (
                f"class label {self.label!r} {what}. Resolve it: rename the label (`scrubdesk labels "
                "rename`), or, if that word is not personal data in this project, reject those spans in "
                "review (mark them not personal) and train again"
            )
        if self.location == "vocabulary":
            return f"a vocabulary term ({self.where}) {what}; raise --k or review the messages that hold it"
        return f"a stored parameter ({self.where}) {what}"

    def as_dict(self) -> dict[str, Any]:
        return {
            "location": self.location,
            "kind": self.kind,
            "where": self.where,
            **({"label": self.label} if self.label is not None else {}),
            "explanation": self.describe(),
        }


@dataclass(frozen=True)
class ScanReport:
    strings_scanned: int
    findings: tuple[ScanFinding, ...]

    @property
    def passed(self) -> bool:
        return not self.findings

    def as_dict(self) -> dict[str, Any]:
        return {
            "strings_scanned": self.strings_scanned,
            "findings": len(self.findings),
            "findings_by_kind": dict(sorted(Counter(f.kind for f in self.findings).items())),
            "findings_by_location": dict(sorted(Counter(f.location for f in self.findings).items())),
            "details": [f.as_dict() for f in self.findings[:20]],
            "passed": self.passed,
        }

    def explain(self) -> str:
        """One line per finding (at most 5, then a count), for the CLI and the audit trail."""
        lines = [f"- {f.describe()}" for f in self.findings[:5]]
        if len(self.findings) > 5:
            lines.append(f"- ... and {len(self.findings) - 5} more")
        return "\n".join(lines)


def normalise(text: str) -> str:
    return " ".join(text.lower().split())


def term_problem(
    term: str, pii: set[str], identifiers: frozenset[str] | set[str] = frozenset()
) -> str | None:
    """Why ``term`` may not be stored, or None. ``pii`` holds normalised PII strings of the project,
    ``identifiers`` the data subjects' own identifiers (normalised).

    A term is refused when it equals one of them, when one of its words is a one-word one, or when it
    contains anything PII-shaped.
    """
    norm = normalise(term)
    if norm:
        words = norm.split()
        if norm in pii or any(word in pii for word in words):
            return PII_STRING
        if norm in identifiers or any(word in identifiers for word in words):
            return SUBJECT_IDENTIFIER
    return first_match(term)


def allowed_mask(
    terms: Iterable[str], pii: set[str], identifiers: frozenset[str] | set[str] = frozenset()
) -> np.ndarray:
    return np.array([term_problem(t, pii, identifiers) is None for t in terms], dtype=bool)


def _location(where: str) -> str:
    if "vocabulary" in where or "stop_words" in where:
        return "vocabulary"
    if where.endswith("classes_") or where.endswith("classes_[]") or ".classes_" in where:
        return "class label"
    return "parameter"


def _strings(obj: Any, where: str, seen: set[int]) -> Iterator[tuple[str, str]]:
    if isinstance(obj, str):
        yield where, obj
        return
    if isinstance(obj, bytes):
        yield where, obj.decode("utf-8", errors="replace")
        return
    if obj is None or isinstance(obj, (bool, int, float, np.number)):
        return
    if id(obj) in seen:
        return
    seen.add(id(obj))
    if isinstance(obj, np.ndarray):
        if obj.dtype.kind in "OUS":
            for item in obj.ravel().tolist():
                yield from _strings(item, where, seen)
        return
    if isinstance(obj, dict):
        for key, value in obj.items():
            yield from _strings(key, f"{where}.keys", seen)
            yield from _strings(value, f"{where}[]", seen)
        return
    if isinstance(obj, (list, tuple, set, frozenset)):
        for i, item in enumerate(obj):
            yield from _strings(item, f"{where}[{i}]", seen)
        return
    if (hasattr(obj, "__dict__") and not callable(obj)) or hasattr(obj, "get_params"):
        for name, value in vars(obj).items():
            yield from _strings(value, f"{where}.{name}", seen)


def scan_object(obj: Any, pii: set[str], identifiers: frozenset[str] | set[str] = frozenset()) -> ScanReport:
    """Scan every string stored anywhere in ``obj`` (a fitted pipeline)."""
    findings: list[ScanFinding] = []
    count = 0
    labels_seen: set[str] = set()
    for where, text in _strings(obj, "model", set()):
        count += 1
        problem = term_problem(text, pii, identifiers)
        if problem is None:
            continue
        location = _location(where)
        if location == "class label":
            if text in labels_seen:  # the same label stored twice (model and wrapper) is one finding
                continue
            labels_seen.add(text)
        # a label is named (the admin's own word) unless it is PII-shaped itself: then it may be personal
        named = location == "class label" and problem in (PII_STRING, SUBJECT_IDENTIFIER)
        findings.append(ScanFinding(where, problem, location, text if named else None))
    return ScanReport(count, tuple(findings))
