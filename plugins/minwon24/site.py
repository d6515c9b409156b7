"""Banners on the public site: the Jinja globals the templates use
(``minwon24_site_banners``, ``minwon24_banner(placement, day)``), this
plugin's template folder, and the banner images in the output."""

from __future__ import annotations

import datetime as dt
import os
from pathlib import Path

from markupsafe import Markup

from sotong.pelican_plugin import copy_output_file
from sotong.settings import add_template_folder

from .config import minwon24_settings
from .markup import body_html
from .rules import Banner, edition_banner, site_banners

TEMPLATES = str(Path(__file__).parent / "templates")


class SiteBanners:
    """The Content's banners, as the templates ask for them. ``context`` is
    the generators' context, whose ``CONTENT`` the core plugin may set after
    this plugin's ``generator_init`` receiver ran: it is read when asked."""

    def __init__(self, context: dict):
        self.context = context

    @property
    def banners(self) -> list[Banner]:
        return self.context["CONTENT"].part("banners")

    def on_site(self) -> list[Banner]:
        """The active ``site`` banners on the build day."""
        return site_banners(self.banners, self.context["CONTENT"].day)

    def banner(self, placement: str, day: dt.date) -> Banner | None:
        """The one banner ``placement`` shows on ``day`` (the newsletter's rule)."""
        if placement != "newsletter":
            raise ValueError(f'minwon24_banner: placement "{placement}" shows more than one banner; use "newsletter"')
        return edition_banner(self.banners, day)

    def body(self, body: str, headings_from_level: int) -> Markup:
        """A banner's body as HTML (:func:`.markup.body_html`)."""
        return body_html(self.context["CONTENT"], body, headings_from_level)


def start(pelican) -> None:
    """Check MINWON24 and make this plugin's templates findable."""
    minwon24_settings(pelican.settings)
    add_template_folder(pelican.settings, TEMPLATES)


def add_globals(generator) -> None:
    banners = SiteBanners(generator.context)
    generator.env.globals.update(
        minwon24_banner=banners.banner,
        minwon24_site_banners=banners.on_site,
        minwon24_body=banners.body,
    )


def copy_images(generators) -> None:
    """On ``all_generators_finalized``: banner images that Pelican does not
    copy: outside STATIC_PATHS, or left out there as a draft's or a private
    notice's alone (sotong.pelican_plugin)."""
    generator = generators[0]
    content = Path(generator.settings["PATH"])
    copied = {Path(f.source_path) for g in generators for f in getattr(g, "staticfiles", ())}
    for banner in SiteBanners(generator.context).banners:
        if not banner.image:
            continue
        source = content / banner.image
        if source in copied:
            continue
        target = Path(generator.output_path) / banner.image
        os.makedirs(target.parent, exist_ok=True)
        copy_output_file(source, target)
