"""Issue 17, part 1 — span review that cannot leak by accident. Each bug is reproduced the way a person
meets it: key events sent to whatever widget has the keyboard focus, never by calling the view."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QTextCharFormat, QTextCursor

from scrubdesk.core import labels as core_labels
from scrubdesk.core.db.messages import get_message
from scrubdesk.core.db.spans import message_spans
from scrubdesk.core.review import review_state, submit_for_review
from tests.gui.conftest import press
from tests.review_fixtures import add_message, suggest_labels

pytestmark = pytest.mark.gui


def statuses(project, mid: int) -> dict[tuple[str, int], str]:
    with project.store() as store:
        return {(r.field, r.start): r.status for r in message_spans(store, mid)}


@pytest.fixture
def messages(project):
    with project.store() as store:
        ids = [add_message(store, f"k{i}") for i in range(3)]
        core_labels.add_labels(project, store, ["billing", "complaint"])
        suggest_labels(store, dict.fromkeys(ids, "complaint"))  # Enter would accept this suggestion
        for mid in ids:
            submit_for_review(project, store, mid)
    return ids


def char_format(text_view, offset: int) -> QTextCharFormat:
    cursor = QTextCursor(text_view.document())
    cursor.setPosition(text_view.text_map.to_qt(offset) + 1)
    return cursor.charFormat()


def test_a_rejected_span_reads_as_kept_in_clear_never_as_removed(desk, project, messages, qtbot):
    view = desk.message_view
    press(Qt.Key.Key_F6)  # into the spans: the subject's first
    press(Qt.Key.Key_Tab)  # the body's "Jane Okafor"
    press(Qt.Key.Key_N)  # not PII: keep it in clear
    assert statuses(project, messages[0])[("body", 9)] == "rejected"
    kept = char_format(view.body, 9)
    assert not kept.fontStrikeOut()  # struck-through text reads as "removed": the opposite
    assert kept.background().style() == Qt.BrushStyle.NoBrush and (9, 20) in view.body.kept_ranges()
    assert view.body.kept_boxes(), "the kept text is boxed where it shows"
    assert "kept in clear" in view.body_caption.text()
    panel = view.spans_panel
    row = next(i for i, m in enumerate(panel.marks()) if (m.field, m.start) == ("body", 9))
    assert panel.model().index(row, 2).data() == "kept in clear"
    press(Qt.Key.Key_R)  # the scrubbed preview: the name is there, in clear, boxed — not a placeholder
    assert view.mode == "scrubbed" and "Jane Okafor" in view.body.text()
    start = view.body.text().index("Jane Okafor")
    assert (start, start + 11) in view.body.kept_ranges()


def test_suggested_and_accepted_spans_look_different_beyond_the_dash(desk, project, messages):
    view = desk.message_view
    press(Qt.Key.Key_F6)
    press(Qt.Key.Key_Y)  # accept the subject's span; the body's first is current now
    accepted, suggested = char_format(view.subject, 11), char_format(view.body, 9)
    assert accepted.underlineStyle() == QTextCharFormat.UnderlineStyle.SingleUnderline
    assert suggested.underlineStyle() == QTextCharFormat.UnderlineStyle.WaveUnderline
    assert suggested.fontItalic() and not accepted.fontItalic()
    assert "to decide" in view.body_caption.text()


def test_the_spans_panel_lists_every_span_and_is_driven_by_the_keyboard(desk, project, messages):
    view = desk.message_view
    panel = view.spans_panel
    assert [(m.field, m.label) for m in panel.marks()] == [
        ("subject", "PERSON"),
        ("body", "PERSON"),
        ("body", "PHONE_NUMBER"),
        ("body", "CUSTOMER_REF"),
    ]
    assert panel.model().index(2, 1).data() == "07700 900123"  # the admin may read raw text
    assert panel.model().index(2, 2).data() == "to decide"
    panel.setFocus()  # focus in: on the first span (the subject's), the text follows
    assert (view.current.field, view.current.start) == ("subject", 11)
    press(Qt.Key.Key_Down)
    press(Qt.Key.Key_Down)  # the phone number
    assert (view.current.field, view.current.label) == ("body", "PHONE_NUMBER")
    press(Qt.Key.Key_Y)
    assert statuses(project, messages[0])[("body", 27)] == "accepted"
    assert panel.hasFocus()  # the keyboard stays in the panel
    assert view.current.label == "CUSTOMER_REF"  # and moves on, in the text too
    press(Qt.Key.Key_N)
    assert statuses(project, messages[0])[("body", 49)] == "rejected"
    assert panel.model().index(3, 2).data() == "kept in clear"


def test_enter_in_the_spans_never_labels_the_message(desk, project, messages):
    view = desk.message_view
    label_before = get_message(desk.store, messages[0]).label
    assert desk.label_bar.suggestion_label.text().startswith("Suggestion: complaint")
    press(Qt.Key.Key_F6)
    press(Qt.Key.Key_Return)  # in the text
    view.spans_panel.setFocus()
    press(Qt.Key.Key_Return)  # in the panel
    assert get_message(desk.store, messages[0]).label == label_before
    assert desk.list_view.current_message_id() == messages[0]  # and nothing moved on


def test_the_caption_saying_what_is_left_to_decide_is_readable(desk):
    from scrubdesk.gui.appearance import contrast_ratio

    caption = desk.message_view.body_caption
    assert caption.isEnabled()  # a disabled label is drawn in the faint disabled colour
    palette = caption.palette()
    text = palette.color(caption.foregroundRole())
    assert contrast_ratio(text, palette.color(caption.backgroundRole())) >= 4.5


def test_approval_with_undecided_spans_needs_a_counted_second_step(desk, project, messages, qtbot):
    desk.review_queue_action.trigger()  # Review > Review Queue: opens on the oldest
    panel = desk.review_panel
    assert panel.table.hasFocus() and panel.selected_message_id() == messages[0]
    assert desk.message_view.message.id == messages[0]
    assert panel.table.item(0, 3).text() == "4"  # to decide
    press(Qt.Key.Key_Return, Qt.KeyboardModifier.ControlModifier)
    press(Qt.Key.Key_Return, Qt.KeyboardModifier.ControlModifier)  # (drained in 0.2 s before)
    with project.store() as store:
        assert review_state(store, messages[0]).approved  # the second press is the explicit step
        assert review_state(store, messages[1]).status == "pending"  # and it approved only that one
    assert "4 undecided" not in panel.notice.text()
    assert set(statuses(project, messages[0]).values()) == {"accepted"}
    from scrubdesk.core.audit_log import audit_entries

    with project.store() as store:
        (entry,) = audit_entries(store, action="review_approve")
    assert entry.details["accepted_remaining"] == 4
