"""Store.change_stamp: equal only while nothing was written, by this connection or any other."""

from __future__ import annotations

from scrubdesk.core.db.messages import count_labelled
from scrubdesk.core.labels import add_label, set_label
from tests.builders import add_message


def test_reads_keep_the_stamp_and_writes_change_it(project):
    with project.store() as store:
        add_label(project, store, "billing")
        mid = add_message(store, "m1")
        stamp = store.change_stamp()
        count_labelled(store)
        assert store.change_stamp() == stamp  # reading changes nothing
        set_label(project, store, mid, "billing")  # this connection writes
        mine = store.change_stamp()
        assert mine != stamp
        with project.store() as other:  # another connection commits
            set_label(project, other, mid, None)
        assert store.change_stamp() != mine
