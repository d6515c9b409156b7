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
from sotong.settings import SettingsProblems

from .bounces import DEFAULT_SCORE_LIMIT
from .mailboxes import PASSWORD_ENV, ImapBox, MaildirBox

DEFAULT_FOLDER = "sotong-handled"


def bounce_problems(settings: dict, found: SettingsProblems) -> None:
    """Mistakes in the bounce settings that are set (all are optional until used)."""
    bounce = settings.get("BOUNCE_ADDRESS")
    if bounce is not None and not _is_plain_address(bounce):
        found.add("BOUNCE_ADDRESS", _('must be the address bounces come back to, e.g. BOUNCE_ADDRESS = "bounces@sd.go.kr", or None'))
    limit = settings.get("BOUNCE_SCORE_LIMIT", DEFAULT_SCORE_LIMIT)
    if isinstance(limit, bool) or not isinstance(limit, (int, float)) or not limit > 0:
        found.add("BOUNCE_SCORE_LIMIT", _("must be a score above 0 (a hard bounce counts 1, a soft one 0.5), e.g. BOUNCE_SCORE_LIMIT = {default_score_limit:g}").format(
            default_score_limit=DEFAULT_SCORE_LIMIT))
    folder = settings.get("BOUNCE_FOLDER", DEFAULT_FOLDER)
    if (not isinstance(folder, str) or not folder.strip() or not folder.isascii() or not folder.isprintable()
            or any(c in folder for c in '/"\\') or folder.startswith(".") or folder.endswith(".")):
        found.add("BOUNCE_FOLDER", _('must be a folder name in English letters without / " or \\, e.g. BOUNCE_FOLDER = "{default_folder}" (or "INBOX.sotong-handled" where the server keeps folders under INBOX)').format(
            default_folder=DEFAULT_FOLDER))
    codes = settings.get("SMS_SOFT_CODES", [])
    if not isinstance(codes, (list, tuple)) or not all(isinstance(c, (str, int)) and not isinstance(c, bool) for c in codes):
        found.add("SMS_SOFT_CODES", _("must be a list of the SMS agency's codes for a temporary failure, e.g. SMS_SOFT_CODES = [\"3001\", \"3002\"]"))
    port = settings.get("BOUNCE_IMAP_PORT", 993)
    if isinstance(port, bool) or not isinstance(port, int) or not 1 <= port <= 65535:
        found.add("BOUNCE_IMAP_PORT", _("must be a port number from 1 to 65535, e.g. BOUNCE_IMAP_PORT = 993"))
    for name, example in (("BOUNCE_IMAP_HOST", "imap.sd.go.kr"), ("BOUNCE_IMAP_USER", "bounces"), ("BOUNCE_MAILDIR", "/var/mail/bounces")):
        value = settings.get(name)
        if value is not None and (not isinstance(value, str) or not value.strip()):
            found.add(name, _('must be text, e.g. {name} = "{example}", or None').format(
                name=name, example=example))


def _is_plain_address(value) -> bool:
    if not isinstance(value, str) or not value.isascii():
        return False
    local, _at, domain = value.rpartition("@")
    return bool(local) and "." in domain and parseaddr(value)[1] == value and " " not in value


def sms_soft_codes(settings: dict) -> frozenset:
    return frozenset(str(code) for code in settings.get("SMS_SOFT_CODES") or ())


def score_limit(settings: dict) -> float:
    return float(settings.get("BOUNCE_SCORE_LIMIT", DEFAULT_SCORE_LIMIT))


def bounce_address(settings: dict) -> str:
    address = settings.get("BOUNCE_ADDRESS")
    if not address:
        found = SettingsProblems(settings)
        found.add("BOUNCE_ADDRESS", _('is not set, so no bounce can be attributed; set it, e.g. BOUNCE_ADDRESS = "bounces@sd.go.kr", and send with it before reading bounces'))
        raise SotongError(found.problems)
    return address


def open_mailbox(settings: dict):
    """The Maildir or the IMAP mailbox the settings name (a context manager)."""
    folder = settings.get("BOUNCE_FOLDER", DEFAULT_FOLDER)
    if settings.get("BOUNCE_MAILDIR"):
        root = Path(settings["BOUNCE_MAILDIR"])
        if not root.is_absolute():
            root = Path(settings.get("SOTONG_PROJECT_DIR", ".")) / root
        return MaildirBox(root, folder)
    host, user = settings.get("BOUNCE_IMAP_HOST"), settings.get("BOUNCE_IMAP_USER")
    found = SettingsProblems(settings)
    if not host or not user:
        found.add("BOUNCE_IMAP_HOST" if not host else "BOUNCE_IMAP_USER",
                  _('say where the bounces arrive: BOUNCE_MAILDIR = "/var/mail/bounces", or BOUNCE_IMAP_HOST = "imap.sd.go.kr" with BOUNCE_IMAP_USER = "bounces"'))
        raise SotongError(found.problems)
    password = os.environ.get(PASSWORD_ENV)
    if not password:
        raise SotongError([_("BOUNCE_IMAP_USER is {user!r} but {password_env} is not set; export {password_env}=<the mailbox password>").format(
            user=user, password_env=PASSWORD_ENV)])
    return ImapBox(host, settings.get("BOUNCE_IMAP_PORT", 993), user, password, folder)
