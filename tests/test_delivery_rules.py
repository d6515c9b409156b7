"""The delivery rules (plugins/delivery/rules.py) against brute-force
readings: what an SMTP answer means, back-off, dead addresses, pacing, and
keeping addresses out of the journal."""

from __future__ import annotations

import math

import pytest
from delivery.rules import (Pacer, backoff_delay, invalid_address, needs_login, needs_starttls, outcome,
                            redact_addresses, refused_as_too_large)
from hypothesis import given
from hypothesis import strategies as st

codes = st.integers(200, 599)
enhanced = st.tuples(st.sampled_from("245"), st.integers(0, 9), st.integers(0, 20)).map(lambda t: f"{t[0]}.{t[1]}.{t[2]}")


@given(codes)
def test_outcome_follows_the_first_digit(code):
    expected = {2: "sent", 4: "retry"}.get(code // 100, "failed")
    assert outcome(code) == expected


@given(st.integers(1, 40), st.floats(0.01, 10), st.floats(0.01, 100))
def test_backoff_doubles_from_base_up_to_the_cap(retry, base, cap):
    delay = backoff_delay(retry, base, cap)
    assert delay == min(cap, base * 2 ** (retry - 1))
    assert delay <= cap and backoff_delay(retry + 1, base, cap) >= delay


@given(st.sampled_from(["mail", "rcpt", "data", "connect"]), st.integers(400, 599) | st.none(),
       st.one_of(st.none(), enhanced), st.text(max_size=20))
def test_invalid_address_only_for_permanent_recipient_failures(stage, code, status, tail):
    text = f"{status} {tail}" if status else tail.lstrip("0123456789. ")
    permanent_rcpt = stage == "rcpt" and code is not None and code >= 500
    if status:
        expected = permanent_rcpt and status.startswith("5.1.")
    else:
        expected = permanent_rcpt and code in (550, 551, 553)
    assert invalid_address(stage, code, text) == expected


def test_invalid_address_examples():
    assert invalid_address("rcpt", 550, "5.1.1 <kim@naver.com>: Recipient address rejected: User unknown")
    assert invalid_address("rcpt", 550, "No such user here")
    assert not invalid_address("rcpt", 552, "5.2.2 mailbox full")
    assert not invalid_address("rcpt", 550, "5.7.1 relaying denied")
    assert not invalid_address("rcpt", 450, "4.1.1 try later")
    assert not invalid_address("data", 550, "5.1.1 bad")


@given(st.floats(0.5, 1000), st.lists(st.floats(0, 5), min_size=1, max_size=50))
def test_pacer_starts_each_message_as_soon_as_the_rate_allows(rate, gaps):
    pacer, now, previous = Pacer(rate), 0.0, None
    for gap in gaps:
        now += gap
        start = now + pacer.delay(now)
        expected = now if previous is None else max(now, previous + 1 / rate)
        assert math.isclose(start, expected, rel_tol=1e-9, abs_tol=1e-9)
        previous = start


local = st.from_regex(r"[a-z0-9]{1,6}([._+-][a-z0-9]{1,6}){0,2}", fullmatch=True)
domain = st.text("abcdefghijklmnopqrstuvwxyz0123456789-", min_size=1, max_size=10).map(lambda d: d + ".kr")


@given(st.text(st.characters(blacklist_characters="@"), max_size=30), local, domain, st.booleans())
def test_redaction_removes_every_address_and_nothing_else(words, user, host, bracketed):
    address = f"{user}@{host}"
    shown = f"<{address}>" if bracketed else address
    text = f"550 5.1.1 {shown}: {words}"
    redacted = redact_addresses(text)
    assert "@" not in redacted and address not in redacted
    assert redacted.startswith("550 5.1.1 <주소>")
    assert redact_addresses(words) == words


names = st.text(st.characters(whitelist_categories=("Lo", "Lu", "Ll", "Zs")), max_size=40)


@given(names, local, domain, st.sampled_from(["\n", "\r\n"]))
def test_the_recipient_is_the_to_address_the_email_package_reads(name, user, host, linesep):
    from email.message import EmailMessage
    from email.parser import BytesParser
    from email.policy import default as default_policy

    from delivery.outbox import recipient_of

    message = EmailMessage()
    message["From"] = "성동구청 <sotong@sd.go.kr>"
    message["Subject"] = "To: someone@else.kr " + name
    message["To"] = f"{name.strip()} <{user}@{host}>" if name.strip() else f"{user}@{host}"
    message.set_content(f"To: other@body.kr\n{name}")
    data = message.as_bytes(policy=default_policy.clone(linesep=linesep))
    parsed = BytesParser(policy=default_policy).parsebytes(data)
    assert recipient_of(data) == parsed["To"].addresses[0].addr_spec == f"{user}@{host}"


@pytest.mark.parametrize("stage, code, text, too_large", [
    ("data", 552, "5.3.4 Message size exceeds fixed limit", True),  # Postfix
    ("data", 552, "Error: Too much mail data", True),  # aiosmtpd, no enhanced status
    ("data", 552, "5.2.3 Message length exceeds administrative limit", True),
    ("data", 552, "5.2.2 Mailbox full", False),  # the reader's mailbox: a bounce, not the message's size
    ("data", 554, "5.7.1 Message refused as spam", False),
    ("data", 452, "4.3.4 Message too big for now", False),  # tried again later
    ("rcpt", 552, "Requested mail action aborted: exceeded storage allocation", False),  # the mailbox
])
def test_refused_as_too_large_only_when_the_data_answer_says_the_message_is(stage, code, text, too_large):
    assert refused_as_too_large(stage, code, text) is too_large


@pytest.mark.parametrize("stage, code, text, login", [
    ("rcpt", 554, "5.7.1 <주소>: Relay access denied", True),  # Postfix without a login
    ("rcpt", 550, "5.7.54 SMTP; Unable to relay recipient in non-accepted domain", True),  # Exchange
    ("mail", 530, "5.7.57 SMTP; Client was not authenticated to send anonymous mail during MAIL FROM", True),
    ("mail", 530, "Authentication required", True),
    ("rcpt", 550, "relaying denied", True),
    ("rcpt", 550, "5.1.1 <주소>: Recipient address rejected: User unknown in relay recipient table", False),  # one address
    ("rcpt", 554, "5.7.1 Service unavailable; client host blocked using zen.spamhaus.org", False),
    ("rcpt", 450, "4.7.1 Relay access denied for now", False),  # tried again later
    ("data", 554, "5.7.1 relay refused the content", False),
])
def test_needs_login_only_when_the_server_would_refuse_every_message_for_it(stage, code, text, login):
    assert needs_login(stage, code, text) is login


@pytest.mark.parametrize("stage, code, text, tls", [
    ("mail", 530, "5.7.0 Must issue a STARTTLS command first", True),  # Postfix, Exchange, Gmail
    ("mail", 530, "Must issue a STARTTLS command first", True),  # aiosmtpd
    ("rcpt", 530, "5.7.0 Must issue a STARTTLS command first.", True),
    ("mail", 530, "5.7.0 Authentication required", False),  # a login, not TLS (needs_login)
    ("mail", 454, "4.7.0 TLS not available due to local problem", False),  # for now: tried again later
    ("data", 554, "5.7.1 message refused", False),
])
def test_needs_starttls_only_when_the_server_refuses_mail_outside_tls(stage, code, text, tls):
    assert needs_starttls(stage, code, text) is tls
