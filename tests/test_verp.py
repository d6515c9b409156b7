"""Return paths (SPEC §14): every email's envelope sender is BOUNCE_ADDRESS
with a tag naming the reader and the bundle, read back only when the tag was
made with SOTONG_SECRET; ``sotong send`` hands them to a real SMTP server."""

from __future__ import annotations

import re

import pytest
from project_support import copy_project
from delivery_support import SMTPServer, ScriptedHandler, add_subscribers, address_of, make_outbox, run_cli
from delivery.verp import Known, ReturnPath, make_return_path, read_return_path
from hypothesis import given, settings
from hypothesis import strategies as st

BOUNCES = "bounces@sd.go.kr"
ISSUE = "2026-11-26"
ids = st.text(st.characters(blacklist_categories=("Cs",)), min_size=1, max_size=20)
outboxes = st.one_of(st.dates().map(str), st.from_regex(r"[\w-]{1,30}", fullmatch=True))


def test_the_return_path_has_the_documented_shape():
    address = make_return_path(BOUNCES, "S000123", ISSUE)
    local, tag = address.split("@")[0].rsplit(".", 1)
    assert local == "bounces+S000123.2026-11-26" and address.endswith("@sd.go.kr")
    assert len(tag) == 16 and tag.isalnum() and tag == tag.lower()


@settings(max_examples=150)
@given(ids, outboxes)
def test_a_return_path_reads_back_as_its_reader_and_bundle(subscriber_id, outbox):
    address = make_return_path(BOUNCES, subscriber_id, outbox)
    assert address.isascii() and " " not in address and address.count("@") == 1
    assert read_return_path(BOUNCES, address) == ReturnPath(subscriber_id, outbox)


@settings(max_examples=150)
@given(ids, outboxes, ids)
def test_a_forged_tag_or_another_reader_under_a_real_tag_is_never_read(subscriber_id, outbox, other):
    genuine = make_return_path(BOUNCES, subscriber_id, outbox)
    local, domain = genuine.split("@")
    forged = local[:-1] + ("a" if local[-1] != "a" else "b") + "@" + domain
    assert read_return_path(BOUNCES, forged) is None
    if other != subscriber_id:
        tag = local.rsplit(".", 1)[1]
        swapped = make_return_path(BOUNCES, other, outbox).rsplit(".", 1)[0] + f".{tag}@{domain}"
        assert read_return_path(BOUNCES, swapped) is None


def test_another_secret_another_domain_or_a_damaged_address_reads_as_nobody(monkeypatch):
    genuine = make_return_path(BOUNCES, "S000123", ISSUE)
    assert read_return_path("bounces@other.kr", genuine) is None
    assert read_return_path(BOUNCES, genuine.replace("bounces+", "bouncer+")) is None
    for damaged in ("bounces+S000123.2026-11-26@sd.go.kr", "bounces+S0=0G.x.abcdefabcdefabcd@sd.go.kr", "", "@"):
        assert read_return_path(BOUNCES, damaged) is None
    monkeypatch.setenv("SOTONG_SECRET", "another office's secret")
    assert read_return_path(BOUNCES, genuine) is None


# --- a mail server that lower-cases the local part (Dovecot's auth_username_format = %Lu) ---------


def spellings_of(stored: set[str]):
    """Brute force: the stored texts whose lower case is the one asked for."""
    return lambda lowered: sorted(text for text in stored if text.lower() == lowered)


def nothing_asked(_lowered):
    raise AssertionError("the stored spellings are asked only when the address as read does not match its tag")


def variants(text: str) -> set[str]:
    """``text`` and the ids a store may also hold that differ from it only in case."""
    return {text, text.lower(), text.upper(), text.swapcase(), text[:1].upper() + text[1:].lower()}


@settings(max_examples=150)
@given(ids, outboxes, st.lists(ids, max_size=4))
def test_a_lower_cased_return_path_reads_as_the_one_stored_reader_and_bundle_its_tag_names(subscriber_id, outbox, others):
    stored_ids = variants(subscriber_id) | set(others)
    stored_outboxes = variants(outbox)
    known = Known(ids=spellings_of(stored_ids), outboxes=spellings_of(stored_outboxes))
    genuine = make_return_path(BOUNCES, subscriber_id, outbox)
    assert read_return_path(BOUNCES, genuine, Known(ids=nothing_asked, outboxes=nothing_asked)) == ReturnPath(subscriber_id, outbox)
    lowered = genuine.lower()
    expected = [ReturnPath(i, o) for i in sorted(stored_ids) for o in sorted(stored_outboxes)
                if make_return_path(BOUNCES, i, o).lower() == lowered]  # SPEC's reading, by brute force
    assert expected == [ReturnPath(subscriber_id, outbox)]
    assert read_return_path(BOUNCES, lowered, known) == ReturnPath(subscriber_id, outbox)
    # without the store: read only when lower-casing changed nothing (letters other than A-Z are written =XX)
    survives = not re.search("[A-Z]", subscriber_id + outbox)
    assert read_return_path(BOUNCES, lowered) == (ReturnPath(subscriber_id, outbox) if survives else None)


@settings(max_examples=150)
@given(ids, outboxes, ids)
def test_a_lower_cased_forged_tag_or_another_readers_tag_is_never_read_whatever_the_store_holds(subscriber_id, outbox, other):
    known = Known(ids=spellings_of(variants(subscriber_id) | variants(other)), outboxes=spellings_of(variants(outbox)))
    local, domain = make_return_path(BOUNCES, subscriber_id, outbox).lower().split("@")
    forged = local[:-1] + ("a" if local[-1] != "a" else "b") + "@" + domain
    assert read_return_path(BOUNCES, forged, known) is None
    if other.lower() != subscriber_id.lower():
        tag = local.rsplit(".", 1)[1]
        swapped = make_return_path(BOUNCES, other, outbox).lower().rsplit(".", 1)[0] + f".{tag}@{domain}"
        assert read_return_path(BOUNCES, swapped, known) is None


def test_two_readers_whose_ids_differ_only_in_case_are_never_taken_for_each_other():
    known = Known(ids=spellings_of({"S000123", "s000123", "S000124"}))
    for subscriber_id in ("S000123", "s000123"):
        lowered = make_return_path(BOUNCES, subscriber_id, ISSUE).lower()
        assert lowered.startswith("bounces+s000123.2026-11-26.")
        assert read_return_path(BOUNCES, lowered, known) == ReturnPath(subscriber_id, ISSUE)
    unknown = make_return_path(BOUNCES, "S000999", ISSUE).lower()  # no longer in the store: nobody to attribute it to
    assert read_return_path(BOUNCES, unknown, known) is None


class EnvelopeHandler(ScriptedHandler):
    """Also keeps each accepted message's envelope sender."""

    def __init__(self):
        super().__init__()
        self.senders: dict[str, str] = {}

    async def handle_DATA(self, server, session, envelope):
        for recipient in envelope.rcpt_tos:
            self.senders[recipient] = envelope.mail_from
        return await super().handle_DATA(server, session, envelope)


@pytest.mark.parametrize("bounce_address", [BOUNCES, None])
def test_send_uses_each_readers_return_path_as_the_envelope_sender(tmp_path, bounce_address):
    copy_project(tmp_path, extra_settings=f"BOUNCE_ADDRESS = {bounce_address!r}\nSEND_RATE = 2000\n")
    subscriber_ids = add_subscribers(tmp_path / "private" / "sotong.db", 3)
    make_outbox(tmp_path / "private" / "outbox", ISSUE, subscriber_ids, ["2026-11-21-cold-wave-warning"])
    with SMTPServer(EnvelopeHandler()) as server:
        ran = run_cli(tmp_path / "pelicanconf.py", "send", "--issue", ISSUE, "--host", "127.0.0.1", "--port", str(server.port))
    assert ran.code == 0, ran.output
    for subscriber_id in subscriber_ids:
        sender = server.handler.senders[address_of(subscriber_id)]
        if bounce_address:
            assert read_return_path(BOUNCES, sender) == ReturnPath(subscriber_id, ISSUE)
        else:
            assert sender == "sotong@sd.go.kr"


def test_a_bounce_address_that_is_no_address_is_refused(tmp_path):
    copy_project(tmp_path, extra_settings='BOUNCE_ADDRESS = "bounces at sd.go.kr"\n')
    ran = run_cli(tmp_path / "pelicanconf.py", "send", "--issue", ISSUE)
    assert ran.code == 1
    assert 'BOUNCE_ADDRESS: must be the address bounces come back to, e.g. BOUNCE_ADDRESS = "bounces@sd.go.kr", or None' in ran.output
