"""Keep the PII stack off the network. Import this module before anything imports Presidio.

- tldextract (imported by Presidio's e-mail recogniser) fetches the public suffix list on first use.
  The environment variable empties its URL list, and the shared extractor is replaced by one that uses
  only the snapshot bundled with tldextract and writes no cache file.
- Hugging Face libraries, should anything import them, are told to stay offline.
- spaCy pipelines are loaded by package name only (see :mod:`scrubdesk.models.pii.nlp`), never
  downloaded.
"""

from __future__ import annotations

import os

os.environ["TLDEXTRACT_PUBLIC_SUFFIX_LIST_URLS"] = ""
os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")

import tldextract
import tldextract.tldextract

_OFFLINE_EXTRACTOR = tldextract.TLDExtract(suffix_list_urls=(), cache_dir=None, fallback_to_snapshot=True)
tldextract.tldextract.TLD_EXTRACTOR = _OFFLINE_EXTRACTOR


def is_offline() -> bool:
    """True when tldextract can only use its bundled snapshot."""
    return tldextract.tldextract.TLD_EXTRACTOR.suffix_list_urls == ()
