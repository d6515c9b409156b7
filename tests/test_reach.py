"""sotong reach (issue #10, SPEC §12): readers reached per notice by email
and SMS, and the issue's messages by type and cost, counted on a generated
population against a brute-force reading of SPEC §6 and against the
manifest and sms.csv of a real `sotong bundles` run of the same issue."""

from __future__ import annotations

import csv
import json
import re
from collections import Counter

import pytest
from rich.cells import cell_len

from project_support import in_terminal, invoke_sotong
from sotong.audiences import load_audiences
from sotong.population import generate_population, write_csv
from sotong.sms import Prices, count_messages
from sotong.store import Store
from test_audiences_match import spec_matches_notice
from test_sms_policy import ISSUE, NOTICES, policy_project, spec_sms

ROW = re.compile(r"^ +(?P<email>[\d,]+) +(?P<sms>[\d,]+)  (?P<slug>[\w-]+)$")
TOTALS = re.compile(r"^  messages: email (?P<email>[\d,]+), SMS (?P<sms>[\d,]+), LMS (?P<lms>[\d,]+); cost (?P<cost>.+) won \(")


def spec_email(reader, notices: list, audiences) -> list[str]:
    """SPEC §6 read directly: the notices of the reader's email (empty: none)."""
    if not reader.reachable_by("email"):
        return []
    chosen = [n.slug for n in notices if "email" in n.channels and spec_matches_notice(
        reader.profile, n.category, list(n.audiences), ISSUE.year)]
    if audiences.edition_field in reader.fields:
        chosen += [n.slug for n in notices if "newsletter" in n.channels and n.slug not in chosen]
    return chosen


def parse_reach(output: str) -> tuple[dict, dict]:
    rows = {m["slug"]: (int(m["email"].replace(",", "")), int(m["sms"].replace(",", "")))
            for m in map(ROW.match, output.splitlines()) if m and m["slug"] != "notice"}
    (totals,) = [m.groupdict() for m in map(TOTALS.match, output.splitlines()) if m]
    return rows, {k: v.replace(",", "") for k, v in totals.items()}


@pytest.fixture(scope="module", params=["all", "email-first"])
def populated(request, tmp_path_factory):
    project = policy_project(tmp_path_factory.mktemp(request.param), request.param)
    audiences = load_audiences(project / "audiences.yaml")
    source = project / "people.csv"
    write_csv(source, generate_population(400, audiences, seed=11, year=ISSUE.year))
    result = invoke_sotong(project, "subscribers", "import", str(source))
    assert result.code == 0, result.output
    return project, request.param


def test_reach_equals_a_brute_force_count_and_what_bundles_writes(populated):
    project, policy = populated
    result = invoke_sotong(project, "reach", "--issue", ISSUE.isoformat())
    assert result.code == 0, result.output
    rows, totals = parse_reach(result.stdout)
    assert set(rows) == set(NOTICES)

    from sotong.project import Project
    loaded = Project(project / "pelicanconf.py")
    notices = sorted(loaded.published_notices, key=lambda n: n.date, reverse=True)
    store = Store.open(project / "private" / "sotong.db")
    readers = list(store.subscribers())
    store.close()
    by_email = Counter(s for r in readers for s in spec_email(r, notices, loaded.audiences))
    by_sms = Counter(s for r in readers if r.subscribed for s in spec_sms(r, notices, loaded.audiences, policy))
    assert rows == {slug: (by_email[slug], by_sms[slug]) for slug in NOTICES}
    assert sum(by_email.values()) > 0 and sum(by_sms.values()) > 0  # the population reaches something

    bundled = invoke_sotong(project, "bundles", "--issue", ISSUE.isoformat())
    assert bundled.code == 0, bundled.output
    outbox = project / "private" / "outbox" / ISSUE.isoformat()
    manifest = [json.loads(line) for line in (outbox / "manifest.jsonl").read_text(encoding="utf-8").splitlines()]
    written = {slug: (sum(slug in row["notices"] for row in manifest if row["channel"] == "email"),
                      sum(slug in row["notices"] for row in manifest if row["channel"] == "sms")) for slug in NOTICES}
    assert rows == written
    with open(outbox / "sms.csv", encoding="utf-8", newline="") as file:
        texts = [row["type"] for row in csv.DictReader(file)]
    counts = count_messages(["email"] * sum(row["channel"] == "email" for row in manifest) + texts)
    assert (int(totals["email"]), int(totals["sms"]), int(totals["lms"])) == (counts.email, counts.sms, counts.lms)
    assert float(totals["cost"]) == counts.cost(Prices(9, 27))


def test_reach_of_chosen_notices_and_one_outside_the_issue(populated):
    project, _ = populated
    result = invoke_sotong(project, "reach", "water-cut", "concert", "--issue", ISSUE.isoformat())
    assert result.code == 0, result.output
    assert set(parse_reach(result.stdout)[0]) == {"water-cut", "concert"}
    later = invoke_sotong(project, "reach", "water-cut", "--issue", "2026-12-10")
    assert later.code == 1 and "Traceback" not in later.output
    # it named no issue ("give its issue with --issue"): staff had to work out which one holds a notice of 11-20
    assert later.stderr.strip() == ("content/notices/water-cut.md:3: water-cut is not in the issue of 2026-12-10 "
                                    "but in the one of 2026-11-26 (dated 2026-11-20); write sotong reach water-cut "
                                    "--issue 2026-11-26")
    assert invoke_sotong(project, "reach", "no-such", "--issue", ISSUE.isoformat()).code == 1
    assert invoke_sotong(project, "reach", "--issue", "2026-11-27").code == 2


def test_counting_readers_composes_no_email_and_asks_no_plugin_for_blocks(populated, monkeypatch):
    """reach and check's reach of changed notices only count: composing
    every kind of reader's email (premailer) and the plugins' blocks (a
    survey's answered tokens read from the store) was most of their time."""
    from bundles.compose import EmailComposer
    from sotong.mail import MessageContext

    project, _ = populated

    def refused(*args, **kwargs):
        raise AssertionError("composed while only counting")

    monkeypatch.setattr(EmailComposer, "_compose", refused)
    monkeypatch.setattr(MessageContext, "block_makers", refused)
    for args in (("reach", "--issue", ISSUE.isoformat()), ("check",)):
        result = invoke_sotong(project, *args)
        assert result.code == 0 and "Traceback" not in result.output, result.output
    assert "water-cut" in result.stdout  # check printed the reach of the changed notices: it counted


def test_the_reach_table_is_headed_in_korean_by_default(populated, monkeypatch):
    project, _ = populated
    monkeypatch.setenv("SOTONG_LANG", "ko")
    result = invoke_sotong(project, "reach", "water-cut", "--issue", ISSUE.isoformat())
    assert result.code == 0, result.output
    header = next(line for line in result.stdout.splitlines() if line.strip().startswith("이메일"))
    assert header.split() == ["이메일", "문자", "공지"]
    # the counts stay under their Korean heads (a Korean letter takes two columns)
    row = next(line for line in result.stdout.splitlines() if line.endswith("water-cut"))
    assert cell_len(header[:-len("공지")]) == cell_len(row[:-len("water-cut")])


def test_reach_shows_a_progress_bar_in_a_terminal(populated):
    """It reads every subscriber (50 s at a million, silent before); the bar, as bundles shows one."""
    project, _ = populated
    shown = in_terminal("reach", "--issue", ISSUE.isoformat(), "-s", str(project / "pelicanconf.py"))
    assert f"Counting the readers of {ISSUE.isoformat()}".encode() in shown and b"400/400" in shown, shown


def test_the_reach_table_keeps_its_columns_under_a_korean_slug_and_fits_80_columns():
    """A notice file named in Korean (2026-11-05-김장나눔.md) has a Korean
    slug; its row was padded by characters, not by the columns its letters
    take, and its counts stood two columns right of every other row's. And
    with the slug first, a slug of 60 characters (what sotong new may write)
    made every row 82 columns wide: an 80-column terminal put its SMS count
    on the next line. The counts come first now, the slug last."""
    from types import SimpleNamespace

    from bundles.reach import Reach, reach_lines
    from sotong.sms import Prices

    long = "2026-12-01-" + "gimjang-nanum-jawonbongsaja-mojip-wangsimni-gwangjang-j"[:49]
    notices = [SimpleNamespace(slug=slug, private=False) for slug in ("2026-11-05-김장나눔", "water-cut", long)]  # public notices
    reach = Reach(email=Counter({long: 123_456}), sms=Counter({"water-cut": 7}))
    lines = reach_lines(reach, notices, Prices())
    assert len(long) == 60 and max(cell_len(line) for line in lines[:4]) <= 80, lines
    assert [ROW.match(line)["slug"] for line in lines[1:4]] == [n.slug for n in notices]
    assert {line.index(slug) for line, slug in zip(lines[1:4], [n.slug for n in notices])} == {len(lines[1]) - len(notices[0].slug)}
    assert lines[3].split()[:2] == ["123,456", "0"]


def test_reach_on_a_store_with_no_subscriber_says_so(populated, tmp_path):
    """A store with no subscriber (made by sotong db upgrade, or every row
    purged): reach printed every notice reaching 0 readers and nothing
    else, where bundles says the store holds no subscribers and what to do;
    reach now says so too (on stderr). A store with subscribers says
    nothing of it. (A SOTONG_DB naming no store is refused: test_missing_store.)"""
    project, _ = populated
    assert "holds no subscribers" not in invoke_sotong(project, "reach", "--issue", ISSUE.isoformat()).output
    empty = policy_project(tmp_path, "all", 'SOTONG_DB = "private/sotng.db"')
    assert invoke_sotong(empty, "db", "upgrade").code == 0
    result = invoke_sotong(empty, "reach", "--issue", ISSUE.isoformat())
    assert result.code == 0 and result.stderr.splitlines() == [
        "Note: the store (SOTONG_DB in pelicanconf.py) holds no subscribers, so every notice reaches nobody; put them "
        "in with sotong subscribers import FILE, or correct SOTONG_DB if it names the wrong store."]


def test_reach_says_which_texts_alone_are_an_lms_and_what_to_write_instead(tmp_path):
    """reach printed the LMS count and its cost, but not which notice made
    the texts LMS nor what to shorten: that was only in check's output."""
    project = policy_project(tmp_path, "all")
    title = "김장 나눔 자원봉사자 모집 안내와 참가 신청 방법, 일정과 장소, 준비물에 대한 자세한 안내"
    (project / "content" / "notices" / "long-title.md").write_text(
        NOTICES["kimjang"].replace("김장 나눔 자원봉사자 모집", title), encoding="utf-8")
    audiences = load_audiences(project / "audiences.yaml")
    write_csv(project / "people.csv", generate_population(120, audiences, seed=3, year=ISSUE.year))
    assert invoke_sotong(project, "subscribers", "import", str(project / "people.csv")).code == 0
    result = invoke_sotong(project, "reach", "--issue", ISSUE.isoformat())
    assert result.code == 0, result.output
    rows, _ = parse_reach(result.stdout)
    assert rows["long-title"][1] > 0  # texted
    (line,) = [line for line in result.output.splitlines() if line.startswith("content/notices/long-title.md")]
    assert line.startswith("content/notices/long-title.md:2: warning: this notice's text alone is an LMS (")
    assert 'the title is its text: add an sms line of at most ' in line and 'e.g. sms: "김장 나눔 자원봉사자' in line
    assert [line for line in result.output.splitlines() if ": warning: " in line] == [line]  # the others are SMS
    only = invoke_sotong(project, "reach", "water-cut", "--issue", ISSUE.isoformat())
    assert ": warning: " not in only.output  # only the notices asked about
