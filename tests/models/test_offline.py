"""Analysis with networking blocked: any connection or DNS lookup raises, and analysis still works."""

from __future__ import annotations

import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

BLOCKED_RUN = textwrap.dedent(
    """
    import sys
    attempts = []

    def hook(event, args):
        if event in ("socket.connect", "socket.getaddrinfo", "socket.gethostbyname", "urllib.Request"):
            attempts.append(event)
            raise OSError("network blocked by test: " + event)

    sys.addaudithook(hook)
    from scrubdesk.models.pii.engine import build_presidio_default, get_analyzer
    from scrubdesk.models.pii import offline

    analyzer = get_analyzer()
    text = "Email jane@example.co.uk or visit https://www.example.org. Call 07700 900123."
    spans = analyzer.analyze(text, {"From": "Jane Doe <jane@example.co.uk>"})
    labels = {s.label for s in spans}
    assert {"EMAIL_ADDRESS", "PHONE_NUMBER"} <= labels, labels
    # plain Presidio's e-mail recogniser calls tldextract: it must use the bundled snapshot
    presidio = build_presidio_default()
    found = {r.entity_type for r in presidio.analyze(text=text, language="en")}
    assert "EMAIL_ADDRESS" in found, found
    assert offline.is_offline()
    assert attempts == [], attempts
    print("OK")
    """
)


@pytest.mark.slow
def test_analysis_runs_with_network_blocked():
    env = {"PATH": "/usr/bin:/bin", "HOME": "/nonexistent", "PYTHONDONTWRITEBYTECODE": "1"}
    result = subprocess.run([sys.executable, "-c", BLOCKED_RUN], capture_output=True, text=True, env=env)
    assert result.returncode == 0, result.stderr[-3000:]
    assert result.stdout.strip().endswith("OK")


ORDER_RUN = textwrap.dedent(
    """
    import os, sys
    assert "TLDEXTRACT_PUBLIC_SUFFIX_LIST_URLS" not in os.environ
    first = sys.argv[1]
    if first == "presidio":
        import presidio_analyzer  # Presidio (and tldextract) before any Scrubdesk module
        import scrubdesk.models.pii.evaluation
    else:
        __import__(first)  # any module of the package, first
    import tldextract.tldextract
    from scrubdesk.models.pii import offline
    assert offline.is_offline()
    assert os.environ["TLDEXTRACT_PUBLIC_SUFFIX_LIST_URLS"] == ""
    assert tldextract.tldextract.TLD_EXTRACTOR.suffix_list_urls == ()
    print("OK")
    """
)


@pytest.mark.slow
@pytest.mark.parametrize(
    "first", ["scrubdesk.models.pii.gazetteer", "scrubdesk.models.pii.evaluation", "presidio"]
)
def test_offline_whatever_is_imported_first(first):
    """The package imports its offline module first: no caller (the CLI included) has to set anything."""
    env = {"PATH": "/usr/bin:/bin", "HOME": "/nonexistent", "PYTHONDONTWRITEBYTECODE": "1"}
    result = subprocess.run([sys.executable, "-c", ORDER_RUN, first], capture_output=True, text=True, env=env)
    assert result.returncode == 0, result.stderr[-3000:]
    assert result.stdout.strip().endswith("OK")


def test_the_cli_sets_no_tldextract_backstop():
    from scrubdesk.gui import cli

    assert "TLDEXTRACT" not in Path(cli.__file__).read_text(encoding="utf-8")


def test_in_process_analysis_makes_no_connection(analyzer, monkeypatch):
    import socket

    def refuse(*args, **kwargs):
        raise AssertionError("network access attempted")

    monkeypatch.setattr(socket.socket, "connect", refuse)
    monkeypatch.setattr(socket, "getaddrinfo", refuse)
    monkeypatch.setattr(socket, "create_connection", refuse)
    assert analyzer.analyze("mail me at someone@example.co.uk")


def test_missing_pipeline_is_an_error_not_a_download():
    from scrubdesk.models.pii.config import PiiConfig
    from scrubdesk.models.pii.engine import build_analyzer
    from scrubdesk.models.pii.nlp import PipelineMissingError

    with pytest.raises(PipelineMissingError, match="never downloads"):
        build_analyzer(PiiConfig(model="en_core_web_lg"))
