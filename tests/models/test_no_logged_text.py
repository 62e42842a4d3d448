"""Matched text never reaches the logs, even at DEBUG."""

from __future__ import annotations

import logging


def test_debug_logs_hold_no_matched_text(analyzer, caplog):
    secret = "Zebedee Quartermaine"
    with caplog.at_level(logging.DEBUG):
        spans = analyzer.analyze(
            f"My name is {secret}, call 07700 900123.", {"From": f"{secret} <zq@example.com>"}
        )
    assert spans
    logged = "\n".join(r.getMessage() for r in caplog.records)
    assert "Zebedee" not in logged and "Quartermaine" not in logged and "900123" not in logged
