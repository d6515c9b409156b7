"""What the devserver adds to a page it serves: the reload script once,
before </body>, the problems overlay with every problem as text (hostile
text in a file name or a message stays text), and a good build's warnings in
a bar that does not cover the page, and a draft's note first in its body."""

from __future__ import annotations

from html.parser import HTMLParser

from hypothesis import given, settings, strategies as st

from sotong.devserver.page import DRAFT_NOTE, inject, mark_draft
from sotong.devserver.rebuild import Outcome
from sotong.problems import Problem

PAGE = b'<!doctype html>\n<html lang="ko"><head><title>t</title></head><body><h1>\xec\x86\x8c\xed\x86\xb5</h1></body></html>'


class Collected(HTMLParser):
    """The text of every <code> element, and the tags seen."""

    def __init__(self):
        super().__init__()
        self.codes: list[str] = []
        self.tags: list[str] = []
        self._in_code = False

    def handle_starttag(self, tag, attrs):
        self.tags.append(tag)
        if tag == "code":
            self._in_code = True
            self.codes.append("")

    def handle_endtag(self, tag):
        if tag == "code":
            self._in_code = False

    def handle_data(self, data):
        if self._in_code:
            self.codes[-1] += data


def test_a_good_build_adds_only_the_reload_script_before_the_body_ends():
    served = inject(PAGE, "run-3", Outcome(3, 0.1))
    assert served.count(b"<script>") == 1 and b'var served = "run-3"' in served
    assert served.index(b"EventSource") < served.index(b"</body>") and served.endswith(b"</body></html>")
    assert b"sotong-devserver-problems" not in served


def test_a_page_without_a_body_end_gets_the_script_at_its_end():
    assert inject(b"<p>fragment", "run-1", None).startswith(b"<p>fragment<script>")


@settings(max_examples=60, deadline=None)
@given(path=st.text(min_size=1, max_size=30), message=st.text(max_size=80), line=st.integers(1, 10_000))
def test_every_problem_is_shown_as_text_whatever_it_holds(path, message, line):
    problem = Problem(path, line, message)
    served = inject(PAGE, "run-2", Outcome(2, 0.1, (problem, "a problem without a line")), site_served=True)
    parsed = Collected()
    parsed.feed(served.decode("utf-8"))
    assert parsed.codes == [str(problem), "a problem without a line"]
    assert parsed.tags.count("script") == 1  # no tag from the problem's text
    assert '<section id="sotong-devserver-problems" lang="ko" role="alert"' in served.decode("utf-8")


@settings(max_examples=60, deadline=None)
@given(path=st.text(min_size=1, max_size=30), message=st.text(max_size=80), line=st.integers(1, 10_000))
def test_a_good_builds_warnings_are_listed_as_text_in_a_bar(path, message, line):
    warning = Problem(path, line, message)
    served = inject(PAGE, "run-4", Outcome(4, 0.1, warnings=(warning, "a warning without a line"))).decode("utf-8")
    parsed = Collected()
    parsed.feed(served)
    assert parsed.codes == [str(warning), "a warning without a line"]
    assert parsed.tags.count("script") == 1 and "details" in parsed.tags  # opens without JavaScript
    assert '<aside id="sotong-devserver-warnings" lang="ko" role="status"' in served
    assert "확인할 점 2건: 누리집은 만들었습니다" in served and "position:sticky" in served  # not fixed over the page's end
    assert "sotong-devserver-problems" not in served


def test_a_failed_build_shows_its_problems_not_the_bar():
    served = inject(PAGE, "run-5", Outcome(5, 0.1, problems=("broken",), warnings=("old",)))
    assert b"sotong-devserver-problems" in served and b"sotong-devserver-warnings" not in served


def test_a_drafts_note_comes_first_in_the_body_whatever_its_attributes():
    page = b'<html lang="ko"><head><title>t</title></head><BODY class="notice">\n<h1>t</h1></BODY></html>'
    marked = mark_draft(page)
    assert marked == page.replace(b'<BODY class="notice">', b'<BODY class="notice">' + DRAFT_NOTE)
    assert mark_draft(b"<h1>t</h1>") == DRAFT_NOTE + b"<h1>t</h1>"  # a page without <body>: first
    assert "초안입니다 (status: draft)".encode() in DRAFT_NOTE and b'lang="ko"' in DRAFT_NOTE
