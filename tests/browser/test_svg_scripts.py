"""The SVG pictures ``check`` refuses (tests/test_scripted_files.py) run
their script in Chromium when opened by themselves from a web server, as a
resident who taps the poster's link opens it, and those it lets through run
none: the rule is the browser's, not a guess. (The links among them run
only when tapped, so they are left to the check's own test.) So do a page
named .xhtm and a gzipped SVG (.svgz), served as a Debian server serves them."""

from __future__ import annotations

import functools
import gzip
import http.server
import threading

import pytest
from test_scripted_files import PLAIN, SCRIPTED, XHTML

from sotong.scripted_files import script_problem

RUN_WITHOUT_A_TAP = ["script", "onload", "entity", "foreign-html", "foreign-iframe"]


@pytest.fixture(scope="module")
def pictures(tmp_path_factory):
    """Every picture of the check's test, served over HTTP as image/svg+xml; their base address."""
    folder = tmp_path_factory.mktemp("pictures")
    for name, text in {**SCRIPTED, **PLAIN}.items():
        (folder / f"{name}.svg").write_text(text, encoding="utf-8")
    handler = type("Quiet", (http.server.SimpleHTTPRequestHandler,), {"log_message": lambda *args: None})
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(handler, directory=str(folder)))
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield folder, f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


def ran(browser, url: str) -> bool:
    """Whether the document at ``url``, opened by itself, ran a script (they name it "ran")."""
    context = browser.new_context()
    try:
        tab = context.new_page()
        tab.goto(url, wait_until="load")
        tab.wait_for_timeout(300)  # an iframe's or a picture's script runs a moment after the load
        return tab.evaluate("document.title") == "ran"
    finally:
        context.close()


@pytest.mark.parametrize("name", RUN_WITHOUT_A_TAP)
def test_a_refused_picture_runs_its_script_in_chromium(browser, pictures, name):
    folder, base = pictures
    assert script_problem(folder / f"{name}.svg", name) is not None
    assert ran(browser, f"{base}/{name}.svg")


@pytest.mark.parametrize("name", PLAIN)
def test_a_picture_that_passes_runs_nothing_in_chromium(browser, pictures, name):
    folder, base = pictures
    assert script_problem(folder / f"{name}.svg", name) is None
    assert not ran(browser, f"{base}/{name}.svg")


# as Debian's /etc/mime.types (Apache's, Python's server's) types them, and a server sends a .svgz: gzipped
SERVED_AS = {".xhtm": ("application/xhtml+xml", None), ".svgz": ("image/svg+xml", "gzip")}


@pytest.fixture(scope="module")
def as_debian_serves(tmp_path_factory):
    """A page named .xhtm and a scripted .svgz, served with the types ``SERVED_AS`` names; their base address."""
    folder = tmp_path_factory.mktemp("served")
    (folder / "leaflet.xhtm").write_text(f"<html {XHTML}><head><title>x</title><script>document.title = 'ran'</script>"
                                         "</head><body/></html>", encoding="utf-8")
    (folder / "map.svgz").write_bytes(gzip.compress(SCRIPTED["script"].encode()))

    class Handler(http.server.SimpleHTTPRequestHandler):
        def end_headers(self):
            _kind, encoding = SERVED_AS.get(self.path[self.path.rfind("."):], (None, None))
            if encoding:
                self.send_header("Content-Encoding", encoding)
            super().end_headers()

        def guess_type(self, path):
            return SERVED_AS.get(str(path)[str(path).rfind("."):], (super().guess_type(path),))[0]

        def log_message(self, *args):
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(Handler, directory=str(folder)))
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield folder, f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


@pytest.mark.parametrize("name", ["leaflet.xhtm", "map.svgz"])
def test_a_page_named_xhtm_and_a_gzipped_svg_run_their_script_and_are_refused(browser, as_debian_serves, name):
    folder, base = as_debian_serves
    assert script_problem(folder / name, name) is not None
    assert ran(browser, f"{base}/{name}")
