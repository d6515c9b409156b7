"""The unsubscribe link of every email (SPEC §9): ``GET /u/TOKEN`` shows a page
with one button; ``POST /u/TOKEN`` unsubscribes at once (RFC 8058 one-click:
no cookie, no other token; the body may be ``List-Unsubscribe=One-Click`` or
empty) and answers 200, however often it is repeated. A token that was not
made with SOTONG_SECRET gets 403 and changes nothing.
"""

from __future__ import annotations

import logging
from pathlib import Path

from werkzeug.exceptions import Forbidden
from werkzeug.wrappers import Response

from sotong.i18n import _
from sotong.tokens import subscriber_from_unsubscribe_token

log = logging.getLogger("sotong.delivery")
TEMPLATES = Path(__file__).parent / "templates"


def unsubscribe(request, token: str):
    subscriber_id = subscriber_from_unsubscribe_token(token)
    if subscriber_id is None:
        raise Forbidden()
    app = request.app
    if request.method == "POST":
        with app.store() as store, store.changes_from("unsubscribe-link"):
            changed = store.unsubscribe(subscriber_id)
        if changed:
            log.info(_("unsubscribed %s by its link"), subscriber_id)
        response = Response(_unsubscribed_page(app), mimetype="text/html")
    else:
        with app.store() as store:
            subscriber = store.subscriber(subscriber_id)
        already = subscriber is None or not subscriber.subscribed
        response = app.render("delivery_unsubscribe.html", title="수신 거부", already=already)
    response.headers["Cache-Control"] = "no-store"
    response.headers["X-Robots-Tag"] = "noindex"
    return response


def _unsubscribed_page(app) -> bytes:
    """The answer to every one-click unsubscribe, the same for all: rendered
    once per collector (unsubscribes come in bursts after each issue)."""
    page = getattr(app, "delivery_unsubscribed_page", None)
    if page is None:
        page = app.delivery_unsubscribed_page = app.render("delivery_unsubscribed.html", title="수신 거부 완료").get_data()
    return page


def add_routes(app) -> None:
    app.add_template_folder(TEMPLATES)
    app.add_route("/u/<token>", unsubscribe, ["GET", "POST"])
