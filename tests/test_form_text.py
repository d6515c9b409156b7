"""Hostile text in every form the collector takes, over real HTTP on both
backends: a NUL (which PostgreSQL's text cannot hold), another control
character (C0 or C1), a bidirectional override, bytes that are not UTF-8 (%FF) and an encoded lone surrogate give
the form again with the error at the top (4xx, never 500), store nothing, and
the server goes on serving; and the shared reading of posted forms
(sotong/web.py) against a brute-force reading of what it must refuse."""

from __future__ import annotations

import datetime as dt
import http.client
import json
from urllib.parse import urlencode

import pytest
from hypothesis import given, settings, strategies as st
from project_support import (BACKENDS, REPO, invoke_sotong, new_store_location, project_on, serving, store_of,
                             store_query)
from werkzeug.test import EnvironBuilder

from sotong.project import Project
from sotong.store import Store
from sotong.tokens import make_token, unsubscribe_token
from sotong.web import CollectorRequest, make_app
from survey import opinions
from survey.rules import survey_token

SLUG = "village-bus-2027"
TODAY = dt.date(2026, 12, 15)
READER = "S000030"
ERROR = "This field held characters that cannot be stored"
# what a browser or a script may send in place of "MARK": NUL, a bell, a byte that is
# no UTF-8, the UTF-8 spelling of the surrogate U+D800 (which is not UTF-8 either),
# U+009B, a terminal's CSI (a C1 control) in UTF-8, and U+202E, which shows the text after it right to left
HOSTILE = [b"%00", b"%07", b"%FF", b"%ED%A0%80", b"%C2%9B", b"%E2%80%AE"]
SIGN_UP = {"email": "new@example.com", "name": "홍MARK길동", "fields": ["health"], "channels": "email",
           "birth_year": "1950", "dong": "majang", "consent": "yes", "website": ""}


@pytest.fixture(scope="module", params=BACKENDS)
def served(request, tmp_path_factory):
    """A collector on a store of each backend with the sample's subscribers."""
    folder = tmp_path_factory.mktemp(request.param)
    project = project_on(new_store_location(request.param, folder), folder,
                         extra_settings=f'SOTONG_TODAY = "{TODAY}"\nSUBSCRIBE_RATE = "1000/hour"\n')
    imported = invoke_sotong(project, "subscribers", "import", str(REPO / "sample" / "subscribers.csv"))
    assert imported.code == 0, imported.output
    store = opinions.ensure(Store.open(store_of(project)))  # its tables, to see them stay empty
    store.close()
    with serving(make_app(Project(project / "pelicanconf.py"))) as port:
        yield port, project


def post(port: int, path: str, fields: dict, hostile: bytes = b"") -> tuple[int, str]:
    """POST ``fields`` form-encoded, with ``hostile`` (already percent-encoded) where MARK is."""
    body = urlencode(fields, doseq=True).encode().replace(b"MARK", hostile)
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    try:
        connection.request("POST", path, body=body, headers={"Content-Type": "application/x-www-form-urlencoded"})
        response = connection.getresponse()
        return response.status, response.read().decode("utf-8")
    finally:
        connection.close()


def count(project, table: str) -> int:
    return store_query(project, f"SELECT COUNT(*) FROM {table}")[0][0]


@pytest.mark.parametrize("hostile", HOSTILE)
def test_an_opinion_with_hostile_text_is_shown_again_and_nothing_is_stored(served, hostile):
    port, project = served
    answer = {"t": survey_token(SLUG, READER), "support": "4", "opinion": "배차를MARK 10분으로"}
    status, page = post(port, f"/surveys/{SLUG}", answer, hostile)
    assert status == 400 and 'role="alert"' in page and ERROR in page, page[:500]
    assert "배차를 10분으로" in page  # the answer kept, without what cannot be stored
    assert [count(project, table) for table in ("survey_responses", "survey_answers", "survey_tokens_used",
                                                "survey_opinions")] == [0, 0, 0, 0]


RIGHT_TO_LEFT_MARKS = [b"%E2%80%8F", b"%D8%9C"]  # U+200F, U+061C (the Arabic letter mark)


@pytest.mark.parametrize("mark", RIGHT_TO_LEFT_MARKS)
def test_an_opinion_is_stored_without_a_right_to_left_mark_and_without_a_word(served, mark):
    """A resident's "\u200f11. 20.(금)" showed to staff as "20 .11.(금)": the
    mark, which nobody types on purpose nor can see to take out, is taken out."""
    port, project = served
    reader = {b"%E2%80%8F": "S000037", b"%D8%9C": "S000039"}[mark]
    answer = {"t": survey_token(SLUG, reader), "support": "4", "opinion": "MARK11. 20.(금)까지 5MARK 000원"}
    assert post(port, f"/surveys/{SLUG}", answer, mark)[0] == 303
    assert store_query(project, f"SELECT opinion FROM survey_opinions WHERE subscriber_id = '{reader}'") == [
        ("11. 20.(금)까지 5 000원",)]


@pytest.mark.parametrize("mark", RIGHT_TO_LEFT_MARKS)
def test_a_name_is_stored_without_a_right_to_left_mark(served, mark):
    port, project = served
    address = store_query(project, "SELECT email FROM subscribers WHERE id = 'S000034'")[0][0]
    save = {"email": address, "name": "MARK김MARK순자", "fields": ["health"], "channels": "email", "birth_year": "1950",
            "dong": "majang", "action": "save"}
    assert post(port, "/p/" + make_token("preferences", "S000034"), save, mark)[0] in (200, 303)
    assert store_query(project, "SELECT name FROM subscribers WHERE id = 'S000034'") == [("김순자",)]
    before = count(project, "subscriptions_pending")
    fields = {**SIGN_UP, "email": f"rlm{len(mark)}@example.com", "name": "홍MARK길동"}
    assert post(port, "/subscribe", fields, mark)[0] in (200, 303)
    assert count(project, "subscriptions_pending") == before + 1
    signed_up = [json.loads(data) for (data,) in store_query(project, "SELECT data FROM subscriptions_pending")]
    assert [answers["name"] for answers in signed_up if f"rlm{len(mark)}@" in str(answers.get("email"))] == ["홍길동"]


def test_after_hostile_answers_the_same_token_still_answers(served):
    port, project = served
    for hostile in HOSTILE:
        post(port, f"/surveys/{SLUG}", {"t": survey_token(SLUG, "S000031"), "opinion": "MARK", "support": "3"},
             hostile)
    answer = {"t": survey_token(SLUG, "S000031"), "support": "3", "opinion": "좋습니다\t(탭)\r\n다음 줄"}
    assert post(port, f"/surveys/{SLUG}", answer)[0] == 303
    assert store_query(project, "SELECT opinion FROM survey_opinions WHERE subscriber_id = 'S000031'") == [
        ("좋습니다\t(탭)\n다음 줄",)]  # the line break kept as one character, as the box counted it


@pytest.mark.parametrize("hostile", HOSTILE)
@pytest.mark.parametrize("field", ["name", "email", "consent_version"])
def test_a_sign_up_with_hostile_text_is_shown_again_and_nothing_is_pending(served, hostile, field):
    port, project = served
    before = count(project, "subscriptions_pending"), count(project, "subscriptions_mail")
    fields = {**SIGN_UP, "name": "홍길동", field: SIGN_UP.get(field, "") + "MARK"}
    status, page = post(port, "/subscribe", fields, hostile)
    assert status == 400 and 'id="form-errors"' in page and ERROR in page, page[:500]
    assert (count(project, "subscriptions_pending"), count(project, "subscriptions_mail")) == before


@pytest.mark.parametrize("hostile", HOSTILE)
def test_preferences_with_hostile_text_are_shown_again_and_nothing_changes(served, hostile):
    port, project = served
    before = store_query(project, "SELECT name, birth_year FROM subscribers WHERE id = 'S000030'")
    save = {"email": "", "name": "새MARK이름", "fields": ["health"], "channels": "email", "birth_year": "1961",
            "dong": "majang", "action": "save"}
    save["email"] = store_query(project, "SELECT email FROM subscribers WHERE id = 'S000030'")[0][0]
    status, page = post(port, "/p/" + make_token("preferences", READER), save, hostile)
    assert status == 400 and ERROR in page and "새이름" in page, page[:500]
    assert store_query(project, "SELECT name, birth_year FROM subscribers WHERE id = 'S000030'") == before


@pytest.mark.parametrize("hostile", HOSTILE)
def test_a_link_request_with_hostile_text_is_shown_again_and_nothing_is_mailed(served, hostile):
    port, project = served
    address = store_query(project, "SELECT email FROM subscribers WHERE id = 'S000030'")[0][0]
    before = count(project, "subscriptions_mail")
    status, page = post(port, "/p/link", {"email": address.replace("@", "MARK@")}, hostile)
    assert status == 400 and 'role="alert"' in page and ERROR in page, page[:500]
    # the address, without what could not be stored, is there to check, and the error is tied to it
    assert f'value="{address}" aria-invalid="true" aria-describedby="e-email"' in page and 'id="e-email"' in page
    assert count(project, "subscriptions_mail") == before


@pytest.mark.parametrize("hostile", HOSTILE)
def test_hostile_tokens_are_refused_and_the_one_click_body_is_not_read(served, hostile):
    port, project = served
    assert post(port, "/subscribe/confirm", {"t": "MARK"}, hostile)[0] == 403
    assert post(port, "/p/" + make_token("preferences", READER) + "/phone", {"code": "MARK"}, hostile)[0] == 400
    assert post(port, "/u/" + unsubscribe_token(READER) + hostile.decode(), {})[0] == 403
    assert post(port, "/u/" + unsubscribe_token("S000032"), {"List-Unsubscribe": "One-ClickMARK"}, hostile)[0] == 200
    unsubscribed = store_query(project, "SELECT id FROM subscribers WHERE unsubscribed_at IS NOT NULL "
                                        "AND id IN ('S000030', 'S000032')")
    assert unsubscribed == [("S000032",)]


def test_the_server_still_serves_after_every_hostile_form(served):
    port, _project = served
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    try:
        connection.request("GET", "/healthz")
        assert connection.getresponse().status == 200
    finally:
        connection.close()


def unstorable(text: str) -> bool:
    """SPEC's reading, one character at a time."""
    return any((ord(c) < 32 and c not in "\t\n\r") or 0x7F <= ord(c) <= 0x9F or 0xD800 <= ord(c) <= 0xDFFF
               or 0x202A <= ord(c) <= 0x202E or 0x2066 <= ord(c) <= 0x2069 or c == "\ufffd" for c in text)


def not_kept(text: str) -> bool:
    """Unstorable, or a right-to-left mark (U+200F, U+061C), which a form is kept without."""
    return unstorable(text) or any(c in "\u200f\u061c" for c in text)


@settings(max_examples=200)
@given(st.dictionaries(st.text(st.characters(blacklist_categories=["Cs"]), min_size=1, max_size=4),
                       st.text(st.characters(blacklist_categories=["Cs"]) | st.sampled_from("\u200f\u061c\u200e"),
                               max_size=8), max_size=4))
def test_the_form_holds_only_storable_text_and_names_every_field_that_held_more(fields):
    request = CollectorRequest(EnvironBuilder(method="POST", data=fields).get_environ())
    pairs = list(request.form.items(multi=True))
    assert not any(not_kept(key) or not_kept(value) for key, value in pairs)
    assert sorted(value for _key, value in pairs) == sorted("".join(c for c in value if not not_kept(c))
                                                           for value in fields.values())
    expected = {"".join(c for c in key if not not_kept(c)) for key, value in fields.items()
                if unstorable(key) or unstorable(value)}
    assert request.unstorable_fields == expected
    assert len(pairs) == len(fields)


def test_bytes_that_are_not_utf8_name_their_field():
    environ = EnvironBuilder(method="POST", data=b"a=ok&b=%FFx&c=%ED%A0%80",
                             content_type="application/x-www-form-urlencoded").get_environ()
    request = CollectorRequest(environ)
    assert request.unstorable_fields == {"b", "c"} and request.form["b"] == "x" and request.form["a"] == "ok"
