"""The audit viewer lists entries newest first, filters by action, pages, and verifies in a worker."""

from __future__ import annotations

import pytest

from scrubdesk.core.audit_log import AuditLog
from tests.builders import tamper_audit_entry

pytestmark = pytest.mark.gui


@pytest.fixture
def logged(project):
    with project.store() as store, store.transaction():
        log = AuditLog(store, project.keys.id_key)
        for i in range(250):
            log.append("label" if i % 2 else "span_edit", objects=[f"{i:032x}"], details={"n": i})
    return project


def open_viewer(qtbot, project, runner):
    from scrubdesk.gui.audit_viewer import AuditViewer

    viewer = AuditViewer(project, runner)
    qtbot.addWidget(viewer)
    return viewer


def test_lists_pages_and_filters(qtbot, logged, runner) -> None:
    viewer = open_viewer(qtbot, logged, runner)
    assert viewer.total == 251  # + project_created
    assert viewer.table.rowCount() == 200 and viewer.more_button.isEnabled()
    assert viewer.table.item(0, 0).text() == "251"  # newest first
    viewer.load_more()
    assert viewer.table.rowCount() == 251 and not viewer.more_button.isEnabled()
    viewer.action_combo.setCurrentIndex(viewer.action_combo.findData("label"))
    assert viewer.total == 125
    assert {viewer.table.item(r, 4).text() for r in range(viewer.table.rowCount())} == {"label"}


def test_verify_reports_intact_then_tampering(qtbot, logged, runner) -> None:
    viewer = open_viewer(qtbot, logged, runner)
    task = viewer.verify()
    qtbot.waitUntil(lambda: not task.running, timeout=30_000)
    assert viewer.status is not None and viewer.status.ok
    assert viewer.verdict.text().startswith("Intact")

    with logged.store() as store:
        tamper_audit_entry(store, 10, details='{"n": 999}')
    task = viewer.verify()
    qtbot.waitUntil(lambda: not task.running, timeout=30_000)
    assert not viewer.status.ok
    assert "TAMPERING" in viewer.verdict.text() and "entry 10" in viewer.verdict.text()
