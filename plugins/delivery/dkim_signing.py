"""DKIM signatures (SPEC §14), put on every email as it is sent: an outbox's
as ``sotong send`` hands it to the mail server, once its Date is the send's
(:mod:`.stamp`), and the mails sent outside bundles (``sotong.mail.seal_for``
both): with ``DKIM_DOMAIN``, ``DKIM_SELECTOR`` and
``DKIM_KEY_PATH`` set, dkimpy signs with rsa-sha256 (a PEM RSA key) or
ed25519-sha256 (a base64 Ed25519 key, as dkimpy's ``dknewkey --ktype
ed25519`` writes it), covering the headers below (RFC 8058 asks that the
List-Unsubscribe ones be signed). The key stays outside the project.
"""

from __future__ import annotations

import codecs
from pathlib import Path
from typing import Callable

from sotong.i18n import _
from sotong.mail import MessageContext
from sotong.problems import os_reason
from sotong.settings import Check, SettingsProblems, rule

SIGNED_HEADERS = (b"from", b"to", b"subject", b"date", b"message-id", b"list-unsubscribe",
                  b"list-unsubscribe-post", b"mime-version", b"content-type")
SETTINGS = ("DKIM_DOMAIN", "DKIM_SELECTOR", "DKIM_KEY_PATH")
PEM_START = b"-----BEGIN"


def _given(message: Callable[[], str]) -> Check:
    return rule(lambda value: isinstance(value, str) and bool(value.strip()),
                lambda _value: message() + _(" (DKIM needs all of {settings})").format(settings=", ".join(SETTINGS)))


CHECKS = {
    "DKIM_DOMAIN": _given(lambda: _('must be the signing domain, e.g. DKIM_DOMAIN = "sd.go.kr"')),
    "DKIM_SELECTOR": _given(lambda: _('must be the DNS selector, e.g. DKIM_SELECTOR = "sotong2026"')),
    "DKIM_KEY_PATH": _given(lambda: _('must be the private key file, e.g. DKIM_KEY_PATH = "/etc/sotong/dkim.key"')),
}


def read_dkim_settings(settings: dict, found: SettingsProblems) -> dict | None:
    """The DKIM settings (DKIM_DOMAIN, DKIM_SELECTOR, DKIM_KEY_PATH), None
    when none is set; each mistake added to ``found``: all three or none, the
    key readable and not published."""
    if not any(settings.get(name) for name in SETTINGS):
        return None
    values = found.values(dict.fromkeys(SETTINGS), CHECKS)
    if not all(values.values()) or CHECKS["DKIM_KEY_PATH"](values["DKIM_KEY_PATH"]):
        return values  # the key is checked once all three are given, its path as text
    key = Path(values["DKIM_KEY_PATH"]).expanduser()
    public = Path(settings.get("OUTPUT_PATH") or "output").resolve()
    if not key.is_file():
        found.add("DKIM_KEY_PATH", _("{key} is not a file; give the private key's path (made with: openssl genrsa -out dkim.key 2048)").format(
            key=key))
    elif key.resolve().is_relative_to(public):
        found.add("DKIM_KEY_PATH", _("{key} is under {name}/, which is published; keep the key outside the project").format(
            key=key, name=public.name))
    elif problem := key_problem(key):
        found.add("DKIM_KEY_PATH", problem)
    return values


def read_key(path: Path) -> bytes:
    """The key file's bytes as dkimpy reads them: without the BOM and the
    CRLF line ends of a key saved on Windows (dkimpy finds no PEM key in those)."""
    return path.read_bytes().removeprefix(codecs.BOM_UTF8).replace(b"\r\n", b"\n")


def key_problem(path: Path) -> str | None:
    """Why dkimpy cannot sign with the key file at ``path`` (tried once on a
    message of one header), or None: so that ``sotong check`` says it, and
    ``sotong bundles`` stops before its first message, not with a traceback
    (dkimpy raises binascii's errors on a key that is no base64)."""
    import dkim

    try:
        key = read_key(path)
        dkim.DKIM(b"From: check@example.org\r\n\r\n").sign(
            b"check", b"example.org", key, include_headers=[b"from"], signature_algorithm=_algorithm(key))
    except OSError as exc:
        return _("cannot read {path}: {value}").format(path=path, value=os_reason(exc))
    except (dkim.DKIMException, ValueError) as exc:
        return _("{dkim_key_path}: not a private key dkimpy can use ({exc}); give a PEM RSA key or a base64 Ed25519 key").format(
            dkim_key_path=path, exc=" ".join(str(exc).split()))  # one line: dkimpy's own may hold a line break
    return None


def _algorithm(key: bytes) -> bytes:
    return b"rsa-sha256" if key.lstrip().startswith(PEM_START) else b"ed25519-sha256"


def dkim_signer(context: MessageContext):
    """Receiver of ``sotong.signals.message_signers``: a function giving each
    message's DKIM-Signature header, or None when DKIM is not configured."""
    found = SettingsProblems(context.settings)
    config = read_dkim_settings(context.settings, found)
    found.raise_any()
    if config is None:
        return None
    import dkim  # only when signing (a third of a second): the collector's mails without DKIM do not wait for it

    key = read_key(Path(config["DKIM_KEY_PATH"]).expanduser())
    domain, selector = config["DKIM_DOMAIN"].encode(), config["DKIM_SELECTOR"].encode()
    algorithm = _algorithm(key)

    def signature(message: bytes) -> bytes:
        # dkimpy splits a whole message into lines to find its headers, which
        # costs more than signing it; the bundles' messages are CRLF already,
        # so only the headers are handed to its parser and the body as it is.
        head, _blank, body = message.partition(b"\r\n\r\n")
        signer = dkim.DKIM()
        signer.set_message(head + b"\r\n\r\n")
        signer.body = body
        return signer.sign(selector, domain, key, include_headers=list(SIGNED_HEADERS),
                           canonicalize=(b"relaxed", b"simple"), signature_algorithm=algorithm)

    return signature
