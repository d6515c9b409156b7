"""The collector's sign-up routes (SPEC §13): ``POST /subscribe`` (303 to
"check your mail", a confirmation link mailed, nothing stored as a
subscriber), ``GET /subscribe/confirm?t=`` (a page with one button only:
link scanners confirm nothing), ``POST /subscribe/confirm`` (the subscriber
is created, with the consent's version). Requests with the honeypot filled
are answered as if taken and dropped; more than ``SUBSCRIBE_RATE`` from one
client address get 429, counted in the store (``subscriptions_rate``), so
that every collector on it counts the same requests (SPEC §15). The same
address sent again within five minutes (a double tap) mails nothing again.
No log line names an address, phone or client.

A sign-up that is taken (issue #13: bursts after a campaign) is answered
by a lean route before werkzeug parses anything, with an answer made once;
whatever else is posted (the honeypot, wrong answers, the rate limit, other
content types, hostile text) goes on to the full route, which answers it as
before: the lean route changes nothing before it has decided to answer."""

from __future__ import annotations

import math
import secrets
import time
from pathlib import Path

from werkzeug.exceptions import Forbidden
from werkzeug.utils import redirect

from sotong.links import collector_url, site_url
from sotong.store import Subscriber, now_iso
from sotong.tokens import make_token, read_token, short_tag
from sotong.web import PostedForm, Prepared, unstorable_errors

from . import storage
from .outgoing import Mailer, Texter, signed, sms_codes_transport
from .rules import (CHANNEL_LABELS, FORM_PATH, GENDER_LABELS, HONEYPOT, client_key, consent, needs_smtputf8,
                    no_smtputf8_error, rate_of, read_choices, try_again_in)

TEMPLATES = Path(__file__).parent / "templates"
CONFIRM = "subscribe-confirm"
PREFERENCES = "preferences"
EMAIL_CONFIRM = "email-confirm"
RATE_COUNTED = "rate-counted"  # the purpose of a client's address or reader's id signed in subscriptions_rate


class TooOften(Exception):
    """A request over SUBSCRIBE_RATE: nothing of it is done; ``wait``: the
    seconds until it would be taken."""

    def __init__(self, wait: float):
        super().__init__(wait)
        self.wait = wait


class Subscriptions:
    """What the routes share: settings, the mailer, the texter (its SMS transport) and the rate limit."""

    def __init__(self, app):
        self.app = app
        settings = app.settings
        self.mailer = Mailer(app)
        app.on_close(self.mailer.stop)
        self.texter = None  # SMS_CODES_BY "command": the codes wait in the store for sotong subscribers codes
        if settings.get("SMS_CODES_BY") != "command":  # a value mistyped (sotong check names it): the default
            self.texter = Texter(app.store, settings, sms_codes_transport(settings))
            app.on_close(self.texter.stop)
        self.next_cleanup = 0.0
        self._answers: dict[str, Prepared] = {}
        self.rate = rate_of(settings)
        self.consent, self.consent_version = consent(settings)  # the text the form shows, and its version
        with app.store() as store:
            storage.ensure(store)
        self.mailer.start()  # mails queued before a stop leave now
        self.codes_queued()  # and the codes, those still valid

    def unsendable(self, address: str | None) -> str | None:
        """What a form says beside ``address`` when the mail server cannot take
        it (characters outside ASCII before the @, and no SMTPUTF8 offered:
        :meth:`Mailer.offers_smtputf8`), else None; the server is asked only
        about such an address."""
        if address and needs_smtputf8(address) and self.mailer.offers_smtputf8() is False:
            return no_smtputf8_error(self.app.settings["OFFICE_PHONE"])
        return None

    def codes_queued(self) -> None:
        """Call once the transaction that queued a phone code is committed:
        the text thread, where the collectors hand the codes over, looks now."""
        if self.texter is not None:
            self.texter.wake()

    def form_context(self, answers: dict, errors: dict) -> dict:
        audiences = self.app.project.audiences
        return {"audiences": audiences, "answers": answers, "errors": errors, "consent": self.consent,
                "consent_version": self.consent_version, "channel_labels": CHANNEL_LABELS, "gender_labels": GENDER_LABELS,
                "honeypot": HONEYPOT, "this_year": self.app.project.today().year}

    def count(self, store, client: str | None) -> None:
        """Count a request of ``client`` (its address, or "reader ID")
        toward SUBSCRIBE_RATE, in the caller's transaction, in the store that
        every collector on it counts in, by an HMAC of ``client`` (no address
        or id in clear); TooOften, nothing counted, over the rate. A request
        counted drops, once a minute, what has expired (requests out of the
        window among them)."""
        now = time.time()
        wait = storage.count_request(store, short_tag(RATE_COUNTED, client_key(client or ""), length=26), *self.rate, now)
        if wait:
            raise TooOften(wait)
        if now >= self.next_cleanup:
            storage.drop_expired(store, now)
            self.next_cleanup = now + 60

    def wait_for(self, client: str | None) -> float:
        """A request of ``client`` counted in a transaction of its own (a
        full route's, before it does anything): 0, or the seconds to wait
        when it is over SUBSCRIBE_RATE."""
        try:
            with self.app.store() as store, store.transaction():
                self.count(store, client)
        except TooOften as over:
            return over.wait
        return 0.0

    def page(self, template: str, status: int = 200, **context):
        response = self.app.render(template, status=status, **context)
        response.headers["Cache-Control"] = "no-store"
        response.headers["X-Robots-Tag"] = "noindex"
        return response

    def too_often(self, wait: float, template: str, message: str, **context):
        """The 429 of a form sent more often than SUBSCRIBE_RATE allows, to
        be sent again in ``wait`` seconds: the form ``template`` again with
        what was typed (in ``context``), above it ``message`` saying
        ``{when}`` to press again, and Retry-After in seconds."""
        seconds = max(1, math.ceil(wait))
        response = self.page(template, 429, retry=message.format(when=try_again_in(seconds)), **context)
        response.headers["Retry-After"] = str(seconds)
        return response

    def preferences_url(self, subscriber_id: str) -> str:
        return collector_url(self.app.settings, "p/" + make_token(PREFERENCES, subscriber_id))

    def answer_once(self, name: str, make) -> Prepared:
        """The answer ``make()`` gives, made the first time it is asked for
        (it is the same for every reader)."""
        answer = self._answers.get(name)
        if answer is None:
            answer = self._answers[name] = Prepared.of(make())
        return answer

    def signup_taken(self) -> Prepared:
        """The 303 to "check your mail", for a sign-up taken or a honeypot filled."""
        return self.answer_once("signup-taken", lambda: redirect(collector_url(self.app.settings, "subscribe/check"), 303))


def form_answers(request) -> dict:
    """The posted form as name -> list of values (the honeypot left out)."""
    return {key: request.form.getlist(key) for key in request.form if key != HONEYPOT}


def signup_choices(app, answers: dict):
    """The sign-up's answers read, and the errors by form field. A consent
    given on a form whose text is not the one in force (its hidden
    ``consent_version`` changed by hand, or a page opened before the text
    changed) is asked again: the form shown again holds the text in force,
    so the consent kept is always to the version in force, the text it showed.
    A request without the field (not sent by the form) is taken as given
    to the only text the site shows."""
    choices, errors = read_choices(answers, app.project.audiences, app.project.today().year, True)
    if not choices.email and "email" not in errors:
        errors["email"] = "신청 확인 메일을 보내 드릴 이메일 주소를 적어 주세요."
    elif "email" not in errors and (unsendable := app.subscriptions.unsendable(choices.email)):
        errors["email"] = unsendable
    version = app.subscriptions.consent_version
    if (answers.get("consent_version") or [version])[0] != version and "consent" not in errors:
        errors["consent"] = ("개인정보 수집·이용 동의 내용이 바뀌었습니다. 아래의 바뀐 내용을 읽어 보시고, "
                             "동의하시면 다시 표시한 뒤 「신청하기」를 눌러 주세요.")
    return choices, errors


def subscribe(request):
    """The full route of ``POST /subscribe``: what the lean route leaves to it, and every error."""
    subs: Subscriptions = request.app.subscriptions
    form = {"title": "전자소통 서비스 신청", "action": f"{request.script_root}/subscribe"}
    answers = form_answers(request)
    if wait := subs.wait_for(request.remote_addr):  # what was typed is shown again, to press once more later
        return subs.too_often(wait, "subscriptions_signup.html", (
            "같은 곳에서 신청이 너무 많이 들어와 지금은 받을 수 없습니다. 적어 주신 내용은 아래에 그대로 있습니다. "
            "{when} 뒤에 「신청하기」를 다시 눌러 주세요."), **form, **subs.form_context(answers, {}))
    if request.form.get(HONEYPOT):
        return subs.signup_taken().response()
    choices, errors = signup_choices(request.app, answers)
    errors.update(unstorable_errors(request, answers))
    if errors:
        return subs.page("subscriptions_signup.html", 400, **form, **subs.form_context(answers, errors))
    _take_signup(request.app, choices)
    return subs.signup_taken().response()


def lean_subscribe(app, posted: PostedForm) -> Prepared | None:
    """``POST /subscribe`` without werkzeug: a sign-up taken, or None for the
    full route (a honeypot filled, a wrong answer, a client over the rate:
    the rate is counted here only for a sign-up taken, so never twice)."""
    if (posted.fields.get(HONEYPOT) or [""])[0]:
        return None
    answers = {key: values for key, values in posted.fields.items() if key != HONEYPOT}
    choices, errors = signup_choices(app, answers)
    if errors:
        return None
    try:
        _take_signup(app, choices, posted.client)
    except TooOften:  # nothing counted or stored: the full route counts again, and answers 429
        return None
    return app.subscriptions.signup_taken()


def _take_signup(app, choices, client: str | None = None) -> None:
    """The sign-up pending and its confirmation mail queued, in one
    transaction; the rows and the mail's text are made before it. With
    ``client``, the request is counted toward SUBSCRIBE_RATE in it too, at
    its end (TooOften, nothing done, over the rate). The same address sent again
    within AGAIN_SECONDS (a second tap on 신청하기) queues no second mail:
    the link mailed first confirms the answers sent last."""
    subs: Subscriptions = app.subscriptions
    data = {**choices.__dict__, "fields": sorted(choices.fields), "channels": sorted(choices.channels),
            "consent_version": subs.consent_version}  # the only one signup_choices lets through
    pending = storage.pending_row("signup", data)
    link = collector_url(app.settings, "subscribe/confirm?t=" + make_token(CONFIRM, pending[0]))
    mail = storage.mail_row(choices.email, "[성동구 소통] 전자소통 서비스 신청을 확인해 주세요", signed(app.settings, (
        "성동구 전자소통 서비스 신청을 받았습니다.\n\n아래 링크를 열고 「신청 확인」 단추를 누르시면 신청이 끝납니다. "
        f"링크는 24시간 동안 쓸 수 있습니다.\n\n{link}\n\n직접 신청하지 않으셨다면 이 메일을 지우시면 됩니다. "
        "아무것도 등록되지 않습니다.\n")))
    with app.store() as store, store.transaction(), store.locked("subscriptions signup " + choices.email.lower()):
        earlier = next(iter(storage.sent_lately(store, ("signup",), time.time(), address=choices.email)), None)
        if earlier is None:
            storage.insert_pending(store, pending)
            storage.insert_mail(store, mail)
        elif earlier.data != data:
            storage.set_data(store, earlier.id, data)
        if client is not None:  # last: the client's lock (PostgreSQL's) is held only until the commit
            subs.count(store, client)
    if earlier is None:
        subs.mailer.wake()


def signup_form(request):
    """``GET /subscribe``: the address a sign-up with something to fix was
    answered at, opened again (from the history, a bookmark, a tab the
    phone reloaded): 303 to the sign-up form, where a 405 page told the
    resident to press a link they never received."""
    return redirect(site_url(request.app.settings, FORM_PATH), 303)


def check_mail(request):
    """The page every sign-up's 303 leads to: made once."""
    subs: Subscriptions = request.app.subscriptions
    return subs.answer_once("check-mail", lambda: subs.page("subscriptions_message.html", title="메일에서 신청을 확인해 주세요", message=(
        "적어 주신 주소로 신청 확인 메일을 보냈습니다. 메일의 링크를 열고 「신청 확인」 단추를 누르시면 신청이 "
        "끝납니다. 링크는 24시간 동안 쓸 수 있습니다. 메일이 보이지 않으면 스팸 편지함도 확인해 주세요. "
        "주소를 잘못 적으셨으면 아래에서 다시 신청해 주세요."),  # a mistyped address: the mail never comes
        signup_again=site_url(request.app.settings, FORM_PATH))).response()


def broken_link(subs, what_next: str, **links) -> Forbidden:
    """The 403 of a link not of ours: one cut short by a mail program or
    mistyped, which opens the same page when pressed again, so the page says
    ``what_next`` to do and links to it."""
    return Forbidden(response=subs.page("subscriptions_message.html", 403, title="링크가 올바르지 않습니다", message=(
        f"링크가 잘렸거나 바뀐 것 같습니다. 받으신 메일의 링크를 다시 눌러 보시고, 그래도 이 화면이 나오면 {what_next}"), **links))


def open_pending(request, purpose: str, token: str | None, what_next: str, **links):
    """The pending row a token names: 403 for a forged token (saying
    ``what_next``, see :func:`broken_link`); None (then a 410 page) when it
    is gone or expired."""
    pending_id = read_token(purpose, token or "")
    if pending_id is None:
        raise broken_link(request.app.subscriptions, what_next, **links)
    with request.app.store() as store:
        found = storage.pending(store, pending_id)
    if found is None or found.expired(time.time()):  # used or not: a replay a day later opens nothing
        return None
    return found


def expired_page(subs, what_next: str, **links):
    """The 410 page of a link past its 24 hours, with ``what_next`` to do."""
    return subs.page("subscriptions_message.html", 410, title="링크 사용 기간이 지났습니다", message=(
        f"확인 링크는 24시간 동안만 쓸 수 있습니다. {what_next}"), **links)


def confirm(request):
    subs: Subscriptions = request.app.subscriptions
    token = request.form.get("t") if request.method == "POST" else request.args.get("t")
    again = {"signup_again": site_url(request.app.settings, FORM_PATH)}  # what to do when the link does not open
    found = open_pending(request, CONFIRM, token, "처음부터 다시 신청해 주세요.", **again)
    if found is None:
        return expired_page(subs, "처음부터 다시 신청해 주세요.", **again)
    if request.method != "POST" and found.used_at is None:  # a GET or a HEAD (link scanners) confirms nothing
        return subs.page("subscriptions_confirm.html", title="신청 확인", token=token,
                         action=f"{request.script_root}/subscribe/confirm")
    subscriber_id = found.subscriber_id if found.used_at else _create_subscriber(request.app, found)
    return subs.page("subscriptions_done.html", title="신청이 끝났습니다",
                     preferences_url=subs.preferences_url(subscriber_id),
                     phone_pending=bool(found.data.get("phone") and "sms" in found.data.get("channels", ())))


def _create_subscriber(app, found) -> str:
    """The confirmed sign-up as a subscriber (the one with this email
    address, if there is one, takes the new answers and keeps what the form
    does not ask: its groups, and its SMS opt-out unless SMS is chosen
    again); its phone waits for its code."""
    data = found.data
    with app.store() as store, store.changes_from("signup"), store.transaction():
        if not storage.claim(store, found.id):  # a double submit (a double click): the first one created it
            return storage.pending(store, found.id).subscriber_id
        subscriber_id = storage.subscriber_by_email(store, data["email"]) or storage.new_subscriber_id(store)
        old = store.subscriber(subscriber_id)
        store.put_subscriber(Subscriber(
            id=subscriber_id, name=data["name"], email=data["email"], phone=old.phone if old else None,
            birth_year=data["birth_year"], gender=data["gender"], dong=data["dong"], fields=frozenset(data["fields"]),
            channels=frozenset(data["channels"]), kind=data["kind"], business_type=data["business_type"],
            subscribed_at=now_iso(), groups=old.groups if old else frozenset(),
            sms_unsubscribed_at=old.sms_unsubscribed_at if old and "sms" not in data["channels"] else None))
        storage.record_consent(store, subscriber_id, data["consent_version"])
        storage.mark_used(store, found.id, subscriber_id)
        coded = data.get("phone") and data["phone"] != (old.phone if old else None)
        if coded:
            send_phone_code(app, store, subscriber_id, data["phone"])
    if coded:
        app.subscriptions.codes_queued()
    return subscriber_id


def send_phone_code(app, store, subscriber_id: str, phone: str) -> None:
    """A 6-digit code to ``phone``, its text queued in the caller's
    transaction (call ``codes_queued`` once it is committed); the number is used
    once the code comes back."""
    code = f"{secrets.randbelow(10**6):06d}"
    row = storage.pending_row("phone", {"phone": phone}, subscriber_id, code, storage.CODE_SECONDS)
    storage.insert_pending(store, row)
    storage.queue_text(store, subscriber_id, phone, f"[성동구] 전자소통 서비스 인증번호 {code} (10분 안에 입력해 주세요)",
                       row[-1])


def add_routes(app) -> None:
    from .preferences import add_preference_routes

    app.add_template_folder(TEMPLATES)
    app.subscriptions = Subscriptions(app)
    app.add_route("/subscribe", subscribe, ["POST"])
    app.add_route("/subscribe", signup_form, ["GET"])
    app.add_lean_form_route("/subscribe", lean_subscribe)
    app.add_route("/subscribe/check", check_mail, ["GET"])
    app.add_route("/subscribe/confirm", confirm, ["GET", "POST"])
    add_preference_routes(app)
