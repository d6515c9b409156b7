"""The personalized emails use only what Gmail, Outlook (Windows and
Outlook.com), Apple Mail and Samsung Email render, according to caniemail's
data (node_modules/caniemail): every HTML element, attribute, inline CSS
property and <style> rule of the sample's next issue, as ``sotong bundles``
wrote it (CSS inlined by premailer).

"Supported" is caniemail's "y" for the client's latest tested version. A
partial support ("a") is accepted only where each limit it cites was judged
harmless for these emails: ACCEPTED_PARTIAL says why, note by note. A few
features clients may ignore altogether without harm are in IGNORED_WITHOUT_HARM,
each with its reason; the machinery of the <style> block is exempt because the
email is shown to read well without it (tests/browser/test_email_pages.py,
as Naver Mail and Daum Mail strip it).
"""

from __future__ import annotations

import functools

import pytest
from hypothesis import given, strategies as st

import tooling
from email_clients import Caniemail, EmailFeatures, image_feature, support_problems, version_key
from sample_site import dev_bundle

ACCEPTED_PARTIAL = {
    "css-background": {"3": "only a colour is given (the button's background)"},
    "css-border": {"1": "borders are 1-2px wide", "2": "borders are on tables and headings, not on <p> or <div>"},
    "css-display": {
        "1": "only none, block and inline-block are used",
        "4": "display:none hides only the preheader, which holds no table",
        "5": "Outlook ignores inline-block: the button shows as a link on a coloured background, still clickable",
    },
    "css-display-none": {"1": "the hidden preheader holds no table", "2": "no image is hidden"},
    "css-font-size": {"1": "sizes are in px, never rem", "2": "sizes are in px, never relative or in %"},
    "css-font-weight": {"2": "only bold is used"},
    "css-height": {"2": "heights are set on images only"},
    "css-line-height": {"1": "line heights are unitless"},
    "css-margin": {
        "1": "no margin is negative",
        "2": "the <body>'s margin only removes the browser's default gap",
        "3": "no element with a margin has a background of its own",
        "4": "no margin is auto: the container is centred by align=center",
    },
    "css-max-width": {"1": "on images Outlook uses their width attribute instead, at most 552px, which fits"},
    "css-padding": {
        "1": "padding is on table cells, except the button's: Outlook shows it without, still a coloured link",
        "2": "each row whose cell has padding has that one cell",
    },
    "css-text-align": {"1": "only left, center and right are used", "3": "match-parent is not used",
                       "5": "match-parent is not used"},
    "css-text-decoration": {
        "1": "with a non-Google account the Gmail app shows the default underline: links still look like links",
        "2": "one value at a time", "3": "overline is not used",
    },
    "css-width": {"1": "widths are on tables; images carry a width attribute too"},
    "css-word-break": {"2": "those clients break Korean lines inside words, as without keep-all: still readable"},
    "html-body": {"1": "the background colour of <body> is repeated on the outer table"},
    "html-height": {"1": "image sizes are in pixels", "2": "on 120-dpi screens images stay at their pixel size: smaller, whole"},
    "html-width": {"1": "image sizes are in pixels", "2": "on 120-dpi screens images stay at their pixel size: smaller, whole"},
}

IGNORED_WITHOUT_HARM = {
    "html-doctype": "the HTML standard (and vnu) require it; a client that ignores it renders as it would anyway",
    "html-meta-color-scheme": "a hint to keep the light colours in dark mode; clients without it ignore the tag",
    "css-overflow-wrap": ("a safety net for overlong unbroken strings (anywhere: tests/browser/test_email_long_words.py); "
                          "without it text still wraps at its spaces"),
}


@functools.cache
def _caniemail() -> Caniemail:
    return Caniemail.load(tooling.caniemail_data())


@pytest.fixture(scope="module")
def caniemail() -> Caniemail:
    return _caniemail()


@pytest.fixture(scope="module")
def sample_emails(caniemail) -> EmailFeatures:
    """The features of every email of the bundle together: the template's parts
    that only some readers get (the list of more notices, banners, invitations) too."""
    union = EmailFeatures()
    for email in dev_bundle().emails:
        found = EmailFeatures.of(email.html, caniemail)
        for slug, places in found.used.items():
            union.used[slug] = (union.used.get(slug, []) + places)[:3]
        union.outside_style_blocks |= found.outside_style_blocks
        union.without_data += [thing for thing in found.without_data if thing not in union.without_data]
    return union


def test_the_emails_use_only_what_the_mail_clients_render(sample_emails, caniemail):
    assert {"html-table", "css-padding", "css-font-size", "html-style", "css-at-media"} <= set(sample_emails.used)
    problems = support_problems(sample_emails.subset(lambda slug: not slug.startswith("image-")), caniemail,
                                ACCEPTED_PARTIAL, IGNORED_WITHOUT_HARM)
    problems += support_problems(EmailFeatures(without_data=sample_emails.without_data), caniemail, {}, {})
    assert not problems, "\n".join(problems)


def test_the_emails_images_are_in_formats_every_client_shows(sample_emails, caniemail):
    images = sample_emails.subset(lambda slug: slug.startswith("image-"))
    assert not support_problems(images, caniemail, {}, {}), support_problems(images, caniemail, {}, {})


# --- the check catches what it is for -------------------------------------------------

def _email(body: str, head: str = "") -> str:
    return (f'<!DOCTYPE html><html lang="ko"><head><meta charset="utf-8"><title>t</title>{head}</head>'
            f'<body><table role="presentation" width="100%"><tr><td>{body}</td></tr></table></body></html>')


def _problems(html: str, caniemail: Caniemail) -> list[str]:
    return support_problems(EmailFeatures.of(html, caniemail), caniemail, ACCEPTED_PARTIAL, IGNORED_WITHOUT_HARM)


def test_a_plain_table_email_passes(caniemail):
    assert _problems(_email('<p style="margin:0; font-size:18px; color:#1a1f26">소식</p>'), caniemail) == []


@pytest.mark.parametrize("style, feature", [
    ("display:flex", "css-display-flex"),
    ("position:absolute; top:0", "css-position"),
    ("border-radius:8px", "css-border-radius"),
    ("background-image:linear-gradient(#fff, #000)", "css-linear-gradient"),
])
def test_what_outlook_does_not_render_is_reported(style, feature, caniemail):
    problems = _problems(_email(f'<div style="{style}">소식</div>'), caniemail)
    assert any(problem.startswith("Outlook (Windows)") and f"({feature})" in problem for problem in problems), problems


def test_a_property_inside_the_style_block_is_checked_though_the_block_itself_is_exempt(caniemail):
    head = "<style>@media (max-width: 620px) { .box { position: absolute !important; } }</style>"
    problems = _problems(_email('<div class="box">소식</div>', head), caniemail)
    assert any("(css-position)" in problem for problem in problems)
    assert not any("(css-at-media)" in problem or "(html-style)" in problem or "(css-selector-class)" in problem
                   for problem in problems)


def test_an_unaccepted_partial_support_is_reported(caniemail):
    # margin:auto is css-margin's note 4 in Outlook, accepted; a partial support of
    # another feature whose notes were never judged (text-shadow) is not
    problems = support_problems(EmailFeatures.of(_email('<p style="text-shadow:1px 1px #000">x</p>'), caniemail),
                                caniemail, {}, {})
    assert any("(css-text-shadow)" in problem for problem in problems), problems


def test_what_caniemail_has_no_data_for_must_be_decided(caniemail):
    problems = _problems(_email('<marquee style="zoom:2">소식</marquee><blink>x</blink>'), caniemail)
    assert any("CSS zoom" in problem for problem in problems)
    assert any("element <blink>" in problem for problem in problems)


def test_an_svg_image_is_reported_for_gmail(caniemail):
    problems = _problems(_email('<img src="https://example.org/a.svg" alt="그림" width="100" height="50">'), caniemail)
    assert any(problem.startswith("Gmail (web)") and "(image-svg)" in problem for problem in problems)
    assert _problems(_email('<img src="https://example.org/a.png" alt="그림" width="100" height="50">'), caniemail) == []


# --- the rules behind it, against brute force ------------------------------------------

@given(st.lists(st.tuples(st.integers(2019, 2026), st.integers(1, 12)), min_size=1, unique=True))
def test_the_latest_tested_month_is_the_latest_version(months):
    versions = [f"{year}-{month:02d}" for year, month in months]
    assert max(versions, key=version_key) == f"{max(months)[0]}-{max(months)[1]:02d}"


@given(st.lists(st.lists(st.integers(0, 120), min_size=1, max_size=4), min_size=1, unique_by=tuple))
def test_dotted_versions_compare_number_by_number(numbers):
    versions = [".".join(map(str, parts)) for parts in numbers]
    assert version_key(max(versions, key=version_key)) == max(tuple(parts) for parts in numbers)


SIMPLE_PROPERTIES = ["font-size", "line-height", "text-align", "vertical-align", "letter-spacing", "white-space",
                     "text-transform", "text-indent", "word-spacing", "visibility", "opacity", "float", "clear",
                     "box-shadow", "text-shadow", "border-collapse", "table-layout", "cursor", "direction"]


@given(st.lists(st.sampled_from(SIMPLE_PROPERTIES), min_size=1, unique=True))
def test_every_inline_property_is_named_by_its_feature(properties):
    data = _caniemail()
    html = _email('<p style="' + "; ".join(f"{name}: inherit" for name in properties) + '">x</p>')
    assert {f"css-{name}" for name in properties} <= set(EmailFeatures.of(html, data).used)


@given(st.sampled_from(["png", "PNG", "jpg", "jpeg", "gif", "svg", "webp"]), st.booleans())
def test_image_format_comes_from_the_file_name(suffix, query):
    url = f"https://example.org/images/a.{suffix}" + ("?v=2" if query else "")
    expected = {"jpeg": "jpg"}.get(suffix.lower(), suffix.lower())
    assert image_feature(url) == f"image-{expected}"
