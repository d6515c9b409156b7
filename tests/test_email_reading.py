"""The sample issue's emails as a reader over 60 sees them in the Gmail app,
which drops ``white-space`` and, for many accounts, the <style> block:

- a phone number is never split over two lines ("02-2286-" / "5114"): its
  hyphens are non-breaking (U+2011) in the HTML's text and in the text
  part, while each ``tel:`` link dials the plain number;
- the text part reads on its own: every notice's link, the preferences link
  and the unsubscribe link are there, whole, and no line was cut by us
  (the mail app wraps Korean between words; a hard wrap at 76 columns would
  cut words).
"""

from __future__ import annotations

import re

import lxml.html
import pytest

from sample_site import dev_bundle
from sotong.markup import NON_BREAKING_HYPHEN, PHONE_NUMBER

ADDRESS_RUN = re.compile(r"\S*(?:://|@)\S*")  # a link or an email address written out: not a phone number's place
SPLITTABLE = PHONE_NUMBER  # a number with hyphen-minus, where a line may end


def shown_text(html: str) -> str:
    tree = lxml.html.document_fromstring(html)
    for hidden in tree.xpath("//head | //style"):
        hidden.drop_tree()
    return tree.text_content()


def splittable_numbers(text: str) -> list[str]:
    return SPLITTABLE.findall(ADDRESS_RUN.sub(" ", text))


def unbreakable_numbers(text: str) -> list[str]:
    return re.findall(rf"\d+(?:{NON_BREAKING_HYPHEN}\d+)+", text)


@pytest.fixture(scope="module")
def emails():
    return dev_bundle().emails


def test_no_phone_number_in_an_email_can_be_split_over_two_lines(emails):
    office = f"02{NON_BREAKING_HYPHEN}2286{NON_BREAKING_HYPHEN}5114"  # the footer's, in every email
    for email in emails:
        shown = shown_text(email.html)
        assert splittable_numbers(shown) == [] and splittable_numbers(email.text) == [], email.subscriber
        assert office in unbreakable_numbers(shown) and office in unbreakable_numbers(email.text), email.subscriber
        tree = lxml.html.document_fromstring(email.html)
        for link in tree.xpath('//a[starts-with(@href, "tel:")]'):  # what the phone dials: the plain number
            assert PHONE_NUMBER.fullmatch(link.get("href")[4:]), link.get("href")
            assert link.text_content().replace(NON_BREAKING_HYPHEN, "-") == link.get("href")[4:]
