"""The delivery plugin's settings: the ``DELIVERY`` dict and the shared SMTP
settings it reads (``SMTP_HOST``, ``SMTP_PORT``, ``SMTP_STARTTLS``,
``SMTP_USER``, ``SMTP_SIZE_LIMIT``, ``SEND_RATE``, ``MAIL_FROM``, ``BOUNCE_ADDRESS``) and
``CLICK_COUNTING``, validated at start with one
``FILE:LINE: what to write`` line per mistake.
"""

from __future__ import annotations

from dataclasses import dataclass
from email.utils import getaddresses, parseaddr

from sotong.i18n import _
from sotong.links import CLICKS_IN_EMAIL_ONLY
from sotong.mail_server import (PASSWORD_ENV, SETTINGS_DEFAULTS, TIMEOUT_SECONDS, MailServer, is_local, mail_server,
                                plain_login_refusal)
from sotong.problems import Problem, SotongError
from sotong.settings import SettingsProblems, flag, number_above, text, whole_number

from .bounce_config import read_bounce_settings
from .dkim_signing import read_dkim_settings

EXAMPLE = 'DELIVERY = {"max_attempts": 4, "backoff_seconds": 2}'
# SMTPS: TLS from the first byte (RFC 8314), which the connections here do not speak: a server there waits
# for a TLS greeting while sotong waits for its SMTP one, each try timed out (minutes of silence), then
# "check SMTP_PORT". Naver's, Daum's and Gmail's guides name it beside 587, which takes STARTTLS.
SMTPS_PORT = 465
SMTPS_OPTION = _("465 is the port of SMTPS (TLS from the first byte), which Sotong does not speak; give --port 587, the same server's port for STARTTLS, with SMTP_STARTTLS = True in the settings")

# Top-level settings: the mail server's (shared with the subscriptions plugin's mails) and CLICK_COUNTING.
TOP_LEVEL_DEFAULTS = {**SETTINGS_DEFAULTS, "SEND_RATE": 50, "CLICK_COUNTING": False}
TOP_LEVEL_CHECKS = {
    "SMTP_HOST": text(_("the mail server's name")),
    "SMTP_PORT": whole_number(1, 65535, _("a port number")),
    "SMTP_STARTTLS": flag,
    "SMTP_USER": lambda user: None if user is None or (isinstance(user, str) and user) else _("the login name as text, or None"),
    "SMTP_SIZE_LIMIT": whole_number(1_000_000, None, _("the largest email the mail server takes, in bytes")),
    "SEND_RATE": number_above(0, _("the messages per second")),
    "CLICK_COUNTING": lambda value: None if isinstance(value, bool) or value == CLICKS_IN_EMAIL_ONLY else _(
        'True, False or "email" (clicks counted in emails only: the texts keep their short links)'),
}

DEFAULTS = {
    "max_attempts": 4,            # tries per run for a 4xx answer, then deferred
    "backoff_seconds": 2.0,       # first wait after a 4xx; doubles each try
    "backoff_max_seconds": 60.0,
    "reconnect_attempts": 5,      # a lost connection is reopened this many times in a row
    "connections": 4,             # SMTP connections used side by side
    "timeout_seconds": TIMEOUT_SECONDS,  # socket timeout for one SMTP exchange
    "greeting_seconds": 10,       # the run's first connection: no greeting by then, and nothing answers there
    "try_later_seconds": 300,     # the longest a run waits on "try later": rate limits, greylisting, a last try
}
CHECKS = {
    "max_attempts": whole_number(1, 100),
    "reconnect_attempts": whole_number(1, 100),
    "connections": whole_number(1, 32),
    "backoff_seconds": number_above(0, _("a number of seconds")),
    "backoff_max_seconds": number_above(0, _("a number of seconds")),
    "timeout_seconds": number_above(0, _("a number of seconds")),
    "greeting_seconds": number_above(0, _("a number of seconds")),
    "try_later_seconds": whole_number(0, 3600, _("a number of seconds")),
}


@dataclass(frozen=True)
class DeliveryConfig:
    server: MailServer  # host, port, STARTTLS, login and socket timeout
    rate: float
    mail_from: str  # the address in MAIL_FROM
    bounce_address: str | None  # BOUNCE_ADDRESS: envelope senders are its VERP forms (verp.py)
    max_attempts: int
    backoff_seconds: float
    backoff_max_seconds: float
    reconnect_attempts: int
    connections: int
    try_later_seconds: float  # the longest a run waits on "try later" (rate limits, greylisting, a last try)
    greeting_seconds: float  # how long the run's first connection waits for the server's greeting


def _read(settings: dict, host: str | None = None) -> tuple[dict, dict, SettingsProblems]:
    """The DELIVERY dict and the mail server's settings over their defaults, and the mistakes in them
    (``host``: --host, the server sent to in place of SMTP_HOST's)."""
    found = SettingsProblems(settings)
    delivery = found.plugin_values("DELIVERY", DEFAULTS, CHECKS, EXAMPLE) or DEFAULTS
    smtp = found.values(TOP_LEVEL_DEFAULTS, TOP_LEVEL_CHECKS)
    if smtp["SMTP_PORT"] == SMTPS_PORT:
        found.add("SMTP_PORT", _("is 465, the port of SMTPS (TLS from the first byte), which Sotong does not speak; write SMTP_PORT = 587, the same server's port for STARTTLS, and SMTP_STARTTLS = True (Naver, Daum and Gmail take mail there too)"))
    host = host or smtp["SMTP_HOST"]
    if smtp["SMTP_USER"] and not smtp["SMTP_STARTTLS"] and isinstance(host, str) and not is_local(host):
        found.add("SMTP_STARTTLS" if "SMTP_STARTTLS" in settings else "SMTP_USER", plain_login_refusal(host))
    mail_from = settings.get("MAIL_FROM")
    if not _one_sender(mail_from):
        found.add("MAIL_FROM", _('is {mail_from!r}; write a sender address, e.g. MAIL_FROM = "성동구청 홍보담당관 <sotong@sd.go.kr>"').format(
            mail_from=mail_from))
    read_dkim_settings(settings, found)
    read_bounce_settings(found)
    return delivery, smtp, found


def _one_sender(mail_from) -> bool:
    """Whether MAIL_FROM is one address, on one line: "성동구청\\r\\nBcc: x@y <sotong@sd.go.kr>"
    passed, and every email went out From: x@y."""
    return (isinstance(mail_from, str) and len(mail_from.strip().splitlines()) == 1
            and len(getaddresses([mail_from])) == 1 and "@" in parseaddr(mail_from)[1])


def delivery_problems(settings: dict) -> list[Problem]:
    """Every mistake in the settings the delivery plugin uses."""
    return _read(settings)[2].problems


def delivery_config(settings: dict, *, host=None, port=None, rate=None, need_password=True) -> DeliveryConfig:
    """The validated settings, with command-line overrides; SotongError if wrong."""
    delivery, smtp, found = _read(settings, host)
    found.raise_any()
    server = mail_server(smtp, host=host, port=port, timeout_seconds=float(delivery["timeout_seconds"]))
    if server.user and need_password and not server.password:
        raise SotongError([_("SMTP_USER is {user!r} but {password_env} is not set; export {password_env}=<the mail server password>").format(
            user=server.user, password_env=PASSWORD_ENV)])
    return DeliveryConfig(
        server=server,
        rate=float(rate or smtp["SEND_RATE"]),
        mail_from=parseaddr(settings["MAIL_FROM"])[1],
        bounce_address=settings.get("BOUNCE_ADDRESS"),
        max_attempts=delivery["max_attempts"],
        backoff_seconds=float(delivery["backoff_seconds"]),
        backoff_max_seconds=float(delivery["backoff_max_seconds"]),
        reconnect_attempts=delivery["reconnect_attempts"],
        connections=delivery["connections"],
        try_later_seconds=float(delivery["try_later_seconds"]),
        greeting_seconds=float(delivery["greeting_seconds"]),
    )
