"""Survey answers are kept a year after the survey closes (privacy page,
제3조 3): ``sotong survey purge`` deletes the responses, answers (free text
included) and used tokens of a survey past that day, not a day earlier, and
``sotong survey results`` gives the same counts afterwards; a survey whose
file was removed is purged all the same."""

from __future__ import annotations

import datetime as dt
import http.client
from pathlib import Path
from urllib.parse import urlencode

from delivery_support import add_subscribers, run_cli, store_rows
from hypothesis import given, settings, strategies as st
from project_support import copy_project, project_on, serving, store_of
from store_pages import dead_row_versions

from sotong.project import Project
from sotong.store import Store
from sotong.web import make_app

LIBRARY, BUDGET = "library-satisfaction", "budget-vote-2027"  # closed 2026-11-30 and 2026-12-06
WISH = "밤 10시까지 열어 주세요"


@given(st.dates(min_value=dt.date(2000, 1, 1), max_value=dt.date(2090, 12, 31)))
@settings(max_examples=200)
def test_the_last_kept_day_is_the_same_day_a_year_later_or_the_last_day_of_february(closes):
    from survey.retention import last_kept_day

    brute = closes + dt.timedelta(days=367)
    while (brute.year, brute.month, brute.day) > (closes.year + 1, closes.month, closes.day):
        brute -= dt.timedelta(days=1)
    assert last_kept_day(closes) == brute


def _answered(store_location):
    from survey import storage
    from survey.rules import survey_token

    store = storage.ensure(Store.open(store_location))
    storage.store_response(store, LIBRARY, {"library": ("금호도서관",), "purpose": ("열람실 공부", "휴식·모임"),
                                            "satisfaction": ("4",), "wish": (WISH,)}, "2026-11-20",
                           token=survey_token(LIBRARY, "S1"), subscriber_id=None)  # anonymous: by token
    storage.store_response(store, LIBRARY, {"library": ("용답도서관",), "purpose": ("책 대출·반납",),
                                            "satisfaction": ("5",)}, "2026-11-21", token=survey_token(LIBRARY, "S2"),
                           subscriber_id=None)
    storage.store_response(store, BUDGET, {"dong": ("성수동",), "projects": ("반려견 놀이터 조성",),
                                           "satisfaction": ("3",)}, "2026-11-22", token="token-3", subscriber_id="S1")
    for reader in ("S1", "S2", "S3"):
        storage.record_invitation(store, LIBRARY, reader, "2026-11-12")
    store.close()


def test_purge_deletes_the_answers_a_year_after_closing_and_the_results_keep_their_counts(tmp_path, store_location):
    project = copy_project(tmp_path, extra_settings=f'SOTONG_TODAY = "2027-11-30"\nSOTONG_DB = {store_location!r}')
    settings_file = project / "pelicanconf.py"  # SOTONG_TODAY: the library survey's last kept day
    _answered(store_location)
    before = run_cli(settings_file, "survey", "results", LIBRARY)
    assert before.code == 0, before.output
    counts = (project / "private" / "surveys" / LIBRARY / "results.csv").read_bytes()
    assert "No survey's answers are past" in run_cli(settings_file, "survey", "purge", "--dry-run").output
    kept = run_cli(settings_file, "survey", "purge")
    assert kept.code == 0 and "No survey's answers are past" in kept.output, kept.output
    assert store_rows(project, "SELECT count(*) FROM survey_responses") == [(3,)]

    settings_file.write_text(settings_file.read_text() + '\nSOTONG_TODAY = "2027-12-01"\n')
    dry = run_cli(settings_file, "survey", "purge", "--dry-run")
    assert dry.output == f"{LIBRARY}: 2 responses would be deleted (closed 2026-11-30, kept to 2027-11-30); their counts would stay\n"
    assert store_rows(project, "SELECT count(*) FROM survey_responses") == [(3,)]
    purged = run_cli(settings_file, "survey", "purge")
    assert purged.code == 0, purged.output
    if store_location.startswith("postgresql"):  # no dead row version keeps an answer
        assert [dead_row_versions(store_location, table) for table in ("survey_answers", "survey_responses")] == [0, 0]
    else:  # nor the file's free pages
        data = b"".join(path.read_bytes() for path in (Path(store_location).parent).glob("sotong.db*"))
        assert WISH.encode() not in data
    assert f"{LIBRARY}: 2 responses deleted" in purged.output and BUDGET not in purged.output
    assert store_rows(project, "SELECT slug, count(*) FROM survey_responses GROUP BY slug") == [(BUDGET, 1)]
    assert store_rows(project, "SELECT DISTINCT slug FROM survey_tokens_used") == [(BUDGET,)]
    assert store_rows(project, "SELECT count(*) FROM survey_answers") == [(3,)]  # the budget vote's
    assert store_rows(project, "SELECT DISTINCT slug FROM survey_invitations") == []  # delivery records, over a year old
    assert store_rows(project, f"SELECT count(*) FROM survey_answers WHERE value = '{WISH}'") == [(0,)]
    assert WISH not in (project / "private" / "surveys" / LIBRARY / "results.html").read_text(encoding="utf-8")

    after = run_cli(settings_file, "survey", "results", LIBRARY)
    assert after.code == 0 and "2 answers, response rate 66.7%" in after.output, after.output
    assert "2 answers, response rate 66.7%" in before.output
    assert (project / "private" / "surveys" / LIBRARY / "results.csv").read_bytes() == counts
    again = run_cli(settings_file, "survey", "purge")
    assert "No survey's answers are past" in again.output


def _answer_through_the_collector(project: Path, slug: str, fields: dict) -> None:
    from survey.rules import survey_token

    add_subscribers(store_of(project), 1)
    with serving(make_app(Project(project / "pelicanconf.py"))) as port:
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
        connection.request("POST", f"/surveys/{slug}", body=urlencode({"t": survey_token(slug, "S00001"), **fields}),
                           headers={"Content-Type": "application/x-www-form-urlencoded"})
        assert connection.getresponse().status == 303
        connection.close()


def _store_bytes(store_location: str) -> bytes:
    return b"".join(path.read_bytes() for path in Path(store_location).parent.glob("sotong.db*"))


def test_a_survey_whose_file_was_removed_is_purged_a_year_after_it_closed(tmp_path, store_location):
    """Its answers were kept for ever (nothing to count them by), beyond the
    year the privacy page promises; the store now knows when it closed."""
    from survey import storage

    project = project_on(store_location, tmp_path)
    settings_file = project / "pelicanconf.py"
    _answer_through_the_collector(project, LIBRARY, {"library": "금호도서관", "purpose": "휴식·모임", "satisfaction": "4",
                                                    "wish": WISH})
    store = Store.open(store_location)  # a named survey answered by an older version, which kept no close day
    storage.store_response(storage.ensure(store), BUDGET, {"dong": ("성수동",), "proposal": ("벤치 XYZZY",)},
                           "2026-11-22", token="token-3", subscriber_id="S1")
    store.close()
    assert run_cli(settings_file, "survey", "results", LIBRARY).code == 0
    page = project / "private" / "surveys" / LIBRARY / "results.html"
    assert WISH in page.read_text(encoding="utf-8")
    for slug in (LIBRARY, BUDGET):
        (project / "content" / "surveys" / f"{slug}.yaml").unlink()

    settings_file.write_text(settings_file.read_text() + '\nSOTONG_TODAY = "2027-11-30"\n')  # LIBRARY closed 2026-11-30
    dry = run_cli(settings_file, "survey", "purge", "--dry-run")
    assert f"{BUDGET}: 1 responses would be deleted (content/surveys/{BUDGET}.yaml is gone; kept to 2027-11-22)" in dry.output
    assert store_rows(project, "SELECT slug FROM survey_responses ORDER BY slug") == [(BUDGET,), (LIBRARY,)]
    purged = run_cli(settings_file, "survey", "purge")
    assert purged.code == 0, purged.output
    assert f"{BUDGET}: 1 responses deleted (content/surveys/{BUDGET}.yaml is gone; kept to 2027-11-22)" in purged.output
    assert f"{LIBRARY}: content/surveys/{LIBRARY}.yaml is gone; its answers will be deleted after 2027-11-30" in purged.output
    assert store_rows(project, "SELECT slug FROM survey_responses") == [(LIBRARY,)]
    assert WISH in page.read_text(encoding="utf-8")

    settings_file.write_text(settings_file.read_text() + '\nSOTONG_TODAY = "2027-12-01"\n')
    purged = run_cli(settings_file, "survey", "purge")
    assert purged.code == 0 and f"{LIBRARY}: 1 responses deleted" in purged.output, purged.output
    assert store_rows(project, "SELECT count(*) FROM survey_responses, survey_answers, survey_tokens_used") == [(0,)]
    assert not page.exists()  # it listed the free-text answers
    if store_location.startswith("postgresql"):
        assert [dead_row_versions(store_location, table) for table in ("survey_answers", "survey_responses")] == [0, 0]
    else:
        assert WISH.encode() not in _store_bytes(store_location) and "XYZZY".encode() not in _store_bytes(store_location)
    assert "No survey's answers are past" in run_cli(settings_file, "survey", "purge").output


def _stopped_after_the_store_purge(settings_file: Path, store_location: str, without_definition: bool = False) -> None:
    """What a run stopped (Ctrl+C, a crash) or failed right after a survey's
    answers left the store, before its private results.html did, leaves."""
    from survey import retention

    project = Project(settings_file)
    store = retention.ensure(Store.open(store_location))
    purge = retention.purge_without_definition if without_definition else retention.purge
    assert purge(store, project.part("surveys"), project.today())
    store.close()


def test_a_purge_stopped_before_the_results_page_was_written_again_is_finished_by_the_next(tmp_path, store_location):
    """The page listed the free-text answers, and no later run wrote it
    again (the survey had no answers left to purge): it is written again
    from the counts; a page written since the purge is left as it is."""
    project = copy_project(tmp_path, extra_settings=f'SOTONG_TODAY = "2027-12-01"\nSOTONG_DB = {store_location!r}')
    settings_file, page = project / "pelicanconf.py", project / "private" / "surveys" / LIBRARY / "results.html"
    _answered(store_location)
    assert run_cli(settings_file, "survey", "results", LIBRARY).code == 0 and WISH in page.read_text(encoding="utf-8")
    _stopped_after_the_store_purge(settings_file, store_location)
    rerun = run_cli(settings_file, "survey", "purge")
    assert rerun.code == 0 and "wrote" in rerun.output, rerun.output
    assert WISH not in page.read_text(encoding="utf-8") and "금호도서관" in page.read_text(encoding="utf-8")
    written = page.stat().st_mtime_ns
    assert "wrote" not in run_cli(settings_file, "survey", "purge").output and page.stat().st_mtime_ns == written


def test_a_purge_stopped_before_the_page_of_a_removed_survey_went_is_finished_by_the_next(tmp_path, store_location):
    project = project_on(store_location, tmp_path)
    settings_file, page = project / "pelicanconf.py", project / "private" / "surveys" / LIBRARY / "results.html"
    _answer_through_the_collector(project, LIBRARY, {"library": "금호도서관", "purpose": "휴식·모임", "satisfaction": "4",
                                                    "wish": WISH})
    assert run_cli(settings_file, "survey", "results", LIBRARY).code == 0 and WISH in page.read_text(encoding="utf-8")
    (project / "content" / "surveys" / f"{LIBRARY}.yaml").unlink()
    settings_file.write_text(settings_file.read_text() + '\nSOTONG_TODAY = "2027-12-01"\n')
    _stopped_after_the_store_purge(settings_file, store_location, without_definition=True)
    rerun = run_cli(settings_file, "survey", "purge")
    assert rerun.code == 0 and "listed the free-text answers of survey library-satisfaction" in rerun.output, rerun.output
    assert not page.exists()
