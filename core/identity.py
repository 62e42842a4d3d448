"""Who is at the keyboard: the operating system's account of this process, never the environment.

``getpass.getuser()`` reads ``LOGNAME``/``USER``/``USERNAME`` first, so anyone could claim any name (and
with it any project role) by setting a variable. Here the name comes from the real user ID (POSIX:
``getuid`` and the password database) or from the process's access token (Windows: ``GetUserNameW``
through :func:`os.getlogin`). What this can and cannot stop is in the README's threat model: it stops
mistakes and curious colleagues on a shared workstation; it does not stop the machine's administrator.
"""

from __future__ import annotations

import functools
import os
from dataclasses import dataclass

if os.name == "posix":
    import pwd


@dataclass(frozen=True)
class OsAccount:
    name: str  # the account name roles are granted to
    uid: str  # the numeric user ID on POSIX ("" where there is none)

    def __str__(self) -> str:
        return f"{self.name} (uid {self.uid})" if self.uid else self.name


@functools.cache
def current_account() -> OsAccount:
    """This process's OS account (cached: it cannot change while the process runs)."""
    if os.name == "posix":
        uid = os.getuid()
        try:
            name = pwd.getpwuid(uid).pw_name
        except KeyError:  # no password-database entry (some containers): the number is the identity
            name = f"uid-{uid}"
        return OsAccount(name, str(uid))
    try:
        return OsAccount(os.getlogin(), "")  # Windows: the access token's user, not %USERNAME%
    except OSError:
        return OsAccount("unknown", "")
