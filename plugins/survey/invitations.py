"""Survey invitations in issue bundles (SPEC §9): every open survey the
reader is invited to and has not answered gets a block in the reader's email
with the reader's own link, and each invitation is recorded in the store
(``survey_invitations``) so that the response rate is answers / invitations;
the first invitation to each survey keeps it in the ledger of surveys
invited to (:mod:`.sent`: its address never becomes a 404); a preview or a
staff member's test copy (``context.trial``) records none,
and its link is a test link (:func:`.rules.trial_token`) that records no
answer and uses no reader's token.

The block's HTML is rendered and its CSS inlined once per survey; a reader's
block only differs by the link, put in afterwards.
"""

from __future__ import annotations

import html

from sotong.dates import korean_date
from sotong.links import collector_url
from sotong.mail import Block, MessageContext
from sotong.store import Store, store_exists

from . import storage
from .rules import is_invited, reader_tokens, trial_token
from .sent import record_invited, record_invited_before

LINK_HOLE = "https://survey-link.invalid/"  # replaced by each reader's link after inlining


def invitation_html(survey) -> str:
    closes = korean_date(survey.closes, year=False)
    return (
        '<table class="notice" role="presentation" width="100%"><tr><td class="notice-cell">'
        '<p class="notice-field">설문 참여 요청</p>'
        f'<h2 class="notice-title">{html.escape(survey.title)}</h2>'  # a block of its own, as a banner's
        f'<p class="notice-meta">{html.escape(survey.department)} · {closes}까지 · 질문 {len(survey.questions)}개'
        f'{" · 익명" if survey.anonymous else ""}</p>'
        f'<p class="notice-more"><a class="button" href="{LINK_HOLE}">설문 참여하기</a></p>'
        "</td></tr></table>"
    )


def invitation_text(survey, link: str) -> str:
    return f"[설문 참여 요청] {survey.title} ({korean_date(survey.closes, year=False)}까지)\n참여하기: {link}"


def invitation_link(settings: dict, slug: str, token: str) -> str:
    """The collector's form with the reader's token (SPEC: the form's URL with ?t=TOKEN)."""
    return collector_url(settings, f"surveys/{slug}?t={token}")


def block_maker(context: MessageContext):
    """Receiver of ``sotong.signals.message_blocks``: None for a one-off
    bundle or when no survey is open on the bundle's day."""
    if context.issue is None:
        return None
    settings = context.settings
    surveys = [s for s in context.content.part("surveys").values() if s.is_open(context.day)]
    if not surveys:
        return None
    if context.trial and not store_exists(settings["SOTONG_DB"]):  # a persona's preview: no store made for it
        store, answered = None, {survey.slug: set() for survey in surveys}
    else:
        store = storage.ensure(Store.open(settings["SOTONG_DB"]))
        answered = {survey.slug: storage.used_token_hashes(store, survey.slug) for survey in surveys}
        if not context.trial:
            record_invited_before(settings, store, context.content.part("surveys"))
    inlined = {survey.slug: context.inline(invitation_html(survey)) for survey in surveys}
    issue, year = context.issue.isoformat(), context.issue.year
    kept = set()  # the surveys this process has kept in the ledger of surveys invited to

    def invitations(subscriber, notices) -> list[Block]:
        profile = subscriber.profile
        parts_html, parts_text, slugs = [], [], []
        for survey in surveys:
            if not is_invited(survey, profile, year):
                continue
            tokens = reader_tokens(survey.slug, subscriber.id)  # one answer, whichever key signed its link
            if any(storage.token_hash(token) in answered[survey.slug] for token in tokens):
                continue
            link = invitation_link(settings, survey.slug,
                                   trial_token(survey.slug, subscriber.id) if context.trial else tokens[0])
            parts_html.append(inlined[survey.slug].replace(LINK_HOLE, html.escape(link)))
            parts_text.append(invitation_text(survey, link))
            slugs.append(survey.slug)
            if not context.trial:  # a preview or a staff's test copy invites nobody
                storage.record_invitation(store, survey.slug, subscriber.id, issue)
                if survey.slug not in kept:
                    record_invited(settings, survey, issue)
                    kept.add(survey.slug)
        if not slugs:
            return []
        return [Block("".join(parts_html), "\n\n".join(parts_text), {"surveys": slugs})]

    return invitations
