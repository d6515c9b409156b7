"""The settings of ``sotong bounces`` and ``sotong send results`` (SPEC §14):
``BOUNCE_ADDRESS`` (needed to read return paths), the mailbox (``BOUNCE_MAILDIR``,
or ``BOUNCE_IMAP_HOST``, ``BOUNCE_IMAP_PORT``, ``BOUNCE_IMAP_USER`` with the
password in ``SOTONG_BOUNCE_PASSWORD``), ``BOUNCE_FOLDER`` for handled mail,
``BOUNCE_SCORE_LIMIT``, and ``SMS_SOFT_CODES`` (the SMS agency's codes that
mean a temporary failure).
"""

from __future__ import annotations

import os
from email.utils import parseaddr
from pathlib import Path

from sotong.i18n import _
from sotong.problems import SotongError
from sotong.settings import Check, SettingsProblems, rule

DEFAULT_FOLDER = "sotong-handled"
DEFAULT_SCORE_LIMIT = 5.0  # GNU Mailman's bounce_score_threshold


def _is_score(limit) -> bool:
    return isinstance(limit, (int, float)) and not isinstance(limit, bool) and limit > 0


def _is_folder_name(folder) -> bool:
    return (isinstance(folder, str) and bool(folder.strip()) and folder.isascii() and folder.isprintable()
            and not any(c in folder for c in '/"\\') and not folder.startswith(".") and not folder.endswith("."))


def _are_codes(codes) -> bool:
    return isinstance(codes, (list, tuple)) and all(isinstance(c, (str, int)) and not isinstance(c, bool) for c in codes)


def _optional_text(name: str, example: str) -> Check:
    return rule(lambda value: value is None or (isinstance(value, str) and bool(value.strip())),
                lambda value: _('must be text, e.g. {name} = "{example}", or None').format(name=name, example=example))


DEFAULTS = {"BOUNCE_ADDRESS": None, "BOUNCE_SCORE_LIMIT": DEFAULT_SCORE_LIMIT, "BOUNCE_FOLDER": DEFAULT_FOLDER,
            "SMS_SOFT_CODES": [], "BOUNCE_IMAP_PORT": 993, "BOUNCE_IMAP_HOST": None, "BOUNCE_IMAP_USER": None,
            "BOUNCE_MAILDIR": None}
CHECKS = {
    "BOUNCE_ADDRESS": rule(lambda bounce: bounce is None or _is_plain_address(bounce), lambda _value: _(
        'must be the address bounces come back to, e.g. BOUNCE_ADDRESS = "bounces@sd.go.kr", or None')),
    "BOUNCE_SCORE_LIMIT": rule(_is_score, lambda _value: _(
        "must be a score above 0 (a hard bounce counts 1, a soft one 0.5), e.g. BOUNCE_SCORE_LIMIT = {default_score_limit:g}").format(
        default_score_limit=DEFAULT_SCORE_LIMIT)),
    "BOUNCE_FOLDER": rule(_is_folder_name, lambda _value: _(
        'must be a folder name in English letters without / " or \\, e.g. BOUNCE_FOLDER = "{default_folder}" (or "INBOX.sotong-handled" where the server keeps folders under INBOX)').format(
        default_folder=DEFAULT_FOLDER)),
    "SMS_SOFT_CODES": rule(_are_codes, lambda _value: _(
        "must be a list of the SMS agency's codes for a temporary failure, e.g. SMS_SOFT_CODES = [\"3001\", \"3002\"]")),
    "BOUNCE_IMAP_PORT": rule(lambda port: isinstance(port, int) and not isinstance(port, bool) and 1 <= port <= 65535,
                             lambda _value: _("must be a port number from 1 to 65535, e.g. BOUNCE_IMAP_PORT = 993")),
    "BOUNCE_IMAP_HOST": _optional_text("BOUNCE_IMAP_HOST", "imap.sd.go.kr"),
    "BOUNCE_IMAP_USER": _optional_text("BOUNCE_IMAP_USER", "bounces"),
    "BOUNCE_MAILDIR": _optional_text("BOUNCE_MAILDIR", "/var/mail/bounces"),
}


def read_bounce_settings(found: SettingsProblems) -> dict:
    """The bounce settings over their defaults (all are optional until used),
    each mistake added to ``found``."""
    return found.values(DEFAULTS, CHECKS)


def bounce_settings(settings: dict) -> dict:
    """The bounce settings over their defaults; SettingsError listing every mistake."""
    found = SettingsProblems(settings)
    values = read_bounce_settings(found)
    found.raise_any()
    return values


def _is_plain_address(value) -> bool:
    if not isinstance(value, str) or not value.isascii():
        return False
    local, _at, domain = value.rpartition("@")
    return bool(local) and "." in domain and parseaddr(value)[1] == value and " " not in value


def sms_soft_codes(config: dict) -> frozenset:
    """SMS_SOFT_CODES of :func:`bounce_settings`, as text."""
    return frozenset(str(code) for code in config["SMS_SOFT_CODES"] or ())


def bounce_address(settings: dict, config: dict) -> str:
    """BOUNCE_ADDRESS of :func:`bounce_settings`; SotongError when it is not set."""
    address = config["BOUNCE_ADDRESS"]
    if not address:
        found = SettingsProblems(settings)
        found.add("BOUNCE_ADDRESS", _('is not set, so no bounce can be attributed; set it, e.g. BOUNCE_ADDRESS = "bounces@sd.go.kr", and send with it before reading bounces'))
        raise SotongError(found.problems)
    return address


def open_mailbox(settings: dict, config: dict):
    """The Maildir or the IMAP mailbox of :func:`bounce_settings` (a context manager)."""
    from .mailboxes import PASSWORD_ENV, ImapBox, MaildirBox  # read by sotong bounces alone, not by every send

    folder = config["BOUNCE_FOLDER"]
    if config["BOUNCE_MAILDIR"]:
        root = Path(config["BOUNCE_MAILDIR"])
        if not root.is_absolute():
            root = Path(settings.get("SOTONG_PROJECT_DIR", ".")) / root
        return MaildirBox(root, folder)
    host, user = config["BOUNCE_IMAP_HOST"], config["BOUNCE_IMAP_USER"]
    found = SettingsProblems(settings)
    if not host or not user:
        found.add("BOUNCE_IMAP_HOST" if not host else "BOUNCE_IMAP_USER",
                  _('say where the bounces arrive: BOUNCE_MAILDIR = "/var/mail/bounces", or BOUNCE_IMAP_HOST = "imap.sd.go.kr" with BOUNCE_IMAP_USER = "bounces"'))
        raise SotongError(found.problems)
    password = os.environ.get(PASSWORD_ENV)
    if not password:
        raise SotongError([_("BOUNCE_IMAP_USER is {user!r} but {password_env} is not set; export {password_env}=<the mailbox password>").format(
            user=user, password_env=PASSWORD_ENV)])
    return ImapBox(host, config["BOUNCE_IMAP_PORT"], user, password, folder)
