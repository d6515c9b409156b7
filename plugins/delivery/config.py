"""The delivery plugin's settings: the ``DELIVERY`` dict and the shared SMTP
settings it reads (``SMTP_HOST``, ``SMTP_PORT``, ``SMTP_STARTTLS``,
``SMTP_USER``, ``SEND_RATE``, ``MAIL_FROM``, ``BOUNCE_ADDRESS``), validated at start with one
``FILE:LINE: what to write`` line per mistake.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from email.utils import parseaddr

from sotong.problems import Problem, SotongError
from sotong.settings import SettingsProblems

from .bounce_config import bounce_problems
from .dkim_signing import dkim_problems

PASSWORD_ENV = "SOTONG_SMTP_PASSWORD"
EXAMPLE = 'DELIVERY = {"max_attempts": 4, "backoff_seconds": 2}'

# The top-level settings of the mail server, shared with the subscriptions plugin's mails.
SMTP_DEFAULTS = {"SMTP_HOST": "127.0.0.1", "SMTP_PORT": 25, "SMTP_STARTTLS": False, "SMTP_USER": None, "SEND_RATE": 50}

DEFAULTS = {
    "max_attempts": 4,            # tries per run for a 4xx answer, then deferred
    "backoff_seconds": 2.0,       # first wait after a 4xx; doubles each try
    "backoff_max_seconds": 60.0,
    "reconnect_attempts": 5,      # a lost connection is reopened this many times in a row
    "connections": 4,             # SMTP connections used side by side
    "timeout_seconds": 30.0,      # socket timeout for one SMTP exchange
}


@dataclass(frozen=True)
class DeliveryConfig:
    smtp_host: str
    smtp_port: int
    starttls: bool
    user: str | None
    password: str | None
    rate: float
    mail_from: str  # the address in MAIL_FROM
    bounce_address: str | None  # BOUNCE_ADDRESS: envelope senders are its VERP forms (verp.py)
    max_attempts: int
    backoff_seconds: float
    backoff_max_seconds: float
    reconnect_attempts: int
    connections: int
    timeout_seconds: float


def _is_number(value) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def delivery_problems(settings: dict) -> list[Problem]:
    """Every mistake in the settings the delivery plugin uses."""
    settings = {**SMTP_DEFAULTS, **settings}
    found = SettingsProblems(settings)
    delivery = found.plugin_dict("DELIVERY", DEFAULTS, EXAMPLE) or {}
    for key, most in (("max_attempts", 100), ("reconnect_attempts", 100), ("connections", 32)):
        value = delivery.get(key, DEFAULTS[key])
        if not isinstance(value, int) or isinstance(value, bool) or not 1 <= value <= most:
            found.add("DELIVERY", f'"{key}" must be a whole number from 1 to {most}, e.g. "{key}": {DEFAULTS[key]}')
    for key in ("backoff_seconds", "backoff_max_seconds", "timeout_seconds"):
        value = delivery.get(key, DEFAULTS[key])
        if not _is_number(value) or value <= 0:
            found.add("DELIVERY", f'"{key}" must be a number of seconds above 0, e.g. "{key}": {DEFAULTS[key]}')
    if not isinstance(settings.get("SMTP_HOST"), str) or not settings["SMTP_HOST"].strip():
        found.add("SMTP_HOST", 'must be the mail server\'s name, e.g. SMTP_HOST = "smtp.sd.go.kr"')
    port = settings.get("SMTP_PORT")
    if not isinstance(port, int) or isinstance(port, bool) or not 1 <= port <= 65535:
        found.add("SMTP_PORT", "must be a port number from 1 to 65535, e.g. SMTP_PORT = 587")
    if not isinstance(settings.get("SMTP_STARTTLS"), bool):
        found.add("SMTP_STARTTLS", "must be True or False")
    user = settings.get("SMTP_USER")
    if user is not None and (not isinstance(user, str) or not user):
        found.add("SMTP_USER", 'must be the login name as text, e.g. SMTP_USER = "sotong", or None')
    rate = settings.get("SEND_RATE")
    if not _is_number(rate) or rate <= 0:
        found.add("SEND_RATE", "must be the messages per second above 0, e.g. SEND_RATE = 50")
    mail_from = settings.get("MAIL_FROM")
    if not isinstance(mail_from, str) or "@" not in parseaddr(mail_from)[1]:
        found.add("MAIL_FROM", 'must be a sender address, e.g. MAIL_FROM = "성동구청 홍보담당관 <sotong@sd.go.kr>"')
    if not isinstance(settings.get("CLICK_COUNTING", False), bool):
        found.add("CLICK_COUNTING", "must be True (links in emails and SMS count clicks through the collector) or False")
    dkim_problems(settings, found)
    bounce_problems(settings, found)
    return found.problems


def delivery_config(settings: dict, *, host=None, port=None, rate=None, need_password=True) -> DeliveryConfig:
    """The validated settings, with command-line overrides; SotongError if wrong."""
    problems = delivery_problems(settings)
    if problems:
        raise SotongError(problems)
    settings = {**SMTP_DEFAULTS, **settings}
    delivery = {**DEFAULTS, **(settings.get("DELIVERY") or {})}
    user = settings.get("SMTP_USER")
    password = os.environ.get(PASSWORD_ENV)
    if user and need_password and not password:
        raise SotongError([f"SMTP_USER is {user!r} but {PASSWORD_ENV} is not set; export {PASSWORD_ENV}=<the mail server password>"])
    return DeliveryConfig(
        smtp_host=host or settings["SMTP_HOST"],
        smtp_port=port or settings["SMTP_PORT"],
        starttls=settings["SMTP_STARTTLS"],
        user=user,
        password=password,
        rate=float(rate or settings["SEND_RATE"]),
        mail_from=parseaddr(settings["MAIL_FROM"])[1],
        bounce_address=settings.get("BOUNCE_ADDRESS"),
        max_attempts=delivery["max_attempts"],
        backoff_seconds=float(delivery["backoff_seconds"]),
        backoff_max_seconds=float(delivery["backoff_max_seconds"]),
        reconnect_attempts=delivery["reconnect_attempts"],
        connections=delivery["connections"],
        timeout_seconds=float(delivery["timeout_seconds"]),
    )
