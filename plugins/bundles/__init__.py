"""The bundles plugin (SPEC §6): every reader's personalized email and SMS
of an issue, or of one urgent notice, in the private outbox; and
``sotong preview`` to see what one reader (or an imagined one) would get.

Commands: ``sotong bundles --issue D | --notice SLUG``, ``sotong reach``, ``sotong preview``.
Settings: ``BUNDLES`` (see :mod:`.config`), validated by ``sotong check`` and
when a command starts. Email templates and CSS: ``themes/email/``. No tables
or routes: the outbox and the previews are files under ``PRIVATE_PATH``.
Other plugins add blocks to each email through ``sotong.signals.message_blocks``,
and ask for a reader's email as a staff copy through ``sotong.signals.staff_copies``;
bundles asks them which readers a channel must not reach (``reach_marks``).
To ``sotong check`` it adds the notices whose SMS would be an LMS, those
whose picture moves, which emails leave out, and, at its ``date:`` line,
each notice changed since the last build dated in the window of an issue
already bundled or an earlier one, which no coming issue carries, and
each notice a bundle carried whose address changed since (its file
renamed, its ``slug:`` edited; :mod:`.sent_addresses`)
(``content_warnings``: said by check, build and the devserver; ``sotong
preview`` says the last too), a private notice's image no mail client shows
(or one that moves) and a notice whose slug is a day, which names that
day's issue outbox (``content_check``), and the reach of the notices
changed since the last build (``check_reports``); a forgotten or purged
person's previews are removed (``person_forgotten``, ``people_purged``).
"""

from __future__ import annotations

from sotong import signals
from sotong.cli import add_lazy_commands
from sotong.i18n import _


def _add_commands(group):
    add_lazy_commands(group, __name__, [
        ("bundles", "commands:bundles",
         _("Write every reader's email and SMS of an issue (or of one notice) into the outbox.")),
        ("reach", "commands:reach",
         _("Print how many readers each notice of an issue reaches by email and SMS, and the issue's messages by type and their cost. Nothing is written.")),
        ("preview", "commands:preview",
         _("Write the email (.eml and .html) and SMS one reader would get into private/preview/."))])


def _changed_reach(project):
    from sotong.store import store_exists

    if not store_exists(project.settings["SOTONG_DB"]):
        return []  # check stays quick: nothing of the bundles is loaded
    from .changed_reach import changed_reach_lines

    return changed_reach_lines(project)


def register():
    signals.cli_commands.connect(_add_commands)
    signals.check_reports.connect(_changed_reach)
    signals.connect_lazily(signals.staff_copies, f"{__name__}.staff_copy:staff_copy")
    signals.connect_lazily(signals.person_forgotten, f"{__name__}.forget:forget_previews")
    signals.connect_lazily(signals.people_purged, f"{__name__}.forget:purge_previews")
    signals.connect_lazily(signals.content_warnings, f"{__name__}.sms_advice:lms_warnings")
    signals.connect_lazily(signals.content_warnings, f"{__name__}.images:moving_image_warnings")
    signals.connect_lazily(signals.content_warnings, f"{__name__}.late_notices:late_notice_warnings")
    signals.connect_lazily(signals.content_warnings, f"{__name__}.sent_addresses:moved_address_warnings")
    signals.connect_lazily(signals.content_check, f"{__name__}.config:check_settings")
    signals.connect_lazily(signals.content_check, f"{__name__}.images:private_image_problems")
    signals.connect_lazily(signals.content_check, f"{__name__}.attachments:attachment_problems")
    signals.connect_lazily(signals.content_check, f"{__name__}.slugs:date_slug_problems")
