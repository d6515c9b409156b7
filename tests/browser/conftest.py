"""Fixtures of the browser checks, session-scoped so that the sample is built
once and Chromium launched once: the built site served over real HTTP on
127.0.0.1 (so that URLs behave as in production), the collector run by
``sotong serve`` on an ephemeral port, and Playwright pages at the two widths
residents read at (a 375px phone, a 1280px screen).

The pages to check are what the build actually produced (collected from the
built output): survey forms join the list as soon as content/surveys/ yields
output/surveys/SLUG/index.html.
"""

from __future__ import annotations

import functools
import http.server
import os
import re
import threading
from dataclasses import dataclass
from pathlib import Path

import pytest

import sample_site
import tooling
from sample_site import GONE_CODE, dev_bundle, dev_site

from .page_checks import WIDTHS
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]
SCREENSHOTS = tooling.REPO / "test-artifacts" / "screenshots"
DOCS_PICTURES = {"homepage-375", "email-375"}


@dataclass(frozen=True)
class SitePage:
    name: str
    path: str | None  # relative to output/; None: the build made no such page

    def __str__(self):
        return self.name


def _largest(pages: list[Path]) -> Path | None:
    return max(pages, key=lambda p: (p.stat().st_size, str(p)), default=None)


def site_pages(output: Path) -> list[SitePage]:
    """One page of each kind a resident meets, from what the build wrote."""
    def one(name, path):
        return SitePage(name, str(path.relative_to(output)) if path and path.is_file() else None)

    editions = sorted(p for p in output.glob("newsletter/*/index.html") if re.fullmatch(r"\d{4}-\d\d-\d\d", p.parent.name))
    pages = [
        one("homepage", output / "index.html"),
        one("notice", _largest(list(output.glob("notices/*/index.html")))),
        one("categories", output / "category" / "index.html"),
        one("category", _largest(list(output.glob("category/*/index.html")))),
        one("departments", output / "department" / "index.html"),
        one("department", _largest(list(output.glob("department/*/index.html")))),
        one("archives", output / "archives" / "index.html"),
        one("newsletter-edition", editions[-1] if editions else None),
        one("newsletter-archive", output / "newsletter" / "index.html"),
        one("not-found", output / "404.html"),
        one("shortlink-gone", output / "n" / GONE_CODE / "index.html"),
        one("subscribe-form", output / "subscribe" / "form" / "index.html"),
        one("poster", output / "subscribe" / "poster" / "index.html"),
        one("feeds", output / "feeds.html"),
    ]
    pages += [one(f"page-{source.stem}", output / source.stem / "index.html")
              for source in sorted((dev_site().project / "content" / "pages").glob("*.md"))]
    pages += [one(f"survey-{form.parent.name}", form) for form in sorted(output.glob("surveys/*/index.html"))]
    return pages


def pytest_generate_tests(metafunc):
    if "site_page" in metafunc.fixturenames:
        pages = site_pages(dev_site().output)
        metafunc.parametrize("site_page", pages, ids=[p.name for p in pages])
    fixed = any("width" in marker.args[0] for marker in metafunc.definition.iter_markers("parametrize"))
    if "width" in metafunc.fixturenames and not fixed:
        metafunc.parametrize("width", WIDTHS, ids=[f"{w}px" for w in WIDTHS])


# --- HTTP ---------------------------------------------------------------------------


class SiteHandler(http.server.SimpleHTTPRequestHandler):
    """Static files of the built site, plus pages a test puts in ``extra``
    (an email, a deliberately broken page) at paths the site does not use."""

    extra: dict[str, bytes] = {}

    def do_GET(self):
        body = self.extra.get(self.path)
        if body is None:
            return super().do_GET()
        self.send_response(200)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


@dataclass
class Server:
    base: str  # http://127.0.0.1:PORT
    extra: dict

    def put(self, path: str, html: str) -> str:
        """Serve ``html`` at ``path`` (e.g. /__test__/email.html); its URL."""
        self.extra[path] = html.encode("utf-8")
        return self.base + path


@pytest.fixture(scope="session")
def site_server():
    extra: dict[str, bytes] = {}
    handler = type("Handler", (SiteHandler,), {"extra": extra})
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0),
                                             functools.partial(handler, directory=str(dev_site().output)))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield Server(f"http://127.0.0.1:{server.server_address[1]}", extra)
    server.shutdown()
    server.server_close()


@pytest.fixture(scope="session")
def bundle():
    return dev_bundle()


@pytest.fixture(scope="session")
def collector(bundle):
    """``sotong serve`` on the sample project (its store has the sample subscribers)."""
    with sample_site.collector(dev_site().project) as base:
        yield base


# --- Chromium -----------------------------------------------------------------------


@pytest.fixture(scope="session")
def axe_script() -> Path:
    return tooling.axe_script()


@pytest.fixture(scope="session")
def browser():
    executable = tooling.chromium()
    from playwright.sync_api import sync_playwright

    driver = sync_playwright().start()
    launched = driver.chromium.launch(executable_path=executable, args=CHROMIUM_ARGS)
    yield launched
    launched.close()
    driver.stop()


@pytest.fixture(scope="session")
def contexts(browser):
    """One browser context per width: a phone (touch, 2x pixels) and a desktop."""
    made = {}

    def context(width: int):
        if width not in made:
            if width < 800:
                made[width] = browser.new_context(viewport={"width": width, "height": 812}, is_mobile=True,
                                                  has_touch=True, device_scale_factor=2, locale="ko-KR")
            else:
                made[width] = browser.new_context(viewport={"width": width, "height": 900}, locale="ko-KR")
        return made[width]

    yield context
    for context_ in made.values():
        context_.close()


@dataclass
class Tab:
    """A fresh page and every URL it requested."""
    page: object
    requests: list[str]

    def open(self, url: str):
        response = self.page.goto(url, wait_until="load")
        assert response is not None and response.ok, f"GET {url} answered {response and response.status}"
        return response

    def foreign_requests(self, origin: str) -> list[str]:
        return [f"request outside the site: {url}" for url in self.requests
                if not url.startswith((origin + "/", "data:", "about:"))]

    def screenshot(self, name: str, width: int) -> Path:
        """The whole page, in test-artifacts/screenshots/; with
        SOTONG_DOCS_SCREENSHOTS=FOLDER (`make screenshots`), the first screen
        of the README's pictures too."""
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        path = SCREENSHOTS / f"{name}-{width}.png"
        self.page.screenshot(path=str(path), full_page=True)
        docs = os.environ.get("SOTONG_DOCS_SCREENSHOTS")
        if docs and f"{name}-{width}" in DOCS_PICTURES:
            (tooling.REPO / docs).mkdir(parents=True, exist_ok=True)
            self.page.screenshot(path=str(tooling.REPO / docs / f"{name}-{width}.png"))
        return path


@pytest.fixture
def tab(contexts, width):
    page = contexts(width).new_page()
    requests: list[str] = []
    page.on("request", lambda request: requests.append(request.url))
    yield Tab(page, requests)
    page.close()
