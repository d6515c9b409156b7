"""What the office publishes passes the validators other programs use.

- HTML: the Nu HTML Checker, run once over the whole built site, the homepage
  section fragment (inside a page, as the district homepage includes it), the
  collector's pages (unsubscribe, done, error), the personalized emails and
  the dong offices' poster as the production build writes it (its QR code an
  inline SVG): no errors. A broken page in the same run proves it reports errors.
- Feeds: every Atom, RSS and JSON Feed file of the production build (absolute
  SITEURL) and of the development build (empty SITEURL: the feeds use
  FEED_DOMAIN) parses with feedparser without bozo and follows its format's
  rules (feed_rules.py); the rules are shown to catch each kind of breakage.
"""

from __future__ import annotations

import datetime as dt
import json
import re
import urllib.error
import urllib.request
from pathlib import Path

import feedparser
import pytest
from hypothesis import given, strategies as st

import tooling
from feed_rules import (
    JSON_FEED_VERSION, atom_problems, is_rfc3339, json_feed_problems, rss_problems,
)
from html_validator import vnu_errors
from sample_site import collector, dev_bundle, dev_site, publish_site

INVALID_PAGE = """<!DOCTYPE html>
<html lang="ko"><head><meta charset="utf-8"><title>잘못된 쪽</title></head>
<body><p>닫히지 않은 <b>굵은 글씨</p><img src="x.png"><div><li>목록 밖 항목</li></div></body></html>
"""


def _fetch(url: str, data: bytes | None = None) -> str:
    try:
        with urllib.request.urlopen(url, data=data, timeout=10) as response:
            return response.read().decode("utf-8")
    except urllib.error.HTTPError as error:  # error pages are pages residents see too
        return error.read().decode("utf-8")


def fragments(output: Path) -> list[Path]:
    """The build's HTML fragments (no doctype), made to be included in other
    pages, such as the homepage section output/section/latest.html."""
    return [path for path in sorted(output.rglob("*.html"))
            if not path.read_text(encoding="utf-8").lstrip()[:15].lower().startswith("<!doctype")]


def in_a_page(fragment: str) -> str:
    """A fragment inside a minimal page, as the district homepage includes it."""
    return ('<!DOCTYPE html>\n<html lang="ko"><head><meta charset="utf-8"><title>성동구청</title></head>'
            f"<body>\n{fragment}\n</body></html>\n")


@pytest.fixture(scope="module")
def documents(tmp_path_factory) -> dict[str, Path]:
    """Every document to validate besides the site folder, written to files."""
    folder = tmp_path_factory.mktemp("documents")
    site, bundle = dev_site(), dev_bundle()
    pages = {
        **{f"fragment {path.relative_to(site.output)}": in_a_page(path.read_text(encoding="utf-8"))
           for path in fragments(site.output)},
        "email-fullest": bundle.fullest.html,
        "email-shortest": bundle.emails[-1].html,
        "poster-published": (publish_site().output / "subscribe/poster/index.html").read_text(encoding="utf-8"),
        "known-invalid": INVALID_PAGE,
    }
    with collector(site.project) as base:
        pages["unsubscribe"] = _fetch(base + bundle.fullest.unsubscribe_path)
        pages["unsubscribed"] = _fetch(base + bundle.emails[1].unsubscribe_path, data=b"List-Unsubscribe=One-Click")
        pages["collector-403"] = _fetch(base + "/u/forged.token")
    paths = {}
    for number, (name, html) in enumerate(pages.items()):
        paths[name] = folder / f"{number:02d}-{re.sub(r'[^a-z0-9-]+', '-', name)}.html"
        paths[name].write_text(html, encoding="utf-8")
    return paths


@pytest.fixture(scope="module")
def vnu_report(documents) -> dict[Path, list[str]]:
    jar, java = tooling.vnu_jar(), tooling.java()
    return vnu_errors(jar, java, [dev_site().output, *documents.values()])


def _report(errors: dict[Path, list[str]], base: Path) -> str:
    return "\n".join(f"{path.relative_to(base) if path.is_relative_to(base) else path.name}:{line}"
                     for path, lines in sorted(errors.items()) for line in lines)


def test_vnu_reports_no_error_on_the_site(vnu_report):
    output = dev_site().output
    included = set(fragments(output))  # checked inside a page, below
    errors = {path: lines for path, lines in vnu_report.items() if path.is_relative_to(output) and path not in included}
    assert not errors, "the Nu HTML Checker found errors in the built site:\n" + _report(errors, output)


def test_vnu_reports_no_error_on_the_fragments_inside_a_page(documents, vnu_report):
    names = [name for name in documents if name.startswith("fragment ")]
    assert "fragment section/latest.html" in names
    errors = {name: vnu_report.get(documents[name].resolve(), []) for name in names}
    assert not any(errors.values()), "\n".join(f"{name}:{line}" for name, lines in errors.items() for line in lines)


@pytest.mark.parametrize("name", ["unsubscribe", "unsubscribed", "collector-403", "poster-published"])
def test_vnu_reports_no_error_on_the_pages_around_the_site(name, documents, vnu_report):
    errors = vnu_report.get(documents[name].resolve(), [])
    assert not errors, f"the Nu HTML Checker found errors in {name}:\n" + "\n".join(errors)


@pytest.mark.parametrize("name", ["email-fullest", "email-shortest"])
def test_vnu_reports_no_error_on_the_emails(name, documents, vnu_report):
    errors = vnu_report.get(documents[name].resolve(), [])
    assert not errors, (f"the Nu HTML Checker found errors in the {name} email of the sample "
                        "(table layout attributes are fine only where vnu accepts them):\n" + "\n".join(errors))


def test_vnu_reports_errors_on_an_invalid_page(documents, vnu_report):
    errors = vnu_report.get(documents["known-invalid"].resolve(), [])
    assert any("alt" in line for line in errors), errors
    assert any("li" in line for line in errors), errors


# --- feeds -----------------------------------------------------------------------------


def feeds(output: Path) -> dict[str, list[Path]]:
    """Every feed the build wrote, by format (told apart by content, not name)."""
    found: dict[str, list[Path]] = {"atom": [], "rss": [], "json": []}
    for path in sorted(output.rglob("*")):
        if path.suffix in (".xml", ".atom", ".rss"):
            head = path.read_bytes()[:500]
            if b"http://www.w3.org/2005/Atom" in head and b"<feed" in head:
                found["atom"].append(path)
            elif b"<rss" in head:
                found["rss"].append(path)
        elif path.suffix == ".json":
            data = json.loads(path.read_text(encoding="utf-8"))
            if path.parent.name == "sns" or (isinstance(data, dict) and str(data.get("version", "")).startswith("https://jsonfeed.org/")):
                found["json"].append(path)
    return found


@pytest.fixture(scope="module", params=["production", "development"])
def built_feeds(request) -> tuple[Path, dict[str, list[Path]]]:
    """The feeds of the production build, then of the development build."""
    output = (publish_site() if request.param == "production" else dev_site()).output
    return output, feeds(output)


def test_each_build_has_its_atom_feeds(built_feeds):
    output, found = built_feeds
    names = {str(path.relative_to(output)) for path in found["atom"]}
    assert {"feeds/all.atom.xml", "newsletter/feed.atom.xml"} <= names
    assert any(name.startswith("feeds/category/") for name in names)


def test_every_feed_parses_without_bozo(built_feeds):
    output, found = built_feeds
    broken = {}
    for path in found["atom"] + found["rss"]:
        parsed = feedparser.parse(path.read_bytes())
        if parsed.bozo:
            broken[str(path.relative_to(output))] = repr(parsed.bozo_exception)
    assert not broken, broken


def test_every_feed_follows_its_format(built_feeds):
    output, found = built_feeds
    problems = {}
    for kind, check in (("atom", atom_problems), ("rss", rss_problems)):
        for path in found[kind]:
            problems[str(path.relative_to(output))] = check(path.read_bytes(), absolute_links=True)
    for path in found["json"]:
        problems[str(path.relative_to(output))] = json_feed_problems(json.loads(path.read_text(encoding="utf-8")))
    problems = {name: found_ for name, found_ in problems.items() if found_}
    assert not problems, "\n".join(f"{name}: {line}" for name, lines in problems.items() for line in lines)


# --- the feed rules catch what they are for ---------------------------------------------

GOOD_ATOM = b"""<?xml version="1.0" encoding="utf-8"?>
<feed xmlns="http://www.w3.org/2005/Atom"><title>t</title><id>https://example.org/</id>
<updated>2026-11-20T09:00:00+09:00</updated><author><name>a</name></author>
<link href="https://example.org/" rel="alternate"/>
<entry><title>e1</title><id>https://example.org/1</id><updated>2026-11-20T09:00:00+09:00</updated>
<link href="https://example.org/1/" rel="alternate"/><content type="html">&lt;a href="https://example.org/x"&gt;x&lt;/a&gt;</content></entry>
<entry><title>e2</title><id>https://example.org/2</id><updated>2026-11-19T00:00:00Z</updated>
<link href="https://example.org/2/" rel="alternate"/></entry>
</feed>"""


def test_a_valid_atom_feed_has_no_problem():
    assert atom_problems(GOOD_ATOM, absolute_links=True) == []
    assert not feedparser.parse(GOOD_ATOM).bozo


@pytest.mark.parametrize("change, expected", [
    ((b"<updated>2026-11-20T09:00:00+09:00</updated><author>", b"<author>"), "feed: needs exactly one atom:updated"),
    ((b"2026-11-19T00:00:00Z", b"2026-11-19"), "is not an RFC 3339 date-time"),
    ((b"https://example.org/2</id>", b"https://example.org/1</id>"), "is used by an earlier entry"),
    ((b'href="https://example.org/2/"', b'href="/2/"'), "link '/2/' is not absolute"),
    ((b"https://example.org/x", b"/x"), "link '/x' is not absolute"),
    ((b"<author><name>a</name></author>", b""), "entry 1: has no atom:author"),
    ((b"<title>e2</title>", b""), "entry 2: needs exactly one atom:title"),
])
def test_the_atom_rules_catch_each_breakage(change, expected):
    broken = GOOD_ATOM.replace(*change)
    assert broken != GOOD_ATOM
    assert any(expected in problem for problem in atom_problems(broken, absolute_links=True))


GOOD_RSS = b"""<?xml version="1.0" encoding="utf-8"?>
<rss version="2.0"><channel><title>t</title><link>https://example.org/</link><description>d</description>
<item><title>i</title><link>https://example.org/1/</link><guid>https://example.org/1/</guid>
<pubDate>Fri, 20 Nov 2026 09:00:00 +0900</pubDate></item></channel></rss>"""


def test_the_rss_rules():
    assert rss_problems(GOOD_RSS, absolute_links=True) == []
    assert "item 1: needs exactly one guid, has 0" in rss_problems(
        GOOD_RSS.replace(b"<guid>https://example.org/1/</guid>", b""), absolute_links=True)
    assert "channel: needs exactly one description, has 0" in rss_problems(
        GOOD_RSS.replace(b"<description>d</description>", b""), absolute_links=True)
    assert any("not an RFC 822 date" in p for p in rss_problems(GOOD_RSS.replace(b"Fri, 20 Nov", b"2026-11-20"), True))


GOOD_JSON_FEED = {
    "version": JSON_FEED_VERSION, "title": "성동구 소통 — X", "home_page_url": "https://example.org/",
    "items": [{"id": "https://example.org/1/", "url": "https://example.org/1/", "content_text": "소식 https://example.org/1/",
               "date_published": "2026-11-20T09:00:00+09:00"},
              {"id": "https://example.org/2/", "content_html": "<p>소식</p>", "image": "https://example.org/a.png"}],
}


def test_a_valid_json_feed_has_no_problem():
    assert json_feed_problems(GOOD_JSON_FEED) == []


@pytest.mark.parametrize("breakage, expected", [
    (lambda f: f.update(version="https://jsonfeed.org/version/1"), "version"),
    (lambda f: f.pop("title"), "'title' is a required property"),
    (lambda f: f["items"][0].pop("id"), "'id' is a required property"),
    (lambda f: f["items"][1].pop("content_html"), "items/1"),
    (lambda f: f["items"][0].update(date_published="2026-11-20 09:00"), "is not a 'date-time'"),
    (lambda f: f["items"][0].update(url="/notices/1/"), "is not a 'uri'"),
    (lambda f: f["items"][1].update(id=f["items"][0]["id"]), "is used by more than one item"),
])
def test_the_json_feed_rules_catch_each_breakage(breakage, expected):
    feed = json.loads(json.dumps(GOOD_JSON_FEED))
    breakage(feed)
    assert any(expected in problem for problem in json_feed_problems(feed)), json_feed_problems(feed)


@given(st.datetimes(min_value=dt.datetime(1900, 1, 1), max_value=dt.datetime(2100, 1, 1),
                    timezones=st.timezones()))
def test_rfc3339_accepts_every_aware_timestamp_python_writes(moment):
    # RFC 3339 offsets are whole minutes; isoformat writes seconds for odd historic zones
    if moment.utcoffset().total_seconds() % 60 == 0:
        assert is_rfc3339(moment.isoformat())


@given(st.dates(), st.times())
def test_rfc3339_refuses_a_timestamp_without_offset(day, time_):
    text = dt.datetime.combine(day, time_).isoformat()
    assert not is_rfc3339(text)
    assert not is_rfc3339(text.replace("T", " ") + "+09:00")
