"""minwon24 (SPEC §10): promotion banners for 정부24 (formerly 민원24) on the
homepage, in the newsletter edition and in the personalized emails.

Banners are ``content/banners/SLUG.yaml`` (:mod:`.schema`); which one shows
where and when is :mod:`.rules`; they are the Content's ``"banners"``
part (``sotong.signals.content_parts``); the site and the edition get them through
Jinja globals (:mod:`.site`), the emails through
``sotong.signals.message_blocks`` (:mod:`.email`).

Settings: ``MINWON24 = {"path": "banners"}`` (the folder under content/),
validated when Pelican starts and by ``sotong check``, which also warns of
a banner's link that leads elsewhere than it reads and of its picture that
moves (:mod:`.advice`, ``content_warnings``). Templates:
``templates/minwon24_*.html`` (site, edition), ``email_templates/`` (emails).
No tables, commands or routes.
"""

from __future__ import annotations

from pelican import signals as pelican_signals

from sotong import signals


def _content_part(project):
    """Receiver of ``sotong.signals.content_parts``: the banners."""
    from sotong.problems import SotongError

    from .schema import read_banners

    banners, problems = read_banners(project.settings, project.audiences, project.shown)
    # the body rendered as the build will (the project's MARKDOWN): what an extension refuses would stop it
    problems += [problem for banner in banners
                 for problem in project.renderer.text_problems(banner.body, banner.source, banner.body_line)]
    if problems:
        raise SotongError(problems)
    return {"banners": banners}


def register():
    signals.connect_lazily(pelican_signals.initialized, f"{__name__}.site:start")
    signals.connect_lazily(pelican_signals.generator_init, f"{__name__}.site:add_globals")
    signals.connect_lazily(pelican_signals.all_generators_finalized, f"{__name__}.site:copy_images")
    # every problem in MINWON24 (the banner files are checked as the Content's part)
    signals.connect_lazily(signals.content_check, f"{__name__}.config:check_settings")
    signals.content_parts.connect(_content_part)
    signals.connect_lazily(signals.content_warnings, f"{__name__}.advice:banner_warnings")
    signals.connect_lazily(signals.message_blocks, f"{__name__}.email:block_maker")
