"""Check warnings (issue #10): an urgent notice whose title repeats 긴급, and
an urgent notice that expires before the next issue (with the one-off
commands to send it); warnings, not errors: check still exits 0."""

from __future__ import annotations

import datetime as dt

from conftest import copy_project, run_sotong
from sotong.advice import notice_warnings
from sotong.notices import SEOUL, Notice


def urgent(title="한파 대비 안내", expires=None, priority="urgent") -> Notice:
    return Notice(source="n.md", slug="cold", title=title, date=dt.datetime(2026, 11, 20, 9, tzinfo=SEOUL),
                  department="안전재난과", category="living", body="", expires=expires, priority=priority,
                  lines={"title": 2, "expires": 7})


def test_a_title_that_repeats_the_urgent_mark_is_warned_on_its_line():
    (warning,) = notice_warnings(urgent("[긴급] 한파 대비 안내"), "n.md")
    assert warning.startswith("n.md:2: warning: the title says 긴급")
    assert notice_warnings(urgent("[긴급] 한파 대비 안내", priority="normal"), "n.md") == []
    assert notice_warnings(urgent(), "n.md") == []


def test_an_urgent_notice_expiring_before_the_next_issue_says_how_to_send_it_alone():
    # dated 11-20: the next issue is 11-26; expiring on 11-25 it is in no issue
    (warning,) = notice_warnings(urgent(expires=dt.date(2026, 11, 25)), "n.md")
    assert warning == ("n.md:7: warning: this urgent notice expires (2026-11-25) before the next issue (2026-11-26), "
                       "so no issue will carry it; send it on its own: sotong bundles --notice cold "
                       "&& sotong send --notice cold")
    assert notice_warnings(urgent(expires=dt.date(2026, 11, 26)), "n.md") == []
    assert notice_warnings(urgent(expires=dt.date(2026, 11, 25), priority="normal"), "n.md") == []


def test_check_prints_warnings_and_exits_0(tmp_path):
    project = copy_project(tmp_path, notices=False)
    (project / "content" / "notices" / "cold.md").write_text(
        '---\ntitle: "긴급 한파 대피소 운영"\ndate: 2026-11-20\ndepartment: 안전재난과\ncategory: living\n'
        "priority: urgent\nexpires: 2026-11-22\n---\n본문\n", encoding="utf-8")
    result = run_sotong(project, "check")
    assert result.code == 0, result.output
    warnings = result.stderr.splitlines()
    assert [w.split(": warning: ")[0] for w in warnings] == ["content/notices/cold.md:2", "content/notices/cold.md:7"]
    assert "sotong bundles --notice cold && sotong send --notice cold" in warnings[1]
