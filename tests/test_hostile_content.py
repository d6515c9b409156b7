"""Hostile text in what staff write (notice titles, bodies and summaries,
survey titles, questions and options, banner bodies) does no harm anywhere it
is published: the site (notice, short-link, survey, edition and home pages),
the feeds (Atom, blog JSON Feed and RSS) and the emails. Titles and options
read back exactly as written; what notices need (tables, images, links)
stays."""

from __future__ import annotations

import datetime as dt
import json
import re
import xml.etree.ElementTree as ElementTree
from email import policy
from email.parser import BytesParser
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import quote

import pytest
from project_support import REPO, copy_project, run_sotong

from sotong.project import Project
from sotong.store import Store, Subscriber

TITLE = "</title><script>alert(1)</script> &lt;/title&gt;&lt;script&gt;alert(2)&lt;/script&gt; 공지"
NOTICE = f"""---
title: "{TITLE}"
date: 2026-12-05 09:00
department: 홍보담당관
category: bulletin
channels: [homepage, newsletter, email, sms, blog]
summary: "<b onmouseover=alert(10)>요약</b> 입니다"
sms: 알림 시험
---
본문 <script>alert(3)</script> 입니다.

<img src="{{static}}/images/kimjang.svg" onerror="alert(4)" alt="x">

[나쁜 링크](javascript:alert(5)) <a href=" JaVaScRiPt:alert(6)" onclick="alert(11)">b</a> <iframe src="https://evil.example/"></iframe>

| 구분 | 시간 |
|:--|--:|
| 평일 | 9시 |

![포스터](https://www.sd.go.kr/poster.png)

[안내](https://www.sd.go.kr/) · [전화](tel:02-2286-5114)
"""
SURVEY_TITLE = '설문 "><script>alert(7)</script>'
QUESTION = "질문 </legend><script>alert(12)</script>"
OPTIONS = ['보기 " onmouseover="alert(8)', "<b>굵게</b>", "a&amp;b"]
SURVEY = f"""title: '{SURVEY_TITLE}'
department: 홍보담당관
opens: 2026-11-20
closes: 2026-12-31
questions:
  - id: pick
    type: single
    text: '{QUESTION}'
    options: {json.dumps(OPTIONS, ensure_ascii=False)}
"""
BANNER = """title: '배너 <script>alert(13)</script>'
body: |
  배너 본문 <script>alert(9)</script> <a href="javascript:alert(14)">x</a> <img src=x onerror=alert(15)>

  **굵게** [정부24](https://www.gov.kr/)
link: https://www.gov.kr/
placements: [site, newsletter, email]
priority: 99
"""
URL_ATTRIBUTES = {"href", "src", "action", "formaction", "poster", "data", "srcset"}


class Harm(HTMLParser):
    """Every script-bearing thing in an HTML document: script, iframe, object
    and embed elements, on* attributes, script URLs."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.found: list[str] = []

    def handle_starttag(self, tag, attrs):
        if tag in ("script", "iframe", "object", "embed"):
            self.found.append(f"<{tag}>")
        for name, value in attrs:
            scheme = re.sub(r"[\x00-\x20]", "", value or "").lower().split(":", 1)[0]
            if name.startswith("on"):
                self.found.append(f"{tag} {name}={value}")
            elif name in URL_ATTRIBUTES and scheme in ("javascript", "vbscript", "data"):
                self.found.append(f"{tag} {name}={value}")


def harm(html: str) -> list[str]:
    parser = Harm()
    parser.feed(html)
    parser.close()
    return parser.found


class Texts(HTMLParser):
    """The text of elements by tag, and the attributes of every start tag."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.open: list[str] = []
        self.texts: dict[str, list[str]] = {}
        self.tags: list[tuple[str, dict]] = []

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, dict(attrs)))
        if tag in ("title", "h1", "legend", "label", "a"):
            self.open.append(tag)
            self.texts.setdefault(tag, []).append("")

    def handle_endtag(self, tag):
        if self.open and self.open[-1] == tag:
            self.open.pop()

    def handle_data(self, data):
        for tag in self.open:
            self.texts[tag][-1] += data


def texts(html: str) -> Texts:
    parser = Texts()
    parser.feed(html)
    parser.close()
    return parser


@pytest.fixture(scope="module")
def site(tmp_path_factory) -> Path:
    """The sample project with the hostile notice, survey and banner, built,
    and the 12-10 issue bundled for one reader."""
    # built on the 12-10 issue day, so the 12-05 notice is no longer scheduled (SPEC §2) and is in every feed
    folder = copy_project(tmp_path_factory.mktemp("hostile"), extra_settings='SOTONG_TODAY = "2026-12-10"\n')
    (folder / "content" / "notices" / "2026-12-05-hostile.md").write_text(NOTICE, encoding="utf-8")
    (folder / "content" / "surveys" / "hostile-survey.yaml").write_text(SURVEY, encoding="utf-8")
    (folder / "content" / "banners" / "hostile.yaml").write_text(BANNER, encoding="utf-8")
    result = run_sotong(folder, "build")
    assert result.code == 0, result.output
    store = Store.open(folder / "private" / "sotong.db")
    store.put_subscriber(Subscriber(id="R1", name="김독자", email="r1@example.com", birth_year=1970, dong="yongdap",
                                    fields=frozenset({"bulletin", "survey"}), channels=frozenset({"email"})))
    store.close()
    from bundles.outbox import issue_bundle, write_bundle

    project = Project(folder / "pelicanconf.py")
    write_bundle(project, issue_bundle(project, dt.date(2026, 12, 10), "성동구 소통 소식"))
    return folder


def test_no_page_of_the_site_carries_script(site):
    pages = sorted((site / "output").resolve().rglob("*.html"))
    assert len(pages) > 50
    assert {str(page): harm(page.read_text(encoding="utf-8")) for page in pages if harm(page.read_text(encoding="utf-8"))} == {}


def test_a_notice_title_reads_back_exactly_in_title_and_h1(site):
    page = texts((site / "output" / "notices" / "2026-12-05-hostile" / "index.html").read_text(encoding="utf-8"))
    assert page.texts["title"] == [f"{TITLE} - 성동구 소통"]
    assert page.texts["h1"] == [TITLE]
    shortlinks = [p for p in (site / "output").resolve().glob("n/*/index.html")
                  if "2026-12-05-hostile" in p.read_text(encoding="utf-8")]
    assert 1 <= len(shortlinks) <= 2  # its code, and its code one longer when no notice holds it (sotong.links)
    for shortlink in shortlinks:
        assert texts(shortlink.read_text(encoding="utf-8")).texts["title"] == [f"{TITLE} - 성동구 소통"]


def test_a_notice_body_keeps_tables_images_and_links(site):
    html = (site / "output" / "notices" / "2026-12-05-hostile" / "index.html").read_text(encoding="utf-8")
    tags = texts(html).tags
    assert ("th", {"style": "text-align:left"}) in tags and ("td", {"style": "text-align:right"}) in tags
    assert ("img", {"alt": "포스터", "src": "https://www.sd.go.kr/poster.png"}) in tags
    assert ("a", {"href": "https://www.sd.go.kr/"}) in tags and ("a", {"href": "tel:02-2286-5114"}) in tags
    assert "본문" in html and "<b onmouseover" not in html
    assert "&lt;b onmouseover=alert(10)&gt;요약&lt;/b&gt; 입니다" in html  # the summary is plain text


def test_a_survey_page_shows_title_question_and_options_exactly(site):
    page = texts((site / "output" / "surveys" / "hostile-survey" / "index.html").read_text(encoding="utf-8"))
    assert page.texts["h1"] == [SURVEY_TITLE]
    assert QUESTION in page.texts["legend"][0]
    assert [attrs["value"] for tag, attrs in page.tags if tag == "input" and attrs.get("name") == "pick"] == OPTIONS
    assert [label.strip() for label in page.texts["label"]] == OPTIONS


def test_the_collector_form_is_the_same_escaped_template(site):
    from werkzeug.test import Client

    from sotong.web import make_app
    from survey.rules import survey_token

    app = make_app(Project(site / "pelicanconf.py"))
    response = Client(app).get(f"/surveys/hostile-survey?t={quote(survey_token('hostile-survey', 'R1'))}")
    html = response.get_data(as_text=True)
    assert response.status_code == 200 and harm(html) == []
    page = texts(html)
    assert page.texts["h1"] == [SURVEY_TITLE]
    assert [attrs["value"] for tag, attrs in page.tags if tag == "input" and attrs.get("name") == "pick"] == OPTIONS


def test_banners_are_sanitized_on_the_site(site):
    home = (site / "output" / "index.html").read_text(encoding="utf-8")
    assert "배너 본문" in home and "<strong>굵게</strong>" in home and '<a href="https://www.gov.kr/">정부24</a>' in home


HTML_ELEMENTS = ("content", "summary", "description", "encoded")


def feed_html(path: Path) -> list[str]:
    """The HTML an XML feed carries (Atom content and summary, RSS description
    and content:encoded: HTML escaped as text)."""
    return [element.text for element in ElementTree.parse(path).iter()
            if element.text and element.tag.rsplit("}", 1)[-1] in HTML_ELEMENTS]


def test_the_feeds_carry_no_script(site):
    output = site / "output"
    blog = json.loads((output / "sns" / "blog.json").read_text(encoding="utf-8"))
    [item] = [item for item in blog["items"] if "2026-12-05-hostile" in item["id"]]
    assert harm(item["content_html"]) == [] and "<table>" in item["content_html"]
    assert "https://www.sd.go.kr/poster.png" in item["content_html"]
    for feed in (output / "sns" / "blog.xml", output / "feeds" / "all.atom.xml"):
        contents = feed_html(feed)
        assert any("본문" in html for html in contents), feed
        assert [found for html in contents for found in harm(html)] == [], feed


def test_the_atom_feed_keeps_the_title_as_written(site):
    """Pelican strips "tags" from titles and decodes entities; a notice title is plain text."""
    atom = ElementTree.parse(site / "output" / "feeds" / "all.atom.xml")
    titles = [entry.findtext("{http://www.w3.org/2005/Atom}title")
              for entry in atom.iter("{http://www.w3.org/2005/Atom}entry")]
    assert TITLE in titles


def test_the_email_carries_no_script_and_keeps_the_banner(site):
    message = BytesParser(policy=policy.default).parsebytes(
        (site / "private" / "outbox" / "2026-12-10" / "email" / "R1.eml").read_bytes())
    html = message.get_body(("html",)).get_content()
    assert harm(html) == []
    assert "배너 본문" in html and "굵게</strong>" in html and "설문 참여 요청" in html
    assert "<script" not in html and "onerror" not in html


TEMPLATE_FOLDERS = ("themes", "plugins")
UNSAFE = re.compile(r"\|\s*(safe|striptags)\b|Markup\(|autoescape\s+false", re.IGNORECASE)


def test_no_template_decodes_or_marks_text_safe():
    """Escaping is the environments' (autoescape); a template never undoes it."""
    templates = [path for folder in TEMPLATE_FOLDERS for path in (REPO / folder).rglob("*")
                 if path.suffix in (".html", ".txt", ".xml") and ("templates" in path.parent.name or path.parent.name == "email")]
    assert len(templates) > 20
    assert {str(p.relative_to(REPO)): UNSAFE.findall(p.read_text(encoding="utf-8"))
            for p in templates if p.is_file() and UNSAFE.search(p.read_text(encoding="utf-8"))} == {}
