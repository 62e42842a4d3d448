"""The label bar: a button per intent label of the project (keys 1–9), the suggestion and the progress
counter, and the dialog that adds, renames or merges labels. It only shows and reports; the keys and the
labelling itself are :class:`scrubdesk.gui.labelling.LabellingController`'s.
"""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal, Slot
from PySide6.QtGui import QFont, QResizeEvent
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QMenu,
    QPlainTextEdit,
    QPushButton,
    QSizePolicy,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from scrubdesk.core import labels as core_labels
from scrubdesk.gui.flow_layout import FlowLayout

NUMBERED = 9  # labels with a number key; the rest are in the "More" menu
BUTTON_TEXT_PX = (150, 110, 80, 56)  # label names are elided on their buttons (the tooltip has them
# whole): at the first of these widths that keeps the bar to two rows
NARROW_BAR_PX = 1200  # narrower, the suggestion line goes (the suggested button is bold, with its %)
MORE_TEXT = "More… (L)"


class LabelBar(QWidget):
    """Buttons 1–9 for the first labels of the set, a "More" menu for the rest, the suggestion and the
    progress counter. It only shows and reports; :class:`LabellingController` acts."""

    label_chosen = Signal(str)  # a label's button was clicked: label the message
    pick_requested = Signal()  # "More… (L)": open the type-to-filter label picker
    clear_requested = Signal()  # "Clear": remove the message's label
    add_requested = Signal()  # Labels menu: add a label to the set
    rename_requested = Signal()  # Labels menu: rename a label (managers only)
    merge_requested = Signal()  # Labels menu: merge one label into another (managers only)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("labelBar")
        self.setAccessibleName("Label bar")
        self._labels: list[str] = []
        self._more_text = MORE_TEXT
        self._squeeze = 0  # index into BUTTON_TEXT_PX
        self._descriptions: dict[str, str] = {}
        self._current: str | None = None
        self._suggestion: str | None = None
        self._confidence: float | None = None
        self.buttons: list[QPushButton] = []

        self.caption = QLabel("Label:", self)
        self.buttons_area = QWidget(self)
        self.buttons_area.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Preferred)
        self.buttons_box = FlowLayout(self.buttons_area)
        self.more = QPushButton(MORE_TEXT, self.buttons_area)
        self.more.setObjectName("moreLabels")
        self.more.setAccessibleName("Pick a label")
        self.more.setToolTip("Pick any label by typing part of its name, also those without a number key (L)")
        self.more.clicked.connect(self.pick_requested)
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
        self.end_notice = QLabel("End of the list", self)
        self.end_notice.setObjectName("endOfList")
        self.end_notice.setToolTip(
            "The last message of this list was labelled; another number key relabels it (U undoes)"
        )
        font = QFont(self.end_notice.font())
        font.setBold(True)
        self.end_notice.setFont(font)
        self.end_notice.hide()

        self.suggestion_label.setAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        self.progress_label.setAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        status = QVBoxLayout()
        status.setSpacing(0)
        status.addWidget(self.end_notice, 0, Qt.AlignmentFlag.AlignRight)
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
            button.setAccessibleName(f"Label {label} (key {number})")
            button.setCheckable(True)
            button.setFocusPolicy(Qt.FocusPolicy.NoFocus)
            button.setSizePolicy(QSizePolicy.Policy.Maximum, QSizePolicy.Policy.Fixed)
            button.setProperty("label", label)
            button.clicked.connect(self._button_clicked)
            self.buttons_box.addWidget(button)
            self.buttons.append(button)
        for widget in (self.more, self.clear_button, self.menu_button):
            self.buttons_box.addWidget(widget)
        self.more.setVisible(bool(self._labels))
        extra = len(self._labels) - NUMBERED
        self._more_text = f"{extra} more… (L)" if extra > 0 else "Pick… (L)"
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

    @Slot()
    def _button_clicked(self) -> None:
        button = self.sender()
        if isinstance(button, QPushButton):
            self.label_chosen.emit(str(button.property("label")))

    def _text_px(self) -> int:
        return BUTTON_TEXT_PX[self._squeeze]

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        self.suggestion_label.setVisible(event.size().width() >= NARROW_BAR_PX)
        self._fit_rows()

    def _fit_rows(self) -> None:
        """Elide the names just enough that the buttons take at most two rows."""
        width = self.buttons_area.width()
        if width <= 0 or not self.buttons:
            return
        two_rows = 2 * self.buttons[0].sizeHint().height() + 2 * self.buttons_box.spacing()
        for squeeze in range(len(BUTTON_TEXT_PX)):
            if squeeze != self._squeeze:
                self._squeeze = squeeze
                self._refresh()
            if self.buttons_box.heightForWidth(width) <= two_rows:
                break

    def _refresh(self) -> None:
        metrics = self.fontMetrics()
        for number, (button, label) in enumerate(zip(self.buttons, self._labels, strict=False), start=1):
            suggested = label == self._suggestion
            text = metrics.elidedText(label, Qt.TextElideMode.ElideRight, self._text_px())
            if suggested and self._confidence is not None:
                text += f"  {self._confidence:.0%}"
            button.setText(f"{number}  {text}".replace("&", "&&"))  # no mnemonics from label names
            font = QFont(button.font())
            font.setBold(suggested)
            font.setUnderline(suggested)
            button.setFont(font)
            button.setChecked(label == self._current)
            tip = f"{label}  (key {number})"
            if self._descriptions.get(label):
                tip += f"\n{self._descriptions[label]}"
            if suggested:
                tip += " — the model's suggestion; Enter accepts it"
            button.setToolTip(tip)
        if self._suggestion is None:
            self.suggestion_label.setText("")
        else:
            confidence = f" {self._confidence:.0%}" if self._confidence is not None else ""
            self.suggestion_label.setText(f"Suggestion: {self._suggestion}{confidence} (Enter)")
        beyond = self._current is not None and self._current in self._labels[NUMBERED:]
        current = f" — {self._current}".replace("&", "&&") if beyond else ""  # no mnemonics from names
        self.more.setText(self._more_text + current)

    def set_descriptions(self, descriptions: dict[str, str]) -> None:
        """The annotation guide's description per label: shown in the buttons' tooltips."""
        self._descriptions = dict(descriptions)
        self._refresh()

    def show_end_of_list(self, shown: bool) -> None:
        """The last message of the list was labelled: there is no next one to move to."""
        self.end_notice.setVisible(shown)


class LabelSetDialog(QDialog):
    """Add labels (one per line: type or paste many at once), rename one, or merge one into another."""

    def __init__(self, mode: str, labels: list[str], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.mode = mode
        titles = {"add": "Add Labels", "rename": "Rename Label", "merge": "Merge Labels"}
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
        self.names = QPlainTextEdit(self)
        self.names.setAccessibleName("New labels, one per line")
        self.names.setPlaceholderText(
            "One label per line (paste a list), e.g.\nbilling_query\nrefund_request"
        )
        self.names.setTabChangesFocus(True)
        if mode == "add":
            form.addRow("New labels:", self.names)
            note = QLabel("Labels already in the set are skipped.", self)
            form.addRow(note)
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
        self.names.textChanged.connect(self._update_ok)
        self.source.currentIndexChanged.connect(self._update_ok)
        self.target.currentIndexChanged.connect(self._update_ok)
        self._update_ok()

    def new_names(self) -> list[str]:
        """The labels typed or pasted, one per line: trimmed, blank lines and repeats dropped."""
        seen: dict[str, None] = {}
        for line in self.names.toPlainText().splitlines():
            if line.strip():
                seen.setdefault(line.strip(), None)
        return list(seen)

    @Slot()
    def _update_ok(self) -> None:
        if self.mode == "merge":
            ok = self.source.count() > 1 and self.source.currentText() != self.target.currentText()
        elif self.mode == "add":
            ok = bool(self.new_names())
        else:
            ok = bool(self.name.text().strip()) and self.source.count() > 0
        self.ok_button.setEnabled(ok)
