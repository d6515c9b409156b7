"""What residents see (issue #10): the collector's pages wear the site's
header and keep Korean words whole; phone numbers are tap-to-call links in
notices and emails; the Atom feeds are listed on one "소식 받기" page linked
from every page's footer, and no longer on the residents' pages; a favicon;
the district's emblem atop every email (EMAIL_LOGO)."""

from __future__ import annotations

import re
from email import policy
from email.parser import BytesParser

import pytest
from werkzeug.test import Client

from project_support import REPO, copy_project, run_sotong
from delivery_support import run_cli
import test_bundles
from test_bundles import ISSUE

small = test_bundles.small  # the fixture: the sample project with readers A1, B2, C3

EMBLEM = "https://www.sd.go.kr/images/emblem.png"


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    project = copy_project(tmp_path_factory.mktemp("site"))
    result = run_sotong(project, "build")
    assert result.code == 0, result.output
    return project / "output"


def test_the_feeds_page_lists_every_atom_feed_and_every_page_links_it(site):
    feeds = (site / "feeds.html").read_text(encoding="utf-8")
    assert "<h1>소식 받기</h1>" in feeds and "feeds/all.atom.xml" in feeds
    categories = sorted(p.stem.removesuffix(".atom") for p in (site / "feeds" / "category").glob("*.atom.xml"))
    assert categories and all(f"feeds/category/{c}.atom.xml" in feeds for c in categories)
    pages = [site / "index.html", site / "category" / categories[0] / "index.html",
             next((site / "notices").glob("*/index.html")), site / "archives" / "index.html"]
    for page in pages:
        html = page.read_text(encoding="utf-8")
        assert 'href="/feeds.html">소식 받기</a>' in html, page
        assert "Atom 피드" not in html and "atom.xml\">" not in html.split("</head>")[1], page  # no visible feed link
        assert '<link rel="icon" href="/theme/favicon.svg"' in html, page
    assert (site / "theme" / "favicon.svg").read_text(encoding="utf-8").startswith("<svg")


def test_pictures_on_pages_say_their_size_so_the_text_does_not_jump_as_they_come(site):
    """A phone lays the page out before the picture arrives: without width
    and height the text below it jumped down once it came (Lighthouse: CLS)."""
    notice = (site / "notices" / "2026-11-05-kimjang-sharing" / "index.html").read_text(encoding="utf-8")
    assert '<img src="/images/kimjang.svg" alt="배추와 김치통이 그려진 김장 나눔 행사 안내 그림" width="640" height="360">' in notice
    home = (site / "index.html").read_text(encoding="utf-8")
    banners = [tag for tag in re.findall(r"<img [^>]*>", home) if "/images/gov24.svg" in tag]
    assert banners and all('width="600" height="200"' in tag for tag in banners), banners


def test_a_notice_page_links_its_phone_number(site):
    html = (site / "notices" / "2026-11-19-year-end-concert" / "index.html").read_text(encoding="utf-8")
    assert '<a href="tel:02-2286-5636">02-2286-5636</a>' in html


def test_collector_pages_wear_the_site_header_keep_words_whole_and_link_the_phone(tmp_path):
    from sotong.project import Project
    from sotong.web import make_app

    client = Client(make_app(Project(copy_project(tmp_path) / "pelicanconf.py")))
    for path in ("/u/forged-token", "/surveys/no-such-survey", "/subscribe/check"):
        page = client.get(path).get_data(as_text=True)
        assert '<header class="site-header">' in page and 'aria-label="주 메뉴"' in page, path
        assert "word-break: keep-all" in page and '<a href="/">성동구 소통</a>' in page, path
        assert "<link" not in page, path  # the site's CSS is inlined: nothing fetched from elsewhere
        assert '문의 <a href="tel:02-2286-5114">02-2286-5114</a>' in page, path  # the office's number, to tap and call
        # the pages that take and change a resident's data (a sign-up with errors, their 「수신 설정」) had no
        # way to the privacy policy, which the site's pages link in their footer
        assert '<a href="/privacy/">개인정보 처리방침</a></footer>' in page, path
    sent = client.get("/p/link/sent").get_data(as_text=True)  # the number in a page's message too
    assert sent.split("<main")[1].count('<a href="tel:02-2286-5114">') == 2, sent


def test_the_email_carries_the_emblem_and_tap_to_call_numbers(small):  # noqa: F811
    with open(small / "pelicanconf.py", "a", encoding="utf-8") as settings:
        settings.write(f'\nEMAIL_LOGO = "{EMBLEM}"\nEMAIL_LOGO_ALT = "성동구 구청 상징"\n')
    result = run_cli(small / "pelicanconf.py", "bundles", "--issue", ISSUE)
    assert result.code == 0, result.output
    message = BytesParser(policy=policy.default).parsebytes(
        (small / "private" / "outbox" / ISSUE / "email" / "A1.eml").read_bytes())
    html = message.get_body(("html",)).get_content()
    assert f'src="{EMBLEM}" alt="성동구 구청 상징"' in html
    assert 'href="tel:02-2286-5114"' in html  # the office's number in the footer
    assert message["Subject"].startswith("성동구 소식: ") and message["Subject"].endswith("건")


def test_a_wrong_email_logo_is_said_with_its_line(tmp_path):
    project = copy_project(tmp_path, extra_settings='EMAIL_LOGO = "emblem.png"\n')
    result = run_sotong(project, "check", env={"SOTONG_LANG": "en"})
    assert result.code == 1 and "EMAIL_LOGO: must be the address of an image on the web" in result.stderr
    assert "pelicanconf.py:" in result.stderr


def test_the_subscribe_page_names_the_unsubscribe_link_as_every_email_shows_it():
    """'맨 아래의 '수신 거부' 링크' sent a resident looking for a link the email calls 수신거부."""
    page = (REPO / "content" / "pages" / "subscribe.md").read_text(encoding="utf-8")
    email = (REPO / "themes" / "email" / "email.html").read_text(encoding="utf-8")
    named = page.split("모든 메일 맨 아래의 **'")[1].split("'**")[0]
    assert f'href="{{{{ slot("unsubscribe_url") }}}}">{named}</a>' in email
