"""Features: word and character n-gram TF-IDF over scrubbed text, with the k-distinct-senders rule.

Texts are tokenised once (:class:`TokenCounts`); each cross-validation fold and the final model choose
their vocabulary from the messages they train on: a term is kept only if it occurs in messages from at
least ``k`` distinct data subjects (senders; one person writes many messages, so counting messages would
keep a person's own name or username) and passes the vocabulary scan. Character n-grams are ``char_wb``
(they never span two words) and get the same rule and the same scan. The final vectorizers are built
with that explicit vocabulary, so a saved model never holds the rare terms that were dropped.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import scipy.sparse as sp
from sklearn.feature_extraction.text import CountVectorizer, TfidfTransformer, TfidfVectorizer
from sklearn.pipeline import FeatureUnion

from scrubdesk.core.errors import InputError
from scrubdesk.models.privacy.patterns import mask_patterns
from scrubdesk.models.privacy.vocabulary_scan import allowed_mask
from scrubdesk.models.triage.settings import TriageSettings


def guard_text(text: str) -> str:
    """Preprocessor of every vectorizer: PII-shaped strings the analyser missed become placeholders."""
    return mask_patterns(text).lower()


def _vectorizer_params(block: str, settings: TriageSettings) -> dict[str, Any]:
    if block == "word":
        return {"preprocessor": guard_text, "ngram_range": settings.word_ngrams}
    return {"preprocessor": guard_text, "ngram_range": settings.char_ngrams, "analyzer": "char_wb"}


BLOCKS = ("word", "char")


@dataclass(frozen=True)
class Vocabulary:
    """The terms a model may use, per block, in column order."""

    word: tuple[str, ...]
    char: tuple[str, ...]

    def sizes(self) -> dict[str, int]:
        return {"word": len(self.word), "char": len(self.char)}


class EmptyVocabularyError(InputError):
    """No term occurs in messages from k distinct senders: too few messages for n-gram features."""


def _subject_matrix(senders: list[str] | None, n: int) -> sp.csr_matrix:
    """One-hot rows: message -> its sender (each message its own sender when none is known)."""
    if senders is None:
        return sp.identity(n, dtype=np.float32, format="csr")
    if len(senders) != n:
        raise ValueError("one sender per text is needed")
    index: dict[str, int] = {}
    cols = np.array([index.setdefault(s, len(index)) for s in senders])
    return sp.csr_matrix((np.ones(n, dtype=np.float32), (np.arange(n), cols)), shape=(n, len(index)))


class TokenCounts:
    """Term counts of every text, computed once. Terms that fail the vocabulary scan are never columns.

    ``senders`` gives each text's data subject (keyed ID); None counts every text as its own sender.
    """

    def __init__(
        self, texts: list[str], settings: TriageSettings, pii: set[str], senders: list[str] | None = None
    ) -> None:
        self.settings = settings
        self.subjects = _subject_matrix(senders, len(texts))
        self.matrices: dict[str, sp.csr_matrix] = {}
        self.terms: dict[str, np.ndarray] = {}
        self.refused: dict[str, int] = {}
        for block in BLOCKS:
            vec = CountVectorizer(**_vectorizer_params(block, settings), dtype=np.float32)
            try:
                X = vec.fit_transform(texts).tocsc()
            except ValueError:  # no term at all (e.g. every text empty after scrubbing)
                X, terms = sp.csc_matrix((len(texts), 0), dtype=np.float32), np.array([], dtype=object)
                self.refused[block] = 0
                self.matrices[block], self.terms[block] = X.tocsr(), terms
                continue
            terms = vec.get_feature_names_out()
            ok = allowed_mask(terms, pii)
            self.refused[block] = int((~ok).sum())
            self.matrices[block] = X[:, np.flatnonzero(ok)].tocsr()
            self.terms[block] = terms[ok]

    def kept_columns(self, rows: np.ndarray) -> dict[str, np.ndarray]:
        """Columns whose term is in messages from at least k distinct senders among ``rows``."""
        kept = {}
        subjects = self.subjects[rows]
        for block in BLOCKS:
            present = (self.matrices[block][rows] > 0).astype(np.float32)
            per_subject = (present.T @ subjects).tocsr()  # term x sender: messages with the term
            senders = np.diff(per_subject.indptr) if per_subject.nnz else np.zeros(present.shape[1])
            kept[block] = np.flatnonzero(np.asarray(senders).ravel() >= self.settings.k)
        if not any(len(v) for v in kept.values()):
            raise EmptyVocabularyError(
                f"no word or character n-gram occurs in messages from {self.settings.k} distinct senders "
                f"among {len(rows)} training messages (a cross-validation fold or the final set): add "
                "messages, lower --k, or train on embeddings (--features e5)"
            )
        return kept

    def vocabulary(self, rows: np.ndarray) -> Vocabulary:
        kept = self.kept_columns(rows)
        return Vocabulary(*(tuple(self.terms[b][kept[b]].tolist()) for b in BLOCKS))

    def tfidf(self, train_rows: np.ndarray, other_rows: np.ndarray) -> tuple[sp.csr_matrix, sp.csr_matrix]:
        """TF-IDF matrices for a train and a test part, vocabulary and IDF from the train part only."""
        kept = self.kept_columns(train_rows)
        train_parts, other_parts = [], []
        for block in BLOCKS:
            if not len(kept[block]):  # e.g. no word in k senders' messages, only character n-grams
                continue
            X = self.matrices[block][:, kept[block]]
            weigh = TfidfTransformer(sublinear_tf=True).fit(X[train_rows])
            train_parts.append(weigh.transform(X[train_rows]))
            other_parts.append(weigh.transform(X[other_rows]))
        return sp.hstack(train_parts, format="csr"), sp.hstack(other_parts, format="csr")


def build_features(vocabulary: Vocabulary, settings: TriageSettings) -> FeatureUnion:
    """The persisted feature extractor: TF-IDF with a fixed, audited vocabulary."""
    return FeatureUnion(
        [
            (
                block,
                TfidfVectorizer(
                    **_vectorizer_params(block, settings),
                    vocabulary=list(getattr(vocabulary, block)),
                    sublinear_tf=True,
                    dtype=np.float64,
                ),
            )
            for block in BLOCKS
            if getattr(vocabulary, block)  # an empty vocabulary cannot be fitted: that block is left out
        ]
    )
