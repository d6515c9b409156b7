"""A personalized email of the sample's next issue (the reader with the most
notices, from ``sotong bundles``), opened in Chromium as a mail app shows it:
at 375px and 1280px, and at 375px with every <style> block removed, as Naver
Mail and Daum Mail (the mailboxes most residents use, for which caniemail has
no data) are known to do. It must still fit the phone, keep its text at 16px
or more, keep its links recognisable and its contrast (axe).
"""

from __future__ import annotations

import re
import unicodedata

import pytest

from .page_checks import (
    EMAIL_SKIPPED_RULES, SITE_TAGS, WCAG_TAGS, axe_violations, drawn_contrast_problems, links_not_recognisable,
    reading_problems, split_phone_numbers, without_style_blocks,
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


_WHITE_SPACE = re.compile(r"white-space\s*:\s*[^;\"']*;?", re.IGNORECASE)


def test_the_emails_phone_numbers_stay_whole_where_white_space_is_ignored(browser, site_server, bundle):
    """The Gmail app, Naver Mail and Outlook drop ``white-space: nowrap``
    (and Naver Mail the <style> block): on a phone at 200% text, at every
    width from 300 to 420px, the footer's number is never shown as
    "02-2286-" over "5114". A word joiner (U+2060) follows each hyphen in
    the text itself."""
    from .test_large_text import _phone

    email = bundle.fullest
    as_mail_apps_show_it = _WHITE_SPACE.sub("", without_style_blocks(email.html))
    context, page = _phone(browser, 300, 700)
    try:
        page.goto(site_server.put("/__email__/email-as-gmail-app.html", as_mail_apps_show_it))
        assert page.locator('a[href^="tel:"]').count() >= 1
        problems = []
        for width in range(300, 421, 4):
            page.set_viewport_size({"width": width, "height": 700})
            problems += [f"at {width}px: {problem}" for problem in split_phone_numbers(page)]
        assert not problems, f"email of {email.subscriber}, text 200%:\n" + "\n".join(problems)
    finally:
        context.close()


def _spoken(name: str) -> str:
    """An accessible name as a speech engine has it: without the format
    characters (Unicode category Cf: U+2060, U+200B...), which it skips."""
    return "".join(c for c in name if unicodedata.category(c) != "Cf")


@pytest.mark.parametrize("width", [375])
def test_a_screen_reader_gets_the_emails_phone_numbers_with_plain_hyphens(width, tab, site_server, bundle):
    """The footer's number was "02‑2286‑5114" with non-breaking hyphens
    (U+2011) in the accessible name Chromium gives a screen reader (its
    Accessibility tree): a character TalkBack's and NVDA's speech do not
    read as a phone number's dash (one long number, or its name said
    aloud). Each tel: link's name, as speech has it, is now the number
    written with hyphen-minus, the number it dials."""
    tab.open(site_server.put("/__email__/email-spoken.html", bundle.fullest.html))
    nodes = tab.page.context.new_cdp_session(tab.page).send("Accessibility.getFullAXTree")["nodes"]
    names = [node["name"]["value"] for node in nodes if node.get("role", {}).get("value") == "link"
             and re.fullmatch(r"[\d\W]+", node.get("name", {}).get("value") or "-") and not node.get("ignored")]
    dialled = [href[4:] for href in tab.page.locator('a[href^="tel:"]').evaluate_all("links => links.map(a => a.getAttribute('href'))")]
    assert dialled and "02-2286-5114" in dialled
    assert [_spoken(name) for name in names] == dialled, names


@pytest.mark.parametrize("styles", ["with", "without"])
def test_the_email_stays_readable_in_the_gmail_apps_dark_mode(styles, browser, site_server, bundle):
    """The Gmail app in dark mode recolours the email itself (Android
    WebView's algorithmic darkening: Chromium's auto dark mode, whatever the
    email's ``color-scheme``): every line of text, as drawn, still stands
    4.5:1 from what is behind it (3:1 when large), with its <style> block
    and without (Naver Mail). Text in pictures would escape this: the email's
    only picture of its own is the logo, whose words (the site's name) are
    text beside it."""
    email = bundle.fullest
    html = email.html if styles == "with" else without_style_blocks(email.html)
    context = browser.new_context(viewport={"width": 375, "height": 812}, is_mobile=True, has_touch=True,
                                  device_scale_factor=2, locale="ko-KR", color_scheme="dark")
    try:
        page, scratch = context.new_page(), context.new_page()
        context.new_cdp_session(page).send("Emulation.setAutoDarkModeOverride", {"enabled": True})
        page.goto(site_server.put(f"/__email__/email-dark-{styles}-style.html", html))
        problems, mean = drawn_contrast_problems(page, scratch, 2)
        assert mean < 0.2, f"the email was not drawn dark (mean luminance {mean:.2f})"  # the light one is about 0.8
        assert not problems, f"email of {email.subscriber} in dark mode, {styles} <style>:\n" + "\n".join(problems)
    finally:
        context.close()
