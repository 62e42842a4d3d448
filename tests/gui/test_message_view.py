"""The message view with PII spans: highlighting, keyboard decisions, adding spans, raw / scrubbed preview."""

from __future__ import annotations

import json
import re

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QTextCharFormat, QTextCursor

from scrubdesk.core.db.audit import details_of
from scrubdesk.core.db.messages import get_message
from scrubdesk.core.db.spans import message_spans, set_status
from scrubdesk.core.review import approve, review_state, set_raw_view_roles
from scrubdesk.core.spans import Span
from tests.builders import audit_rows
from tests.review_fixtures import BODY, SUBJECT, add_message, as_role

pytestmark = pytest.mark.gui


@pytest.fixture
def store(project):
    store = project.store()
    yield store
    store.close()


@pytest.fixture
def view(qtbot, project, store):
    from scrubdesk.gui.message_view import MessageView

    view = MessageView()
    view.resize(800, 600)
    qtbot.addWidget(view)
    view.set_project(project, store)
    return view


def show(qtbot, view, store, message_id: int) -> None:
    """Open a message and read it raw where the role may (as pressing R does: everyone starts scrubbed);
    raw text appears once its view is committed to the audit log (by the gate's writer thread)."""
    view.show_message(get_message(store, message_id))
    if view.raw_allowed:
        view.set_mode("raw")
    qtbot.waitUntil(lambda: not view.raw_waiting, timeout=10_000)
    if not view.isVisible():
        view.show()
        qtbot.waitExposed(view)
        view.activateWindow()
        qtbot.waitUntil(view.isActiveWindow)


def stored(store, mid: int) -> dict[tuple[str, int, int], tuple[str, str]]:
    return {(r.field, r.start, r.end): (r.label, r.status) for r in message_spans(store, mid)}


def audit(store, action: str, view=None) -> list[str]:
    if view is not None:
        assert view.flush_raw_log(10)  # raw views are logged on the recorder's own thread
    return [row.objects for row in audit_rows(store, action)]


def char_format(text_view, offset: int):
    cursor = QTextCursor(text_view.document())
    cursor.setPosition(text_view.text_map.to_qt(offset) + 1)  # the format of the character before
    return cursor.charFormat()


def test_spans_are_highlighted_per_type_with_legend_and_tooltips(qtbot, view, store):
    from scrubdesk.gui.span_highlighter import tint

    mid = add_message(store, "m1")
    with store.transaction() as conn:
        for span in message_spans(conn, mid):  # the only message
            if span.label == "CUSTOMER_REF":
                set_status(conn, span.id, "rejected", span.label)
    show(qtbot, view, store, mid)
    assert view.body.text() == BODY and view.fields["Subject"].text() == SUBJECT
    dark = view._formats.dark
    assert char_format(view.body, 9).background().color() == tint("PERSON", dark)
    assert char_format(view.body, 27).background().color() == tint("PHONE_NUMBER", dark)
    assert char_format(view.subject, 11).background().color() == tint("PERSON", dark)
    # rejected = kept in clear: never struck through (that reads as removed), not greyed, but boxed
    rejected = char_format(view.body, 49)
    assert not rejected.fontStrikeOut() and rejected.background().style() == Qt.BrushStyle.NoBrush
    assert (
        not rejected.foreground().color().isValid()
        or rejected.foreground().color() == view.palette().text().color()
    )
    assert view.body.kept_ranges() == [(49, 53)] and len(view.body.kept_boxes()) == 1
    # suggested (to decide) and accepted differ by more than a dash: wavy + italic vs solid
    suggested = char_format(view.body, 9)
    assert (
        suggested.underlineStyle() == QTextCharFormat.UnderlineStyle.WaveUnderline and suggested.fontItalic()
    )
    assert not char_format(view.body, 0).fontStrikeOut()
    assert char_format(view.body, 0).background().style() == Qt.BrushStyle.NoBrush  # "Hi" is not PII
    legend = re.sub(r"<[^>]*>", "", view.legend.text()).replace("&nbsp;", " ")
    assert re.search(r"Person +2", legend) and re.search(r"Phone number +1", legend)
    assert "Customer reference" not in legend  # rejected: not PII, not in the legend
    assert "Okafor" not in legend
    # Tab order: the subject's span, then the body's in position order
    assert [(m.field, m.start) for m in view.marks()] == [
        ("subject", 11),
        ("body", 9),
        ("body", 27),
        ("body", 49),
    ]
    tooltip = view.marks()[1].tooltip()
    assert "Person" in tooltip and "0.85" in tooltip and "spacy" in tooltip and "suggested" in tooltip
    assert "rejected" in view.marks()[3].tooltip()
    assert "3 PII spans" in view.body_caption.text() and "3 to decide" in view.body_caption.text()


def test_keyboard_accept_reject_and_change_type(qtbot, view, store):
    mid = add_message(store, "m1")
    show(qtbot, view, store, mid)
    view.body.setFocus()
    qtbot.keyClick(view.body, Qt.Key.Key_Tab)  # first span: the subject's
    assert view.current is not None and view.current.field == "subject"
    assert view.subject.hasFocus()
    qtbot.keyClick(view.subject, Qt.Key.Key_Y)  # accept, and move on to the next span
    assert stored(store, mid)[("subject", 11, 22)] == ("PERSON", "accepted")
    assert (view.current.field, view.current.start) == ("body", 9)
    assert view.body.hasFocus()
    qtbot.keyClick(view.body, Qt.Key.Key_Tab)  # skip "Jane Okafor" in the body
    assert view.current.start == 27
    qtbot.keyClick(view.body, Qt.Key.Key_N)  # reject the phone number
    assert stored(store, mid)[("body", 27, 39)] == ("PHONE_NUMBER", "rejected")
    assert not char_format(view.body, 27).fontStrikeOut() and (27, 39) in view.body.kept_ranges()
    accepted = char_format(view.subject, 11)
    assert accepted.underlineStyle() == QTextCharFormat.UnderlineStyle.SingleUnderline
    assert not accepted.fontItalic()
    assert view.current.start == 49
    qtbot.keyClick(view.body, Qt.Key.Key_Backtab)
    qtbot.keyClick(view.body, Qt.Key.Key_Backtab)
    assert view.current.start == 9
    qtbot.keyClick(view.body, Qt.Key.Key_T)  # change type: a menu of types
    menu = view.type_menu
    assert menu is not None and menu.isVisible()
    qtbot.keyClick(menu, Qt.Key.Key_L)  # "&Location": its mnemonic
    qtbot.waitUntil(lambda: stored(store, mid)[("body", 9, 20)] == ("LOCATION", "accepted"))
    assert view.current.label == "LOCATION"
    assert [json.loads(d)["op"] for _seq, _objects, d in details_of(store, "span_edit")] == [
        "accept",
        "reject",
        "change_type",
    ]


def test_select_text_with_the_keyboard_and_add_a_span(qtbot, view, store):
    mid = add_message(store, "m1")
    show(qtbot, view, store, mid)
    start = BODY.index("5 Elm Road")
    view.body.setFocus()
    view.body.select_range(start, start)  # the caret before "5 Elm Road"
    for _ in range(len("5 Elm Road")):
        qtbot.keyClick(view.body, Qt.Key.Key_Right, Qt.KeyboardModifier.ShiftModifier)
    assert view.body.selected_range() == (start, start + 10)
    qtbot.keyClick(view.body, Qt.Key.Key_A)
    menu = view.type_menu
    assert menu is not None
    action = next(a for a in menu.actions() if a.data() == "STREET_ADDRESS")
    action.trigger()
    assert stored(store, mid)[("body", start, start + 10)] == ("STREET_ADDRESS", "added")
    assert view.current is not None and view.current.status == "added"
    assert "5 PII spans" in view.body_caption.text()  # subject and body
    # N on a span a person added removes it
    qtbot.keyClick(view.body, Qt.Key.Key_N)
    assert ("body", start, start + 10) not in stored(store, mid)


def test_add_span_by_mouse_selection_in_the_subject(qtbot, view, store):
    mid = add_message(store, "m1", subject="Refund please", subject_spans=[])
    show(qtbot, view, store, mid)
    view.subject.select_range(0, 6)  # "Refund", as a mouse drag would
    view.subject.setFocus()
    assert view.add_span_from_selection("CUSTOMER_REF")
    assert stored(store, mid)[("subject", 0, 6)] == ("CUSTOMER_REF", "added")
    # overlapping a decided span is refused with a notice naming offsets, never the text
    view.subject.select_range(3, 10)
    assert not view.add_span_from_selection("PERSON")
    assert view.notice.isVisibleTo(view) and "overlaps the added CUSTOMER_REF span 0..6" in view.notice.text()
    assert "Refund" not in view.notice.text()


def test_clicking_a_span_makes_it_current(qtbot, view, store):
    mid = add_message(store, "m1")
    show(qtbot, view, store, mid)
    cursor = QTextCursor(view.body.document())
    cursor.setPosition(30)  # inside the phone number
    rect = view.body.cursorRect(cursor)
    qtbot.mouseClick(view.body.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    assert view.current is not None and view.current.label == "PHONE_NUMBER"
    qtbot.keyClick(view.body, Qt.Key.Key_Y)
    assert stored(store, mid)[("body", 27, 39)] == ("PHONE_NUMBER", "accepted")


def test_each_raw_display_is_audited_once(qtbot, view, store):
    first, second = add_message(store, "m1"), add_message(store, "m2")
    show(qtbot, view, store, first)
    assert audit(store, "view_raw", view) == ['["m1"]']
    view.set_mode("scrubbed")
    view.set_mode("raw")  # the same display: not logged again
    view.move(1)
    assert view.accept_current()  # an edit re-renders: not logged again
    assert audit(store, "view_raw", view) == ['["m1"]']
    show(qtbot, view, store, second)
    show(qtbot, view, store, first)
    assert audit(store, "view_raw", view) == ['["m1"]', '["m2"]', '["m1"]']


def test_scrubbed_preview_and_adding_a_span_in_it(qtbot, view, store):
    mid = add_message(store, "m1")
    show(qtbot, view, store, mid)
    qtbot.keyClick(view.body, Qt.Key.Key_R)
    assert view.mode == "scrubbed"
    text = view.body.text()
    assert text.startswith("Hi, I am <PERSON>, call <PHONE_NUMBER>.") and "Okafor" not in text
    assert view.fields["Subject"].text() == "Refund for <PERSON>"
    assert view.fields["From"].text() == ""  # sender name and address are raw personal data
    assert [m.label for m in view.marks() if m.field == "body"] == ["PERSON", "PHONE_NUMBER", "CUSTOMER_REF"]
    leeds = text.index("Leeds")
    view.body.select_range(leeds, leeds + 5)
    assert view.add_span_from_selection("LOCATION")
    raw_start = BODY.index("Leeds")
    assert stored(store, mid)[("body", raw_start, raw_start + 5)] == ("LOCATION", "added")
    assert "<LOCATION>" in view.body.text()
    # a selection that includes a placeholder cannot be mapped back to raw text
    view.body.select_range(0, 14)
    assert not view.add_span_from_selection("PERSON")
    assert "placeholder" in view.notice.text()


def test_raw_text_is_compared_with_the_scrubbed_text_beside_it(qtbot, view, store):
    """Reading raw text, a reviewer sees the body as the model will see it in a second pane (beside the
    raw text when wide, under it when narrow); a decision updates both; Compare off leaves one pane."""
    mid = add_message(store, "m1")
    show(qtbot, view, store, mid)
    preview = view.preview
    assert view.mode == "raw" and preview.isVisible() and view.compare_button.isVisible()
    assert "Okafor" in view.body.text()  # raw
    assert preview.text.text().startswith("Hi, I am <PERSON>, call <PHONE_NUMBER>.")
    assert "Okafor" not in preview.text.text()
    assert view.compare_split.orientation() == Qt.Orientation.Vertical  # 800 px wide: one under the other
    view.resize(1300, 600)
    qtbot.waitUntil(lambda: view.compare_split.orientation() == Qt.Orientation.Horizontal)
    view.body.setFocus()
    qtbot.keyClick(view.body, Qt.Key.Key_Tab)  # the subject's span
    qtbot.keyClick(view.subject, Qt.Key.Key_Tab)  # the body's "Jane Okafor"
    assert (view.current.field, view.current.start) == ("body", 9)
    qtbot.keyClick(view.body, Qt.Key.Key_N)  # not PII: kept in clear, in both panes
    assert "Jane Okafor" in preview.text.text() and "<PERSON>, call" not in preview.text.text()
    view.compare_button.click()  # one pane
    assert not preview.isVisible() and view.body.isVisible()
    view.compare_button.click()
    assert preview.isVisible()
    qtbot.keyClick(view.body, Qt.Key.Key_R)  # the scrubbed view is one pane: no compare there
    assert view.mode == "scrubbed" and not preview.isVisible() and not view.compare_button.isVisible()


def test_roles_without_raw_access_see_only_the_scrubbed_text(qtbot, project, view, store):
    mid = add_message(store, "m1")
    unanalysed = add_message(store, "m2", analysed=False)
    set_raw_view_roles(project, store, ["admin", "reviewer"])
    as_role(store, "annotator")
    view.set_project(project, store)
    show(qtbot, view, store, mid)
    assert view.mode == "scrubbed" and not view.raw_allowed
    assert not view.mode_buttons["raw"].isVisibleTo(view)
    view.set_mode("raw")
    qtbot.keyClick(view.body, Qt.Key.Key_R)
    assert view.mode == "scrubbed" and "Okafor" not in view.body.text()
    assert "Okafor" not in view.fields["Subject"].text() and view.fields["From"].text() == ""
    assert audit(store, "view_raw", view) == []
    # an annotator still decides spans in the scrubbed text
    view.move(1)
    assert view.accept_current()
    show(qtbot, view, store, unanalysed)  # nothing to scrub with: no text at all
    assert view.body.text() == "" and view.not_analysed.isVisibleTo(view)
    assert "Okafor" not in view.fields["Subject"].text()


def test_offsets_survive_crlf_and_characters_outside_the_bmp(qtbot, view, store):
    body = "Hi 👋🏽\r\nI am Jane Okafor\r\nbye"
    start = body.index("Jane Okafor")
    mid = add_message(store, "m1", body=body, body_spans=[Span(start, start + 11, "PERSON", 0.9, "spacy")])
    show(qtbot, view, store, mid)
    mark = next(m for m in view.marks() if m.field == "body")
    view.set_current(mark)
    cursor = view.body.textCursor()
    cursor.setPosition(view.body.text_map.to_qt(mark.start))
    cursor.setPosition(view.body.text_map.to_qt(mark.end), QTextCursor.MoveMode.KeepAnchor)
    assert cursor.selectedText() == "Jane Okafor"
    bye = body.index("bye")
    view.body.select_range(bye, bye + 3)
    assert view.body.textCursor().selectedText() == "bye"
    assert view.add_span_from_selection("PERSON")
    assert stored(store, mid)[("body", bye, bye + 3)] == ("PERSON", "added")


def test_editing_an_approved_message_puts_it_back_in_review(qtbot, project, view, store):
    mid = add_message(store, "m1")
    approve(project, store, mid, accept_remaining=True)
    show(qtbot, view, store, mid)
    assert "approved" in view.review_label.text()
    assert not view.submit_button.isEnabled()
    view.move(1)
    with qtbot.waitSignal(view.review_changed) as signal:
        view.reject_current()
    assert signal.args == [mid]
    assert review_state(store, mid).status == "pending"
    assert "awaits approval again" in view.notice.text()
    assert "awaiting approval" in view.review_label.text()


def test_submit_for_review_and_see_a_reviewers_comment(qtbot, project, view, store):
    from scrubdesk.core.review import send_back

    mid = add_message(store, "m1")
    as_role(store, "annotator")
    view.set_project(project, store)
    show(qtbot, view, store, mid)
    assert view.submit_button.isEnabled()
    view.body.setFocus()
    with qtbot.waitSignal(view.review_changed):
        qtbot.keyClick(
            view.body,
            Qt.Key.Key_Return,
            Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier,
        )
    assert review_state(store, mid).status == "pending"
    assert not view.submit_button.isEnabled()
    as_role(store, "reviewer")
    send_back(project, store, mid, "Leeds is a location too")
    view.refresh_review()
    assert view.review_comment.isVisibleTo(view) and "Leeds is a location too" in view.review_comment.text()
    assert view.submit_button.isEnabled()


def test_switching_messages_is_fast(qtbot, view, store):
    """A smoke bound (the benchmark measures p95 properly): a long message with many spans."""
    import time

    sentence = "Dear Jane Okafor, your reference NE-510213 and phone 07700 900123 are noted. "
    body = sentence * 400  # ~30k characters, 1,200 spans
    spans = []
    for i in range(400):
        base = i * len(sentence)
        spans += [
            Span(base + 5, base + 16, "PERSON", 0.9, "spacy"),
            Span(base + 33, base + 42, "CUSTOMER_REF", 0.9, "ref"),
            Span(base + 53, base + 65, "PHONE_NUMBER", 0.9, "phone"),
        ]
    ids = [add_message(store, f"long{i}", body=body, body_spans=spans) for i in range(2)]
    messages = [get_message(store, mid) for mid in ids]
    show(qtbot, view, store, ids[0])
    view.set_mode("scrubbed")  # raw text waits for its audit entry; the scrubbed preview is built at once
    timings = []
    for i in range(10):
        started = time.perf_counter()
        view.show_message(messages[i % 2])
        timings.append(time.perf_counter() - started)
    assert len(view.marks()) == 1201
    assert sorted(timings)[5] < 0.25  # generous: CI machines are slow; see BENCHMARKS for the real figure


def test_hovering_a_span_shows_its_tooltip(qtbot, view, store):
    from PySide6.QtCore import QEvent
    from PySide6.QtGui import QHelpEvent
    from PySide6.QtWidgets import QApplication, QToolTip

    mid = add_message(store, "m1")
    show(qtbot, view, store, mid)
    cursor = QTextCursor(view.body.document())
    cursor.setPosition(30)  # inside the phone number
    pos = view.body.cursorRect(cursor).center()
    event = QHelpEvent(QEvent.Type.ToolTip, pos, view.body.viewport().mapToGlobal(pos))
    QApplication.sendEvent(view.body.viewport(), event)
    assert QToolTip.isVisible()
    text = QToolTip.text()
    assert "Phone number" in text and "0.90" in text and "phone" in text and "suggested" in text
    assert "07700" not in text  # the tooltip names the type, never the value
    QToolTip.hideText()


def test_a_failed_raw_view_log_hides_the_raw_text(qtbot, project, view, store, monkeypatch):
    mid = add_message(store, "m1")
    monkeypatch.setattr(type(project), "store", lambda self: (_ for _ in ()).throw(OSError("disk gone")))
    view.show_message(get_message(store, mid))
    view.set_mode("raw")  # raw wanted: the log entry is written first, and fails
    assert "Okafor" not in view.body.text()  # never shown before it is logged
    qtbot.waitUntil(lambda: view.mode == "scrubbed", timeout=5000)
    assert not view.raw_allowed and "Okafor" not in view.body.text()
    assert "could not be audit-logged" in view.notice.text()
    view.set_mode("raw")
    assert view.mode == "scrubbed"


def test_context_menu_on_a_span_and_on_a_selection(qtbot, view, store):
    from PySide6.QtCore import QPoint
    from PySide6.QtGui import QContextMenuEvent
    from PySide6.QtWidgets import QApplication

    mid = add_message(store, "m1")
    show(qtbot, view, store, mid)

    def right_click(offset: int) -> list[str]:
        cursor = QTextCursor(view.body.document())
        cursor.setPosition(offset)
        pos = view.body.cursorRect(cursor).center() + QPoint(2, 0)
        event = QContextMenuEvent(QContextMenuEvent.Reason.Mouse, pos, view.body.viewport().mapToGlobal(pos))
        QApplication.sendEvent(view.body.viewport(), event)
        menu = view.context_menu
        assert menu is not None
        texts = [a.text() for a in menu.actions()]
        menu.close()
        return texts

    on_span = right_click(28)  # the phone number
    assert view.current is not None and view.current.label == "PHONE_NUMBER"
    assert "&Accept Span" in on_span and "&Reject Span" in on_span and "Change &Type" in on_span
    leeds = BODY.index("Leeds")
    view.body.select_range(leeds, leeds + 5)
    on_selection = right_click(leeds + 2)
    assert "A&dd Span As" in on_selection and "&Accept Span" not in on_selection
