"""Accounts of the workspace: an admin manages accounts, an editor curates the library.

Passwords are kept only as Argon2id hashes (argon2-cffi, the winner of the Password Hashing
Competition: slow and memory-hard on purpose). A session names its account by name and a
token that a new password replaces, so changing a password signs out every other session.
"""

from __future__ import annotations

import os
import secrets
import time
from dataclasses import dataclass

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from indexer.config import DataDir
from indexer.errors import BadParameter, Sentence
from indexer.library import changelog
from indexer.library.state import Library
from indexer.workspace.db import connect_workspace

ROLES = ("admin", "editor")
MIN_PASSWORD = 10
MAX_PASSWORD = 1024  # hashing a megabyte would be a cheap way to keep the server busy
MAX_NAME = 64
_hasher = PasswordHasher()
#: Verified when no account has the name, so that a wrong name takes as long as a wrong
#: password and does not tell which names exist.
_DUMMY_HASH = _hasher.hash(secrets.token_hex(16))


class AccountProblem(BadParameter):
    """A name, role or password that cannot be used; the message says why and what to do."""


@dataclass(frozen=True)
class Account:
    name: str
    role: str
    token: str

    @property
    def session_id(self) -> str:
        return f"{self.token}:{self.name}"

    @property
    def is_admin(self) -> bool:
        return self.role == "admin"


def check_name(name: str) -> str:
    name = name.strip()
    if not name or len(name) > MAX_NAME or not all(c.isalnum() or c in "._-@" for c in name):
        raise AccountProblem(
            Sentence(
                "bad_account_name",
                "“{name}” cannot be an account name: use 1 to {max} letters, digits, dots, "
                "dashes, underscores or @.",
                name=name[:MAX_NAME],
                max=MAX_NAME,
            )
        )
    return name


def check_password(password: str, name: str) -> None:
    if len(password) < MIN_PASSWORD:
        raise AccountProblem(
            Sentence(
                "short_password",
                "The password has {count} characters: use at least {min} (a few words make a "
                "good one).",
                count=len(password),
                min=MIN_PASSWORD,
            )
        )
    if len(password) > MAX_PASSWORD:
        raise AccountProblem(
            Sentence(
                "long_password", "Use a password of at most {max} characters.", max=MAX_PASSWORD
            )
        )
    if password.strip().lower() == name.strip().lower():
        raise AccountProblem(
            Sentence("password_is_name", "The password cannot be the account's name.")
        )


def check_role(role: str) -> str:
    if role not in ROLES:
        raise AccountProblem(
            Sentence("bad_role", "The role is admin or editor, not “{role}”.", role=role[:20])
        )
    return role


def add(data: DataDir, name: str, role: str, password: str, who: str) -> Account:
    """A new account; AccountProblem if the name is taken or anything is unusable."""
    name, role = check_name(name), check_role(role)
    check_password(password, name)
    account = Account(name, role, secrets.token_hex(8))
    db = connect_workspace(data)
    try:
        now = time.time()
        cursor = db.execute(
            "INSERT OR IGNORE INTO accounts (name, role, hash, token, created, changed) "
            "VALUES (?, ?, ?, ?, ?, ?)",
            (name, role, _hasher.hash(password), account.token, now, now),
        )
        if not cursor.rowcount:
            raise AccountProblem(
                Sentence("name_taken", "There is already an account called {name}.", name=name)
            )
    finally:
        db.close()
    _log(data, who, name, {"role": (None, role)}, event="added")
    return account


def set_password(data: DataDir, name: str, password: str, who: str) -> None:
    """A new password for ``name``; its other sessions end (the token changes)."""
    check_password(password, name)
    db = connect_workspace(data)
    try:
        cursor = db.execute(
            "UPDATE accounts SET hash = ?, token = ?, changed = ? WHERE name = ?",
            (_hasher.hash(password), secrets.token_hex(8), time.time(), name),
        )
        if not cursor.rowcount:
            raise AccountProblem(_no_account(name))
    finally:
        db.close()
    _log(data, who, name, {}, event="password changed")


def remove(data: DataDir, name: str, who: str, keep_an_admin: bool = False) -> None:
    """Remove an account (its sessions end at their next request). ``keep_an_admin``: refuse
    to remove the last admin, who alone can manage accounts from the browser."""
    db = connect_workspace(data)
    try:
        row = db.execute("SELECT name, role FROM accounts WHERE name = ?", (name,)).fetchone()
        if row is None:
            raise AccountProblem(_no_account(name))
        admins = db.execute("SELECT count(*) FROM accounts WHERE role = 'admin'").fetchone()[0]
        if keep_an_admin and row[1] == "admin" and admins == 1:
            raise AccountProblem(
                Sentence(
                    "last_admin",
                    "{name} is the only admin: make another admin first, so that someone can "
                    "still manage the accounts.",
                    name=row[0],
                )
            )
        db.execute("DELETE FROM accounts WHERE name = ?", (name,))
    finally:
        db.close()
    _log(data, who, row[0], {"role": (row[1], None)}, event="removed")


def _no_account(name: str) -> Sentence:
    return Sentence("no_account", "There is no account called {name}.", name=name[:MAX_NAME])


def listed(data: DataDir) -> list[dict]:
    """Every account: name, role, created, changed (unix times)."""
    if not data.workspace.exists():
        return []
    db = connect_workspace(data)
    try:
        rows = db.execute("SELECT name, role, created, changed FROM accounts ORDER BY name")
        return [dict(zip(("name", "role", "created", "changed"), row, strict=True)) for row in rows]
    finally:
        db.close()


def any_account(data: DataDir) -> bool:
    """Whether the workspace exists: it does once an account does."""
    if not data.workspace.exists():
        return False
    db = connect_workspace(data)
    try:
        return db.execute("SELECT 1 FROM accounts LIMIT 1").fetchone() is not None
    finally:
        db.close()


def verify(data: DataDir, name: str, password: str) -> Account | None:
    """The account if the password is its own, else None (in about the same time)."""
    if not data.workspace.exists() or len(password) > MAX_PASSWORD:
        return None
    db = connect_workspace(data)
    try:
        row = db.execute(
            "SELECT name, role, hash, token FROM accounts WHERE name = ?", (name.strip(),)
        ).fetchone()
        try:
            _hasher.verify(row[2] if row else _DUMMY_HASH, password)
        except (VerificationError, InvalidHashError):
            return None
        if row is None:
            return None
        if _hasher.check_needs_rehash(row[2]):  # stronger parameters since it was set
            db.execute(
                "UPDATE accounts SET hash = ? WHERE name = ?", (_hasher.hash(password), row[0])
            )
        return Account(row[0], row[1], row[3])
    finally:
        db.close()


def by_session_id(data: DataDir, session_id: str) -> Account | None:
    """The account a session was signed in to, unless removed or its password changed."""
    token, _, name = session_id.partition(":")
    account = named(data, name) if token and name else None
    if account is None or not secrets.compare_digest(account.token, token):
        return None
    return account


def named(data: DataDir, name: str) -> Account | None:
    """The account called ``name`` (any case), or None."""
    if not data.workspace.exists():
        return None
    db = connect_workspace(data)
    try:
        row = db.execute(
            "SELECT name, role, token FROM accounts WHERE name = ?", (name,)
        ).fetchone()
    finally:
        db.close()
    return Account(*row) if row else None


def cli_user() -> str:
    """Who made a change from the command line: the system user, marked as such."""
    try:
        return "cli:" + os.getlogin()
    except OSError:
        import pwd

        return "cli:" + pwd.getpwuid(os.getuid()).pw_name


def _log(data: DataDir, who: str, name: str, changes: dict, **details) -> None:
    library = Library(data.library)
    try:
        changelog.record(library, who, "account", name, changes, **details)
    finally:
        library.close()
