"""The vocabulary scan: proves a trained model holds no PII string of the project and no PII-shaped text.

Scans every string a fitted estimator stores (vocabularies, class labels, parameters, nested estimators),
not only the vocabularies. A finding names where and what kind, never the string itself.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Any

import numpy as np

from scrubdesk.models.privacy.patterns import first_match

PII_STRING = "PROJECT_PII_STRING"


@dataclass(frozen=True)
class ScanFinding:
    where: str  # e.g. "attr:steps[0].transformer_list[1].vocabulary_"
    kind: str  # PROJECT_PII_STRING or a pattern name


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
            "passed": self.passed,
        }


def normalise(text: str) -> str:
    return " ".join(text.lower().split())


def term_problem(term: str, pii: set[str]) -> str | None:
    """Why ``term`` may not be stored, or None. ``pii`` holds normalised PII strings of the project.

    A term is refused when it equals a PII string, when one of its words is a one-word PII string, or
    when it contains anything PII-shaped.
    """
    norm = normalise(term)
    if norm and (norm in pii or any(word in pii for word in norm.split())):
        return PII_STRING
    return first_match(term)


def allowed_mask(terms: Iterable[str], pii: set[str]) -> np.ndarray:
    return np.array([term_problem(t, pii) is None for t in terms], dtype=bool)


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


def scan_object(obj: Any, pii: set[str]) -> ScanReport:
    """Scan every string stored anywhere in ``obj`` (a fitted pipeline)."""
    findings: list[ScanFinding] = []
    count = 0
    for where, text in _strings(obj, "model", set()):
        count += 1
        problem = term_problem(text, pii)
        if problem is not None:
            findings.append(ScanFinding(where, problem))
    return ScanReport(count, tuple(findings))
