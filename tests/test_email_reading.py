"""The sample issue's emails as a reader over 60 sees them in the Gmail app,
which drops ``white-space`` and, for many accounts, the <style> block:

- a phone number is never split over two lines ("02-2286-" / "5114"): a
  word joiner (U+2060) follows each of its hyphens in the HTML's text and in
  the text part, while each ``tel:`` link dials the plain number;
- the text part reads on its own: every notice's link, the preferences link
  and the unsubscribe link are there, whole, and no line was cut by us
  (the mail app wraps Korean between words; a hard wrap at 76 columns would
  cut words);
- by their inline styles alone, text is 16px or more and buttons are 44px
  targets;
- SMS texts, counted in CP949, keep plain hyphens.

(Dark mode and the numbers as drawn: tests/browser/test_email_pages.py.)
"""

from __future__ import annotations

import csv
import re

import lxml.html
import pytest

from sample_site import dev_bundle
from sotong.markup import PHONE_NUMBER, WORD_JOINER

ADDRESS_RUN = re.compile(r"\S*(?:://|@)\S*")  # a link or an email address written out: not a phone number's place


def shown_text(html: str) -> str:
    tree = lxml.html.document_fromstring(html)
    for hidden in tree.xpath("//head | //style"):
        hidden.drop_tree()
    return tree.text_content()


def splittable_numbers(text: str) -> list[str]:
    """The phone numbers written with hyphen-minus, after which a line may end."""
    return PHONE_NUMBER.findall(ADDRESS_RUN.sub(" ", text))


def unbreakable_numbers(text: str) -> list[str]:
    return re.findall(rf"\d+(?:-{WORD_JOINER}\d+)+", text)


@pytest.fixture(scope="module")
def emails():
    return dev_bundle().emails


def test_no_phone_number_in_an_email_can_be_split_over_two_lines(emails):
    office = f"02-{WORD_JOINER}2286-{WORD_JOINER}5114"  # the footer's, in every email
    for email in emails:
        shown = shown_text(email.html)
        assert splittable_numbers(shown) == [] and splittable_numbers(email.text) == [], email.subscriber
        assert office in unbreakable_numbers(shown) and office in unbreakable_numbers(email.text), email.subscriber
        tree = lxml.html.document_fromstring(email.html)
        for link in tree.xpath('//a[starts-with(@href, "tel:")]'):  # what the phone dials: the plain number
            assert PHONE_NUMBER.fullmatch(link.get("href")[4:]), link.get("href")
            assert link.text_content().replace(WORD_JOINER, "") == link.get("href")[4:]


# --- the text part: what a mail app that shows text only (or "plain text" set) gives ----

URL = re.compile(r"https?://\S+|(?<!\S)/[!-~]+")  # a relative one: the sample is bundled with pelicanconf.py


def _links(tree, xpath: str) -> list[str]:
    return [a.get("href") for a in tree.xpath(xpath)]


def test_the_text_part_reads_on_its_own(emails):
    for email in emails:
        tree = lxml.html.document_fromstring(email.html)
        lines = email.text.splitlines()
        said = dict(line.split(": ", 1) for line in lines if line.startswith(("수신 설정 바꾸기: ", "수신거부: ")))
        # the reader's own links, whole and the same as the HTML's
        assert said.get("수신 설정 바꾸기") == _links(tree, '//a[text()="수신 설정"]')[0], email.subscriber
        assert said.get("수신거부") == _links(tree, '//td[contains(@class, "footer")]//a[text()="수신거부"]')[0]
        # every notice's page, in the HTML's order, each link alone at the end of its line
        pages = [line.split(": ", 1)[1] for line in lines if line.strip().startswith("자세히 보기: ")]
        assert pages == _links(tree, '//a[contains(@class, "button")][text()="자세히 보기"]'), email.subscriber
        for line in lines:
            for link in URL.findall(line):
                assert line.endswith(link) and link.isascii(), f"{email.subscriber}: a link cut or glued: {line!r}"
        # no markup, and no line broken by us: each summary (Korean wrapped by the app, between words) whole
        assert not re.search(r"<[a-z/]|&(?:amp|lt|gt|quot|#\d+);", email.text), email.subscriber
        for summary in tree.xpath('//p[contains(@class, "notice-summary")]'):
            assert f"  {summary.text_content()}" in lines, f"{email.subscriber}: {summary.text_content()[:30]}"


# --- the HTML as the Gmail app shows it: inline styles only ---------------------------

FONT_SIZE = re.compile(r"font-size:\s*(\d+(?:\.\d+)?)px")


def _inline(element, name: str) -> str | None:
    found = re.search(rf"(?:^|;)\s*{name}\s*:\s*([^;]+)", element.get("style", ""))
    return found[1].strip() if found else None


def test_every_inline_font_size_is_16px_or_more(emails):
    for email in emails:
        sizes = [float(size) for size in FONT_SIZE.findall(email.html)]
        assert sizes and min(sizes) >= 16, f"{email.subscriber}: font sizes {sorted(set(sizes))}"
        assert not re.search(r"font-size:\s*[\d.]+(?:em|rem|%|pt)|font-size:\s*(?:x?-?small|smaller)", email.html)


def test_every_button_is_a_44px_target_by_its_inline_style_alone(emails):
    """As the Gmail app draws it without the <style> block: padding top and
    bottom and a line of text (font size x line height), 44px at least; and
    wide enough (its words and side padding)."""
    seen = 0
    for email in emails:
        for button in lxml.html.document_fromstring(email.html).xpath('//a[contains(@class, "button")]'):
            padding = [float(v) for v in re.findall(r"([\d.]+)px", _inline(button, "padding") or "")] or [0.0]
            vertical, horizontal = padding[0], padding[1 % len(padding)]  # top, and right (or the one value)
            line = float(FONT_SIZE.search(button.get("style"))[1]) * float(_inline(button, "line-height") or 0)
            assert 2 * vertical + line >= 44 and horizontal >= 12, f"{email.subscriber}: {button.text_content()}"
            assert _inline(button, "display") == "inline-block", f"{email.subscriber}: {button.text_content()}"
            seen += 1
    assert seen


def test_the_texts_keep_plain_hyphens_which_cp949_has():
    """SMS texts are counted in CP949, which has no word joiner (U+2060):
    their numbers (the opt-out footer's) are hyphen-minus alone."""
    from sample_site import dev_site

    issue = dev_bundle().issue
    with (dev_site().project / "private" / "outbox" / issue / "sms.csv").open(encoding="utf-8", newline="") as file:
        texts = [row["text"] for row in csv.DictReader(file)]
    assert texts and all(text.endswith("\n수신거부 02-2286-5114") and text.encode("cp949") for text in texts)
