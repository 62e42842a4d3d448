"""Street addresses: flat, house number or name, street with a street-type word, and the town after it,
on one line or across lines ('27 Mill Lane\\nLeeds'). Postcodes are found by their own recogniser.
"""

from __future__ import annotations

import regex
from presidio_analyzer import RecognizerResult
from presidio_analyzer.nlp_engine import NlpArtifacts

from scrubdesk.models.pii.entities import LOCATION, STREET_ADDRESS
from scrubdesk.models.pii.recognizers.declarative import DeclarativeRecognizer

_STREET_TYPES = (
    "Road|Rd|Street|St|Lane|Ln|Avenue|Ave|Close|Cl|Drive|Dr|Way|Crescent|Cres|Grove|Gardens|Gdns|"
    "Terrace|Tce|Place|Pl|Court|Ct|Walk|Mews|Rise|View|Hill|Row|Square|Sq|Parade|Park|Green|Vale|"
    "Wharf|Yard|Boulevard|Blvd|Broadway|Kingsway|Parkway|Circus|Croft|Fold|Gate|Hollow|Heights|Meadow|"
    "Meadows|Mount|Passage|Approach|Bank|Chase|Dale|End|Field|Fields|Glade|Grange|Quay|Reach|Ride|"
    "Side|Villas|Wynd|Loan|Brae|Highway|Hwy|Plaza|Trail|Pike|Circle|Cir|Alley|Terr|Ter|Point|Pt"
)
_WORD = r"[A-Z][\w'’.-]*"
_HOUSE = (
    r"(?:(?:Flat|Apartment|Apt|Unit|Suite|Room)[ \t]+\d{1,4}[A-Za-z]?,?[ \t]+"
    r"(?:[A-Z][\w'’-]*[ \t]+(?:House|Court|Building|Lodge|Mansions),?[ \t]+)?)?"
)
# Not the tail of an amount or a longer number: '$402,000 Home Loan' is no address.
_NUMBER = r"(?<![\d,.$£€¥])\d{1,5}[A-Za-z]?(?:[-/]\d{1,5}[A-Za-z]?)?,?[ \t]+"
_NAMED_HOUSE = r"(?:(?:The[ \t]+)?[A-Z][\w'’-]+(?:[ \t]+[A-Z][\w'’-]+){0,2},[ \t]+)"
_STREET = (
    rf"(?:(?:The[ \t]+)?(?:{_WORD}[ \t]+){{1,3}}(?:{_STREET_TYPES})|The[ \t]+(?:{_STREET_TYPES})"
    r"|Broadway|Kingsway|Parkway)\b\.?"
)
_STOP = (
    r"(?:and|but|or|on|in|at|to|from|for|the|I|We|My|Our|Please|Thanks|Thank|Kind|Best|Regards|Many|Yours|"
    r"Also|It|This|That|Could|Can|From|Since|As|If|So|Tel|Phone|Mobile|Email|Postcode|Sort|Account|Sent|"
    r"Until|Before|After|Which|When|But|Let|Who)\b"
)
_TOWN_NAME = (
    rf"(?!{_STOP})[A-Z][a-z'’]+(?:[ \t-](?:upon|on|under|in|by|le|en|de)?[ \t-]?[A-Z][a-z'’]+){{0,3}}"
)
# The town belongs to the street's span only on the same line, after a comma: '27 Mill Lane, Leeds'.
_TOWN = rf"(?:,[ \t]*{_TOWN_NAME})?"
_UK = rf"{_HOUSE}(?:{_NUMBER}|{_NAMED_HOUSE}){_STREET}{_TOWN}"
_FLAT_LINE = r"^[ \t>]*(?:Flat|Apartment|Apt|Unit|Suite)[ \t]+\d{1,4}[A-Za-z]?(?=,?[ \t]*$)"
# Continental style, e.g. 'Hammarvägen 15', 'Rue de la Paix 3', 'Calle Mayor, 7'
_CONTINENTAL = (
    r"\b[A-ZÀ-Þ][\w'’-]*(?:vägen|gatan|gränd|straße|strasse|str\.|weg|gade|vej|veien|gata|katu|laan|straat|plein|"
    r"platz|allee|gasse|ring|utca|ulica|cesta)[ \t]+\d{1,4}[A-Za-z]?\b"
    r"|\b(?:Rue|Avenue|Boulevard|Via|Viale|Piazza|Calle|Avenida|Rua|Carrer|Plaza|Paseo|Ulica|Ul\.)[ \t]+"
    r"(?:(?:de|du|des|la|le|del|della|di|do|da|dos|das|van|von)[ \t]+)*[\w'’-]+"
    r"(?:[ \t]+[A-Z][\w'’-]+){0,3},?[ \t]+\d{1,4}\b"
)


# Every pattern below needs one of these words: a text without any is skipped (most e-mail, and the
# patterns are the costliest of the pattern recognisers).
_GATE = regex.compile(
    rf"\b(?:{_STREET_TYPES}|Flat|Apartment|Apt|Unit|Suite|Rue|Avenue|Boulevard|Via|Viale|Piazza|Calle|"
    r"Avenida|Rua|Carrer|Plaza|Paseo|Ulica|Ul)\b|(?:vägen|gatan|gränd|straße|strasse|str\.|weg|gade|vej|veien|"
    r"gata|katu|laan|straat|plein|platz|allee|gasse|ring|utca|ulica|cesta)[ \t]+\d"
)


class StreetAddressRecognizer(DeclarativeRecognizer):
    ENTITY = STREET_ADDRESS
    PATTERNS = (
        ("uk street address", _UK, 0.75),
        ("flat on its own line", _FLAT_LINE, 0.7),
        ("flat or suite number", r"\b(?:Flat|Apartment|Apt\.?|Unit|Suite)[ \t]+\d{1,4}[A-Za-z]?\b", 0.6),
        ("continental street address", _CONTINENTAL, 0.6),
    )
    CONTEXT = ("address", "live", "living", "moved", "moving", "at", "send", "post")
    FLAGS = regex.MULTILINE  # capitalisation carries the signal: '3 days in Bath' is not an address

    def analyze(
        self,
        text: str,
        entities: list[str],
        nlp_artifacts: NlpArtifacts | None = None,
        regex_flags: int | None = None,
    ) -> list[RecognizerResult]:
        if not _GATE.search(text):
            return []
        return super().analyze(text, entities, nlp_artifacts, regex_flags)


_POSTCODE = r"(?:[A-Za-z]{1,2}\d[A-Za-z\d]?[ \t]?\d[A-Za-z]{2})"
_STREET_LINE_END = rf"(?:{_STREET_TYPES})\.?,?[ \t]*\n[ \t>]*"


class AddressTownRecognizer(DeclarativeRecognizer):
    """The town line of a written address: after a street line, or before/beside a postcode."""

    ENTITY = LOCATION
    PATTERNS = (
        (
            "town after street line",
            rf"(?<={_STREET_LINE_END}){_TOWN_NAME}(?=,?[ \t]*(?:$|{_POSTCODE}\b))",
            0.8,
        ),
        ("town before postcode", rf"^[ \t>]*\K{_TOWN_NAME}(?=,?[ \t]*(?:\n[ \t>]*)?{_POSTCODE}[ \t]*$)", 0.7),
    )
    FLAGS = regex.MULTILINE
