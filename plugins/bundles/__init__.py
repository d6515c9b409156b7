"""The bundles plugin (SPEC §6): every reader's personalized email and SMS
of an issue, or of one urgent notice, in the private outbox; and
``sotong preview`` to see what one reader (or an imagined one) would get.

Commands: ``sotong bundles --issue D | --notice SLUG``, ``sotong reach``, ``sotong preview``.
Settings: ``BUNDLES`` (see :mod:`.config`), validated by ``sotong check`` and
when a command starts. Email templates and CSS: ``themes/email/``.
Other plugins add blocks to each email through ``sotong.signals.message_blocks``.
"""

from __future__ import annotations

from sotong import signals

from .config import read_bundles_settings


def _add_commands(group):
    from .commands import bundles, preview, reach

    group.add_command(bundles)
    group.add_command(reach)
    group.add_command(preview)


def _check_settings(project):
    return read_bundles_settings(project.settings)[1]


def register():
    signals.cli_commands.connect(_add_commands)
    signals.content_check.connect(_check_settings)
