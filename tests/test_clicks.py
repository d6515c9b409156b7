"""Click counts (SPEC §14) over real HTTP: with CLICK_COUNTING, the notice
links of bundled emails and SMS go through the collector's /c/KEY/CODE,
which answers 303 to the notice and counts per bundle, notice and channel;
no link names a reader, no row holds one; made-up codes, scanners and link
previews count nothing, nor does the same browser opening a link again."""

from __future__ import annotations

import csv
import http.client
import re
import time
from contextlib import contextmanager
from email import message_from_bytes, policy
from pathlib import Path
from typing import Iterator
from urllib.parse import urlsplit

from project_support import copy_project, serving
from delivery_support import PHONE_BROWSER, run_cli, store_rows
from hypothesis import given, settings
from hypothesis import strategies as st

from delivery.clicks import AUTOMATED_MARKS, automated
from sotong.links import click_code, read_click_code
from sotong.project import Project
from sotong.store import Store, Subscriber
from sotong.web import make_app

ISSUE = "2026-11-26"
COLLECTOR = "https://sotong.sd.go.kr"
CLICK = re.compile(re.escape(COLLECTOR) + r"/c/[^\s\"'<>]+")


def bundled(tmp_path: Path, counting: bool | str) -> Path:
    tmp_path.mkdir(exist_ok=True)
    copy_project(tmp_path, extra_settings=f'CLICK_COUNTING = {counting}\nCOLLECTOR_URL = "{COLLECTOR}"\n'
                                          'SITEURL = "https://www.sd.go.kr/sotong"\n')
    store = Store.open(tmp_path / "private" / "sotong.db")
    for subscriber_id in ("A1", "A2"):
        store.put_subscriber(Subscriber(id=subscriber_id, name="김민서", email=f"{subscriber_id.lower()}@example.com",
                                        phone=f"010-2000-000{subscriber_id[1]}", birth_year=1985, gender="F", dong="seongsu1ga1",
                                        fields=frozenset({"health", "culture", "living"}), channels=frozenset({"email", "sms"})))
    store.close()
    ran = run_cli(tmp_path / "pelicanconf.py", "bundles", "--issue", ISSUE)
    assert ran.code == 0, ran.output
    return tmp_path / "private" / "outbox" / ISSUE


def email_links(outbox: Path, subscriber_id: str) -> list[str]:
    message = message_from_bytes((outbox / "email" / f"{subscriber_id}.eml").read_bytes(), policy=policy.default)
    html = message.get_body(("html",)).get_content()
    return re.findall(r'href="([^"]+)"', html)


def sms_texts(outbox: Path) -> dict[str, str]:
    with open(outbox / "sms.csv", encoding="utf-8", newline="") as file:
        return {row["id"]: row["text"] for row in csv.DictReader(file)}


KAKAOTALK_BROWSER = ("Mozilla/5.0 (Linux; Android 12; SM-G991N Build/SP1A.210812.016; wv) AppleWebKit/537.36 "
                     "(KHTML, like Gecko) Version/4.0 Chrome/120.0.6099.144 Mobile Safari/537.36;KAKAOTALK 2410420")
AUTOMATED = [  # what opens a link by itself, as its User-Agent says
    "facebookexternalhit/1.1; kakaotalk-scrap/1.0; +https://devtalk.kakao.com/",  # KakaoTalk's link preview
    "Mozilla/5.0 (compatible; Yeti/1.1; +https://naver.me/spd)",  # Naver's crawler
    "Barracuda Sentinel (EE)",  # a mail scanner
    "Microsoft Office Existence Discovery",
    "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) HeadlessChrome/120.0.0.0 Safari/537.36",
    "python-requests/2.31.0",
    "",  # none at all
]


def get(port: int, url: str, method: str = "GET", agent: str = PHONE_BROWSER, cookie: str = "") -> http.client.HTTPResponse:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    connection.request(method, urlsplit(url).path, headers={**({"User-Agent": agent} if agent else {}),
                                                            **({"Cookie": cookie} if cookie else {})})
    response = connection.getresponse()
    response.read()
    connection.close()
    return response


@settings(max_examples=100)
@given(st.from_regex(r"[\w-]{1,30}", fullmatch=True), st.sampled_from(["email", "sms"]), st.from_regex(r"[\w-]{1,40}", fullmatch=True))
def test_a_click_code_reads_back_only_for_its_own_bundle(bundle, channel, ref):
    code = click_code(bundle, channel, ref)
    assert read_click_code(bundle, code) == (channel, ref)
    assert read_click_code(bundle + "x", code) is None
    tampered = code[:-1] + ("a" if code[-1] != "a" else "b")
    assert read_click_code(bundle, tampered) is None


def test_links_go_through_the_collector_and_name_no_reader(tmp_path):
    outbox = bundled(tmp_path, counting=True)
    links = {reader: [link for link in email_links(outbox, reader) if link.startswith(COLLECTOR + "/c/")] for reader in ("A1", "A2")}
    assert links["A1"] and links["A1"] == links["A2"]  # the same notices, the same links: nothing per reader
    assert not [link for link in email_links(outbox, "A1") if "/notices/" in link]
    texts = sms_texts(outbox)
    sms_links = {reader: CLICK.findall(text) for reader, text in texts.items()}
    assert sms_links["A1"] and sms_links["A1"] == sms_links["A2"]
    for link in links["A1"] + sms_links["A1"]:
        assert "A1" not in link and "example.com" not in link and "2000" not in link
        assert link.startswith(f"{COLLECTOR}/c/{ISSUE}/")


def test_without_click_counting_links_go_straight_to_the_notice(tmp_path):
    outbox = bundled(tmp_path, counting=False)
    links = email_links(outbox, "A1")
    assert not [link for link in links if "/c/" in link]
    assert [link for link in links if link.startswith("https://www.sd.go.kr/sotong/notices/")]
    assert not CLICK.findall(" ".join(sms_texts(outbox).values()))


def test_counting_in_emails_only_leaves_the_texts_as_without_counting(tmp_path):
    """CLICK_COUNTING = "email": the emails' links count, and every text is
    the one bundled without counting (its short link, its bytes, its type
    and so its price), as SPEC §6 sizes it."""
    outbox = bundled(tmp_path / "email", counting='"email"')
    assert [link for link in email_links(outbox, "A1") if link.startswith(f"{COLLECTOR}/c/{ISSUE}/e")]
    with_counting = bundled(tmp_path / "all", counting=True)
    plain = bundled(tmp_path / "none", counting=False)
    assert sms_texts(outbox) == sms_texts(plain) != sms_texts(with_counting)
    assert (outbox / "sms.csv").read_bytes() == (plain / "sms.csv").read_bytes()


@contextmanager
def serving_counted_links(tmp_path: Path) -> Iterator[tuple[str, str, int]]:
    """An issue bundled with CLICK_COUNTING, its collector serving: the
    first reader's counting link in the email and in the SMS, and the port."""
    outbox = bundled(tmp_path, counting=True)
    email_link = next(link for link in email_links(outbox, "A1") if link.startswith(COLLECTOR + "/c/"))
    sms_link = CLICK.findall(sms_texts(outbox)["A1"])[0]
    with serving(make_app(Project(tmp_path / "pelicanconf.py"))) as port:
        yield email_link, sms_link, port


def test_clicks_are_counted_per_bundle_notice_and_channel_over_http(tmp_path):
    with serving_counted_links(tmp_path) as (email_link, sms_link, port):
        first = get(port, email_link)
        assert first.status == 303
        slug = urlsplit(email_link).path.split("/")[-1][1:].rsplit(".", 1)[0]
        assert first.headers["Location"] == f"https://www.sd.go.kr/sotong/notices/{slug}/"
        assert get(port, email_link).status == 303
        assert get(port, email_link, "HEAD").status == 303  # answered, not counted
        sms = get(port, sms_link)
        assert sms.status == 303 and sms.headers["Location"].startswith("https://www.sd.go.kr/sotong/n/")
        code = urlsplit(email_link).path.split("/")[-1]
        assert get(port, f"/c/{ISSUE}/{code[:-1]}{'a' if code[-1] != 'a' else 'b'}").status == 404
        assert get(port, f"/c/2026-12-10/{code}").status == 404
    rows = store_rows(tmp_path, "SELECT * FROM delivery_clicks ORDER BY channel")
    sms_code = urlsplit(sms_link).path.split("/")[-1][1:].rsplit(".", 1)[0]
    assert rows == [(ISSUE, "email", slug, 2), (ISSUE, "sms", sms_code, 1)]


def test_a_link_opened_again_by_the_same_browser_counts_once(tmp_path):
    """A reader taps the SMS link, reloads, taps it again later (the browser
    sends back the cookie the first answer left, for that link's path only):
    one click. The email link in the same browser, and the SMS link on
    another phone (no cookie), each count. The cookie names nobody."""
    with serving_counted_links(tmp_path) as (email_link, sms_link, port):
        first = get(port, sms_link)
        cookie = first.headers["Set-Cookie"]
        attributes = {part.strip().split("=")[0].lower(): part.strip() for part in cookie.split(";")}
        assert cookie.startswith("counted=1;") and attributes["path"] == f"Path={urlsplit(sms_link).path}"
        assert {"secure", "httponly", "max-age"} <= set(attributes) and "A1" not in cookie
        for _again in range(3):
            assert get(port, sms_link, cookie="counted=1").status == 303
        assert get(port, email_link).status == 303  # its own path: this browser sent no cookie for it
        assert get(port, sms_link).status == 303  # another phone
        assert "Set-Cookie" not in get(port, sms_link, agent=AUTOMATED[0]).headers
    sms_code = urlsplit(sms_link).path.split("/")[-1][1:].rsplit(".", 1)[0]
    assert store_rows(tmp_path, "SELECT channel, notice, clicks FROM delivery_clicks WHERE channel = 'sms'") == [("sms", sms_code, 2)]
    assert store_rows(tmp_path, "SELECT sum(clicks) FROM delivery_clicks WHERE channel = 'email'") == [(1,)]


def test_the_privacy_page_says_clicks_are_counted_without_names():
    text = (Path(__file__).resolve().parent.parent / "content" / "pages" / "privacy.md").read_text(encoding="utf-8")
    assert "클릭 수" in text and "개인을 식별" in text
    assert "기록(counted=1)" in text and "누리집 데이터를 저장하지 않게 할 수 있으며" in text  # the replay cookie, how to refuse it


BROWSERS = [  # people reading: phones first, the in-app browsers of KakaoTalk, Naver and Facebook too
    PHONE_BROWSER, KAKAOTALK_BROWSER,
    "Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.5 "
    "Mobile/15E148 Safari/604.1",
    "Mozilla/5.0 (Linux; Android 13; SM-A536N Build/TP1A.220624.014; wv) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Version/4.0 Chrome/119.0.6045.193 Mobile Safari/537.36 NAVER(inapp; search; 2000; 12.3.4)",
    "Mozilla/5.0 (Linux; Android 10; CUBOT X30) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0 Mobile Safari/537.36",
    "Mozilla/5.0 (iPhone; CPU iPhone OS 16_6 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Mobile/15E148 "
    "[FBAN/FBIOS;FBAV/430.0.0.35.108;FBBV/520000000;FBDV/iPhone14,5;FBMD/iPhone;FBSN/iOS;FBSV/16.6;FBSS/3;FBCR/;"
    "FBID/phone;FBLC/ko_KR;FBOP/5]",
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0.0.0 Safari/537.36 "
    "Whale/3.24.223.18",
    "Mozilla/5.0 (Macintosh; Intel Mac OS X 14.5; rv:127.0) Gecko/20100101 Firefox/127.0",
]


def test_people_s_browsers_count_and_programs_do_not():
    assert [agent for agent in BROWSERS if automated(agent)] == []
    assert [agent for agent in AUTOMATED if not automated(agent)] == []


@given(st.text(max_size=200), st.sampled_from(AUTOMATED_MARKS), st.text(max_size=200), st.booleans())
def test_a_user_agent_is_a_program_s_when_it_holds_a_mark_in_any_case(before, mark, after, upper):
    """Brute-force reading of the rule."""
    agent = before + (mark.upper() if upper else mark) + after
    assert automated(agent)
    plain = before + after
    assert automated(plain) == (not plain.strip() or any(m in plain.strip().lower() for m in AUTOMATED_MARKS))


def test_a_hostile_user_agent_costs_microseconds_not_seconds():
    """crawlerdetect, tried first, took 8.8 s of CPU on 8 KB of "a"."""
    started = time.process_time()
    for hostile in ("a" * 8000, "1" * 8000, "Mozilla/5.0 " + "ab(" * 2600):
        automated(hostile)
    assert time.process_time() - started < 0.5


def test_scanners_and_link_previews_are_answered_but_not_counted(tmp_path):
    """A mail scanner or KakaoTalk's preview opening every link of an email
    made it look read; a person's browser (KakaoTalk's own too) still counts."""
    with serving_counted_links(tmp_path) as (email_link, _sms_link, port):
        for agent in AUTOMATED:
            assert get(port, email_link, agent=agent).status == 303, agent
        assert get(port, email_link, agent=KAKAOTALK_BROWSER).status == 303
    assert store_rows(tmp_path, "SELECT clicks FROM delivery_clicks") == [(1,)]


def test_a_click_while_postgresql_drops_the_connection_still_reaches_the_notice(tmp_path, caplog):
    """PostgreSQL ending the collector's sessions (pg_terminate_backend): a
    thread finds its connection gone, before its statement (the server's
    goodbye waits on the socket: sotong.reconnect), and counts the click on
    a new one; a click whose statement the goodbye overtook is not counted
    (a line in the log), and is answered 303 to the notice all the same, not
    500 nor 503; the thread's next click is counted on a new connection."""
    from postgres_server import new_database

    from project_support import project_on, store_query

    project = project_on(new_database(), tmp_path, "CLICK_COUNTING = True\n")
    link = f"/c/{ISSUE}/{click_code(ISSUE, 'email', 'flu-shots')}"
    app = make_app(Project(project / "pelicanconf.py"))
    with serving(app) as port:
        assert get(port, link).status == 303
        store_query(project, "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                             "WHERE datname = current_database() AND pid <> pg_backend_pid()")
        with caplog.at_level("WARNING", logger="delivery.clicks"):
            answers = [get(port, link) for _ in range(6)]  # each of the four threads finds its connection lost once
    assert [answer.status for answer in answers] == [303] * 6
    assert all(answer.headers["Location"].endswith("/notices/flu-shots/") for answer in answers)
    lost = [record for record in caplog.records if record.name == "delivery.clicks"]
    assert len(lost) <= 4 and all(ISSUE in record.getMessage() for record in lost)
    assert store_query(project, "SELECT clicks FROM delivery_clicks") == [(1 + 6 - len(lost),)]
