"""Plain words for residents, many over 60: the text every page of the
built sample shows, and the sample issue's emails, hold no English
computer word (RSS, Atom, ICS, token, URL, ...) standing by itself. One
in parentheses glosses the Korean before it ("피드 읽기 프로그램(RSS
리더)"), which is how a resident who meets the word elsewhere learns it.
Nor do they, or what the collector says in Korean of a form it refused,
hold a Korean word of programmers (토큰, 세션, 서버, 제어 문자, ...).
"""

from __future__ import annotations

import re

import lxml.html

from sample_site import dev_bundle, dev_site

JARGON = re.compile(r"(?<![A-Za-z])(RSS|Atom|ICS|ics|iCal|token|URL|JSON|XML|feed|email)(?![A-Za-z])")
_GLOSS = re.compile(r"\([^()]*\)")
KOREAN_JARGON = re.compile(r"토큰|세션|서버|쿠키|캐시|HTTP|제어 ?문자|코드 ?페이지|인코딩|유니코드|파라미터")


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


def korean_jargon(text: str) -> list[str]:
    """Each Korean word of programmers (glossed or not: a gloss does not help here), with its surroundings."""
    return [text[max(0, m.start() - 30):m.end() + 30] for m in KOREAN_JARGON.finditer(text)]


def test_bare_jargon_is_found_and_a_gloss_is_not():
    assert bare_jargon("Atom 피드로 구독할 수도 있습니다") == ["Atom 피드로 구독할 수도 있습니다"]
    assert bare_jargon("- 일정.ics (1KB)")
    assert bare_jargon("피드 읽기 프로그램(RSS 리더)을 쓰시는 분은") == []


def test_no_page_of_the_site_uses_an_english_computer_word_by_itself():
    output = dev_site().output
    found = {}
    for page in sorted(output.rglob("*.html")):
        text = shown_text(page.read_text(encoding="utf-8"))
        if words := bare_jargon(text) + korean_jargon(text):
            found[str(page.relative_to(output))] = words
    assert not found, found


def test_no_email_of_the_issue_uses_an_english_computer_word_by_itself():
    found = {e.subscriber: words for e in dev_bundle().emails
             if (words := bare_jargon(shown_text(e.html)) + korean_jargon(shown_text(e.html)))}
    assert not found, found


def test_what_the_collector_says_of_characters_it_cannot_store_is_plain_korean(tmp_path, monkeypatch):
    """An address pasted with an invisible character (a phone's contacts
    add some) came back with "보이지 않는 제어 문자", a programmer's word a
    resident of 70 does not know; the page says "특수한 글자" now."""
    from project_support import copy_project
    from werkzeug.test import Client

    from sotong.project import Project
    from sotong.web import make_app

    monkeypatch.setenv("SOTONG_LANG", "ko")
    app = make_app(Project(copy_project(tmp_path) / "pelicanconf.py"))
    try:
        answer = Client(app).post("/p/link", data={"email": "hong\x01@example.com"})
    finally:
        app.close()
    text = shown_text(answer.get_data(as_text=True))
    assert answer.status_code == 400 and "저장할 수 없는 글자" in text, text
    assert korean_jargon(text) == [], text
