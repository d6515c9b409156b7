"""The unsubscribe link of every email (SPEC §9): ``GET /u/TOKEN`` shows a page
with one button; ``POST /u/TOKEN`` unsubscribes at once (RFC 8058 one-click:
no cookie, no other token; the body may be ``List-Unsubscribe=One-Click`` or
empty) and answers 200, however often it is repeated. A mail provider's POST
(RFC 8058: its answer is shown to nobody) gets a short page of one sentence;
the page's own button, which also posts the field ``answer=page``, gets the
full page saying what happens next. A token that was not made with
SOTONG_SECRET gets 403 and changes nothing. The POST, which comes in
bursts after each issue, is a lean route (answered before werkzeug parses the
request; issue #16) on the server's loop thread, where it was read, when
nothing else is writing (else by a worker thread: the unsubscribes of the
collector's threads that arrive while one is being stored are stored
together, in one statement, :class:`sotong.group_commit.GroupCommit`);
errors and the GET page take the full route.
"""

from __future__ import annotations

import logging
from pathlib import Path

from werkzeug.exceptions import Forbidden

from sotong.group_commit import GroupCommit
from sotong.i18n import _
from sotong.tokens import subscriber_from_unsubscribe_token
from sotong.web import FORM_TYPE, LEAN_FORM_FIELDS, MAX_BODY_BYTES, Prepared, form_pairs

log = logging.getLogger("sotong.delivery")
TEMPLATES = Path(__file__).parent / "templates"
ONE_CLICK_BODY = b"List-Unsubscribe=One-Click"  # what a mail provider posts (RFC 8058)
PAGE_FIELD = ("answer", "page")  # what the unsubscribe page's button posts (delivery_unsubscribe.html)


def unsubscribe(request, token: str):
    """The full route: the GET page with one button, and every error."""
    if request.method == "POST" and (answer := one_click(request.app, token, request.environ)) is not None:
        return answer.response()
    subscriber_id = subscriber_from_unsubscribe_token(token)
    if subscriber_id is None:  # cut short by a mail program, or mistyped: pressed again, this page again
        raise Forbidden(response=request.app.render(
            "web_error.html", 403, title="링크가 올바르지 않습니다", explanation=(
                "링크가 잘렸거나 바뀐 것 같습니다. 받으신 메일 맨 아래의 「수신거부」 링크를 다시 눌러 보시고, 그래도 이 화면이 "
                f"나오면 전화({request.app.settings['OFFICE_PHONE']})로 알려 주세요. 바로 수신 거부해 드립니다.")))
    with request.app.store() as store:
        subscriber = store.subscriber(subscriber_id)
    already = subscriber is None or not subscriber.subscribed
    return _private(request.app.render("delivery_unsubscribe.html", title="수신 거부", already=already))


def one_click(app, token: str, environ) -> Prepared | None:
    """``POST /u/TOKEN``: unsubscribe, stored before the answer (with the
    unsubscribes of the collector's other threads that arrived meanwhile, in
    one statement); None for a forged token (the full route answers 403)."""
    subscriber_id = subscriber_from_unsubscribe_token(token)
    if subscriber_id is None:
        return None
    changed = app.delivery_unsubscribes.submit(subscriber_id, wait=not app.answering_inline)
    if changed and log.isEnabledFor(logging.INFO):
        log.info(_("unsubscribed %s by its link"), subscriber_id)
    if _from_the_page(environ):
        return _prepared(app, "delivery_unsubscribed.html", title="수신 거부 완료")
    return _prepared(app, "delivery_unsubscribed_short.html")


def _from_the_page(environ) -> bool:
    """Whether a POST is the unsubscribe page's own button (a person, shown
    the answer), not a mail provider's one-click POST: its url-encoded form
    holds PAGE_FIELD. Reads the body."""
    length = environ.get("CONTENT_LENGTH") or ""
    if not length.isdigit() or not 0 < int(length) <= MAX_BODY_BYTES:
        return False
    body = environ["wsgi.input"].read(int(length))
    if body == ONE_CLICK_BODY or environ.get("CONTENT_TYPE", "").partition(";")[0].strip().lower() != FORM_TYPE:
        return False
    try:
        return PAGE_FIELD in form_pairs(body, LEAN_FORM_FIELDS)
    except ValueError:  # more fields than any form of ours
        return False


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


def _prepared(app, template: str, **context) -> Prepared:
    """An answer to one-click unsubscribes, the same for all: made once per
    collector and template (unsubscribes come in bursts after each issue)."""
    answers = app.delivery_unsubscribed_answers
    answer = answers.get(template)
    if answer is None:
        answer = answers[template] = Prepared.of(_private(app.render(template, **context)))
    return answer


def add_routes(app) -> None:
    app.add_template_folder(TEMPLATES)
    app.add_route("/u/<token>", unsubscribe, ["GET", "POST"])
    app.add_lean_route("POST", "/u/", one_click, inline=True)
    app.delivery_unsubscribed_answers = {}  # template -> its Prepared answer
    app.delivery_unsubscribes = GroupCommit(lambda subscriber_ids: _unsubscribe_all(app, subscriber_ids))
