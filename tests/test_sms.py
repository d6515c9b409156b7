"""SMS text (sotong.sms) against a brute-force reading of SPEC §6: length in
CP949 bytes (Hangul 2, ASCII 1), SMS up to 90 bytes, LMS up to 2,000, and
the notices that do not fit dropped from the end and counted in the text."""

from __future__ import annotations

import dataclasses
import unicodedata

import pytest
from hypothesis import given, settings, strategies as st

from sotong.problems import SotongError
from sotong.sms import (
    MessageCounts, Prices, byte_length, compose_sms, count_messages, displayable, message_type, more_line, notice_line,
    outside_cp949, read_sms_settings, sms_form, sms_settings, with_stand_ins,
)

# SPEC §6's limits, written here rather than read from the module they check
SMS_BYTES = 90
LMS_BYTES = 2000

hangul = st.characters(min_codepoint=0xAC00, max_codepoint=0xD7A3)
ascii_printable = st.characters(min_codepoint=0x20, max_codepoint=0x7E)
line_text = st.text(st.one_of(hangul, ascii_printable), min_size=1, max_size=120).map(lambda s: " ".join(s.split()) or "x")
LINK = "https://www.sd.go.kr/sotong/newsletter/2026-11-26/"


def brute_bytes(text: str) -> int:
    return sum(1 if ord(char) < 128 else 2 for char in text)


def brute_compose(header: str, lines: list[str], footer: str, link: str) -> tuple[str, int]:
    """The spec read directly: try every number of kept lines, most first."""
    for kept in range(len(lines), -1, -1):
        rest = len(lines) - kept
        body = [header, *lines[:kept]]
        if rest:
            body.append(f"외 {rest}건은 홈페이지에서 확인하세요 {link}")
        text = "\n".join([*body, footer])
        if len(text.encode("cp949")) <= LMS_BYTES or kept == 0:
            return text, kept
    raise AssertionError("unreachable")


@given(st.text(st.one_of(hangul, ascii_printable), max_size=300))
def test_byte_length_counts_hangul_as_two_and_ascii_as_one(text):
    assert byte_length(text) == brute_bytes(text) == len(text.encode("cp949"))


def test_sms_up_to_90_bytes_lms_above():
    assert byte_length("가" * 45) == 90
    assert message_type(byte_length("가" * 45)) == "SMS"
    assert message_type(byte_length("가" * 45 + "a")) == "LMS"
    assert message_type(SMS_BYTES) == "SMS" and message_type(SMS_BYTES + 1) == "LMS"
    assert message_type(1) == "SMS" and message_type(LMS_BYTES) == "LMS"


def test_characters_a_phone_cannot_show_become_question_marks_of_one_byte():
    assert displayable("한파 🥶 주의") == "한파 ? 주의"
    assert byte_length("🥶") == 1


def test_a_short_message_is_an_sms_with_header_line_and_footer():
    composed = compose_sms("[성동구 소식] 11/26", [notice_line("한파주의보 발령", "/n/ab3cd")], "수신거부 02-2286-5114", LINK)
    assert composed.text == "[성동구 소식] 11/26\n한파주의보 발령 /n/ab3cd\n수신거부 02-2286-5114"
    assert composed.bytes == 19 + 1 + 24 + 1 + 21
    assert composed.type == "SMS"


def test_many_notices_drop_from_the_end_and_are_counted():
    lines = [notice_line(f"{i}번째 소식 " + "가" * 80, f"/n/{i:05d}") for i in range(20)]
    composed = compose_sms("[성동구 소식] 11/26", lines, "수신거부 02-2286-5114", LINK)
    assert composed.type == "LMS"
    assert 0 < composed.shown < 20
    kept = composed.text.splitlines()[1:1 + composed.shown]
    assert kept == lines[:composed.shown]
    assert f"외 {20 - composed.shown}건은 홈페이지에서 확인하세요" in composed.text
    assert composed.bytes <= LMS_BYTES


def test_notice_line_puts_the_text_on_one_line():
    assert notice_line("한파\n주의보  발령", "/n/x") == "한파 주의보 발령 /n/x"


# --- the limits, byte by byte ----------------------------------------------------------------
# With this header (19 bytes) and footer (21 bytes) a message holds 41 bytes
# besides its notice lines: header, its newline, footer. Each kept line adds
# its bytes and a newline; the "외 N건" line of one to nine dropped notices
# holds 83 bytes (with LINK) and its newline.

HEADER = "[성동구 소식] 11/26"
FOOTER = "수신거부 02-2286-5114"
MORE_BYTES = 83


def line_of(size: int, mark: str = "a") -> str:
    """A notice line of exactly ``size`` CP949 bytes."""
    return mark + "가" * ((size - 1) // 2) + "b" * ((size - 1) % 2)


def test_the_fixed_parts_weigh_what_the_comments_above_say():
    assert (byte_length(HEADER), byte_length(FOOTER)) == (19, 21)
    assert byte_length(line_of(1958)) == 1958 and byte_length(line_of(3)) == 3
    assert byte_length(more_line(1, LINK)) == byte_length(more_line(9, LINK)) == MORE_BYTES
    assert byte_length(more_line(10, LINK)) == MORE_BYTES + 1


def compose(sizes: list[int]):
    return compose_sms(HEADER, [line_of(size, mark=chr(ord("a") + i % 26)) for i, size in enumerate(sizes)],
                       FOOTER, LINK)


@pytest.mark.parametrize("sizes, shown, size", [
    ([1958], 1, 2000),  # 41 + 1958 + 1: exactly the LMS limit, sent
    ([1959], 0, 125),  # 2,001 bytes: dropped, counted: 41 + 83 + 1
    ([1874, 3000], 1, 2000),  # 41 + 1875 + the "외 1건" line (84): exactly the limit
    ([1875, 3000], 0, 125),  # one byte more: the first line goes too
    ([978, 978], 2, 1999),  # 41 + 979 + 979
    ([979, 978], 2, 2000),  # 41 + 980 + 979
    ([979, 979], 1, 41 + 980 + 84),  # 2,001 bytes with both: the second is dropped
    ([1, 1, 1], 3, 41 + 6),
    ([48], 1, 90),  # the SMS limit
    ([49], 1, 91),
    ([], 0, 41),
])
def test_compose_at_the_limits_of_spec_6(sizes, shown, size):
    composed = compose(sizes)
    assert (composed.shown, composed.dropped, composed.bytes) == (shown, len(sizes) - shown, size)
    assert len(composed.text.encode("cp949")) == size
    assert composed.type == ("SMS" if size <= 90 else "LMS")
    lines = composed.text.split("\n")
    assert lines[0] == HEADER and lines[-1] == FOOTER
    assert [byte_length(line) for line in lines[1:1 + shown]] == sizes[:shown]
    if shown < len(sizes):
        assert lines[1 + shown:-1] == [more_line(len(sizes) - shown, LINK)]
    else:
        assert len(lines) == 2 + shown


def test_the_count_of_dropped_notices_may_take_two_digits():
    composed = compose([1700] + [200] * 12)  # 41 + 1701 + "외 12건" (84 + 1) = 1827
    assert (composed.shown, composed.dropped, composed.bytes) == (1, 12, 1827)
    assert composed.text.split("\n")[2] == more_line(12, LINK)


@st.composite
def lines_near_the_limit(draw):
    """Notice lines whose first few fill the LMS to within a few bytes of
    2,000, with or without the "외 N건" line, then maybe more lines."""
    count = draw(st.integers(1, 4))
    with_more = draw(st.booleans())
    room = 2000 - 41 - count - (MORE_BYTES + 1 if with_more else 0) + draw(st.integers(-3, 3))
    cuts = sorted(draw(st.lists(st.integers(0, room - count), min_size=count - 1, max_size=count - 1)))
    sizes = [b - a + 1 for a, b in zip([0, *cuts], [*cuts, room - count])]
    extra = draw(st.lists(st.integers(1, 300), min_size=1 if with_more else 0, max_size=12 if with_more else 0))
    return sizes + extra


@settings(max_examples=200, deadline=None)
@given(sizes=lines_near_the_limit())
def test_compose_near_the_lms_limit_keeps_the_longest_prefix_that_fits(sizes):
    lines = [line_of(size, mark=chr(ord("a") + i % 26)) for i, size in enumerate(sizes)]
    composed = compose_sms(HEADER, lines, FOOTER, LINK)
    expected_text, expected_kept = brute_compose(HEADER, lines, FOOTER, LINK)
    assert (composed.text, composed.shown) == (expected_text, expected_kept)
    assert composed.bytes == len(expected_text.encode("cp949")) <= 2000


@settings(max_examples=300, deadline=None)
@given(
    header=line_text.map(lambda s: s[:20]),
    lines=st.lists(line_text, max_size=40),
    footer=line_text.map(lambda s: s[:30]),
)
def test_compose_keeps_the_longest_prefix_that_fits(header, lines, footer):
    composed = compose_sms(header, lines, footer, LINK)
    expected_text, expected_kept = brute_compose(header, lines, footer, LINK)
    assert composed.text == expected_text
    assert composed.shown == expected_kept
    assert composed.dropped == len(lines) - expected_kept
    assert composed.bytes == len(composed.text.encode("cp949")) == brute_bytes(composed.text)
    assert composed.bytes <= LMS_BYTES
    assert composed.type == ("SMS" if composed.bytes <= SMS_BYTES else "LMS")
    if composed.dropped:
        assert f"외 {composed.dropped}건은 홈페이지에서 확인하세요 {LINK}" in composed.text.splitlines()


# --- what texts cost: the bounds of a price, and counts that start at nothing ----------------


@pytest.mark.parametrize("price, accepted", [(0, True), (9_999.5, True), (10_000, False), (-0.5, False)])
def test_a_price_is_from_0_up_to_but_not_10000_won(price, accepted):
    config, problems = read_sms_settings({"SMS_PRICE": price, "LMS_PRICE": price})
    assert (problems == [], config is not None) == (accepted, accepted)
    if accepted:
        assert config.prices == Prices(price, price)


def test_counts_start_at_nothing_and_add_up():
    assert MessageCounts() == MessageCounts(0, 0, 0) == count_messages([])
    total = sum((count_messages(["email", "SMS"]), count_messages(["LMS", "email"])), MessageCounts())
    assert total == MessageCounts(email=2, sms=1, lms=1)
    assert total.cost(Prices(sms=9, lms=27)) == 36


def test_texts_prices_counts_and_settings_are_frozen_values():
    composed = compose_sms(HEADER, [line_of(10)], FOOTER, LINK)
    config, _ = read_sms_settings({})
    for value in (composed, Prices(), MessageCounts(), config):
        with pytest.raises(dataclasses.FrozenInstanceError):
            value.sms = 1
    assert len({MessageCounts(1, 2, 3), MessageCounts(1, 2, 3)}) == 1 and len({Prices(), Prices(9, 27)}) == 1


@pytest.mark.parametrize("base, accepted", [
    ("https://sd.go.kr/s/", True), ("http://sd.go.kr/s/", True), ("", True),
    ("sd.go.kr/s/", False), ("https://sd.go.kr/s", False), ("https://성동.kr/s/", False),
    ("https://sd.go.kr/ s/", False), (["https://sd.go.kr/s/"], False),
])
def test_a_short_link_base_is_an_ascii_web_address_ending_in_a_slash(base, accepted):
    config, problems = read_sms_settings({"SHORT_LINK_BASE": base})
    assert (problems == []) == accepted
    if accepted:
        assert config.short_link_base == (base or None)
        assert sms_settings({"SHORT_LINK_BASE": base}) == config
    else:
        with pytest.raises(SotongError):
            sms_settings({"SHORT_LINK_BASE": base})


# --- any text at all: emoji only, rare Hanja, decomposed Hangul, controls --------------------
# check refuses a notice whose text phones cannot show; the composer, given one
# anyway (a header, a settings value), sends what a phone shows and counts that.

any_text = st.text(st.one_of(st.characters(blacklist_categories=("Cs",)), hangul,
                             st.sampled_from(["🥶", "☎", "\ufe0f", "\u200b", "\u00ad", "丶", "—", "\u00a0", "\u3000", "\n",
                                             "\u3164", "\uffa0"])),
                   max_size=150)


@settings(max_examples=300, deadline=None)
@given(text=any_text)
def test_any_text_counts_as_the_cp949_bytes_of_what_a_phone_shows(text):
    shown = displayable(text)
    assert byte_length(text) == byte_length(shown) == len(shown.encode("cp949"))
    assert len(shown) == len(text)  # one character (a "?" at most) for each: nothing cut in two
    assert all(char == "?" or char == shown_char for char, shown_char in zip(shown, text))


def test_a_text_of_emoji_only_is_question_marks_of_one_byte_each():
    assert displayable("🥶🎉") == "??" and byte_length("🥶🎉") == 2
    assert byte_length("") == 0 and message_type(0) == "SMS"


@settings(max_examples=300, deadline=None)
@given(texts=st.lists(any_text, max_size=30), header=any_text.map(lambda s: s[:20]),
       footer=any_text.map(lambda s: s[:30]))
def test_any_notice_texts_compose_to_a_text_a_phone_shows_within_2000_bytes(texts, header, footer):
    lines = [notice_line(text, f"https://sd.go.kr/s/{i}") for i, text in enumerate(texts)]
    composed = compose_sms(header, lines, footer, LINK, short_header=header[:3])
    assert composed.text == displayable(composed.text)
    assert composed.bytes == len(composed.text.encode("cp949")) <= LMS_BYTES
    assert composed.type == ("SMS" if composed.bytes <= SMS_BYTES else "LMS")
    shown_lines = [displayable(line) for line in lines]
    expected = brute_compose(displayable(header), shown_lines, displayable(footer), LINK)
    shorter = brute_compose(displayable(header[:3]), shown_lines, displayable(footer), LINK)
    if len(expected[0].encode("cp949")) > SMS_BYTES >= len(shorter[0].encode("cp949")):
        expected = shorter  # the date may give way when that makes one SMS
    assert (composed.text, composed.shown) == expected
    # every link whole, at the end of its notice's line
    for i, line in enumerate(lines[:composed.shown]):
        assert f" https://sd.go.kr/s/{i}\n" in composed.text
    assert composed.shown + composed.dropped == len(lines)


@pytest.mark.parametrize("over", [-1, 0, 1])
def test_a_link_that_ends_exactly_at_the_limit_is_kept_whole_and_one_byte_more_drops_its_notice(over):
    """The last notice's link is the last thing before the footer: ending at
    2,000 bytes it is sent whole; a byte over and the notice goes, link and all."""
    link = "https://sd.go.kr/s/k7a"
    first = line_of(1000)
    # 41 fixed bytes, the first line and its newline, then the last line (text, space, link) and its newline
    text_bytes = LMS_BYTES + over - 41 - 1001 - (1 + len(link)) - 1
    last = notice_line("가" * (text_bytes // 2) + "a" * (text_bytes % 2), link)
    composed = compose_sms(HEADER, [first, last], FOOTER, LINK)
    if over <= 0:
        assert (composed.shown, composed.bytes) == (2, LMS_BYTES + over)
        assert composed.text.endswith(f" {link}\n{FOOTER}")
    else:
        assert composed.shown == 1 and link not in composed.text and composed.bytes <= LMS_BYTES
        assert composed.text.split("\n")[2] == more_line(1, LINK)


@settings(max_examples=300, deadline=None)
@given(text=any_text)
def test_the_sms_form_is_one_line_composed_and_shows_what_the_composed_text_shows(text):
    form = sms_form(text)
    assert sms_form(form) == form and "\n" not in form and "  " not in form and form == form.strip()
    assert notice_line(text, "L") == f"{form} L"
    if outside_cp949(unicodedata.normalize("NFC", text).replace("\u00a0", " ")) is None:
        assert outside_cp949(form) is None  # a text check passes stays one a phone shows
    assert displayable(form) == form or outside_cp949(form)


@settings(max_examples=300, deadline=None)
@given(text=any_text)
def test_check_names_every_character_a_phone_cannot_show_and_the_soft_hyphen_it_shows_as_nothing(text):
    """A soft hyphen (U+00AD) is in CP949: it passed check, showed on phones
    as nothing or a stray hyphen and took 2 of an SMS's 90 bytes."""
    assert (outside_cp949(text) is None) == all(phone_shows(char) for char in text)


# emoji and symbols phones cannot show (So, Sk, Sc, Sm), and marks, with no stand-in of their own (the
# won sign's is ￦, ‼'s !!): the line check gives leaves them out
unshown_symbols = st.characters(categories=("So", "Sk", "Sc", "Sm", "Mn", "Me")).filter(
    lambda char: unicodedata.normalize("NFKC", char) == char and char != "₩" and not phone_shows(char))


def phone_shows(char: str) -> bool:
    """Brute force: CP949 has it, and it is no character shown as nothing."""
    try:
        char.encode("cp949")
    except UnicodeEncodeError:
        return False
    return char not in "\u00ad\u3164"  # a soft hyphen, a Hangul filler: in CP949, shown as nothing


@settings(max_examples=300, deadline=None)
@given(text=any_text)
def test_the_line_check_gives_instead_is_one_phones_show_in_its_sms_form(text):
    instead = with_stand_ins(text)
    assert instead is None or (instead and outside_cp949(instead) is None and sms_form(instead) == instead)


@settings(max_examples=300, deadline=None)
@given(pieces=st.lists(st.one_of(hangul, ascii_printable, unshown_symbols), max_size=40))
def test_emoji_and_symbols_are_left_out_of_the_line_to_write_and_each_named_once(pieces):
    """SPEC §6 read by brute force: the line to write is the text without the
    characters phones cannot show, one line, blanks single; every such
    character is named, once each, in order (the first alone was named)."""
    text = "".join(pieces)
    shown = " ".join("".join(char for char in text if phone_shows(char)).split())
    assert with_stand_ins(text) == (shown or None)
    unshown = list(dict.fromkeys(char for char in text if not phone_shows(char)))
    named = outside_cp949(text)
    assert (named is None) == (not unshown)
    if unshown and all(not unicodedata.category(char).startswith("M") for char in unshown):
        assert named == " ".join(unshown)
