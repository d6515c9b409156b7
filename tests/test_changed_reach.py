"""``sotong check`` and ``sotong preview`` print the reach of the notices
changed since the last build when a store exists (issue #10), with the
figures of ``sotong reach``; without a store, check opens nothing."""

from __future__ import annotations

import os

from project_support import copy_project
from delivery_support import run_cli
import test_bundles
from test_bundles import ISSUE
from test_reach import ROW

small = test_bundles.small  # the fixture: the sample project with readers A1, B2, C3

CHANGED = "2026-11-23-women-health-checkup"
HEADING = f"Reach of the notices changed since the last build, in the issue of {ISSUE} (3 subscribers):"


def reach_rows(output: str) -> dict:
    """The rows of the issue of ISSUE: from its heading to the next one."""
    lines = output.splitlines()
    start = next((i for i, line in enumerate(lines) if line.startswith("Reach of") and ISSUE in line), len(lines))
    end = next((i for i in range(start + 1, len(lines)) if lines[i].startswith("Reach of")), len(lines))
    return {m["slug"]: (m["email"], m["sms"]) for m in map(ROW.match, lines[start:end]) if m and m["slug"] != "notice"}


def test_check_prints_the_reach_of_notices_changed_since_the_build(small):  # noqa: F811
    settings = small / "pelicanconf.py"
    before_any_build = run_cli(settings, "check")
    assert before_any_build.code == 0 and HEADING in before_any_build.output
    every = run_cli(settings, "reach", "--issue", ISSUE)
    assert reach_rows(before_any_build.output) == reach_rows(every.output)  # nothing built: all of the issue changed

    built = run_cli(settings, "build")
    assert built.code == 0, built.output
    after_build = run_cli(settings, "check")
    assert after_build.code == 0 and "Reach of" not in after_build.output and reach_rows(after_build.output) == {}

    source = small / "content" / "notices" / f"{CHANGED}.md"
    source.write_text(source.read_text(encoding="utf-8") + "\n덧붙인 문장.\n", encoding="utf-8")
    edited = run_cli(settings, "check")
    assert edited.code == 0 and HEADING in edited.output
    alone = run_cli(settings, "reach", CHANGED, "--issue", ISSUE)
    assert reach_rows(edited.output) == reach_rows(alone.output) == {CHANGED: reach_rows(alone.output)[CHANGED]}
    assert reach_rows(alone.output)[CHANGED] == ("2", "1")  # A1 by email and SMS; B2 through the edition

    preview = run_cli(settings, "preview", "--subscriber", "A1", "--issue", ISSUE)
    assert preview.code == 0 and HEADING in preview.output and reach_rows(preview.output) == reach_rows(edited.output)


def test_without_a_store_check_counts_nothing_and_makes_no_store(tmp_path):
    project = copy_project(tmp_path)
    result = run_cli(project / "pelicanconf.py", "check")
    assert result.code == 0 and "Reach of" not in result.output
    assert not os.path.exists(project / "private" / "sotong.db")


def test_figures_counted_with_the_preview_s_links_say_so(small):  # noqa: F811
    """check and reach with pelicanconf.py (SITEURL "") counted texts with
    root-relative links: on the sample's next issue 89 SMS and 14 LMS,
    1,179원, where sending's links make 0 SMS and 103 LMS, 2,781원; staff
    planned on the lower figure, told nothing. Now a note says it and how to
    get sending's; under an absolute SITEURL nothing is added."""
    note = ("Note: SITEURL is not absolute in pelicanconf.py, so texts are counted with shorter links than they are "
            "sent with, and the SMS, LMS and cost may be less than sending's; for sending's, run the same command "
            "with -s publishconf.py")
    checked, reached = run_cli(small / "pelicanconf.py", "check"), run_cli(small / "pelicanconf.py", "reach", "--issue", ISSUE)
    assert checked.code == reached.code == 0 and HEADING in checked.output
    assert note in checked.output.splitlines()
    assert reached.output.splitlines()[-1] == note
    (small / "absolute.py").write_text("import os, sys\nsys.path.append(os.path.dirname(os.path.abspath(__file__)))\n"
                                       "from pelicanconf import *  # noqa\nSITEURL = 'https://www.sd.go.kr/sotong'\n")
    absolute = run_cli(small / "absolute.py", "reach", "--issue", ISSUE)
    assert absolute.code == 0 and "Reach of" in absolute.output and "SITEURL" not in absolute.output
