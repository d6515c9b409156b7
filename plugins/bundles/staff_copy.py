"""A staff copy, for a test (``sotong send --issue D --to ADDRESS --as ID | --persona ...``):
the email one reader of issue D would get, addressed to a staff member and
marked at the start of its subject, composed the way ``sotong bundles``
composes it.

The copy carries the reader's notices, blocks and layout, but its personal
links (unsubscribe, preferences) are made for the id ``test-ID``, which names
no subscriber: a staff member who clicks them in a test changes nobody's
consent. The delivery plugin hands the copy to the SMTP server.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, replace

import click

from sotong.i18n import _
from sotong.problems import SotongError
from sotong.project import Project
from sotong.settings import settings_flag

from .config import bundles_settings
from .outbox import Bundler, issue_bundle
from .persona import PersonaError, find_reader

COPY_ID_PREFIX = "test-"


@dataclass(frozen=True)
class StaffCopy:
    eml: bytes
    reader: str  # the subscriber id, or "persona"
    notices: tuple  # slugs, in message order


def staff_copy(project: Project, *, issue: dt.date, reader_id: str | None, persona: str | None,
               to: str, mark: str) -> StaffCopy:
    """The marked copy of the email the reader gets of ``issue``, to ``to``;
    a command-line error for a wrong persona, SotongError when the reader gets no email."""
    try:
        reader = find_reader(project, reader_id, persona, issue.year)
    except PersonaError as exc:
        raise click.BadParameter(str(exc), param_hint="--persona") from None
    bundler = Bundler(project, issue_bundle(project, issue, bundles_settings(project.settings).title), trial=True)
    plan = bundler.plan(reader)
    if not bundler.emailed(reader, plan) or not reader.subscribed:
        raise SotongError([_("{reader} gets no email of the issue of {issue} (unsubscribed, no email channel or "
                             "address, or no notice of it matches); pick another reader (--as ID or --persona), "
                             "or see what each notice reaches with: sotong reach --issue {issue}{settings}").format(
            reader=reader.id if persona is None else _("the imagined reader"), issue=issue,
            settings=settings_flag(project.settings))])
    copy_reader = replace(reader, id=COPY_ID_PREFIX + reader.id, name="", email=to)
    message, _manifest = bundler.email_for(copy_reader, plan, subject_mark=mark)
    return StaffCopy(message.eml, reader.id, message.notices)

