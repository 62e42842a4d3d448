"""E-mail addresses, URLs and IP addresses (v4 and v6). No network and no suffix list is involved."""

from __future__ import annotations

import ipaddress

from scrubdesk.models.pii.entities import EMAIL_ADDRESS, IP_ADDRESS, URL
from scrubdesk.models.pii.recognizers.declarative import DeclarativeRecognizer


class EmailAddressRecognizer(DeclarativeRecognizer):
    ENTITY = EMAIL_ADDRESS
    PATTERNS = (
        (
            "email",
            r"(?<![\w.%+-])\.{0,2}[A-Z0-9](?:[A-Z0-9._%+'-]{0,62}[A-Z0-9_'-])?@(?:[A-Z0-9](?:[A-Z0-9-]{0,61}[A-Z0-9])?\.)+[A-Z]{2,24}\b",
            0.95,
        ),
        # Exchange's encoding of a foreign address ('IMCEANOTES-Jane+20Doe+20...@domain'): it spells the
        # name out, so all of it goes
        ("exchange encoded address", r"\bIMCEA[A-Z]*-[^\s<>\[\]]+", 0.9),
    )


class WebAddressRecognizer(DeclarativeRecognizer):
    ENTITY = URL
    PATTERNS = (("url", r"\b(?:https?://|www\.)[^\s<>\"'()]+[^\s<>\"'().,;:!?]", 0.6),)


class IpAddressRecognizer(DeclarativeRecognizer):
    ENTITY = IP_ADDRESS
    PATTERNS = (
        ("ipv4", r"(?<![\d.])(?:\d{1,3}\.){3}\d{1,3}(?![\d.]|\.\d)", 0.5),
        ("ipv6", r"(?<![\w:])(?:[0-9A-F]{0,4}:){2,7}[0-9A-F]{0,4}(?![\w:])", 0.5),
    )
    CONTEXT = ("ip", "address", "logged", "login", "from")
    VALID_SCORE = 0.95

    def check(self, text: str) -> bool:
        try:
            address = ipaddress.ip_address(text)
        except ValueError:
            return False
        return not (address.version == 6 and text.count(":") < 2)
