"""Links in emails already sent never break: the sample's issue of 11-26 is
bundled (its emails link to the year-end concert's page), then staff rename
the notice's file, edit its ``slug:``, make it a draft or delete it: its old
address leads to its new one, or to a page that says it is no longer posted,
never to a 404; and ``sotong check`` says, at the notice, that its address
moved and which ``slug:`` keeps it (a new address is a new SNS feed item
and a new calendar event); made private, the page has no title. The same
for a notice only posted through the SNS feeds (kept when ``sotong build``
publishes them), for a survey invited to and renamed or removed (its page
and its invitations' links on the collector), and for an issue's edition
page whose notices all became drafts or were removed."""

from __future__ import annotations

import json
import os
import re
import shutil
import sys
from pathlib import Path

import lxml.html

from delivery_support import run_cli
from project_support import SAMPLE_TODAY, copy_project, differing_files, serving
from sotong.code_ledger import SENT_NOTICES_FILE, SENT_PAGES_FILE
from sotong.devserver.rebuild import build_preview
from sotong.project import Project
from sotong.web import make_app
from survey.rules import survey_token
from survey.sent import INVITED_SURVEYS_FILE
from test_clicks import ISSUE, bundled, email_links
from test_survey import BUDGET, LIBRARY, add_readers, call
from test_texted_codes import build

EMAILED = "2026-11-19-year-end-concert"
TITLE = "2026 성동 송년 음악회 — 구민과 함께하는 겨울 선율"
SITE = "https://www.sd.go.kr/sotong"
REFRESH = re.compile(r'http-equiv="refresh" content="0; url=([^"]+)"')


def sent(tmp_path: Path) -> Path:
    """The sample bundled for 11-26 (its emails link to the concert's page) and built."""
    outbox = bundled(tmp_path, counting=False)
    assert f"{SITE}/notices/{EMAILED}/" in email_links(outbox, "A1")
    build(tmp_path)
    return tmp_path


def page(project: Path, slug: str) -> str:
    return (project / "output" / "notices" / slug / "index.html").read_text(encoding="utf-8")


def redirect(project: Path, slug: str) -> str | None:
    """Where the page at the address of ``slug`` sends its reader, None when it sends nowhere."""
    return REFRESH.findall(page(project, slug))[0] if REFRESH.search(page(project, slug)) else None


def warnings(project: Path) -> list[str]:
    ran = run_cli(project / "pelicanconf.py", "check")
    assert ran.code == 0, ran.output
    return [line for line in ran.output.splitlines() if "notices/" + EMAILED + "/" in line]


def notice_file(project: Path, name: str = EMAILED) -> Path:
    return project / "content" / "notices" / f"{name}.md"


def test_bundles_keeps_the_notices_it_sent_out_of_the_site(tmp_path):
    project = sent(tmp_path)
    ledger = json.loads((project / "private" / SENT_NOTICES_FILE).read_text(encoding="utf-8"))
    assert ledger[EMAILED] == {"slug": EMAILED, "source": f"notices/{EMAILED}.md", "title": TITLE, "day": ISSUE}
    assert not list((project / "output").resolve().rglob(SENT_NOTICES_FILE))
    assert redirect(project, EMAILED) is None  # the notice's own page, no redirect


def test_an_emailed_notice_whose_file_is_renamed_keeps_its_address_and_check_says_which_slug_keeps_it(tmp_path):
    project = sent(tmp_path)
    notice_file(project).rename(notice_file(project, "2026-11-19-concert"))
    build(project)
    assert redirect(project, EMAILED) == f"{SITE}/notices/2026-11-19-concert/"
    assert TITLE in page(project, EMAILED)
    [warning] = warnings(project)
    assert warning.startswith("content/notices/2026-11-19-concert.md:1: ")
    assert f"slug: {EMAILED}" in warning and ISSUE in warning
    assert "calendars" in warning  # it has an event: a new address is a new calendar event too
    # the slug written back: the notice at its old address again, and nothing to say
    text = notice_file(project, "2026-11-19-concert").read_text(encoding="utf-8")
    notice_file(project, "2026-11-19-concert").write_text(text.replace("---\n", f"---\nslug: {EMAILED}\n", 1),
                                                          encoding="utf-8")
    build(project)
    assert redirect(project, EMAILED) is None and warnings(project) == []
    assert not (project / "output" / "notices" / "2026-11-19-concert").exists()


def test_an_emailed_notice_whose_slug_is_edited_is_warned_of_at_its_slug_line(tmp_path):
    project = sent(tmp_path)
    text = notice_file(project).read_text(encoding="utf-8")
    notice_file(project).write_text(text.replace("---\n", "---\nslug: concert-2026\n", 1), encoding="utf-8")
    build(project)
    assert redirect(project, EMAILED) == f"{SITE}/notices/concert-2026/"
    [warning] = warnings(project)
    assert warning.startswith(f"content/notices/{EMAILED}.md:2: ") and f"slug: {EMAILED}" in warning


def test_an_emailed_notice_made_a_draft_or_deleted_leaves_a_page_that_says_it_is_gone(tmp_path, tmp_path_factory):
    project = sent(tmp_path)
    text = notice_file(project).read_text(encoding="utf-8")
    notice_file(project).write_text(text.replace("---\n", "---\nstatus: draft\n", 1), encoding="utf-8")
    build(project)
    shown = lxml.html.fromstring(page(project, EMAILED))
    assert redirect(project, EMAILED) is None and not shown.xpath("//script")
    assert "더 이상 게시되지 않습니다" in shown.xpath("//h1")[0].text_content()
    assert TITLE in shown.xpath("//main")[0].text_content()
    assert shown.xpath("//meta[@name='robots']/@content") == ["noindex"]
    assert warnings(project) == []  # a draft is staff's choice: its readers are told
    notice_file(project).unlink()
    build(project)
    assert "더 이상 게시되지 않습니다" in page(project, EMAILED)
    # what a rebuild leaves is what a build from nothing makes
    elsewhere = tmp_path_factory.mktemp("elsewhere")
    shutil.copytree(project, elsewhere, dirs_exist_ok=True, ignore=shutil.ignore_patterns("output", ".output-*", ".cache"))
    build(elsewhere)
    assert differing_files((project / "output").resolve(), (elsewhere / "output").resolve()) == []


def test_a_ledger_of_notices_sent_mangled_by_hand_stops_build_and_check_with_one_line(tmp_path):
    copy_project(tmp_path)
    (tmp_path / "private").mkdir(exist_ok=True)
    (tmp_path / "private" / SENT_NOTICES_FILE).write_text('{"a": {"slug": 1}}', encoding="utf-8")
    for command in ("build", "check"):
        ran = run_cli(tmp_path / "pelicanconf.py", command)
        assert ran.code != 0 and "Traceback" not in ran.output
        assert f"{SENT_NOTICES_FILE}:1: " in ran.output and len(ran.output.strip().splitlines()) == 1


def test_a_slug_in_the_ledger_that_is_a_path_gets_no_page(tmp_path):
    copy_project(tmp_path)
    (tmp_path / "private").mkdir(exist_ok=True)
    entry = {"slug": "../../../outside", "source": "", "title": "밖", "day": ISSUE}
    (tmp_path / "private" / SENT_NOTICES_FILE).write_text(json.dumps({entry["slug"]: entry}), encoding="utf-8")
    output = build(tmp_path).resolve()
    assert not (output.parent.parent / "outside").exists() and not list(output.parent.rglob("outside"))


def test_the_moved_address_warning_writes_the_addresses_as_article_url_makes_them(tmp_path):
    project = sent(tmp_path)
    settings = project / "pelicanconf.py"
    settings.write_text(settings.read_text(encoding="utf-8").replace(
        'ARTICLE_URL = "notices/{slug}/"', 'ARTICLE_URL = "notices/{slug}.html"'), encoding="utf-8")
    notice_file(project).rename(notice_file(project, "2026-11-19-concert"))
    ran = run_cli(settings, "check")
    assert ran.code == 0, ran.output
    [warning] = [line for line in ran.output.splitlines() if EMAILED in line and "2026-11-19-concert.md" in line]
    assert f"notices/{EMAILED}.html" in warning and "notices/2026-11-19-concert.html" in warning
    assert f"notices/{EMAILED}/" not in warning


# --- surveys invited to ------------------------------------------------------------------

RENAMED = "budget-2027"


def invited_then_moved(tmp_path: Path) -> Path:
    """The sample's issue of 11-26 bundled (it invites S1 to both surveys),
    then the budget vote's file renamed and the library survey's removed,
    the notices that named them changed to match (else check stops)."""
    project = copy_project(tmp_path)
    add_readers(project)
    assert run_cli(project / "pelicanconf.py", "bundles", "--issue", ISSUE).code == 0
    surveys, notices = project / "content" / "surveys", project / "content" / "notices"
    (surveys / f"{BUDGET}.yaml").rename(surveys / f"{RENAMED}.yaml")
    (surveys / f"{LIBRARY}.yaml").unlink()
    for notice in notices.glob("*.md"):
        text = notice.read_text(encoding="utf-8")
        notice.write_text(text.replace(f"survey: {BUDGET}\n", f"survey: {RENAMED}\n")
                          .replace(f"survey: {LIBRARY}\n", ""), encoding="utf-8")
    return project


def test_a_survey_invited_to_and_then_renamed_or_removed_keeps_its_address_and_check_warns(tmp_path):
    project = invited_then_moved(tmp_path)
    ledger = json.loads((project / "private" / INVITED_SURVEYS_FILE).read_text(encoding="utf-8"))
    assert ledger[LIBRARY]["source"] == f"surveys/{LIBRARY}.yaml" and ledger[BUDGET]["day"] == ISSUE
    ran = run_cli(project / "pelicanconf.py", "check")
    assert ran.code == 0, ran.output
    [renamed] = [line for line in ran.output.splitlines() if line.startswith(f"content/surveys/{RENAMED}.yaml:1: ")]
    assert f"surveys/{BUDGET}/" in renamed and f"{BUDGET}.yaml" in renamed and ISSUE in renamed
    [removed] = [line for line in ran.output.splitlines() if line.startswith(f"content/surveys/{LIBRARY}.yaml:1: ")]
    assert f"surveys/{LIBRARY}/" in removed and ISSUE in removed
    output = build(project)
    moved = lxml.html.fromstring((output / "surveys" / BUDGET / "index.html").read_text(encoding="utf-8"))
    assert REFRESH.findall(lxml.html.tostring(moved, encoding="unicode")) == [f"/surveys/{RENAMED}/"]
    gone = lxml.html.fromstring((output / "surveys" / LIBRARY / "index.html").read_text(encoding="utf-8"))
    assert "더 이상 게시되지 않습니다" in gone.xpath("//h1")[0].text_content() and not gone.xpath("//script")
    assert ledger[LIBRARY]["title"] in gone.xpath("//main")[0].text_content()
    assert gone.xpath("//meta[@name='robots']/@content") == ["noindex"]


def test_an_invitations_link_to_a_survey_renamed_or_removed_leads_to_it_or_says_it_is_gone(tmp_path):
    project = invited_then_moved(tmp_path)
    with serving(make_app(Project(project / "pelicanconf.py"))) as port:
        status, headers, _page = call(port, "GET", f"/surveys/{BUDGET}?t={survey_token(BUDGET, 'S1')}")
        token = survey_token(RENAMED, "S1")
        assert status == 303 and headers["Location"] == f"http://127.0.0.1:8080/surveys/{RENAMED}?t={token}"
        status, _headers, page = call(port, "GET", f"/surveys/{RENAMED}?t={token}")
        assert status == 200 and f'value="{token}"' in page  # the reader answers the survey renamed
        status, _headers, page = call(port, "GET", f"/surveys/{LIBRARY}?t={survey_token(LIBRARY, 'S1')}")
        assert status == 410 and "더 이상 게시되지 않습니다" in page
        assert call(port, "GET", "/surveys/never-invited")[0] == 404


class Opened:
    """How many times this process opens each file from now on, as Python's
    audit hook of ``open`` sees each real opening (no stand-in for the
    reading). A hook lasts as long as the process: one is added, once, and
    counts only while a test watches."""

    watching: list["Opened"] = []

    def __init__(self, *paths: Path):
        self.paths, self.count = {str(path) for path in paths}, 0
        if not hasattr(Opened, "hooked"):
            sys.addaudithook(Opened._heard)
            Opened.hooked = True

    @staticmethod
    def _heard(event: str, args: tuple) -> None:
        for watcher in Opened.watching if event == "open" else ():
            watcher.count += os.fsdecode(args[0]) in watcher.paths if isinstance(args[0], (str, bytes, os.PathLike)) else 0

    def __enter__(self) -> "Opened":
        Opened.watching.append(self)
        return self

    def __exit__(self, *_exception) -> None:
        Opened.watching.remove(self)


AGAIN = "budget-2027-vote"


def test_the_collector_reads_the_ledger_of_surveys_invited_to_again_only_when_it_changed(tmp_path):
    """An address of no survey read private/invited-surveys.json at every
    request: a client asking in a loop made the collector read it in a loop.
    Read once, and again when a bundle (here written as it writes) invited
    to the survey renamed, which was then renamed again while the collector
    ran: both old addresses lead to it."""
    project = invited_then_moved(tmp_path)
    ledger_file = project / "private" / INVITED_SURVEYS_FILE
    with serving(make_app(Project(project / "pelicanconf.py"))) as port, Opened(ledger_file) as opened:
        for _time in range(5):
            assert call(port, "GET", f"/surveys/{BUDGET}")[0] == 303
            assert call(port, "GET", "/surveys/never-invited")[0] == 404
        assert opened.count == 1
        ledger = json.loads(ledger_file.read_text(encoding="utf-8"))
        ledger[RENAMED] = {**ledger[BUDGET], "slug": RENAMED, "source": f"surveys/{RENAMED}.yaml", "day": "2026-12-10"}
        ledger_file.write_text(json.dumps(ledger, ensure_ascii=False, indent=1), encoding="utf-8")
        surveys = project / "content" / "surveys"
        (surveys / f"{RENAMED}.yaml").rename(surveys / f"{AGAIN}.yaml")
        opened.count = 0
        for slug in (RENAMED, BUDGET, RENAMED):
            status, headers, _page = call(port, "GET", f"/surveys/{slug}")
            assert status == 303 and headers["Location"] == f"http://127.0.0.1:8080/surveys/{AGAIN}", slug
        assert opened.count == 1
        ledger_file.write_text("{", encoding="utf-8")  # mangled by hand: no address it kept is known, said in the log
        opened.count = 0
        assert [call(port, "GET", f"/surveys/{BUDGET}")[0] for _time in range(3)] == [404] * 3
        assert opened.count == 1


# --- the edition sent -----------------------------------------------------------------------


def test_an_edition_sent_whose_notices_are_all_drafts_or_removed_keeps_its_page_and_check_warns(tmp_path):
    project = sent(tmp_path)
    with open(project / "pelicanconf.py", "a", encoding="utf-8") as settings:
        settings.write('SOTONG_TODAY = "2026-11-27"\n')  # the day after the issue: its edition has its page
    build(project)
    address = f"newsletter/{ISSUE}/"
    assert json.loads((project / "private" / SENT_PAGES_FILE).read_text(encoding="utf-8"))[address]["day"] == ISSUE
    edition_page = project / "output" / address / "index.html"
    linked = lxml.html.fromstring(edition_page.read_text(encoding="utf-8")).xpath(
        "//ul[contains(@class, 'newsletter-notices')]//a/@href")
    slugs = [href.rstrip("/").rsplit("/", 1)[1] for href in linked]
    sources = json.loads((project / "private" / SENT_NOTICES_FILE).read_text(encoding="utf-8"))
    files = [project / "content" / sources[slug]["source"] for slug in slugs]
    assert len(files) > 1
    files[0].unlink()
    for file in files[1:]:
        file.write_text(file.read_text(encoding="utf-8").replace("---\n", "---\nstatus: draft\n", 1), encoding="utf-8")
    build(project)
    shown = lxml.html.fromstring(edition_page.read_text(encoding="utf-8"))
    assert "2026년 11월 26일" in shown.xpath("//h1")[0].text_content()
    assert "지금 누리집에 게시되어 있지 않습니다" in shown.xpath("//main")[0].text_content()
    assert not shown.xpath("//ul[contains(@class, 'newsletter-notices')]")
    ran = run_cli(project / "pelicanconf.py", "check")
    assert ran.code == 0, ran.output
    said = sorted(line for line in ran.output.splitlines() if address in line)
    removed = str(files[0].relative_to(project))  # said at its first line; a draft at its status: line
    assert [line.split(": ", 1)[0] for line in said] == sorted(
        f"{file.relative_to(project)}:{1 if str(file.relative_to(project)) == removed else 2}" for file in files)


# --- notices posted through the SNS feeds ----------------------------------------------------


def fed_slugs(project: Path) -> list[str]:
    """The slugs of the notices the SNS feeds of ``project``'s site hold, in the X feed's order first."""
    slugs = []
    for platform in ("twitter", "facebook", "blog"):
        feed = json.loads((project / "output" / "sns" / f"{platform}.json").read_text(encoding="utf-8"))
        slugs += [item["url"].rstrip("/").rsplit("/", 1)[1] for item in feed["items"]]
    return list(dict.fromkeys(slugs))


def test_a_notice_only_posted_through_the_sns_feeds_keeps_its_address_when_renamed(tmp_path, tmp_path_factory):
    preview = copy_project(tmp_path_factory.mktemp("preview"))
    build_preview(preview / "pelicanconf.py", preview / ".cache" / "devserver")
    assert not (preview / "private" / SENT_NOTICES_FILE).exists()  # a preview publishes nothing
    project = copy_project(tmp_path)
    build(project)
    fed = fed_slugs(project)
    ledger = json.loads((project / "private" / SENT_NOTICES_FILE).read_text(encoding="utf-8"))
    assert sorted(ledger) == sorted(fed) and {entry["day"] for entry in ledger.values()} == {SAMPLE_TODAY}
    slug = fed[0]
    old = project / "content" / ledger[slug]["source"]
    old.rename(old.with_name(f"renamed-{old.name}"))
    build(project)
    [new] = [entry for entry in fed_slugs(project) if entry not in fed]
    assert REFRESH.findall(page(project, slug)) == [f"/notices/{new}/"]
    ran = run_cli(project / "pelicanconf.py", "check")
    [warning] = [line for line in ran.output.splitlines() if f"notices/{slug}/" in line]
    assert warning.startswith(f"content/{ledger[slug]['source'].rsplit('/', 1)[0]}/renamed-{old.name}:1: ")
    assert f"slug: {slug}" in warning and SAMPLE_TODAY in warning


def test_an_emailed_notice_made_private_since_leaves_a_page_without_its_title(tmp_path):
    project = sent(tmp_path)
    text = notice_file(project).read_text(encoding="utf-8")
    notice_file(project).write_text(text.replace(
        "channels: [homepage, newsletter, email, facebook]\n",
        "channels: [email]\nvisibility: private\naudiences: [budget-committee]\n"), encoding="utf-8")
    build(project)
    shown = page(project, EMAILED)
    assert "더 이상 게시되지 않습니다" in shown and TITLE not in shown and "송년" not in shown
