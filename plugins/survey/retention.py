"""Survey answers past their retention (content/pages/privacy.md, 제3조 3:
설문 응답은 조사 종료 후 1년): ``sotong survey purge`` deletes every response
of a survey closed more than a year ago, its answers (free text included)
and its used tokens (which, for a survey that is not anonymous, tell who
answered) and its invitations (delivery records, by then over a year old:
제3조 2), once its results are kept as counts (``survey_kept_results``:
the results without a single free-text answer, with the response rate, as
the public results' JSON). ``sotong survey results`` then reads those counts.

A survey whose file was removed is purged all the same, a year after the
day it closed as the store kept it (``survey_closes``, written with every
answer and by every purge), or, for answers stored before that was kept,
a year after its last answer or invitation: with no definition to count
them by, no counts are kept."""

from __future__ import annotations

import datetime as dt

from sotong.dates import shift_years
from sotong.store import SEOUL, Store, register_schema

from . import storage
from .results import Results, results_from_json, results_to_json, tally

RETENTION_YEARS = 1
SCHEMA = """
CREATE TABLE IF NOT EXISTS survey_kept_results (
    slug TEXT PRIMARY KEY,
    results TEXT NOT NULL,           -- JSON: counts and shares, no free text
    purged_at TEXT NOT NULL
);
"""
register_schema("survey_retention", SCHEMA)  # version 1
ERASED_TABLES = ("survey_answers", "survey_responses", "survey_tokens_used", "survey_invitations")


def last_kept_day(closes: dt.date) -> dt.date:
    """The last day a survey's answers are kept: a year after it closed (a
    survey that closed on 29 February is kept to 28 February)."""
    return shift_years(closes, RETENTION_YEARS)


def ensure(store: Store) -> Store:
    storage.ensure(store)
    store.upgrade("survey_retention")
    return store


def purge(store: Store, surveys: dict, today: dt.date) -> dict[str, int]:
    """Each survey of ``surveys`` (slug -> Survey) past :func:`last_kept_day`
    with answers or invitations still stored: its results kept as counts,
    then its responses, answers, used tokens and invitations deleted, in one transaction per
    survey, inside :meth:`Store.erasing` (no free text left in the store's
    files). Returns slug -> responses deleted."""
    purged = {}
    for slug in due(store, surveys, today):
        survey = surveys[slug]
        # answers a backup brought back after a purge were counted by it: deleted, not counted again
        counts = None if kept_results(store, slug) else tally(survey, storage.responses(store, slug),
                                                              *storage.invitation_figures(store, slug))
        with store.erasing(ERASED_TABLES), store.transaction() as db:
            if counts is not None:  # the time to the microsecond: a results page written before it is older
                db.execute("INSERT INTO survey_kept_results (slug, results, purged_at) VALUES (?, ?, ?)",
                           (slug, results_to_json(counts), dt.datetime.now(SEOUL).isoformat()))
            purged[slug] = _delete_answers(db, slug)
    return purged


def purge_without_definition(store: Store, surveys: dict, today: dt.date) -> dict[str, int]:
    """As :func:`purge`, for the surveys with nothing in ``surveys`` (their
    file was removed) past the last day :func:`closes_without_definition`
    gives them: no counts kept. Returns slug -> responses deleted."""
    purged = {}
    for slug, closes in closes_without_definition(store, surveys).items():
        if today > last_kept_day(closes):
            with store.erasing(ERASED_TABLES), store.transaction() as db:
                purged[slug] = _delete_answers(db, slug)
    return purged


def _delete_answers(db, slug: str) -> int:
    """Inside a transaction: survey ``slug``'s answers, responses, used
    tokens and invitations deleted; how many responses."""
    db.execute("DELETE FROM survey_answers WHERE response_id IN "
               "(SELECT id FROM survey_responses WHERE slug = ?)", (slug,))
    responses = db.execute("DELETE FROM survey_responses WHERE slug = ?", (slug,)).rowcount
    db.execute("DELETE FROM survey_tokens_used WHERE slug = ?", (slug,))
    db.execute("DELETE FROM survey_invitations WHERE slug = ?", (slug,))
    return responses


def due(store: Store, surveys: dict, today: dt.date) -> dict[str, int]:
    """slug -> responses stored, of each survey that :func:`purge` purges
    ``today`` (past its retention, with responses or invitations stored)."""
    past = [slug for slug, survey in sorted(surveys.items()) if today > last_kept_day(survey.closes)]
    stored = {slug: (storage.response_count(store, slug), storage.invited_count(store, slug)) for slug in past}
    return {slug: responses for slug, (responses, invited) in stored.items() if responses or invited}


def record_closes(store: Store, surveys: dict) -> None:
    """The day each survey of ``surveys`` closes, kept in the store (as the
    collector keeps it with each answer), for the day its file is removed."""
    with store.transaction() as db:
        for slug, survey in surveys.items():
            db.execute(storage.RECORD_CLOSES, (slug, survey.closes.isoformat()))


def closes_without_definition(store: Store, surveys: dict) -> dict[str, dt.date]:
    """slug -> the day it closed, of each survey with answers or invitations
    in the store but not in ``surveys`` (its file was removed): as the
    store kept it, or else the day of its last answer or of the last issue
    that invited to it (a survey takes answers and invites only until it closes)."""
    kept = dict(store.db.execute("SELECT slug, closes FROM survey_closes").fetchall())
    rows = store.db.execute(
        "SELECT slug, max(day) FROM (SELECT slug, day FROM survey_responses UNION ALL "
        "SELECT slug, issue FROM survey_invitations) used GROUP BY slug ORDER BY slug")
    return {slug: dt.date.fromisoformat(kept.get(slug, last)) for slug, last in rows if slug not in surveys}


def purged_times(store: Store) -> dict[str, float]:
    """slug -> when its answers were purged (epoch seconds), of each survey
    whose counts a purge kept."""
    return {slug: dt.datetime.fromisoformat(moment).timestamp()
            for slug, moment in store.db.execute("SELECT slug, purged_at FROM survey_kept_results")}


def purged_without_definition(store: Store, surveys: dict, today: dt.date) -> list[str]:
    """The surveys with nothing in ``surveys`` whose close day the store
    kept, past their retention and with no answer or invitation left (a
    purge took them, or nothing came), and no counts kept."""
    closes = dict(store.db.execute("SELECT slug, closes FROM survey_closes").fetchall())
    left = closes_without_definition(store, surveys)
    return sorted(slug for slug, day in closes.items() if slug not in surveys and slug not in left
                  and not kept_results(store, slug) and today > last_kept_day(dt.date.fromisoformat(day)))


def kept_results(store: Store, slug: str) -> Results | None:
    """The counts a purge kept of survey ``slug``, or None when its answers
    were not purged."""
    if "survey_kept_results" not in store.tables():
        return None
    row = store.db.execute("SELECT results FROM survey_kept_results WHERE slug = ?", (slug,)).fetchone()
    return results_from_json(row[0]) if row else None
