"""The office's mail server, for everything that hands mail to it: where it
is and how to log in (the settings ``SMTP_HOST``, ``SMTP_PORT``,
``SMTP_STARTTLS``, ``SMTP_USER``, the password in the environment variable
``SOTONG_SMTP_PASSWORD``), the largest email it takes (``SMTP_SIZE_LIMIT``,
what check and a dry run of send measure emails against before any
connection tells), and the one way a connection to it is opened: EHLO,
STARTTLS checking the server's certificate against the system's trusted
ones, EHLO again, then the login, never sent in clear to a server that is
not on this machine (:func:`is_local`, the rule the bounce mailbox's TLS
follows too, SPEC §14).
"""

from __future__ import annotations

import contextlib
import os
import smtplib
import ssl
from dataclasses import dataclass
from typing import Iterator

from sotong.i18n import _

PASSWORD_ENV = "SOTONG_SMTP_PASSWORD"
# SMTP_SIZE_LIMIT: the largest email (in bytes, as sent: files in base64) the office's mail server
# takes; Postfix's default message_size_limit, which many relays keep. A server's EHLO SIZE, read when
# sending, is what that server takes.
SIZE_LIMIT = 10_240_000
SETTINGS_DEFAULTS = {"SMTP_HOST": "127.0.0.1", "SMTP_PORT": 25, "SMTP_STARTTLS": False, "SMTP_USER": None,
                     "SMTP_SIZE_LIMIT": SIZE_LIMIT}
TIMEOUT_SECONDS = 30.0  # a socket's timeout for one SMTP exchange, unless the caller says otherwise
LOCAL_HOSTS = ("127.0.0.1", "::1", "localhost")  # this machine: what is said to it crosses no network


def is_local(host: str) -> bool:
    """True for a server on this machine, where a password may go without TLS."""
    return host in LOCAL_HOSTS


def plain_login_refusal(host: str) -> str:
    """Why a login to ``host`` without STARTTLS is refused, and what to write."""
    return _("SMTP_USER is set but SMTP_STARTTLS is off, so the password would cross the network to {host} unencrypted and Sotong does not log in; write SMTP_STARTTLS = True and SMTP_PORT = 587 in the settings (only a mail server on this machine, 127.0.0.1, takes a login without TLS)").format(
        host=host)


class PlainLoginRefused(smtplib.SMTPException):
    """A login without TLS asked for, to a server not on this machine; its
    text is :func:`plain_login_refusal`'s line."""


@dataclass(frozen=True)
class MailServer:
    host: str
    port: int
    starttls: bool = False
    user: str | None = None
    password: str | None = None
    timeout_seconds: float = TIMEOUT_SECONDS

    @property
    def address(self) -> str:
        """``host:port``, for messages."""
        return f"{self.host}:{self.port}"


def mail_server(settings: dict, *, host: str | None = None, port: int | None = None,
                timeout_seconds: float = TIMEOUT_SECONDS) -> MailServer:
    """The server the settings name (``host`` and ``port`` override them),
    with the password from the environment."""
    values = {**SETTINGS_DEFAULTS, **{key: settings[key] for key in SETTINGS_DEFAULTS if key in settings}}
    return MailServer(host=host or values["SMTP_HOST"], port=int(port or values["SMTP_PORT"]),
                      starttls=bool(values["SMTP_STARTTLS"]), user=values["SMTP_USER"] or None,
                      password=os.environ.get(PASSWORD_ENV), timeout_seconds=timeout_seconds)


def size_limit(settings: dict) -> int:
    """SMTP_SIZE_LIMIT, or its default when it is not a whole number
    (the delivery plugin's check says so at its line)."""
    value = settings.get("SMTP_SIZE_LIMIT", SIZE_LIMIT)
    return value if isinstance(value, int) and not isinstance(value, bool) and value > 0 else SIZE_LIMIT


class NoGreeting(smtplib.SMTPServerDisconnected):
    """Something took the TCP connection but said no SMTP greeting within
    the seconds asked for (a database's port, a web server's)."""


def open_connection(server: MailServer, greeting_seconds: float | None = None) -> smtplib.SMTP:
    """A connection to ``server``, secured and logged in as configured;
    closed again if any step fails (``smtplib.SMTPException`` or ``OSError``
    then, ``SMTPAuthenticationError`` for a refused login, :class:`NoGreeting`
    when ``greeting_seconds`` is given and passed before the greeting;
    :class:`PlainLoginRefused`, before any connection, for a login that
    would cross the network unencrypted)."""
    if server.user and not server.starttls and not is_local(server.host):
        raise PlainLoginRefused(plain_login_refusal(server.host))
    greeting = server.timeout_seconds if greeting_seconds is None else min(greeting_seconds, server.timeout_seconds)
    try:
        connection = smtplib.SMTP(server.host, server.port, timeout=greeting)
    except smtplib.SMTPServerDisconnected as exc:  # connected (a refusal is an OSError), then no greeting
        if greeting_seconds is not None and isinstance(exc.__context__, TimeoutError):
            raise NoGreeting(str(exc)) from None
        raise
    connection.timeout = server.timeout_seconds  # the exchanges after the greeting wait as long as ever
    connection.sock.settimeout(server.timeout_seconds)
    try:
        connection.ehlo_or_helo_if_needed()
        if server.starttls:
            connection.starttls(context=ssl.create_default_context())
            connection.ehlo()
        if server.user:
            connection.login(server.user, server.password or "")
    except BaseException:
        connection.close()
        raise
    return connection


def close_connection(connection: smtplib.SMTP) -> None:
    """QUIT if the server still listens, then close, whatever it answers."""
    try:
        if connection.sock is not None:
            connection.quit()
    except (smtplib.SMTPException, OSError):
        pass
    finally:
        connection.close()


@contextlib.contextmanager
def connected(server: MailServer) -> Iterator[smtplib.SMTP]:
    """:func:`open_connection` for a ``with`` block, closed after it."""
    connection = open_connection(server)
    try:
        yield connection
    finally:
        close_connection(connection)
