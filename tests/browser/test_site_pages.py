"""Every kind of page of the built site, in Chromium at 375px and 1280px: no
axe-core violation (WCAG 2.1 A/AA and best practice), no sideways scrolling,
no text under 16px, an alt on every image, nothing fetched from outside the
site (no CDN). A screenshot of each goes to test-artifacts/screenshots/.
"""

from __future__ import annotations

from .page_checks import SITE_TAGS, axe_violations, reading_problems


def test_site_page_is_accessible_and_readable(site_page, width, tab, site_server, axe_script):
    assert site_page.path is not None, f"the sample build produced no {site_page.name} page"
    tab.open(f"{site_server.base}/{site_page.path}")
    tab.screenshot(site_page.name, width)
    problems = reading_problems(tab.page, width) + tab.foreign_requests(site_server.base)
    problems += axe_violations(tab.page, axe_script, SITE_TAGS)
    assert not problems, f"{site_page.path} at {width}px:\n" + "\n".join(problems)
