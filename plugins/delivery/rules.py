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


# How many permanent refusals in a row, alike and about the sender rather than the reader
# (:func:`refused_for_the_sender`), stop a run: one could be about its message, three are about the run.
REFUSALS_IN_A_ROW = 3
# Statuses about one reader (RFC 3463): X.1.1-X.1.6 and X.1.10 the address, X.2.x the mailbox, X.3.4 the size.
_ONE_READER_STATUS = re.compile(r"1\.([1-6]|10)|2\.\d+|3\.4")
_SENDER_STATUS = re.compile(r"1\.[78]")  # X.1.7 bad sender's address syntax, X.1.8 bad sender's system address
# What a relay says when it passes nothing on for this machine (needs_login's words, said to DATA too).
_NO_RELAY = re.compile(r"relay(ing)? (access )?(denied|not permitted|not allowed|prohibited)|unable to relay"
                       r"|not (permitted|allowed) to relay", re.IGNORECASE)
_ABOUT_ONE_READER = re.compile(r"recipient|user unknown|unknown user|no such|mailbox|does not exist|tried to reach"
                               r"|quota", re.IGNORECASE)
# What to fix when a refusal is about the sender, by the words servers use, in the order asked.
_ABOUT_THE_SENDER = (
    ("verify", re.compile(r"not verified|unverified|verification", re.IGNORECASE)),  # Amazon SES, Mailgun
    ("sender", re.compile(r"sender|from address|from domain|mail from|dmarc|\bspf\b", re.IGNORECASE)),
    ("account", re.compile(r"authenticat|credential|your account|account (is |has been )?(disabled|suspended|blocked)"
                           r"|sending (is )?(paused|disabled)", re.IGNORECASE)),
)


def refused_for_the_sender(stage: str, code: int, text: str | None) -> str | None:
    """What a permanent refusal of RCPT or DATA says is wrong with the sender,
    the relay or the account, whoever the reader (every message will meet
    it): ``verify`` (the sender not verified: Amazon SES's "554 Message
    rejected: Email address is not verified"), ``sender`` (its address or
    domain refused: "Sender address rejected", X.1.7, X.1.8, DMARC), ``relay``
    ("Relaying denied") or ``account`` (535, "authentication", "your account
    is suspended"); None when it is, or may be, about one reader or one
    message (5.1.1 user unknown, "Recipient address rejected", a full
    mailbox, a message refused as spam)."""
    if stage not in ("rcpt", "data") or not 500 <= code < 600:
        return None
    text = text or ""
    enhanced = _ENHANCED.match(text)
    status = f"{enhanced.group(2)}.{enhanced.group(3)}" if enhanced else ""
    if _ONE_READER_STATUS.fullmatch(status):
        return None
    if _SENDER_STATUS.fullmatch(status):
        return "sender"
    if _NO_RELAY.search(text):
        return "relay"
    if code == 535:
        return "account"
    if _ABOUT_ONE_READER.search(text):
        return None
    return next((fix for fix, words in _ABOUT_THE_SENDER if words.search(text)), None)


_VARYING = re.compile(r"\S*\d\S*")  # a queue id, a trace, a time: what differs between two refusals alike


def refusal_key(stage: str, code: int, text: str | None) -> tuple:
    """What makes two refusals the same refusal: the stage, the code and the
    words, without the addresses and the tokens with digits (queue ids,
    traces) each one carries."""
    words = _VARYING.sub("#", redact_addresses(text) or "")
    return stage, code, " ".join(words.lower().split())


THROTTLED, GREYLISTED = "throttled", "greylisted"
_GREYLIST = re.compile(r"gr[ea]y[- ]?list", re.IGNORECASE)
_RATE_WORDS = re.compile(r"\brate|too many|try (again )?later|throttl|slow down|limit exceeded|exceeded .*limit",
                         re.IGNORECASE)


def try_later_kind(code: int, text: str | None) -> str | None:
    """Which kind of "try later" a 4xx answer is: GREYLISTED (450/451
    "greylisted, try again in 300 seconds": the reader's server wants the
    same message again after a while), THROTTLED (421, 451 or 452 saying
    "rate", "too many", "try again later", or 421 with a X.7.x status: the
    server limits this client as a whole), or None (about this message:
    "452 4.2.2 mailbox full", Gmail's "450 4.2.1 ... receiving mail at a
    rate that prevents additional messages")."""
    if not 400 <= code < 500:
        return None
    text = text or ""
    if _GREYLIST.search(text):
        return GREYLISTED
    if code not in (421, 451, 452):
        return None
    enhanced = _ENHANCED.match(text)
    if enhanced and (enhanced.group(2) == "2" or (enhanced.group(2), enhanced.group(3)) == ("5", "3")):
        return None  # X.2.x: the reader's mailbox (full, receiving at a rate it limits); 4.5.3 too many recipients
    if _RATE_WORDS.search(text) or (code == 421 and enhanced is not None and enhanced.group(2) == "7"):
        return THROTTLED
    return None


_STATED_WAIT = re.compile(r"\b(?:in|after|for|wait)\s+(\d{1,5})\s*(s|secs?|seconds?|m|mins?|minutes?)\b"
                          r"|\b(\d{1,2}):(\d{2}):(\d{2})\b", re.IGNORECASE)


def stated_wait(text: str | None) -> float | None:
    """The seconds a server says to wait before trying again ("try again in
    300 seconds", "after 5 minutes", "come back in 00:05:00"), or None."""
    found = _STATED_WAIT.search(text or "")
    if found is None:
        return None
    if found.group(1):
        return float(found.group(1)) * (60 if found.group(2).lower().startswith("m") else 1)
    hours, minutes, seconds = (int(found.group(n)) for n in (3, 4, 5))
    return float(hours * 3600 + minutes * 60 + seconds)


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

    def slow_down(self, until: float) -> None:
        """No message before ``until``, and from then half the rate."""
        self.interval *= 2
        self.hold(until)

    def hold(self, until: float) -> None:
        """No message before ``until``."""
        self.next_at = max(self.next_at or until, until)

    @property
    def rate(self) -> float:
        return 1.0 / self.interval


_ADDRESS = re.compile(r"<?[^\s<>()\[\],;:\"']+@[^\s<>()\[\],;:\"']+>?")


def redact_addresses(text: str | None) -> str | None:
    """A server's answer without the addresses it may echo (the journal and
    the logs name subscribers by id only)."""
    return _ADDRESS.sub("<주소>", text) if text else text
