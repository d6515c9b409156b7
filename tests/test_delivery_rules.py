"""The delivery rules (plugins/delivery/rules.py) against brute-force
readings: what an SMTP answer means, back-off, dead addresses, pacing, and
keeping addresses out of the journal."""

from __future__ import annotations

import math

import pytest
from delivery.rules import (GREYLISTED, THROTTLED, Pacer, backoff_delay, invalid_address, needs_login, needs_starttls,
                            outcome, redact_addresses, refusal_key, refused_as_too_large, refused_for_the_sender,
                            stated_wait, try_later_kind)
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


@pytest.mark.parametrize("stage, code, text, fix", [
    ("data", 554, "Message rejected: Email address is not verified. The following identities failed the check in "
                  "region US-EAST-1: <주소>", "verify"),  # Amazon SES
    ("rcpt", 554, "5.7.1 <주소>: Sender address rejected: Access denied", "sender"),  # Postfix
    ("rcpt", 553, "5.7.1 <주소>: Sender address rejected: not owned by user sotong", "sender"),
    ("rcpt", 550, "5.1.8 <주소>: Sender address rejected: Domain not found", "sender"),
    ("data", 550, "5.7.26 Unauthenticated email from sd.go.kr is not accepted due to domain's DMARC policy", "sender"),
    ("data", 550, "5.7.1 Relaying denied", "relay"),
    ("rcpt", 550, "5.7.54 SMTP; Unable to relay recipient in non-accepted domain", "relay"),
    ("rcpt", 535, "5.7.8 Authentication credentials invalid", "account"),
    ("data", 554, "5.7.1 Your account has been suspended", "account"),
    ("rcpt", 550, "5.1.1 <주소>: Recipient address rejected: User unknown in local recipient table", None),
    ("rcpt", 550, "5.7.1 <주소>: Recipient address rejected: Access denied", None),  # this reader only
    ("rcpt", 550, "No such user here", None),
    ("rcpt", 552, "5.2.2 Mailbox full", None),
    ("data", 550, "5.2.1 The email account that you tried to reach is disabled", None),  # Gmail, the reader's
    ("data", 554, "5.7.1 Message refused as spam", None),  # the message
    ("data", 554, "5.7.1 relay refused the content", None),
    ("data", 552, "5.3.4 Message size exceeds fixed limit", None),
    ("mail", 553, "5.7.1 Sender address rejected", None),  # MAIL: needs_login and the sender's own stop
    ("rcpt", 454, "4.7.1 Sender address rejected: try later", None),  # tried again
])
def test_refused_for_the_sender_only_when_every_message_would_meet_it(stage, code, text, fix):
    assert refused_for_the_sender(stage, code, text) == fix


@given(st.sampled_from(["rcpt", "data"]), st.integers(500, 599),
       st.tuples(st.sampled_from(["1.1", "1.2", "1.3", "1.4", "1.5", "1.6", "1.10", "2.0", "2.1", "2.2", "2.4", "3.4"])),
       st.sampled_from(["Sender address rejected", "not verified", "relaying denied", "authentication required", ""]))
def test_a_status_about_the_reader_or_the_message_is_never_the_senders(stage, code, status, words):
    """X.1.1-X.1.6 and X.1.10 (the address), X.2.x (the mailbox), X.3.4 (the
    size) say whose the refusal is, whatever words follow."""
    assert refused_for_the_sender(stage, code, f"5.{status[0]} {words}") is None


@given(st.integers(200, 499) | st.integers(600, 999), st.text(max_size=40))
def test_only_a_permanent_refusal_can_be_the_senders(code, text):
    assert refused_for_the_sender("data", code, text) is None


@given(st.text(st.characters(blacklist_categories=("Cs",)), max_size=30), local, domain, local, domain,
       st.integers(0, 10 ** 9), st.integers(0, 10 ** 9))
def test_refusals_alike_but_for_addresses_and_ids_are_the_same_refusal(words, user1, host1, user2, host2, id1, id2):
    one = refusal_key("data", 554, f"5.7.1 <{user1}@{host1}> {words} queue {id1}")
    two = refusal_key("data", 554, f"5.7.1 <{user2}@{host2}> {words} queue {id2}")
    assert one == two
    assert refusal_key("rcpt", 554, "5.7.1 x") != refusal_key("data", 554, "5.7.1 x")


@pytest.mark.parametrize("code, text, kind", [
    (450, "4.2.0 <주소>: Recipient address rejected: Greylisted, see http://postgrey.schweikert.ch/help/x.html", GREYLISTED),
    (451, "4.7.1 greylisted, try again in 300 seconds", GREYLISTED),
    (451, "4.7.1 Greylisting in action, please come back in 00:05:00", GREYLISTED),
    (421, "4.7.0 Too many messages, slow down", THROTTLED),
    (451, "4.7.1 Rate limit exceeded, try again later", THROTTLED),
    (452, "4.3.1 Too many concurrent SMTP connections from this IP", THROTTLED),
    (421, "4.7.28 Our system has detected an unusual rate of unsolicited mail", THROTTLED),
    (421, "4.7.0 Try again later, closing connection", THROTTLED),
    (452, "4.2.2 Mailbox full", None),
    (450, "4.2.1 The user you are trying to contact is receiving mail at a rate that prevents additional messages", None),
    (452, "4.5.3 Too many recipients", None),
    (451, "4.3.0 Temporary local problem", None),
    (450, "4.7.1 Try again later", None),  # 450: that reader's
    (554, "5.7.1 rate limit", None),
])
def test_try_later_kind(code, text, kind):
    assert try_later_kind(code, text) == kind


@given(st.integers(1, 99_999), st.sampled_from([("s", 1), ("sec", 1), ("seconds", 1), ("m", 60), ("min", 60),
                                                ("minutes", 60)]), st.sampled_from(["in", "after", "for", "wait"]))
def test_stated_wait_reads_the_seconds_a_server_names(number, unit, word):
    assert stated_wait(f"4.7.1 Greylisted: try again {word} {number} {unit[0]}.") == number * unit[1]


def test_stated_wait_examples():
    assert stated_wait("4.7.1 Greylisting in action, please come back in 00:05:00") == 300
    assert stated_wait("4.7.1 Greylisted, see http://postgrey.schweikert.ch/help/x.html") is None
    assert stated_wait(None) is None


@given(st.floats(0.5, 1000), st.floats(0, 100), st.floats(0.01, 100))
def test_pacer_slowed_down_holds_until_then_goes_at_half_the_rate(rate, now, pause):
    pacer = Pacer(rate)
    pacer.delay(now)
    pacer.slow_down(now + pause)
    first = now + pacer.delay(now)
    second = now + pacer.delay(now)
    assert math.isclose(first, max(now + pause, now + 1 / rate), abs_tol=1e-9)  # nor sooner than its turn
    assert math.isclose(second - first, 2 / rate, rel_tol=1e-9) and math.isclose(pacer.rate, rate / 2)
