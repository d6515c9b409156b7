"""SMS text (sotong.sms) against a brute-force reading of SPEC §6: length in
CP949 bytes (Hangul 2, ASCII 1), SMS up to 90 bytes, LMS up to 2,000, and
the notices that do not fit dropped from the end and counted in the text."""

from __future__ import annotations

from hypothesis import given, settings, strategies as st

from sotong.sms import LMS_MAX_BYTES, SMS_MAX_BYTES, byte_length, compose_sms, displayable, message_type, notice_line

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
        if len(text.encode("cp949")) <= LMS_MAX_BYTES or kept == 0:
            return text, kept
    raise AssertionError("unreachable")


@given(st.text(st.one_of(hangul, ascii_printable), max_size=300))
def test_byte_length_counts_hangul_as_two_and_ascii_as_one(text):
    assert byte_length(text) == brute_bytes(text) == len(text.encode("cp949"))


def test_sms_up_to_90_bytes_lms_above():
    assert byte_length("가" * 45) == 90
    assert message_type(byte_length("가" * 45)) == "SMS"
    assert message_type(byte_length("가" * 45 + "a")) == "LMS"
    assert message_type(SMS_MAX_BYTES) == "SMS" and message_type(SMS_MAX_BYTES + 1) == "LMS"


def test_characters_a_phone_cannot_show_become_question_marks_of_one_byte():
    assert displayable("한파 🥶 주의") == "한파 ? 주의"
    assert byte_length("🥶") == 1


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
    assert composed.bytes <= LMS_MAX_BYTES
    assert composed.type == ("SMS" if composed.bytes <= SMS_MAX_BYTES else "LMS")
    if composed.dropped:
        assert f"외 {composed.dropped}건은 홈페이지에서 확인하세요 {LINK}" in composed.text.splitlines()


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
    assert composed.bytes <= LMS_MAX_BYTES


def test_notice_line_puts_the_text_on_one_line():
    assert notice_line("한파\n주의보  발령", "/n/x") == "한파 주의보 발령 /n/x"
