"""The unsubscribe link of every email (SPEC §9): ``GET /u/TOKEN`` shows a page
with one button; ``POST /u/TOKEN`` unsubscribes at once (RFC 8058 one-click:
no cookie, no other token; the body may be ``List-Unsubscribe=One-Click`` or
empty) and answers 200, however often it is repeated. A token that was not
made with SOTONG_SECRET gets 403 and changes nothing. The POST, which comes in
bursts after each issue, is a lean route (answered before werkzeug parses the
request; issue #16), and the unsubscribes of the collector's threads that
arrive while one is being stored are stored together, in one statement
(:class:`sotong.group_commit.GroupCommit`); errors and the GET page take the
full route.
"""

from __future__ import annotations

import logging
from pathlib import Path

from werkzeug.exceptions import Forbidden

from sotong.group_commit import GroupCommit
from sotong.i18n import _
from sotong.tokens import subscriber_from_unsubscribe_token
from sotong.web import Prepared

log = logging.getLogger("sotong.delivery")
TEMPLATES = Path(__file__).parent / "templates"


def unsubscribe(request, token: str):
    """The full route: the GET page with one button, and every error."""
    if request.method == "POST" and (answer := one_click(request.app, token)) is not None:
        return answer.response()
    subscriber_id = subscriber_from_unsubscribe_token(token)
    if subscriber_id is None:
        raise Forbidden()
    with request.app.store() as store:
        subscriber = store.subscriber(subscriber_id)
    already = subscriber is None or not subscriber.subscribed
    return _private(request.app.render("delivery_unsubscribe.html", title="수신 거부", already=already))


def one_click(app, token: str) -> Prepared | None:
    """``POST /u/TOKEN``: unsubscribe, stored before the answer (with the
    unsubscribes of the collector's other threads that arrived meanwhile, in
    one statement); None for a forged token (the full route answers 403)."""
    subscriber_id = subscriber_from_unsubscribe_token(token)
    if subscriber_id is None:
        return None
    changed = app.delivery_unsubscribes.submit(subscriber_id)
    if changed and log.isEnabledFor(logging.INFO):
        log.info(_("unsubscribed %s by its link"), subscriber_id)
    return _unsubscribed_answer(app)


def _unsubscribe_all(app, subscriber_ids: list[str]) -> list[bool]:
    """One group of unsubscribes: whether each changed the store (an id
    twice in the group changes it once)."""
    with app.store() as store, store.changes_from("unsubscribe-link"):
        changed = store.unsubscribe_all(subscriber_ids)
    results = []
    for subscriber_id in subscriber_ids:
        results.append(subscriber_id in changed)
        changed.discard(subscriber_id)
    return results


def _private(response):
    response.headers["Cache-Control"] = "no-store"
    response.headers["X-Robots-Tag"] = "noindex"
    return response


def _unsubscribed_answer(app) -> Prepared:
    """The answer to every one-click unsubscribe, the same for all: made
    once per collector (unsubscribes come in bursts after each issue)."""
    answer = getattr(app, "delivery_unsubscribed_answer", None)
    if answer is None:
        answer = app.delivery_unsubscribed_answer = Prepared.of(
            _private(app.render("delivery_unsubscribed.html", title="수신 거부 완료")))
    return answer


def add_routes(app) -> None:
    app.add_template_folder(TEMPLATES)
    app.add_route("/u/<token>", unsubscribe, ["GET", "POST"])
    app.add_lean_route("POST", "/u/", one_click)
    app.delivery_unsubscribes = GroupCommit(lambda subscriber_ids: _unsubscribe_all(app, subscriber_ids))
