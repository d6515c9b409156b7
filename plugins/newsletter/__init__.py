"""The newsletter plugin (SPEC §5): the bi-weekly web edition of the notices,
its archive and Atom feed, and the ``sotong newsletter`` commands.

Settings: ``NEWSLETTER`` (see :mod:`.config`), validated when Pelican starts
and by ``sotong check``, which warns of an edition sent that holds no
notice now (``content_warnings``, :mod:`.sent`). Commands: ``sotong newsletter next`` and ``list``.
Templates: ``templates/newsletter_*.html``. No tables or routes (the issue
dates themselves are core: sotong.schedule).
"""

from __future__ import annotations

from pathlib import Path

from pelican import signals as pelican_signals

from sotong import signals
from sotong.cli import add_lazy_commands
from sotong.i18n import _
from sotong.settings import add_template_folder

TEMPLATES = str(Path(__file__).parent / "templates")


def _start(pelican):
    """Check NEWSLETTER and make this plugin's templates findable."""
    from .config import newsletter_settings

    newsletter_settings(pelican.settings)
    add_template_folder(pelican.settings, TEMPLATES)


def _generators(pelican):
    from .edition import NewsletterGenerator

    return NewsletterGenerator


def _add_commands(group):
    add_lazy_commands(group, __name__, [
        ("newsletter", "commands:newsletter",
         _("The bi-weekly newsletter (2nd and 4th Thursdays): issue dates and windows."))])


def register():
    pelican_signals.initialized.connect(_start)
    pelican_signals.get_generators.connect(_generators)
    signals.cli_commands.connect(_add_commands)
    signals.connect_lazily(signals.content_check, f"{__name__}.config:check_settings")
    signals.connect_lazily(signals.content_warnings, f"{__name__}.sent:emptied_edition_warnings")
