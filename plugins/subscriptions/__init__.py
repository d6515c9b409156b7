"""Residents manage their own subscriptions (SPEC §13), end to end: the
static sign-up form (``subscribe/form/``), the collector's sign-up with
double opt-in, the preferences page ``/p/TOKEN`` linked from every email,
``/p/link``, phone codes through an SMS transport, and the consent log's
commands (``sotong subscribers changes``, ``sotong subscribers forget``);
the log itself is kept by the core store for every writer.

Settings: ``SUBSCRIBE_RATE`` (default ``"10/hour"``: sign-ups and link
requests per client address), ``SMTP_*`` and ``MAIL_FROM`` for the mails.
"""

from pelican import signals

from sotong import signals as sotong_signals

from .blocks import block_maker
from .collector import add_routes
from .commands import add_commands
from .config import check_settings
from .site import get_generators, use_plugin_templates


def register():
    signals.initialized.connect(use_plugin_templates)
    signals.get_generators.connect(get_generators)
    sotong_signals.cli_commands.connect(add_commands)
    sotong_signals.web_routes.connect(add_routes)
    sotong_signals.message_blocks.connect(block_maker)
    sotong_signals.content_check.connect(check_settings)
