"""Banners in the personalized emails: the ``sotong.signals.message_blocks``
receiver that gives each reader at most one banner (the first active
``email`` banner whose audiences the reader matches), recorded as ``banner``
in the manifest.

A banner's block is rendered and its CSS inlined once per bundle, however
many readers get it. The email shows the image only when it is a PNG, JPEG
or GIF, as every mail client does (Gmail shows no SVG, Outlook for Windows no
WebP), whose file tells its size (:func:`sotong.images.image_size`), so that
the layout does not jump; otherwise the text and link remain and the site
keeps the image.
"""

from __future__ import annotations

import dataclasses
from pathlib import Path

from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape

from sotong.images import email_image_size
from sotong.links import site_url
from sotong.mail import Block, MessageContext

from .markup import body_html, body_text
from .rules import Banner, active, first_for_reader

TEMPLATES = Path(__file__).parent / "email_templates"
IMAGE_MAX_WIDTH = 512  # the email's 600px column less its padding and the banner's own


def email_image(settings: dict, banner: Banner) -> dict | None:
    """The banner's image for an email, or None (no image, not a PNG, JPEG
    or GIF, size unknown, a picture that moves)."""
    size = email_image_size(Path(settings["PATH"]) / banner.image, IMAGE_MAX_WIDTH) if banner.image else None
    if size is None:
        return None
    width, height = size
    return {"src": site_url(settings, banner.image), "width": width, "height": height}


class BannerBlocks:
    """The block maker of one bundle: ``(subscriber, notices) -> [Block]``."""

    def __init__(self, context: MessageContext, banners: list[Banner]):
        self.context = dataclasses.replace(context, css=context.css + "\n" + (TEMPLATES / "minwon24.css").read_text(encoding="utf-8"))
        self.candidates = active(banners, context.day, "email")  # ordered once, tried per reader
        self.year = context.day.year
        loader = FileSystemLoader(str(TEMPLATES))
        self.html = Environment(loader=loader, undefined=StrictUndefined, autoescape=select_autoescape(["html"]),
                                trim_blocks=True, lstrip_blocks=True).get_template("minwon24_banner.html")
        self.text = Environment(loader=loader, undefined=StrictUndefined, autoescape=False,
                                trim_blocks=True).get_template("minwon24_banner.txt")
        self._blocks: dict[str, Block] = {}

    def __call__(self, subscriber, notices) -> list[Block]:
        banner = first_for_reader(self.candidates, subscriber.profile, self.year)
        return [] if banner is None else [self.block(banner)]

    def block(self, banner: Banner) -> Block:
        block = self._blocks.get(banner.slug)
        if block is None:
            html = self.html.render(banner=banner, body=body_html(self.context.content, banner.body, 3),  # under the title's h2
                                    image=email_image(self.context.settings, banner))
            text = self.text.render(banner=banner, body=body_text(self.context.content, banner.body))
            block = self._blocks[banner.slug] = Block(html=self.context.inline(html), text=text,
                                                      manifest={"banner": banner.slug})
        return block


def block_maker(context: MessageContext) -> BannerBlocks | None:
    """The ``sotong.signals.message_blocks`` receiver."""
    banners = context.content.part("banners")
    candidates = active(banners, context.day, "email")
    return BannerBlocks(context, banners) if candidates else None
