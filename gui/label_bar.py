"""Labelling: the label bar (the project's intent labels) and the keyboard-first labelling session.

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

from PySide6.QtCore import QModelIndex, QObject, QPoint, QRect, QSize, Qt, Signal
from PySide6.QtGui import QFont, QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QAbstractSpinBox,
    QApplication,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLayout,
    QLayoutItem,
    QLineEdit,
    QMenu,
    QPlainTextEdit,
    QPushButton,
    QSizePolicy,
    QTextEdit,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from scrubdesk.core import labels as core_labels
from scrubdesk.core.db.messages import MessageRow
from scrubdesk.core.errors import PermissionDeniedError, ScrubdeskError
from scrubdesk.core.labels import LabelChange, Labeller
from scrubdesk.core.project import Project
from scrubdesk.core.roles import role_of
from scrubdesk.core.store import Store
from scrubdesk.gui.errors import show_error
from scrubdesk.gui.message_list import MessageListView, MessageTableModel

log = logging.getLogger(__name__)

NUMBERED = 9  # labels with a number key; the rest are in the "More" menu
BUTTON_TEXT_PX = 150  # longer label names are elided on their button (the tooltip has them whole)
MORE_PLACEHOLDER = "More…"


class FlowLayout(QLayout):
    """Lays items out left to right and wraps to a new line when the width runs out (Qt's flow layout
    example), so a long label set never forces the window wider."""

    def __init__(self, parent: QWidget | None = None, spacing: int = 4) -> None:
        super().__init__(parent)
        self._items: list[QLayoutItem] = []
        self._spacing = spacing
        self.setContentsMargins(0, 0, 0, 0)

    def addItem(self, item: QLayoutItem) -> None:
        self._items.append(item)

    def count(self) -> int:
        return len(self._items)

    def itemAt(self, index: int) -> QLayoutItem | None:
        return self._items[index] if 0 <= index < len(self._items) else None

    def takeAt(self, index: int) -> QLayoutItem | None:
        return self._items.pop(index) if 0 <= index < len(self._items) else None

    def expandingDirections(self) -> Qt.Orientation:
        return Qt.Orientation(0)

    def hasHeightForWidth(self) -> bool:
        return True

    def heightForWidth(self, width: int) -> int:
        return self._arrange(QRect(0, 0, width, 0), apply=False)

    def setGeometry(self, rect: QRect) -> None:
        super().setGeometry(rect)
        self._arrange(rect, apply=True)

    def sizeHint(self) -> QSize:
        width = sum(i.sizeHint().width() for i in self._visible()) + self._spacing * max(
            len(self._visible()) - 1, 0
        )
        height = max((i.sizeHint().height() for i in self._visible()), default=0)
        return QSize(width, height)

    def minimumSize(self) -> QSize:
        size = QSize()
        for item in self._visible():
            size = size.expandedTo(item.minimumSize())
        return size

    def _visible(self) -> list[QLayoutItem]:
        return [i for i in self._items if not (i.widget() is not None and i.widget().isHidden())]

    def _arrange(self, rect: QRect, *, apply: bool) -> int:
        x, y, line_height = rect.x(), rect.y(), 0
        for item in self._visible():
            hint = item.sizeHint()
            if x + hint.width() > rect.right() + 1 and line_height > 0:
                x, y = rect.x(), y + line_height + self._spacing
                line_height = 0
            if apply:
                item.setGeometry(QRect(QPoint(x, y), hint))
            x += hint.width() + self._spacing
            line_height = max(line_height, hint.height())
        return y + line_height - rect.y()


def is_typing(widget: QWidget | None) -> bool:
    """Is ``widget`` a place where keys are text (so the labelling keys must leave them alone)?"""
    if isinstance(widget, QLineEdit):
        return not widget.isReadOnly()
    if isinstance(widget, QTextEdit | QPlainTextEdit):
        return not widget.isReadOnly()
    if isinstance(widget, QAbstractSpinBox):
        return True
    return isinstance(widget, QComboBox) and widget.isEditable()


class LabelBar(QWidget):
    """Buttons 1–9 for the first labels of the set, a "More" menu for the rest, the suggestion and the
    progress counter. It only shows and reports; :class:`LabellingController` acts."""

    label_chosen = Signal(str)
    clear_requested = Signal()
    add_requested = Signal()
    rename_requested = Signal()
    merge_requested = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("labelBar")
        self._labels: list[str] = []
        self._current: str | None = None
        self._suggestion: str | None = None
        self._confidence: float | None = None
        self.buttons: list[QPushButton] = []

        self.caption = QLabel("Label:", self)
        self.buttons_area = QWidget(self)
        self.buttons_area.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Preferred)
        self.buttons_box = FlowLayout(self.buttons_area)
        self.more = QComboBox(self.buttons_area)
        self.more.setObjectName("moreLabels")
        self.more.setFocusPolicy(Qt.FocusPolicy.NoFocus)  # keys stay with the list
        self.more.setToolTip("Labels without a number key")
        self.more.activated.connect(self._more_chosen)
        self.clear_button = QPushButton("Clear", self.buttons_area)
        self.clear_button.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.clear_button.setToolTip("Remove the label of this message")
        self.clear_button.clicked.connect(self.clear_requested)
        self.menu_button = QToolButton(self.buttons_area)
        self.menu_button.setObjectName("labelSetMenu")
        self.menu_button.setText("Labels")
        self.menu_button.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.menu_button.setPopupMode(QToolButton.ToolButtonPopupMode.InstantPopup)
        menu = QMenu(self.menu_button)
        self.add_action = menu.addAction("Add Label…", self.add_requested.emit)
        self.rename_action = menu.addAction("Rename Label…", self.rename_requested.emit)
        self.merge_action = menu.addAction("Merge Labels…", self.merge_requested.emit)
        self.menu_button.setMenu(menu)
        self.suggestion_label = QLabel(self)
        self.suggestion_label.setObjectName("suggestionLabel")
        self.suggestion_label.setTextFormat(Qt.TextFormat.PlainText)
        self.progress_label = QLabel(self)
        self.progress_label.setObjectName("labelProgress")
        self.progress_label.setTextFormat(Qt.TextFormat.PlainText)

        self.suggestion_label.setAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        self.progress_label.setAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        status = QVBoxLayout()
        status.setSpacing(0)
        status.addWidget(self.progress_label)
        status.addWidget(self.suggestion_label)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(6, 4, 6, 4)
        layout.setSpacing(8)
        layout.addWidget(self.caption, 0, Qt.AlignmentFlag.AlignTop)
        layout.addWidget(self.buttons_area, 1)
        layout.addLayout(status)
        self.set_labels([])

    # content ----------------------------------------------------------------------------------------
    @property
    def labels(self) -> list[str]:
        return list(self._labels)

    def set_labels(self, labels: list[str]) -> None:
        self._labels = list(labels)
        for button in self.buttons:
            button.hide()
            button.deleteLater()
        while self.buttons_box.takeAt(0) is not None:
            pass
        self.buttons = []
        for number, label in enumerate(self._labels[:NUMBERED], start=1):
            button = QPushButton(self.buttons_area)
            button.setObjectName(f"labelButton{number}")
            button.setCheckable(True)
            button.setFocusPolicy(Qt.FocusPolicy.NoFocus)
            button.setSizePolicy(QSizePolicy.Policy.Maximum, QSizePolicy.Policy.Fixed)
            button.clicked.connect(lambda _checked=False, name=label: self.label_chosen.emit(name))
            self.buttons_box.addWidget(button)
            self.buttons.append(button)
        for widget in (self.more, self.clear_button, self.menu_button):
            self.buttons_box.addWidget(widget)
        self.more.clear()
        self.more.addItem(MORE_PLACEHOLDER)
        for label in self._labels[NUMBERED:]:
            self.more.addItem(label, label)
        self.more.setVisible(len(self._labels) > NUMBERED)
        self.caption.setText("Label:" if self._labels else "No labels yet: add one from the Labels menu")
        self._refresh()
        self.buttons_box.invalidate()

    def show_message(self, label: str | None, suggestion: str | None, confidence: float | None) -> None:
        """The current message's label (checked) and the model's suggestion (highlighted)."""
        self._current, self._suggestion, self._confidence = label, suggestion, confidence
        self._refresh()

    def set_progress(self, text: str) -> None:
        self.progress_label.setText(text)

    def set_permissions(self, can_label: bool, can_manage: bool, reason: str = "") -> None:
        for widget in (*self.buttons, self.more, self.clear_button):
            widget.setEnabled(can_label)
        self.add_action.setEnabled(can_label)
        self.rename_action.setVisible(can_manage)
        self.merge_action.setVisible(can_manage)
        self.setToolTip("" if can_label else reason)

    def _refresh(self) -> None:
        metrics = self.fontMetrics()
        for number, (button, label) in enumerate(zip(self.buttons, self._labels, strict=False), start=1):
            suggested = label == self._suggestion
            text = metrics.elidedText(label, Qt.TextElideMode.ElideRight, BUTTON_TEXT_PX)
            if suggested and self._confidence is not None:
                text += f"  {self._confidence:.0%}"
            button.setText(f"{number}  {text}".replace("&", "&&"))  # no mnemonics from label names
            font = QFont(button.font())
            font.setBold(suggested)
            font.setUnderline(suggested)
            button.setFont(font)
            button.setChecked(label == self._current)
            tip = f"{label}  (key {number})"
            if suggested:
                tip += " — the model's suggestion; Enter accepts it"
            button.setToolTip(tip)
        if self._suggestion is None:
            self.suggestion_label.setText("")
        else:
            confidence = f" {self._confidence:.0%}" if self._confidence is not None else ""
            self.suggestion_label.setText(f"Suggestion: {self._suggestion}{confidence} (Enter)")
        current = self.more.findData(self._current) if self._current else -1
        self.more.setCurrentIndex(max(current, 0))

    def _more_chosen(self, index: int) -> None:
        label = self.more.itemData(index)
        if label:
            self.label_chosen.emit(label)


class LabelSetDialog(QDialog):
    """Add a label, rename one, or merge one into another."""

    def __init__(self, mode: str, labels: list[str], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.mode = mode
        titles = {"add": "Add Label", "rename": "Rename Label", "merge": "Merge Labels"}
        self.setWindowTitle(titles[mode])
        form = QFormLayout(self)
        self.source = QComboBox(self)
        self.source.addItems(labels)
        self.target = QComboBox(self)
        self.target.addItems(labels)
        if len(labels) > 1:
            self.target.setCurrentIndex(1)
        self.name = QLineEdit(self)
        self.name.setMaxLength(core_labels.MAX_LABEL_CHARS)
        self.name.setPlaceholderText("a short name, e.g. billing_query")
        if mode == "add":
            form.addRow("New label:", self.name)
        elif mode == "rename":
            form.addRow("Label:", self.source)
            form.addRow("New name:", self.name)
        else:
            form.addRow("Merge:", self.source)
            form.addRow("Into:", self.target)
            note = QLabel("Every message and suggestion with the first label gets the second.", self)
            note.setWordWrap(True)
            form.addRow(note)
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel, self
        )
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        form.addRow(buttons)
        self.ok_button = buttons.button(QDialogButtonBox.StandardButton.Ok)
        self.name.textChanged.connect(self._update_ok)
        self.source.currentIndexChanged.connect(self._update_ok)
        self.target.currentIndexChanged.connect(self._update_ok)
        self._update_ok()

    def _update_ok(self) -> None:
        if self.mode == "merge":
            ok = self.source.count() > 1 and self.source.currentText() != self.target.currentText()
        else:
            ok = bool(self.name.text().strip()) and (self.mode == "add" or self.source.count() > 0)
        self.ok_button.setEnabled(ok)


class LabellingController(QObject):
    """Connects the label bar, the list and the keys to :class:`~scrubdesk.core.labels.Labeller`.

    ``window`` owns the window-wide shortcuts; ``focus_scopes`` (the list and the message view) own
    Enter, so that Enter in a text field elsewhere (the search box) keeps its meaning."""

    labels_changed = Signal(list)  # the label set, after it was loaded or changed
    message_labelled = Signal(object)  # LabelChange

    def __init__(
        self,
        window: QWidget,
        view: MessageListView,
        bar: LabelBar,
        focus_scopes: list[QWidget],
        notify: Callable[[str], None],
    ) -> None:
        super().__init__(window)
        self.window = window
        self.view = view
        self.model: MessageTableModel = view.message_model()
        self.bar = bar
        self.notify = notify
        self.project: Project | None = None
        self.store: Store | None = None
        self.labeller: Labeller | None = None
        self.role: str | None = None
        self.undo_stack: list[LabelChange] = []

        bar.label_chosen.connect(self.label_current)
        bar.clear_requested.connect(lambda: self.label_current(None))
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
            self._shortcut(keys, window, lambda n=number: self.label_by_number(n))
        self._shortcut([QKeySequence("J")], window, lambda: self.move(1), repeat=True)
        self._shortcut([QKeySequence("K")], window, lambda: self.move(-1), repeat=True)
        self._shortcut([QKeySequence("U")], window, self.undo)
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
        shortcut.activated.connect(lambda: None if is_typing(QApplication.focusWidget()) else slot())
        self.shortcuts.append(shortcut)

    # project ----------------------------------------------------------------------------------------
    def set_project(self, project: Project | None, store: Store | None) -> None:
        """A project was opened (or closed): check the role once, add the labels that imported messages
        carry to the set, and show the set."""
        self.project, self.store = project, store
        self.undo_stack.clear()
        self.labeller, self.role = None, None
        reason = "Open a project to label its messages"
        if project is not None and store is not None:
            self.role = role_of(store)
            try:
                self.labeller = Labeller(project, store)
            except PermissionDeniedError as exc:
                reason = str(exc)
            else:
                self._seed()
        self.bar.setToolTip(reason if self.labeller is None else "")
        self.reload_labels()
        self.update_progress()

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
        if seed and self.labeller is not None:
            self._seed()
        labels = core_labels.list_labels(self.store) if self.store is not None else []
        self.bar.set_labels(labels)
        self.bar.set_permissions(
            self.labeller is not None, self.role in core_labels.MANAGE_ROLES, self.bar.toolTip()
        )
        self._show_current()
        self.labels_changed.emit(labels)

    # the current message -----------------------------------------------------------------------------
    def current_row(self) -> MessageRow | None:
        row = self.view.current_row()
        return self.model.row_data(row) if row is not None else None

    def _message_selected(self, _message_id: int | None) -> None:
        self._show_current()

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

    def update_progress(self) -> None:
        if self.store is None:
            self.bar.set_progress("")
            return
        shown = self.model.rowCount()
        self.bar.set_progress(
            f"labelled {self.model.labelled_count:,} of {shown:,} ({self.model.filter_description()})"
        )

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

    def label_current(self, label: str | None, *, advance: bool = True) -> LabelChange | None:
        """Label the current message (None: remove its label), then move to the next one."""
        message_id = self.view.current_message_id()
        if self.labeller is None:
            if self.project is not None:
                self.notify(self.bar.toolTip() or "You may not label in this project")
            return None
        if message_id is None:
            return None
        try:
            change = self.labeller.set_label(message_id, label)
        except ScrubdeskError as exc:
            show_error(self.window, "Could not label the message", exc)
            return None
        self.undo_stack.append(change)
        self.model.update_label(message_id, change.previous, change.label)
        self.message_labelled.emit(change)
        if not (advance and self.view.move(1)):
            self._refresh_message_view(message_id)
        return change

    def undo(self) -> LabelChange | None:
        """Restore the label the last change replaced, and go back to that message."""
        if not self.undo_stack or self.labeller is None:
            self.notify("Nothing to undo")
            return None
        change = self.undo_stack.pop()
        try:
            restored = self.labeller.undo(change)
        except ScrubdeskError as exc:
            show_error(self.window, "Could not undo the label", exc)
            return None
        self.model.update_label(change.message_id, restored.previous, restored.label)
        if not self.view.select_message(change.message_id):
            self.notify(f"Label of {change.msg_key[:10]} restored (the message is not in this list)")
        self._refresh_message_view(change.message_id)
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

    def add_label(self, name: str) -> bool:
        ok = self._edit_set("Could not add the label", lambda p, s: core_labels.add_label(p, s, name))
        if ok:
            self.reload_labels()
        return ok

    def rename_label(self, old: str, new: str) -> bool:
        ok = self._edit_set(
            "Could not rename the label", lambda p, s: core_labels.rename_label(p, s, old, new)
        )
        if ok:
            self._relabelled(f"Renamed {old} to {new.strip()}")
        return ok

    def merge_labels(self, source: str, target: str) -> bool:
        ok = self._edit_set(
            "Could not merge the labels", lambda p, s: core_labels.merge_labels(p, s, source, target)
        )
        if ok:
            self._relabelled(f"Merged {source} into {target}")
        return ok

    def _relabelled(self, note: str) -> None:
        self.undo_stack.clear()  # its label names may be gone
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

    def add_label_dialog(self) -> None:
        dialog = self._dialog("add")
        if dialog is not None:
            self.add_label(dialog.name.text())

    def rename_label_dialog(self) -> None:
        dialog = self._dialog("rename")
        if dialog is not None:
            self.rename_label(dialog.source.currentText(), dialog.name.text())

    def merge_labels_dialog(self) -> None:
        dialog = self._dialog("merge")
        if dialog is not None:
            self.merge_labels(dialog.source.currentText(), dialog.target.currentText())


def _digit(number: int) -> Qt.Key:
    return Qt.Key(int(Qt.Key.Key_0.value) + number)
