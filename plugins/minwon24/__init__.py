"""minwon24 (SPEC §10): promotion banners for 정부24 (formerly 민원24) on the
homepage, in the newsletter edition and in the personalized emails.

Banners are ``content/banners/SLUG.yaml`` (:mod:`.schema`); which one shows
where and when is :mod:`.rules`; the site and the edition get them through
Jinja globals (:mod:`.site`), the emails through
``sotong.signals.message_blocks`` (:mod:`.email`).

Settings: ``MINWON24 = {"path": "banners"}`` (the folder under content/),
validated when Pelican starts and by ``sotong check``.
"""

from __future__ import annotations

from pelican import signals as pelican_signals

from sotong import signals


def _check(project):
    """Every problem in MINWON24 and in the banner files."""
    from .config import read_minwon24_settings
    from .schema import read_banners

    problems = read_minwon24_settings(project.settings)[1]
    if problems:
        return problems
    return read_banners(project.settings, project.audiences, project.shown)[1]


def register():
    signals.connect_lazily(pelican_signals.initialized, f"{__name__}.site:start")
    signals.connect_lazily(pelican_signals.generator_init, f"{__name__}.site:add_globals")
    signals.connect_lazily(pelican_signals.finalized, f"{__name__}.site:copy_images")
    signals.content_check.connect(_check)
    signals.connect_lazily(signals.message_blocks, f"{__name__}.email:block_maker")
