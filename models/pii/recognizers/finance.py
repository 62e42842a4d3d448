"""Payment and bank identifiers: sort code, account number, IBAN, card number."""

from __future__ import annotations

from presidio_analyzer import RecognizerResult
from presidio_analyzer.nlp_engine import NlpArtifacts

from scrubdesk.core import pii_checksums as checksums
from scrubdesk.models.pii.entities import CREDIT_CARD, IBAN_CODE, UK_BANK_ACCOUNT, UK_SORT_CODE
from scrubdesk.models.pii.recognizers.declarative import DeclarativeRecognizer

_BANK_CONTEXT = ("sort", "code", "account", "acc", "a/c", "bank", "acct", "number", "no")


class SortCodeRecognizer(DeclarativeRecognizer):
    """'12-34-56', '12 34 56', '123456': only with bank context nearby (dates look the same)."""

    ENTITY = UK_SORT_CODE
    PATTERNS = (
        ("sort code grouped", r"(?<![\d/.-])\d{2}[- ]\d{2}[- ]\d{2}(?![\d/]|[.-]\d)", 0.1),
        ("sort code plain", r"(?<![\d/.-])\d{6}(?![\d/]|[.-]\d)", 0.05),
    )
    CONTEXT = ("sort", "sortcode", "bank", "code")


class BankAccountRecognizer(DeclarativeRecognizer):
    """8-digit UK account numbers, only with account or bank context nearby."""

    ENTITY = UK_BANK_ACCOUNT
    PATTERNS = (("account number", r"(?<![\d/.-])\d{8}(?![\d/]|[.-]\d)", 0.3),)
    CONTEXT = _BANK_CONTEXT


class IbanCodeRecognizer(DeclarativeRecognizer):
    """IBANs of any country with a valid mod-97 check, grouped or not: 'GB82 WEST 1234 5698 7654 32'."""

    ENTITY = IBAN_CODE
    PATTERNS = (
        (
            "iban",
            r"(?<![\w/.#-])[A-Z]{2}\d{2}(?:[ \t]?[A-Z0-9]{4}){2,7}(?:[ \t]?[A-Z0-9]{1,3})?(?![\w/-])",
            0.5,
        ),
    )
    CONTEXT = ("iban", "bank", "account")
    VALID_SCORE = 1.0

    def check(self, text: str) -> bool:
        return checksums.is_valid_iban(text)


class CardNumberRecognizer(DeclarativeRecognizer):
    """Payment card numbers, 12-19 digits, spaced or dashed, passing the Luhn check. A 12-digit number
    (some Maestro cards) is common as a reference too: it needs a word like 'card' nearby."""

    ENTITY = CREDIT_CARD
    PATTERNS = (("card", r"(?<![\w+/.#-])\d(?:[ -]?\d){11,18}(?![\w-]|[./]\d)", 0.3),)
    CONTEXT = ("card", "visa", "mastercard", "maestro", "amex", "credit", "debit", "payment", "cc")
    VALID_SCORE = 1.0
    SHORT_SCORE = 0.25  # a valid 12-digit number: below the threshold unless context raises it

    def check(self, text: str) -> bool:
        return checksums.is_valid_card(text)

    def analyze(
        self,
        text: str,
        entities: list[str],
        nlp_artifacts: NlpArtifacts | None = None,
        regex_flags: int | None = None,
    ) -> list[RecognizerResult]:
        results = super().analyze(text, entities, nlp_artifacts, regex_flags)
        for r in results:
            if len(checksums.compact(text[r.start : r.end])) == 12:
                r.score = min(r.score, self.SHORT_SCORE)
        return self.with_context_chance(text, results)
