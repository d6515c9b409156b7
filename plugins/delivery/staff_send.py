"""``sotong send --issue D --to ADDRESS --as ID | --persona "..."``: a staff
member's test. The email one reader (a subscriber, or an imagined persona)
gets of issue D, marked ``[시험]`` at the start of its subject, goes to the
staff address through the configured SMTP server (the settings and options
of ``sotong send``): a domain outside ASCII in its IDNA form, as the copy's
To writes it.

The copy is composed by whichever plugin answers ``signals.staff_copies``
(the bundles plugin). It is recorded in its own table, apart from the
journal: a test marks nothing sent, and the issue's real send is unchanged.
"""

from __future__ import annotations

import datetime as dt
import json
import time
from email.utils import parseaddr

import click

from sotong import signals
from sotong.i18n import _
from sotong.mail import ascii_address, size_labels_apart
from sotong.problems import SotongError
from sotong.project import Project
from sotong.schedule import is_issue_date, next_issue
from sotong.store import now_iso, register_schema

from .config import delivery_config
from .sender import ConnectionLost, _crlf, _Link
from .stamp import Stamp

MARK = "[시험]"
SCHEMA = """
CREATE TABLE IF NOT EXISTS delivery_staff_copies (
    outbox TEXT NOT NULL,            -- the issue date
    reader TEXT NOT NULL,            -- the subscriber id, or "persona"
    persona TEXT,                    -- the persona's description, when imagined
    to_address TEXT NOT NULL,        -- the staff address the copy went to
    notices TEXT NOT NULL,           -- JSON list of slugs, in message order
    answer_code INTEGER NOT NULL,
    answer_text TEXT,
    sent_at TEXT NOT NULL
);
"""
register_schema("delivery_staff_copies", SCHEMA)  # version 1


def staff_address(value: str) -> str:
    """--to: one plain address (exit 2 otherwise)."""
    name, address = parseaddr(value)
    local, at, domain = address.rpartition("@")
    if not (at and local and "." in domain) or name or address != value.strip():
        raise click.BadParameter(_('"{value}" is not one email address; write e.g. --to hong@sd.go.kr').format(value=value))
    return address


def send_staff_copy(project: Project, options: dict) -> None:
    """Compose, send and record one copy; SotongError when the server refuses it."""
    issue = _issue(options)
    reader_id, persona, to = options["reader_id"], options["persona"], options["to"]
    if (reader_id is None) == (persona is None):
        raise click.UsageError(_('with --to, give the reader: --as ID or --persona "dong=응봉동 fields=건강정보" (one of them)'))
    config = delivery_config(project.settings, host=options["host"], port=options["port"])
    copies = [copy for _receiver, copy in signals.staff_copies.send(
        project, issue=issue, reader_id=reader_id, persona=persona, to=to, mark=MARK) if copy is not None]
    if not copies:
        raise SotongError([_("no plugin makes the readers' emails; add the bundles plugin to PLUGINS in the settings")])
    copy = copies[0]
    link, recipient = _Link(config, time.sleep), ascii_address(to)
    try:
        link.ensure_connected()
        if not recipient.isascii() and not link.offers_smtputf8():  # not a dropped connection: trying again is no use
            raise SotongError([_("the address {to} has characters outside ASCII before the @ and the mail server does "
                                 "not offer SMTPUTF8 (RFC 6531); give a staff address in English letters after --to")
                               .format(to=to)])
        data, limit = Stamp(project.settings)(_crlf(copy.eml)), link.size_limit()  # dated and signed as the issue's
        if limit is not None and len(data) > limit:  # the server would read it all, then refuse it
            size_said, limit_said = size_labels_apart(len(data), limit)
            raise SotongError([_("the test copy is {size}, more than the {limit} the mail server takes (SIZE), and so is "
                                 "every email of the issue that carries the same files; make the attachments smaller (a "
                                 "PDF at a lower picture quality) and bundle again, or get them to their readers another "
                                 "way").format(size=size_said, limit=limit_said)])
        answer = link.transaction(config.mail_from, recipient, data)
    except ConnectionLost as exc:
        raise SotongError([_("the mail server {host}:{port} dropped the connection ({reason}); run the same command again")
                           .format(host=config.server.host, port=config.server.port, reason=exc)]) from None
    finally:
        link.close()
    _record(project, issue, copy, persona, to, answer)
    if answer.code != 250:
        raise SotongError([_("the mail server refused the test copy at {stage}: {code} {text}; check the address {to} "
                             "and the server's settings").format(stage=answer.stage.upper(), code=answer.code,
                                                                 text=answer.text, to=to)])
    click.echo(_("Sent the email of {reader} for the issue of {issue} ({count} notices) to {to}, marked {mark}; "
                 "nothing was recorded as sent to the reader.").format(
        reader=copy.reader if persona is None else _("the imagined reader"), issue=issue, count=len(copy.notices), to=to,
        mark=MARK))


def _issue(options: dict) -> dt.date:
    if options["notice"] is not None or options["issue"] is None:
        raise click.UsageError(_("a test copy is of an issue: give --issue YYYY-MM-DD with --to"))
    issue = dt.date.fromisoformat(options["issue"])
    if not is_issue_date(issue):
        raise click.BadParameter(_("{issue} is not an issue date (2nd or 4th Thursday); the next one is {next}").format(
            issue=issue, next=next_issue(issue)), param_hint="--issue")
    return issue


def _record(project: Project, issue: dt.date, copy, persona: str | None, to: str, answer) -> None:
    store = project.store
    store.upgrade("delivery_staff_copies")
    with store.transaction():
        store.db.execute("INSERT INTO delivery_staff_copies VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                         (issue.isoformat(), copy.reader, persona, to, json.dumps(list(copy.notices)),
                          answer.code, answer.text, now_iso()))
