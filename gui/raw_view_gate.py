"""The raw-view gate: a message's raw text is shown only after its view is in the audit log.

The message view owns one gate per open project and hands it to its
:class:`~scrubdesk.core.span_review.SpanReview` as the raw-view log. :meth:`RawViewGate.request` checks on
the UI thread's connection that the user's role may read raw text (reads only, well under a millisecond)
and queues the audit entry on a :class:`~scrubdesk.gui.tasks.BackgroundWriter`, which commits it on its own
thread and store connection (one fsync, typically a few tens of milliseconds, shared by every view queued
meanwhile). Only when the entry is committed does :attr:`RawViewGate.logged` tell the view to show the raw
text. A failed write emits :attr:`RawViewGate.failed`; every later request is refused, so raw text stays
hidden until the project is opened again.
"""

from __future__ import annotations

from functools import partial

from PySide6.QtCore import QObject, Qt, Signal, Slot

from scrubdesk.core import review
from scrubdesk.core.errors import ScrubdeskError
from scrubdesk.core.project import Project
from scrubdesk.core.store import Store
from scrubdesk.gui.tasks import BackgroundWriter, WriterStoppedError

LOG_BROKEN = (
    "raw views cannot be audit-logged (a write failed), so raw text stays hidden; "
    "reopen the project to try again"
)


def _close(store: Store) -> None:
    store.close()


class RawViewGate(QObject):
    """Audit-logs raw views off the UI thread and says when each may be shown."""

    logged = Signal(int)  # message id: its raw view is committed to the audit log, so it may be shown
    failed = Signal()  # a write failed: no raw text for the rest of this session

    def __init__(self, project: Project, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._project = project
        self._writer: BackgroundWriter[Store] = BackgroundWriter(
            "raw-view-log", self._open_store, partial(review.record_raw_views, project), _close
        )
        queued = Qt.ConnectionType.QueuedConnection
        self._writer.signals.written.connect(self._on_written, queued)
        self._writer.signals.failed.connect(self._on_failed, queued)

    def request(self, store: Store, message_id: int, msg_key: str) -> None:
        """Queue the audit entry for showing this message's raw text to the current user.

        Raises :class:`~scrubdesk.core.errors.PermissionDeniedError` if the role may not read raw text,
        and :class:`ScrubdeskError` once a write has failed; nothing is queued then."""
        view = review.raw_view(store, message_id, msg_key)
        try:
            self._writer.put(view)
        except WriterStoppedError as exc:
            raise ScrubdeskError(LOG_BROKEN) from exc

    def _open_store(self) -> Store:  # on the writer's thread: a connection of its own
        return self._project.store()

    def flush(self, timeout: float = 30.0) -> bool:
        """Wait until every view requested so far is committed (or failed). True if none is left."""
        return self._writer.flush(timeout)

    def close(self) -> None:
        """Commit what is queued and stop the writer thread."""
        self._writer.close()

    @Slot(object)
    def _on_written(self, views: list[review.RawView]) -> None:
        for view in views:
            self.logged.emit(view.message_id)

    @Slot(object)
    def _on_failed(self, _exc: BaseException) -> None:
        self.failed.emit()
