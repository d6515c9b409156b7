"""Warnings for staff on banners that pass ``sotong check`` (the
``sotong.signals.content_warnings`` receiver), by the rules notices have
(:mod:`sotong.advice`): a link that leads elsewhere than it reads, a
picture that moves or is over 1MB, and in the Markdown ``body`` what a notice's text is
warned of (links whose words say nothing of where they lead, addresses that
lead elsewhere, lines that vanish, pictures without words)."""

from __future__ import annotations

from pathlib import Path

from sotong.advice import heavy_pictures, misleading_address_warning, moving_picture_warning, text_warnings


def banner_warnings(project) -> list[str]:
    """``FILE:LINE: warning: ...`` for each banner's ``link`` that leads
    elsewhere than it reads (``https://www.gov.kr@evil.example/``), its
    ``image`` that moves, which the emails leave out and the site shows
    moving, or is over 1MB, and its ``body`` as a notice's text (sotong.advice.text_warnings)."""
    root = Path(project.settings["PATH"])
    found = []
    for banner in project.content.part("banners"):
        if warning := misleading_address_warning(banner.link):
            found.append(f"{banner.source}:{banner.lines.get('link', 1)}: {warning}")
        if banner.image and (warning := moving_picture_warning(root / banner.image, banner.image)):
            found.append(f"{banner.source}:{banner.lines.get('image', 1)}: {warning}")
        found.extend(heavy_pictures(banner, banner.source, root))  # in every email and on the homepage
        found.extend(text_warnings(banner, banner.source))
    return found
