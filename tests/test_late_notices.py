"""A notice changed since the last build and dated in the window of an issue
already bundled, or an earlier one (a typo 2025 for 2026, a notice written
late), passed ``sotong check`` silently and was never emailed (SPEC §6
windows); check now says so at its ``date:`` line, from what the outboxes
say, and says nothing of the notices that a coming issue carries."""

from __future__ import annotations

import os
import re

from delivery_support import run_cli
import test_bundles
from test_bundles import ISSUE

small = test_bundles.small  # the fixture: the sample project with readers A1, B2, C3

PINNED = 'import os, sys\nsys.path.append(os.path.dirname(os.path.abspath(__file__)))\nfrom pelicanconf import *  # noqa\nSOTONG_TODAY = "2026-11-25"\n'
ADVICE = ("no coming newsletter or email will carry it; to send it, write a later date in date: (after 2026-11-26, "
          "e.g. 2026-11-27); if it is only for the site, leave it")


def _redate(project, slug: str, day: str, channels: str | None = None) -> str:
    """Give the notice ``slug`` the date ``day`` (and ``channels``); its path as check shows it, with its date: line."""
    source = project / "content" / "notices" / f"{slug}.md"
    text = re.sub(r"(?m)^date: .*$", f"date: {day}", source.read_text(encoding="utf-8"), count=1)
    if channels is not None:
        text = re.sub(r"(?m)^channels: .*$", f"channels: {channels}", text, count=1)
    source.write_text(text, encoding="utf-8")
    line = text.splitlines().index(f"date: {day}") + 1
    return f"content/notices/{slug}.md:{line}: "


def _warnings(output: str) -> list[str]:
    return [line for line in output.splitlines() if "this notice belongs to the issue of" in line]


def test_check_says_a_changed_notice_dated_in_a_bundled_or_earlier_window_goes_out_in_no_issue(small):  # noqa: F811
    settings = small / "pinned.py"
    settings.write_text(PINNED)
    assert run_cli(settings, "build").code == 0
    typo = _redate(small, "2026-11-23-women-health-checkup", "2025-11-23")
    late = _redate(small, "2026-11-19-year-end-concert", "2026-11-20")
    coming = _redate(small, "2026-11-30-school-enrollment-schedule", "2026-11-27")
    site_only = _redate(small, "2026-11-18-cold-shelters", "2026-11-18", channels="[homepage]")
    unbundled = run_cli(settings, "check")
    assert unbundled.code == 0 and _warnings(unbundled.output) == []  # no outbox: nothing says the issue went out

    assert run_cli(settings, "bundles", "--issue", ISSUE).code == 0
    checked = run_cli(settings, "check")
    assert checked.code == 0, checked.output
    outbox = f"private/outbox/{ISSUE}"
    assert sorted(_warnings(checked.output)) == sorted([
        late + f"warning: dated 2026-11-20, this notice belongs to the issue of {ISSUE}, already bundled ({outbox}) "
               f"and perhaps sent; {ADVICE}",
        typo + "warning: dated 2025-11-23, this notice belongs to the issue of 2025-11-27, which came before the issue "
               f"of {ISSUE}, already bundled ({outbox}) and perhaps sent; {ADVICE}"])
    assert not any(line.startswith((coming, site_only)) for line in checked.output.splitlines())

    assert run_cli(settings, "build").code == 0  # built: no longer changed, so no longer said
    assert _warnings(run_cli(settings, "check").output) == []


def test_check_says_it_in_korean(small, monkeypatch):  # noqa: F811
    settings = small / "pinned.py"
    settings.write_text(PINNED)
    assert run_cli(settings, "build").code == 0
    assert run_cli(settings, "bundles", "--issue", ISSUE).code == 0
    typo = _redate(small, "2026-11-23-women-health-checkup", "2025-11-23")
    monkeypatch.setenv("SOTONG_LANG", "ko")
    checked = run_cli(settings, "check")
    said = [line for line in checked.output.splitlines() if line.startswith(typo)]
    assert checked.code == 0 and len(said) == 1 and "2025-11-27" in said[0] and "2026-11-27" in said[0]
    assert re.search("[가-힣]", said[0]) and "warning" not in said[0] and "belongs" not in said[0]


def _bundled_with_a_late_notice(small) -> tuple:
    """Built and the issue bundled, then the concert dated into that issue's window: (settings, its warning)."""
    settings = small / "pinned.py"
    settings.write_text(PINNED)
    assert run_cli(settings, "build").code == 0
    assert run_cli(settings, "bundles", "--issue", ISSUE).code == 0
    late = _redate(small, "2026-11-19-year-end-concert", "2026-11-20")
    return settings, (late + f"warning: dated 2026-11-20, this notice belongs to the issue of {ISSUE}, already bundled "
                             f"(private/outbox/{ISSUE}) and perhaps sent; {ADVICE}")


def test_preview_says_it_too(small):  # noqa: F811
    """Staff who only preview the next issue's email did not find their late
    notice in it, and nothing said why; preview now says the same line."""
    settings, warning = _bundled_with_a_late_notice(small)
    previewed = run_cli(settings, "preview", "--persona", "fields=culture channels=email")
    assert previewed.code == 0 and _warnings(previewed.stderr) == [warning], previewed.output


def test_build_and_every_devserver_build_say_it(small):  # noqa: F811
    """The build says it (before the site it builds makes the notice no
    longer changed), and the devserver's builds, which never touch output/,
    say it in the terminal and the page's bar on every build, not only the
    first after the save."""
    from sotong.devserver import preview_folder
    from sotong.devserver.rebuild import build_preview

    settings, warning = _bundled_with_a_late_notice(small)
    folder = preview_folder(settings)
    for _build in range(2):
        assert _warnings("\n".join(build_preview(settings, folder)["warnings"])) == [warning]
    built = run_cli(settings, "build")
    assert built.code == 0 and _warnings(built.stderr) == [warning]
    assert _warnings("\n".join(build_preview(settings, folder)["warnings"])) == []  # sotong build made it the site's


def test_a_notice_saved_again_unchanged_is_not_changed(small):  # noqa: F811
    """An editor that saves every open file, or a copy that touches them all,
    made every notice "changed" and check warned of notices sent long ago;
    a notice is changed by its bytes, not its file's time."""
    settings = small / "pinned.py"
    settings.write_text(PINNED)
    assert run_cli(settings, "bundles", "--issue", ISSUE).code == 0
    typo = _redate(small, "2026-11-23-women-health-checkup", "2025-11-23")
    assert run_cli(settings, "build").code == 0  # the site holds the dated-back notice: no longer changed
    for notice in (small / "content" / "notices").glob("*.md"):
        notice.write_bytes(notice.read_bytes())
        os.utime(notice, ns=(notice.stat().st_atime_ns, notice.stat().st_mtime_ns + 1_000_000_000))
    assert _warnings(run_cli(settings, "check").output) == []
    _redate(small, "2026-11-23-women-health-checkup", "2025-11-24")  # an edit: said again
    assert [line.split(": ")[0] for line in _warnings(run_cli(settings, "check").output)] == [typo.split(": ")[0]]
