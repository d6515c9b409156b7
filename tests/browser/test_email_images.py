"""A notice's photo and a banner's, wider than a phone, in a resident's email
at 360px (Chromium, with and without the <style> block, as Naver Mail and
Daum Mail show it): narrowed to the column, each keeps its proportions, and
with the images blocked (or not loaded) the email still fits the phone. The
template gives each image its pixel width and height (its place before it
loads, and Outlook's size); ``width: 100%`` up to ``max-width`` (its own
width) narrows it, and without ``height: auto`` it would keep its full
height, squashed. With only ``max-width: 100%``, an image not shown holds
the table at its full width.
"""

from __future__ import annotations

import email
import email.policy
import re

import pytest
from project_support import copy_project, invoke_sotong, png

from sotong.store import Store, Subscriber

from .page_checks import sideways_scrolling, without_style_blocks

ISSUE = "2026-12-10"
ORIGIN = "http://email.test"  # the email and the photo, answered by Chromium's request routing
PHOTO = png(1200, 800)
NOTICE = """---
title: "사진이 있는 소식"
date: 2026-12-05 09:00
department: 홍보담당관
category: bulletin
channels: [homepage, newsletter, email]
image: images/photo.png
image_alt: 행사장 사진
summary: 요약입니다.
---
본문입니다.
"""
BANNER = """title: 사진이 있는 배너
body: 배너 본문입니다.
link: https://www.gov.kr/
image: images/photo.png
image_alt: 배너 사진
placements: [email]
priority: 99
"""
SIZES = """() => [...document.images].filter(i => i.getAttribute('src') === '/images/photo.png')
  .map(i => ({alt: i.alt, loaded: i.naturalWidth, width: i.getBoundingClientRect().width,
              height: i.getBoundingClientRect().height}))"""


@pytest.fixture(scope="module")
def issue_email(tmp_path_factory) -> str:
    """The HTML of a reader's issue email with the photo in a notice and in a banner."""
    project = copy_project(tmp_path_factory.mktemp("images"), extra_settings=f'SOTONG_TODAY = "{ISSUE}"\n')
    (project / "content" / "images" / "photo.png").write_bytes(PHOTO)
    (project / "content" / "notices" / "2026-12-05-photo.md").write_text(NOTICE, encoding="utf-8")
    (project / "content" / "banners" / "photo.yaml").write_text(BANNER, encoding="utf-8")
    store = Store.open(project / "private" / "sotong.db")
    store.put_subscriber(Subscriber(id="R1", name="김독자", email="r1@example.com", birth_year=1960, dong="yongdap",
                                    fields=frozenset({"bulletin"}), channels=frozenset({"email"})))
    store.close()
    result = invoke_sotong(project, "bundles", "--issue", ISSUE)
    assert result.code == 0, result.output
    eml = (project / "private" / "outbox" / ISSUE / "email" / "R1.eml").read_bytes()
    return email.message_from_bytes(eml, policy=email.policy.default).get_body(("html",)).get_content()


def test_each_image_keeps_its_pixel_size_in_the_html(issue_email):
    images = re.findall(r'<img [^>]*src="/images/photo.png"[^>]*>', issue_email)
    assert len(images) == 2
    for image in images:  # 1200 x 800 scaled to the column: 552 x 368 (the banner's cell is narrower: 512 x 341)
        assert re.search(r'width="(552|512)" height="(368|341)" style="[^"]*max-width:(552|512)px', image), image


def open_email(tab, html: str, images_shown: bool):
    """The email at ORIGIN/email.html, its photo answered or refused (a mail app blocking images)."""
    files = {"/email.html": ("text/html; charset=utf-8", html.encode()), "/images/photo.png": ("image/png", PHOTO)}

    def serve(route):
        path = route.request.url.removeprefix(ORIGIN)
        if path != "/email.html" and not images_shown:
            return route.abort()
        content_type, body = files[path]
        return route.fulfill(content_type=content_type, body=body)

    tab.page.route(ORIGIN + "/**", serve)
    tab.open(ORIGIN + "/email.html")


@pytest.mark.parametrize("styles", ["with-style", "without-style"])
@pytest.mark.parametrize("width", [360])
def test_images_narrowed_to_a_phone_keep_their_proportions(issue_email, styles, width, tab):
    open_email(tab, issue_email if styles == "with-style" else without_style_blocks(issue_email), images_shown=True)
    sizes = tab.page.evaluate(SIZES)
    assert [size["alt"] for size in sizes] == ["행사장 사진", "배너 사진"] and all(size["loaded"] == 1200 for size in sizes)
    for size in sizes:
        assert size["width"] < 360, size
        assert size["height"] == pytest.approx(size["width"] * 800 / 1200, abs=1.5), (
            f"{size['alt']} ({styles}) is {size['width']:.0f} x {size['height']:.0f}px, not in its 3:2 proportion")


@pytest.mark.parametrize("styles", ["with-style", "without-style"])
@pytest.mark.parametrize("width", [360])
def test_with_images_blocked_the_email_still_fits_a_phone(issue_email, styles, width, tab):
    open_email(tab, issue_email if styles == "with-style" else without_style_blocks(issue_email), images_shown=False)
    assert [size["loaded"] for size in tab.page.evaluate(SIZES)] == [0, 0]
    assert sideways_scrolling(tab.page, width) == []
