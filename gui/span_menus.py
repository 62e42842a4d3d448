"""The message view's menus: the entity-type picker (T on the current span, A on a selection) and the
context menu of the subject and body texts. Choosing a type closes the menus, as a click does."""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, QPoint, Slot
from PySide6.QtGui import QAction
from PySide6.QtWidgets import QMenu, QWidget

from scrubdesk.core.entities import LABELS
from scrubdesk.core.span_marks import Mark, display_name, type_mnemonics
from scrubdesk.gui.span_highlighter import swatch
from scrubdesk.gui.span_text_view import SpanTextView
from scrubdesk.gui.spans_panel import STATUS_TEXT

if TYPE_CHECKING:
    from scrubdesk.gui.message_view import MessageView


class SpanMenus(QObject):
    """Builds and tracks the open menus of one message view."""

    def __init__(self, view: MessageView) -> None:
        super().__init__(view)
        self.view = view
        self.type_menu: QMenu | None = None  # the open type picker (tests drive it)
        self.context_menu: QMenu | None = None

    def _types(self, title: str, *, retype: bool, current: str | None, parent: QWidget) -> QMenu:
        """A menu of the entity types (each action's data is its type)."""
        menu = QMenu(title, parent)
        for label, text in type_mnemonics(LABELS).items():
            action = menu.addAction(swatch(label, self.view.formats.dark), text)
            action.setToolTip(label)
            action.setData(label)
            if label == current:
                action.setCheckable(True)
                action.setChecked(True)
        menu.triggered.connect(self._retype_chosen if retype else self._add_type_chosen)
        return menu

    def close(self) -> None:
        """A type was chosen: the menus go (as after a click), and the keys are the window's again."""
        for menu in (self.type_menu, self.context_menu):
            if menu is not None:
                menu.close()

    @Slot(QAction)
    def _retype_chosen(self, action: QAction) -> None:
        if action.data():
            self.close()
            self.view.change_current_type(str(action.data()))

    @Slot(QAction)
    def _add_type_chosen(self, action: QAction) -> None:
        if action.data():
            self.close()
            self.view.add_span_from_selection(str(action.data()))

    def popup_types(self, text: SpanTextView, title: str, current: str | None) -> None:
        """The picker under the caret of ``text``: a new type for the current span (``current`` is its
        type) or, with ``current`` None, the type of a span to add from the selection."""
        menu = self._types(title, retype=current is not None, current=current, parent=self.view)
        menu.insertSection(menu.actions()[0], title)
        menu.aboutToHide.connect(menu.deleteLater)
        self.type_menu = menu
        menu.destroyed.connect(self._type_menu_gone)
        menu.popup(text.viewport().mapToGlobal(text.cursorRect().bottomLeft()))

    @Slot()
    def _type_menu_gone(self) -> None:
        self.type_menu = None

    @Slot()
    def _context_menu_gone(self) -> None:
        self.context_menu = None

    @Slot(object, object)
    def show_context_menu(self, pos: QPoint, mark: Mark | None) -> None:
        view = self.view
        menu = QMenu(view)
        if mark is not None:
            view.set_current(mark)
            title = menu.addAction(
                f"{display_name(mark.label)} — {STATUS_TEXT.get(mark.status, mark.status)}"
            )
            title.setEnabled(False)
            menu.addAction(view.accept_action)
            menu.addAction(view.reject_action)
            menu.addMenu(self._types("Change &Type", retype=True, current=mark.label, parent=menu))
            if mark.status == "added":
                menu.addAction(view.delete_action)
        if view.has_selection():
            if mark is not None:
                menu.addSeparator()
            menu.addMenu(self._types("A&dd Span As", retype=False, current=None, parent=menu))
        menu.addSeparator()
        menu.addAction(view.toggle_mode_action)
        menu.aboutToHide.connect(menu.deleteLater)
        self.context_menu = menu
        menu.destroyed.connect(self._context_menu_gone)
        menu.popup(pos)
