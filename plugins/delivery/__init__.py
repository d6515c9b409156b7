"""Delivery (SPEC §9 unsubscribe, §11): ``sotong send`` hands an outbox's
emails to SMTP with a crash-safe journal and records its SMS as handed to the
SMS agency; ``sotong send report`` lists failures and flags dead addresses;
``sotong report --year Y`` is the annual e-communication report; the
collector's ``/u/TOKEN`` routes unsubscribe in one click; ``sotong subscribers
unsubscribe --phones FILE`` takes the "수신거부" SMS replies.
"""

from sotong import signals

from .commands import add_commands
from .config import delivery_problems
from .dkim_signing import dkim_signer
from .unsubscribe import add_routes


def check_settings(project):
    return delivery_problems(project.settings)


def register():
    signals.cli_commands.connect(add_commands)
    signals.web_routes.connect(add_routes)
    signals.content_check.connect(check_settings)
    signals.message_signers.connect(dkim_signer)
