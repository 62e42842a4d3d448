"""A messy-mail corpus built in code. Every name, address and text is invented.

Bodies and subjects carry the marker ``MARK`` so tests can prove no message text leaks into quarantine
details or reprs.
"""

from __future__ import annotations

import base64
import random

MARK = "Zebra-Quill"  # appears in message text only, never in anything a reader may log or report


def crlf(message: bytes) -> bytes:
    return message.replace(b"\n", b"\r\n")


ALTERNATIVE = b"""From: Alice Example <alice@example.org>
To: Bob Example <bob@example.com>
Subject: Alternative Zebra-Quill
Date: Mon, 4 Mar 2024 10:00:00 +0100
Message-ID:  <alt-1@example.org>
MIME-Version: 1.0
Content-Type: multipart/alternative; boundary="alt-b"

This is a multi-part message in MIME format.
--alt-b
Content-Type: text/plain; charset=utf-8

Plain Zebra-Quill body.
Second line.

--alt-b
Content-Type: text/html; charset=utf-8

<p>HTML Zebra-Quill body.</p>
--alt-b--
"""

NESTED_MIXED = b"""From: "Doe, Jane" <Jane.Doe@Example.org>
To: a@example.com, "B, Two" <b@example.com>
Cc: c@example.com
Subject: Nested
Message-ID: <nested-1@example.org>
MIME-Version: 1.0
Content-Type: multipart/mixed; boundary="outer"

--outer
Content-Type: multipart/alternative; boundary="inner"

--inner
Content-Type: text/plain; charset="us-ascii"

Nested Zebra-Quill plain text.
--inner
Content-Type: multipart/related; boundary="rel"

--rel
Content-Type: text/html; charset=utf-8

<p>Nested html <img src="cid:logo"></p>
--rel
Content-Type: image/png
Content-ID: <logo>
Content-Disposition: inline; filename="logo.png"
Content-Transfer-Encoding: base64

iVBORw0KGgo=
--rel--
--inner--
--outer
Content-Type: application/pdf; name="invoice-4411.pdf"
Content-Disposition: attachment; filename="invoice-4411.pdf"
Content-Transfer-Encoding: base64

JVBERi0xLjQK
--outer
Content-Type: message/rfc822
Content-Disposition: attachment

From: x@example.net
Subject: forwarded

Forwarded body must not be the body.
--outer
Content-Type: text/plain; name="notes.txt"
Content-Disposition: attachment; filename="notes.txt"

attached text is not the body
--outer--
"""

HTML_ONLY = b"""From: shop@example.net
To: customer@example.com
Subject: Your order
Content-Type: text/html; charset=iso-8859-1
Content-Transfer-Encoding: quoted-printable

<html><head><title>T</title><style>p {color: red}</style></head><body>
<h1>Order&nbsp;confirmed</h1><p>Dear customer, Zebra-Quill caf=E9 &amp; more.</p>
<ul><li>Item one</li><li>Item two</li></ul>
<script>alert("x")</script>Total: 5 =80<br>Thanks</body></html>
"""

WRONG_CHARSET = (
    b"From: a@example.org\nSubject: wrong charset\nContent-Type: text/plain; charset=utf-8\n\n"
    b"Zebra-Quill caf\xe9 costs \x805 \x93quoted\x94\n"
)

UNKNOWN_CHARSET = (
    b"From: a@example.org\nSubject: unknown charset\nContent-Type: text/plain; charset=x-unknown\n\n"
    + "Zebra-Quill Grüße aus Köln\n".encode()
)

MISSING_CHARSET_8BIT = (
    b"From: a@example.org\nSubject: no charset\nContent-Type: text/plain\n\nZebra-Quill na\xefve fa\xe7ade\n"
)

QUOTED_PRINTABLE = b"""From: a@example.org
Subject: qp
Content-Type: text/plain; charset=utf-8
Content-Transfer-Encoding: quoted-printable

Zebra-Quill caf=C3=A9 soft=
 break and a long line that was wrapped by the encoder at seventy-six charac=
ters.=20
Equals: 1+1=3D2
"""

BASE64_BODY = (
    b"From: a@example.org\nSubject: b64\nContent-Type: text/plain; charset=utf-8\n"
    b"Content-Transfer-Encoding: base64\n\n"
    + base64.encodebytes("Zebra-Quill base64 body – with ünïcödé\nline two\n".encode())
)

BROKEN_BASE64 = (
    b"From: a@example.org\nSubject: b64\nContent-Type: text/plain; charset=utf-8\n"
    b"Content-Transfer-Encoding: base64\n\n" + base64.b64encode(b"Zebra-Quill broken padding!")[:-3] + b"!!\n"
)

ENCODED_WORDS = b"""From: =?utf-8?Q?J=C3=BCrgen_M=C3=BCller?= <jm@example.de>
To: =?iso-8859-1?Q?Ren=E9e?= <renee@example.fr>, =?utf-8?B?5byg5LiJ?= <zhang@example.cn>
Subject: =?utf-8?B?WmVicmEtUXVpbGwgw7w=?= =?utf-8?B?YmVy?= tail =?iso-8859-1?q?caf=E9?=
Content-Type: text/plain

body Zebra-Quill
"""

SPLIT_MULTIBYTE_WORD = (
    # "€uro" whose 3-byte euro sign is split across two encoded-words, as some mailers do
    b"From: a@example.org\nSubject: =?utf-8?B?4oI=?= =?utf-8?B?rHVybw==?=\n\nbody Zebra-Quill\n"
)

BROKEN_ENCODED_WORDS = b"""From: =?x-bogus?Q?Bad_M=C3=BCller?= <bad@example.org>
Subject: =?utf-8?B?!!!notbase64?= and =?utf-8?Q?ok?= and =?utf-8?X?unknown?=
Content-Type: text/plain

body Zebra-Quill
"""

MISSING_HEADERS = b"Subject: only a subject\n\nZebra-Quill body without sender or date.\n"

HEADERS_ONLY = b"From: a@example.org\nSubject: nothing else\n"

NO_HEADERS = b"Zebra-Quill just some notes\nthat are not an email at all\n"

DUPLICATE_HEADERS = b"""From: first@example.org
From: second@example.org
To: one@example.com
Subject: First subject
Subject: Second subject
To: two@example.com
Date: Mon, 4 Mar 2024 10:00:00 +0000
Date: Tue, 5 Mar 2024 10:00:00 +0000

Zebra-Quill body
"""

LONG_HEADERS = (
    b"From: a@example.org\nSubject: "
    + b"long " * 4000
    + b"\nReferences: "
    + b"\n ".join(b"<ref-%d@example.org>" % i for i in range(500))
    + b"\nX-Long: "
    + b"x" * 100_000
    + b"\n\nZebra-Quill body after long headers\n"
)

BAD_DATE = b"From: a@example.org\nDate: the day after tomorrow\nSubject: s\n\nZebra-Quill body\n"

SMIME_ENCRYPTED = b"""From: a@example.org
To: b@example.com
Subject: encrypted
MIME-Version: 1.0
Content-Type: application/pkcs7-mime; smime-type=enveloped-data; name="smime.p7m"
Content-Transfer-Encoding: base64
Content-Disposition: attachment; filename="smime.p7m"

MIAGCSqGSIb3DQEHA6CAMIACAQAxggFAMIIBPAIBADAkMBcxFTATBgNVBAMMDGFsaWNlQGV4YW1w
"""

PGP_MIME_ENCRYPTED = b"""From: a@example.org
Subject: pgp
Content-Type: multipart/encrypted; protocol="application/pgp-encrypted"; boundary="pgp"

--pgp
Content-Type: application/pgp-encrypted

Version: 1
--pgp
Content-Type: application/octet-stream

-----BEGIN PGP MESSAGE-----
hQEMA...
-----END PGP MESSAGE-----
--pgp--
"""

INLINE_PGP = (
    b"From: a@example.org\nSubject: inline\n\n"
    b"-----BEGIN PGP MESSAGE-----\n\nhQEMAxyz\n-----END PGP MESSAGE-----\n"
)

SIGNED = b"""From: a@example.org
Subject: signed
Content-Type: multipart/signed; protocol="application/pkcs7-signature"; micalg=sha-256; boundary="sig"

--sig
Content-Type: text/plain; charset=utf-8

Signed Zebra-Quill body.
--sig
Content-Type: application/pkcs7-signature; name="smime.p7s"
Content-Disposition: attachment; filename="smime.p7s"
Content-Transfer-Encoding: base64

MIAGCSqGSIb3DQEHAqCAMIACAQExDzANBglghkgBZQMEAgEFADCABgkqhkiG9w0BBwEAAKCCAzow
--sig--
"""

ONLY_ATTACHMENT = b"""From: a@example.org
Subject: just a file
Content-Type: multipart/mixed; boundary="m"

--m
Content-Type: application/zip
Content-Disposition: attachment; filename="data.zip"
Content-Transfer-Encoding: base64

UEsDBAo=
--m--
"""

NO_BOUNDARY = b"""From: a@example.org
Subject: no boundary
Content-Type: multipart/mixed

Zebra-Quill text where the boundary parameter is missing.
"""

NO_CLOSE_DELIMITER = b"""From: a@example.org
Subject: unterminated
Content-Type: multipart/mixed; boundary="open"

--open
Content-Type: text/plain

Zebra-Quill first part.
--open
Content-Type: text/plain

Second part, and the file ends without a close delimiter.
"""

MAILING_LIST_FOOTER = b"""From: a@example.org
Subject: list
Content-Type: multipart/mixed; boundary="ml"

--ml
Content-Type: text/plain

Zebra-Quill message text.
--ml
Content-Type: text/plain

--
List footer: unsubscribe here.
--ml--
"""

HTML_META_CHARSET = (
    b"From: a@example.org\nSubject: meta\nContent-Type: text/html\n\n"
    b'<html><head><meta http-equiv="Content-Type" content="text/html; charset=windows-1252"></head>'
    b"<body>Zebra-Quill \x93smart\x94 quotes</body></html>\n"
)

WITH_UNIXFROM = (
    b"From someone@example.org Mon Mar  4 10:00:00 2024\nFrom: a@example.org\nSubject: s\n\nZebra-Quill\n"
)

BINARY_JUNK = random.Random(0).randbytes(4096)

ALL_PARSEABLE = (
    ALTERNATIVE,
    NESTED_MIXED,
    HTML_ONLY,
    WRONG_CHARSET,
    UNKNOWN_CHARSET,
    MISSING_CHARSET_8BIT,
    QUOTED_PRINTABLE,
    BASE64_BODY,
    ENCODED_WORDS,
    BROKEN_ENCODED_WORDS,
    MISSING_HEADERS,
    DUPLICATE_HEADERS,
    BAD_DATE,
    SIGNED,
    NO_CLOSE_DELIMITER,
    MAILING_LIST_FOOTER,
)


def simple_message(i: int, body: str = "") -> bytes:
    return (
        f"From: Sender {i} <sender{i}@example.org>\nTo: rcpt{i}@example.com\nSubject: Message {i}\n"
        f"Date: Mon, 4 Mar 2024 10:{i % 60:02d}:00 +0000\nMessage-ID: <m{i}@example.org>\n\n"
        f"{body or f'Zebra-Quill body number {i}.'}\n"
    ).encode()


def mbox_of(messages: list[bytes], *, escape: bool = True) -> bytes:
    """An mboxrd file: each message behind a "From " line, body "From " lines escaped, a blank line after."""
    out = []
    for i, original in enumerate(messages):
        message = original
        if escape:
            lines = message.split(b"\n")
            message = b"\n".join(
                b">" + line if line.lstrip(b">").startswith(b"From ") else line for line in lines
            )
        out.append(
            b"From sender%d@example.org Mon Mar  4 10:00:00 2024\n" % i + message.rstrip(b"\n") + b"\n\n"
        )
    return b"".join(out)
