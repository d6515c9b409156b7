"""What ``sotong send`` writes on the wire for each message (issue 15: the
send workers' CPU per email): the DATA payload and the envelope addresses,
made with plain string and bytes operations, are byte for byte what
smtplib's data() and quoteaddr() make (the brute-force reading: smtplib's
own code); the message's Date, replaced on its bytes, is the only header
the email package reads changed (the brute-force reading: its parser)."""

from __future__ import annotations

import smtplib
from email import message_from_bytes
from email.utils import getaddresses

from hypothesis import example, given, settings, strategies as st

from delivery.outbox import first_address
from delivery.sender import data_payload, envelope_address
from delivery.stamp import dated, signatures_on_top

LINES = st.lists(st.sampled_from([b"", b".", b"..", b"a", b".a", b"a.", b" .", b"\r", b"\xed\x95\x9c"]), max_size=8)


def smtplib_payload(message: bytes) -> bytes:
    quoted = smtplib._quote_periods(message)
    if quoted[-2:] != b"\r\n":
        quoted += b"\r\n"
    return quoted + b".\r\n"


@settings(max_examples=400, deadline=None)
@given(st.tuples(LINES, st.sampled_from([b"\r\n", b"\n"]), st.booleans()).map(
    lambda parts: parts[1].join(parts[0]) + (parts[1] if parts[2] else b"")))
@example(b"")
@example(b".")
@example(b".\r\n.")
@example(b"a\r\n.\r\n..b\r\n")
def test_the_data_payload_is_smtplibs(message):
    assert data_payload(message) == smtplib_payload(message)


ADDRESS_CHARACTERS = st.sampled_from(list("ab.+-=_@ <>()[]\\,;:\"'!%김") + ["\t", "\r"])


@settings(max_examples=600, deadline=None)
@given(st.lists(ADDRESS_CHARACTERS, min_size=1, max_size=12).map("".join))
@example("bounces+S000123.2026-11-26.k2v7x4c1q9ab3zd0@sd.go.kr")
@example("reader@example.com")
@example("a..b@c")
@example(".a@b.")
@example("김@예.kr")
@example('"a b"@c')
@example("a@b@c")
def test_an_envelope_address_is_written_as_smtplib_writes_it(address):
    assert envelope_address(address) == smtplib.quoteaddr(address)


def getaddresses_reading(value: str) -> str | None:
    addresses = [address for _name, address in getaddresses([value]) if "@" in address]
    return addresses[0] if addresses else None


PHRASE_CHARACTERS = st.sampled_from(list("ab .=?-_'\"()<>,;:@\\[]김\t") + ["=?utf-8?b?67CV66+87Zic?="])
PLAIN_ADDRESSES = st.tuples(st.text("ab.+-=_김", min_size=1, max_size=4), st.text("ab.-", min_size=1, max_size=4)).map("@".join)


@settings(max_examples=600, deadline=None)
@given(st.lists(PHRASE_CHARACTERS, max_size=6).map("".join),
       st.one_of(PLAIN_ADDRESSES, st.lists(ADDRESS_CHARACTERS, min_size=1, max_size=8).map("".join)),
       st.sampled_from(["", " ", "  "]))
@example("=?utf-8?b?67CV66+87Zic?=", "reader@example.com", "")
@example("J. Doe", "a@b", " ")
def test_the_recipient_is_the_first_address_getaddresses_reads(phrase, address, after):
    value = f"{phrase} <{address}>{after}" if phrase else f"<{address}>{after}"
    assert first_address(value) == getaddresses_reading(value)
    assert first_address(phrase + address) == getaddresses_reading(phrase + address)


HEADER_NAMES = st.sampled_from(["From", "To", "Subject", "Date", "date", "DATE", "Resent-Date", "X-Date", "Message-ID",
                                "DKIM-Signature"])
VALUE_TEXT = st.text(st.sampled_from(list("ab :;=-.Date김")), max_size=6)
HEADERS = st.lists(st.tuples(HEADER_NAMES, VALUE_TEXT, st.lists(st.tuples(st.sampled_from([" ", "\t"]), VALUE_TEXT.map(
    lambda text: text.strip() or "x")), max_size=2)), max_size=7)
BODY = st.lists(st.sampled_from(["", "Date: Mon, 23 Nov 2026 09:00:00 +0900", " folded", "본문"]), max_size=4)
NEW_DATE = b"Date: Wed, 02 Dec 2026 20:40:34 +0900\r\n"


def header_bytes(name: str, value: str, folds: list) -> bytes:
    return (f"{name}: {value}" + "".join(f"\r\n{space}{text}" for space, text in folds) + "\r\n").encode()


def expected_headers(original: list[tuple[str, str]]) -> list[tuple[str, str]]:
    """The email package's headers of the message as sotong send sends it:
    the DKIM signatures on top gone, the first Date's value the new one (or
    a Date last, when there was none)."""
    headers = list(original)
    while headers and headers[0][0].lower() == "dkim-signature":
        headers.pop(0)
    dates = [n for n, (name, _value) in enumerate(headers) if name.lower() == "date"]
    new = ("Date", "Wed, 02 Dec 2026 20:40:34 +0900")
    if dates:
        headers[dates[0]] = new
    else:
        headers.append(new)
    return headers


def unfolded(headers: list) -> list[tuple[str, str]]:
    return [(name, " ".join(str(value).split())) for name, value in headers]


@settings(max_examples=500, deadline=None)
@given(HEADERS, BODY)
@example([("From", "a", []), ("Date", "Mon", [(" ", "23 Nov")]), ("Subject", "b", [])], ["Date: x"])
@example([("DKIM-Signature", "v=1", [("\t", "b=x")]), ("From", "a", []), ("DKIM-Signature", "v=1", [])], [])
@example([], ["", "Date: x"])
def test_only_the_date_changes_as_the_email_package_reads_the_message(headers, body):
    text = "\r\n".join(body).encode()
    message = b"".join(header_bytes(*header) for header in headers) + b"\r\n" + text
    sent = dated(message, NEW_DATE)
    assert unfolded(message_from_bytes(sent).items()) == unfolded(expected_headers(message_from_bytes(message).items()))
    assert sent.endswith(b"\r\n" + text)
    assert message_from_bytes(sent).get_payload() == message_from_bytes(message).get_payload()


@settings(max_examples=300, deadline=None)
@given(HEADERS, BODY, st.integers(0, 400))
@example([("DKIM-Signature", "v=1", [("\t", "b=x")]), ("dkim-signature", "v=1", []), ("From", "a", [])], [], 400)
def test_the_signatures_on_top_are_the_dkim_signature_headers_dated_takes_off(headers, body, cut):
    """What a dry run leaves out of an outbox file's size (an earlier
    version's signatures) is what the send takes off; read from the file's
    head only, a head cut inside them never counts more."""
    message = b"".join(header_bytes(*header) for header in headers) + b"\r\n" + "\r\n".join(body).encode()
    leading = 0
    for name, value, folds in headers:
        if name.lower() != "dkim-signature":
            break
        leading += len(header_bytes(name, value, folds))
    assert signatures_on_top(message) == leading
    assert signatures_on_top(message[:cut]) <= leading
