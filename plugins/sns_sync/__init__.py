"""sns_sync (SPEC §7): the notices' posts for X, Facebook and the blog as
feeds (``sns/PLATFORM.json``, JSON Feed 1.1, and ``sns/PLATFORM.xml``,
RSS 2.0) that the office's SNS tools read, and the posts of the office's own
SNS accounts (``SNS_IMPORT_FEEDS``) shown on the homepage as "SNS 소식" and in
the ``section/sns.html`` fragment.

Settings: ``SNS_SYNC = {"import_limit": 5}`` and ``SNS_IMPORT_FEEDS``,
validated when Pelican starts and by ``sotong check`` (see :mod:`.config`).
Templates: ``templates/sns_sync_*.html``. No tables, commands or routes; the
cache of the X posts it fitted is a file under CACHE_PATH (:mod:`.fitted`).
Check, build and the devserver warn of a notice whose X post is cut
(:mod:`.advice`, ``content_warnings``). Once ``sotong build`` has published them (``site_built``), the notices its
feeds hold go in the ledger of notices sent, whose addresses the site keeps
(:mod:`.posted`).
"""

from pelican import signals as pelican_signals

from sotong import signals


def start(pelican) -> None:
    from .generator import start as start_plugin

    start_plugin(pelican)


def _generators(pelican):
    from .generator import SnsGenerator

    return SnsGenerator


def register():
    pelican_signals.initialized.connect(start)
    pelican_signals.get_generators.connect(_generators)
    signals.connect_lazily(signals.content_check, f"{__name__}.config:settings_problems")
    signals.connect_lazily(signals.content_warnings, f"{__name__}.advice:cut_post_warnings")
    signals.connect_lazily(signals.site_built, f"{__name__}.posted:record_posted")
