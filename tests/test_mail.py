"""MIME bytes written by sotong.mail, parsed back with the email package
(BytesParser, policy.default): every header and part must read as given."""

from __future__ import annotations

import datetime as dt
from email import policy
from email.header import decode_header, make_header
from email.parser import BytesParser
from zoneinfo import ZoneInfo

import pytest
from hypothesis import example, given, settings, strategies as st

from sotong import mail, signals, tokens
from sotong.markup import shortened

SETTINGS = {"COLLECTOR_URL": "https://sotong.sd.go.kr", "UNSUBSCRIBE_MAILTO": "unsubscribe@sd.go.kr"}
parse = BytesParser(policy=policy.default).parsebytes

# one-line header text: anything printable, Korean included, no line breaks
header_text = st.text(st.characters(blacklist_categories=("Cc", "Cs", "Zl", "Zp")), min_size=1, max_size=200)
body_text = st.text(st.characters(blacklist_categories=("Cs",), blacklist_characters="\r"), max_size=3000)


def message_with(headers: bytes, text: str = "본문", html: str = "<p>본문</p>") -> bytes:
    return mail.multipart_alternative(headers, mail.base64_body(text.encode()), mail.base64_body(html.encode()),
                                      mail.boundary_for("<x@y>"))


@settings(max_examples=200, deadline=None)
@given(header_text)
@example(" a ")
@example("x" * 100)
@example("=?utf-8?q?x?=")
def test_subject_reads_back_exactly_and_lines_stay_short(value):
    raw = mail.header("Subject", value)
    assert raw.endswith(b"\r\n") and raw.isascii()
    message = parse(message_with(raw))
    assert message["Subject"] == value.strip()
    if not value.isascii():
        assert all(len(line) <= 76 for line in raw.split(b"\r\n"))


@settings(max_examples=100, deadline=None)
@example(name="=??Q??=", local="a0")  # ASCII that reads as an encoded-word
@given(name=header_text.filter(lambda s: len(s.encode()) <= 40),
       local=st.from_regex(r"[a-z][a-z0-9.]{0,15}[a-z0-9]", fullmatch=True))
def test_address_header_reads_back(name, local):
    address = f"{local}@example.com"
    message = parse(message_with(mail.address_header("To", name, address)))
    parsed = message["To"].addresses[0]
    assert parsed.addr_spec == address
    assert parsed.display_name == name.strip()


@settings(max_examples=50, deadline=None)
@given(header_text.filter(lambda s: not " ".join(s.splitlines()).strip().isascii()))
@example("가" * 30)
@example("성동 " * 40)
def test_a_long_display_name_is_split_into_encoded_words_that_join_back(name):
    # The email package's address parser puts a space between adjacent
    # encoded-words, which RFC 2047 (6.2) says to drop; decode_header drops it.
    raw = mail.address_header("To", name, "kim@example.com").decode()
    phrase, address = raw[len("To: "):].split("\r\n <")
    assert str(make_header(decode_header(phrase))) == " ".join(name.splitlines()).strip()
    assert address == "kim@example.com>\r\n"
    assert all(len(line) <= 76 for line in raw.split("\r\n"))


@settings(max_examples=50, deadline=None)
@given(text=body_text, html=body_text)
def test_parts_read_back_exactly(text, html):
    message = parse(message_with(b"Subject: x\r\n", text, html))
    assert message.get_content_type() == "multipart/alternative"
    plain, rich = message.iter_parts()
    assert plain.get_content_type() == "text/plain" and rich.get_content_type() == "text/html"
    for part, expected in ((plain, text), (rich, html)):
        assert part.get_content_charset() == "utf-8"
        assert part["Content-Transfer-Encoding"] == "base64"
        assert part.get_content() == expected


def test_a_whole_message_has_every_header_of_spec_6():
    when = dt.datetime(2026, 11, 26, 9, 0, tzinfo=ZoneInfo("Asia/Seoul"))
    url = mail.unsubscribe_url(SETTINGS, "S0001/가")
    message_id = mail.message_id("2026-11-26", "S0001/가", "sd.go.kr")
    headers = b"".join((
        mail.address_header("From", "성동구청 홍보담당관", "sotong@sd.go.kr"),
        mail.date_header(when),
        mail.address_header("To", "김민서", "kim@example.com"),
        mail.header("Subject", "[성동구 소통] 11월 26일 소식: 회원님께 3건"),
        f"Message-ID: {message_id}\r\n".encode(),
        mail.list_unsubscribe_headers(SETTINGS, "S0001/가", url),
    ))
    raw = message_with(headers, "안녕하세요", "<p>안녕하세요</p>")
    assert b"\n" not in raw.replace(b"\r\n", b"")  # CRLF line ends only
    assert raw.isascii()
    message = parse(raw)
    assert str(message["From"]) == "성동구청 홍보담당관 <sotong@sd.go.kr>"
    assert str(message["To"]) == "김민서 <kim@example.com>"
    assert message["Subject"] == "[성동구 소통] 11월 26일 소식: 회원님께 3건"
    assert message["Date"].datetime == when
    assert message["Message-ID"] == message_id and message_id.endswith("@sd.go.kr>")
    assert message["MIME-Version"] == "1.0"
    https, mailto = [part.strip().strip("<>") for part in str(message["List-Unsubscribe"]).split(",")]
    token = https.rsplit("/u/", 1)[1]
    assert https.startswith("https://sotong.sd.go.kr/u/")
    assert tokens.subscriber_from_unsubscribe_token(token) == "S0001/가"
    assert mailto == "mailto:unsubscribe@sd.go.kr?subject=unsubscribe-S0001%2F%EA%B0%80"
    assert message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert message.get_body(("plain",)).get_content() == "안녕하세요"
    assert message.get_body(("html",)).get_content() == "<p>안녕하세요</p>"


@settings(max_examples=100, deadline=None)
@given(start=body_text, rest=body_text)
def test_a_start_cut_at_a_base64_line_encoded_once_continues_into_any_rest(start, rest):
    head, tail = mail.split_at_base64_line(start.encode())
    assert head + tail == start.encode() and len(head) % mail.BASE64_LINE_BYTES == 0
    assert len(tail) < mail.BASE64_LINE_BYTES
    joined = mail.base64_body(head) + mail.base64_body(tail + rest.encode())
    assert joined == mail.base64_body((start + rest).encode())
    assert all(len(line) <= 76 for line in joined.split(b"\r\n"))


def test_message_ids_are_stable_per_bundle_and_reader():
    assert mail.message_id("2026-11-26", "S1", "sd.go.kr") == mail.message_id("2026-11-26", "S1", "sd.go.kr")
    assert mail.message_id("2026-11-26", "S1", "sd.go.kr") != mail.message_id("2026-11-26", "S2", "sd.go.kr")
    assert mail.message_id("2026-11-26", "S1", "sd.go.kr") != mail.message_id("2026-12-10", "S1", "sd.go.kr")
    assert mail.mail_domain("성동구청 <sotong@sd.go.kr>") == "sd.go.kr"
    korean = mail.message_id("2026-김장-나눔", "S1", "sd.go.kr")
    assert korean.isascii() and korean.startswith("<2026.") and parse(message_with(f"Message-ID: {korean}\r\n".encode()))["Message-ID"] == korean


def test_a_header_cannot_be_split_by_a_line_break_in_its_value():
    message = parse(message_with(mail.address_header("To", "김\r\nBcc: x@evil.example", "kim@example.com")))
    assert message["Bcc"] is None


def test_inline_css_moves_rules_into_style_attributes():
    css = ".title { color: #0b3d91; font-size: 20px } @media (max-width: 600px) { .title { font-size: 22px } }"
    fragment = mail.inline_css('<h2 class="title">소식</h2>', css)
    assert fragment.startswith("<h2") and 'style="color:#0b3d91; font-size:20px"' in fragment
    assert "@media" not in fragment
    document = mail.inline_css('<!DOCTYPE html><html><head></head><body><h2 class="title">소식</h2></body></html>', css)
    assert "@media" in document.split("<body")[0]  # what cannot be inlined stays in <head>
    assert 'style="color:#0b3d91; font-size:20px"' in document


def test_message_context_collects_the_plugins_block_makers():
    def maker(subscriber, notices):
        return [mail.Block("<p>배너</p>", "배너", {"banner": "gov24"})]

    def receiver(context):
        return maker if context.issue else None

    # Only this receiver: plugins that other tests in this process activated
    # stay connected to the (global) signal and expect a real project's settings.
    others = dict(signals.message_blocks.receivers)
    signals.message_blocks.receivers.clear()
    signals.message_blocks.connect(receiver)
    try:
        issue = mail.MessageContext({}, None, dt.date(2026, 11, 26), dt.date(2026, 11, 26), [], "")
        one_off = mail.MessageContext({}, None, None, dt.date(2026, 11, 23), [], "")
        assert issue.block_makers() == [maker]
        assert one_off.block_makers() == []
    finally:
        signals.message_blocks.disconnect(receiver)
        signals.message_blocks.receivers.update(others)


@pytest.mark.parametrize("end, limit, kept", [
    ("👨\u200d👩\u200d👧 가족 행사", 9, ""),  # a family emoji (three faces joined) would lose its last faces
    ("👨\u200d👩\u200d👧 가족 행사", 10, ""),  # or end in a joiner
    ("👍🏽 좋아요", 9, ""),  # a thumb would lose its skin tone
    ("☎\ufe0f 문의", 9, ""),  # a telephone would lose its emoji form
    ("가나다라", 9, "가"),
])
def test_a_shortened_text_is_cut_before_a_letter_drawn_of_several_characters(end, limit, kept):
    cut = shortened("성동구 소식 " + end, limit)  # the cut after the 8th or 9th character
    assert cut == ("성동구 소식 " + kept).rstrip() + "…"
