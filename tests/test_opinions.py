"""Consultations (SPEC §16): the policy on the form, opinions stored by the
collector with the participant's profile at the time of answering, ``sotong
opinions search`` (substring search: 버스 finds 마을버스) and ``export``
against a brute-force reading over a few thousand generated opinions, and
participants by dong and age band in ``sotong survey results``; each on
SQLite and PostgreSQL (SPEC §15), with the same answers from both."""

from __future__ import annotations

import concurrent.futures
import contextlib
import csv
import datetime as dt
import random
import sqlite3
import time
import unicodedata

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st
from project_support import BACKENDS, REPO, copy_project, invoke_sotong, new_store_location, project_on, run_sotong, serving, store_of, store_query
from test_survey import GOOD, answered_then_forgotten, call
from store_pages import dead_row_versions

from sotong.check import check_project
from sotong.project import Project
from sotong.store import Store, Subscriber
from sotong.web import make_app
from survey import opinions
from survey.rules import survey_token
from survey.schema import Policy, Question, Survey

SLUG = "village-bus-2027"
FILLER = 100_000  # opinions of others in the race on SQLite
TODAY = dt.date(2026, 12, 15)


@pytest.fixture
def project(tmp_path, store_location):
    project = project_on(store_location, tmp_path, extra_settings=f'SOTONG_TODAY = "{TODAY}"')
    imported = invoke_sotong(project, "subscribers", "import", str(REPO / "sample" / "subscribers.csv"))
    assert imported.code == 0, imported.output
    return project


def test_the_collector_keeps_each_opinion_with_the_profile_at_answering(project):
    app = make_app(Project(project / "pelicanconf.py"))
    token = survey_token(SLUG, "S000030")  # 1986, M, wangsimni2, a 통장협의회 member
    with serving(app) as port:
        status, _, form = call(port, "GET", f"/surveys/{SLUG}?t={token}")
        assert status == 200 and "의견을 듣는 정책: 2027년 마을버스 노선 개편" in form
        assert "담당 부서: 자치행정과" in form and "배차 간격을 줄이는 개편안" in form
        answer = {"t": token, "support": "4", "opinion": "=HYPERLINK(\"x\") 마을버스 배차를 10분으로, \"꼭\"\n부탁"}
        assert call(port, "POST", f"/surveys/{SLUG}", answer)[0] == 303
    stored = store_query(project, "SELECT slug, policy, department, subscriber_id, gender, dong, age_band, day, "
                                  "question, opinion FROM survey_opinions")
    assert stored == [(SLUG, "2027년 마을버스 노선 개편", "자치행정과", "S000030", "M", "wangsimni2", "40대",
                       "2026-12-15", "opinion", answer["opinion"])]

    found = invoke_sotong(project, "opinions", "search", "버스", "--policy", SLUG)
    assert found.code == 0 and "S000030" in found.stdout and "마을버스 배차" in found.stdout
    assert "  왕십리2동  40대  " in found.stdout  # was the key, wangsimni2, which staff do not read
    assert invoke_sotong(project, "opinions", "search", "버스", "--department", "보건소").stdout == ""
    with_particle = invoke_sotong(project, "opinions", "search", "배차를")  # as staff type it: the opinion says 배차를
    assert with_particle.code == 0 and "마을버스 배차" in with_particle.stdout
    assert with_particle.stderr.strip() == '1 opinions with "배차" (배차를 without its particle)'
    on_the_day = invoke_sotong(project, "opinions", "search", "배차", "--from", "2026-12-15", "--to", "2026-12-15")
    assert on_the_day.code == 0 and "S000030" in on_the_day.stdout
    assert invoke_sotong(project, "opinions", "search", "배차", "--from", "2026-12-16").stdout == ""
    assert invoke_sotong(project, "opinions", "search", "배차", "--from", "12/15").code == 2
    swapped = invoke_sotong(project, "opinions", "search", "배차", "--from", "2026-12-16", "--to", "2026-12-14")
    assert swapped.code == 2 and "--from 2026-12-16 is after --to 2026-12-14" in swapped.output  # was: 0 opinions
    assert len(swapped.stderr.strip().splitlines()) == 1  # no usage text above it
    exported = invoke_sotong(project, "opinions", "export", SLUG, str(project / "private" / "o.csv"))
    assert exported.code == 0, exported.output
    with open(project / "private" / "o.csv", encoding="utf-8-sig", newline="") as out:
        rows = list(csv.DictReader(out))
    assert rows[0]["Opinion"] == "'" + answer["opinion"] and rows[0]["Age band"] == "40대"
    # staff read it in Excel, in Korean: the privacy page's words, a dong by its label, 여/남, the question asked
    korean = invoke_sotong(project, "opinions", "export", SLUG, str(project / "private" / "k.csv"), env={"SOTONG_LANG": "ko"})
    assert korean.code == 0, korean.output
    raw = (project / "private" / "k.csv").read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")  # Excel reads the Korean
    assert list(csv.reader(raw.decode("utf-8-sig").splitlines()))[0] == [
        "의견 수렴(slug)", "정책명", "담당 부서", "참여자 번호", "성별", "행정동", "연령대", "참여일", "질문", "의견"]
    with open(project / "private" / "k.csv", encoding="utf-8-sig", newline="") as out:
        (row,) = list(csv.reader(out))[1:]
    assert row == [SLUG, "2027년 마을버스 노선 개편", "자치행정과", "S000030", "남", "왕십리2동", "40대", "2026-12-15",
                   "노선, 정류장, 배차 간격에 대한 의견을 자유롭게 적어 주세요.", "'" + answer["opinion"]]  # still text
    results = invoke_sotong(project, "survey", "results", SLUG, env={"SOTONG_LANG": "ko"})
    assert results.code == 0 and "왕십리2동  40대  1" in results.stdout
    by_dong = (project / "private" / "surveys" / SLUG / "by_dong_and_age.csv").read_bytes()
    assert by_dong.startswith(b"\xef\xbb\xbf")  # its header was dong, age_band, participants
    assert list(csv.reader(by_dong.decode("utf-8-sig").splitlines())) == [["행정동", "연령대", "참여자 수"], ["왕십리2동", "40대", "1"]]
    assert invoke_sotong(project, "opinions", "export", "budget-vote-2027", "x.csv").code == 1


def test_a_link_of_a_participant_forgotten_or_gone_from_the_audiences_takes_no_opinion(project):
    """A consultation records who answered: a forgotten reader's link (their
    id would come back into the store) and a 통장 who left the 협의회 (no
    longer among the audiences) are refused, saying whom to ask."""
    assert invoke_sotong(project, "subscribers", "forget", "S000030").code == 0
    store_query(project, "UPDATE subscribers SET groups = '' WHERE id = 'S000006'")  # off the committee roster
    answer = {"support": "4", "opinion": "배차를 10분으로"}
    with serving(make_app(Project(project / "pelicanconf.py"))) as port:
        for reader in ("S000030", "S000006"):
            token = survey_token(SLUG, reader)
            for status, _, page in (call(port, "GET", f"/surveys/{SLUG}?t={token}"),
                                    call(port, "POST", f"/surveys/{SLUG}", {"t": token, **answer})):
                assert status == 403 and "이 링크로는 더 이상 답하실 수 없습니다" in page, reader
                assert "자치행정과에 문의해 주세요" in page and 'href="tel:' in page and 'name="t"' not in page
        assert call(port, "POST", f"/surveys/{SLUG}", {"t": survey_token(SLUG, "S000031"), **answer})[0] == 303
    assert store_query(project, "SELECT subscriber_id FROM survey_responses") == [("S000031",)]
    assert store_query(project, "SELECT subscriber_id FROM survey_opinions") == [("S000031",)]


def test_forget_leaves_no_word_of_the_persons_opinions_among_the_answers_or_on_the_results_page(project, store_location):
    """The privacy page (제3조 4) promises an opinion deleted on request:
    forget deleted it from survey_opinions, but the same text stayed among
    the survey's answers (under the stand-in id, read by every results run)
    and on the private results page. Now both say it was erased, the counts
    stay, the page is what a new results run writes, and no file of the store
    or under private/ holds the words (PostgreSQL: no dead row version)."""
    others = "배차를 10분으로"
    with serving(make_app(Project(project / "pelicanconf.py"))) as port:
        answered_then_forgotten(project, port, SLUG, "opinion", "zqxvy", store_location, [
            ("S000030", {"support": "4", "opinion": "우리집 앞 zqxvy 정류장을 옮겨 주세요"}),
            ("S000031", {"support": "4", "opinion": others})])
    assert sorted(store_query(project, "SELECT question, value FROM survey_answers")) == [
        ("opinion", opinions.ERASED), ("opinion", others), ("support", "4"), ("support", "4")]


def test_forget_keeps_the_participants_by_dong_and_age(project):
    """SPEC §13: forget erases a person's data and keeps only counts. Their
    opinions went, and with them their place among the consultation's
    participants by dong and age band: ``survey results`` still said two
    answers (the answers stay under the stand-in) but counted one
    participant. Now they are counted first, as purge counts them
    (``survey_opinion_tallies``), and nothing left names them."""
    with serving(make_app(Project(project / "pelicanconf.py"))) as port:
        for reader in ("S000030", "S000031"):
            answer = {"t": survey_token(SLUG, reader), "support": "4", "opinion": f"정류장을 옮겨 주세요 {reader}"}
            assert call(port, "POST", f"/surveys/{SLUG}", answer)[0] == 303
    table = project / "private" / "surveys" / SLUG / "by_dong_and_age.csv"
    before = invoke_sotong(project, "survey", "results", SLUG)
    assert before.code == 0 and "왕십리2동  40대  1" in before.stdout and "성수2가3동  30대  1" in before.stdout
    counted = table.read_text(encoding="utf-8-sig")
    assert invoke_sotong(project, "subscribers", "forget", "S000030").code == 0
    assert store_query(project, "SELECT count(*) FROM survey_opinions WHERE subscriber_id = 'S000030'") == [(0,)]
    after = invoke_sotong(project, "survey", "results", SLUG)
    assert after.code == 0 and after.stdout == before.stdout and table.read_text(encoding="utf-8-sig") == counted
    assert "S000030" not in str(store_query(project, "SELECT * FROM survey_opinion_tallies"))
    assert [o.opinion for o in opinions.search(opinions.ensure(Store.open(store_of(project))), "정류장")] == [
        "정류장을 옮겨 주세요 S000031"]


def test_an_answer_racing_forget_is_erased_with_the_person_or_refused(project, store_location):
    """The collector checked that the reader was still on record, then stored
    the answer in a transaction of its own: forget committed in between left
    the forgotten id on the response (and the text among the opinions). Here
    forget really is in the middle of its transaction (it deleted the
    subscriber and their opinions) when the answer's check reads the store:
    on SQLite forget merges a large text index while it holds the file, on
    PostgreSQL another transaction holds the person's consent-log rows that
    forget deletes last. The answer is refused as a forgotten reader's, and
    nothing names them; the counts are the other participant's only."""
    reader, other = "S000030", "S000031"
    with serving(make_app(Project(project / "pelicanconf.py"))) as port:
        answer = {"support": "4", "opinion": "정류장을 옮겨 주세요"}
        assert call(port, "POST", f"/surveys/{SLUG}", {"t": survey_token(SLUG, other), **answer})[0] == 303
        with _forget_in_the_middle(project, store_location, reader) as forgetting:
            answered = _in_thread(call, port, "POST", f"/surveys/{SLUG}", {"t": survey_token(SLUG, reader), **answer})
            forgetting.answer_waits_or_ends(answered)
        status, _, page = answered.result(timeout=60)
    assert forgetting.forgot.result(timeout=60).code == 0
    for table in ("survey_opinions", "survey_responses"):
        assert store_query(project, f"SELECT count(*) FROM {table} WHERE subscriber_id = ?", (reader,)) == [(0,)], table
    assert [row[0] for row in store_query(project, f"SELECT subscriber_id FROM survey_opinions WHERE slug = '{SLUG}'")] == [other]
    assert store_query(project, "SELECT count(*) FROM survey_responses WHERE slug = ?", (SLUG,)) == [(1,)]
    assert status == 403 and "이 링크로는 더 이상 답하실 수 없습니다" in page
    with contextlib.closing(opinions.ensure(Store.open(store_of(project)))) as store:
        assert opinions.by_dong_and_age(store, SLUG) == {("seongsu2ga3", "30대"): 1}  # the other's
        assert opinions.by_dong_and_age(store, "earlier-consultation") == {("wangsimni2", "40대"): 1}  # counted


def _in_thread(function, *args) -> concurrent.futures.Future:
    return concurrent.futures.ThreadPoolExecutor(1).submit(function, *args)


class _Forgetting:
    def __init__(self, location: str, forgot):
        self.location, self.forgot = location, forgot

    def answer_waits_or_ends(self, answered) -> None:
        """Until the answer came back, or (PostgreSQL) waits for a lock too."""
        deadline = time.monotonic() + 20
        while not answered.done() and time.monotonic() < deadline:
            if self.location.startswith("postgresql") and _waiting_on_locks(self.location) >= 2:
                return
            time.sleep(0.01)


@contextlib.contextmanager
def _forget_in_the_middle(project, location: str, reader: str):
    """``sotong subscribers forget READER`` (a process of its own) running,
    yielded once it is inside its transaction, past deleting the subscriber
    row and their opinions, and held there a while: on SQLite by a text index
    of 100,000 opinions to merge (0.4 s) (READER's earlier opinion is among them), on
    PostgreSQL by this test's lock on READER's consent-log rows until the
    block ends."""
    store = opinions.ensure(Store.open(location))
    store.db.execute("INSERT INTO survey_opinions (slug, policy, department, subscriber_id, gender, dong, age_band, "
                     "day, question, opinion) VALUES ('earlier-consultation', '정책', '자치행정과', ?, 'M', 'wangsimni2', "
                     "'40대', '2026-11-01', 'opinion', '예전 의견')", (reader,))
    if not location.startswith("postgresql"):
        store.db.execute("INSERT INTO survey_opinions_grams (rowid, grams) SELECT id, ? FROM survey_opinions "
                         "WHERE subscriber_id = ?", (opinions.grams("예전 의견"), reader))
    if location.startswith("postgresql"):
        assert store.db.execute("SELECT count(*) FROM consent_log WHERE subscriber_id = ?", (reader,)).fetchone()[0]
        store.db.execute("BEGIN")
        store.db.execute("SELECT 1 FROM consent_log WHERE subscriber_id = ? FOR UPDATE", (reader,)).fetchall()
    else:
        for _chunk in range(FILLER // 500):  # a transaction each: segments of the index for optimize to merge
            store.db.execute("WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 500) "
                             "INSERT INTO survey_opinions (slug, policy, department, subscriber_id, day, question, opinion) "
                             "SELECT 'filler', '정책', '자치행정과', '', '2026-11-02', 'opinion', "
                             "'마을버스 정류장 ' || hex(randomblob(8)) FROM n")
            store.db.execute("INSERT INTO survey_opinions_grams (rowid, grams) SELECT id, '마을 을버 버스 스 ' || "
                             "hex(randomblob(3)) || ' ' || hex(randomblob(3)) FROM survey_opinions "
                             "WHERE slug = 'filler' AND id > (SELECT max(id) - 500 FROM survey_opinions)")
    forgot = _in_thread(run_sotong, project, "subscribers", "forget", reader)
    try:
        _wait_until_inside(location, forgot)
        yield _Forgetting(location, forgot)
    finally:
        if location.startswith("postgresql"):
            store.db.execute("COMMIT")
        store.close()


def _wait_until_inside(location: str, forgot) -> None:
    """Until forget is in its transaction: waiting for the test's lock
    (PostgreSQL), or holding the file's for 0.05 s on end (SQLite: not one of
    the short transactions a command opening the store may make first)."""
    held_since, deadline = None, time.monotonic() + 60
    while time.monotonic() < deadline and not forgot.done():
        if location.startswith("postgresql"):
            if _waiting_on_locks(location) >= 1:
                return
        else:
            with contextlib.closing(sqlite3.connect(location, timeout=0, isolation_level=None)) as db:
                try:
                    db.execute("BEGIN IMMEDIATE")
                    db.execute("ROLLBACK")
                    held_since = None
                except sqlite3.OperationalError:
                    held_since = held_since or time.monotonic()
                    if time.monotonic() - held_since > 0.05:
                        return
        time.sleep(0.005)
    raise AssertionError(f"forget never held the store: {forgot.result() if forgot.done() else 'still running'}")


def _waiting_on_locks(location: str) -> int:
    with contextlib.closing(Store.open(location)) as store:
        return store.db.execute("SELECT count(*) FROM pg_stat_activity WHERE wait_event_type = 'Lock' "
                                "AND datname = current_database()").fetchone()[0]


def test_forget_on_a_store_with_opinions_but_no_survey_answers(project):
    """``opinions search`` on a store no survey wrote to makes the opinions'
    tables alone; forget then has no answers to erase and says nothing of them."""
    assert invoke_sotong(project, "opinions", "search", "버스").code == 0
    forgotten = invoke_sotong(project, "subscribers", "forget", "S000030")
    assert forgotten.code == 0 and "survey_answers" not in forgotten.output, forgotten.output


def test_export_refuses_a_file_in_the_published_folder(project):
    """output/ is the web site as it is deployed: opinions with their
    participants written there would be published."""
    for target in (project / "output" / "opinions.csv", project / "output" / "surveys" / "o.csv"):
        exported = invoke_sotong(project, "opinions", "export", SLUG, str(target))
        assert exported.code == 1 and len(exported.output.strip().splitlines()) == 1, exported.output
        assert "write them under private/" in exported.output and "Traceback" not in exported.output
        assert not target.exists()


def test_refusing_the_published_folder_names_it_as_staff_know_it(tmp_path):
    """After a build output/ is a link to the build's slot: the refusals of
    opinions export and subscribers changes told staff not to write under
    ".output-a/", a folder they never made, and not output/."""
    project = copy_project(tmp_path)
    (project / ".output-a").mkdir()
    (project / "output").symlink_to(".output-a")  # as sotong build leaves it
    assert invoke_sotong(project, "db", "upgrade").code == 0  # the store they read
    for command in (("opinions", "export", SLUG), ("subscribers", "changes", "--since", "2026-01-01")):
        refused = invoke_sotong(project, *command, "output/x.csv")
        assert refused.code == 1 and " output/ " in refused.output and ".output-" not in refused.output, refused.output


def test_a_policy_or_department_written_wrong_is_named_and_a_removed_consultations_opinions_still_export(project):
    """``--policy village-bus-2072`` or ``--department 자치행정`` printed
    "0 opinions", as if nobody had answered; each is now one line naming
    the nearest. The opinions are kept five years: once the consultation's
    file left content/surveys/, export refused its slug, though they were there.
    Text pasted with its letters decomposed (NFD, from a Mac) found nothing."""
    survey = Project(project / "pelicanconf.py").part("surveys")[SLUG]
    with contextlib.closing(opinions.ensure(Project(project / "pelicanconf.py").store)) as store, store.transaction():
        opinions.record(store, survey, Subscriber(id="S000030", birth_year=1986, gender="M"),
                        {"opinion": ("마을버스 배차를 줄여 주세요",)}, TODAY)
    for option, wrong, near in (("--policy", "village-bus-2072", SLUG), ("--department", "자치행정", "자치행정과")):
        found = invoke_sotong(project, "opinions", "search", "버스", option, wrong)
        assert found.code == 1 and found.stdout == "" and len(found.output.strip().splitlines()) == 1, found.output
        assert f'"{wrong}"' in found.output and f'did you mean "{near}"?' in found.output
    for department in ("자치행정과", unicodedata.normalize("NFD", "자치행정과")):  # as a Mac's terminal may paste it
        assert "S000030" in invoke_sotong(project, "opinions", "search", "버스", "--department", department).stdout
    for text in (unicodedata.normalize("NFD", "버스"), unicodedata.normalize("NFD", "배차를 줄여")):  # was: 0 opinions
        assert "S000030" in invoke_sotong(project, "opinions", "search", text).stdout
    # the consultation written by its title or its policy's, as staff know it: was only the slugs, none suggested
    for written in ("마을버스 노선", "2027년 마을버스 노선 개편"):
        refused = invoke_sotong(project, "opinions", "export", written, str(project / "private" / "x.csv"))
        assert refused.code == 1 and len(refused.output.strip().splitlines()) == 1, refused.output
        assert f'did you mean "{SLUG}"?' in refused.output and f"{SLUG} (" in refused.output, refused.output
    (project / "content" / "surveys" / f"{SLUG}.yaml").unlink()
    assert "S000030" in invoke_sotong(project, "opinions", "search", "버스", "--policy", SLUG).stdout
    refused = invoke_sotong(project, "opinions", "search", "버스", "--policy", "마을버스 노선 개편")  # its file gone
    assert refused.code == 1 and f'did you mean "{SLUG}"?' in refused.output, refused.output  # by the stored policy
    exported = invoke_sotong(project, "opinions", "export", SLUG, str(project / "private" / "kept.csv"))
    assert exported.code == 0, exported.output
    assert "마을버스 배차를 줄여 주세요" in (project / "private" / "kept.csv").read_text(encoding="utf-8-sig")
    assert invoke_sotong(project, "opinions", "export", "village-bus", str(project / "private" / "x.csv")).code == 1


def test_two_words_found_nowhere_side_by_side_are_told_to_be_searched_one_at_a_time(project):
    """``opinions search "배차 정류장"`` said only "0 opinions", though an
    opinion held both words: they are looked for as written, side by side."""
    survey = Project(project / "pelicanconf.py").part("surveys")[SLUG]
    with contextlib.closing(opinions.ensure(Project(project / "pelicanconf.py").store)) as store, store.transaction():
        opinions.record(store, survey, Subscriber(id="S000032", birth_year=1970, gender="F"),
                        {"opinion": ("배차를 줄이고 정류장을 늘려 주세요",)}, TODAY)
    apart = invoke_sotong(project, "opinions", "search", "배차 정류장")
    assert apart.code == 0 and "S000032" not in apart.stdout
    assert 'search for one: sotong opinions search 배차' in apart.stderr, apart.stderr
    together = invoke_sotong(project, "opinions", "search", "정류장을 늘려")
    assert "S000032" in together.stdout and "search for one" not in together.stderr, together.stderr


def test_a_readers_link_is_not_sent_on_as_a_referer(project):
    """The form's address holds the reader's token: a link on the page (the
    site's header, 첫 화면) or the redirect to the thank-you page must not
    carry it to the site's web server log, whatever the phone's browser."""
    token = survey_token(SLUG, "S000031")
    with serving(make_app(Project(project / "pelicanconf.py"))) as port:
        answered = [call(port, "GET", f"/surveys/{SLUG}?t={token}"), call(port, "GET", f"/surveys/{SLUG}?t={token[:-4]}"),
                    call(port, "POST", f"/surveys/{SLUG}", {"t": token, "opinion": "좋아요"}),
                    call(port, "POST", f"/surveys/{SLUG}", {"t": token, "support": "4", "opinion": "좋아요"})]
    assert [status for status, _, _ in answered] == [200, 403, 400, 303]
    assert [headers.get("Referrer-Policy") for _, headers, _ in answered] == ["no-referrer"] * 4


POLICIES = [("bus", "마을버스 노선", "자치행정과"), ("park", "공원 조성", "문화체육과"), ("clinic", "보건지소", "보건소")]
WORDS = ["마을버스", "버스정류장", "배차", "공원", "벤치", "그늘막", "야간 조명", "주차장", "100%", "a_b", "Bus", "노선"]


def survey_of(slug, title, department):
    return Survey(slug, title, department, None, None, (), False, False,
                  (Question("opinion", "text", "의견"), Question("score", "scale", "점수")),
                  kind="consultation", policy=Policy(title, department, "요약"))


@pytest.fixture(scope="module")
def generated_stores(tmp_path_factory):
    """The same 3,000 opinions from 600 people on three policies in a store
    of each backend, made when first asked for."""
    stores = {}

    def generated_on(backend: str) -> Store:
        if backend not in stores:
            location = new_store_location(backend, tmp_path_factory.mktemp("generated"))
            stores[backend] = fill_generated(opinions.ensure(Store.open(location)))
        return stores[backend]

    yield generated_on
    for store in stores.values():
        store.close()


@pytest.fixture(params=BACKENDS)
def generated(request, generated_stores):
    return generated_stores(request.param)


def fill_generated(store):
    rng = random.Random(17)
    surveys = [survey_of(*policy) for policy in POLICIES]
    with store.transaction():
        for index in range(3000):
            person = Subscriber(id=f"P{index % 600}", birth_year=rng.choice([None, *range(1930, 2012)]),
                                gender=rng.choice(["F", "M", None]), dong=rng.choice(["majang", "oksu", None]))
            text = " ".join(rng.sample(WORDS, rng.randint(1, 4)))
            day = dt.date(2026, 1, 1) + dt.timedelta(days=rng.randrange(300))
            opinions.record(store, rng.choice(surveys), person, {"opinion": (text,), "score": ("3",)}, day)
        opinions.record(store, surveys[0], Subscriber(id="=cmd", birth_year=1950),
                        {"opinion": ("@SUM(1) 노선, \"좋음\"\n둘째 줄",)}, dt.date(2026, 12, 1))
    return store


OPINION_TABLES = ("survey_opinions", "survey_opinion_days", "survey_opinion_tallies")  # PostgreSQL's


@pytest.fixture(scope="module", params=BACKENDS)
def blank_store(request, tmp_path_factory):
    """Gives an empty opinions store on one backend, for each hypothesis
    example: a new file on SQLite; on PostgreSQL one database, emptied (a
    new database per example would be slow)."""
    if request.param == "sqlite":
        return lambda: opinions.ensure(Store.open(tmp_path_factory.mktemp("blank") / "sotong.db"))
    location = new_store_location("postgresql", tmp_path_factory.mktemp("blank"))

    def emptied() -> Store:
        store = opinions.ensure(Store.open(location))
        for table in OPINION_TABLES:
            store.db.execute(f"DELETE FROM {table}")
        return store

    return emptied


def brute_force(store, text, policy=None, department=None, since=None, until=None):
    every = opinions.of_policy(store, "bus") + opinions.of_policy(store, "park") + opinions.of_policy(store, "clinic")
    return {(o.subscriber_id, o.day, o.opinion) for o in every
            if text.lower() in o.opinion.lower() and policy in (None, o.slug) and department in (None, o.department)
            and (since is None or o.day >= since.isoformat()) and (until is None or o.day <= until.isoformat())}


MAY, JUNE = dt.date(2026, 5, 1), dt.date(2026, 6, 30)


@pytest.mark.parametrize("text, policy, department, since, until", [
    ("버스", None, None, None, None), ("버스", "bus", None, None, None), ("마을버스", None, "보건소", None, None),
    ("정류장", "park", None, None, None), ("배", None, "자치행정과", None, None), ("야간 조명", None, None, None, None),
    ("100%", None, None, None, None), ("%", None, None, None, None), ("a_b", None, None, None, None),
    ("_", None, None, None, None), ("bus", None, None, None, None), ("없는말", None, None, None, None),
    ("조명", None, None, MAY, None), ("버스", "bus", None, MAY, JUNE), ("그늘막", None, None, None, MAY),
    ("벤", None, None, JUNE, JUNE), ("장", None, "문화체육과", None, None), ("B", None, None, None, None),
    ("10", None, None, None, None), ("없는", None, None, None, None), ("s ", None, None, None, None),
])
def test_search_finds_exactly_the_opinions_that_hold_the_text(generated, text, policy, department, since, until):
    found = opinions.search(generated, text, policy, department, since=since, until=until)
    expected = brute_force(generated, text, policy, department, since, until)
    assert {(o.subscriber_id, o.day, o.opinion) for o in found} == expected
    assert bool(found) == (text not in ("없는말", "없는"))
    assert opinions.search(generated, text, policy, department, limit=5, since=since, until=until) == found[:5]


@settings(max_examples=60, deadline=None)
@given(texts=st.lists(st.text("마을버스 정a_B1%\\'이로", min_size=1, max_size=8), min_size=1, max_size=6),
       query=st.text("마을버스 정a_B1%\\'이로", min_size=1, max_size=4))
def test_every_short_or_long_query_finds_what_a_substring_test_finds(blank_store, texts, query):
    """The trigram index, the grams index (one or two letters) and the scan
    (PostgreSQL: the grams tsvector, then strpos), against Python's
    ``in`` over the same opinions (of the query's word without its particle)."""
    store = blank_store()
    with store.transaction():
        for index, text in enumerate(texts):
            opinions.record(store, survey_of(*POLICIES[0]), Subscriber(id=f"P{index}"), {"opinion": (text,)}, TODAY)
    found = [o.opinion for o in opinions.search(store, query)]
    store.close()
    needle = particle_left_out(query)  # 버스로: 버스
    assert found == [text for text in reversed(texts) if needle.lower() in text.lower() and text.strip()]


PARTICLE_LETTERS = "".join(dict.fromkeys("".join(opinions.PARTICLES)))


def particle_left_out(text: str) -> str:
    """Brute force: of every way to cut ``text`` (a word of letters and
    digits, nothing else) into a stem and a common particle, the one with the
    shortest stem, if it keeps two letters; else ``text`` as typed."""
    cuts = [cut for cut in range(len(text) + 1) if text[cut:] in opinions.PARTICLES]
    word = text != "" and all(letter.isalnum() for letter in text)
    return text[:min(cuts)] if word and cuts and min(cuts) >= 2 else text


@settings(max_examples=300)
@given(stem=st.text(st.sampled_from("정류장차집마 ab1" + PARTICLE_LETTERS + "%_."), max_size=4),
       particle=st.sampled_from(("", *opinions.PARTICLES)))
@example(stem="정류장", particle="을")
@example(stem="집", particle="으로")  # not 집으, by 로
def test_a_words_particle_is_left_out_as_a_brute_force_reading_says(stem, particle):
    assert opinions.searched(stem + particle) == particle_left_out(stem + particle)


@pytest.mark.parametrize("typed, searched", [
    ("정류장을", "정류장"), ("정류장이", "정류장"), ("학교에서", "학교"), ("지하철로", "지하철"), ("구청까지", "구청"),
    ("정류장", "정류장"), ("차를", "차를"), ("집으로", "집으로"), ("마을", "마을"), ("도로", "도로"),
    ("정류장을 옮겨", "정류장을 옮겨"), ("KTX를", "KTX"),
])
def test_staff_words_with_particles(typed, searched):
    assert opinions.searched(typed) == searched


def test_a_search_with_a_particle_finds_the_word_with_any_other(blank_store):
    """Staff type 정류장을; an opinion says 정류장이: found, as are the exact
    ones; 차를 (one syllable left) is looked for as typed, not as 차."""
    texts = ["정류장이 너무 멀어요", "정류장을 옮겨 주세요", "학교 앞 정류장에서", "정류 구간", "차를 세울 곳", "자동차가 많아요"]
    store = blank_store()
    with store.transaction():
        for index, text in enumerate(texts):
            opinions.record(store, survey_of(*POLICIES[0]), Subscriber(id=f"P{index}"), {"opinion": (text,)}, TODAY)
    assert [o.opinion for o in opinions.search(store, "정류장을")] == ["학교 앞 정류장에서", "정류장을 옮겨 주세요", "정류장이 너무 멀어요"]
    assert [o.opinion for o in opinions.search(store, "차를")] == ["차를 세울 곳"]
    assert [o.opinion for o in opinions.search(store, "정류장을 옮겨")] == ["정류장을 옮겨 주세요"]
    store.close()


@pytest.fixture(scope="module")
def blank_stores(tmp_path_factory):
    """Gives an empty opinions store on each backend (see blank_store)."""
    postgresql = new_store_location("postgresql", tmp_path_factory.mktemp("blank"))

    def emptied() -> dict[str, Store]:
        stores = {"sqlite": opinions.ensure(Store.open(tmp_path_factory.mktemp("blank") / "sotong.db")),
                  "postgresql": opinions.ensure(Store.open(postgresql))}
        for table in OPINION_TABLES:
            stores["postgresql"].db.execute(f"DELETE FROM {table}")
        return stores

    return emptied


MIXED = "버스마을이로 aBÉéİıΣσςẞßﬀǅǆKⅫ①%_\\'\"."


@settings(max_examples=50, deadline=None)
@given(texts=st.lists(st.text(MIXED, min_size=1, max_size=8), min_size=1, max_size=6),
       query=st.text(MIXED, min_size=1, max_size=4))
@example(texts=["é%", "É%", "ÉÉ%", "ééé%"], query="É%")  # SQLite's LIKE scan: É is not é
@example(texts=["é%", "É%", "ÉÉ%", "ééé%"], query="ÉÉ%")  # its trigram index: É is é
@example(texts=["σς", "ΣΣ", "ẞ", "ß"], query="σ")  # its grams index: Σ, σ and ς are one
@example(texts=["ΣΣς", "σσσ", "ẞß", "ßß"], query="σσς")  # and its trigram index, which lower() is not
def test_both_backends_find_the_same_opinions_whatever_the_letters(blank_stores, texts, query):
    """Beyond Python's ``in``: letters whose case SQLite folds in its indexes
    and not in its LIKE scan (É), or folds otherwise than ``lower()`` (ς is
    σ, ẞ is ß, K is k; İ and ﬀ stay), wildcards and quotes; PostgreSQL
    answers as SQLite does."""
    found = {}
    for backend, store in blank_stores().items():
        with store.transaction():
            for index, text in enumerate(texts):
                opinions.record(store, survey_of(*POLICIES[0]), Subscriber(id=f"P{index}"), {"opinion": (text,)}, TODAY)
        found[backend] = [o.opinion for o in opinions.search(store, query)]
        store.close()
    assert found["postgresql"] == found["sqlite"]


def test_an_older_store_gets_its_grams_index_and_days_filled(tmp_path):
    """An SQLite store written before the grams index, the days' id ranges
    and the opinions' schema version (PostgreSQL stores have none older)."""
    store = opinions.ensure(Store.open(tmp_path / "sotong.db"))
    with store.transaction():
        opinions.record(store, survey_of(*POLICIES[0]), Subscriber(id="P1"), {"opinion": ("마을버스 노선",)}, TODAY)
        store.db.execute("DROP TABLE survey_opinions_grams")
        store.db.execute("DROP TABLE survey_opinion_days")
        store.db.execute("DELETE FROM schema_versions WHERE component = 'opinions'")
    store.close()
    store = opinions.ensure(Store.open(tmp_path / "sotong.db"))
    assert [o.subscriber_id for o in opinions.search(store, "버스")] == ["P1"]
    assert [o.subscriber_id for o in opinions.search(store, "노선", since=TODAY, until=TODAY)] == ["P1"]
    assert store.schema_version("opinions") == 1


def test_buses_are_found_inside_longer_words(generated):
    found = opinions.search(generated, "버스")
    assert any("마을버스" in o.opinion and "버스정류장" not in o.opinion for o in found)
    assert len(found) > 100


HOSTILE = ["%", "_", "%%", "%_%", "_%", "\\", "\\%", "\\_", "'", "''", '"', '"버스"', "' OR '1'='1", "버스' --",
           "a_b", "A_B", "a%b", "100%", "0%", "*", "버*", "NEAR(버스 배차)", "버스 OR 공원", "-버스", "(", ":", "^",
           "?", ":name", "%s", "$1", "::text", "   ", " 버", "버 ", "B", "b", "BUS", "bUs", "간 조", "s ", "\t",
           "마을버스" * 500, "x" * 5000, "<script>", "버스;DROP TABLE survey_opinions"]


def test_both_backends_give_the_same_answers_even_to_hostile_queries(generated_stores):
    """The same opinions on SQLite and PostgreSQL: every query, with and
    without filters and page, finds the same opinions in the same order, and
    what a substring test finds (LIKE wildcards, quotes and FTS5 words are
    text; a query of 5,000 characters is one)."""
    sqlite, postgresql = generated_stores("sqlite"), generated_stores("postgresql")
    for text in HOSTILE + ["버스", "버", "스", "마을버스", "야간 조명", "그늘막", "없는말"]:
        for policy, department, since, until, limit in [(None, None, None, None, None), ("bus", None, MAY, JUNE, 7),
                                                        (None, "문화체육과", None, MAY, 3)]:
            found = opinions.search(sqlite, text, policy, department, limit, since, until)
            assert opinions.search(postgresql, text, policy, department, limit, since, until) == found, text[:20]
            if limit is None:
                assert {(o.subscriber_id, o.day, o.opinion) for o in found} == brute_force(
                    sqlite, text, policy, department, since, until), text[:20]
    assert len(opinions.search(postgresql, "%")) == len(opinions.search(postgresql, "100%")) > 0
    assert opinions.search(postgresql, "_") == opinions.search(postgresql, "a_b") != []
    assert opinions.search(postgresql, "a%b") == opinions.search(postgresql, "마을버스" * 500) == []


def test_export_writes_every_opinion_of_a_policy(generated, tmp_path):
    store = generated
    count = opinions.export(store, "bus", tmp_path / "bus.csv")
    with open(tmp_path / "bus.csv", encoding="utf-8-sig", newline="") as out:
        rows = list(csv.DictReader(out))
    assert count == len(rows) == len(opinions.of_policy(store, "bus")) > 500
    assert {r["Consultation (slug)"] for r in rows} == {"bus"}
    assert rows[-1]["Participant number"] == "'=cmd" and rows[-1]["Opinion"] == "'@SUM(1) 노선, \"좋음\"\n둘째 줄"
    assert rows[-1]["Age band"] == "70대 이상"
    # without audiences.yaml's dongs or the survey's questions (a file gone): the keys as stored
    assert {r["Dong"] for r in rows} == {"majang", "oksu", ""} and {r["Question"] for r in rows} == {"opinion"}
    assert {r["Gender"] for r in rows} == {"F", "M", ""}


@pytest.mark.parametrize("birth_year, band", [(None, None), (2016, "10대"), (2007, "10대"), (2006, "20대"),
                                              (1997, "20대"), (1996, "30대"), (1957, "60대"), (1956, "70대 이상"),
                                              (1920, "70대 이상")])
def test_age_bands_in_the_year_of_answering(birth_year, band):
    assert opinions.age_band(birth_year, 2026) == band


OPINION_QUESTION = "  - id: opinion\n    type: text\n    text: 의견은?\n"
CONSULTATION = GOOD + OPINION_QUESTION + """kind: consultation
anonymous: false
policy:
  title: 마을버스 노선 개편
  department: 자치행정과
  summary: 배차 간격을 줄이는 개편안입니다.
"""
# the example names a department check takes: the survey's own (교통행정과, which audiences.yaml has not, was refused when copied)
POLICY_EXAMPLE = "write policy: {title: 마을버스 노선 개편, department: 문화체육과, summary: ...}"
CONSULTATION_CASES = [
    (CONSULTATION.split("policy:")[0], 13, f"a consultation needs its policy; {POLICY_EXAMPLE}"),
    # the policy written as its title: it is there (it was told "a consultation needs its policy"), as a map
    (CONSULTATION.split("policy:")[0] + "policy: 2027 마을버스 노선 개편\n", 15, "policy is written as one text; write it "
     "as its title, department and summary: policy: {title: 2027 마을버스 노선 개편, department: 문화체육과, summary: ...}"),
    (CONSULTATION.replace("  department: 자치행정과\n", ""), 15, f"policy.department is required; {POLICY_EXAMPLE[6:]}"),
    (CONSULTATION.replace("  title: 마을버스 노선 개편\n", ""), 15, "policy.title is required"),
    (CONSULTATION.replace("  summary: 배차 간격을 줄이는 개편안입니다.\n", "  summary: \" \"\n"), 15, "policy.summary is required"),
    (CONSULTATION.replace("department: 자치행정과", "department: 자치행정팀"), 17,
     'unknown department "자치행정팀"; did you mean "자치행정과"?; use one of departments in audiences.yaml'),
    (CONSULTATION.replace("  summary:", "  summery:"), 18,
     'unknown policy key "summery"; did you mean "summary"?; policy takes title, department, summary'),
    # a policy's keys in Korean: was that key unknown and, at the policy's line, its English key required too
    (CONSULTATION.replace("  department:", "  부서:"), 17, 'unknown policy key "부서"; did you mean "department"?'),
    (CONSULTATION.replace("  summary:", "  요약:"), 18, 'unknown policy key "요약"; did you mean "summary"?'),
    # its keys written as a list's items: was "a consultation needs its policy"
    (CONSULTATION.replace("  title:", "  - title:").replace("  department:", "  - department:").replace(
        "  summary:", "  - summary:"), 15, 'policy\'s lines start with "- ", which makes them a list; remove the "- "'),
    # 정책: for policy:, or its keys at the top: said at their lines only (was also "a consultation needs its policy")
    (CONSULTATION.replace("policy:", "정책:"), 15, 'unknown key "정책"; did you mean "policy"?'),
    (CONSULTATION.split("policy:")[0] + "policy_title: 마을버스 노선 개편\n", 15,
     'unknown key "policy_title"; the policy\'s title is written under policy:'),
    (CONSULTATION.replace("anonymous: false", "anonymous: true"), 14,
     "a consultation keeps who answered, by policy; write anonymous: false"),
    (CONSULTATION.replace("kind: consultation", "kind: consultaton"), 13,
     'kind must be survey or consultation, not "consultaton"; did you mean "consultation"?'),
    (CONSULTATION.replace("kind: consultation", "kind: 의견수렴"), 13,  # was no suggestion: the Korean word for it
     'kind must be survey or consultation, not "의견수렴"; did you mean "consultation"?'),
    # a policy's title is its name in the opinions' export and search, one line as a notice's title: was taken
    # over two lines (a YAML block, or "\n" or "\r" in double quotes)
    (CONSULTATION.replace("  title: 마을버스 노선 개편\n", "  title: |\n    마을버스\n    노선 개편\n"), 16,
     "policy.title must be one line of at most 100 characters (it has 10); put the rest in policy.summary"),
    (CONSULTATION.replace("title: 마을버스 노선 개편", 'title: "마을버스\\r노선 개편"'), 16, "policy.title must be one line"),
    (CONSULTATION.replace("title: 마을버스 노선 개편", "title: " + "마을버스 " * 21), 16, "(it has 104)"),
    (CONSULTATION.replace("kind: consultation", "kind: survey"), 15,
     "policy is for consultations; add kind: consultation or remove policy"),
    # only choices: no opinion was ever kept, and results counted no participant by dong and age band
    (CONSULTATION.replace(OPINION_QUESTION, ""), 5, "a consultation keeps the opinions written in its free-text questions, "
     "and this one has none, so no opinion would be kept; add one, e.g. - {id: opinion, type: text, text: 의견을 자유롭게 적어 주세요}"),
]


@pytest.mark.parametrize("text, line, message", CONSULTATION_CASES, ids=[c[2][:40] for c in CONSULTATION_CASES])
def test_every_consultation_definition_error_is_a_file_line_problem(tmp_path, text, line, message):
    project = copy_project(tmp_path)
    (project / "content" / "surveys" / "my-consultation.yaml").write_text(text, encoding="utf-8")
    problems = [str(p) for p in check_project(Project(project / "pelicanconf.py"))]
    assert any(p.startswith(f"content/surveys/my-consultation.yaml:{line}: ") and message in p for p in problems), problems
    assert len(problems) == 1, problems  # one mistake, one line


def test_titles_typed_on_a_mac_are_composed(tmp_path):
    """A policy's and a survey's title typed on a Mac (Hangul as jamo, NFD)
    were kept so: an opinion search typed on Windows did not find the
    policy, and its 100 characters counted each jamo."""
    project = copy_project(tmp_path)
    path = project / "content" / "surveys" / "my-consultation.yaml"
    title = "마을버스 노선 개편 " * 4  # 44 letters, 104 as jamo
    path.write_text(unicodedata.normalize("NFD", CONSULTATION.replace("마을버스 노선 개편", title).replace(
        "title: 설문", "title: 설문 조사")), encoding="utf-8")
    assert [str(p) for p in check_project(Project(project / "pelicanconf.py"))] == []
    survey = Project(project / "pelicanconf.py").content.part("surveys")["my-consultation"]
    assert (survey.title, survey.policy.title, survey.policy.department) == ("설문 조사", title.strip(), "자치행정과")


def test_a_well_formed_consultation_passes_check(tmp_path):
    project = copy_project(tmp_path)
    (project / "content" / "surveys" / "my-consultation.yaml").write_text(CONSULTATION, encoding="utf-8")
    assert [str(p) for p in check_project(Project(project / "pelicanconf.py"))] == []


def test_purge_erases_participants_past_five_years_and_keeps_texts_and_counts(tmp_path, store_location):
    """content/pages/privacy.md keeps opinion records 5 years from the day
    received; ``sotong opinions purge`` erases who gave the older ones."""
    project = project_on(store_location, tmp_path, extra_settings=f'SOTONG_TODAY = "{TODAY}"')
    privacy = (project / "content" / "pages" / "privacy.md").read_text(encoding="utf-8")
    assert "의견을 받은 날부터 5년" in privacy and "보유 기간이 지난 의견은 참여자 정보" in privacy
    store = opinions.ensure(Store.open(store_location))
    bus, park = survey_of(*POLICIES[0]), survey_of(*POLICIES[1])
    kim = Subscriber(id="S1", birth_year=1970, gender="F", dong="majang")
    lee = Subscriber(id="S2", birth_year=1990, gender="M", dong="oksu")
    with store.transaction():
        for survey, person, day, text in [(bus, kim, "2021-12-14", "오래된 마을버스 의견"), (bus, kim, "2021-12-15", "버스 둘째"),
                                          (bus, lee, "2020-03-01", "=1+1 아주 오래된 의견"), (park, lee, "2021-12-14", "공원")]:
            opinions.record(store, survey, person, {"opinion": (text,)}, dt.date.fromisoformat(day))
    counts = {slug: opinions.by_dong_and_age(store, slug) for slug in ("bus", "park")}
    store.close()
    dry = invoke_sotong(project, "opinions", "purge", "--dry-run")
    assert dry.stdout.startswith("3 opinions received before 2021-12-15 (kept 5 years) would no longer"), dry.output
    assert store_query(project, "SELECT count(*) FROM survey_opinions WHERE subscriber_id = ''") == [(0,)]
    result = invoke_sotong(project, "opinions", "purge")
    assert result.code == 0, result.output
    assert "3 opinions received before 2021-12-15" in result.stdout
    if store_location.startswith("postgresql"):  # no dead row version keeps who gave them
        assert dead_row_versions(store_location, "survey_opinions") == 0
    rows = store_query(project, "SELECT slug, subscriber_id, gender, dong, age_band, day, opinion FROM survey_opinions "
                                "ORDER BY id")
    assert rows == [("bus", "", None, None, None, "2021-12-14", "오래된 마을버스 의견"),
                    ("bus", "S1", "F", "majang", "50대", "2021-12-15", "버스 둘째"),
                    ("bus", "", None, None, None, "2020-03-01", "=1+1 아주 오래된 의견"),
                    ("park", "", None, None, None, "2021-12-14", "공원")]
    store = opinions.ensure(Store.open(store_location))
    assert {slug: opinions.by_dong_and_age(store, slug) for slug in ("bus", "park")} == counts
    assert counts["bus"] == {("majang", "50대"): 1, ("oksu", "30대"): 1}
    assert [o.opinion for o in opinions.search(store, "오래된")] == ["=1+1 아주 오래된 의견", "오래된 마을버스 의견"]
    store.close()
    again = invoke_sotong(project, "opinions", "purge")
    assert again.code == 0 and again.stdout.startswith("0 opinions")
    store = opinions.ensure(Store.open(store_location))
    assert {slug: opinions.by_dong_and_age(store, slug) for slug in ("bus", "park")} == counts
    store.close()


@pytest.mark.parametrize("today, start", [(dt.date(2026, 12, 15), dt.date(2021, 12, 15)),
                                          (dt.date(2028, 2, 29), dt.date(2023, 2, 28))])
def test_retention_starts_five_years_before_today(today, start):
    assert opinions.retention_start(today) == start


PEOPLE = [Subscriber(id=f"P{i}", birth_year=1950 + 15 * (i % 3), gender="FM"[i % 2], dong=("majang", "oksu")[i % 2])
          for i in range(4)]


ANSWERS = st.lists(st.tuples(st.sampled_from(POLICIES[:2]), st.integers(0, 3), st.integers(0, 3),
                            st.integers(-400, 400)), min_size=1, max_size=12)


def record_answers(store, answers) -> dict:
    """Each (policy, person, moved, offset) of ``answers`` recorded (a person
    who moved: another dong for that answer), around the retention start of
    TODAY; the participants by dong and age band of each policy then."""
    start = dt.date(2021, 12, 15)
    with store.transaction():
        for policy, person, moved, offset in answers:
            someone = PEOPLE[person]
            if moved % 2:
                someone = Subscriber(id=someone.id, birth_year=someone.birth_year, gender=someone.gender, dong="yongdap")
            opinions.record(store, survey_of(*policy), someone, {"opinion": (f"의견 {offset}",)},
                            start + dt.timedelta(days=offset))
    return {slug: opinions.by_dong_and_age(store, slug) for slug in ("bus", "park")}


@settings(max_examples=40, deadline=None)
@given(answers=ANSWERS, later=st.integers(0, 800))
def test_purging_keeps_every_count_by_dong_and_age_and_every_text(blank_store, answers, later):
    """Against the counts before any purge: each participant once per
    policy, dong and age band, whether their opinions were purged, kept, or
    both (a person who moved: another dong for a later answer); and nothing
    before the retention start names anyone any more."""
    store = blank_store()
    before = record_answers(store, answers)
    texts = sorted(row[0] for row in store.db.execute("SELECT opinion FROM survey_opinions"))
    for today in (TODAY, TODAY + dt.timedelta(days=later)):
        opinions.purge(store, today)
        assert {slug: opinions.by_dong_and_age(store, slug) for slug in ("bus", "park")} == before
        first_kept = opinions.retention_start(today).isoformat()
        assert store.db.execute(f"SELECT count(*) FROM survey_opinions WHERE day < ? AND ({opinions.PERSONAL})",
                                (first_kept,)).fetchone()[0] == 0
    assert sorted(row[0] for row in store.db.execute("SELECT opinion FROM survey_opinions")) == texts
    store.close()


@settings(max_examples=40, deadline=None)
@given(answers=ANSWERS, forgotten=st.lists(st.integers(0, 3), max_size=3, unique=True), purge_first=st.booleans())
def test_forgetting_and_purging_in_either_order_keep_every_count_by_dong_and_age(blank_store, answers, forgotten,
                                                                                 purge_first):
    """SPEC §13 (forget keeps only counts) with the privacy page's five
    years: whoever is forgotten, before or after a purge, each participant
    stays counted once per policy, dong and age band, and no opinion of a
    forgotten person is left."""
    store = blank_store()
    before = record_answers(store, answers)
    def forget(person: int) -> None:
        with store.transaction():  # forget's
            opinions.erase_person(store, f"P{person}")

    steps = [lambda: opinions.purge(store, TODAY)] + [lambda person=person: forget(person) for person in forgotten]
    for step in steps if purge_first else steps[1:] + steps[:1]:
        step()
        assert {slug: opinions.by_dong_and_age(store, slug) for slug in ("bus", "park")} == before
    named = {row[0] for row in store.db.execute("SELECT subscriber_id FROM survey_opinions")}
    assert not named & {f"P{person}" for person in forgotten}
    store.close()


def test_an_empty_dong_and_none_are_one_and_purge_takes_both(blank_store):
    """A participant with an empty dong ('' from an older store, where
    record kept it as the subscriber had it) and one with none were counted
    apart, and on PostgreSQL purging both in one run stopped with a database
    error (two rows of the tallies' one key in one statement). They are one
    (none, shown "-"), now, before and after a purge."""
    store = blank_store()
    with store.transaction():
        for person, dong in (("P1", None), ("P2", "")):
            opinions.record(store, survey_of(*POLICIES[0]), Subscriber(id=person, birth_year=1960, dong=dong),
                            {"opinion": ("의견",)}, dt.date(2020, 1, 1))
        store.db.execute("INSERT INTO survey_opinions (slug, policy, department, subscriber_id, gender, dong, age_band, "
                         "day, question, opinion) SELECT slug, policy, department, 'P3', '', '', age_band, day, question, "
                         "opinion FROM survey_opinions WHERE subscriber_id = 'P1'")  # as an older store holds it
    assert store.db.execute("SELECT count(*) FROM survey_opinions WHERE dong IS NULL").fetchone()[0] == 2
    assert opinions.by_dong_and_age(store, "bus") == {(None, "60대"): 3}
    assert opinions.purge(store, TODAY) == 3
    assert opinions.by_dong_and_age(store, "bus") == {(None, "60대"): 3}
    store.close()
