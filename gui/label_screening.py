"""New label names are screened for personal data before they join the set (labels leave the project in
every export). The PII analyser's part runs in a worker, because its first use loads the language model;
core then adds or renames with those findings and refuses what looks personal. An admin may overrule the
analyser (not the leak guard's shapes) with a reason, which core records in the audit log."""

from __future__ import annotations

from collections.abc import Callable, Sequence

from PySide6.QtWidgets import QInputDialog, QLineEdit, QWidget

from scrubdesk.core.jobs import JobControl
from scrubdesk.core.labels import LabelScreen

Findings = dict[str, list[str]]


def analyser_screen() -> LabelScreen:
    """The PII analyser's screen (models layer), imported when first needed: it loads spaCy."""
    from scrubdesk.models.pii.label_screen import screen_label  # noqa: PLC0415 - heavy, on demand

    return screen_label


def screen_job(screen: LabelScreen, names: Sequence[str]) -> Callable[[JobControl], Findings]:
    """A task-runner job: what the screen finds in each name."""

    def run(control: JobControl) -> Findings:
        found: Findings = {}
        for done, name in enumerate(names):
            control.check_cancelled()
            control.progress(done, len(names), "checking the new label names for personal data")
            found[name] = list(screen(name))
        return found

    return run


def found_screen(found: Findings) -> LabelScreen:
    """A screen that answers from findings already made (core calls it inside its transaction)."""
    return lambda name: found.get(name, [])


def ask_override_reason(parent: QWidget | None, explanation: str) -> str | None:
    """Ask an admin why a flagged name is not personal data; None when they cancel or give no reason."""
    dialog = QInputDialog(parent)
    dialog.setWindowTitle("Label may be personal data")
    dialog.setLabelText(
        f"{explanation}\n\nIf this is a false alarm, say why (recorded in the audit log), or cancel."
    )
    dialog.setInputMode(QInputDialog.InputMode.TextInput)
    dialog.setTextEchoMode(QLineEdit.EchoMode.Normal)
    dialog.setAccessibleName("Reason the label is not personal data")
    accepted = dialog.exec() == QInputDialog.DialogCode.Accepted
    reason = dialog.textValue().strip()
    dialog.deleteLater()
    return reason if accepted and reason else None
