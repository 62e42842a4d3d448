"""A trained project, built once per session: synthetic emails stored with their gold spans as the analysis
(no spaCy needed), approved, plus 10 messages carrying one planted e-mail address nobody detected."""

from __future__ import annotations

import pytest

from tests.models.training_project import build_project


@pytest.fixture(scope="session")
def trained(tmp_path_factory):
    return build_project(tmp_path_factory.mktemp("triage"), train=True)
