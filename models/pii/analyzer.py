"""The PII analyser: Presidio with Scrubdesk's recognisers, header-aware names, allow-list, per-entity
thresholds, chunking of over-long texts, and batching. Returns :class:`scrubdesk.core.spans.Span` values.

Never logs matched text: only entity types, offsets, scores and counts.
"""

from __future__ import annotations

import logging
import unicodedata
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

import regex
from presidio_analyzer import AnalyzerEngine, EntityRecognizer, RecognizerResult

from scrubdesk.core.spans import Span, resolve_overlaps
from scrubdesk.models.pii.casing import recase
from scrubdesk.models.pii.chunking import chunks
from scrubdesk.models.pii.config import PiiConfig
from scrubdesk.models.pii.entities import PERSON
from scrubdesk.models.pii.gazetteer import gazetteer_digest
from scrubdesk.models.pii.language import language_of
from scrubdesk.models.pii.name_lexicon import NAMES_RESOURCE, load_lexicon, resource_digest
from scrubdesk.models.pii.propagation import RECOGNIZER as PROPAGATION
from scrubdesk.models.pii.propagation import propagate_names
from scrubdesk.models.pii.recognizers.header_grammar import NameWords
from scrubdesk.models.pii.recognizers.header_names import HeaderNameRecognizer, people_from_headers
from scrubdesk.models.pii.recognizers.names import NOT_NAME_WORDS
from scrubdesk.models.pii.vetoes import cut, not_name_regions

log = logging.getLogger(__name__)

ANALYZER_NAME = "scrubdesk-pii"
ANALYZER_RELEASE = "4"  # bump when recogniser code changes what it finds


@dataclass(frozen=True)
class AnalysisResult:
    """The spans of one text, and its language: ``language`` is the detected language (None when the
    text is too short to tell); ``supported`` is False when it is not the analyser's language, in which
    case the spans hold only language-independent findings and the message needs review by hand."""

    spans: list[Span]
    language: str | None = None
    supported: bool = True

    def __repr__(self) -> str:
        return (
            f"AnalysisResult(spans={len(self.spans)}, language={self.language}, supported={self.supported})"
        )


# Recognisers that read English (word lists, cues, the English NER model): on a message in another
# language their findings are dropped. Numbers, addresses, postcodes and the names of the headers stay.
LANGUAGE_DEPENDENT = frozenset(
    {
        "SpacyRecognizer", "LexiconNameRecognizer", "NameCueRecognizer", "LowerCaseNameCueRecognizer",
        "LetterNameRecognizer", "PlaceCueRecognizer", "GazetteerPlaceRecognizer", "SalutationNameRecognizer",
    }
)  # fmt: skip
LANGUAGE_GATE = "LanguageDetection"


@dataclass(frozen=True)
class AnalysisInput:
    """One text to analyse, with the message's headers when known. Holds personal data: never log it."""

    text: str
    headers: Mapping[str, Any] | None = field(default=None)

    def __repr__(self) -> str:
        return f"AnalysisInput(chars={len(self.text)}, headers={bool(self.headers)})"


def clean_text(text: str) -> str:
    """Control characters (binary junk, NUL) become spaces, so offsets stay the same and regexes and the
    tokenizer never see them. Tabs and line breaks are kept."""
    if text.isprintable():
        return text
    return "".join(
        ch if ch in "\n\t\r" or unicodedata.category(ch)[0] != "C" or ch.isspace() else " " for ch in text
    )


class PiiAnalyzer:
    """Finds PII spans. Built once per process by :func:`scrubdesk.models.pii.engine.get_analyzer`."""

    def __init__(self, config: PiiConfig, engine: AnalyzerEngine, model_version: str) -> None:
        self.config = config
        self.engine = engine
        # The frozen word lists' digests: a new name list or gazetteer re-analyses what it changes.
        lists = f"{resource_digest(NAMES_RESOURCE)[:8]}{gazetteer_digest()[:8]}"
        self.version = (
            f"{ANALYZER_NAME}/{ANALYZER_RELEASE}+{config.model}-{model_version}+{config.fingerprint}+{lists}"
        )
        self._allow = [
            regex.compile(r"(?<!\w)" + regex.escape(a) + r"(?!\w)", regex.IGNORECASE)
            for a in config.allow_list
            if a.strip()
        ]
        self._min_threshold = min([config.score_threshold, *config.thresholds.values()])
        self._headers_enabled = config.enabled("HeaderNameRecognizer")
        self._language_gate = config.enabled(LANGUAGE_GATE)
        self._propagate = config.enabled(PROPAGATION)
        lexicon = load_lexicon(config.model, config.ambiguous_names)
        self._lexicon = lexicon
        # Names that are also ordinary words ('Hope', 'May', 'Frank') are never propagated.
        self._is_ordinary: Callable[[str], bool] = lambda w: (
            lexicon.is_ambiguous(w) or w.lower() in NOT_NAME_WORDS
        )
        # A known given name or surname that is no ordinary word: two in a list make it a list of people.
        self._is_name: Callable[[str], bool] = lambda w: (
            (lexicon.is_given(w) or lexicon.is_surname(w)) and not self._is_ordinary(w)
        )
        # What the header grammar needs to tell a person's display name from an organisation's.
        self._name_words = NameWords(
            lambda w: lexicon.is_given(w) or lexicon.is_surname(w),
            lambda w: lexicon.is_ambiguous(w) or lexicon.is_noun(w),
        )

    @property
    def nlp_engine(self) -> Any:
        return self.engine.nlp_engine

    def analyze(self, text: str, headers: Mapping[str, Any] | None = None) -> list[Span]:
        return next(self.analyze_many([AnalysisInput(text, headers)], batch_size=1))

    def analyze_many(self, inputs: Iterable[AnalysisInput], batch_size: int = 32) -> Iterator[list[Span]]:
        """Spans for each input, in order. Texts go through the NLP pipeline in batches."""
        for result in self.analyze_many_detailed(inputs, batch_size):
            yield result.spans

    def analyze_many_detailed(
        self, inputs: Iterable[AnalysisInput], batch_size: int = 32
    ) -> Iterator[AnalysisResult]:
        """Spans and language for each input, in order."""
        batch: list[AnalysisInput] = []
        for item in inputs:
            batch.append(item)
            if len(batch) >= batch_size:
                yield from self._analyze_batch(batch)
                batch = []
        if batch:
            yield from self._analyze_batch(batch)

    def _analyze_batch(self, batch: list[AnalysisInput]) -> Iterator[AnalysisResult]:
        # Offsets in the cleaned and re-cased texts are those of the originals (same lengths).
        texts = [recase(clean_text(item.text or ""), self._lexicon.is_word) for item in batch]
        pieces: list[tuple[int, int, str]] = []  # (input index, offset, chunk text)
        for i, text in enumerate(texts):
            for offset, chunk in chunks(text, self.config.chunk_chars, self.config.chunk_overlap):
                if chunk.strip():
                    pieces.append((i, offset, chunk))
        language = self.config.language
        artifacts = self.nlp_engine.process_batch(
            [p[2] for p in pieces], language, batch_size=len(pieces) or 1
        )
        found: list[list[Span]] = [[] for _ in batch]
        recognizers = [self._header_recognizer(item, text) for item, text in zip(batch, texts, strict=True)]
        for (i, offset, chunk), (_, nlp_artifacts) in zip(pieces, artifacts, strict=True):
            header_recognizer = recognizers[i]
            ad_hoc: list[EntityRecognizer] | None = (
                [header_recognizer] if header_recognizer is not None else None
            )
            results = self.engine.analyze(
                chunk,
                language,
                nlp_artifacts=nlp_artifacts,
                ad_hoc_recognizers=ad_hoc,
                score_threshold=self._min_threshold,
            )
            found[i].extend(_to_span(r).shifted(offset) for r in results)
        for text, spans in zip(texts, found, strict=True):
            detected, supported = (
                language_of(text, self.config.language) if self._language_gate else (None, True)
            )
            kept = spans if supported else [s for s in spans if s.recognizer not in LANGUAGE_DEPENDENT]
            result = self._finish(text, kept)
            log.debug("analysed %d chars: %d spans, language %s", len(text), len(result), detected)
            yield AnalysisResult(result, detected, supported)

    def _header_recognizer(self, item: AnalysisInput, text: str) -> HeaderNameRecognizer | None:
        if not self._headers_enabled:
            return None
        people = people_from_headers(item.headers, self.config.allow_list, self._name_words, text)
        if people.empty:
            return None
        return HeaderNameRecognizer(
            people, self.config.ambiguous_names, self.config.language, self._name_words
        )

    def _finish(self, text: str, spans: list[Span]) -> list[Span]:
        spans = [s for s in set(spans) if s.score >= self.config.threshold(s.label)]
        spans = [trimmed for s in spans if (trimmed := _trim(text, s)) is not None]
        vetoed = not_name_regions(text)
        spans = cut(spans, vetoed)
        if self._propagate:
            spans += cut(propagate_names(text, spans, self._is_ordinary, self._is_name), vetoed)
        if self._allow:
            allowed = [m.span() for rx in self._allow for m in rx.finditer(text)]
            spans = [s for s in spans if not any(a <= s.start and s.end <= b for a, b in allowed)]
        resolved = _merge_touching(resolve_overlaps(spans, text))
        return [
            trimmed
            for s in resolved
            if (trimmed := _trim(text, s)) is not None and not _not_a_name(text, trimmed)
        ]


def _merge_touching(spans: list[Span]) -> list[Span]:
    """Rejoin pieces of one label that touch: resolving overlaps can cut a long finding ('the corner of
    Hamngatan 12 and Lake Road') where a stronger one of the same label sat inside it."""
    merged: list[Span] = []
    for span in spans:
        last = merged[-1] if merged else None
        if last is not None and last.label == span.label and last.end == span.start:
            best = last if last.score >= span.score else span
            merged[-1] = Span(last.start, span.end, span.label, best.score, best.recognizer)
        else:
            merged.append(span)
    return merged


def _not_a_name(text: str, span: Span) -> bool:
    """A PERSON left holding only a title or salutation word (after overlaps were resolved)."""
    if span.label != PERSON:
        return False
    return all(w.lower().strip(".,") in NOT_NAME_WORDS for w in text[span.start : span.end].split())


def _to_span(result: RecognizerResult) -> Span:
    name = (result.recognition_metadata or {}).get(RecognizerResult.RECOGNIZER_NAME_KEY, "")
    return Span(result.start, result.end, result.entity_type, float(result.score), str(name))


_TRIM = " \t\r\n.,;:!?\"'[]<>"


def _trim(text: str, span: Span) -> Span | None:
    """Strip separators and unbalanced brackets from both ends ('(020) 7946 0018' keeps its bracket)."""
    start, end = span.start, span.end
    while start < end:
        ch = text[start]
        if ch in _TRIM or (ch == "(" and ")" not in text[start:end]) or ch == ")":
            start += 1
        else:
            break
    while end > start:
        ch = text[end - 1]
        if ch == "." and end - start <= 4:
            break
        if ch in _TRIM or (ch == ")" and "(" not in text[start:end]) or ch == "(":
            end -= 1
        else:
            break
    if end <= start:
        return None
    return Span(start, end, span.label, span.score, span.recognizer)
