"""A ``sotong send`` worker's start-up (issue 15): what it does before its
first email costs less, with the same outcome."""

from __future__ import annotations

import gc
import json

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from project_support import new_store_location

from delivery import bounces
from delivery.bounce_rules import HARD
from delivery.commands import _collector_paused
from delivery.journal import Journal, NoticeInfo, notices_text
from delivery.marks import reader_of
from delivery.outbox import Outbox, OutboxMessage
from sotong.store import Store, Subscriber

ISSUE = "2026-11-26"


@pytest.mark.parametrize("enabled", [True, False])
def test_the_outbox_is_recorded_with_the_garbage_collector_paused_and_left_as_it_was(enabled):
    (gc.enable if enabled else gc.disable)()
    try:
        with _collector_paused():
            assert not gc.isenabled()
        assert gc.isenabled() is enabled
        with pytest.raises(ValueError), _collector_paused():
            raise ValueError("a problem in the outbox")
        assert gc.isenabled() is enabled
    finally:
        gc.enable()


@pytest.fixture(params=["sqlite", "postgresql"])
def store(request, tmp_path):
    opened = Store.open(new_store_location(request.param, tmp_path))
    Journal(opened)  # the journal's and the marks' tables
    yield bounces.ensure(opened)
    opened.close()


def statements_of(store, monkeypatch) -> list[str]:
    """The SQL the store runs from now on."""
    statements = []
    if store.backend == "sqlite":
        store.db.set_trace_callback(statements.append)
    else:
        for method in ("execute", "stream"):
            run = getattr(store.db, method)
            monkeypatch.setattr(store.db, method, lambda sql, params=(), run=run: statements.append(sql) or run(sql, params))
    return statements


def test_bounce_scores_read_only_the_readers_asked_for_and_nothing_when_none_are(store, monkeypatch):
    for subscriber_id in ("A", "B", "C"):
        store.put_subscriber(Subscriber(id=subscriber_id, email=f"{subscriber_id.lower()}@example.com",
                                        phone="010-1234-5678", channels=frozenset({"email", "sms"})))
    rows = [(f"{bounces.REFUSED}{ISSUE}:{n}", ISSUE, subscriber_id, channel, HARD, "2026-11-26", "5.1.1", "no such user")
            for n, (subscriber_id, channel) in enumerate([("A", "email"), ("B", "email"), ("B", "sms")])]
    assert bounces.record(store, rows, "2026-11-26T10:00:00+09:00") == 3
    store.put_subscriber(Subscriber(id="B", email="new@example.com", phone="010-1234-5678",
                                    channels=frozenset({"email", "sms"})))  # a new address starts again
    statements = statements_of(store, monkeypatch)

    assert bounces.scores(store, "email", []) == {} and statements == [], "no refusal: nothing read"
    assert bounces.scores(store, "email", ["A", "B", "Z"]) == {"A": 1.0, "B": 0.0}
    assert bounces.scores(store, "sms", {"B"}) == {"B": 1.0}
    assert all("WHERE" in sql for sql in statements if "FROM subscribers" in sql), "not every subscriber"


_TEXT = st.none() | st.text(max_size=12)
_KEYS = st.frozensets(st.sampled_from(["email", "sms", "", "fax"]))


@settings(max_examples=60, deadline=None)
@given(st.fixed_dictionaries({"id": st.text(min_size=1, max_size=8)}, optional={
    "email": _TEXT, "phone": _TEXT, "channels": _KEYS, "unsubscribed_at": _TEXT, "sms_unsubscribed_at": _TEXT,
    "fields": _KEYS, "kind": st.sampled_from(["person", "business"]), "birth_year": st.none() | st.integers()}))
def test_a_reader_made_for_the_reach_is_the_subscriber_the_dataclass_makes(values):
    made, expected = reader_of(**values), Subscriber(**values)
    assert made == expected and vars(made) == vars(expected) and hash(made) == hash(expected)
    assert [made.reachable_by(channel) for channel in ("email", "sms")] == \
        [expected.reachable_by(channel) for channel in ("email", "sms")]


@settings(max_examples=60, deadline=None)
@given(st.lists(st.tuples(st.text(max_size=6)) | st.lists(st.text(max_size=6), max_size=4).map(tuple), max_size=6))
def test_the_notices_of_a_journal_row_are_the_json_list_of_the_messages(lists):
    for notices in lists + lists:  # each list again: from the cache
        assert notices_text(notices) == json.dumps(list(notices), ensure_ascii=False)
        assert json.loads(notices_text(notices)) == list(notices)


def test_a_first_recording_reads_back_none_of_its_rows_and_a_later_one_finds_them_and_withdraws_the_unreachable(store, monkeypatch):
    ids = [f"S{n:03d}" for n in range(12)]
    outbox = Outbox(ISSUE, "issue", store.path, tuple(
        OutboxMessage(i, channel, ("n",), f"email/{i}.eml" if channel == "email" else None,
                      "EMAIL" if channel == "email" else "SMS") for i in ids for channel in ("email", "sms")))
    notices = {"n": NoticeInfo("title", None, None, None)}
    gone = set()

    def reachable(messages) -> set:
        return {(m.subscriber_id, m.channel) for m in messages if m.subscriber_id not in gone}

    statements = statements_of(store, monkeypatch)
    recorded, unsent = Journal(store).record_outbox(outbox, reachable, notices)
    assert (recorded.email_new, unsent) == (12, 12)
    assert not [sql for sql in statements if sql.startswith(("SELECT id, subscriber_id, channel",
                                                             "SELECT subscriber_id, notices"))], "nothing read back"

    gone.update({"S003", "S007"})  # unsubscribed since
    recorded, unsent = Journal(store).record_outbox(outbox, reachable, notices)
    assert (recorded.email_new, unsent, recorded.left_out) == (0, 10, {"email": 2, "sms": 2})
    assert [sql for sql in statements if sql.startswith("SELECT subscriber_id, notices")], "the emails queued before"
    assert {row[0] for row in store.db.execute("SELECT subscriber_id FROM delivery_messages WHERE channel = 'email'")} \
        == set(ids) - gone
