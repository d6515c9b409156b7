"""Residents manage their own subscriptions (SPEC §13), end to end: the
static sign-up form (``subscribe/form/``) and the A4 poster for the dong
offices that leads to it (``subscribe/poster/``), the collector's sign-up with
double opt-in, the preferences page ``/p/TOKEN`` linked from every email,
``/p/link``, phone codes through an SMS transport (``sotong subscribers
codes``), the consent log's commands (``sotong subscribers changes``,
``sotong subscribers forget``)
and the retention of subscriptions (``sotong subscribers purge``);
the log itself is kept by the core store for every writer.

Settings: ``SUBSCRIBE_RATE`` (default ``"10/hour"``: sign-ups and link
requests per client address, and per reader the preferences changes that
send a code or a confirmation mail), ``SMS_CODES_BY`` (``"collectors"``, the
default, or ``"command"``: who hands the phone codes queued in the store to
the SMS transport), ``SMTP_*`` and ``MAIL_FROM`` for the mails.
Tables: ``subscriptions_*`` (pending sign-ups and codes, consents, the mail
queue: :mod:`.storage`; readers told they will be ended: :mod:`.inactive`).
Routes: ``/subscribe``, ``/subscribe/check``, ``/subscribe/confirm``
(:mod:`.collector`), ``/p/...`` (:mod:`.preferences`). Templates:
``templates/subscriptions_*.html``. Forget and purge send
``person_erasing``, ``person_forgotten`` and ``people_purged`` to the
plugins that keep files or rows of a person, and purge asks
``delivered_since`` who was sent nothing for two years.
"""

from pelican import signals

from sotong import signals as sotong_signals

from sotong.cli import add_lazy_commands
from sotong.i18n import _


def add_commands(group) -> None:
    """Receiver of ``cli_commands``: the consent log's commands, imported when they run."""
    add_lazy_commands(group, __name__, [
        ("changes", "commands:changes_command",
         _("Write the consent log from a day on (every change, its source, old and new values).")),
        ("forget", "commands:forget_command",
         _("Erase a person's data everywhere in the store, keeping only counts.")),
        ("codes", "commands:codes_command",
         _("Hand the phone codes waiting in the store to this machine's SMS code file (private/subscriptions/sms-codes.csv), each once, none expired: with SMS_CODES_BY = \"command\", run it on the one machine whose file goes to the SMS agency. --follow keeps doing so until stopped.")),
        ("purge", "commands:purge_command",
         _("Destroy what the privacy page says is past its retention: all but the unsubscribe time of those who unsubscribed a week ago or more; tell those sent nothing for two years, and end and destroy those told 30 days ago and still sent nothing. Run it daily; --dry-run only counts."))],
        under="subscribers")


def register():
    sotong_signals.declare_schemas(f"{__name__}.storage", f"{__name__}.inactive")
    sotong_signals.connect_lazily(signals.initialized, f"{__name__}.site:use_plugin_templates")
    sotong_signals.connect_lazily(signals.get_generators, f"{__name__}.site:get_generators")
    sotong_signals.connect_lazily(signals.page_generator_finalized, f"{__name__}.site:write_rate_window")
    sotong_signals.cli_commands.connect(add_commands)
    # the collector's routes (werkzeug, the mail queue) and the emails' preferences link: imported when used
    sotong_signals.connect_lazily(sotong_signals.web_routes, f"{__name__}.collector:add_routes")
    sotong_signals.connect_lazily(sotong_signals.message_blocks, f"{__name__}.blocks:block_maker")
    sotong_signals.connect_lazily(sotong_signals.content_check, f"{__name__}.config:check_settings")
