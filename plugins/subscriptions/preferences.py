"""The reader's own preferences page (SPEC §13): ``/p/TOKEN`` from every
email shows and changes fields, channels, dong, birth year and addresses at
once (the next ``sotong bundles`` reads them); the stored address and number
are shown masked (.masks), their boxes empty: empty keeps them, typed
replaces them, a tick takes the number out; a new email address is used
only once its link is confirmed, a new phone once its 6-digit code comes
back; "stop everything" is its own action. A save sent again within
AGAIN_SECONDS (a double tap) sends no second mail or code. A reader's changes that send a
code or a confirmation mail are limited to ``SUBSCRIBE_RATE`` per reader (an
attacker's own link must not make the office text or mail any number or
address without end), counted in the store as sign-ups are, whichever
collector takes them. ``POST /p/link`` mails the link again and answers the
same whether or not the address is known, in the same time too (what is
no address at all, mistyped or typed with the keyboard left in Korean, gets
the form again with what to fix, as the sign-up's address does): the mail
thread looks the address up, after the answer; a reader's link mailed
within AGAIN_SECONDS by any collector on the store is not mailed again.
The page also shows what other plugins offer the reader there
(``reader_page_blocks``: the surveys they may answer, a lost invitation's
way back)."""

from __future__ import annotations

import functools
import hmac
import re
import time
from dataclasses import replace

from werkzeug.exceptions import NotFound
from werkzeug.utils import redirect

from sotong import signals
from sotong.invisible import UNSTORABLE, trimmed
from sotong.links import collector_url, site_url
from sotong.store import Subscriber, now_iso
from sotong.tokens import make_token, read_token, short_tag
from sotong.web import PostedForm, Prepared, see_other, unstorable_errors

from . import storage
from .outgoing import signed
from .collector import (EMAIL_CONFIRM, PREFERENCES, TooOften, broken_link, expired_page, open_pending,
                         form_answers, send_phone_code)
from .masks import masked_email, masked_phone
from .rules import FORM_PATH, HONEYPOT, Choices, address_error, form_address, read_choices, typed

LINK_MAILED = "link-mailed"  # the purpose of a reader's id signed in subscriptions_links_mailed


def _reader(request, token: str) -> Subscriber:
    subscriber_id = read_token(PREFERENCES, token)
    if subscriber_id is None:
        raise broken_link(request.app.subscriptions, "아래에서 수신 설정 링크를 메일로 다시 받아 주세요.",
                          link_again=collector_url(request.app.settings, "p/link"))
    with request.app.store() as store:
        subscriber = store.subscriber(subscriber_id)
    if subscriber is None:
        raise _no_reader(request.app)
    return subscriber


def _no_reader(app) -> NotFound:
    """The 404 of a genuine link whose reader is no longer on record (forgotten
    at their request): what happened and the way back, where the page said
    only 「페이지를 찾을 수 없습니다」 (an address moved or gone)."""
    return NotFound(response=app.subscriptions.page("subscriptions_message.html", 404, title="등록된 정보가 없습니다", message=(
        "이 링크의 수신 설정으로 등록된 정보가 지금은 없습니다. 개인정보 삭제를 요청하셨다면 요청하신 대로 모두 지웠습니다. "
        "소식을 다시 받으시려면 아래에서 새로 신청해 주세요. 잘못된 것 같으면 전화("
        f"{app.settings['OFFICE_PHONE']})로 알려 주세요."), signup_again=site_url(app.settings, FORM_PATH)))


def _answers_of(subscriber: Subscriber, awaiting: str | None = None) -> dict:
    """The reader's answers as their page shows them: SMS not ticked after a
    수신거부 reply (none is sent); the number ``awaiting`` its code when they have none yet;
    the name without what the collector takes from no one (UNSTORABLE: an
    import before that rule kept a direction control in it), which the page
    would send back and refuse, on every save."""
    return {"name": [UNSTORABLE.sub("", subscriber.name or "")], "email": [subscriber.email or ""],
            "phone": [subscriber.phone or awaiting or ""],
            "birth_year": [str(subscriber.birth_year or "")], "gender": [subscriber.gender or ""],
            "dong": [subscriber.dong or ""], "kind": [subscriber.kind], "business_type": [subscriber.business_type or ""],
            "fields": sorted(subscriber.fields), "channels": sorted(_sent_by(subscriber))}


def _code_sent_to(store, subscriber_id: str) -> str | None:
    """The number the reader's last code that may still come back (unused,
    unexpired, guesses left) was sent to: while there is one, the page asks
    for the code."""
    found = storage.awaited(store, "phone", subscriber_id, time.time())
    return found.data["phone"] if found else None


def _awaiting(store, subscriber: Subscriber) -> str | None:
    """The number a code was sent to that may still come back, for a reader
    who chose SMS and has no number yet: it is shown, and saved again it
    sends no other code."""
    if subscriber.phone or "sms" not in subscriber.channels:
        return None
    return _code_sent_to(store, subscriber.id)


def _sent_by(subscriber: Subscriber) -> frozenset:
    """The channels the reader chose that messages go by (not SMS after a 수신거부 reply)."""
    return subscriber.channels - ({"sms"} if subscriber.sms_unsubscribed_at else set())


def preferences(request, token: str):
    """The full route of ``/p/TOKEN``: the page, and the POSTs the lean route leaves to it."""
    app = request.app
    subscriber = _reader(request, token)
    with app.store() as store:
        awaiting = _awaiting(store, subscriber)
        # a reader who stopped every message is asked for no code (a number typed before stopping)
        code_awaited = subscriber.subscribed and _code_sent_to(store, subscriber.id) is not None
    errors, answers, posted = {}, _answers_of(subscriber, awaiting), {}
    if request.method == "POST" and request.form.get("action") == "stop":
        _stop(app, subscriber.id)
        return _stopped(app).response()
    page = {"title": "수신 설정", "action": f"{request.script_root}/p/{token}", "subscriber": subscriber,
            "preferences": True, "shown": _shown(subscriber, awaiting), "awaiting": awaiting,
            "code_awaited": code_awaited, "phone_action": f"{request.script_root}/p/{token}/phone",
            "blocks": _reader_blocks(app, subscriber), **_masked(subscriber, awaiting)}
    if request.method == "POST":
        posted = form_answers(request)
        answers, errors = _chosen(posted, subscriber, awaiting), unstorable_errors(request, posted)
        if not errors:
            try:
                notes, answers, errors = _save(app, subscriber.id, posted)
            except TooOften as over:  # what was typed is shown again, to press once more later
                return app.subscriptions.too_often(over.wait, "subscriptions_preferences.html", (
                    "짧은 시간에 이메일 주소나 휴대전화 번호를 너무 여러 번 바꾸셔서 지금은 저장하지 않았습니다. 적어 주신 "
                    "내용은 아래에 그대로 있습니다. {when} 뒤에 「바꾼 내용 저장」을 다시 눌러 주세요."), notes=[], **page,
                    **app.subscriptions.form_context(_on_page(answers, posted), {}))
            if notes is None and not errors:  # gone meanwhile (forgotten)
                raise _no_reader(app)
        if not errors:  # shown by a GET, so a reload sends nothing again
            return _saved(app, token, notes).response()
    notes = [NOTES[key] for key in request.args.get("saved", "").split(",") if key in NOTES]
    return app.subscriptions.page("subscriptions_preferences.html", 400 if errors else 200, notes=notes, **page,
                                  **app.subscriptions.form_context(_on_page(answers, posted), errors))


def _reader_blocks(app, subscriber: Subscriber) -> list[dict]:
    """What other plugins show on the reader's own page (``reader_page_blocks``:
    the surveys they may answer), escaped by the template."""
    return [block for _receiver, block in signals.reader_page_blocks.send(app, subscriber=subscriber) if block]


def lean_preferences(app, posted: PostedForm) -> Prepared | None:
    """``POST /p/TOKEN`` without werkzeug: the changes saved (the 303) or
    everything stopped; None for the full route, which answers the rest (a
    forged token, ``/p/link``, a reader not there, wrong answers) before
    anything changes."""
    subscriber_id = read_token(PREFERENCES, posted.segment)
    if subscriber_id is None:
        return None
    answers = {key: values for key, values in posted.fields.items() if key != HONEYPOT}
    if (answers.get("action") or [""])[0] == "stop":
        return _stopped(app) if _stop(app, subscriber_id) else None
    try:
        notes = _save(app, subscriber_id, answers)[0]
    except TooOften:  # a refusal counts nothing: the full route asks again and answers it
        return None
    return None if notes is None else _saved(app, posted.segment, notes)


NOTES = {
    "all": "바꾸신 내용을 저장했습니다. 다음 소식부터 적용됩니다.",
    "email": "새 이메일 주소로 확인 메일을 보냈습니다. 메일의 링크에서 확인하시면 그 주소로 바뀝니다.",
    "phone": "새 휴대전화 번호로 인증번호 6자리를 보냈습니다. 바로 아래 「휴대전화 번호 확인」에 적어 주시면 그 번호로 바뀝니다.",
}


def _choices(app, answers: dict):
    return read_choices(answers, app.project.audiences, app.project.today().year, False)


SHOWN = "shown-"  # the page's hidden fields holding what it showed: shown-dong, shown-fields...
CHECKBOXES = ("fields", "channels")  # left out of a form when none is ticked
# The boxes the page leaves empty (the stored address and number are said
# above them, masked): empty keeps what is stored, typed replaces it.
CONTACTS = ("email", "phone")
FORGET_PHONE = "forget_phone"  # the tick that takes the stored number out (its box empty keeps it)


def _masked(subscriber: Subscriber, awaiting: str | None) -> dict[str, str | None]:
    """What the page says of the stored address and number and of the one
    awaiting its code: masked (.masks), never whole."""
    return {"stored_email": subscriber.email and masked_email(subscriber.email),
            "stored_phone": subscriber.phone and masked_phone(subscriber.phone),
            "awaiting_phone": awaiting and masked_phone(awaiting)}


def _on_page(answers: dict, posted: dict) -> dict:
    """The answers as the page shows them: the CONTACTS boxes and the
    FORGET_PHONE tick as the reader sent them in this request (typed, shown
    again beside an error), else empty."""
    return {**answers, **{key: posted.get(key) or [""] for key in (*CONTACTS, FORGET_PHONE)}}


def _shown(subscriber: Subscriber, awaiting: str | None) -> dict[str, str]:
    """What the page shows the reader, one string per answer (``;`` between
    ticked boxes; the CONTACTS boxes are empty), and whether they are
    subscribed: the page's SHOWN fields."""
    shown = {key: ";".join(values) for key, values in _answers_of(subscriber, awaiting).items() if key not in CONTACTS}
    return {**shown, "subscribed": "yes" if subscriber.subscribed else "no"}


def _typed_contact(posted: dict, key: str) -> list[str] | None:
    """The address or number typed in the CONTACTS box ``key`` (what shows
    nothing alone is nothing typed); for the phone, an empty box with
    FORGET_PHONE ticked takes the number out ([""]); None: keep what is stored."""
    value = (posted.get(key) or [""])[0]
    if trimmed(value):
        return [value]
    return [""] if key == "phone" and (posted.get(FORGET_PHONE) or [""])[0] == "yes" else None


def _chosen(posted: dict, subscriber: Subscriber, awaiting: str | None) -> dict:
    """The answers to save: each as posted where the reader changed it on
    the page (it differs from what the page showed them), else as stored; so
    an answer the form left out, or one changed elsewhere since the page was
    shown (in another tab, by an import, by the first of a double submit),
    stays as it is. A page without SHOWN fields changes what it posts. The
    CONTACTS: what is typed replaces what is stored (:func:`_typed_contact`)."""
    chosen = _answers_of(subscriber, awaiting)
    for key in chosen:
        if key in CONTACTS:
            chosen[key] = _typed_contact(posted, key) or chosen[key]
            continue
        shown = (posted.get(SHOWN + key) or [None])[0]
        value = posted.get(key)
        if value is None and key in CHECKBOXES and shown is not None:
            value = []  # the page had the boxes, and none was ticked
        if value is not None and ";".join(sorted(value)) != shown:
            chosen[key] = value
    return chosen


def _kept_as_stored(choices: Choices, errors: dict, posted: dict, subscriber: Subscriber) -> tuple[Choices, dict]:
    """``choices`` and ``errors`` with each of the CONTACTS the reader left
    empty (:func:`_typed_contact`) kept as stored and not checked as typed:
    an address or number the form would refuse (imported, or stored before
    the form refused it) stopped every save with the error of a box the
    reader never typed in."""
    kept = [key for key in CONTACTS if key in errors and _typed_contact(posted, key) is None and getattr(subscriber, key)]
    return (replace(choices, **{key: getattr(subscriber, key) for key in kept}),
            {key: error for key, error in errors.items() if key not in kept})


def _resumes(posted: dict) -> bool:
    """Whether saving starts the reader's messages again: the page showed
    them stopped (not a page from before they stopped elsewhere)."""
    return (posted.get(SHOWN + "subscribed") or [""])[0] != "yes"


def _stop(app, subscriber_id: str) -> bool:
    """Stop everything for the reader; False when there is no such reader."""
    with app.store() as store, store.changes_from("preferences-stop"):
        if store.db.execute("SELECT 1 FROM subscribers WHERE id = ?", (subscriber_id,)).fetchone() is None:
            return False
        store.unsubscribe(subscriber_id)
    return True


def _stopped(app) -> Prepared:
    return app.subscriptions.answer_once("stopped", lambda: app.subscriptions.page(
        "subscriptions_message.html", title="모든 수신을 그만두었습니다", message=(
            "이제부터 이메일과 문자를 보내 드리지 않습니다. 다시 받고 싶으시면 받으신 소식 메일 아래쪽의 「수신 설정」 "
            "링크를 여시고 받을 소식을 골라 저장하시면 됩니다."), link_again=collector_url(app.settings, "p/link")))


def _saved(app, token: str, notes: list[str]) -> Prepared:
    """The 303 to the page (a GET) that shows the ``notes`` (keys of NOTES)."""
    return see_other(collector_url(app.settings, f"p/{token}?saved={','.join(notes)}"))


def _save(app, subscriber_id: str, posted: dict) -> tuple[list[str] | None, dict, dict]:
    """Store the answers the reader changed (:func:`_chosen`) at once,
    except a new email or phone, which wait for their confirmation, and
    start their messages again if the page showed them stopped: one
    transaction, which reads the reader too. The keys of the NOTES to show
    (None when the reader is not there or an answer is wrong), the answers
    as saved and the errors by field; TooOften, with nothing changed, when a
    code or a mail would go out more often than SUBSCRIBE_RATE allows the reader."""
    app.subscriptions.unsendable(form_address((posted.get("email") or [""])[0]))  # the server asked before the lock
    with (app.store() as store, store.changes_from("preferences"), store.transaction(),
          store.locked("subscriptions reader " + subscriber_id)):
        subscriber = store.subscriber(subscriber_id)
        if subscriber is None:
            return None, {}, {}
        awaiting = _awaiting(store, subscriber)
        answers = _chosen(posted, subscriber, awaiting)
        choices, errors = _kept_as_stored(*_choices(app, answers), posted, subscriber)
        if errors:
            return None, answers, errors
        new_email = choices.email not in (None, subscriber.email)
        if new_email and (unsendable := app.subscriptions.unsendable(choices.email)):
            return None, answers, {"email": unsendable}
        lately = _asked_lately(store, subscriber.id)  # a second tap on 저장: what the first sent stands
        new_phone = choices.phone not in (None, subscriber.phone, awaiting, lately["phone"])
        mails = new_email and choices.email != lately["email"]
        if mails or new_phone:
            app.subscriptions.count(store, f"reader {subscriber_id}")  # TooOften over the rate: nothing changed
        restarts = _resumes(posted) and not subscriber.subscribed
        store.put_subscriber(Subscriber(**{
            **subscriber.__dict__, "name": choices.name, "birth_year": choices.birth_year, "gender": choices.gender,
            "dong": choices.dong, "kind": choices.kind, "business_type": choices.business_type,
            "fields": choices.fields, "channels": choices.channels | (subscriber.channels - _sent_by(subscriber)),
            "phone": subscriber.phone if choices.phone else None,  # a number taken out is gone at once, a new one waits
            "sms_unsubscribed_at": None if "sms" in choices.channels else subscriber.sms_unsubscribed_at,
            "unsubscribed_at": None if restarts else subscriber.unsubscribed_at,
            "subscribed_at": now_iso() if restarts else subscriber.subscribed_at}))
        if mails:
            _ask_email(app, store, subscriber.id, choices.email)
        if new_phone:
            send_phone_code(app, store, subscriber.id, choices.phone)
    if mails:
        app.subscriptions.mailer.wake()
    if new_phone:
        app.subscriptions.codes_queued()
    # the page says what was sent, now or by the first tap (a second one shows the same page)
    coded = new_phone or (choices.phone not in (None, subscriber.phone) and choices.phone == lately["phone"])
    return ["all"] + ["email"] * new_email + ["phone"] * coded, answers, {}


def _asked_lately(store, subscriber_id: str) -> dict[str, str | None]:
    """The email address and phone number the reader's confirmation mail and
    code sent within AGAIN_SECONDS went to (None: none sent, or one used)."""
    lately = storage.sent_lately(store, ("email", "phone"), time.time(), subscriber_id)
    return {purpose: next((found.data[purpose] for found in lately if found.purpose == purpose), None)
            for purpose in ("email", "phone")}


def _ask_email(app, store, subscriber_id: str, address: str) -> None:
    """The confirmation mail to a new address queued; a link mailed before to
    another address is dropped (the newer address wins: one link confirms)."""
    storage.drop_unused(store, "email", subscriber_id)
    pending_id = storage.add_pending(store, "email", {"email": address}, subscriber_id)
    storage.insert_mail(store, _email_change_mail(app, subscriber_id, address, pending_id))


def _email_change_mail(app, subscriber_id: str, address: str, pending_id: str) -> tuple:
    link = collector_url(app.settings, "p/email?t=" + make_token(EMAIL_CONFIRM, pending_id))
    return storage.mail_row(address, "[성동구 소통] 새 이메일 주소를 확인해 주세요", signed(app.settings, (
        "전자소통 서비스의 이메일 주소를 이 주소로 바꾸시려면 아래 링크를 열고 「주소 확인」 단추를 눌러 주세요. "
        f"링크는 24시간 동안 쓸 수 있습니다.\n\n{link}\n\n바꾸신 적이 없으시면 이 메일을 지우시면 됩니다.\n")),
        subscriber_id)


def confirm_email(request):
    subs = request.app.subscriptions
    token = request.form.get("t") if request.method == "POST" else request.args.get("t")
    what_next = "소식 메일 아래쪽의 「수신 설정」 링크를 열고 새 주소를 다시 저장해 주세요. 확인 메일을 다시 보내 드립니다."
    again = {"link_again": collector_url(request.app.settings, "p/link")}  # not a sign-up: saved again on their page
    found = open_pending(request, EMAIL_CONFIRM, token, what_next, **again)
    if found is None:
        return expired_page(subs, what_next, **again)
    if request.method != "POST" and found.used_at is None:  # a GET or a HEAD (link scanners) changes nothing
        return subs.page("subscriptions_confirm.html", title="새 이메일 주소 확인", token=token, email_change=True,
                         action=f"{request.script_root}/p/email")
    if found.used_at is None:
        with request.app.store() as store, store.changes_from("preferences"), store.transaction():
            store.db.execute("UPDATE subscribers SET email = ? WHERE id = ?",  # a mark of the old address no longer applies
                             (found.data["email"], found.subscriber_id))
            storage.mark_used(store, found.id, found.subscriber_id)
    return subs.page("subscriptions_message.html", title="이메일 주소를 바꾸었습니다",  # the way on: their page
                     message="다음 소식부터 새 주소로 보내 드립니다.", back=subs.preferences_url(found.subscriber_id))


def confirm_phone(request, token: str):
    """The 6-digit code typed: the number it was sent to becomes the
    reader's. Typed full-width or with spaces or a dash, or pasted with what
    shows nothing at its ends, it is read as its digits; what is not six
    digits is no guess (it counts none of the five)."""
    subscriber = _reader(request, token)
    code = re.sub(r"[\s-]", "", typed(request.form.get("code") or ""))  # typed trims what shows nothing
    if not re.fullmatch(r"[0-9]{6}", code):
        return request.app.subscriptions.page(
            "subscriptions_message.html", 400, title="인증번호를 다시 적어 주세요",
            back=collector_url(request.app.settings, "p/" + token), message="문자로 받은 인증번호 6자리를 숫자로 적어 주세요. 예: 123456")
    with request.app.store() as store, store.changes_from("preferences"), store.transaction():
        found = _guessed(store, subscriber.id, code)
        if found:
            store.db.execute("UPDATE subscribers SET phone = ? WHERE id = ?", (found.data["phone"], subscriber.id))
            storage.use_all(store, "phone", subscriber.id)
        if found or _confirmed_by(store, subscriber.id, code):
            title, message, status = "휴대전화 번호를 확인했습니다", "이제 문자로도 소식을 보내 드립니다.", 200
        else:
            title, message, status = "인증번호가 맞지 않습니다", (
                "인증번호가 맞지 않거나 10분이 지났습니다. 수신 설정에서 휴대전화 번호를 다시 저장하시면 새 인증번호를 보내 드립니다."), 400
    return request.app.subscriptions.page("subscriptions_message.html", status, title=title,  # the heading says what happened
                                          message=message, back=collector_url(request.app.settings, "p/" + token))


def _confirmed_by(store, subscriber_id: str, code: str) -> bool:
    """Whether ``code`` is one sent to the reader's number as it is now,
    used and not yet expired, with no code for another number awaited: the
    second of a double tap on 「번호 확인」, whose answer is the one the
    browser shows, is answered as the first was. Not counted as a guess:
    such a code confirms nothing more."""
    return any(used.data["phone"] == phone and hmac.compare_digest(used.code_hash, storage.code_digest(used.id, code))
               for used, phone in storage.used_codes(store, subscriber_id, time.time()))


def _guessed(store, subscriber_id: str, code: str) -> storage.Pending | None:
    """The reader's code that ``code`` is, of those sent to the number they
    asked for last (one saved again after AGAIN_SECONDS got a second code: either may be typed); each
    counts the guess before it is compared with it, so no code is compared
    more than CODE_ATTEMPTS times."""
    codes = storage.unused(store, "phone", subscriber_id)
    asked = [one.id for one in codes if one.data["phone"] == codes[0].data["phone"]]
    matched = None
    for pending_id in asked:
        found = storage.count_guess(store, pending_id, time.time())
        if found and hmac.compare_digest(found.code_hash, storage.code_digest(found.id, code)):
            matched = matched or found
    return matched


def link_request(request):
    """GET: the form; POST: the link by mail to a known address, and the same answer for any address
    (the form again, saying what to fix, for what is no address at all)."""
    subs = request.app.subscriptions
    if request.method != "POST":  # a GET or a HEAD
        return _link_page(request)
    if wait := subs.wait_for(request.remote_addr):  # the address typed is shown again, to press once more later
        return subs.too_often(wait, "subscriptions_link.html", (
            "같은 곳에서 요청이 너무 많이 들어와 지금은 보낼 수 없습니다. {when} 뒤에 「링크 보내기」를 다시 눌러 주세요."),
            title="수신 설정 링크 받기", address=request.form.get("email", ""), action=f"{request.script_root}/p/link",
            honeypot=HONEYPOT)
    if errors := unstorable_errors(request, ["email"]):
        return _link_page(request, 400, errors["email"], request.form.get("email", ""))
    if request.form.get(HONEYPOT):
        return redirect(collector_url(request.app.settings, "p/link/sent"), 303)
    typed_address = trimmed(request.form.get("email") or "")
    address = form_address(typed_address) if typed_address else None
    if address is None:  # no one's address (mistyped, or typed in Korean): refusing it tells nothing of who is on record
        error = address_error(typed_address) if typed_address else "수신 설정 링크를 보내 드릴 이메일 주소를 적어 주세요."
        return _link_page(request, 400, error, typed_address)
    if error := subs.unsendable(address):  # said of any such address, on record or not
        return _link_page(request, 400, error, typed_address)
    subs.mailer.later(functools.partial(_mail_link, request.app, address))  # looked up by the mail thread: the answer reads nothing
    return redirect(collector_url(request.app.settings, "p/link/sent"), 303)


def _mail_link(app, address: str, store) -> None:
    """Queue the preferences link of the reader whose address ``address``
    is, as the sign-up form reads it (typed full-width, it is the ASCII
    address stored: :func:`~.rules.form_address`), if there is one and their link was not mailed within
    AGAIN_SECONDS by this collector or another on the store (a second tap on
    링크 보내기: one mail, the same link). On the mail thread, after the answer."""
    subscriber_id = storage.subscriber_by_email(store, address)
    if not subscriber_id:
        return
    with store.transaction():
        if storage.link_goes(store, short_tag(LINK_MAILED, subscriber_id, length=26), time.time()):
            # to the address as confirmed, however the request spelled it
            storage.queue_mail(store, store.subscriber(subscriber_id).email, "[성동구 소통] 수신 설정 링크", signed(
                app.settings, "요청하신 수신 설정 링크입니다. 받는 분야와 방법, 주소를 바꾸거나 그만두실 수 있습니다."
                f"\n\n{app.subscriptions.preferences_url(subscriber_id)}\n\n요청하지 않으셨다면 이 메일을 지우시면 됩니다.\n"),
                subscriber_id)


def _link_page(request, status: int = 200, error: str | None = None, address: str = ""):
    """The form asking for the address to mail the link to, with ``error``
    above it and at the field, which shows ``address`` again to check."""
    return request.app.subscriptions.page("subscriptions_link.html", status, title="수신 설정 링크 받기", error=error,
                                          address=address, action=f"{request.script_root}/p/link", honeypot=HONEYPOT)


def link_sent(request):
    return request.app.subscriptions.page("subscriptions_message.html", title="수신 설정 링크 메일을 확인해 주세요", message=(
        "적어 주신 주소가 전자소통 서비스에 등록되어 있으면, 수신 설정 링크를 그 주소로 보냈습니다. "
        f"메일이 오지 않으면 주소를 확인하시거나 전화({request.app.settings['OFFICE_PHONE']})로 연락해 주세요."))


def phone_page(request, token: str):
    """``GET /p/TOKEN/phone``: the address a phone code was answered at,
    opened again: 303 to the reader's preferences page (where the code is
    typed), not a 405 page."""
    return redirect(collector_url(request.app.settings, "p/" + token), 303)


def add_preference_routes(app) -> None:
    app.add_route("/p/link", link_request, ["GET", "POST"])
    app.add_route("/p/link/sent", link_sent, ["GET"])
    app.add_route("/p/email", confirm_email, ["GET", "POST"])
    app.add_route("/p/<token>", preferences, ["GET", "POST"])
    app.add_lean_form_route("/p/", lean_preferences)
    app.add_route("/p/<token>/phone", confirm_phone, ["POST"])
    app.add_route("/p/<token>/phone", phone_page, ["GET"])
