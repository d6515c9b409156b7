"""Promotion banners (plugin minwon24, SPEC §10): the window and choice rules
against a direct reading of the spec, the banner schema's FILE:LINE
messages, the homepage and the newsletter edition built on different days,
and the banner of each reader's email recorded in the manifest."""

from __future__ import annotations

import datetime as dt
import functools
import json
import re
from email import policy
from email.parser import BytesParser
from pathlib import Path

import pytest
from hypothesis import given, settings, strategies as st

from project_support import REPO, copy_project, run_sotong
from minwon24.rules import Banner, Window, active, active_on, edition_banner, first_for_reader, ordered, site_banners
from minwon24.schema import parse_month_day
from sotong.build import build_site
from sotong.check import check_project
from sotong.project import Project
from sotong.store import Store, Subscriber
from test_audiences_match import profiles, segments, spec_matches_segment
from test_bundles import png
from test_moving_images import png as animated_png

parse_eml = BytesParser(policy=policy.default).parsebytes

# Every month-day of a leap year, in calendar order: the brute-force calendar.
LEAP_YEAR = [(d.month, d.day) for d in (dt.date(2024, 1, 1) + dt.timedelta(days=i) for i in range(366))]


# --- the rules, against a direct reading of SPEC §10 ------------------------------------------


def spec_window_days(start, end) -> set:
    """The month-days a window holds, walking the calendar from ``start`` day
    by day (round the year end if need be) until ``end``."""
    index = LEAP_YEAR.index(start)
    days = set()
    while True:
        days.add(LEAP_YEAR[index])
        if LEAP_YEAR[index] == end:
            return days
        index = (index + 1) % len(LEAP_YEAR)


def spec_active(banner, day) -> bool:
    return not banner.windows or any((day.month, day.day) in spec_window_days(w.start, w.end) for w in banner.windows)


def spec_first(banners, key):
    """The banner with the highest priority, the smallest slug among equals."""
    best = None
    for banner in banners:
        if best is None or key(banner) < key(best):
            best = banner
    return best


def spec_for_reader(profile, banner, year) -> bool:
    """SPEC §10: no audiences is everyone; otherwise one segment must match."""
    return not banner.audiences or any(spec_matches_segment(profile, s, year) for s in banner.audiences)


def spec_key(banner):
    return (-banner.priority, banner.slug)


month_days = st.sampled_from(LEAP_YEAR)
windows = st.builds(Window, month_days, month_days)
days = st.dates(dt.date(2023, 1, 1), dt.date(2029, 12, 31))
leap_days = st.sampled_from([dt.date(2024, 2, 29), dt.date(2028, 2, 29)])


@st.composite
def banner_lists(draw):
    slugs = draw(st.lists(st.sampled_from("abcdefgh"), min_size=0, max_size=6, unique=True))
    return [
        Banner(slug=slug, title=slug, body="", link="https://www.gov.kr/",
               placements=draw(st.frozensets(st.sampled_from(("site", "newsletter", "email")), min_size=1)),
               priority=draw(st.integers(-2, 3)), windows=tuple(draw(st.lists(windows, max_size=3))),
               audiences=tuple(draw(st.lists(segments, max_size=2))))
        for slug in slugs
    ]


@settings(max_examples=400, deadline=None)
@given(windows, days | leap_days)
def test_a_window_holds_the_days_from_its_start_to_its_end_round_the_year_end(window, day):
    assert window.holds(day) == ((day.month, day.day) in spec_window_days(window.start, window.end))


def test_windows_that_wrap_the_year_end_and_feb_29():
    year_end = Window((12, 15), (1, 31))
    assert [year_end.holds(dt.date(*d)) for d in ((2026, 12, 14), (2026, 12, 15), (2027, 1, 31), (2027, 2, 1))] \
        == [False, True, True, False]
    leap_day = Window((2, 29), (2, 29))
    assert leap_day.holds(dt.date(2028, 2, 29))
    assert not any(leap_day.holds(dt.date(2027, 2, d)) for d in (28,)) and not leap_day.holds(dt.date(2027, 3, 1))
    february = Window((2, 1), (2, 28))
    assert not february.holds(dt.date(2028, 2, 29))  # to: 02-28 ends before a leap day
    assert parse_month_day("02-29") == (2, 29) and parse_month_day("2-30") is None and parse_month_day("2026-12-15") is None


@settings(max_examples=300, deadline=None)
@given(banner_lists(), days | leap_days)
def test_active_on_and_the_site_read_spec_10(banners, day):
    for banner in banners:
        assert active_on(banner, day) == spec_active(banner, day)
    shown = site_banners(banners, day)
    assert {b.slug for b in shown} == {b.slug for b in banners if "site" in b.placements and spec_active(b, day)}
    assert [spec_key(b) for b in shown] == sorted(spec_key(b) for b in shown)


@settings(max_examples=300, deadline=None)
@given(banner_lists(), days | leap_days, profiles, st.integers(2023, 2029))
def test_the_edition_and_the_email_get_the_first_banner_that_applies(banners, day, profile, year):
    assert edition_banner(banners, day) == spec_first(
        [b for b in banners if "newsletter" in b.placements and spec_active(b, day)], spec_key)
    assert first_for_reader(active(banners, day, "email"), profile, year) == spec_first(
        [b for b in banners if "email" in b.placements and spec_active(b, day)
         and spec_for_reader(profile, b, year)], spec_key)


def test_priority_then_slug():
    def banner(slug, priority):
        return Banner(slug=slug, title=slug, body="", link="https://www.gov.kr/", placements=frozenset({"site"}), priority=priority)

    assert [b.slug for b in ordered([banner("b", 1), banner("c", 5), banner("a", 1), banner("z", -3)])] == ["c", "a", "b", "z"]


# --- the schema -----------------------------------------------------------------------------------


def write_banner(project_dir: Path, name: str, text: str) -> None:
    (project_dir / "content" / "banners" / name).write_text(text, encoding="utf-8")


def test_the_sample_banners_are_read_as_written():
    project = Project(REPO / "pelicanconf.py")
    from minwon24.schema import read_banners

    banners, problems = read_banners(project.settings, project.audiences, project.shown)
    assert problems == []
    by_slug = {b.slug: b for b in banners}
    assert by_slug["year-end-tax"].windows == (Window((12, 15), (1, 31)),)
    assert by_slug["gov24-certificates"].windows == () and by_slug["gov24-certificates"].priority == 10
    assert [s.name for s in by_slug["local-tax-online"].audiences] == ["taxpayers"]
    assert by_slug["local-tax-online"].placements == {"site", "email"}


def test_every_mistake_in_a_banner_is_said_with_its_file_and_line(empty_project_dir):
    write_banner(empty_project_dir, "broken.yaml", "\n".join([
        "title: 정부24 안내",                      # 1
        "body: 본문",                              # 2
        "link: http://www.gov.kr/",               # 3
        "image: images/missing.png",              # 4
        "windows:",                               # 5
        "  - {from: 12-15, to: 13-01}",           # 6
        "  - {from: 2026-01-01, to: 01-31}",      # 7
        "  - {from: 03-01}",                      # 8
        "audiences: [taxpayer]",                  # 9
        "placements: [site, homepage]",           # 10
        "priority: high",                         # 11
        "colour: blue",                           # 12
    ]) + "\n")
    write_banner(empty_project_dir, "days.yaml", "title: 안내\nbody: 본문\nlink: https://www.gov.kr/\nplacements: [email]\n"
                 "windows:\n  - {from: 12월 1일, to: １２．２４}\n  - {from: 11.1, to: 11.10}\n")
    write_banner(empty_project_dir, "korean.yaml", "title: 안내\nbody: 본문\nlink: https://www.gov.kr/\n"
                 "placements: [누리집, 메일]\n")
    write_banner(empty_project_dir, "alt-only.yaml",
                 "body: 본문\nlink: https://www.gov.kr/\nplacements: [email]\nimage_alt: 그림\n")
    problems = [str(p) for p in check_project(Project(empty_project_dir / "pelicanconf.py"))]
    broken = "content/banners/broken.yaml"
    expected = [
        (f"{broken}:3:", "https://"),
        (f"{broken}:4:", 'image "images/missing.png" not found'),
        (f"{broken}:4:", "image_alt is required with image"),
        (f"{broken}:6:", 'to: "13-01" is not a month-day; write MM-DD, e.g. to: 01-31 (the window'),
        # the day written as staff write one: the example was 12-15, whatever was meant (and for to too)
        (f"{broken}:7:", 'from: "2026-01-01" is not a month-day; write MM-DD, e.g. from: 01-01 (the window'),
        ("content/banners/days.yaml:6:", 'from: "12월 1일" is not a month-day; write MM-DD, e.g. from: 12-01 (the window'),
        ("content/banners/days.yaml:6:", 'to: "１２．２４" is not a month-day; write MM-DD, e.g. to: 12-24 (the window'),
        # 11.10 is a number to YAML, 11.1: the message said "11.1" and suggested 11-01
        ("content/banners/days.yaml:7:", 'from: "11.1" is not a month-day; write MM-DD, e.g. from: 11-01 (the window'),
        ("content/banners/days.yaml:7:", 'to: "11.10" is not a month-day; write MM-DD, e.g. to: 11-10 (the window'),
        # the Korean words for the places: the English one to write was not suggested
        ("content/banners/korean.yaml:4:", 'unknown placement "누리집"; did you mean "site"?'),
        ("content/banners/korean.yaml:4:", 'unknown placement "메일"; did you mean "email"?'),
        (f"{broken}:8:", "the window needs to"),
        (f"{broken}:9:", 'unknown segment "taxpayer"; did you mean "taxpayers"?'),
        (f"{broken}:10:", 'unknown placement "homepage"'),
        (f"{broken}:11:", "priority must be a whole number"),
        (f"{broken}:12:", 'unknown key "colour"'),
        ("content/banners/alt-only.yaml:1:", "title is required"),
        ("content/banners/alt-only.yaml:4:", "image_alt without image"),
    ]
    for where, what in expected:
        assert any(p.startswith(where) and what in p for p in problems), (where, what, problems)
    assert len(problems) == len(expected), problems


def test_a_banner_written_on_a_mac_is_counted_and_shown_in_whole_letters(tmp_path):
    """A title typed on a Mac comes decomposed (NFD: 한 as three jamo): a
    64-letter title was refused as "it has 135" and went into the site, the
    edition and the emails as jamo. Title and body are now composed (NFC)."""
    import unicodedata

    from minwon24.schema import read_banner

    title = "연말정산 서류, 정부24에서 한 번에 — 주민등록등본과 가족관계증명서를 바로 발급받고 전자문서지갑으로 회사에 제출하세요"
    body = "구청에 오지 않아도 됩니다."
    nfd = functools.partial(unicodedata.normalize, "NFD")
    assert len(title) <= 100 < len(nfd(title))
    path = tmp_path / "mac.yaml"
    path.write_text(f'title: "{nfd(title)}"\nbody: "{nfd(body)}"\nlink: https://www.gov.kr/\nplacements: [site]\n',
                    encoding="utf-8")
    project = Project(REPO / "pelicanconf.py")
    banner, problems = read_banner(path, project.audiences, tmp_path, "mac.yaml")
    assert problems == [] and (banner.title, banner.body) == (title, body)


def test_check_and_build_stop_at_a_wrong_banner_with_exit_1_and_no_traceback(empty_project_dir):
    write_banner(empty_project_dir, "wrong.yaml", "title: 안내\nbody: 본문\nlink: https://www.gov.kr/\nplacements: [sites]\n")
    for command in ("check", "build"):
        result = run_sotong(empty_project_dir, command)
        assert result.code == 1, result.output
        assert 'content/banners/wrong.yaml:4: unknown placement "sites"; did you mean "site"?' in result.output
        assert "Traceback" not in result.output
    assert not (empty_project_dir / "output").exists()


def test_a_banner_file_sotong_would_skip_is_said_not_passed_over(empty_project_dir):
    """A banner saved as .yml, as "정부24.yaml.txt" by Notepad, or in a folder
    of its own never showed, and check said OK; a link to a file that is gone
    (or a folder named .yaml) stopped check with a traceback."""
    banners = empty_project_dir / "content" / "banners"
    good = (banners / "gov24-certificates.yaml").read_text(encoding="utf-8")
    write_banner(empty_project_dir, "winter.yml", good)
    write_banner(empty_project_dir, "spring.yaml.txt", good)
    (banners / "2027").mkdir()
    write_banner(empty_project_dir, "2027/summer.yaml", good)
    (banners / "gone.yaml").symlink_to("moved-away.yaml")
    (banners / "folder.yaml").mkdir()
    result = run_sotong(empty_project_dir, "check")
    assert result.code == 1 and "Traceback" not in result.output, result.output
    assert result.stderr.splitlines() == [
        'content/banners/2027/summer.yaml:1: only the files directly in content/banners/ are read, not those in a folder '
        'within it; move "summer.yaml" into content/banners/',
        'content/banners/gone.yaml:1: this file is a link to "moved-away.yaml", which does not exist; restore that file '
        'or remove the link',
        'content/banners/spring.yaml.txt:1: only files named .yaml are read, so this one is skipped; rename it to '
        '"spring.yaml"',
        'content/banners/winter.yml:1: only files named .yaml are read, so this one is skipped; rename it to "winter.yaml"',
        "4 problems.",
    ]


def test_a_banner_link_that_leads_elsewhere_and_a_picture_that_moves_are_warned_at_their_lines(empty_project_dir):
    """A banner's link written https://www.gov.kr@evil.example/ (or with a
    Cyrillic letter in its host) and an animated picture passed check with
    no word, though a notice's text gets a warning for each: every resident
    followed the link from the homepage, the edition and the emails, and
    the emails quietly left the picture out."""
    (empty_project_dir / "content" / "images" / "moving.png").write_bytes(animated_png(2))
    (empty_project_dir / "content" / "images" / "still.png").write_bytes(animated_png(1))
    common = "body: 본문\nplacements: [site, email]\n"
    write_banner(empty_project_dir, "at.yaml", "title: 정부24\n" + common + "link: https://www.gov.kr@evil.example/portal\n"
                 "image: images/moving.png\nimage_alt: 정부24 안내 그림\n")
    write_banner(empty_project_dir, "cyrillic.yaml", "title: 정부24\n" + common + "image: images/still.png\n"
                 "image_alt: 정부24 안내 그림\nlink: https://www.gоv.kr/portal\n")
    checked = run_sotong(empty_project_dir, "check", env={"SOTONG_LANG": "en"})
    assert checked.code == 0, checked.output
    address = ('warning: the address "{address}" leads to {host}, not to the site it reads as (what comes before "@" is '
               "a user name, and a Cyrillic or Greek letter that looks Latin makes another site's name); copy the "
               "address from the site itself")
    assert [line for line in checked.stderr.splitlines() if line.startswith("content/banners/")] == [
        "content/banners/at.yaml:4: " + address.format(address="https://www.gov.kr@evil.example/portal", host="evil.example"),
        "content/banners/at.yaml:5: warning: images/moving.png is a moving picture, which no reader can stop: the emails "
        "leave it out, and the site's pages show it moving; save a still picture as .png or .jpg",
        "content/banners/cyrillic.yaml:6: " + address.format(address="https://www.gоv.kr/portal", host="www.xn--gv-fmc.kr"),
    ], checked.stderr



def test_a_banner_picture_over_a_megabyte_is_warned_at_its_line(empty_project_dir):
    """A notice's picture over 1MB is warned of; a banner's, which every
    email of its days and the homepage carry, passed in silence."""
    (empty_project_dir / "content" / "images" / "heavy.png").write_bytes(animated_png(1) + b"\0" * 1_200_000)
    write_banner(empty_project_dir, "heavy.yaml", "title: 정부24\nbody: 본문\nplacements: [site, email]\n"
                 "link: https://www.gov.kr/portal\nimage: images/heavy.png\nimage_alt: 정부24 안내 그림\n")
    checked = run_sotong(empty_project_dir, "check", env={"SOTONG_LANG": "en"})
    assert checked.code == 0, checked.output
    assert [line for line in checked.stderr.splitlines() if line.startswith("content/banners/")] == [
        "content/banners/heavy.yaml:5: warning: the picture images/heavy.png is 1.2MB, which a resident's phone fetches "
        "whole each time it opens the notice (slowly, on its data); save it under 1MB, e.g. as a JPEG 1200 pixels wide"]

VAGUE_LINK = ('warning: the link "{}" says nothing of where it leads, and a resident whose screen reader lists the '
              "page's links hears only these words; write where it goes, e.g. [김장 나눔 신청서 내려받기](...)")
MISLEADING = ('warning: the address "{address}" leads to {host}, not to the site it reads as (what comes before "@" is '
              "a user name, and a Cyrillic or Greek letter that looks Latin makes another site's name); copy the "
              "address from the site itself")


def test_a_banner_body_gets_the_warnings_of_a_notices_text_at_its_lines_in_check_and_build(empty_project_dir):
    """A banner's Markdown body holding a link "여기" or an address that leads
    elsewhere than it reads passed check and build with no word, though the
    same text in a notice is warned of: the banner shows on the homepage,
    in the edition and in every reader's email. Each is said at the line of
    the file it is on (the line below body: | for a block of text)."""
    write_banner(empty_project_dir, "block.yaml", "title: 정부24\nplacements: [site, email]\n"
                 "link: https://www.gov.kr/portal\nbody: |\n  민원서류를 정부24에서 발급받으세요.\n"
                 "  신청은 [여기](https://www.gov.kr/portal)에서 합니다.\n  https://www.gov.kr@evil.example/ 에서도 됩니다.\n")
    write_banner(empty_project_dir, "one-line.yaml", 'title: 정부24\nbody: "[클릭](https://www.gov.kr/portal)"\n'
                 "link: https://www.gov.kr/portal\nplacements: [site]\n")
    expected = ["content/banners/block.yaml:6: " + VAGUE_LINK.format("여기"),
                "content/banners/block.yaml:7: " + MISLEADING.format(address="https://www.gov.kr@evil.example/",
                                                                     host="evil.example"),
                "content/banners/one-line.yaml:2: " + VAGUE_LINK.format("클릭")]
    for command in ("check", "build"):
        result = run_sotong(empty_project_dir, command, env={"SOTONG_LANG": "en"})
        assert result.code == 0, result.output
        assert [line for line in result.stderr.splitlines() if line.startswith("content/banners/")] == expected, command


def test_a_mistake_in_the_minwon24_settings_is_said_with_its_line(tmp_path):
    copy_project(tmp_path, notices=False, extra_settings='MINWON24 = {"pth": "banners"}')
    line = (tmp_path / "pelicanconf.py").read_text(encoding="utf-8").splitlines().index('MINWON24 = {"pth": "banners"}') + 1
    problems = [str(p) for p in check_project(Project(tmp_path / "pelicanconf.py"))]
    assert problems == [f'pelicanconf.py:{line}: MINWON24: unknown key "pth"; did you mean "path"?; allowed: path']


# --- the site and the newsletter edition ------------------------------------------------------------


def aside_of(page: str) -> str:
    match = re.search(r'<aside class="event-box minwon24".*?</aside>', page, re.S)
    return match.group(0) if match else ""


def banner_titles(fragment: str) -> list[str]:
    return re.findall(r'class="minwon24-banner-title">([^<]*)<', fragment)


GOV24 = "민원서류, 이제 정부24에서 떼세요"
YEAR_END = "연말정산 서류, 정부24에서 한 번에"
LOCAL_TAX = "지방세 납부, 정부24와 위택스로 간편하게"


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    """The sample site built on three days: {day: output folder}."""
    sites = {}
    for day in ("2026-11-23", "2026-12-24", "2027-02-01"):
        folder = copy_project(tmp_path_factory.mktemp(f"site-{day}"))
        build_site(Project(folder / "pelicanconf.py", overrides={"SOTONG_TODAY": day}))
        sites[day] = (folder / "output").resolve()
    return sites


def test_the_homepage_shows_the_site_banners_active_on_the_build_day(built):
    assert banner_titles(aside_of((built["2026-11-23"] / "index.html").read_text(encoding="utf-8"))) == [GOV24]
    december = aside_of((built["2026-12-24"] / "index.html").read_text(encoding="utf-8"))
    assert banner_titles(december) == [YEAR_END, LOCAL_TAX, GOV24]  # priority 20, 15, 10
    assert banner_titles(aside_of((built["2027-02-01"] / "index.html").read_text(encoding="utf-8"))) == [GOV24]


def test_a_site_banner_is_a_labelled_region_with_its_image_alt_and_a_link_that_says_where_it_goes(built):
    aside = aside_of((built["2026-12-24"] / "index.html").read_text(encoding="utf-8"))
    assert 'aria-labelledby="minwon24-title"' in aside and 'id="minwon24-title"' in aside
    assert '<img src="/images/year-end-tax.svg" alt="서류와 계산기가 그려진 연말정산 안내 그림"' in aside
    assert "<strong>주민등록등본</strong>" in aside  # the body's Markdown
    assert 'href="https://www.gov.kr/portal/main?utm_source=seongdong&amp;utm_medium=banner&amp;utm_campaign=year-end-tax"' in aside
    assert "바로 가기: www.gov.kr" in aside
    for image in ("gov24.svg", "year-end-tax.svg", "local-tax-online.svg"):
        assert (built["2026-12-24"] / "images" / image).is_file()


def test_the_edition_shows_the_first_active_newsletter_banner_of_its_day(built):
    site = built["2026-12-24"]

    def edition(day):
        return banner_titles(aside_of((site / "newsletter" / day / "index.html").read_text(encoding="utf-8")))

    assert edition("2026-12-24") == [YEAR_END]  # above gov24 by priority; local-tax is not for the newsletter
    assert edition("2026-12-10") == [GOV24]  # before the year-end window opens on 12-15
    assert edition("2026-11-26") == [GOV24]


def test_a_banner_image_outside_the_static_folders_is_copied_to_the_site(empty_project_dir):
    (empty_project_dir / "content" / "banners" / "art").mkdir()
    (empty_project_dir / "content" / "banners" / "art" / "promo.png").write_bytes(png(4, 2))
    write_banner(empty_project_dir, "promo.yaml", "title: 안내\nbody: 본문\nlink: https://www.gov.kr/\n"
                 "image: banners/art/promo.png\nimage_alt: 안내 그림\nplacements: [site]\npriority: 99\n")
    build_site(Project(empty_project_dir / "pelicanconf.py"))
    output = (empty_project_dir / "output").resolve()
    assert (output / "banners" / "art" / "promo.png").read_bytes() == png(4, 2)
    assert banner_titles(aside_of((output / "index.html").read_text(encoding="utf-8")))[0] == "안내"


def test_a_heading_in_a_banners_text_stays_under_the_banners_title(empty_project_dir):
    """A banner's ``## 신청 방법`` was an h2 under the banner's h3 title on
    the homepage, so a screen reader's list of headings put it beside the
    banner instead of in it; it is now the level below the title."""
    write_banner(empty_project_dir, "promo.yaml", "title: 안내\nbody: |\n  ## 신청 방법\n\n  정부24에서 신청하세요.\n"
                 "link: https://www.gov.kr/\nplacements: [site]\npriority: 99\n")
    build_site(Project(empty_project_dir / "pelicanconf.py"))
    aside = aside_of((empty_project_dir / "output" / "index.html").read_text(encoding="utf-8"))
    assert re.search(r'<h3 class="minwon24-banner-title">안내</h3>.*<h4[^>]*>신청 방법</h4>', aside, re.S), aside


def test_a_banner_body_is_rendered_with_the_projects_markdown_as_a_notices_text_is(tmp_path):
    """The project's MARKDOWN (here nl2br: a line break in the text is one on
    the page) shaped the notices' texts but not the banners': a banner's
    two lines ran together on the homepage and in the email, under a notice
    whose two lines did not. Rendered as the notices are, the banner's keep
    their break on the site, in the email and in its text part."""
    from bundles.outbox import issue_bundle, write_bundle

    project_dir = copy_project(tmp_path, notices=False, extra_settings=(
        'MARKDOWN = {**MARKDOWN, "extension_configs": {**MARKDOWN["extension_configs"], '
        '"markdown.extensions.nl2br": {}}}\n'))
    for old in (project_dir / "content" / "banners").iterdir():
        old.unlink()
    write_banner(project_dir, "lines.yaml", "title: 정부24 안내\nbody: |\n  주민등록등본 발급\n  정부24에서 무료로\n"
                 "link: https://www.gov.kr/\nplacements: [site, email]\n")
    (project_dir / "content" / "notices" / "lines.md").write_text(
        "---\ntitle: 두 줄\ndate: 2026-11-20\ndepartment: 복지정책과\ncategory: bulletin\n---\n첫 줄\n둘째 줄\n",
        encoding="utf-8")
    assert run_sotong(project_dir, "build").code == 0
    assert "첫 줄<br>" in (project_dir / "output" / "notices" / "lines" / "index.html").read_text(encoding="utf-8")
    assert "주민등록등본 발급<br>" in aside_of((project_dir / "output" / "index.html").read_text(encoding="utf-8"))
    store = Store.open(project_dir / "private" / "sotong.db")
    store.put_subscriber(READERS[1])
    store.close()
    project = Project(project_dir / "pelicanconf.py")
    write_bundle(project, issue_bundle(project, dt.date(2026, 11, 26), "성동구 소통 소식"))
    html, text = html_and_text(project_dir / "private" / "outbox", "2026-11-26", "N1")
    assert re.search(r"주민등록등본 발급<br ?/?>", html[html.index('class="minwon24"'):])
    assert "주민등록등본 발급 정부24에서 무료로" in text


def test_a_banner_body_the_projects_markdown_refuses_is_said_at_its_line_by_check(empty_project_dir):
    """With the project's MARKDOWN, an extension that fails on a banner's
    body would stop the build inside a template; check says it at the
    body's line, as it says a notice's, and the build stops before Pelican."""
    from test_build import failing_markdown

    failing_markdown(empty_project_dir)
    write_banner(empty_project_dir, "broken.yaml", "title: 정부24\nlink: https://www.gov.kr/\nplacements: [site]\n"
                 "body: |\n  깨진글\n")
    for command in ("check", "build"):
        result = run_sotong(empty_project_dir, command, env={"SOTONG_LANG": "en"})
        assert result.code == 1 and "Traceback" not in result.output, result.output
        assert result.stderr.splitlines()[0] == (
            "content/banners/broken.yaml:5: the file could not be read, so the build stopped and output/ is left as it "
            "was (Pelican: IndexError: list index out of range); split the notice into shorter ones, or remove the part "
            "copied from another program or web page, and build again"), command


# --- the emails ------------------------------------------------------------------------------------


READERS = [
    Subscriber(id="T1", name="김납세", email="t1@example.com", birth_year=1970, dong="yongdap",
               fields=frozenset({"bulletin", "tax"}), channels=frozenset({"email"})),
    Subscriber(id="N1", name="이주민", email="n1@example.com", birth_year=1980, dong="yongdap",
               fields=frozenset({"bulletin"}), channels=frozenset({"email"})),
    Subscriber(id="S1", name="박문자", phone="010-3000-0001", birth_year=1960, dong="yongdap",
               fields=frozenset({"bulletin", "tax"}), channels=frozenset({"sms"})),
]


@pytest.fixture(scope="module")
def outboxes(tmp_path_factory):
    """Bundles of the 12-10 and 12-24 issues for READERS; on 12-24 a PNG
    banner for taxpayers (priority 30, email only) joins the sample's."""
    from bundles.outbox import issue_bundle, write_bundle

    folder = copy_project(tmp_path_factory.mktemp("mail"))
    (folder / "content" / "images" / "promo.png").write_bytes(png(1024, 300))
    write_banner(folder, "png-promo.yaml", "title: 전자고지 신청하세요\nbody: 고지서를 **전자고지**로 받으세요.\n"
                 "link: https://www.wetax.go.kr/\nimage: images/promo.png\nimage_alt: 전자고지 안내 그림\n"
                 "windows: [{from: 12-20, to: 12-31}]\naudiences: [taxpayers]\nplacements: [email]\npriority: 30\n")
    store = Store.open(folder / "private" / "sotong.db")
    for reader in READERS:
        store.put_subscriber(reader)
    store.close()
    project = Project(folder / "pelicanconf.py")
    for issue in ("2026-12-10", "2026-12-24"):
        write_bundle(project, issue_bundle(project, dt.date.fromisoformat(issue), "성동구 소통 소식"))
    return folder / "private" / "outbox"


def manifest(outbox: Path, issue: str) -> dict:
    rows = [json.loads(line) for line in (outbox / issue / "manifest.jsonl").read_text(encoding="utf-8").splitlines()]
    return {(row["id"], row["channel"]): row["banner"] for row in rows}


def html_and_text(outbox: Path, issue: str, reader: str) -> tuple[str, str]:
    message = parse_eml((outbox / issue / "email" / f"{reader}.eml").read_bytes())
    return message.get_body(("html",)).get_content(), message.get_body(("plain",)).get_content()


def test_the_manifest_records_the_one_banner_each_email_shows(outboxes):
    # 12-10: local-tax (15) only for taxpayers, gov24 (10) for everyone; year-end opens on 12-15
    assert manifest(outboxes, "2026-12-10") == {
        ("T1", "email"): "local-tax-online", ("N1", "email"): "gov24-certificates", ("S1", "sms"): None}
    # 12-24: the PNG banner (30) for taxpayers, year-end (20) for the others; no SMS notice for S1
    assert manifest(outboxes, "2026-12-24") == {("T1", "email"): "png-promo", ("N1", "email"): "year-end-tax"}


def test_an_email_banner_is_an_inlined_table_without_svg_and_with_its_link_in_the_text(outboxes):
    html, text = html_and_text(outboxes, "2026-12-10", "T1")
    block = html[html.index('class="minwon24"'):]
    assert "지방세 납부, 정부24와 위택스로 간편하게" in block and "<strong>지방세 납세증명서</strong>" in block
    assert re.search(r'<table role="presentation" class="minwon24"[^>]* style="[^"]*border-left', html)
    assert "local-tax-online.svg" not in html  # Gmail shows no SVG: the site keeps it
    assert "utm_campaign=local-tax-online" in block
    assert "[알려 드립니다] 지방세 납부, 정부24와 위택스로 간편하게" in text
    assert "바로 가기: https://www.gov.kr/portal/main?utm_source=seongdong&utm_medium=banner&utm_campaign=local-tax-online" in text
    other, _ = html_and_text(outboxes, "2026-12-10", "N1")
    assert "지방세 납부" not in other and "민원서류, 이제 정부24에서 떼세요" in other


def test_a_raster_banner_image_is_in_the_email_with_its_size(outboxes):
    html, _ = html_and_text(outboxes, "2026-12-24", "T1")
    images = [tag for tag in re.findall(r"<img [^>]*>", html) if "promo.png" in tag]
    assert len(images) == 1
    assert 'alt="전자고지 안내 그림"' in images[0] and 'width="512"' in images[0] and 'height="150"' in images[0]


def webp(width: int, height: int) -> bytes:
    """The header of a WebP picture (VP8X) of ``width`` x ``height`` pixels: what its size is read from."""
    return (b"RIFF" + (22).to_bytes(4, "little") + b"WEBPVP8X" + (10).to_bytes(4, "little") + bytes(4)
            + (width - 1).to_bytes(3, "little") + (height - 1).to_bytes(3, "little"))


def test_an_email_banner_image_is_one_every_mail_client_shows(tmp_path):
    """A WebP (or TIFF) banner image went into every email although Outlook for
    Windows shows none (a broken box where the picture was); like a notice's, it
    is now left out of the email, which keeps the text and link, and the site shows it."""
    from minwon24.email import email_image

    (tmp_path / "images").mkdir()
    (tmp_path / "images" / "promo.webp").write_bytes(webp(1024, 300))
    (tmp_path / "images" / "promo.PNG").write_bytes(png(1024, 300))
    settings_ = {"PATH": str(tmp_path), "SITEURL": "https://www.sd.go.kr/sotong"}

    def banner(image):
        return Banner(slug="b", title="t", body="b", link="https://www.gov.kr/", placements=frozenset({"email"}),
                      image=image, image_alt="그림")

    assert email_image(settings_, banner("images/promo.webp")) is None
    assert email_image(settings_, banner("images/promo.PNG")) == {
        "src": "https://www.sd.go.kr/sotong/images/promo.PNG", "width": 512, "height": 150}


def test_a_banner_block_is_made_once_per_bundle_not_per_reader(project_dir):
    from minwon24.email import block_maker
    from sotong.mail import MessageContext

    project = Project(project_dir / "pelicanconf.py")
    context = MessageContext(settings=project.settings, audiences=project.audiences, issue=dt.date(2026, 12, 10),
                             day=dt.date(2026, 12, 10), notices=[], css="", content=project.content)
    make = block_maker(context)
    first, second = make(READERS[1], []), make(Subscriber(id="X", fields=frozenset({"culture"})), [])
    assert first[0] is second[0] and first[0].manifest == {"banner": "gov24-certificates"}
    assert block_maker(MessageContext(settings=project.settings, audiences=project.audiences, issue=None,
                                      day=dt.date(2026, 12, 10), notices=[], css="",
                                      content=project.content)) is not None


def test_the_banners_path_must_stay_under_content():
    from minwon24.config import read_minwon24_settings

    for folder in ("../private", "/etc", "", 3):
        config, problems = read_minwon24_settings({"PATH": "/site/content", "MINWON24": {"path": folder}})
        assert config is None and [p.message for p in problems] == [
            f"MINWON24: \"path\" is {folder!r}; write the banners' folder under content/, as text, "
            'e.g. MINWON24 = {"path": "banners"}']
    config, problems = read_minwon24_settings({"PATH": "/site/content", "MINWON24": {"path": " promo "}})
    assert problems == [] and str(config.banners_path) == "/site/content/promo"
