"""The newsletter schedule (sotong/schedule.py) against a brute-force reading
of SPEC §5: issues on the 2nd and 4th Thursday of every month; the window of
issue D holds published notices dated after the previous issue P and on or
before D that have not expired before D."""

from __future__ import annotations

import calendar
import datetime as dt

from hypothesis import given, strategies as st

from sotong.notices import SEOUL, Notice
from sotong.schedule import (
    edition, in_window, is_issue_date, issue_dates_of_month, issues_between,
    next_issue, previous_issue, window,
)

ONE_DAY = dt.timedelta(days=1)
days = st.dates(min_value=dt.date(1990, 1, 1), max_value=dt.date(2200, 12, 31))


# --- the brute-force reading -----------------------------------------------------


def brute_issue_dates(year: int, month: int) -> list[dt.date]:
    """Walk every day of the month, counting Thursdays; keep the 2nd and 4th."""
    found, thursdays = [], 0
    for day_number in range(1, calendar.monthrange(year, month)[1] + 1):
        day = dt.date(year, month, day_number)
        if day.strftime("%A") == "Thursday":
            thursdays += 1
            if thursdays in (2, 4):
                found.append(day)
    return found


def brute_is_issue(day: dt.date) -> bool:
    return day in brute_issue_dates(day.year, day.month)


def brute_next(day: dt.date) -> dt.date:
    while not brute_is_issue(day):
        day += ONE_DAY
    return day


def brute_previous(day: dt.date) -> dt.date:
    day -= ONE_DAY
    while not brute_is_issue(day):
        day -= ONE_DAY
    return day


# --- issue dates -----------------------------------------------------------------


@given(days)
def test_is_issue_date_is_the_2nd_or_4th_thursday(day):
    assert is_issue_date(day) == brute_is_issue(day)


@given(st.integers(1990, 2200), st.integers(1, 12))
def test_every_month_has_its_2nd_and_4th_thursday(year, month):
    assert list(issue_dates_of_month(year, month)) == brute_issue_dates(year, month)


@given(days)
def test_next_issue_is_the_first_issue_on_or_after(day):
    assert next_issue(day) == brute_next(day)


@given(days)
def test_previous_issue_is_the_last_issue_strictly_before(day):
    assert previous_issue(day) == brute_previous(day)


@given(days, st.integers(0, 120))
def test_issues_between_is_every_issue_date_in_the_range(first, length):
    last = first + dt.timedelta(days=length)
    every_day = (first + dt.timedelta(days=n) for n in range(length + 1))
    assert list(issues_between(first, last)) == [d for d in every_day if brute_is_issue(d)]


@given(st.integers(1990, 2200))
def test_months_starting_on_thursday(year):
    for month in range(1, 13):
        first = dt.date(year, month, 1)
        if first.weekday() == calendar.THURSDAY:
            # the 1st is the first Thursday, so the issues fall on the 8th and 22nd
            assert issue_dates_of_month(year, month) == (first.replace(day=8), first.replace(day=22))
            assert next_issue(first) == first.replace(day=8)


def test_known_dates_across_the_year_end():
    assert next_issue(dt.date(2026, 11, 13)) == dt.date(2026, 11, 26)
    assert next_issue(dt.date(2026, 11, 26)) == dt.date(2026, 11, 26)
    assert next_issue(dt.date(2026, 12, 25)) == dt.date(2027, 1, 14)
    assert previous_issue(dt.date(2027, 1, 14)) == dt.date(2026, 12, 24)
    assert previous_issue(dt.date(2027, 1, 1)) == dt.date(2026, 12, 24)
    assert list(issues_between(dt.date(2026, 12, 20), dt.date(2027, 1, 31))) == [
        dt.date(2026, 12, 24), dt.date(2027, 1, 14), dt.date(2027, 1, 28)]


@given(st.integers(1990, 2199))
def test_the_year_end_window_spans_december_to_january(year):
    january_issue = next_issue(dt.date(year + 1, 1, 1))
    assert january_issue.year == year + 1
    assert previous_issue(january_issue) == brute_issue_dates(year, 12)[-1]


# --- windows and editions ----------------------------------------------------------


def make_notice(slug, day, *, hour=0, expires=None, status="published", priority="normal",
                channels=("homepage", "newsletter", "email")):
    return Notice(
        source=f"{slug}.md", slug=slug, title=slug, date=dt.datetime.combine(day, dt.time(hour), SEOUL),
        department="문화체육과", category="culture", body="", channels=tuple(channels),
        expires=expires, priority=priority, status=status,
    )


issue_days = days.map(brute_next).filter(lambda d: d <= dt.date(2200, 12, 1))


@st.composite
def notices_near(draw, issue):
    """Notices dated from 40 days before to 10 days after the issue."""
    count = draw(st.integers(0, 12))
    notices = []
    for index in range(count):
        day = issue + dt.timedelta(days=draw(st.integers(-40, 10)))
        expires = draw(st.none() | st.integers(0, 30).map(lambda n, d=day: d + dt.timedelta(days=n)))
        notices.append(make_notice(
            f"n{index}", day, hour=draw(st.integers(0, 23)), expires=expires,
            status=draw(st.sampled_from(["published", "draft"])),
            priority=draw(st.sampled_from(["normal", "urgent"])),
            channels=draw(st.lists(st.sampled_from(["homepage", "newsletter", "email", "sms"]), min_size=1, unique=True)),
        ))
    return notices


@given(st.data())
def test_window_holds_exactly_the_notices_the_spec_names(data):
    issue = data.draw(issue_days)
    notices = data.draw(notices_near(issue))
    previous = brute_previous(issue)
    expected = {
        n.slug for n in notices
        if n.status == "published"
        and previous < n.date.date() <= issue
        and not (n.expires is not None and n.expires < issue)
    }
    chosen = window(notices, issue)
    assert {n.slug for n in chosen} == expected
    assert all(in_window(n, issue) == (n.slug in expected) for n in notices)
    assert [n.slug for n in edition(notices, issue)] == [n.slug for n in chosen if "newsletter" in n.channels]


@given(st.data())
def test_window_lists_urgent_first_then_newest_first(data):
    issue = data.draw(issue_days)
    chosen = window(data.draw(notices_near(issue)), issue)
    for earlier, later in zip(chosen, chosen[1:]):
        if earlier.urgent == later.urgent:
            assert earlier.date >= later.date
        else:
            assert earlier.urgent


@given(issue_days)
def test_a_notice_belongs_to_exactly_one_window(day):
    notice = make_notice("only", day - dt.timedelta(days=3))
    issues = list(issues_between(day - dt.timedelta(days=40), day + dt.timedelta(days=40)))
    assert [d for d in issues if in_window(notice, d)] == [brute_next(notice.date.date())]


def test_window_boundaries_and_expiry():
    issue, previous = dt.date(2026, 11, 26), dt.date(2026, 11, 12)
    on_previous = make_notice("on-previous", previous, hour=23)
    day_after_previous = make_notice("day-after", previous + ONE_DAY)
    on_issue = make_notice("on-issue", issue, hour=23)
    expired_the_day_before = make_notice("expired", dt.date(2026, 11, 20), expires=issue - ONE_DAY)
    expires_on_issue = make_notice("current", dt.date(2026, 11, 20), expires=issue)
    draft = make_notice("draft", dt.date(2026, 11, 20), status="draft")
    chosen = {n.slug for n in window([on_previous, day_after_previous, on_issue, expired_the_day_before,
                                      expires_on_issue, draft], issue)}
    assert chosen == {"day-after", "on-issue", "current"}


def test_window_order_urgent_first_then_newest_then_by_slug():
    issue = dt.date(2026, 11, 26)
    notices = [make_notice("b-old", dt.date(2026, 11, 14)), make_notice("urgent-old", dt.date(2026, 11, 13), priority="urgent"),
               make_notice("new", dt.date(2026, 11, 25)), make_notice("a-old", dt.date(2026, 11, 14)),
               make_notice("urgent-new", dt.date(2026, 11, 20), priority="urgent")]
    assert [n.slug for n in window(notices, issue)] == ["urgent-new", "urgent-old", "new", "a-old", "b-old"]


def test_a_window_reckons_the_issue_before_once_not_once_per_notice(monkeypatch):
    """A window looks at every notice of the site; the issue before its own
    was reckoned again for each (of 5,000 notices: most of the 38 s that
    sotong check's SMS warnings took). Now once per issue."""
    import sotong.schedule as schedule

    reckoned = []
    real = schedule.issue_dates_of_month
    monkeypatch.setattr(schedule, "issue_dates_of_month", lambda year, month: reckoned.append(month) or real(year, month))
    notices = [make_notice(f"n{index}", dt.date(2031, 11, 1) + ONE_DAY * (index % 27)) for index in range(300)]
    assert len(window(notices, dt.date(2031, 11, 27))) > 0
    assert len(reckoned) <= 2
