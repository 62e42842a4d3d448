"""Analyse and Train are for reviewers and admins: the jobs refuse an annotator, whatever the UI shows."""

from __future__ import annotations

from types import SimpleNamespace

import pytest

from scrubdesk.core.errors import PermissionDeniedError
from scrubdesk.models.pii.analysis_job import run_analysis
from scrubdesk.models.pii.analyzer import AnalysisResult
from scrubdesk.models.triage.training_job import run_training
from tests.review_fixtures import add_message, as_role


def test_an_annotator_may_neither_analyse_nor_train(project):
    with project.store() as store:
        add_message(store, "m1", analysed=False)
        as_role(store, "annotator")
    never_used = SimpleNamespace(version="test")  # refused before the analyser is asked anything
    with pytest.raises(
        PermissionDeniedError, match="running the PII analysis needs one of the roles admin, reviewer"
    ):
        run_analysis(project, never_used)
    with pytest.raises(
        PermissionDeniedError, match="training a model needs one of the roles admin, reviewer"
    ):
        run_training(project)
    with project.store() as store:
        as_role(store, "reviewer")
    assert run_analysis(project, _NoSpans()).analysed == 1  # a reviewer may


class _NoSpans:
    version = "test-none"

    def analyze_many_detailed(self, inputs, batch_size: int = 32):
        for _ in inputs:
            yield AnalysisResult(spans=[])
