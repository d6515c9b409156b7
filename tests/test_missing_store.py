"""A SOTONG_DB naming no store (a mistyped path): the commands that only read
the store refuse it in one line naming the path, and make nothing; those
that make the store (import, db upgrade) make it there, as before. Opening
it made an empty store and its folders, and reach then counted 0 readers
for every notice, only a note line saying why."""

from __future__ import annotations

import pytest

from project_support import REPO, copy_project, invoke_sotong, run_sotong

MISTYPED = 'SOTONG_DB = "privat/sotng.db"'
READ_ONLY_COMMANDS = [
    ("reach", "--issue", "2026-11-26"),
    ("preview", "--subscriber", "S00001", "--issue", "2026-11-26"),
    ("report", "--year", "2026"),
    ("report", "--issue", "2026-11-26"),
    ("send", "report", "--issue", "2026-11-26"),
    ("subscribers", "export", "private/out.csv"),
    ("subscribers", "changes", "--since", "2026-01-01", "private/changes.csv"),
    ("subscribers", "shared"),
    ("survey", "results", "library-satisfaction"),
    ("opinions", "search", "버스"),
    ("opinions", "export", "village-bus-2027", "private/opinions.csv"),
]
# the daily timer's purges: one that made an empty store at a mistyped path purged nothing there, exit 0, every
# day, and the store it made let send and bundles take the path for the store (they refuse one where none is)
DAILY_PURGES = [("subscribers", "purge"), ("send", "purge"), ("survey", "purge"), ("opinions", "purge")]


@pytest.fixture
def mistyped(tmp_path):
    """The sample project, its SOTONG_DB mistyped (in a folder that is not there either)."""
    return copy_project(tmp_path, extra_settings=f"\n{MISTYPED}\n")


def settings_line(project) -> int:
    lines = (project / "pelicanconf.py").read_text(encoding="utf-8").splitlines()
    return len(lines) - lines[::-1].index(MISTYPED)


@pytest.mark.parametrize("args", READ_ONLY_COMMANDS + DAILY_PURGES, ids=lambda args: " ".join(args[:2]))
def test_a_command_that_reads_the_store_refuses_a_sotong_db_where_none_is(mistyped, args):
    result = invoke_sotong(mistyped, *args)
    assert result.code == 1, result.output
    assert result.stderr.splitlines() == [
        f"pelicanconf.py:{settings_line(mistyped)}: SOTONG_DB names privat/sotng.db, where there is no store; check "
        "SOTONG_DB (a mistyped path?), or make the store with sotong subscribers import FILE.csv"]
    assert not (mistyped / "privat").exists()


def test_the_refusal_is_one_korean_line_from_the_command_staff_run(mistyped):
    result = run_sotong(mistyped, "reach", "--issue", "2026-11-26", env={"SOTONG_LANG": "ko"})
    assert result.code == 1 and "Traceback" not in result.output
    (line,) = result.stderr.splitlines()
    assert line.startswith(f"pelicanconf.py:{settings_line(mistyped)}: ") and "privat/sotng.db" in line
    assert "SOTONG_DB" in line and "저장소" in line
    assert not (mistyped / "privat").exists()


@pytest.mark.parametrize("making", [("subscribers", "import", str(REPO / "sample" / "subscribers.csv")),
                                    ("db", "upgrade")], ids=["import", "db upgrade"])
def test_the_commands_that_make_the_store_still_make_it(mistyped, making):
    assert invoke_sotong(mistyped, *making).code == 0
    assert (mistyped / "privat" / "sotng.db").is_file()
    assert invoke_sotong(mistyped, "subscribers", "export", "private/out.csv").code == 0  # it is there now


def test_a_personas_preview_needs_no_store_and_makes_none(mistyped):
    """An imagined reader's preview reads no subscriber: it works without a
    store, and the survey invitation's block (a survey open on the issue's
    day) no longer makes one to find who answered."""
    result = invoke_sotong(mistyped, "preview", "--persona", "age=34 gender=F channels=email,sms dong=yongdap fields=culture", "--issue", "2026-11-26")
    assert result.code == 0, result.output
    assert list((mistyped / "private" / "preview").iterdir())
    assert not (mistyped / "privat").exists()
