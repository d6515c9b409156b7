"""The survey tables in the subscriber store: responses, their answers, the
tokens already used, the invitations sent, and the day each survey closed
(``survey_closes``, so that survey purge finds it once its file is gone).

Anonymity: a response to an anonymous survey has a random id, the day only,
and no subscriber id. A used token is kept apart (``survey_tokens_used``, a
SHA-256 of the token, no time, no link to the response) so that a token is
taken once and invitations stop, without tying an answer to a person.
Responses have random primary keys in a WITHOUT ROWID table, so not even
the order of rows links them to the tokens.
"""

from __future__ import annotations

import hashlib
import uuid
from typing import Callable, Sequence

from sotong.store import Store, now_iso, register_schema, with_rowid

from .rules import reader_tokens

SCHEMA = """
CREATE TABLE IF NOT EXISTS survey_responses (
    id TEXT PRIMARY KEY,
    slug TEXT NOT NULL,
    subscriber_id TEXT,          -- NULL for anonymous surveys
    day TEXT NOT NULL
) WITHOUT ROWID;
CREATE UNIQUE INDEX IF NOT EXISTS survey_responses_one_each
    ON survey_responses (slug, subscriber_id) WHERE subscriber_id IS NOT NULL;
CREATE TABLE IF NOT EXISTS survey_answers (
    response_id TEXT NOT NULL REFERENCES survey_responses (id) ON DELETE CASCADE,
    question TEXT NOT NULL,
    value TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS survey_answers_response ON survey_answers (response_id);
CREATE TABLE IF NOT EXISTS survey_tokens_used (
    slug TEXT NOT NULL,
    token_hash TEXT NOT NULL,
    PRIMARY KEY (slug, token_hash)
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS survey_invitations (
    slug TEXT NOT NULL,
    subscriber_id TEXT NOT NULL,
    issue TEXT NOT NULL,
    created TEXT NOT NULL,
    PRIMARY KEY (slug, subscriber_id, issue)
) WITHOUT ROWID;
"""
# Version 2: the day each survey closed, kept with its answers, so that its
# answers leave the store a year after it (survey purge) even once its file
# under content/surveys/ is removed.
CLOSES = """
CREATE TABLE IF NOT EXISTS survey_closes (
    slug TEXT PRIMARY KEY,
    closes TEXT NOT NULL             -- the last day the survey took answers
);
"""
RECORD_CLOSES = ("INSERT INTO survey_closes (slug, closes) VALUES (?, ?) "
                 "ON CONFLICT (slug) DO UPDATE SET closes = excluded.closes")
register_schema("survey", with_rowid(SCHEMA, "survey_answers"), CLOSES)


class TokenUsed(Exception):
    """The token (or the subscriber) has answered this survey already."""


def ensure(store: Store) -> Store:
    store.upgrade("survey")
    return store


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def store_response(store: Store, slug: str, answers: dict, day: str, *, token: str | None,
                   subscriber_id: str | None, closes: str | None = None,
                   also: Callable[[Store], object] | None = None, earlier: Sequence[str] = ()) -> None:
    """One response, its answers, the token's use, the survey's ``closes``
    day (when given) and what ``also(store)`` writes (a consultation's
    opinions), in one transaction: all of them or, on any error, none;
    TokenUsed when the token, or one of the same reader's ``earlier`` tokens
    (signed with the previous key), was used before."""
    response_id = uuid.uuid4().hex
    try:
        with store.transaction() as db:
            if earlier and token_was_used(store, slug, earlier):
                raise TokenUsed()
            if token is not None:
                db.execute("INSERT INTO survey_tokens_used (slug, token_hash) VALUES (?, ?)", (slug, token_hash(token)))
            db.execute("INSERT INTO survey_responses (id, slug, subscriber_id, day) VALUES (?, ?, ?, ?)",
                       (response_id, slug, subscriber_id, day))
            db.executemany("INSERT INTO survey_answers (response_id, question, value) VALUES (?, ?, ?)",
                           [(response_id, question, value) for question, values in answers.items() for value in values])
            if closes is not None:
                db.execute(RECORD_CLOSES, (slug, closes))
            if also is not None:
                also(store)
    except store.db.IntegrityError:
        raise TokenUsed() from None


def token_was_used(store: Store, slug: str, tokens: Sequence[str]) -> bool:
    """Whether one of ``tokens`` (one reader's, :func:`.rules.reader_tokens`) was used."""
    return any(store.db.execute("SELECT 1 FROM survey_tokens_used WHERE slug = ? AND token_hash = ?",
                                (slug, token_hash(token))).fetchone() is not None for token in tokens)


def used_token_hashes(store: Store, slug: str) -> set[str]:
    return {row[0] for row in store.db.execute("SELECT token_hash FROM survey_tokens_used WHERE slug = ?", (slug,))}


def record_invitation(store: Store, slug: str, subscriber_id: str, issue: str) -> None:
    """Idempotent: bundling the same issue again records nothing new."""
    store.db.execute("INSERT OR IGNORE INTO survey_invitations (slug, subscriber_id, issue, created) VALUES (?, ?, ?, ?)",
                     (slug, subscriber_id, issue, now_iso()))


def invited_to(store: Store, subscriber_id: str) -> set[str]:
    """The slugs of the surveys ``subscriber_id`` was invited to."""
    return {row[0] for row in store.db.execute("SELECT DISTINCT slug FROM survey_invitations WHERE subscriber_id = ?",
                                               (subscriber_id,))}


def first_invitations(store: Store) -> dict[str, str]:
    """slug -> the first issue that invited a reader to it, of every survey invited to."""
    return dict(store.db.execute("SELECT slug, min(issue) FROM survey_invitations GROUP BY slug ORDER BY slug"))


def invited_count(store: Store, slug: str) -> int:
    """Subscribers invited at least once."""
    return store.db.execute("SELECT count(DISTINCT subscriber_id) FROM survey_invitations WHERE slug = ?", (slug,)).fetchone()[0]


def invitation_figures(store: Store, slug: str) -> tuple[int, int]:
    """(readers invited to survey ``slug`` at least once, those of them who answered)."""
    invited = {row[0] for row in store.db.execute(
        "SELECT DISTINCT subscriber_id FROM survey_invitations WHERE slug = ?", (slug,))}
    return len(invited), len(answered_among(store, slug, invited))


def invited_in_issue(store: Store, issue: str) -> dict[str, set[str]]:
    """slug -> the subscribers invited in the bundle of ``issue``."""
    invited: dict[str, set[str]] = {}
    for slug, subscriber_id in store.db.execute("SELECT slug, subscriber_id FROM survey_invitations WHERE issue = ?"
                                                " ORDER BY slug", (issue,)):
        invited.setdefault(slug, set()).add(subscriber_id)
    return invited


def answered_among(store: Store, slug: str, subscriber_ids: set[str]) -> set[str]:
    """Those of ``subscriber_ids`` who answered survey ``slug``: by the id a
    named survey's answer keeps (a forgotten reader's stand-in, as their
    invitations have), or by the use of their token (made with the signing
    key or the previous one), the only trace of an anonymous survey's answer
    (forget puts its stand-in's token in a forgotten reader's place; the
    anonymous answer of one forgotten before it did cannot be told)."""
    named = {row[0] for row in store.db.execute(
        "SELECT subscriber_id FROM survey_responses WHERE slug = ? AND subscriber_id IS NOT NULL", (slug,))}
    used = used_token_hashes(store, slug)
    return {subscriber_id for subscriber_id in subscriber_ids if subscriber_id in named
            or any(token_hash(token) in used for token in reader_tokens(slug, subscriber_id))}


def responses(store: Store, slug: str) -> list[dict[str, tuple[str, ...]]]:
    """Every response's answers (question id -> values), without who gave them."""
    by_response: dict[str, dict[str, list[str]]] = {}
    for row in store.db.execute(
            "SELECT r.id, a.question, a.value FROM survey_responses r LEFT JOIN survey_answers a ON a.response_id = r.id "
            "WHERE r.slug = ? ORDER BY r.id, a.rowid", (slug,)):
        answers = by_response.setdefault(row[0], {})
        if row[1] is not None:
            answers.setdefault(row[1], []).append(row[2])
    return [{q: tuple(v) for q, v in answers.items()} for answers in by_response.values()]


def response_count(store: Store, slug: str) -> int:
    return store.db.execute("SELECT count(*) FROM survey_responses WHERE slug = ?", (slug,)).fetchone()[0]

