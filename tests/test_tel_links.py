"""Phone numbers become tap-to-call links (issue #10): sotong.markup.tel_links,
used for every Markdown text (notice pages, private notices in emails,
banners) and the emails' plain texts; never inside an existing link."""

from __future__ import annotations

import re
from html import escape

from hypothesis import given, settings, strategies as st

from sotong.markup import markdown_html, tel_links, text_with_whole_numbers

NUMBERS = ["02-2286-5000", "010-1234-5678", "1588-1234", "031-123-4567", "070-8765-4321"]
NOT_NUMBERS = ["2026-12-01", "1950-1960", "12-2286-5000", "02-2286-50001", "1588-12345", "4-1588-1234", "010-12-5678"]


def test_the_three_forms_are_linked():
    html = str(markdown_html("문의: 보건소 02-2286-5000, 휴대전화 010-1234-5678, 콜센터 1588-1234번"))
    assert '<a href="tel:02-2286-5000">02-2286-5000</a>' in html
    assert '<a href="tel:010-1234-5678">010-1234-5678</a>' in html
    assert '<a href="tel:1588-1234">1588-1234</a>번' in html


def test_not_inside_an_existing_link():
    html = str(markdown_html("[보건소 02-2286-5000](https://www.sd.go.kr/02-2286-5000) 그리고 [전화](tel:02-2286-5114)"))
    assert "tel:02-2286-5000" not in html and html.count("<a ") == 2


def test_dates_years_and_longer_runs_are_left_alone():
    for text in NOT_NUMBERS:
        assert tel_links(text) == text, text


pieces = st.lists(st.one_of(st.sampled_from(NUMBERS), st.sampled_from(NOT_NUMBERS),
                            st.text(alphabet="가나다 ,.:()<>&\"'abc", max_size=8)), max_size=8)


@settings(max_examples=150)
@given(pieces)
def test_each_number_is_linked_once_and_the_text_reads_the_same(parts):
    text = escape(" ".join(parts))
    linked = tel_links(text)
    assert re.sub(r"<[^>]*>", "", linked) == text  # only links were added
    numbers = [p for p in parts if p in NUMBERS]
    assert re.findall(r'<a href="tel:([\d-]+)">\1</a>', linked) == numbers
    assert tel_links(linked) == linked  # already linked: left alone


# --- in emails: numbers that no mail app splits (sotong.markup.unbreakable_numbers) ---

NB = "-\u2060"  # a hyphen and a WORD JOINER: no line ends after it, whatever white-space a mail app drops
ADDRESSES = ["https://www.sd.go.kr/02-2286-5000/", "(https://sd.go.kr/s/010-1234-5678)", "010-1234-5678@example.com",
             "<mailto:1588-1234@sd.go.kr>"]


@settings(max_examples=200)
@given(st.lists(st.one_of(st.sampled_from(NUMBERS), st.sampled_from(NOT_NUMBERS), st.sampled_from(ADDRESSES),
                          st.text(alphabet="가나다 ,.:()&\"'abc\n", max_size=8)), max_size=8))
def test_in_an_emails_text_each_number_and_nothing_else_gets_non_breaking_hyphens(parts):
    from sotong.markup import unbreakable_numbers

    text = " ".join(parts)
    made = unbreakable_numbers(text)
    assert made.replace(NB, "-") == text  # nothing else changed
    # brute force: the numbers standing alone, in order, are the only runs that changed
    assert re.findall(r"\d+(?:-\u2060\d+)+", made) == [p.replace("-", NB) for p in parts if p in NUMBERS]
    assert all(address in made for address in ADDRESSES if address in parts)  # links and addresses as written


def test_in_an_emails_html_the_tel_address_keeps_its_plain_hyphens():
    from sotong.markup import unbreakable_numbers

    html = tel_links(escape("문의 02-2286-5000 (https://www.sd.go.kr/02-2286-5000)"))
    assert unbreakable_numbers(html, html=True) == (
        f'문의 <a href="tel:02-2286-5000">02{NB}2286{NB}5000</a> (https://www.sd.go.kr/02-2286-5000)')
    assert unbreakable_numbers("<문의 02-2286-5000>") == f"<문의 02{NB}2286{NB}5000>"  # plain text has no tags


def test_a_number_in_words_is_kept_whole_with_its_word_and_an_address_left_alone():
    """The whole_numbers filter boxes each word holding a number, its
    brackets and particle with it (a screen reader's name of the label then
    reads as written: a box ending before its ")" was said "5678 )"), a
    masked one too; not a number inside an address written out, nor a date."""
    box = '<span style="display:inline-block">{}</span>'.format
    said = text_with_whole_numbers("휴대전화 번호 (예: 010-1234-5678) 또는 010-****-5678처럼, "
                                   "https://www.sd.go.kr/02-2286-5000 2026-12-01 <b>")
    assert str(said) == (f"휴대전화 번호 (예: {box('010-1234-5678)')} 또는 {box('010-****-5678처럼,')} "
                         "https://www.sd.go.kr/02-2286-5000 2026-12-01 &lt;b&gt;")
