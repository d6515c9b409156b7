"""The survey figures of one issue's report (SPEC §14): the readers the issue
invited whose email reached them, and those of them who answered, each once;
never the survey's answers from every issue over one issue's invitations.
The pure rule against a brute-force reading, and who answered as the store
tells it (a named survey's id, a forgotten reader's stand-in, an anonymous
survey's token under the key it was signed with)."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st
from survey import storage
from survey.rules import bundle_response, survey_token

from sotong.store import Store

READERS = st.sampled_from([f"S{n}" for n in range(8)])


@given(st.lists(READERS), st.none() | st.lists(READERS), st.lists(READERS))
def test_an_issue_counts_the_answers_of_its_own_reached_invitations(invited, reached, answered):
    invitations = answers = 0
    for reader in sorted(set(invited)):  # one invitation per reader, whatever the rows
        if reached is not None and reader not in reached:
            continue
        invitations += 1
        answers += reader in answered
    got = bundle_response(set(invited), None if reached is None else set(reached), set(answered))
    assert got == (invitations, answers)
    assert got[1] <= got[0]  # a rate never above 100%


def test_who_answered_named_forgotten_and_anonymous_under_the_previous_key(tmp_path, monkeypatch):
    store = storage.ensure(Store.open(tmp_path / "sotong.db"))
    old_key, new_key = "o" * 40, "n" * 40
    monkeypatch.setenv("SOTONG_SECRET", old_key)
    for reader in ("S1", "S2"):  # an anonymous survey: only the used token says who answered
        storage.store_response(store, "anon", {}, "2026-11-26", token=survey_token("anon", reader), subscriber_id=None)
    for reader in ("S1", "forgotten-0a1b"):  # a named survey keeps the id, or a forgotten reader's stand-in
        storage.store_response(store, "named", {}, "2026-11-26", token=survey_token("named", f"{reader}-was"),
                               subscriber_id=reader)
    monkeypatch.setenv("SOTONG_SECRET", new_key)
    monkeypatch.setenv("SOTONG_PREVIOUS_SECRET", old_key)  # the key changed after the answers came
    readers = {"S1", "S2", "S3", "forgotten-0a1b"}
    assert storage.answered_among(store, "anon", readers) == {"S1", "S2"}
    assert storage.answered_among(store, "named", readers) == {"S1", "forgotten-0a1b"}
    monkeypatch.delenv("SOTONG_PREVIOUS_SECRET")
    assert storage.answered_among(store, "anon", readers) == set()
