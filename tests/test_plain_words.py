"""Plain words for residents, many over 60: the text every page of the
built sample shows, and the sample issue's emails, hold no English
computer word (RSS, Atom, ICS, token, URL, ...) standing by itself. One
in parentheses glosses the Korean before it ("피드 읽기 프로그램(RSS
리더)"), which is how a resident who meets the word elsewhere learns it.
"""

from __future__ import annotations

import re

import lxml.html

from sample_site import dev_bundle, dev_site

JARGON = re.compile(r"(?<![A-Za-z])(RSS|Atom|ICS|ics|iCal|token|URL|JSON|XML|feed|email)(?![A-Za-z])")
_GLOSS = re.compile(r"\([^()]*\)")


def shown_text(html: str) -> str:
    """What a reader sees of a page or an email: its body's text."""
    tree = lxml.html.document_fromstring(html)
    for hidden in tree.xpath("//head | //script | //style"):
        hidden.drop_tree()
    return " ".join(tree.text_content().split())


def bare_jargon(text: str) -> list[str]:
    """Each English computer word outside parentheses, with its surroundings."""
    unglossed = _GLOSS.sub(" ", text)
    return [unglossed[max(0, m.start() - 30):m.end() + 30] for m in JARGON.finditer(unglossed)]


def test_bare_jargon_is_found_and_a_gloss_is_not():
    assert bare_jargon("Atom 피드로 구독할 수도 있습니다") == ["Atom 피드로 구독할 수도 있습니다"]
    assert bare_jargon("- 일정.ics (1KB)")
    assert bare_jargon("피드 읽기 프로그램(RSS 리더)을 쓰시는 분은") == []


def test_no_page_of_the_site_uses_an_english_computer_word_by_itself():
    output = dev_site().output
    found = {}
    for page in sorted(output.rglob("*.html")):
        if words := bare_jargon(shown_text(page.read_text(encoding="utf-8"))):
            found[str(page.relative_to(output))] = words
    assert not found, found


def test_no_email_of_the_issue_uses_an_english_computer_word_by_itself():
    found = {e.subscriber: words for e in dev_bundle().emails if (words := bare_jargon(shown_text(e.html)))}
    assert not found, found
