"""sns_sync's Pelican side: at start, its settings checked and its templates
made findable; then a generator that puts the imported SNS posts into the
context as ``sns_posts`` (for the homepage) and writes ``sns/PLATFORM.json``,
``sns/PLATFORM.xml`` and the ``section/sns.html`` fragment.

Feeds need absolute URLs. They use SITEURL (publishconf.py); in development,
where SITEURL is empty, FEED_DOMAIN; failing both, ``http://localhost:8000``
(the address of ``pelican --listen``), with a warning.
"""

from __future__ import annotations

import logging
import mimetypes
from pathlib import Path

from pelican.generators import Generator

from sotong.i18n import _
from sotong.pelican_plugin import write_output_bytes
from sotong.links import absolute_site_url, site_url
from sotong.settings import add_template_folder

from .config import sns_settings
from .feeds import FeedInfo, json_feed_bytes, rss_feed_bytes
from .fitted import FittedPosts
from .imported import read_posts
from .posts import (DEVELOPMENT_BASE, PLATFORM_LABELS, Image, SharedNotice, absolute_links, fed_items, feed_item,
                    post_url, public_url)

log = logging.getLogger(__name__)

TEMPLATES = str(Path(__file__).parent / "templates")
SECTION_TEMPLATE = "sns_sync_section"
SECTION_SAVE_AS = "section/sns.html"


def start(pelican) -> None:
    """On ``initialized``: check the settings; make the templates findable."""
    sns_settings(pelican.settings)
    add_template_folder(pelican.settings, TEMPLATES)


def absolute_base(settings: dict) -> str:
    """The site's absolute address for the feeds (see the module docstring)."""
    base = absolute_site_url(settings)
    if base:
        return base
    log.warning(_('SITEURL and FEED_DOMAIN are empty: the SNS feeds (sns/*.json, sns/*.xml) link to %s. Set FEED_DOMAIN = "https://..." in pelicanconf.py, or build with -s publishconf.py.'),
                DEVELOPMENT_BASE)
    return DEVELOPMENT_BASE


def feed_path(platform: str, extension: str) -> str:
    return f"sns/{platform}.{extension}"


class SnsGenerator(Generator):
    """Reads the office's SNS feeds; writes the notices' SNS feeds."""

    def generate_context(self) -> None:
        self.context["sns_posts"] = read_posts(sns_settings(self.settings))

    def generate_output(self, writer) -> None:
        base = absolute_base(self.settings)
        absolute = dict(self.settings, SITEURL=base)
        fed = fed_items(self.context["NOTICE_ARTICLES"].values(), self.context["CONTENT"].day,
                        self.settings.get("FEED_MAX_ITEMS"))
        shared: dict[str, SharedNotice] = {}
        fitted = FittedPosts(self.settings)
        for platform, articles in fed.items():
            items = []
            for article in articles:
                if article.slug not in shared:
                    shared[article.slug] = self._shared(article, absolute)
                items.append(feed_item(shared[article.slug], platform, fitted.fit))
            info = self._feed_info(platform, absolute)
            write_output_bytes(self.output_path, feed_path(platform, "json"), json_feed_bytes(info, items))
            write_output_bytes(self.output_path, feed_path(platform, "xml"), rss_feed_bytes(info, items))
        fitted.save()
        writer.write_file(SECTION_SAVE_AS, self.get_template(SECTION_TEMPLATE), self.context,
                          posts=self.context["sns_posts"])

    def _shared(self, article, absolute: dict) -> SharedNotice:
        notice = article.notice
        url = post_url(self.settings, notice.slug)  # the one rule, which check's warning of a cut post reads by too
        body = absolute_links(article.get_content(absolute["SITEURL"]), url) if notice.has("blog") else ""
        return SharedNotice(notice=notice, url=url, body_html=body,
                            field_label=self.context["FIELD_LABELS"].get(notice.category, notice.category),
                            image=self._image(notice.image, absolute))

    def _image(self, path: str | None, absolute: dict) -> Image | None:
        if not path:
            return None
        static = self.context.get("static_content", {}).get(path)
        source = Path(self.settings["PATH"]) / path
        return Image(url=public_url(site_url(absolute, static.url if static else path)),
                     media_type=mimetypes.guess_type(path)[0] or "application/octet-stream",
                     length=source.stat().st_size)

    def _feed_info(self, platform: str, absolute: dict) -> FeedInfo:
        label = PLATFORM_LABELS[platform]
        site = self.settings["SITENAME"]
        return FeedInfo(
            title=f"{site} {label} 게시글",
            description=f"{site}의 공지 가운데 {label}에 올리는 글",
            home_page_url=public_url(site_url(absolute, "")),
            json_url=public_url(site_url(absolute, feed_path(platform, "json"))),
            rss_url=public_url(site_url(absolute, feed_path(platform, "xml"))),
        )
