"""The site theme (themes/sotong): Korean, accessible (WCAG 2.1 AA / KWCAG
2.2), readable on a phone by residents over 60, no JavaScript and nothing
loaded from another host. Checked on every page of the sample site, built
with the real ``sotong build``."""

from __future__ import annotations

import concurrent.futures
import datetime as dt
import functools
import http.server
import re
import shutil
import threading
from pathlib import Path
from urllib.parse import quote, unquote, urlsplit

import lxml.html
import pytest

from project_support import REPO, SAMPLE_TODAY, copy_project, run_sotong
from sotong.advice import VAGUE_LINK_TEXTS
from sotong.project import Project

# Written by other plugins (newsletter, survey), which this build leaves out.
OTHER_PLUGINS_PATHS = ("/newsletter/", "/surveys/")
OFFICE_PHONE = "02-2286-0042"  # not the sample's number: the pages must read the setting
CSS = REPO / "themes" / "sotong" / "static" / "css" / "sotong.css"


@pytest.fixture(scope="module")
def site(tmp_path_factory) -> Path:
    project = copy_project(tmp_path_factory.mktemp("theme"), extra_settings=(
        'PLUGINS = ["sotong.pelican_plugin", "homepage"]\nCACHE_CONTENT = False\nLOAD_CONTENT_CACHE = False\n'
        f'OFFICE_PHONE = "{OFFICE_PHONE}"\n'))
    result = run_sotong(project, "build")
    assert result.code == 0, result.output
    return project / "output"


@pytest.fixture(scope="module")
def notices(site):
    return Project(site.parent / "pelicanconf.py").notices


def pages(site: Path) -> list[Path]:
    """Every full HTML page (the homepage section is a fragment, tested apart)."""
    return [p for p in sorted(site.rglob("*.html")) if p.parts[-2:] != ("section", "latest.html")]


def tree(path: Path):
    return lxml.html.fromstring(path.read_bytes())


def notice_page(site: Path, slug: str):
    return tree(site / "notices" / slug / "index.html")


def text(element) -> str:
    return " ".join(element.text_content().split())


def test_every_page_is_korean_with_one_h1_landmarks_and_a_skip_link(site):
    checked = pages(site)
    notice_pages = [path for path in checked if path.parent.parent.name == "notices"]
    assert len(notice_pages) >= 40 and len(checked) > len(notice_pages) + 30, "the whole sample site was built"
    for path in checked:
        page = tree(path)
        assert page.get("lang") == "ko", path
        assert page.xpath("//meta[@name='viewport']"), path
        assert page.xpath("string(//title)").strip(), path
        assert len(page.xpath("//h1")) == 1, path
        first_link = page.xpath("//body//a")[0]
        assert first_link.get("href") == "#main" and text(first_link) == "본문 바로가기", path
        assert [m.tag for m in page.xpath("//*[@id='main']")] == ["main"], path
        for landmark in ("header", "nav", "main", "footer"):
            assert page.xpath(f"//{landmark}"), (path, landmark)
        assert all(nav.get("aria-label") for nav in page.xpath("//nav")), path


def test_no_javascript_and_nothing_from_another_host(site):
    for path in pages(site) + [site / "section" / "latest.html"]:
        html = path.read_text(encoding="utf-8")
        assert "<script" not in html.lower(), path
        page = lxml.html.fromstring(html)
        loaded = page.xpath("//link[@rel='stylesheet']/@href | //img/@src | //iframe/@src | //source/@src")
        assert all(not urlsplit(url).netloc for url in loaded), (path, loaded)
    stylesheets = {href for p in pages(site) for href in tree(p).xpath("//link[@rel='stylesheet']/@href")}
    assert stylesheets == {"/theme/css/sotong.css"}


def test_every_link_inside_the_site_leads_to_a_page_that_exists(site):
    broken = []
    for path in pages(site):
        for href in tree(path).xpath("//a/@href | //link[@rel='stylesheet']/@href"):
            if not href.startswith("/") or href.startswith(OTHER_PLUGINS_PATHS):
                continue
            target = site / unquote(urlsplit(href).path).lstrip("/")
            if not (target.is_file() or (target / "index.html").is_file()):
                broken.append((path.relative_to(site), href))
    assert broken == []


def test_links_say_where_they_go_and_images_say_what_they_show(site):
    for path in pages(site):
        page = tree(path)
        for link in page.xpath("//a"):
            label = text(link) or " ".join(link.xpath(".//img/@alt"))
            assert label and label.lower() not in VAGUE_LINK_TEXTS, (path, lxml.html.tostring(link))
        for image in page.xpath("//img"):
            assert (image.get("alt") or "").strip(), (path, image.get("src"))


def test_tables_have_header_cells(site):
    tables = [(path, table) for path in pages(site) for table in tree(path).xpath("//table")]
    assert tables, "the sample has tables in notices and pages"
    for path, table in tables:
        assert table.xpath(".//th"), path


HEADINGS_NOTICE = """---
title: "겨울 일자리 박람회"
date: 2026-11-20 09:00
department: 일자리정책과
category: living
summary: 구청 강당에서 일자리 박람회를 엽니다.
---
# 신청 방법

전화로 신청하세요.

#### 준비물

신분증

## 문의

일자리정책과
"""


def heading_levels(page) -> list[int]:
    return [int(h.tag[1]) for h in page.xpath("//main//*[self::h1 or self::h2 or self::h3 or self::h4 or self::h5 or self::h6]")]


def test_a_notice_or_page_text_starting_at_one_hash_keeps_one_h1_and_no_missing_level(tmp_path):
    """Staff who wrote "# 신청 방법" (as Markdown guides start) gave the notice's
    page a second h1, and "####" after it a jump from h1 to h4: a screen
    reader's list of headings showed the page's outline wrong. The text's
    headings now start at h2 under the title, none more than one level down."""
    project = copy_project(tmp_path, notices=False, extra_settings='PLUGINS = ["sotong.pelican_plugin", "homepage"]\n')
    (project / "content" / "notices" / "2026-11-20-job-fair.md").write_text(HEADINGS_NOTICE, encoding="utf-8")
    page_text = HEADINGS_NOTICE.split("---\n", 2)[2]
    (project / "content" / "pages" / "job-fair.md").write_text("---\ntitle: 박람회 안내\n---\n" + page_text, encoding="utf-8")
    result = run_sotong(project, "build")
    assert result.code == 0, result.output
    for path in (project / "output" / "notices" / "2026-11-20-job-fair" / "index.html",
                 project / "output" / "job-fair" / "index.html"):
        page = tree(path)
        assert heading_levels(page)[0] == 1 and heading_levels(page).count(1) == 1, (path, heading_levels(page))
        assert all(b <= a + 1 for a, b in zip(heading_levels(page), heading_levels(page)[1:])), (path, heading_levels(page))
        assert [(h.tag, text(h)) for h in page.xpath("//main//h2 | //main//h3")][:3] == [
            ("h2", "신청 방법"), ("h3", "준비물"), ("h2", "문의")], path


def test_navigation_and_footer_links(site):
    page = tree(site / "index.html")
    nav = page.xpath("//nav[@aria-label='주 메뉴']//a")
    assert [(text(a), a.get("href")) for a in nav] == [
        ("홈", "/"), ("분야별", "/category/"), ("부서별", "/department/"), ("지난 소식", "/archives/"),
        ("소식지", "/newsletter/"), ("구독 안내", "/subscribe/")]
    assert nav[0].get("aria-current") == "page"
    footer = page.xpath("//footer//a")
    assert ("개인정보 처리방침", "/privacy/") in [(text(a), a.get("href")) for a in footer]
    category_nav = tree(site / "category" / "culture" / "index.html").xpath("//nav[@aria-label='주 메뉴']//a")
    assert [a.get("aria-current") for a in category_nav] == [None, "page", None, None, None, None]


def test_a_notice_page_shows_its_facts_in_korean(site, notices):
    labels = Project(site.parent / "pelicanconf.py").audiences.fields
    festival = next(n for n in notices if n.slug == "2026-11-16-winter-festival")
    page = notice_page(site, festival.slug)
    assert text(page.xpath("//h1")[0]) == festival.title
    facts = {text(dt_): dd for dt_, dd in zip(page.xpath("//header//dt"), page.xpath("//header//dd"), strict=True)}
    assert text(facts["게시일"]) == "2026년 11월 16일"
    assert facts["게시일"].xpath(".//time/@datetime") == ["2026-11-16"]
    assert text(facts["부서"]) == "문화체육과"
    assert facts["부서"].xpath(".//a/@href") == ["/department/%EB%AC%B8%ED%99%94%EC%B2%B4%EC%9C%A1%EA%B3%BC/"]
    assert text(facts["분야"]) == labels["culture"] and facts["분야"].xpath(".//a/@href") == ["/category/culture/"]
    event = page.xpath("//section[contains(@class, 'event-box')]")[0]
    assert "2026년 12월 19일(토) 14:00 ~ 2026년 12월 20일(일) 21:00" in text(event)
    assert festival.event.place in text(event)
    assert event.xpath(".//a/@href") == [f"/notices/{festival.slug}/event.ics"]
    assert page.xpath("//img/@alt") == [festival.image_alt]
    assert "문의: 성동구청 문화체육과 02-2286-5635" in text(page.xpath("//div[@class='notice-body']")[0])
    related = [text(a) for a in page.xpath("//nav[@aria-label='관련 목록']//a")]
    assert "문화공연 분야의 다른 소식" in related and "문화체육과의 다른 소식" in related


def test_urgent_notices_carry_the_word_not_only_a_colour(site, notices):
    urgent = [n for n in notices if n.published and n.urgent]
    assert urgent
    for notice in urgent:
        page = notice_page(site, notice.slug)
        assert "긴급" in [text(b) for b in page.xpath("//*[contains(@class, 'badge-urgent')]")]
    box = tree(site / "index.html").xpath("//section[contains(@class, 'urgent-box')]")
    today = dt.date.fromisoformat(SAMPLE_TODAY)
    current_urgent = {f"/notices/{n.slug}/" for n in urgent
                      if n.has("homepage") and n.day <= today and not n.expired_on(today)}  # not scheduled
    assert set(box[0].xpath(".//li/a/@href")) == current_urgent
    # the box's heading as a screen reader names it (its badge seen, not heard): it said "긴급 긴급 공지"
    heard = " ".join("".join(box[0].xpath("h2//text()[not(ancestor::*[@aria-hidden='true'])]")).split())
    assert heard == "긴급 공지", heard


def test_expired_notices_say_so_and_stay_in_the_archives(site, notices):
    today = dt.date.fromisoformat(SAMPLE_TODAY)
    expired = [n for n in notices if n.published and n.expired_on(today)]
    assert expired
    archives = tree(site / "archives" / "index.html")
    for notice in expired:
        # right after the title: a screen reader's user who goes to the heading (h1) hears it next; before
        # the title it was skipped
        status = notice_page(site, notice.slug).xpath("//h1/following-sibling::*[1][contains(@class, 'notice-status')]")
        assert status and "종료된 공지" in text(status[0])
        item = archives.xpath(f"//li[a/@href='/notices/{notice.slug}/']")
        if notice.has("homepage"):
            assert item and "종료" in text(item[0])
        else:
            assert item == []
    current = next(n for n in notices if n.published and n.has("homepage") and not n.expires)
    assert "종료된 공지" not in text(notice_page(site, current.slug))


def test_category_pages_use_the_field_label_and_list_expired_notices_apart(site, notices):
    labels = Project(site.parent / "pelicanconf.py").audiences.fields
    categories = tree(site / "category" / "index.html")
    assert [text(a) for a in categories.xpath("//main//li/a")] == list(labels.values())
    today = dt.date.fromisoformat(SAMPLE_TODAY)
    expired = next(n for n in notices if n.published and n.has("homepage") and n.expired_on(today))
    page = tree(site / "category" / expired.category / "index.html")
    assert labels[expired.category] in page.xpath("string(//title)")
    past = page.xpath("//section[contains(@class, 'expired-notices')]//a/@href")
    assert f"/notices/{expired.slug}/" in past


def test_the_index_is_paginated_with_labelled_links(site):
    second = site / "page" / "2" / "index.html"
    assert second.is_file()
    nav = tree(site / "index.html").xpath("//nav[@aria-label='쪽 이동']")[0]
    assert [(text(a), a.get("href")) for a in nav.xpath(".//a")] == [("다음 쪽", "/page/2/")]
    assert "1쪽 / 전체 2쪽" in text(nav)


def test_every_page_has_its_own_title(site):
    """The homepage's second page had the first's title, "성동구 소통", as a
    field's or a department's second page had its first's: a resident going
    back through the browser's history, or a screen reader naming the tab,
    could not tell them apart."""
    titles: dict[str, list[str]] = {}
    for path in pages(site):
        if path.relative_to(site).parts[0] == "n":
            continue  # a short link: it sends the reader on to the notice it names
        titles.setdefault(tree(path).xpath("string(//title)"), []).append(str(path.relative_to(site)))
    assert [paths for paths in titles.values() if len(paths) > 1] == []
    assert tree(site / "page" / "2" / "index.html").xpath("string(//title)") == "최근 소식 2쪽 - 성동구 소통"


def test_the_404_page_works_from_any_address(site):
    page = tree(site / "404.html")
    assert text(page.xpath("//h1")[0]) == "페이지를 찾을 수 없습니다"
    hrefs = page.xpath("//a/@href | //link/@href")
    assert hrefs and all(urlsplit(href).scheme or href.startswith(("/", "#")) for href in hrefs)


def test_the_footer_and_the_404_page_give_the_office_phone_setting(site):
    for path in (site / "index.html", site / "404.html"):
        phones = [(a.get("href"), text(a)) for a in tree(path).xpath("//a[starts-with(@href, 'tel:')]")]
        assert (f"tel:{OFFICE_PHONE}", OFFICE_PHONE) in phones, path
        assert "02-2286-5114" not in path.read_text(encoding="utf-8")


# --- the stylesheet -------------------------------------------------------------------


def contrast(foreground: str, background: str) -> float:
    def luminance(color):
        channels = [int(color.lstrip("#")[i:i + 2], 16) / 255 for i in (0, 2, 4)]
        r, g, b = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
        return 0.2126 * r + 0.7152 * g + 0.0722 * b
    light, dark = sorted((luminance(foreground), luminance(background)), reverse=True)
    return (light + 0.05) / (dark + 0.05)


def test_the_stylesheet_is_small_local_and_sets_large_readable_text():
    css = CSS.read_text(encoding="utf-8")
    assert len(css.encode()) < 16_000
    assert "@import" not in css and "@font-face" not in css and "url(" not in css
    assert re.search(r"html\s*{[^}]*font-size:\s*112\.5%", css)  # 18px
    body = re.search(r"body\s*{([^}]*)}", css).group(1)
    assert re.search(r"line-height:\s*1\.6\b", body)
    assert 'font-family: "Apple SD Gothic Neo", "Malgun Gothic", "Noto Sans KR", sans-serif' in body
    assert re.search(r":focus-visible\s*{[^}]*outline:\s*3px solid", css)
    sizes = [float(s) for s in re.findall(r"font-size:\s*([\d.]+)rem", css)]
    assert min(sizes) * 18 >= 16  # no text below 16px


def test_text_colours_have_at_least_7_to_1_contrast():
    variables = dict(re.findall(r"--([\w-]+):\s*(#[0-9a-fA-F]{6})", CSS.read_text(encoding="utf-8")))
    pairs = [("text", "#ffffff"), ("muted", "#ffffff"), ("link", "#ffffff"), ("visited", "#ffffff"),
             ("link", variables["tint"]), ("text", variables["tint"]), ("muted", "#f4f6f9"),
             ("#ffffff", "brand"), ("#ffffff", "urgent"), ("#ffffff", "expired"), ("focus", "brand")]
    for foreground, background in pairs:
        fg, bg = variables.get(foreground, foreground), variables.get(background, background)
        assert contrast(fg, bg) >= 7, (foreground, background)


def test_a_links_file_kind_and_size_is_quiet_readable_and_kept_on_one_line():
    """The "(한글 파일, 120KB)" after a link's words (sotong.body_files.FILE_ABOUT_CLASS)
    had no style: as loud as the words, and broken over a phone's lines.
    tests/browser/test_site_pages.py measures it drawn."""
    css = CSS.read_text(encoding="utf-8")
    variables = dict(re.findall(r"--([\w-]+):\s*(#[0-9a-fA-F]{6})", css))
    rule = re.search(r"\.file-about\s*{([^}]*)}", css).group(1)
    assert re.search(r"white-space:\s*nowrap", rule)
    assert float(re.search(r"font-size:\s*([\d.]+)em", rule).group(1)) >= 0.9
    colour = re.search(r"(?<![-\w])color:\s*var\(--([\w-]+)\)", rule).group(1)
    assert colour not in ("link", "visited", "text")
    assert min(contrast(variables[colour], background) for background in ("#ffffff", variables["tint"])) >= 4.5


# --- in a real browser, where one is installed -------------------------------------------


def pages_wider_than(width: int, base: str, paths: list[str], chromium: str) -> list[str]:
    """The pages whose content is wider than the viewport, in headless Chromium."""
    from playwright.sync_api import sync_playwright

    wide = []
    with sync_playwright() as driver:
        browser = driver.chromium.launch(executable_path=chromium, args=["--no-sandbox"])
        page = browser.new_page(viewport={"width": width, "height": 800})
        for path in paths:
            page.goto(base + quote(path))
            assert page.evaluate("getComputedStyle(document.body).fontSize") == "18px", path
            if page.evaluate("document.documentElement.scrollWidth") > width:
                wide.append(path)
        browser.close()
    return wide


def test_no_page_scrolls_sideways_on_a_375px_phone(site):
    chromium = shutil.which("chromium") or shutil.which("chromium-browser")
    pytest.importorskip("playwright.sync_api")
    if not chromium:
        pytest.skip("chromium is not installed (apt-get install chromium)")
    paths = [str(p.relative_to(site)) for p in pages(site) if p.parts[-3] != "n"]  # short links navigate away
    handler = functools.partial(http.server.SimpleHTTPRequestHandler, directory=str(site))
    handler.log_message = lambda *args: None
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        # In a thread of its own: Playwright's sync API refuses to run where
        # another test left an asyncio loop running.
        with concurrent.futures.ThreadPoolExecutor(1) as pool:
            wide = pool.submit(pages_wider_than, 375, f"http://127.0.0.1:{server.server_address[1]}/",
                               paths, chromium).result()
    finally:
        server.shutdown()
        server.server_close()
    assert wide == []
