"""What ``SOTONG_DB`` names, and why it could not be reached, kept apart so
that reading the settings imports neither the store nor sqlite3: whether it
names a PostgreSQL database rather than a file (what the settings, which
make file paths absolute, and the store both ask), or begins like another
kind of address (:func:`address_mistake`), and a failed connection
said as the staff can act on it (:func:`connection_failure`): libpq's own
English first line ("FATAL:  password authentication failed for user ...")
was the message, in a Korean line; and a password file libpq would ignore
with an English warning (:func:`password_file_problem`); and what the
address's service file sets (:func:`service_parameters`), which Sotong's
own connection defaults must not override. Its lines name the store as a
:class:`StoreName` says (SOTONG_DB, or the target of ``sotong db copy``)."""

from __future__ import annotations

import getpass
import os
import pwd
import re
import stat
from dataclasses import dataclass
from pathlib import Path

from .i18n import _


@dataclass(frozen=True)
class StoreName:
    """How a message names a store's location: ``subject`` begins its line
    (SOTONG_DB, or the copy's target and its address as typed), ``address``
    says mid-sentence where to check or correct it (SOTONG_DB, TARGET)."""

    subject: str
    address: str

    def of_file(self, path) -> str:
        """What begins a line about the store's file: the file's path for
        SOTONG_DB's (as every line about a file begins), else ``subject``."""
        return str(path) if self == SOTONG_DB else self.subject

    def said(self, message: str, **values) -> str:
        """``message`` (its {subject} and {address} this name's) with ``values`` in it."""
        return message.format(subject=self.subject, address=self.address, **values)


SOTONG_DB = StoreName("SOTONG_DB", "SOTONG_DB")


def is_database_url(location: str | Path) -> bool:
    """Whether ``SOTONG_DB`` names a PostgreSQL database rather than a file."""
    return isinstance(location, str) and location.startswith(("postgresql://", "postgres://"))


# What begins like an address (a scheme and a slash, or postgres/postgresql and a colon)
_ADDRESS_SCHEME = re.compile(r"\s*(?:[A-Za-z][A-Za-z0-9+.-]+:/|(?i:postgres(?:ql)?)(?://|:))")


def address_mistake(location) -> str | None:
    """What is wrong with a store's location (SOTONG_DB, the target of
    ``sotong db copy``) that begins like an address but is no postgresql://
    address, naming its scheme only (the rest may hold a password); None
    for such an address or a file path."""
    scheme = _ADDRESS_SCHEME.match(location) if isinstance(location, str) else None
    if not scheme or is_database_url(location):
        return None
    return _('begins with "{scheme}", as an address, but is no postgresql:// address; write postgresql://USER@HOST/NAME (in lower case, with two slashes), or a file path such as private/sotong.db').format(
        scheme=scheme.group(0)[:-1])


# libpq's words for each kind of failure, as PostgreSQL 12-17 and psycopg say them.
_NO_SERVER = re.compile(r"Connection refused|No such file or directory|Network is unreachable|No route to host|"
                        r"server closed the connection unexpectedly")
_UNKNOWN_HOST = re.compile(r"failed to resolve host '([^']*)'|could not translate host name \"([^\"]*)\"")
_BUSY = re.compile(r"too many clients|remaining connection slots|is starting up|is shutting down|"
                   r"in recovery mode|not yet accepting connections")
_REFUSED = re.compile(r"permission denied for database|no pg_hba\.conf entry|pg_hba\.conf rejects connection")
_SERVER_AT = re.compile(r'server at "([^"]*)", port (\d+)|on socket "([^"]*)/\.s\.PGSQL\.(\d+)"')


def connection_failure(detail: str, parts: dict, name: StoreName = SOTONG_DB) -> str:
    """What to check when libpq could not connect, saying ``detail`` (its
    message) as the reason only when it is none of the kinds known here;
    ``parts``: the address's parameters (conninfo_to_dict), for the names
    libpq's message leaves out; ``name``: the store's, as the line says it.
    Never a password: libpq names none."""
    user = _quoted(detail, r'(?:for user|role) "([^"]*)"') or parts.get("user") or os.environ.get("PGUSER") \
        or _login_name()
    database = _quoted(detail, r'database "([^"]*)"') or parts.get("dbname") or os.environ.get("PGDATABASE") or user
    if "password authentication failed" in detail:
        return name.said(_("{subject}: the PostgreSQL server did not accept the password of user \"{user}\"; check the "
                           "password in PGPASSWORD, ~/.pgpass or the service file (never write it in {address}), "
                           "then run the command again"), user=user)
    if "no password supplied" in detail and (missing := _named_password_file(parts)) and not missing.exists():
        return name.said(_("{subject}: the PostgreSQL server asks for the password of user \"{user}\", and the "
                           "password file {path} (PGPASSFILE or passfile=) does not exist; correct its path, or "
                           "write the line HOST:PORT:DATABASE:{user}:PASSWORD in it (chmod 600)"),
                         user=user, path=missing)
    if "no password supplied" in detail:
        return name.said(_("{subject}: the PostgreSQL server asks for the password of user \"{user}\" and none was "
                           "given; set it in PGPASSWORD, a line of ~/.pgpass or a service file (never in {address})"),
                         user=user)
    if re.search(r'database "[^"]*" does not exist', detail):
        return name.said(_("{subject}: the PostgreSQL server has no database \"{database}\"; check the name at the end "
                           "of {address}, or ask the database's administrator to make it (createdb {database}), then "
                           "run the command again"), database=database)
    if re.search(r'role "[^"]*" does not exist', detail):
        return name.said(_("{subject}: the PostgreSQL server has no user \"{user}\"; check the user name in {address} "
                           "(before the @), or ask the database's administrator to make it (CREATE ROLE)"), user=user)
    if _REFUSED.search(detail):
        return name.said(_("{subject}: the PostgreSQL server does not let user \"{user}\" connect to database "
                           "\"{database}\" from here; ask the database's administrator to allow it (GRANT CONNECT, "
                           "pg_hba.conf)"), user=user, database=database)
    return _unreachable(detail, parts, name)


def _unreachable(detail: str, parts: dict, name: StoreName) -> str:
    """A server that is not there, not known, silent or busy, a service file
    or service that is not there; else libpq's first line itself."""
    if service := _quoted(detail, r'definition of service "([^"]*)" not found'):
        return name.said(_("{subject}: no service \"{service}\" is in the service file (~/.pg_service.conf, or the "
                           "file PGSERVICEFILE names); check the name after service= in {address}, or add a section "
                           "[{service}] with host, port, dbname and user to that file"), service=service)
    if service_file := _quoted(detail, r'service file "([^"]*)" not found'):
        return name.said(_("{subject}: the service file {path} does not exist; correct PGSERVICEFILE, or write that "
                           "file (a section [NAME] with host, port, dbname and user)"), path=service_file)
    if unknown := _UNKNOWN_HOST.search(detail):
        return name.said(_("{subject}: no computer named \"{host}\" is known on the network; check the host name in "
                           "{address} (after the @), then run the command again"),
                         host=unknown.group(1) or unknown.group(2))
    place = _server_place(detail, parts)
    if _NO_SERVER.search(detail):
        return name.said(_("{subject}: no PostgreSQL server answers at {place}; check that the server runs and that "
                           "the host and port in {address} are right, then run the command again"), place=place)
    if "timeout expired" in detail:
        return name.said(_("{subject}: the PostgreSQL server at {place} did not answer in {seconds} seconds; check "
                           "that the server runs, that the host and port in {address} are right and that no firewall "
                           "stands between, then run the command again (?connect_timeout=30 in {address} waits "
                           "longer)"), place=place, seconds=parts.get("connect_timeout", "?"))
    if _BUSY.search(detail):
        return name.said(_("{subject}: the PostgreSQL server at {place} takes no connection now (it is starting or "
                           "stopping, or has all it allows); run the command again in a minute, or ask the "
                           "database's administrator"), place=place)
    first_line = detail.strip().splitlines()[0] if detail.strip() else "?"
    return name.said(_("{subject}: cannot reach the PostgreSQL database: {first_line}; check that the server runs "
                       "and the host, port and database name in {address}, then run the command again"),
                     first_line=first_line)


def service_parameters(parts: dict) -> dict:
    """What the service file gives the address's service (service=, or
    PGSERVICE), read as libpq reads it: the user's file (servicefile=,
    PGSERVICEFILE or ~/.pg_service.conf), else the system's
    (PGSYSCONFDIR/pg_service.conf); its first value of each name. Empty when
    there is none: libpq then says what is missing."""
    service = parts.get("service") or os.environ.get("PGSERVICE")
    if not service:
        return {}
    user_file = parts.get("servicefile") or os.environ.get("PGSERVICEFILE") or _home() / ".pg_service.conf"
    system_file = Path(os.environ.get("PGSYSCONFDIR") or "/etc/postgresql-common") / "pg_service.conf"
    for path in (Path(user_file), system_file):
        if (found := _service_section(path, service)) is not None:
            return found
    return {}


def _service_section(path: Path, service: str) -> dict | None:
    """The NAME=VALUE lines of section [``service``] of a service file, or
    None when the file or the section is not there."""
    try:
        lines = path.read_text(encoding="utf-8", errors="replace").splitlines()
    except OSError:
        return None
    found = None
    for line in (line.strip() for line in lines):
        if line.startswith("["):
            if found is not None:
                break
            found = {} if line.startswith(f"[{service}]") else None
        elif found is not None and "=" in line and not line.startswith("#"):
            name, _equals, value = line.partition("=")
            found.setdefault(name, value)
    return found


def password_file_problem(parts: dict, name: StoreName = SOTONG_DB) -> str | None:
    """Why libpq would ignore the password file, saying so in English on
    stderr (a file others may read: "WARNING: password file ... has group or
    world access"), or None. libpq reads it only when no password is given
    (a service file may give one: then nothing is said here)."""
    if os.environ.get("PGPASSWORD") or parts.get("service") or os.environ.get("PGSERVICE"):
        return None
    path = _named_password_file(parts) or _home() / ".pgpass"
    try:
        mode = path.stat().st_mode
    except OSError:
        return None  # none there: libpq goes on without it
    if not stat.S_ISREG(mode) or not mode & (stat.S_IRWXG | stat.S_IRWXO):
        return None
    return name.said(_("{subject}: the password file {path} may be read by other users of this machine, so "
                       "PostgreSQL does not use it (and its password is exposed); make it its owner's alone: chmod "
                       "600 {path}, then run the command again"), path=path)


def _named_password_file(parts: dict) -> Path | None:
    """The password file the address (passfile=) or PGPASSFILE names, if any."""
    named = parts.get("passfile") or os.environ.get("PGPASSFILE")
    return Path(named).expanduser() if named else None


def _home() -> Path:
    """The home folder libpq finds ~/.pgpass in: HOME, else the user's own."""
    try:
        return Path(os.environ.get("HOME") or pwd.getpwuid(os.getuid()).pw_dir)
    except KeyError:  # a user the system does not know (a container's): libpq finds no file either
        return Path("/nonexistent")


def _login_name() -> str:
    """The user libpq names itself by when the address names none."""
    try:
        return getpass.getuser()
    except (KeyError, OSError):
        return "?"


def _quoted(detail: str, pattern: str) -> str | None:
    found = re.search(pattern, detail)
    return found.group(1) if found else None


def _server_place(detail: str, parts: dict) -> str:
    """The server's host and port as libpq tried them (its message names
    them), or as the address writes them."""
    found = _SERVER_AT.search(detail)
    if found:
        host, port = (found.group(1), found.group(2)) if found.group(1) else (found.group(3), found.group(4))
    else:
        host = parts.get("host") or os.environ.get("PGHOST") or "localhost"
        port = parts.get("port") or os.environ.get("PGPORT") or "5432"
    return f"{host}:{port}"
