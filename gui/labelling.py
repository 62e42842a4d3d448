"""Labelling: the keyboard-first labelling session over the message list and the label bar.

Keys (while the main window is active; never while typing in a text field):

- ``1``–``9`` label the current message with that label of the bar and move to the next message in the
  list's current order; labels after the ninth are in the "More" menu.
- ``Enter`` (while the list or the message view has focus) accepts the model's suggestion and moves on.
- ``J`` / ``K`` move to the next / previous message (``Down`` / ``Up`` in the list do the same).
- ``U`` undoes the last label change of this session (it is audit-logged like any change) and goes back
  to that message.

Each label change is one small transaction in the UI thread (:class:`scrubdesk.core.labels.Labeller`),
and the list updates that one row: no reload, so a filtered list does not jump while someone labels it.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from functools import partial

from PySide6.QtCore import QModelIndex, QObject, Qt, Signal, Slot
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QApplication,
    QDialog,
    QWidget,
)

from scrubdesk.core import labels as core_labels
from scrubdesk.core.db.messages import MessageRow
from scrubdesk.core.errors import ScrubdeskError
from scrubdesk.core.labelling_session import LabellingSession
from scrubdesk.core.labels import LabelChange, LabelLooksPersonalError, LabelScreen
from scrubdesk.core.project import Project
from scrubdesk.core.store import Store
from scrubdesk.gui.errors import show_error, user_message
from scrubdesk.gui.keymap import is_typing
from scrubdesk.gui.label_bar import NUMBERED, LabelBar, LabelSetDialog
from scrubdesk.gui.label_picker import LabelPicker
from scrubdesk.gui.label_screening import (
    Findings,
    analyser_screen,
    ask_override_reason,
    found_screen,
    screen_job,
)
from scrubdesk.gui.message_list import MessageListView
from scrubdesk.gui.message_table_model import MessageTableModel
from scrubdesk.gui.tasks import Task, TaskRunner

log = logging.getLogger(__name__)


class LabellingController(QObject):
    """Connects the label bar, the list and the keys to a Qt-free
    :class:`~scrubdesk.core.labelling_session.LabellingSession` (permission, undo, progress).

    ``window`` owns the window-wide shortcuts; ``focus_scopes`` (the list) own Enter, so that Enter
    elsewhere (a text field, the spans) keeps its own meaning and never labels."""

    labels_changed = Signal(list)  # the label set, after it was loaded or changed
    message_labelled = Signal(object)  # LabelChange

    def __init__(
        self,
        window: QWidget,
        view: MessageListView,
        bar: LabelBar,
        focus_scopes: list[QWidget],
        notify: Callable[[str], None],
        *,
        runner: TaskRunner,
    ) -> None:
        super().__init__(window)
        self.window = window
        self.runner = runner
        self.screen: LabelScreen | None = None  # the PII analyser's, loaded on first use
        self.screening: Task | None = None
        self.view = view
        self.model: MessageTableModel = view.message_model()
        self.bar = bar
        self.notify = notify
        self.session = LabellingSession()

        bar.label_chosen.connect(self.label_current)
        bar.pick_requested.connect(self.pick_label)
        bar.clear_requested.connect(self.clear_label)
        bar.add_requested.connect(self.add_label_dialog)
        bar.rename_requested.connect(self.rename_label_dialog)
        bar.merge_requested.connect(self.merge_labels_dialog)
        self.model.counts_changed.connect(self.update_progress)
        self.model.modelReset.connect(self.update_progress)
        view.message_selected.connect(self._message_selected)
        self.model.dataChanged.connect(self._data_changed)

        self.shortcuts: list[QShortcut] = []
        for number in range(1, NUMBERED + 1):
            keys = [
                QKeySequence(str(number)),
                QKeySequence(Qt.KeyboardModifier.KeypadModifier | _digit(number)),
            ]
            self._shortcut(keys, window, partial(self.label_by_number, number))
        self._shortcut([QKeySequence("J")], window, partial(self.move, 1), repeat=True)
        self._shortcut([QKeySequence("K")], window, partial(self.move, -1), repeat=True)
        self._shortcut([QKeySequence("U")], window, self.undo)
        self._shortcut([QKeySequence("L")], window, self.pick_label)
        self.picker: LabelPicker | None = None  # the open quick pick (tests drive it)
        enter = [QKeySequence(Qt.Key.Key_Return), QKeySequence(Qt.Key.Key_Enter)]
        for scope in focus_scopes:
            self._shortcut(
                enter, scope, self.accept_suggestion, Qt.ShortcutContext.WidgetWithChildrenShortcut
            )
        self.set_project(None, None)

    def _shortcut(
        self,
        keys: list[QKeySequence],
        parent: QWidget,
        slot: Callable[[], object],
        context: Qt.ShortcutContext = Qt.ShortcutContext.WindowShortcut,
        *,
        repeat: bool = False,  # held down, a labelling key must not label a run of messages
    ) -> None:
        shortcut = QShortcut(parent)
        shortcut.setKeys(keys)
        shortcut.setContext(context)
        shortcut.setAutoRepeat(repeat)
        shortcut.activated.connect(partial(self._key_pressed, slot))
        self.shortcuts.append(shortcut)

    @staticmethod
    def _key_pressed(slot: Callable[[], object]) -> None:
        """A labelling key: keys typed into a text field are text, not commands."""
        if not is_typing(QApplication.focusWidget()):
            slot()

    # project ----------------------------------------------------------------------------------------
    def set_project(self, project: Project | None, store: Store | None) -> None:
        """A project was opened (or closed): check the role once, add the labels that imported messages
        carry to the set, and show the set."""
        self.session = LabellingSession(project, store)
        if self.session.can_label:
            self._seed()
        self.bar.setToolTip(self.session.refusal)
        self.reload_labels()
        self.update_progress()

    @property
    def project(self) -> Project | None:
        return self.session.project

    @property
    def store(self) -> Store | None:
        return self.session.store

    @property
    def undo_stack(self) -> list[LabelChange]:
        return self.session.undo_stack

    def _seed(self) -> None:
        assert self.project is not None and self.store is not None
        try:
            added = core_labels.seed_from_messages(self.project, self.store).added
        except ScrubdeskError as exc:
            log.warning("could not add the messages' labels to the label set: %s", type(exc).__name__)
            return
        if added:
            self.notify(f"Added {len(added)} label(s) found on messages to the label set")

    def reload_labels(self, *, seed: bool = False) -> None:
        """Re-read the label set (after an import, ``seed`` first adds the labels it brought)."""
        if seed and self.session.can_label:
            self._seed()
        self.session.recount()
        labels = core_labels.list_labels(self.store) if self.store is not None else []
        self.bar.set_labels(labels)
        self.bar.set_permissions(self.session.can_label, self.session.can_manage, self.session.refusal)
        self._show_current()
        self.update_progress()
        self.labels_changed.emit(labels)

    # the current message -----------------------------------------------------------------------------
    def current_row(self) -> MessageRow | None:
        row = self.view.current_row()
        return self.model.row_data(row) if row is not None else None

    @Slot(object)
    def _message_selected(self, message_id: int | None) -> None:
        self.bar.show_end_of_list(False)
        self.session.opened(message_id)  # time per message: from showing it to labelling it
        self._show_current()

    @Slot(object, object, object)
    def _data_changed(self, top_left: QModelIndex, bottom_right: QModelIndex, roles: object = None) -> None:
        row = self.view.current_row()
        if row is not None and top_left.row() <= row <= bottom_right.row():
            self._show_current()

    def _show_current(self) -> None:
        data = self.current_row()
        if data is None:
            self.bar.show_message(None, None, None)
        else:
            self.bar.show_message(data.label, data.suggestion, data.confidence)

    @Slot()
    def update_progress(self) -> None:
        if self.store is None:
            self.bar.set_progress("")
            return
        # over the whole project and this session, whatever the list's filter shows
        self.bar.set_progress(self.session.progress().text())

    # actions ----------------------------------------------------------------------------------------
    def label_by_number(self, number: int) -> None:
        labels = self.bar.labels
        if number > len(labels):
            self.notify(f"No label has the key {number}")
            return
        self.label_current(labels[number - 1])

    def accept_suggestion(self) -> None:
        data = self.current_row()
        if data is None or data.suggestion is None:
            self.notify("No suggestion for this message")
            return
        self.label_current(data.suggestion)

    @Slot(object)
    def label_current(self, label: str | None, *, advance: bool = True) -> LabelChange | None:
        """Label the current message (None: remove its label), then move to the next one."""
        message_id = self.view.current_message_id()
        if not self.session.can_label:
            if self.project is not None:
                self.notify(self.session.refusal or "You may not label in this project")
            return None
        if message_id is None:
            return None
        try:
            change = self.session.label(message_id, label)
        except ScrubdeskError as exc:
            show_error(self.window, "Could not label the message", exc)
            return None
        self.model.update_label(message_id, change.previous, change.label)
        self.message_labelled.emit(change)
        if not (advance and self.view.move(1)):
            self._refresh_message_view(message_id)
            if advance:  # the last row: there is no next message, say so (another key relabels it)
                self.bar.show_end_of_list(True)
                self.notify("End of the list: that was its last message (U undoes the label)")
        return change

    @Slot()
    def pick_label(self) -> None:
        """L: a type-to-filter pick of any label (also those beyond the ninth)."""
        if not self.bar.labels:
            self.notify("No labels yet: add one from the Labels menu")
            return
        self.picker = LabelPicker(self.bar.labels, self.window)
        self.picker.chosen.connect(self.label_current)
        self.picker.destroyed.connect(self._picker_gone)
        self.picker.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        self.picker.popup_at(self.window)

    @Slot()
    def _picker_gone(self) -> None:
        self.picker = None

    @Slot()
    def clear_label(self) -> LabelChange | None:
        """Remove the current message's label (and move on)."""
        return self.label_current(None)

    def undo(self) -> LabelChange | None:
        """Restore the label the last change replaced, and go back to that message."""
        try:
            restored = self.session.undo()
        except ScrubdeskError as exc:
            show_error(self.window, "Could not undo the label", exc)
            return None
        if restored is None:
            self.notify("Nothing to undo")
            return None
        self.model.update_label(restored.message_id, restored.previous, restored.label)
        if not self.view.select_message(restored.message_id):
            self.notify(f"Label of {restored.msg_key[:10]} restored (the message is not in this list)")
        self._refresh_message_view(restored.message_id)
        self.message_labelled.emit(restored)
        return restored

    def move(self, delta: int) -> None:
        self.view.move(delta)

    def _refresh_message_view(self, message_id: int) -> None:
        """Show the message again where it is shown (its header carries the label)."""
        if self.view.current_message_id() == message_id:
            self.view.message_selected.emit(message_id)

    # the label set ----------------------------------------------------------------------------------
    def _edit_set(self, title: str, change: Callable[[Project, Store], object]) -> bool:
        if self.project is None or self.store is None:
            return False
        try:
            change(self.project, self.store)
        except ScrubdeskError as exc:
            show_error(self.window, title, exc)
            return False
        return True

    # new names: screened for personal data in a worker, then changed in core -----------------------------
    def _screen_then(
        self, title: str, names: list[str], change: ScreenedChange, done: Callable[[], None]
    ) -> None:
        if self.project is None or self.store is None:
            return
        if self.screening is not None and self.screening.running:
            self.notify("Still checking the previous label names")
            return
        self.screen = self.screen or analyser_screen()
        self.screening = self.runner.run(screen_job(self.screen, names), name="label screen")
        self.screening.succeeded.connect(partial(self._screened, title, change, done))
        self.screening.failed.connect(partial(self._screen_failed, title))
        self.notify("Checking the new label names for personal data…")
        self.screening.start()

    @Slot(object)
    def _screened(
        self, title: str, change: ScreenedChange, done: Callable[[], None], found: Findings
    ) -> None:
        if self.project is None or self.store is None:
            return  # the project was closed meanwhile
        screen = found_screen(found)
        try:
            change(self.project, self.store, screen=screen, reason=None)
        except LabelLooksPersonalError as exc:
            reason = (
                ask_override_reason(self.window, user_message(exc))
                if exc.overridable and self.session.role == "admin"
                else None
            )
            if reason is None:
                show_error(self.window, title, exc)
                return
            if not self._edit_set(title, partial(change, screen=screen, reason=reason)):
                return
        except ScrubdeskError as exc:
            show_error(self.window, title, exc)
            return
        done()

    @Slot(object)
    def _screen_failed(self, title: str, exc: BaseException) -> None:
        show_error(self.window, title, exc)

    def rename_label(self, old: str, new: str) -> None:
        """Rename once the new name has been screened for personal data (in a worker)."""
        self._screen_then(
            "Could not rename the label",
            [new.strip()],
            partial(_rename_label, old, new),
            partial(self._relabelled, f"Renamed {old} to {new.strip()}"),
        )

    def merge_labels(self, source: str, target: str) -> bool:
        ok = self._edit_set(
            "Could not merge the labels", lambda p, s: core_labels.merge_labels(p, s, source, target)
        )
        if ok:
            self._relabelled(f"Merged {source} into {target}")
        return ok

    def _relabelled(self, note: str) -> None:
        self.session.forget_undo()  # its label names may be gone
        self.session.recount()
        current = self.view.current_message_id()
        self.model.refresh()
        if current is not None:
            self.view.select_message(current)
        self.reload_labels()
        self.notify(note)

    def _dialog(self, mode: str) -> LabelSetDialog | None:
        dialog = LabelSetDialog(mode, self.bar.labels, self.window)
        accepted = dialog.exec() == QDialog.DialogCode.Accepted
        dialog.deleteLater()
        return dialog if accepted else None

    @Slot()
    def add_label_dialog(self) -> None:
        """Add labels: one per line, typed or pasted; those already in the set are skipped. The new names
        are screened for personal data first (in a worker), then added in one step."""
        dialog = self._dialog("add")
        if dialog is None:
            return
        names = dialog.new_names()
        new = [n for n in names if n not in self.bar.labels]
        skipped = len(names) - len(new)
        if new:
            added = partial(self._added, len(new), skipped)
            self._screen_then("Could not add the labels", new, partial(_add_labels, new), added)
        elif skipped:
            self.notify(f"All {skipped} label(s) are already in the set")

    def _added(self, added: int, skipped: int) -> None:
        self.reload_labels()
        self.notify(f"Added {added} label(s)" + (f"; {skipped} already in the set" if skipped else ""))

    @Slot()
    def rename_label_dialog(self) -> None:
        dialog = self._dialog("rename")
        if dialog is not None:
            self.rename_label(dialog.source.currentText(), dialog.name.text())

    @Slot()
    def merge_labels_dialog(self) -> None:
        dialog = self._dialog("merge")
        if dialog is not None:
            self.merge_labels(dialog.source.currentText(), dialog.target.currentText())


ScreenedChange = Callable[..., object]  # (project, store, *, screen, reason) -> result


def _add_labels(
    names: list[str], project: Project, store: Store, *, screen: LabelScreen, reason: str | None
) -> list[str]:
    return core_labels.add_labels(project, store, names, screen=screen, override_reason=reason)


def _rename_label(
    old: str, new: str, project: Project, store: Store, *, screen: LabelScreen, reason: str | None
) -> object:
    return core_labels.rename_label(project, store, old, new, screen=screen, override_reason=reason)


def _digit(number: int) -> Qt.Key:
    return Qt.Key(int(Qt.Key.Key_0.value) + number)
