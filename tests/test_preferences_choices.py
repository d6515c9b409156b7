"""The preferences page changes what the reader changed, answer by answer
(SPEC §13), over real HTTP with a real mail server: an answer a form leaves
out, or one changed elsewhere since the page was shown (another tab, the
stop button), stays as it is, and the consent log holds only the answers
the reader changed, with their source. Signing up again keeps what the
form does not ask."""

from __future__ import annotations

import re
import threading
import time

import lxml.html
import pytest
from delivery_support import SMTPServer, store_rows
from project_support import all_at_once, project_on, serving, sms_code_file, store_query
from test_serve import request
from test_subscriptions import SIGNUP, Inbox, _subscribe, confirm_path, post, token_of

from sotong.project import Project
from sotong.tokens import make_token
from sotong.web import make_app

ROW = "SELECT name, birth_year, gender, dong, kind, fields, channels, unsubscribed_at IS NOT NULL FROM subscribers"


@pytest.fixture
def site(tmp_path, store_location):
    """(project, port, inbox) of a collector and the mail server it sends to,
    once on SQLite and once on PostgreSQL (SPEC §15)."""
    inbox = Inbox()
    with SMTPServer(inbox) as smtp:
        project = project_on(store_location, tmp_path, f"SMTP_PORT = {smtp.port}\n")
        with serving(make_app(Project(project / "pelicanconf.py"))) as port:
            yield project, port, inbox


def reader(project, port, inbox) -> str:
    """The path of the preferences page of 홍길순, signed up and confirmed, her phone too."""
    _subscribe(port, inbox)
    (subscriber_id,), = store_rows(project, "SELECT id FROM subscribers")
    path = f"/p/{make_token('preferences', subscriber_id)}"
    code = re.search(r"인증번호 (\d{6})", sms_code_file(project))[1]
    assert post(port, path + "/phone", {"code": code})[0] == 200
    return path


def page_form(port, path) -> dict:
    """The page's form as a browser sends it: name -> values."""
    status, _, page = request(port, "GET", path)
    assert status == 200
    fields: dict = {"action": ["save"]}
    [form] = [form for form in lxml.html.fromstring(page).forms if "email" in form.inputs]  # not the phone code's
    for name, value in form.form_values():
        fields.setdefault(name, []).append(value)
    return fields


def log_since(project, count: int) -> list[tuple]:
    return store_rows(project, "SELECT source, field, old_value, new_value FROM consent_log_columns "
                               "ORDER BY id, position")[count:]


def test_a_form_that_leaves_answers_out_changes_only_the_answers_it_posts(site):
    project, port, inbox = site
    path = reader(project, port, inbox)
    before = len(log_since(project, 0))
    status, _, _ = post(port, path, {"fields": ["health"], "channels": ["email"], "action": "save"})
    assert status == 303
    assert store_rows(project, ROW) == [("홍길순", 1946, "F", "yongdap", "person", "health", "email", 0)]
    assert log_since(project, before) == [("preferences", "fields", "culture;health", "health"),
                                          ("preferences", "channels", "email;sms", "email")]


def test_a_page_shown_before_a_change_elsewhere_undoes_nothing_of_it(site):
    project, port, inbox = site
    path = reader(project, port, inbox)
    stale = page_form(port, path)  # a tab left open
    other = page_form(port, path)  # another tab: the dong changed
    assert post(port, path, {**other, "dong": ["majang"]})[0] == 303
    before = len(log_since(project, 0))
    assert post(port, path, {**stale, "birth_year": ["1950"]})[0] == 303
    assert store_rows(project, ROW) == [("홍길순", 1950, "F", "majang", "person", "culture;health", "email;sms", 0)]
    assert log_since(project, before) == [("preferences", "birth_year", "1946", "1950")]
    assert post(port, path, {**stale, "birth_year": ["1950"]})[0] == 303  # sent twice: nothing more changes
    assert len(log_since(project, before)) == 1
    assert post(port, path, {"action": "stop"})[0] == 200  # stopped in another tab
    assert post(port, path, {**stale, "fields": ["culture"]})[0] == 303
    assert store_rows(project, ROW) == [("홍길순", 1950, "F", "majang", "person", "culture", "email;sms", 1)]
    assert "모든 수신을 그만두신 상태" in request(port, "GET", path)[2]  # what the page then says
    resumed = page_form(port, path)  # a page that shows them stopped: saving starts their messages again
    assert post(port, path, resumed)[0] == 303
    assert store_rows(project, ROW)[0][-1] == 0


def test_signing_up_again_keeps_the_groups_and_the_sms_opt_out_the_form_does_not_ask(site):
    """The office's committee membership (SPEC §16) and a 수신거부 reply stay
    when a subscriber signs up again with their address, by email only."""
    project, port, inbox = site
    reader(project, port, inbox)
    store_query(project, "UPDATE subscribers SET groups = 'committee-budget', "
                         "sms_unsubscribed_at = '2026-11-20T10:00:00+09:00'")
    before = len(log_since(project, 0))
    assert post(port, "/subscribe", {**SIGNUP, "channels": ["email"], "dong": "majang"})[0] == 303
    assert post(port, "/subscribe/confirm", {"t": token_of(confirm_path(inbox, 1))})[0] == 200
    assert store_rows(project, "SELECT dong, channels, groups, sms_unsubscribed_at FROM subscribers") == [
        ("majang", "email", "committee-budget", "2026-11-20T10:00:00+09:00")]
    assert {field for _source, field, _old, _new in log_since(project, before)} - {"subscribed_at"} == {
        "dong", "channels"}


def sms_codes(project, number: str = "") -> list[str]:
    return re.findall(re.escape(number) + r".*인증번호 (\d{6})",
                      sms_code_file(project))


def test_a_new_phone_saved_twice_sends_one_code_and_the_same_page(site):
    """A double tap on 「바꾼 내용 저장」 sent two codes (two texts, either
    could be typed). One code now, and both taps see the same page; a number
    corrected after it gets its own code, and the first number's is no more."""
    project, port, inbox = site
    path = reader(project, port, inbox)
    form = {**page_form(port, path), "phone": ["010-7777-8888"]}
    answers = [post(port, path, form) for _ in range(2)]
    assert [status for status, _, _ in answers] == [303, 303]
    assert answers[0][1]["Location"] == answers[1][1]["Location"] and "phone" in answers[0][1]["Location"]
    codes = sms_codes(project, "010-7777-8888")
    assert len(codes) == 1
    start, statuses = threading.Barrier(3), []

    def tap():  # a changed choice, sent three times at once: the newer number wins, with one code
        start.wait()
        statuses.append(post(port, path, {**form, "phone": ["010-7777-8889"]})[0])

    threads = [threading.Thread(target=tap) for _ in range(3)]
    all_at_once(threads)
    assert statuses == [303] * 3
    assert len(sms_codes(project, "010-7777-8889")) == 1 and len(sms_codes(project)) == 3  # the sign-up's, and one each
    status, _, page = post(port, path + "/phone", {"code": codes[0]})
    assert status == 400 and "인증번호가 맞지 않거나" in page
    status, _, page = post(port, path + "/phone", {"code": sms_codes(project, "010-7777-8889")[0]})
    assert status == 200 and "휴대전화 번호를 확인했습니다" in page
    assert store_rows(project, "SELECT phone FROM subscribers") == [("010-7777-8889",)]


def test_a_new_address_saved_twice_sends_one_mail_and_a_corrected_one_its_own(site):
    """A double tap on 「바꾼 내용 저장」 with a new email address mailed two
    links; one now, both taps answered alike. An address corrected after it
    gets its own link, and the first one's no longer opens."""
    project, port, inbox = site
    path = reader(project, port, inbox)
    form = {**page_form(port, path), "email": ["new@example.com"]}
    answers = [post(port, path, form) for _ in range(2)]
    assert [status for status, _, _ in answers] == [303, 303]
    assert answers[0][1]["Location"] == answers[1][1]["Location"] and "email" in answers[0][1]["Location"]
    first = token_of(inbox.link(1, r"http://127\.0\.0\.1:8080/p/email\?t=\S+"))
    time.sleep(1)
    assert [recipient for recipient, _ in inbox.messages] == ["hong@example.com", "new@example.com"]
    assert post(port, path, {**form, "email": ["newer@example.com"]})[0] == 303
    second = token_of(inbox.link(2, r"http://127\.0\.0\.1:8080/p/email\?t=\S+"))
    assert inbox.messages[2][0] == "newer@example.com"
    assert post(port, "/p/email", {"t": first})[0] == 410
    assert post(port, "/p/email", {"t": second})[0] == 200
    assert store_rows(project, "SELECT email FROM subscribers") == [("newer@example.com",)]


def test_a_double_tap_on_the_code_button_says_the_number_was_confirmed(site):
    """A double tap on 「번호 확인」 sends the right code twice: the first
    confirmed the number, and the second, whose answer is the one the
    browser shows, said 인증번호가 맞지 않거나 10분이 지났습니다, so the
    resident thought the number was not confirmed and asked for another
    code. A code that confirmed the number is answered as it was, while it
    lasts; a wrong one, or one sent to a number given up since, is still wrong."""
    project, port, inbox = site
    path = reader(project, port, inbox)
    form = page_form(port, path)
    assert post(port, path, {**form, "phone": ["010-7777-8888"]})[0] == 303
    code = re.findall(r"010-7777-8888.*인증번호 (\d{6})", sms_code_file(project))[-1]
    for _ in range(2):
        status, _, page = post(port, path + "/phone", {"code": code})
        assert status == 200 and "휴대전화 번호를 확인했습니다" in page
    wrong = f"{(int(code) + 1) % 10**6:06d}"
    status, _, page = post(port, path + "/phone", {"code": wrong})
    assert status == 400 and "인증번호가 맞지 않거나" in page
    assert post(port, path, {**page_form(port, path), "phone": ["010-2222-3333"]})[0] == 303
    (number,), = store_rows(project, "SELECT phone FROM subscribers")
    assert number == "010-7777-8888"  # the other number waits for its own code
    status, _, page = post(port, path + "/phone", {"code": code})
    assert status == 400 and "인증번호가 맞지 않거나" in page


def test_after_a_reply_of_sms_opt_out_the_page_shows_sms_off_and_ticking_it_starts_sms_again(site):
    """After 수신거부 (``sotong send`` then sends no SMS) the page showed 문자
    ticked, and ticking it changed nothing: the reader could not have SMS back."""
    project, port, inbox = site
    path = reader(project, port, inbox)
    store_query(project, "UPDATE subscribers SET sms_unsubscribed_at = '2026-11-20T10:00:00+09:00'")
    form = page_form(port, path)
    assert form["channels"] == ["email"]
    assert post(port, path, {**form, "dong": ["majang"]})[0] == 303  # another change: the opt-out stays
    assert store_rows(project, "SELECT channels, sms_unsubscribed_at IS NOT NULL FROM subscribers") == [("email;sms", 1)]
    before = len(log_since(project, 0))
    assert post(port, path, {**form, "channels": ["email", "sms"]})[0] == 303
    assert store_rows(project, "SELECT channels, sms_unsubscribed_at FROM subscribers") == [("email;sms", None)]
    assert log_since(project, before) == [("preferences", "sms_unsubscribed_at", "2026-11-20T10:00:00+09:00", None)]
    assert page_form(port, path)["channels"] == ["email", "sms"]


def test_a_phone_number_taken_out_is_erased(site):
    """A reader who stops SMS and ticks 「등록된 휴대전화 번호 지우기」 asks
    the office to keep it no longer: it was kept, and the page said
    저장했습니다. (The box is empty on the page, which keeps the number: the
    tick takes it out.)"""
    project, port, inbox = site
    path = reader(project, port, inbox)
    before = len(log_since(project, 0))
    form = page_form(port, path)
    assert form["phone"] == [""] and "forget_phone" not in form  # not ticked
    assert post(port, path, {**form, "forget_phone": ["yes"], "channels": ["email"]})[0] == 303
    assert store_rows(project, "SELECT phone, channels FROM subscribers") == [(None, "email")]
    assert log_since(project, before) == [("preferences", "phone", "010-2222-3333", None),
                                          ("preferences", "channels", "email;sms", "email")]
    page = request(port, "GET", path)[2]
    assert "지금 등록된 번호" not in page and 'name="forget_phone"' not in page  # nothing left to take out


def test_the_tick_to_take_the_number_out_keeps_sms_asking_for_one(site):
    """Ticked with SMS still chosen, the page says SMS needs a number and
    keeps it, the tick shown as sent."""
    project, port, inbox = site
    path = reader(project, port, inbox)
    status, _, page = post(port, path, {**page_form(port, path), "forget_phone": ["yes"]})
    assert status == 400 and "문자로 받으시려면 휴대전화 번호를 적어 주세요." in page
    assert re.search(r'name="forget_phone" value="yes"[^>]*checked', page)
    assert store_rows(project, "SELECT phone FROM subscribers") == [("010-2222-3333",)]


def test_an_email_change_link_past_its_day_says_what_to_do_next(site):
    """It told the subscriber to sign up again from the start."""
    project, port, inbox = site
    path = reader(project, port, inbox)
    assert post(port, path, {**page_form(port, path), "email": ["new@example.com"]})[0] == 303
    link = inbox.link(1, r"http://127\.0\.0\.1:8080/p/email\?t=\S+").split("8080", 1)[1]
    store_query(project, "UPDATE subscriptions_pending SET expires_at = 0")
    status, _, page = request(port, "GET", link)
    assert status == 410 and "다시 신청" not in page
    assert "새 주소를 다시 저장해 주세요" in page and 'href="http://127.0.0.1:8080/p/link"' in page


def test_a_phone_code_typed_full_width_or_spaced_is_read_and_an_empty_one_is_no_guess(site):
    """An empty 「번호 확인」 or a code with a space took one of the five guesses
    and was called wrong; ０１２３４５ (전각) too. A code pasted from the text
    message with a zero-width space at its end was "not six digits"."""
    project, port, inbox = site
    path = reader(project, port, inbox)
    assert post(port, path, {**page_form(port, path), "phone": ["010-7777-8888"]})[0] == 303
    code = re.findall(r"인증번호 (\d{6})", sms_code_file(project))[-1]
    for empty in ["", "12345", "abcdef"] * 2:  # six tries: none counts
        status, _, page = post(port, path + "/phone", {"code": empty})
        assert status == 400 and "인증번호 6자리를 숫자로 적어 주세요" in page
    full_width = " ".join([code[:3], code[3:]]).translate(str.maketrans("0123456789", "０１２３４５６７８９"))
    status, _, page = post(port, path + "/phone", {"code": f"\ufeff{full_width}\u200b"})
    assert status == 200 and "휴대전화 번호를 확인했습니다" in page
    assert store_rows(project, "SELECT phone FROM subscribers") == [("010-7777-8888",)]


def test_the_heading_of_a_phone_codes_answer_says_what_happened(site):
    """A code refused, a code not six digits and a code taken were all
    headed 휴대전화 번호 확인 (the page's title too), which reads as done: a
    resident who saw only the heading left with the number not confirmed."""
    project, port, inbox = site
    path = reader(project, port, inbox)
    assert post(port, path, {**page_form(port, path), "phone": ["010-7777-8888"]})[0] == 303
    code = re.findall(r"인증번호 (\d{6})", sms_code_file(project))[-1]

    def heading(typed: str) -> tuple[int, str, str]:
        status, _, page = post(port, path + "/phone", {"code": typed})
        document = lxml.html.fromstring(page)
        return status, document.findtext(".//h1"), document.findtext(".//title").split(" | ")[0]

    assert heading("12345") == (400, "인증번호를 다시 적어 주세요", "인증번호를 다시 적어 주세요")
    assert heading(f"{(int(code) + 1) % 10**6:06d}") == (400, "인증번호가 맞지 않습니다", "인증번호가 맞지 않습니다")
    # and what to do next names the code, not "a new number" (새 번호), which reads as a new phone number
    assert "새 인증번호를 보내 드립니다" in post(port, path + "/phone", {"code": "000000" if code != "000000" else "111111"})[2]
    assert heading(code) == (200, "휴대전화 번호를 확인했습니다", "휴대전화 번호를 확인했습니다")


def test_the_box_for_a_phone_code_is_shown_only_while_a_code_is_awaited(site):
    """Every 수신 설정 page asked for 문자로 받은 인증번호 6자리, to a reader
    who had been sent none (an email-only reader, a number confirmed long
    ago), who took it for a step still to do; it is shown while a code sent
    may still be typed."""
    project, port, inbox = site
    path = reader(project, port, inbox)  # her number confirmed
    assert 'name="code"' not in request(port, "GET", path)[2]
    assert post(port, path, {**page_form(port, path), "phone": ["010-7777-8888"]})[0] == 303
    page = request(port, "GET", path + "?saved=all,phone")[2]  # where the save leads
    assert 'name="code"' in page and page.index("인증번호 6자리를 보냈습니다") < page.index('name="code"')
    # right under that note: at the foot of the page, 20 screens down on a phone at 200% text, it was not found
    assert page.index('name="code"') < page.index("1. 받고 싶은 분야")
    status, _, page = post(port, path, {**page_form(port, path), "email": ["hong@@example"]})
    assert status == 400 and page.index("고쳐 주셔야 할 곳이") < page.index('name="code"')  # the errors come first
    for _ in range(5):  # every guess used: a new code is asked for by saving the number again
        assert post(port, path + "/phone", {"code": "000000"})[0] in (200, 400)
    assert 'name="code"' not in request(port, "GET", path)[2]


def test_a_reader_who_stopped_every_message_is_asked_for_no_phone_code(site):
    """A number saved, then 「모든 수신 그만두기」: the page that says every
    message stopped still asked for the code, a step the reader had ended;
    choosing again asks for it again while it may still be typed."""
    project, port, inbox = site
    path = reader(project, port, inbox)
    assert post(port, path, {**page_form(port, path), "phone": ["010-7777-8888"]})[0] == 303
    assert 'name="code"' in request(port, "GET", path)[2]
    assert post(port, path, {"action": "stop"})[0] == 200
    page = request(port, "GET", path)[2]
    assert "모든 수신을 그만두신 상태" in page and 'name="code"' not in page
    assert post(port, path, page_form(port, path))[0] == 303  # saved again: messages start again
    assert 'name="code"' in request(port, "GET", path)[2]


def test_a_reader_whose_number_awaits_its_code_can_save_other_changes(site):
    """Signed up for SMS, the code not typed yet: the page showed the phone
    empty and SMS ticked, so every save was refused ('문자로 받으시려면 휴대전화
    번호를 적어 주세요'); it now shows the number awaiting its code, and saving
    sends no other code."""
    project, port, inbox = site
    _subscribe(port, inbox)
    (subscriber_id,), = store_rows(project, "SELECT id FROM subscribers")
    path = f"/p/{make_token('preferences', subscriber_id)}"
    form = page_form(port, path)
    page = request(port, "GET", path)[2]
    assert form["phone"] == [""] and "010-****-3333 번호로 인증번호를 보냈습니다" in lxml.html.fromstring(page).text_content()
    assert "2222" not in page  # the number awaiting its code masked, as a stored one
    assert post(port, path, {**form, "dong": ["majang"]})[0] == 303
    assert store_rows(project, "SELECT dong, phone FROM subscribers") == [("majang", None)]
    codes = re.findall(r"인증번호 (\d{6})", sms_code_file(project))
    assert len(codes) == 1
    assert post(port, path + "/phone", {"code": codes[0]})[0] == 200
    assert store_rows(project, "SELECT phone FROM subscribers") == [("010-2222-3333",)]


def test_a_number_corrected_a_moment_after_it_was_saved_is_confirmed_by_the_code_sent_to_it(site):
    """A reader who saved a mistyped number and at once the right one: on
    PostgreSQL the two codes' times were kept to about two minutes (a
    4-byte REAL), so the number asked last was not told from the first, and
    the code sent to the right number was refused as wrong."""
    project, port, inbox = site
    path = reader(project, port, inbox)
    for number in ("010-7777-8880", "010-7777-8888"):
        assert post(port, path, {**page_form(port, path), "phone": [number]})[0] == 303
    code = re.findall(r"010-7777-8888.*인증번호 (\d{6})", sms_code_file(project))
    status, _, page = post(port, path + "/phone", {"code": code[-1]})
    assert status == 200 and "휴대전화 번호를 확인했습니다" in page
    assert store_rows(project, "SELECT phone FROM subscribers") == [("010-7777-8888",)]


def test_a_name_stored_with_a_direction_control_does_not_stop_the_reader_saving(site):
    """Imported before import refused them, a name with U+202E went back from
    the page hidden in the form, was refused there ("shown-name: characters
    that cannot be stored"), and came back on the page again: the reader
    could never save. The page shows the name without it, and saving keeps that."""
    project, port, inbox = site
    path = reader(project, port, inbox)
    store_query(project, "UPDATE subscribers SET name = ?", ("\u202e순길홍\u202c",))
    form = page_form(port, path)
    assert form["name"] == form["shown-name"] == ["순길홍"]
    assert post(port, path, {**form, "fields": ["health"]})[0] == 303
    assert store_rows(project, ROW) == [("순길홍", 1946, "F", "yongdap", "person", "health", "email;sms", 0)]


def test_the_page_shows_the_stored_address_and_number_masked_and_empty_boxes_keep_them(site):
    """The page, opened by the link in every email (forwarded, or left open
    on a phone), said the reader's address and number whole, in words and
    in its boxes: now masked, the boxes empty; saved as it is, they stay."""
    project, port, inbox = site
    path = reader(project, port, inbox)
    store_query(project, "UPDATE subscribers SET email = ?, phone = ?", ("dongsoon+news@성동.kr", "010-5195-4850"))
    pages = [request(port, "GET", path)[2], request(port, "GET", path + "?saved=all")[2],
             post(port, path, {**page_form(port, path), "birth_year": ["18"]})[2]]  # an error elsewhere: the page again
    for page in pages:
        assert "dongsoon" not in page and "5195" not in page and "+news" not in page
        text = lxml.html.fromstring(page).text_content()
        assert "지금 등록된 주소: do***@성동.kr" in text and "지금 등록된 번호: 010-****-4850" in text
        assert '<span style="display:inline-block">010-****-4850</span>' in page  # never broken over two lines
    form = page_form(port, path)
    assert form["email"] == form["phone"] == [""]
    assert post(port, path, {**form, "dong": ["majang"]})[0] == 303
    assert store_rows(project, "SELECT email, phone, dong FROM subscribers") == [
        ("dongsoon+news@성동.kr", "010-5195-4850", "majang")]
    assert len(sms_codes(project)) == 1 and len(inbox.messages) == 1  # the sign-up's: no code or mail sent again


def test_an_address_and_number_stored_as_the_form_would_refuse_them_do_not_stop_the_reader_saving(site):
    """An address typed with the keyboard left in Hangul (ㅗㅐㅜㅎ@...) or a
    number of an old format, imported or entered by the office: the empty
    boxes kept them, and saving checked them as typed, said the form's
    error of a box the reader had left empty, and saved nothing, ever. What
    is kept is kept as stored; a box the reader types in is checked."""
    project, port, inbox = site
    path = reader(project, port, inbox)
    store_query(project, "UPDATE subscribers SET email = ?, phone = ?", ("ㅗㅐㅜㅎ@example.com", "011-123-4567"))
    status, _, page = post(port, path, {**page_form(port, path), "dong": ["majang"]})
    assert status == 303, lxml.html.fromstring(page).text_content()
    assert store_rows(project, "SELECT email, phone, dong FROM subscribers") == [
        ("ㅗㅐㅜㅎ@example.com", "011-123-4567", "majang")]
    assert post(port, path, {**page_form(port, path), "email": ["ㅗㅐㅜㅎ@"]})[0] == 400  # typed: checked


def test_what_the_reader_typed_is_shown_again_as_typed_beside_an_error(site):
    project, port, inbox = site
    path = reader(project, port, inbox)
    status, _, page = post(port, path, {**page_form(port, path), "email": ["new@example"], "phone": ["010-9"]})
    assert status == 400 and 'value="new@example"' in page and 'value="010-9"' in page
    assert "010-2222-3333" not in page and "지금 등록된 번호: 010-****-3333" in lxml.html.fromstring(page).text_content()
