"""Telling the inactive subscribers (:mod:`.inactive`), for ``sotong
subscribers purge``, so that "told" is true: the command hands each notice
over itself (a mail to the office's mail server, ``SMTP_*``; a text to the
SMS transport) and records it only once it was taken, with the day it names
(:func:`inactive.ends_on` of the day it was taken). A notice not handed over
(the server down or answering "try later", the SMS file not writable) is not
recorded: the next run (the daily timer) tells them again, and nobody's 30
days start, nor their subscription end, before that. An address the mail
server refuses for good (5xx to RCPT), or cannot take (characters outside
ASCII before the @, the server without SMTPUTF8), is told by text when
they have a phone, else recorded ``refused`` as one with no address is
``none`` (nowhere to tell them); a phone whose owner replied "수신거부" is
never texted, as if there were none. A run stopped between a hand-over and
its record tells that person twice, never not at all. Addresses and phones
never reach the output."""

from __future__ import annotations

import datetime as dt
import smtplib
from collections import Counter
from dataclasses import dataclass, field

from sotong.dates import korean_date
from sotong.i18n import _
from sotong.links import collector_url
from sotong.mail import seal_for
from sotong.mail_server import PlainLoginRefused, connected, mail_server
from sotong.progress import progress
from sotong.store import Store, now_iso
from sotong.tokens import make_token

from . import inactive
from .collector import PREFERENCES
from .outgoing import send_one, sms_codes_transport

RECORD_EVERY = 100  # notices handed over between two commits of their records
CHANNELS = ("email", "sms", "refused", "none")
REFUSED = -1  # :func:`_mail_one`: the server refused the address for good


@dataclass
class Telling:
    """What :func:`tell` did: notices by channel (email, sms, refused, none),
    the ids not told this time and why (no address in the reason)."""
    store: Store
    ends_on: str
    by_channel: Counter = field(default_factory=Counter)
    untold: list[str] = field(default_factory=list)
    reason: str = ""
    _handed: list = field(default_factory=list, init=False, repr=False)

    def told(self, subscriber_id: str, channel: str) -> None:
        """The notice was taken (or there is nowhere to tell them): record it."""
        self._handed.append((subscriber_id, now_iso(), channel, self.ends_on))
        self.by_channel[channel] += 1
        if len(self._handed) >= RECORD_EVERY:
            self.record()

    def not_told(self, subscriber_ids: list[str], reason: str) -> None:
        self.untold.extend(subscriber_ids)
        self.reason = self.reason or reason

    def record(self) -> None:
        inactive.record_told(self.store, self._handed)
        self._handed.clear()


def tell(store: Store, settings: dict, subscriber_ids: list[str], today: dt.date) -> Telling:
    """Hand the notice to each of ``subscriber_ids`` over (their email, else
    a text to their phone) and record those taken."""
    end_day = inactive.ends_on(today)
    telling = Telling(store, end_day.isoformat())
    words = {"end_day": korean_date(end_day)}
    readers = [store.subscriber(subscriber_id) for subscriber_id in subscriber_ids]
    try:
        refused = _mail(settings, [reader for reader in readers if reader.email], words, telling)
        by_text = [reader for reader in readers if not reader.email and _textable(reader)]
        by_text += [reader for reader in refused if _textable(reader)]
        for reader in refused:
            if not _textable(reader):
                telling.told(reader.id, "refused")
        _text(settings, by_text, words, telling)
        for reader in readers:
            if not reader.email and not _textable(reader):
                telling.told(reader.id, "none")
    finally:
        telling.record()
    return telling


def _textable(reader) -> bool:
    """A phone that may be texted: not one whose owner replied "수신거부" (SPEC §13)."""
    return bool(reader.phone) and reader.sms_unsubscribed_at is None


def _preferences_url(settings: dict, subscriber_id: str) -> str:
    return collector_url(settings, "p/" + make_token(PREFERENCES, subscriber_id))


def _mail(settings: dict, readers: list, words: dict, telling: Telling) -> list:
    """Mail the notice to ``readers`` over one connection; those whose
    address the server refused for good (returned)."""
    refused, sent = [], 0
    server = mail_server(settings)
    if not readers:
        return refused
    seal = seal_for(settings)
    try:
        with connected(server) as smtp, progress(len(readers), _("Telling inactive subscribers")) as advance:
            for reader in readers:
                code = _mail_one(smtp, settings, reader, words, seal)
                if code is None:
                    telling.told(reader.id, "email")
                elif code == REFUSED:
                    refused.append(reader)
                else:
                    telling.not_told([reader.id], _("the mail server {server} answered {code}").format(server=server.address, code=code))
                sent += 1
                advance()
    except PlainLoginRefused as exc:  # before any connection: what to write in the settings
        telling.not_told([reader.id for reader in readers], str(exc))
    except (OSError, smtplib.SMTPException) as exc:
        telling.not_told([reader.id for reader in readers[sent:]], _("the mail server {server} could not be reached ({error})").format(
            server=server.address, error=type(exc).__name__))
    return refused


def _mail_one(smtp: smtplib.SMTP, settings: dict, reader, words: dict, seal) -> int | None:
    """Hand one notice to the server: None when it took it, :data:`REFUSED`
    when it refused the address for good (or cannot take it: characters
    outside ASCII before the @ and no SMTPUTF8), else the code of its answer.
    The address goes in its ASCII form (a Hangul domain in IDNA), as the
    collector's mails do."""
    text = inactive.MAIL.format(url=_preferences_url(settings, reader.id), **words)
    try:
        if not send_one(smtp, settings, reader.email, inactive.SUBJECT, text, seal):
            return REFUSED
    except smtplib.SMTPRecipientsRefused as exc:
        code = next(iter(exc.recipients.values()))[0]
        return REFUSED if code >= 500 else code
    except smtplib.SMTPResponseException as exc:  # MAIL FROM or DATA refused: not this address's fault
        return exc.smtp_code
    return None


def _text(settings: dict, readers: list, words: dict, telling: Telling) -> None:
    """Hand the notice to ``readers``' phones to the SMS transport."""
    texts = sms_codes_transport(settings)
    for number, reader in enumerate(readers):
        try:
            texts.send(reader.phone, inactive.TEXT.format(url=_preferences_url(settings, reader.id), **words))
        except OSError as exc:
            telling.not_told([later.id for later in readers[number:]], _("the SMS transport could not take the texts ({error})").format(
                error=type(exc).__name__))
            return
        telling.told(reader.id, "sms")
