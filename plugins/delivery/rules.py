"""The rules of delivery, as pure functions: what an SMTP answer means for a
message, how long to wait before trying again, which permanent failures say
the address itself is wrong, and how to pace sending to a rate.
"""

from __future__ import annotations

import re

SENT, RETRY, FAILED = "sent", "retry", "failed"

# RFC 3463 enhanced status code at the start of the server's text, e.g. "5.1.1".
_ENHANCED = re.compile(r"\s*([245])\.(\d{1,3})\.(\d{1,3})(?!\d)")
# Basic codes that, said to RCPT TO, mean the mailbox does not exist or cannot
# be named so (RFC 5321 4.2.2); 552 (mailbox full) and 554 are not about the address.
_INVALID_BASIC = frozenset({550, 551, 553})


def outcome(code: int) -> str:
    """2xx: the server took the message; 4xx: try again later; else failed."""
    if 200 <= code < 300:
        return SENT
    if 400 <= code < 500:
        return RETRY
    return FAILED


def backoff_delay(retry: int, base: float, cap: float) -> float:
    """Seconds to wait before the ``retry``-th retry (1, 2, ...): base, 2·base,
    4·base ..., never more than ``cap``."""
    if retry < 1:
        raise ValueError("retry counts from 1")
    return min(cap, base * 2 ** min(retry - 1, 64))


def invalid_address(stage: str, code: int | None, text: str | None) -> bool:
    """True when a failure says the recipient's address does not work: a 5xx
    answer to RCPT TO whose enhanced code is 5.1.x (bad mailbox, domain or
    syntax) or, without one, 550/551/553."""
    if stage != "rcpt" or code is None or not 500 <= code < 600:
        return False
    enhanced = _ENHANCED.match(text or "")
    if enhanced:
        return enhanced.group(1) == "5" and enhanced.group(2) == "1"
    return code in _INVALID_BASIC


def refused_as_too_large(stage: str, code: int, text: str | None) -> bool:
    """True when a permanent answer to a message's DATA says it is too large
    for the server: an enhanced status X.3.4 (too big for the system) or
    X.2.3 (longer than the mailbox takes), or, without one, 552 (RFC 5321:
    storage exceeded; aiosmtpd's "Too much mail data")."""
    if stage != "data" or not 500 <= code < 600:
        return False
    enhanced = _ENHANCED.match(text or "")
    if enhanced:
        return (enhanced.group(2), enhanced.group(3)) in (("3", "4"), ("2", "3"))
    return code == 552


# What servers say when they pass on mail to other domains only for a client that logged in: Postfix's
# "Relay access denied", Exchange's "Unable to relay" and "Client was not authenticated", "relaying denied".
_RELAY_DENIED = re.compile(r"relay|not authenticated|authentication required", re.IGNORECASE)


def needs_login(stage: str, code: int, text: str | None) -> bool:
    """True when a permanent answer to MAIL or RCPT says the server takes
    mail from this client only after a login (530, RFC 4954), or does not
    relay for it: every message would meet it, whoever its reader. An
    answer with an enhanced status other than X.7.x (security or policy) is
    about something else: Postfix's "5.1.1 ... User unknown in relay
    recipient table" is about one address."""
    if stage not in ("mail", "rcpt") or not 500 <= code < 600:
        return False
    enhanced = _ENHANCED.match(text or "")
    if code == 530 or (enhanced and enhanced.group(2) != "7"):
        return code == 530
    return bool(_RELAY_DENIED.search(text or ""))


def needs_starttls(stage: str, code: int, text: str | None) -> bool:
    """True when a permanent answer to MAIL or RCPT says the server takes
    mail only over TLS: "530 5.7.0 Must issue a STARTTLS command first"
    (Postfix with smtpd_tls_security_level = encrypt, Exchange, Gmail)."""
    return stage in ("mail", "rcpt") and 500 <= code < 600 and "starttls" in (text or "").lower()


class Pacer:
    """At most ``rate`` messages per second: ``delay(now)`` is how long to
    wait before the next one; the schedule does not drift, nor does a slow
    moment let a burst through afterwards."""

    def __init__(self, rate: float):
        self.interval = 1.0 / rate
        self.next_at: float | None = None

    def delay(self, now: float) -> float:
        if self.next_at is None or self.next_at < now:
            self.next_at = now
        wait = self.next_at - now
        self.next_at += self.interval
        return wait


_ADDRESS = re.compile(r"<?[^\s<>()\[\],;:\"']+@[^\s<>()\[\],;:\"']+>?")


def redact_addresses(text: str | None) -> str | None:
    """A server's answer without the addresses it may echo (the journal and
    the logs name subscribers by id only)."""
    return _ADDRESS.sub("<주소>", text) if text else text
