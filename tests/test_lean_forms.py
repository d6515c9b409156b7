"""The sign-up and preferences POSTs answered before werkzeug (issue #13):
the lean reading of a url-encoded form against the full route's
(:class:`CollectorRequest`) on hostile bodies, the forms it leaves to the
full route (another content type, a length missing or over the limit, too
many fields, text that cannot be stored), the 303 made without werkzeug
against werkzeug's, which POSTs the lean routes answer and which they leave
untouched, the statements of one POST, and over real HTTP the same statuses
and store for hostile forms and the rate limit as the full route gives."""

from __future__ import annotations

import http.client
import io
import itertools
import json
import threading
from urllib.parse import quote_plus, urlencode

import pytest
from delivery_support import add_subscribers
from hypothesis import given, settings, strategies as st
from project_support import copy_project, new_store_location, project_on, serving, store_of, store_query
import test_collector_routes
from werkzeug.test import EnvironBuilder
from werkzeug.utils import redirect

from sotong.project import Project
from sotong.tokens import make_token
from sotong.web import LEAN_FORM_FIELDS, MAX_BODY_BYTES, CollectorRequest, Prepared, lean_form, make_app, see_other

server = test_collector_routes.server  # the fixture: the collector of the status walk

FORM_TYPE = "application/x-www-form-urlencoded"
SIGN_UP = {"email": "new@example.com", "fields": ["health", "culture"], "channels": "email", "birth_year": "1950",
           "dong": "majang", "consent": "yes", "website": ""}
SAVE = {"email": "s00001@example.com", "fields": ["health", "library"], "channels": "email", "birth_year": "1961",
        "dong": "majang", "action": "save"}
ERROR = "This field held characters that cannot be stored"


def posted(body: bytes, content_type: str | None = FORM_TYPE, length: str | None = None, path: str = "/subscribe",
           client: str = "127.0.0.1") -> dict:
    """The WSGI environ of a POST as waitress hands it over."""
    environ = {"REQUEST_METHOD": "POST", "PATH_INFO": path, "SCRIPT_NAME": "", "QUERY_STRING": "",
               "CONTENT_LENGTH": str(len(body)) if length is None else length, "wsgi.input": io.BytesIO(body),
               "REMOTE_ADDR": client, "SERVER_NAME": "127.0.0.1", "SERVER_PORT": "8080", "wsgi.url_scheme": "http",
               "SERVER_PROTOCOL": "HTTP/1.1"}
    if content_type is not None:
        environ["CONTENT_TYPE"] = content_type
    return environ


def encoded(fields: dict) -> bytes:
    return urlencode(fields, doseq=True).encode()


# --- the lean reading of a form ------------------------------------------------------------------------------

# pieces of a body as a browser or a script may send them: plain and percent-encoded text, NUL and
# other control characters, bytes that are not UTF-8, an encoded surrogate, fields without "=", empty
# fields, "+" for a space, repeated names
RAW_PIECES = st.sampled_from(["%00", "%07", "%1F", "%FF", "%ED%A0%80", "%EF%BF%BD", "%E2%82%AC", "+", "%2B", "%26",
                              "%3D", "%0D%0A", "%09", "%", "%G1", "=", "&", "&&", "a", "email", "website", ";", "é"])
NAMES = st.one_of(st.sampled_from(["email", "fields", "channels", "website", "action", "a"]),
                  st.text(st.characters(blacklist_categories=["Cs"]), max_size=4))
VALUES = st.text(st.characters(blacklist_categories=["Cs"]), max_size=6)


@st.composite
def hostile_bodies(draw) -> bytes:
    pairs = draw(st.lists(st.tuples(NAMES, VALUES), max_size=8))
    parts = [f"{quote_plus(name)}={quote_plus(value)}" for name, value in pairs]
    for _ in range(draw(st.integers(0, 3))):
        parts.insert(draw(st.integers(0, len(parts))), "".join(draw(st.lists(RAW_PIECES, min_size=1, max_size=3))))
    return "&".join(parts).encode()


@settings(max_examples=300, deadline=None)
@given(hostile_bodies())
def test_the_lean_reading_is_the_full_routes_or_leaves_the_form_to_it(body):
    """Either the same names, values and order as the full route reads, or
    None exactly when the full route finds text it cannot store (or more
    fields than a lean route reads); the body stays readable for it."""
    environ = posted(body)
    fields = lean_form(environ)
    request = CollectorRequest(environ)  # reads what lean_form left in the environ
    full = {name: request.form.getlist(name) for name in request.form}
    if request.unstorable_fields or body.count(b"&") >= LEAN_FORM_FIELDS:
        assert fields is None
    else:
        assert fields == full and list(fields) == list(full)


def test_repeated_fields_keep_every_value_in_order_and_the_first_is_the_answer():
    fields = lean_form(posted(b"email=a%40example.com&fields=health&email=b%40example.com&fields=culture&x"))
    assert fields == {"email": ["a@example.com", "b@example.com"], "fields": ["health", "culture"], "x": [""]}


@pytest.mark.parametrize("content_type, length, body", [
    ("multipart/form-data; boundary=x", None, encoded(SIGN_UP)),
    ("text/plain", None, encoded(SIGN_UP)),
    (None, None, encoded(SIGN_UP)),
    ("application/x-www-form-urlencoded-not", None, encoded(SIGN_UP)),
    ("application/json", None, json.dumps(SIGN_UP).encode()),
    (FORM_TYPE, "", encoded(SIGN_UP)),  # no length: a chunked body waitress did not measure
    (FORM_TYPE, "-1", encoded(SIGN_UP)),
    (FORM_TYPE, "1e3", encoded(SIGN_UP)),
    (FORM_TYPE, None, b"a=" + b"x" * MAX_BODY_BYTES),
    (FORM_TYPE, None, "&".join(f"f{n}=1" for n in range(LEAN_FORM_FIELDS + 1)).encode()),
    (FORM_TYPE, None, encoded({**SIGN_UP, "name": "홍\x00길동"})),
    (FORM_TYPE, None, encoded(SIGN_UP) + b"&name=%FF"),
    (FORM_TYPE, None, encoded(SIGN_UP) + b"&%00=x"),
], ids=["multipart", "text", "no type", "lookalike type", "json", "no length", "negative length",
        "not a number", "over the limit", "too many fields", "NUL", "not UTF-8", "NUL in a name"])
def test_forms_the_lean_reading_leaves_to_the_full_route_stay_readable(content_type, length, body):
    environ = posted(body, content_type, length)
    assert lean_form(environ) is None
    assert environ["wsgi.input"].read() == body


@pytest.mark.parametrize("content_type", [FORM_TYPE, "application/x-www-form-urlencoded; charset=utf-8",
                                          "Application/X-WWW-Form-URLEncoded ; charset=UTF-8"])
def test_url_encoded_forms_are_read_lean_whatever_the_spelling_of_their_type(content_type):
    fields = lean_form(posted(encoded(SIGN_UP), content_type))
    assert fields is not None and fields["email"] == ["new@example.com"] and fields["fields"] == ["health", "culture"]
    assert lean_form(posted("&".join(f"f{n}=1" for n in range(LEAN_FORM_FIELDS)).encode())) is not None


# --- the 303 without werkzeug --------------------------------------------------------------------------------


def _outcome(make, location: str):
    try:
        return make(location)
    except ValueError as error:  # werkzeug refuses a line break in a header
        return type(error)


@settings(max_examples=200, deadline=None)
@given(st.one_of(st.text(max_size=40), st.text(st.sampled_from("abcXYZ019-_.:/?=,&<>\"'%#~ "), max_size=60)))
def test_see_other_is_werkzeugs_303_byte_for_byte(location):
    assert _outcome(see_other, location) == _outcome(lambda where: Prepared.of(redirect(where, 303)), location)


# --- the lean routes -----------------------------------------------------------------------------------------


@pytest.fixture
def closed_after():
    """The collector apps a test makes, closed after it: their confirmation
    mail thread stopped (it would go on retrying a store since removed) and
    their store closed."""
    made = []
    yield made.append
    for app in made:
        app.close()


def app_of(project, closed_after):
    app = make_app(Project(project / "pelicanconf.py"))
    closed_after(app)
    return app


@pytest.fixture
def app_in_process(tmp_path, closed_after):
    project = copy_project(tmp_path, extra_settings='SMTP_PORT = 9\nSUBSCRIBE_RATE = "1000/hour"\n')
    add_subscribers(project / "private" / "sotong.db", 2)
    store_query(project, "UPDATE subscribers SET email = lower(id) || '@example.com'")  # addresses a form takes
    return app_of(project, closed_after), project


def pending_emails(project) -> list[str]:
    return [json.loads(data)["email"] for (data,) in store_query(
        project, "SELECT data FROM subscriptions_pending WHERE purpose = 'signup' ORDER BY expires_at")]


def full_answer(app, environ) -> Prepared:
    """The answer of the full route (werkzeug), in this process."""
    answer = {}
    body = b"".join(app.full_answer(environ, lambda status, headers: answer.update(status=status, headers=headers)))
    return Prepared(answer["status"], tuple(answer["headers"]), body)


def test_a_sign_up_is_answered_lean_with_the_full_routes_answer(app_in_process):
    app, project = app_in_process
    lean = app.lean_answer(posted(encoded(SIGN_UP)))
    assert lean is not None and lean.status == "303 SEE OTHER"
    assert dict(lean.headers)["Location"] == "http://127.0.0.1:8080/subscribe/check"
    assert app.lean_answer(posted(encoded({**SIGN_UP, "email": "b@example.com"}))) is lean  # made once
    full = full_answer(app, posted(encoded({**SIGN_UP, "email": "c@example.com"})))
    assert (full.status, sorted(full.headers), full.body) == (lean.status, sorted(lean.headers), lean.body)
    assert pending_emails(project) == ["new@example.com", "b@example.com", "c@example.com"]
    assert store_query(project, "SELECT recipient FROM subscriptions_mail ORDER BY queued_at") == [
        ("new@example.com",), ("b@example.com",), ("c@example.com",)]


@pytest.mark.parametrize("environ", [
    posted(encoded({**SIGN_UP, "website": "http://spam"})),
    posted(encoded({**SIGN_UP, "email": "not an address"})),
    posted(encoded({**SIGN_UP, "consent": "no"})),
    posted(encoded({key: value for key, value in SIGN_UP.items() if key != "fields"})),
    posted(encoded({key: value for key, value in SIGN_UP.items() if key != "email"})),
    posted(b""),
    posted(encoded({**SIGN_UP, "name": "a\x00b"})),
    posted(encoded(SIGN_UP), "text/plain"),
    posted(encoded(SIGN_UP), path="/subscribe/"),
    posted(encoded(SIGN_UP), path="/subscribe/x"),
    posted(encoded(SIGN_UP), path="/subscribe/confirm"),
    {**posted(encoded(SIGN_UP)), "REQUEST_METHOD": "PUT"},
], ids=["honeypot", "wrong email", "no consent", "no fields", "no email", "empty", "NUL", "text/plain",
        "trailing slash", "below", "confirm", "PUT"])
def test_the_sign_ups_the_lean_route_leaves_to_the_full_route_change_nothing(app_in_process, environ):
    app, project = app_in_process
    assert app.lean_answer(environ) is None
    assert pending_emails(project) == [] and store_query(project, "SELECT * FROM subscriptions_rate") == []  # not even counted


def test_a_client_over_the_rate_is_left_to_the_full_route_and_counted_once(tmp_path, closed_after):
    project = copy_project(tmp_path, extra_settings='SMTP_PORT = 9\nSUBSCRIBE_RATE = "2/hour"\n')
    app = app_of(project, closed_after)
    answers = [app.lean_answer(posted(encoded({**SIGN_UP, "email": f"r{n}@example.com"}))) for n in range(3)]
    assert [answer is not None for answer in answers] == [True, True, False]
    assert store_query(project, "SELECT count(*) FROM subscriptions_rate") == [(2,)]
    assert full_answer(app, posted(encoded({**SIGN_UP, "email": "r2@example.com"}))).status.startswith("429")
    assert app.lean_answer(posted(encoded(SIGN_UP), client="10.0.0.2")) is not None  # another client


def test_a_preferences_change_is_answered_lean_and_stored(app_in_process):
    app, project = app_in_process
    token = make_token("preferences", "S00001")
    lean = app.lean_answer(posted(encoded(SAVE), path=f"/p/{token}"))
    assert lean is not None and lean.status == "303 SEE OTHER"
    assert dict(lean.headers)["Location"] == f"http://127.0.0.1:8080/p/{token}?saved=all"
    assert store_query(project, "SELECT birth_year, dong, fields FROM subscribers WHERE id = 'S00001'") == [
        (1961, "majang", "health;library")]
    assert ("preferences", "birth_year") in store_query(
        project, "SELECT source, field FROM consent_log_columns WHERE subscriber_id = 'S00001'")
    full = full_answer(app, posted(encoded(SAVE), path=f"/p/{token}"))
    assert (full.status, sorted(full.headers), full.body) == (lean.status, sorted(lean.headers), lean.body)


def test_stop_everything_is_answered_lean_with_the_page_made_once(app_in_process):
    app, project = app_in_process
    stop = encoded({"action": "stop"})
    first = app.lean_answer(posted(stop, path=f"/p/{make_token('preferences', 'S00001')}"))
    assert first is not None and first.status == "200 OK" and "모든 수신을 그만두었습니다" in first.body.decode()
    assert app.lean_answer(posted(stop, path=f"/p/{make_token('preferences', 'S00002')}")) is first
    assert store_query(project, "SELECT count(*) FROM subscribers WHERE unsubscribed_at IS NOT NULL") == [(2,)]
    assert ("preferences-stop",) in store_query(project, "SELECT source FROM consent_log_columns WHERE field = 'unsubscribed_at'")
    assert app.lean_answer(posted(stop, path=f"/p/{make_token('preferences', 'S99999')}")) is None  # 404's


@pytest.mark.parametrize("path, fields", [
    ("/p/{forged}", SAVE),
    ("/p/{unsubscribe}", SAVE),
    ("/p/{S99999}", SAVE),
    ("/p/{S00001}", {**SAVE, "birth_year": "1800"}),
    ("/p/{S00001}", {**SAVE, "channels": "fax"}),
    ("/p/{S00001}", {**SAVE, "name": "a\x07b"}),
    ("/p/{S00001}/phone", {"code": "123456"}),
    ("/p/link", {"email": "s00001@example.com"}),
    ("/p/email", {"t": "x"}),
    ("/p/", SAVE),
], ids=["forged", "other purpose", "unknown reader", "wrong year", "wrong channel", "bell", "phone", "link", "email",
        "no token"])
def test_the_preferences_posts_the_lean_route_leaves_to_the_full_route_change_nothing(app_in_process, path, fields):
    app, project = app_in_process
    tokens = {"{forged}": make_token("preferences", "S00001", key=b"not the office's"),
              "{unsubscribe}": make_token("unsubscribe", "S00001"), "{S99999}": make_token("preferences", "S99999"),
              "{S00001}": make_token("preferences", "S00001")}
    for marker, token in tokens.items():
        path = path.replace(marker, token)
    before = store_query(project, "SELECT * FROM subscribers ORDER BY id")
    assert app.lean_answer(posted(encoded(fields), path=path)) is None
    assert store_query(project, "SELECT * FROM subscribers ORDER BY id") == before
    assert store_query(project, "SELECT count(*) FROM consent_log WHERE source LIKE 'preferences%'") == [(0,)]


def test_on_postgresql_the_lean_routes_store_the_same(tmp_path, closed_after):
    project = project_on(new_store_location("postgresql", tmp_path), tmp_path,
                         extra_settings='SMTP_PORT = 9\nSUBSCRIBE_RATE = "1000/hour"\n')
    add_subscribers(store_of(project), 2)
    store_query(project, "UPDATE subscribers SET email = lower(id) || '@example.com'")
    app = app_of(project, closed_after)
    assert app.lean_answer(posted(encoded(SIGN_UP))).status == "303 SEE OTHER"
    assert app.lean_answer(posted(encoded(SAVE), path=f"/p/{make_token('preferences', 'S00001')}")) is not None
    stop = app.lean_answer(posted(encoded({"action": "stop"}), path=f"/p/{make_token('preferences', 'S00002')}"))
    assert stop is not None and stop.status == "200 OK"
    assert pending_emails(project) == ["new@example.com"]
    assert store_query(project, "SELECT recipient FROM subscriptions_mail") == [("new@example.com",)]
    assert store_query(project, "SELECT id, birth_year, unsubscribed_at IS NOT NULL FROM subscribers ORDER BY id") == [
        ("S00001", 1961, False), ("S00002", 1960, True)]
    logged = store_query(project, "SELECT subscriber_id, source, field FROM consent_log_columns WHERE source LIKE "
                                "'preferences%' ORDER BY id, position")
    assert logged == [
        ("S00001", "preferences", "birth_year"), ("S00001", "preferences", "dong"), ("S00001", "preferences", "fields"),
        ("S00001", "preferences", "channels"), ("S00002", "preferences-stop", "unsubscribed_at")]


def statements_of(app, environ) -> list[str]:
    """The SQL statements one request sends to the store, by their first words."""
    sent, this_thread = [], threading.get_ident()
    with app.store() as store:  # the mail thread's statements left out
        store.db.set_trace_callback(lambda sql: sent.append(sql) if threading.get_ident() == this_thread else None)
    try:
        assert app.lean_answer(environ) is not None
    finally:
        with app.store() as store:
            store.db.set_trace_callback(None)
    # SQLite traces a statement again for each trigger program it runs
    return [key for key, _ in itertools.groupby(" ".join(sql.split()[:3]) for sql in sent if not sql.startswith("--"))]


def test_a_sign_up_and_a_change_are_one_transaction_each(app_in_process):
    """The reader is read inside the change's transaction (what it writes
    back is what was there), a sign-up is counted toward SUBSCRIBE_RATE in
    its own (the store's count, which every collector shares), and no
    housekeeping rides on a request."""
    app, _project = app_in_process
    statements_of(app, posted(encoded({**SIGN_UP, "email": "first@example.com"})))  # the minute's cleanup
    assert statements_of(app, posted(encoded(SIGN_UP))) == [  # the SELECT *: one sent a moment ago (a double tap)
        "BEGIN IMMEDIATE", "SELECT * FROM", "INSERT INTO subscriptions_pending", "INSERT INTO subscriptions_mail",
        "INSERT INTO subscriptions_rate", "COMMIT"]
    change = statements_of(app, posted(encoded(SAVE), path=f"/p/{make_token('preferences', 'S00001')}"))
    assert change == ["BEGIN IMMEDIATE", "SELECT id, name,", "SELECT * FROM", "INSERT INTO subscribers", "COMMIT"]


# --- over real HTTP ------------------------------------------------------------------------------------------


def send(port: int, path: str, body: bytes, content_type: str | None = FORM_TYPE) -> tuple[int, dict, str]:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    try:
        connection.request("POST", path, body=body, headers={"Content-Type": content_type} if content_type else {})
        response = connection.getresponse()
        return response.status, dict(response.getheaders()), response.read().decode("utf-8")
    finally:
        connection.close()


def multipart(fields: dict) -> tuple[bytes, str]:
    builder = EnvironBuilder(method="POST", data=fields, content_type="multipart/form-data")
    environ = builder.get_environ()
    return environ["wsgi.input"].read(), environ["CONTENT_TYPE"]


@pytest.mark.parametrize("body, content_type, status, taken, shown", [
    (b"email=first%40example.com&email=second%40example.com&" + encoded({k: v for k, v in SIGN_UP.items() if k != "email"}),
     FORM_TYPE, 303, "first@example.com", None),
    (b"x=" + b"a" * MAX_BODY_BYTES, FORM_TYPE, 413, None, None),
    (encoded({**SIGN_UP, "email": "nul@example.com", "name": "홍MARK"}).replace(b"MARK", b"%00"), FORM_TYPE, 400, None,
     ERROR),
    (encoded({**SIGN_UP, "email": "ff@example.com", "name": "홍MARK"}).replace(b"MARK", b"%FF"), FORM_TYPE, 400, None,
     ERROR),
    (encoded({**SIGN_UP, "email": "plain@example.com"}), "text/plain", 400, None, "form-errors"),
    (encoded({**SIGN_UP, "email": "none@example.com"}), None, 400, None, "form-errors"),
    (*multipart({**SIGN_UP, "email": "multi@example.com", "fields": "health"}), 303, "multi@example.com", None),
    (encoded({"email": "missing@example.com"}), FORM_TYPE, 400, None, "form-errors"),
    (encoded({**SIGN_UP, "email": "many@example.com"}) + b"&x=1" * LEAN_FORM_FIELDS, FORM_TYPE, 303,
     "many@example.com", None),
], ids=["repeated email", "huge", "NUL", "not UTF-8", "text/plain", "no type", "multipart", "missing fields",
        "many fields"])
def test_hostile_sign_ups_over_http_get_the_full_routes_answers(server, body, content_type, status, taken, shown):
    port, project = server
    before = pending_emails(project)
    got, headers, page = send(port, "/subscribe", body, content_type)
    assert got == status, page[:300]
    assert pending_emails(project) == before + ([taken] if taken else [])
    if shown:
        assert shown in page and headers["Cache-Control"] == "no-store"
    if status == 303:
        assert headers["Location"] == "http://127.0.0.1:8080/subscribe/check"


def test_the_rate_counts_every_sign_up_once_whichever_route_answers(tmp_path):
    """As on the full route alone: wrong answers and the honeypot count, a refusal does not."""
    project = copy_project(tmp_path, extra_settings='SMTP_PORT = 9\nSUBSCRIBE_RATE = "3/hour"\n')
    with serving(make_app(Project(project / "pelicanconf.py"))) as port:
        statuses = [send(port, "/subscribe", body)[0] for body in (
            encoded({**SIGN_UP, "email": "wrong"}), encoded({**SIGN_UP, "website": "spam"}), encoded(SIGN_UP),
            encoded({**SIGN_UP, "email": "late@example.com"}), encoded({**SIGN_UP, "email": "later@example.com"}))]
    assert statuses == [400, 303, 303, 429, 429]
    assert pending_emails(project) == ["new@example.com"]


def test_the_page_after_a_sign_up_is_made_once(app_in_process):
    """Every sign-up's browser follows the 303 to "check your mail"."""
    app, _project = app_in_process
    pages = [full_answer(app, EnvironBuilder(path="/subscribe/check", method=method).get_environ())
             for method in ("GET", "GET", "HEAD")]
    assert pages[0] == pages[1] and pages[0].status == "200 OK" and "<title>메일에서 신청을 확인해 주세요 |" in pages[0].body.decode()
    assert ("Cache-Control", "no-store") in pages[0].headers and pages[2].body == b""
    made = app.subscriptions.answer_once("check-mail", lambda: pytest.fail("the page was made again"))
    assert (made.status, made.body) == (pages[0].status, pages[0].body)
