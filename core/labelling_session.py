"""One person labelling in an open project, without Qt: whether they may, the undo stack, and the progress
counts the label bar shows (over the whole project and since the project was opened, whatever the list's
filter).
"""

from __future__ import annotations

from dataclasses import dataclass

from scrubdesk.core import labels as core_labels
from scrubdesk.core.db.messages import count_labelled, count_messages
from scrubdesk.core.errors import PermissionDeniedError
from scrubdesk.core.labels import LabelChange, Labeller
from scrubdesk.core.project import Project
from scrubdesk.core.roles import role_of
from scrubdesk.core.store import Store

NO_PROJECT = "Open a project to label its messages"


@dataclass(frozen=True)
class Progress:
    labelled: int  # labelled messages in the project
    total: int  # messages in the project
    this_session: int  # messages labelled since the project was opened (net of removals and undos)

    def text(self) -> str:
        session = f" · {self.this_session:+,} this session" if self.this_session else ""
        return f"labelled {self.labelled:,} of {self.total:,}{session}"


class LabellingSession:
    """The role is checked once, when the project opens; each change is audit-logged by the Labeller."""

    def __init__(self, project: Project | None = None, store: Store | None = None) -> None:
        self.project, self.store = project, store
        self.labeller: Labeller | None = None
        self.role: str | None = None
        self.refusal = NO_PROJECT  # why this user may not label ("" when they may)
        self.undo_stack: list[LabelChange] = []
        self._labelled = self._total = self._session = 0
        if project is None or store is None:
            return
        self.role = role_of(store)
        try:
            self.labeller = Labeller(project, store)
        except PermissionDeniedError as exc:
            self.refusal = str(exc)
        else:
            self.refusal = ""
        self.recount()

    @property
    def can_label(self) -> bool:
        return self.labeller is not None

    @property
    def can_manage(self) -> bool:
        """May rename, merge and reorder labels (and edit their descriptions)."""
        return self.role in core_labels.MANAGE_ROLES

    def recount(self) -> None:
        """Count labelled messages again (after an import, a merge, a bulk label)."""
        if self.store is not None:
            self._labelled, self._total = count_labelled(self.store), count_messages(self.store)

    def progress(self) -> Progress:
        return Progress(self._labelled, self._total, self._session)

    def _count(self, change: LabelChange, sign: int = 1) -> None:
        delta = sign * (bool(change.label) - bool(change.previous))
        self._labelled += delta
        self._session += delta

    def opened(self, message_id: int | None) -> None:
        """A message is now shown: the time until it is labelled is kept with the label."""
        if self.labeller is not None and message_id is not None:
            self.labeller.opened(message_id)

    def label(self, message_id: int, label: str | None) -> LabelChange:
        """Give a message ``label`` (None: remove it); the change can be undone."""
        if self.labeller is None:
            raise PermissionDeniedError(self.refusal or "you may not label in this project")
        change = self.labeller.set_label(message_id, label)
        if change.changed or change.previous_source != change.source:  # else nothing was written
            self.undo_stack.append(change)
            self._count(change)
        return change

    def undo(self) -> LabelChange | None:
        """Restore the label the last change replaced; None when there is nothing to undo."""
        if not self.undo_stack or self.labeller is None:
            return None
        change = self.undo_stack[-1]
        restored = self.labeller.undo(change)
        self.undo_stack.pop()
        self._count(restored)
        return restored

    def forget_undo(self) -> None:
        """After a rename or merge: the label names on the stack may be gone."""
        self.undo_stack.clear()
