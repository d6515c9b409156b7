"""Residents manage their own subscriptions (SPEC §13): the consent log's
commands (``sotong subscribers changes``, ``sotong subscribers forget``);
the log itself is kept by the core store for every writer."""

from sotong import signals

from .commands import add_commands


def register():
    signals.cli_commands.connect(add_commands)
