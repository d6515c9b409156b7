"""Tokens that only the office can make: HMAC-SHA256 with ``SOTONG_SECRET``.

A token (:func:`make_token`) signs a purpose and a payload: the unsubscribe
token every email carries names a subscriber (:func:`unsubscribe_token`);
plugins make theirs the same way (the preferences link, a survey's
invitation). A short tag (:func:`short_tag`) signs what must be short (a
click link, a bounce's return path). All are URL-safe and checked in
constant time. A run that
signs for every reader (bundling) reads the secret once, in
:func:`secret_held`, not once per token.

Links are signed with ``SOTONG_SECRET`` only, and read with it or, when set,
with ``SOTONG_PREVIOUS_SECRET``: the key the office used before, so that the
links of mails already sent (unsubscribe, preferences, surveys, bounces'
return paths, click links) keep working while the key changes.
"""

from __future__ import annotations

import base64
import hmac
import os
from contextlib import contextmanager
from typing import Iterator

from .i18n import _


DEV_SECRET = "sotong-development-secret-not-for-production"
_held_secret: bytes | None = None  # the key read on entering secret_held(), while inside it


def environment_secret() -> bytes:
    """SOTONG_SECRET as bytes; a fixed development key when it is unset
    (publishconf.py refuses to run without it, so production never uses it)."""
    return os.environ.get("SOTONG_SECRET", DEV_SECRET).encode()


def secret() -> bytes:
    """The signing key: the one held by :func:`secret_held`, else read now."""
    return _held_secret if _held_secret is not None else environment_secret()


@contextmanager
def secret_held() -> Iterator[None]:
    """Within, every token is signed with the key read once on entry (a
    process forked inside holds it too)."""
    global _held_secret
    outer = _held_secret
    _held_secret = secret()
    try:
        yield
    finally:
        _held_secret = outer


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def _mac(purpose: str, payload: str, key: bytes) -> bytes:
    # hmac.digest: OpenSSL's one-shot HMAC, the same MAC without hmac.new's
    # two hash objects (a third of a collector's token check; issue #16)
    return hmac.digest(key, f"{purpose}\0{payload}".encode(), "sha256")[:16]


def make_token(purpose: str, payload: str, key: bytes | None = None) -> str:
    """``payload`` (e.g. a subscriber id) and its MAC, as one URL-safe string."""
    key = key or secret()
    return f"{_b64(payload.encode())}.{_b64(_mac(purpose, payload, key))}"


def reading_keys(key: bytes | None = None) -> Iterator[bytes]:
    """The keys a link is checked with: ``key`` when given; else the
    signing key, then SOTONG_PREVIOUS_SECRET when set (read only if the
    first did not match)."""
    if key is not None:
        yield key
        return
    yield secret()
    previous = os.environ.get("SOTONG_PREVIOUS_SECRET", "")
    if previous:
        yield previous.encode()


def read_token(purpose: str, token: str, key: bytes | None = None) -> str | None:
    """The payload of a genuine token, or None for a forged or damaged one.

    Only the canonical spelling counts: the very string :func:`make_token`
    makes. Base64 decoders also accept padding, stray characters and other
    bits in the last character, so a decoded-then-checked token could be
    re-spelled into many "new" ones (a survey answered many times)."""
    try:
        encoded, _mac_part = token.split(".", 1)
        payload = _unb64(encoded).decode()
    except (ValueError, UnicodeDecodeError):
        return None
    spelled = token.encode()
    for candidate in reading_keys(key):
        if hmac.compare_digest(spelled, make_token(purpose, payload, candidate).encode()):
            return payload
    return None


def short_tag(purpose: str, payload: str, key: bytes | None = None, length: int = 8) -> str:
    """A MAC of ``payload`` in ``length`` lower-case base32 letters and digits,
    for places where a token must be short and survive case-folding (an
    email address's local part, a click link in an SMS)."""
    digest = _mac(purpose, payload, key or secret())
    return base64.b32encode(digest).decode().rstrip("=").lower()[:length]


def tag_matches(purpose: str, payload: str, tag: str, key: bytes | None = None, minimum: int = 8) -> bool:
    """True when ``tag`` is :func:`short_tag` of ``payload``, at least
    ``minimum`` characters long (constant time, any case)."""
    if len(tag) < minimum:
        return False
    return any(hmac.compare_digest(short_tag(purpose, payload, candidate, length=max(len(tag), 1)), tag.lower())
               for candidate in reading_keys(key))


def unsubscribe_token(subscriber_id: str) -> str:
    return make_token("unsubscribe", subscriber_id)


def subscriber_from_unsubscribe_token(token: str) -> str | None:
    return read_token("unsubscribe", token)


MIN_SECRET_LENGTH = 32  # characters: a word or a name is guessed, offline, from a single link
MAKE_SECRET = "export SOTONG_SECRET=$(python3 -c 'import secrets; print(secrets.token_urlsafe(32))')"


def secret_problem() -> str | None:
    """Why SOTONG_SECRET cannot sign the office's links, in one line (unset,
    the public development key, too short to resist guessing; or the
    previous key, still read, is the development key); None when it can."""
    key = os.environ.get("SOTONG_SECRET", "")
    if not key:
        return _("SOTONG_SECRET is not set; before running sotong, set it to the office's secret key: "
                 "export SOTONG_SECRET=<the office's secret key> (in a systemd unit: a line SOTONG_SECRET=... of "
                 "EnvironmentFile=/etc/sotong/secrets, a file only root may read); unsubscribe and survey links are "
                 "signed with it")
    if key == DEV_SECRET:
        return _("SOTONG_SECRET holds the public development key, which anyone can read in Sotong's source and "
                 "forge unsubscribe and survey links with; set the office's own key, made once and kept: {make}").format(
            make=MAKE_SECRET)
    if len(key) < MIN_SECRET_LENGTH:
        return _("SOTONG_SECRET is {length} characters long; a key shorter than {minimum} can be guessed from a "
                 "single link, and then every link forged; set a random key, made once and kept: {make}").format(
            length=len(key), minimum=MIN_SECRET_LENGTH, make=MAKE_SECRET)
    if os.environ.get("SOTONG_PREVIOUS_SECRET") == DEV_SECRET:
        return _("SOTONG_PREVIOUS_SECRET holds the public development key: links anyone forged with it would be "
                 "taken; remove it (unset SOTONG_PREVIOUS_SECRET)")
    return None


def signs_with_development_key() -> bool:
    """True when tokens are signed with the public development key (SOTONG_SECRET unset, or holding it)."""
    return os.environ.get("SOTONG_SECRET", "") in ("", DEV_SECRET)


def require_secret() -> None:
    """What publishconf.py runs first: without a key of the office's own in
    SOTONG_SECRET, refuse the production settings with one line (in the
    user's language) saying how to set it, as load_settings reports whatever
    a settings file raises."""
    problem = secret_problem()
    if problem is not None:
        raise RuntimeError(problem)

