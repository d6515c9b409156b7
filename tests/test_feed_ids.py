"""The ids of the Atom feeds' entries (sotong.feed_ids): an entry keeps its
id when staff correct its notice's ``date:``, a new address takes its
notice's date, and a site built before the ledger of feed entries existed
keeps the ids Pelican gave it. Real builds of the sample project."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from pathlib import Path

from feedgenerator import get_tag_uri

import test_kept_pages
from sotong.code_ledger import FEED_ENTRIES_FILE
from sotong.devserver.rebuild import build_preview
from sotong.project import Project

build, site_files, NEWEST = test_kept_pages.build, test_kept_pages.site_files, test_kept_pages.NEWEST
EN = test_kept_pages.EN
ATOM = "{http://www.w3.org/2005/Atom}"
BASE = "https://www.sd.go.kr/sotong"  # FEED_DOMAIN: the sample's SITEURL is empty
CONCERT = "2026-11-19-year-end-concert"
FEEDS = ("feeds/all.atom.xml", "feeds/category/culture.atom.xml")


def entries(site: Path, feed: str = FEEDS[0]) -> dict[str, dict[str, str]]:
    """Each entry of ``feed`` in ``site`` by its address: its id, published and updated."""
    root = ET.parse(site / feed).getroot()
    return {entry.find(f"{ATOM}link").get("href").removeprefix(BASE + "/"):
            {name: entry.find(ATOM + name).text for name in ("id", "published", "updated")}
            for entry in root.iter(f"{ATOM}entry")}


def ledger(project: Path) -> dict[str, dict[str, str]]:
    return json.loads((project / "private" / FEED_ENTRIES_FILE).read_text(encoding="utf-8"))


def tag(address: str, day: str) -> str:
    return f"tag:www.sd.go.kr,{day}:/sotong/{address}"


def redate(project: Path, slug: str, date: str) -> None:
    notice = project / "content" / "notices" / f"{slug}.md"
    text = notice.read_text(encoding="utf-8")
    start = text.index("\ndate: ") + len("\ndate: ")
    notice.write_text(text[:start] + date + text[text.index("\n", start):], encoding="utf-8")


def test_the_first_build_gives_pelicans_ids_and_keeps_their_days(project_dir, cli):
    assert not (project_dir / "private" / FEED_ENTRIES_FILE).exists()
    build(project_dir, cli)
    dates = {f"notices/{notice.slug}/": notice.date for notice in Project(project_dir / "pelicanconf.py").notices}
    kept = ledger(project_dir)
    for feed in FEEDS:
        for address, entry in entries(project_dir / "output", feed).items():
            assert entry["id"] == get_tag_uri(f"{BASE}/{address}", dates[address])  # as Pelican 4.12 makes it
            assert kept[address]["day"] == dates[address].date().isoformat()
            assert kept[address]["source"] == f"{address.removesuffix('/')}.md"


def test_a_corrected_date_keeps_the_entry_id(project_dir, cli):
    build(project_dir, cli)
    address = f"notices/{CONCERT}/"
    first = {feed: entries(project_dir / "output", feed)[address] for feed in FEEDS}
    calendar = (project_dir / "output" / address / "event.ics").read_text(encoding="utf-8")
    assert first[FEEDS[0]]["id"] == tag(address, "2026-11-19")
    for date in ("2026-11-20 10:00", "2026-11-21"):  # into each build slot in turn
        redate(project_dir, CONCERT, date)
        written = build(project_dir, cli)
        assert set(FEEDS) <= written
        for feed in FEEDS:
            now = entries(project_dir / "output", feed)[address]
            assert now["id"] == first[feed]["id"]
            assert now["published"].startswith(date[:10]) and now["updated"].startswith(date[:10])
        uid = next(line for line in calendar.splitlines() if line.startswith("UID:"))
        assert uid in (project_dir / "output" / address / "event.ics").read_text(encoding="utf-8")
    assert ledger(project_dir)[address]["day"] == "2026-11-19"
    before = site_files(project_dir / "output")
    build(project_dir, cli)  # the other slot still held the first corrected date
    for _ in range(2):
        assert not set(FEEDS) & build(project_dir, cli), "an unchanged feed is kept"
        assert {feed: site_files(project_dir / "output")[feed] for feed in FEEDS} == {feed: before[feed] for feed in FEEDS}


def test_a_new_notice_takes_its_own_date(project_dir, cli):
    build(project_dir, cli)
    (project_dir / "content" / "notices" / "2026-11-22-newest.md").write_text(NEWEST, encoding="utf-8")
    build(project_dir, cli)
    address = "notices/2026-11-22-newest/"
    assert entries(project_dir / "output")[address]["id"] == tag(address, "2026-11-22")
    assert ledger(project_dir)[address] == {"slug": address, "source": "notices/2026-11-22-newest.md",
                                            "title": "새해 첫 소식 안내", "day": "2026-11-22"}


def test_a_renamed_address_is_a_new_entry(project_dir, cli):
    build(project_dir, cli)
    redate(project_dir, CONCERT, "2026-11-21")
    build(project_dir, cli)
    notices = project_dir / "content" / "notices"
    (notices / f"{CONCERT}.md").rename(notices / "2026-11-21-concert.md")
    result = cli(project_dir, "build", env=EN)
    assert result.code == 0, result.output
    assert f"notices/{CONCERT}/" in result.output  # check's warning: the address moved since it went out
    feed = entries(project_dir / "output")
    assert f"notices/{CONCERT}/" not in feed
    assert feed["notices/2026-11-21-concert/"]["id"] == tag("notices/2026-11-21-concert/", "2026-11-21")
    kept = ledger(project_dir)
    assert (kept[f"notices/{CONCERT}/"]["day"], kept["notices/2026-11-21-concert/"]["day"]) == ("2026-11-19", "2026-11-21")


def test_a_changed_ledger_day_writes_the_feeds_again_and_an_unchanged_one_keeps_them(project_dir, cli):
    build(project_dir, cli)
    build(project_dir, cli)
    path, address = project_dir / "private" / FEED_ENTRIES_FILE, f"notices/{CONCERT}/"
    edited = ledger(project_dir)
    edited[address]["day"] = "2026-11-01"  # put back from a backup of another day
    path.write_text(json.dumps(edited, ensure_ascii=False), encoding="utf-8")
    for _ in range(2):  # into each build slot in turn
        written = build(project_dir, cli)
        assert set(FEEDS) <= written and "feeds/category/health.atom.xml" not in written
        assert all(entries(project_dir / "output", feed)[address]["id"] == tag(address, "2026-11-01") for feed in FEEDS)
    assert not set(FEEDS) & build(project_dir, cli)


def test_a_preview_build_records_no_entry(project_dir, cli):
    preview = project_dir / ".cache" / "devserver"
    build_preview(project_dir / "pelicanconf.py", preview)
    assert not (project_dir / "private" / FEED_ENTRIES_FILE).exists()
    build(project_dir, cli)
    recorded = ledger(project_dir)
    (project_dir / "content" / "notices" / "2026-11-22-newest.md").write_text(NEWEST, encoding="utf-8")
    build_preview(project_dir / "pelicanconf.py", preview)
    assert "notices/2026-11-22-newest/" in entries(preview / "site")
    assert ledger(project_dir) == recorded


def test_a_ledger_not_as_written_stops_the_build_in_one_line(project_dir, cli):
    (project_dir / "private").mkdir(exist_ok=True)
    (project_dir / "private" / FEED_ENTRIES_FILE).write_text(json.dumps({f"notices/{CONCERT}/": {
        "slug": f"notices/{CONCERT}/", "source": "", "title": "", "day": "2026-13-01"}}), encoding="utf-8")
    result = cli(project_dir, "build", env=EN)
    assert result.code == 1 and not (project_dir / "output").exists()
    assert result.stderr.strip().startswith(f"private/{FEED_ENTRIES_FILE}:1: ") and "Traceback" not in result.output


def test_check_says_a_ledger_not_as_written_before_a_build_stops_on_it(project_dir, cli):
    """``sotong check`` reads the ledger as the build does: a day edited by
    hand, or text that is no longer JSON, is its one line, naming the file
    and what to do, in Korean for staff."""
    ledger_file = project_dir / "private" / FEED_ENTRIES_FILE
    ledger_file.parent.mkdir(exist_ok=True)
    assert cli(project_dir, "check", env=EN).code == 0  # no ledger yet: nothing to say
    ledger_file.write_text(json.dumps({f"notices/{CONCERT}/": {
        "slug": f"notices/{CONCERT}/", "source": "", "title": "", "day": "2026-13-01"}}), encoding="utf-8")
    checked = cli(project_dir, "check", env=EN)
    assert checked.code == 1 and "Traceback" not in checked.output
    [said] = [line for line in checked.output.splitlines() if FEED_ENTRIES_FILE in line]
    assert said.startswith(f"private/{FEED_ENTRIES_FILE}:1: the ledger of the entries of the Atom feeds is not as "
                           "Sotong writes it") and "put back the file from the last backup" in said
    ledger_file.write_text('{\n"notices/x/": {\n', encoding="utf-8")
    in_korean = cli(project_dir, "check", env={"SOTONG_LANG": "ko"})
    assert in_korean.code == 1 and (f"private/{FEED_ENTRIES_FILE}:3: Atom 피드 소식 장부가 소통(Sotong)이 쓴 모양이 "
                                    "아닙니다") in in_korean.output, in_korean.output


def test_a_ledger_that_cannot_be_written_is_said_in_one_line(project_dir, cli):
    (project_dir / "private" / "locks" / f"{FEED_ENTRIES_FILE}.lock").mkdir(parents=True)
    result = cli(project_dir, "build", env=EN)
    assert result.code == 1 and "Traceback" not in result.output
    [said] = [line for line in result.stderr.splitlines() if FEED_ENTRIES_FILE in line]
    assert said.startswith(f"private/{FEED_ENTRIES_FILE}: the site was built")
    assert (project_dir / "output" / "feeds" / "all.atom.xml").is_file()
