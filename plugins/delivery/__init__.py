"""Delivery (SPEC §9 unsubscribe, §11, §14): ``sotong send`` hands an
outbox's emails to SMTP with a crash-safe journal (VERP return paths) and
records its SMS as handed to the SMS agency; DKIM signatures for the bundles;
``sotong send report`` lists failures, late bounces and flags dead addresses;
``sotong bounces`` and ``sotong send results`` bring back what became of the
messages; ``sotong report --year Y`` is the annual e-communication report;
the collector's ``/u/TOKEN`` routes unsubscribe in one click and ``/c/KEY/CODE``
counts clicks; ``sotong subscribers unsubscribe --phones FILE`` takes the
"수신거부" SMS replies.
"""

from sotong import signals

from .clicks import add_click_route
from .commands import add_commands
from .config import delivery_problems
from .dkim_signing import dkim_signer
from .unsubscribe import add_routes


def check_settings(project):
    return delivery_problems(project.settings)


def register():
    signals.cli_commands.connect(add_commands)
    signals.web_routes.connect(add_routes)
    signals.web_routes.connect(add_click_route)
    signals.content_check.connect(check_settings)
    signals.message_signers.connect(dkim_signer)
