"""The dong offices' poster (``subscribe/poster/``) as Chromium prints it:
one A4 page, in type read from a metre away, with a QR code large enough for
a phone held at arm's length; and, where zbarimg is installed (Debian's
zbar-tools, which .ci/run installs), the QR code on Chromium's screen read
back by a real scanner as the sign-up form's address. Its checks as a web
page (axe, 16px text, no sideways scrolling) are the site's
(test_site_pages.py, page "poster")."""

from __future__ import annotations

import re
import subprocess

import pytest
import tooling
from sample_site import dev_site, publish_site
from test_poster import FORM_URL, POSTER

from .page_checks import SITE_TAGS, axe_violations, web_page_problems

MIN_PRINTED_PT = 16  # points: read from a metre away
MIN_QR_MM = 50  # the printed code, for a phone held at arm's length
_PX_PER_PT = 96 / 72
_PX_PER_MM = 96 / 25.4

_SMALLEST_TEXT = """() => {
  const sizes = [];
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  for (let node = walker.nextNode(); node; node = walker.nextNode()) {
    if (!node.textContent.trim() || !node.parentElement.checkVisibility()) continue;
    sizes.push([parseFloat(getComputedStyle(node.parentElement).fontSize), node.textContent.trim().slice(0, 40)]);
  }
  return sizes.sort((a, b) => a[0] - b[0]).slice(0, 3);
}"""


@pytest.fixture
def poster(browser):
    """A fresh page of Chromium, opening a built poster by its ``file:`` address."""
    context = browser.new_context(locale="ko-KR")
    page = context.new_page()

    def open_poster(site):
        page.goto((site.output / POSTER).as_uri(), wait_until="load")
        return page

    yield open_poster
    context.close()


def pdf_pages(pdf: bytes) -> int:
    """How many pages a PDF has: its page objects (Chromium's PDFs keep them uncompressed)."""
    return len(re.findall(rb"/Type\s*/Page(?![s\w])", pdf))


@pytest.mark.parametrize("build", ["publish", "dev"])
def test_the_poster_prints_on_one_a4_page(poster, build):
    page = poster(publish_site() if build == "publish" else dev_site())
    pdf = page.pdf(format="A4", prefer_css_page_size=True, print_background=True)
    assert pdf.startswith(b"%PDF") and pdf_pages(pdf) == 1
    # the test counts pages: the same poster with twice its fields is two
    page.evaluate("document.querySelector('.fields').innerHTML += document.querySelector('.fields').innerHTML")
    assert pdf_pages(page.pdf(format="A4", prefer_css_page_size=True)) == 2


def test_the_printed_poster_is_read_from_a_metre_away(poster):
    page = poster(publish_site())
    page.emulate_media(media="print")
    smallest = page.evaluate(_SMALLEST_TEXT)
    assert smallest[0][0] >= MIN_PRINTED_PT * _PX_PER_PT - 0.01, f"printed text under {MIN_PRINTED_PT}pt: {smallest}"
    assert page.locator("svg.qr").bounding_box()["width"] >= MIN_QR_MM * _PX_PER_MM
    assert not page.locator(".staff").is_visible(), "the line for staff is printed"


@pytest.mark.parametrize("width", [375, 1280])
def test_the_published_poster_is_accessible_and_readable_on_a_screen(width, tab, axe_script):
    tab.open((publish_site().output / POSTER).as_uri())
    problems = web_page_problems(tab.page, width) + axe_violations(tab.page, axe_script, SITE_TAGS)
    assert not problems, f"{POSTER} (published) at {width}px:\n" + "\n".join(problems)


def test_a_scanner_reads_the_form_address_from_the_posters_qr_code(poster, tmp_path):
    zbarimg = tooling.program("zbarimg", "zbarimg (reads QR codes)", "sudo apt-get install zbar-tools")
    page = poster(publish_site())
    picture = tmp_path / "qr.png"
    page.locator("svg.qr").screenshot(path=str(picture))
    read = subprocess.run([zbarimg, "--quiet", "--raw", str(picture)], capture_output=True, text=True, timeout=60)
    assert read.returncode == 0, read.stderr
    assert read.stdout.strip() == FORM_URL
