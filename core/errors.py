"""Errors a user can act on. Messages say what and where, and never carry email text."""

from __future__ import annotations


class ScrubdeskError(Exception):
    """Base class for errors shown to the user as they are (CLI exit code 2, GUI message box)."""


class KeyringUnavailableError(ScrubdeskError):
    """No secure keyring backend is available, so no project key can be stored or read."""


class ProjectKeyMissingError(ScrubdeskError):
    """The keyring has no key for this project (another machine, another user, or deleted)."""


class WrongKeyError(ScrubdeskError):
    """The key in the keyring does not open the project store."""


class ProjectNotFoundError(ScrubdeskError):
    """The directory is not a Scrubdesk project."""


class ProjectExistsError(ScrubdeskError):
    """Refusing to create a project over an existing one."""


class SchemaError(ScrubdeskError):
    """The store's schema is newer than this version of Scrubdesk understands."""


class InputError(ScrubdeskError):
    """Bad user input: a missing file, an unknown format, a missing column."""


class PermissionDeniedError(ScrubdeskError):
    """The current user's role may not perform this action."""


class StoreDamagedError(ScrubdeskError):
    """The encrypted store fails its integrity check (SQLCipher page HMAC): damaged or altered on disk."""


class ProjectReadOnlyError(ScrubdeskError):
    """The project folder or its store cannot be written (permissions, or a read-only disk)."""


class DiskFullError(ScrubdeskError):
    """The disk holding the project is full: what was committed before is kept."""


class StoreBusyError(ScrubdeskError):
    """Another program holds the project's store locked for longer than Scrubdesk waits."""
