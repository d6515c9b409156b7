"""Banners on the public site: the Jinja globals the templates use
(``minwon24_site_banners``, ``minwon24_banner(placement, day)``), this
plugin's template folder, and the banner images in the output."""

from __future__ import annotations

import datetime as dt
import os
import shutil
from functools import cached_property
from pathlib import Path

from sotong.audiences import load_audiences
from sotong.problems import SotongError
from sotong.settings import DEFAULTS, add_template_folder, today

from .config import minwon24_settings
from .markup import body_html
from .rules import Banner, edition_banner, site_banners
from .schema import read_banners

TEMPLATES = str(Path(__file__).parent / "templates")


class SiteBanners:
    """The project's banners, read when a template first asks for them."""

    def __init__(self, settings: dict):
        self.settings = settings

    @cached_property
    def banners(self) -> list[Banner]:
        audiences = load_audiences(self.settings.get("AUDIENCES_PATH", DEFAULTS["AUDIENCES_PATH"]))
        banners, problems = read_banners(self.settings, audiences)
        if problems:
            raise SotongError(problems)
        return banners

    def on_site(self) -> list[Banner]:
        """The active ``site`` banners on the build day."""
        return site_banners(self.banners, today(self.settings))

    def banner(self, placement: str, day: dt.date) -> Banner | None:
        """The one banner ``placement`` shows on ``day`` (the newsletter's rule)."""
        if placement != "newsletter":
            raise ValueError(f'minwon24_banner: placement "{placement}" shows more than one banner; use "newsletter"')
        return edition_banner(self.banners, day)


def start(pelican) -> None:
    """Check MINWON24 and make this plugin's templates findable."""
    minwon24_settings(pelican.settings)
    add_template_folder(pelican.settings, TEMPLATES)


def add_globals(generator) -> None:
    banners = SiteBanners(generator.settings)
    generator.env.globals.update(
        minwon24_banner=banners.banner,
        minwon24_site_banners=banners.on_site,
        minwon24_body=body_html,
    )


def copy_images(pelican) -> None:
    """Banner images outside STATIC_PATHS, which Pelican copies already."""
    content = Path(pelican.settings["PATH"])
    static = [content / folder for folder in pelican.settings.get("STATIC_PATHS", [])]
    for banner in SiteBanners(pelican.settings).banners:
        if not banner.image:
            continue
        source = content / banner.image
        if any(source.is_relative_to(folder) for folder in static):
            continue
        target = Path(pelican.output_path) / banner.image
        os.makedirs(target.parent, exist_ok=True)
        shutil.copyfile(source, target)
