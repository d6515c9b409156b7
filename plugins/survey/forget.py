"""A forgotten person (``sotong subscribers forget``) leaves no word of what
they wrote: each free-text answer of theirs to a survey that is not
anonymous (a consultation's opinion, or a named survey's text question) becomes
:data:`.opinions.ERASED` among the survey's answers, which keep the rest
under forget's stand-in id for the counts (``signals.person_erasing``), and
on the private results page of each such survey
(``PRIVATE_PATH/surveys/SLUG/results.html``, which lists the free-text
answers: ``signals.person_forgotten``), so the page says what a new
``sotong survey results`` would. A text question is known by the survey's
definition, or, for a consultation whose file was removed, by the opinions
kept of it.

Nor is it told which surveys the person answered: the hashes of their used
tokens, which anyone holding the key and their id could recompute, give way
to the hash of forget's stand-in's token (the id their invitations get), so
the response rate stays as it was, anonymous surveys' too."""

from __future__ import annotations

from collections import defaultdict

from markupsafe import escape

from sotong.atomic import replacing_text
from sotong.store import Store

from . import opinions, storage
from .opinions import ERASED
from .results import private_folder
from .rules import reader_tokens, survey_token


def erase_person(store: Store, subscriber_id: str, project=None, *, stand_in: str, **_context) -> dict[str, int]:
    """Receiver of ``person_erasing`` (inside forget's transaction): the
    person's free-text answers made :data:`ERASED`, their used tokens made
    ``stand_in``'s (:func:`_tokens_to_stand_in`), then their opinions
    deleted (:func:`.opinions.erase_person`); ``{table: rows}``."""
    if "survey_answers" not in store.tables():
        return opinions.erase_person(store, subscriber_id)
    asked = _text_questions(store, subscriber_id, project)
    erased = sum(store.db.execute(
        "UPDATE survey_answers SET value = ? WHERE question = ? AND value != ? AND response_id IN "
        "(SELECT id FROM survey_responses WHERE slug = ? AND subscriber_id = ?)",
        (ERASED, question, ERASED, slug, subscriber_id)).rowcount for slug, question in sorted(asked))
    return {**opinions.erase_person(store, subscriber_id), "survey_answers": erased,
            "survey_tokens_used": _tokens_to_stand_in(store, subscriber_id, stand_in)}


def _tokens_to_stand_in(store: Store, subscriber_id: str, stand_in: str) -> int:
    """The person's used survey tokens (under either key) deleted: with the
    key, anyone holding their id could tell from the hash which surveys they
    answered, anonymous ones too. In their place, for the counts, the use of
    ``stand_in``'s token, the id their invitations now have, so that the
    readers invited who answered (:func:`.storage.answered_among`) stay as
    many. How many were deleted."""
    deleted = 0
    for (slug,) in store.db.execute("SELECT DISTINCT slug FROM survey_tokens_used").fetchall():
        theirs = [(slug, storage.token_hash(token)) for token in reader_tokens(slug, subscriber_id)]
        found = sum(store.db.execute("DELETE FROM survey_tokens_used WHERE slug = ? AND token_hash = ?",
                                     used).rowcount for used in theirs)
        if found:
            store.db.execute("INSERT INTO survey_tokens_used (slug, token_hash) VALUES (?, ?)",
                             (slug, storage.token_hash(survey_token(slug, stand_in))))
        deleted += found
    return deleted


def forget_in_results(project, subscriber_id: str, **_contacts) -> dict[str, int]:
    """Receiver of ``person_forgotten``: ``{results page: texts replaced}``."""
    store = project.store
    if "survey_answers" not in store.tables():
        return {}
    asked, texts = _text_questions(store, subscriber_id, project), defaultdict(list)
    for slug, question, text in store.db.execute(
            "SELECT r.slug, a.question, a.value FROM survey_answers a JOIN survey_responses r ON r.id = a.response_id "
            "WHERE r.subscriber_id = ? AND a.value != ?", (subscriber_id, ERASED)):
        if (slug, question) in asked:
            texts[slug].append(text)
    replaced, erased = {}, f"<li>{escape(ERASED)}</li>"
    for slug, theirs in texts.items():
        path = private_folder(project.settings, slug) / "results.html"
        if not path.is_file():
            continue
        page, count = path.read_text(encoding="utf-8"), 0
        for text in theirs:  # once each: another participant may have written the same words
            line = f"<li>{escape(text)}</li>"
            if line in page:
                page, count = page.replace(line, erased, 1), count + 1
        if count:
            with replacing_text(path) as out:
                out.write(page)
            replaced[project.shown(path)] = count
    return replaced


def _text_questions(store: Store, subscriber_id: str, project) -> set[tuple[str, str]]:
    """(slug, question id) of every free-text question: of the surveys
    defined (none without ``project``), and of the consultations the person
    gave opinions in."""
    surveys = project.part("surveys") if project is not None else {}
    asked = {(slug, question.id) for slug, survey in surveys.items() for question in survey.questions
             if question.type == "text"}
    if "survey_opinions" in store.tables():
        asked.update(tuple(row) for row in store.db.execute(
            "SELECT DISTINCT slug, question FROM survey_opinions WHERE subscriber_id = ?", (subscriber_id,)))
    return asked
