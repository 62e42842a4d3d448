"""The passphrase prompt for the encrypted key file, for a desktop without an OS keyring: the project key is
then kept in that file, and the person types its passphrase instead of starting the app from a shell with
environment variables. The passphrase stays in memory for this session only: never stored, never logged.
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtWidgets import QInputDialog, QLineEdit, QWidget

from scrubdesk.core.keys import KeyVault, key_file_vault, passphrase_needed


def ask_passphrase(parent: QWidget, path: Path) -> str | None:
    """Ask for the key file's passphrase; None when the person cancels."""
    dialog = QInputDialog(parent)
    dialog.setWindowTitle("Unlock the key file")
    dialog.setLabelText(
        "No OS keyring is available on this desktop, so project keys are kept in the encrypted key file\n"
        f"{path}\n\nPassphrase of the key file (used for this session only, never stored):"
    )
    dialog.setTextEchoMode(QLineEdit.EchoMode.Password)
    dialog.setInputMode(QInputDialog.InputMode.TextInput)
    if dialog.exec() != QInputDialog.DialogCode.Accepted or not dialog.textValue():
        return None
    return dialog.textValue()


class SessionVault:
    """The key vault for this session: the OS keyring (None: the default), or the key file unlocked once
    with a typed passphrase and kept in memory until the app closes."""

    def __init__(self) -> None:
        self._vault: KeyVault | None = None

    def get(self, parent: QWidget) -> tuple[bool, KeyVault | None]:
        """(go on?, vault): asks for the passphrase when one is needed and not typed yet this session."""
        if self._vault is not None:
            return True, self._vault
        path = passphrase_needed()
        if path is None:
            return True, None
        passphrase = ask_passphrase(parent, path)
        if passphrase is None:
            return False, None
        self._vault = key_file_vault(path, passphrase)
        return True, self._vault

    def forget(self) -> None:
        """A wrong passphrase: ask again next time."""
        self._vault = None
