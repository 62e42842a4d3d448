"""The label quick pick (key L): type part of a label's name, Up/Down to choose, Enter to label, Esc to
close. It reaches every label, also those beyond the ninth that have no number key."""

from __future__ import annotations

from PySide6.QtCore import QEvent, QObject, Qt, Signal, Slot
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import QFrame, QLabel, QLineEdit, QListWidget, QListWidgetItem, QVBoxLayout, QWidget

from scrubdesk.gui.label_bar import NUMBERED


def matches(labels: list[str], query: str) -> list[str]:
    """Labels containing ``query`` (case-insensitive), those starting with it first."""
    q = query.strip().lower()
    if not q:
        return list(labels)
    hits = [label for label in labels if q in label.lower()]
    return sorted(hits, key=lambda label: not label.lower().startswith(q))


class LabelPicker(QFrame):
    """A popup: a filter field over the label list."""

    chosen = Signal(str)  # the label picked with Enter or a click

    def __init__(self, labels: list[str], parent: QWidget | None = None) -> None:
        super().__init__(parent, Qt.WindowType.Popup)
        self.setObjectName("labelPicker")
        self.setFrameShape(QFrame.Shape.StyledPanel)
        self._labels = list(labels)
        self.filter = QLineEdit(self)
        self.filter.setPlaceholderText("Type part of a label…")
        self.filter.setAccessibleName("Filter labels")
        self.list = QListWidget(self)
        self.list.setAccessibleName("Labels")
        self.list.setFocusPolicy(Qt.FocusPolicy.NoFocus)  # the keys stay in the filter field
        hint = QLabel("Up/Down choose · Enter labels · Esc closes", self)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(6, 6, 6, 6)
        layout.addWidget(self.filter)
        layout.addWidget(self.list)
        layout.addWidget(hint)
        self.filter.textChanged.connect(self._refilter)
        self.filter.installEventFilter(self)
        self.list.itemClicked.connect(self._clicked)
        self._refilter("")
        self.resize(320, 360)

    @Slot(str)
    def _refilter(self, text: str) -> None:
        self.list.clear()
        numbers = {label: n for n, label in enumerate(self._labels[:NUMBERED], start=1)}
        for label in matches(self._labels, text):
            key = f"{numbers[label]}  " if label in numbers else "    "
            item = QListWidgetItem(f"{key}{label}")
            item.setData(Qt.ItemDataRole.UserRole, label)
            self.list.addItem(item)
        if self.list.count():
            self.list.setCurrentRow(0)

    def current_label(self) -> str | None:
        item = self.list.currentItem()
        return str(item.data(Qt.ItemDataRole.UserRole)) if item is not None else None

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if watched is self.filter and event.type() == QEvent.Type.KeyPress:
            assert isinstance(event, QKeyEvent)
            key = event.key()
            if key in (Qt.Key.Key_Down, Qt.Key.Key_Up):
                row = self.list.currentRow() + (1 if key == Qt.Key.Key_Down else -1)
                self.list.setCurrentRow(max(0, min(self.list.count() - 1, row)))
                return True
            if key in (Qt.Key.Key_Return, Qt.Key.Key_Enter):
                self._pick(self.current_label())
                return True
        return super().eventFilter(watched, event)

    @Slot(QListWidgetItem)
    def _clicked(self, item: QListWidgetItem) -> None:
        self._pick(str(item.data(Qt.ItemDataRole.UserRole)))

    def _pick(self, label: str | None) -> None:
        if label is None:
            return
        self.close()
        self.chosen.emit(label)

    def popup_at(self, anchor: QWidget) -> None:
        """Show it over ``anchor``'s window, centred, with the keyboard in the filter field."""
        window = anchor.window()
        centre = window.mapToGlobal(window.rect().center())
        self.move(centre.x() - self.width() // 2, centre.y() - self.height() // 2)
        self.show()
        self.filter.setFocus(Qt.FocusReason.PopupFocusReason)
