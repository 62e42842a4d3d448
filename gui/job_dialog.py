"""A small progress dialog for one long job (analysis, suggestions, the inventory report): runs the job in
the task runner, shows progress, offers Cancel, and shows a one-paragraph result at the end. Never modal to
the application: the window stays usable and the event loop keeps turning. When the job ends the dialog
grows to fit its result and hands the keyboard back to where it was (the label keys work again at once)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import shiboken6
from PySide6.QtCore import Qt, Signal, Slot
from PySide6.QtWidgets import (
    QApplication,
    QDialog,
    QDialogButtonBox,
    QLabel,
    QLayout,
    QProgressBar,
    QVBoxLayout,
    QWidget,
)

from scrubdesk.core.jobs import JobControl
from scrubdesk.gui.errors import user_message
from scrubdesk.gui.tasks import Task, TaskRunner


class JobDialog(QDialog):
    """Run ``job`` and describe its result with ``describe(result) -> str``."""

    completed = Signal(object)  # the job's result, after it succeeded

    def __init__(
        self,
        runner: TaskRunner,
        title: str,
        job: Callable[[JobControl], Any],
        describe: Callable[[Any], str],
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setWindowTitle(title)
        self.setModal(False)
        self.describe = describe
        self.result: Any = None
        self.error: BaseException | None = None
        self._had_focus: QWidget | None = None  # where the keyboard was when the job started
        layout = QVBoxLayout(self)
        layout.setSizeConstraint(QLayout.SizeConstraint.SetMinimumSize)  # never smaller than its text
        self.message = QLabel("Starting…")
        self.message.setWordWrap(True)
        self.message.setTextFormat(Qt.TextFormat.PlainText)
        self.message.setMinimumWidth(420)
        layout.addWidget(self.message)
        self.progress = QProgressBar()
        self.progress.setRange(0, 0)
        layout.addWidget(self.progress)
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Cancel)
        self.buttons.rejected.connect(self._cancel_or_close)
        layout.addWidget(self.buttons)
        self.task: Task = runner.run(job, name=title)
        self.task.progressed.connect(self._on_progress)
        self.task.succeeded.connect(self._on_succeeded)
        self.task.failed.connect(self._on_failed)
        self.task.cancelled.connect(self._on_cancelled)

    def start(self) -> Task:
        self._had_focus = QApplication.focusWidget()
        self.show()
        return self.task.start()

    @Slot(int, object, str)
    def _on_progress(self, done: int, total: int | None, message: str) -> None:
        if total:
            self.progress.setRange(0, total)
            self.progress.setValue(min(done, total))
        if message:
            self.message.setText(message[:1].upper() + message[1:])

    @Slot(object)
    def _on_succeeded(self, result: Any) -> None:
        self.result = result
        self._finish(self.describe(result))
        self.completed.emit(result)

    @Slot(object)
    def _on_failed(self, exc: BaseException) -> None:
        self.error = exc
        self._finish(f"Failed: {user_message(exc)}")

    @Slot()
    def _on_cancelled(self) -> None:
        self._finish("Cancelled. Work committed before then is kept.")

    def _finish(self, text: str) -> None:
        self.message.setText(text)
        self.progress.setRange(0, 1)
        self.progress.setValue(1)
        self.buttons.clear()
        self.buttons.addButton(QDialogButtonBox.StandardButton.Close)
        self.buttons.rejected.connect(self.accept)
        self.adjustSize()  # the result may be longer than the progress text: fit it, cut no line
        self._give_keyboard_back()

    def _give_keyboard_back(self) -> None:
        previous = self._had_focus
        if previous is None or not shiboken6.isValid(previous) or not previous.isVisible():
            return
        window = previous.window()
        window.activateWindow()
        window.raise_()
        previous.setFocus(Qt.FocusReason.OtherFocusReason)

    @Slot()
    def _cancel_or_close(self) -> None:
        if self.task.running:
            self.task.cancel()
            self.message.setText("Cancelling…")
        else:
            self.accept()

    def closeEvent(self, event: Any) -> None:
        if self.task.running:
            self.task.cancel()
        super().closeEvent(event)
