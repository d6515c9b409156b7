"""A personalized email of the sample's next issue (the reader with the most
notices, from ``sotong bundles``), opened in Chromium as a mail app shows it:
at 375px and 1280px, and at 375px with every <style> block removed, as Naver
Mail and Daum Mail (the mailboxes most residents use, for which caniemail has
no data) are known to do. It must still fit the phone, keep its text at 16px
or more, keep its links recognisable and its contrast (axe).
"""

from __future__ import annotations

import pytest

from .page_checks import (
    EMAIL_SKIPPED_RULES, SITE_TAGS, WCAG_TAGS, axe_violations, links_not_recognisable, reading_problems,
    without_style_blocks,
)


def test_email_is_accessible_and_readable(width, tab, site_server, bundle, axe_script):
    email = bundle.fullest
    tab.open(site_server.put("/__email__/email.html", email.html))
    tab.screenshot("email", width)
    problems = reading_problems(tab.page, width) + links_not_recognisable(tab.page)
    problems += tab.foreign_requests(site_server.base)
    problems += axe_violations(tab.page, axe_script, SITE_TAGS, EMAIL_SKIPPED_RULES)
    assert not problems, f"email of {email.subscriber} ({bundle.issue}) at {width}px:\n" + "\n".join(problems)


@pytest.mark.parametrize("width", [375])
def test_email_reads_without_its_style_blocks(width, tab, site_server, bundle, axe_script):
    email = bundle.fullest
    stripped = without_style_blocks(email.html)
    assert "<style" in email.html and "<style" not in stripped
    tab.open(site_server.put("/__email__/email-without-style.html", stripped))
    tab.screenshot("email-without-style", width)
    problems = reading_problems(tab.page, width) + links_not_recognisable(tab.page)
    problems += axe_violations(tab.page, axe_script, WCAG_TAGS)
    assert not problems, (f"email of {email.subscriber} without <style> at {width}px "
                          "(as Naver Mail and Daum Mail show it):\n" + "\n".join(problems))
