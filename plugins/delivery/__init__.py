"""Delivery (SPEC §9 unsubscribe, §11, §14): ``sotong send`` hands an
outbox's emails to SMTP with a crash-safe journal (VERP return paths) and
records its SMS as handed to the SMS agency, each email dated and DKIM-signed
as it goes (:mod:`.stamp`);
``sotong send report`` lists failures, late bounces and flags dead addresses;
``sotong bounces`` and ``sotong send results`` bring back what became of the
messages; ``sotong report --year Y`` is the annual e-communication report;
the collector's ``/u/TOKEN`` routes unsubscribe in one click and ``/c/KEY/CODE``
counts clicks; ``sotong subscribers unsubscribe --phones FILE`` takes the
"수신거부" SMS replies; ``sotong send --issue D --to ADDRESS`` sends a staff
member one reader's email as a test, apart from the journal; ``sotong send
purge`` destroys the delivery records a year after their send.

Settings: ``DELIVERY`` (retries and connections), ``SMTP_*``, ``MAIL_FROM``,
``SEND_RATE``, ``CLICK_COUNTING`` (:mod:`.config`); ``BOUNCE_*`` and
``SMS_SOFT_CODES`` (:mod:`.bounce_config`); ``DKIM_*`` (:mod:`.dkim_signing`).
Tables: ``delivery_*`` (journal, bounces, clicks, SMS results, staff copies,
invalid marks, last-sent days), declared for ``sotong db upgrade`` below.
Templates: ``templates/delivery_*.html`` (reports, unsubscribe pages).
Signals it sends: ``outbox_figures`` (the issue report), ``staff_copies``
(the test send); it answers ``reach_marks``, ``delivered_since``,
``message_signers``, ``person_forgotten`` and ``person_erasing``.
"""

import click

from sotong import signals
from sotong.cli import add_lazy_commands
from sotong.i18n import _


def add_commands(group: click.Group) -> None:
    """Receiver of ``cli_commands``: the delivery commands, imported when they run."""
    add_lazy_commands(group, __name__, [
        ("send", "commands:send",
         _("Hand an outbox's emails to the SMTP server and record its SMS as handed over to the SMS agency; a re-run sends only what was not accepted.")),
        ("report", "commands:report",
         _("The annual e-communication report (--year), or what became of one issue's messages (--issue) or of a one-off notice's (--notice), from the journal: HTML and CSV in private/reports/.")),
        ("bounces", "bounce_commands:bounces_command",
         _("Read the bounce mailbox: attribute each bounce to its reader by its return path, record and score it, move it to BOUNCE_FOLDER, and flag addresses whose score reaches BOUNCE_SCORE_LIMIT; other mail stays where it is. Handled bounces are deleted from BOUNCE_FOLDER a year after they arrived."))])
    add_lazy_commands(group, __name__, [
        ("unsubscribe", "commands:unsubscribe_phones_command",
         _('Unsubscribe the numbers of a "수신거부" reply list from SMS.'))], under="subscribers")


def check_settings(project):
    from .config import delivery_problems  # with the mailbox modules: imported for checks only

    return delivery_problems(project.settings)


def register():
    signals.declare_schemas(*(f"{__name__}.{module}" for module in ("bounces", "clicks", "journal", "marks", "retention", "sms_results",
                                                                    "staff_send")))
    signals.cli_commands.connect(add_commands)
    signals.connect_lazily(signals.web_routes, f"{__name__}.unsubscribe:add_routes")
    signals.connect_lazily(signals.web_routes, f"{__name__}.clicks:add_click_route")
    signals.content_check.connect(check_settings)
    signals.connect_lazily(signals.message_signers, f"{__name__}.dkim_signing:dkim_signer")
    signals.connect_lazily(signals.person_forgotten, f"{__name__}.forget:forget_in_outboxes")
    signals.connect_lazily(signals.person_erasing, f"{__name__}.bounces:forget_sms_keys")
    signals.connect_lazily(signals.reach_marks, f"{__name__}.marks:unreachable_readers")
    signals.connect_lazily(signals.delivered_since, f"{__name__}.retention:delivered_since")
