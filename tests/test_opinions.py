"""Consultations (SPEC §16): the policy on the form, opinions stored by the
collector with the participant's profile at the time of answering, ``sotong
opinions search`` (substring search: 버스 finds 마을버스) and ``export``
against a brute-force reading over a few thousand generated opinions, and
participants by dong and age band in ``sotong survey results``."""

from __future__ import annotations

import csv
import datetime as dt
import random
import sqlite3

import pytest
from conftest import REPO, copy_project, run_sotong, serving
from test_survey import call

from sotong.project import Project
from sotong.store import Store, Subscriber
from sotong.web import make_app
from survey import opinions
from survey.rules import survey_token
from survey.schema import Policy, Question, Survey

SLUG = "village-bus-2027"
TODAY = dt.date(2026, 12, 15)


@pytest.fixture(scope="module")
def project(tmp_path_factory):
    project = copy_project(tmp_path_factory.mktemp("opinions"), extra_settings=f'SOTONG_TODAY = "{TODAY}"')
    imported = run_sotong(project, "subscribers", "import", str(REPO / "sample" / "subscribers.csv"))
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
    db = sqlite3.connect(project / "private" / "sotong.db")
    stored = db.execute("SELECT slug, policy, department, subscriber_id, gender, dong, age_band, day, question, opinion "
                        "FROM survey_opinions").fetchall()
    db.close()
    assert stored == [(SLUG, "2027년 마을버스 노선 개편", "자치행정과", "S000030", "M", "wangsimni2", "40대",
                       "2026-12-15", "opinion", answer["opinion"])]

    found = run_sotong(project, "opinions", "search", "버스", "--policy", SLUG)
    assert found.code == 0 and "S000030" in found.stdout and "마을버스 배차" in found.stdout
    assert run_sotong(project, "opinions", "search", "버스", "--department", "보건소").stdout == ""
    exported = run_sotong(project, "opinions", "export", SLUG, str(project / "private" / "o.csv"))
    assert exported.code == 0, exported.output
    with open(project / "private" / "o.csv", encoding="utf-8-sig", newline="") as out:
        rows = list(csv.DictReader(out))
    assert rows[0]["opinion"] == "'" + answer["opinion"] and rows[0]["age_band"] == "40대"
    results = run_sotong(project, "survey", "results", SLUG)
    assert results.code == 0 and "왕십리2동  40대  1" in results.stdout
    assert run_sotong(project, "opinions", "export", "budget-vote-2027", "x.csv").code == 1


POLICIES = [("bus", "마을버스 노선", "자치행정과"), ("park", "공원 조성", "문화체육과"), ("clinic", "보건지소", "보건소")]
WORDS = ["마을버스", "버스정류장", "배차", "공원", "벤치", "그늘막", "야간 조명", "주차장", "100%", "a_b", "Bus", "노선"]


def survey_of(slug, title, department):
    return Survey(slug, title, department, None, None, (), False, False,
                  (Question("opinion", "text", "의견"), Question("score", "scale", "점수")),
                  kind="consultation", policy=Policy(title, department, "요약"))


@pytest.fixture(scope="module")
def generated(tmp_path_factory):
    """3,000 opinions from 600 people on three policies."""
    rng = random.Random(17)
    store = opinions.ensure(Store.open(tmp_path_factory.mktemp("generated") / "sotong.db"))
    surveys = [survey_of(*policy) for policy in POLICIES]
    with store.transaction():
        for index in range(3000):
            person = Subscriber(id=f"P{index % 600}", birth_year=rng.choice([None, *range(1930, 2012)]),
                                gender=rng.choice(["F", "M", None]), dong=rng.choice(["majang", "oksu", None]))
            text = " ".join(rng.sample(WORDS, rng.randint(1, 4)))
            day = dt.date(2026, 1, 1) + dt.timedelta(days=rng.randrange(300))
            opinions.record(store, rng.choice(surveys), person, {"opinion": (text,), "score": ("3",)}, day)
    return store


def brute_force(store, text, policy=None, department=None):
    every = opinions.of_policy(store, "bus") + opinions.of_policy(store, "park") + opinions.of_policy(store, "clinic")
    return {(o.subscriber_id, o.day, o.opinion) for o in every
            if text.lower() in o.opinion.lower() and policy in (None, o.slug) and department in (None, o.department)}


@pytest.mark.parametrize("text, policy, department", [
    ("버스", None, None), ("버스", "bus", None), ("마을버스", None, "보건소"), ("정류장", "park", None),
    ("배", None, "자치행정과"), ("야간 조명", None, None), ("100%", None, None), ("%", None, None),
    ("a_b", None, None), ("_", None, None), ("bus", None, None), ("없는말", None, None),
])
def test_search_finds_exactly_the_opinions_that_hold_the_text(generated, text, policy, department):
    found = opinions.search(generated, text, policy, department)
    assert {(o.subscriber_id, o.day, o.opinion) for o in found} == brute_force(generated, text, policy, department)
    assert opinions.search(generated, text, policy, department, limit=5) == found[:5]


def test_buses_are_found_inside_longer_words(generated):
    found = opinions.search(generated, "버스")
    assert any("마을버스" in o.opinion and "버스정류장" not in o.opinion for o in found)
    assert len(found) > 100


def test_export_writes_every_opinion_of_a_policy(generated, tmp_path):
    store = generated
    with store.transaction():
        opinions.record(store, survey_of(*POLICIES[0]), Subscriber(id="=cmd", birth_year=1950),
                        {"opinion": ("@SUM(1) 노선, \"좋음\"\n둘째 줄",)}, dt.date(2026, 12, 1))
    count = opinions.export(store, "bus", tmp_path / "bus.csv")
    with open(tmp_path / "bus.csv", encoding="utf-8-sig", newline="") as out:
        rows = list(csv.DictReader(out))
    assert count == len(rows) == len(opinions.of_policy(store, "bus")) > 500
    assert {r["slug"] for r in rows} == {"bus"}
    assert rows[-1]["subscriber_id"] == "'=cmd" and rows[-1]["opinion"] == "'@SUM(1) 노선, \"좋음\"\n둘째 줄"
    assert rows[-1]["age_band"] == "70대 이상"


@pytest.mark.parametrize("birth_year, band", [(None, None), (2016, "10대"), (2007, "10대"), (2006, "20대"),
                                              (1997, "20대"), (1996, "30대"), (1957, "60대"), (1956, "70대 이상"),
                                              (1920, "70대 이상")])
def test_age_bands_in_the_year_of_answering(birth_year, band):
    assert opinions.age_band(birth_year, 2026) == band
