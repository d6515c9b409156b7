"""A draft notice in `sotong devserver`, over real HTTP: staff see its page
(with its picture) at its own address, under a Korean banner saying it is a
draft that goes out nowhere, and the terminal names that address; it is in
no list, feed or newsletter of the preview, in no file of the preview's site,
and `sotong build` makes exactly what it made without the draft. A page of
another site whose name was pointed at 127.0.0.1 (DNS rebinding) reads
nothing of the preview."""

from __future__ import annotations

import http.client
import os
import re
import shutil
from pathlib import Path

import pytest

from project_support import copy_project, differing_files, run_sotong
from devserver_support import built_devserver, write_notice

BANNER = 'id="sotong-devserver-draft"'
DRAFT_TITLE = "아직 초안인 겨울 행사 안내"
PUBLISHED_TITLE = "이미 게시한 겨울 행사 안내"
FIELDS = "channels: [homepage, newsletter, email]\nimage: images/winter-draft.svg\nimage_alt: 눈사람 그림\n"


def add_notices(root: Path, draft: bool = True) -> None:
    """A published notice and, with ``draft``, a draft one like it, dated
    (2026-11-05) inside the window of the sample's latest edition out, that
    of 2026-11-12; the draft's picture is its own."""
    write_notice(root, "winter-published.md", PUBLISHED_TITLE, "channels: [homepage, newsletter, email]\n")
    if draft:
        shutil.copy(root / "content" / "images" / "kimjang.svg", root / "content" / "images" / "winter-draft.svg")
        write_notice(root, "winter-draft.md", DRAFT_TITLE, FIELDS + "status: draft\n")


@pytest.fixture(scope="module")
def project(tmp_path_factory) -> Path:
    root = copy_project(tmp_path_factory.mktemp("drafts"), notices=False)
    add_notices(root)
    return root


@pytest.fixture(scope="module")
def server(project):
    yield from built_devserver(project)


def test_the_drafts_page_is_shown_at_its_address_with_the_banner(server):
    page = server.get("/notices/winter-draft/")
    assert page.status == 200, server.terminal
    assert BANNER in page.text and DRAFT_TITLE in page.text
    assert "초안입니다 (status: draft)" in page.text and "status: draft 줄을 지우세요" in page.text
    assert page.text.index(BANNER) < page.text.index(DRAFT_TITLE, page.text.index("<body"))  # above the notice
    assert "EventSource" in page.text  # it reloads after a save, as every page
    assert server.get("/images/winter-draft.svg").status == 200
    assert BANNER not in server.get("/notices/winter-published/").text


def test_the_drafts_canonical_link_is_its_own_address_as_a_published_notices_is(server):
    canonical = {name: re.findall(r'<link rel="canonical" href="([^"]*)"', server.get(f"/notices/winter-{name}/").text)
                 for name in ("draft", "published")}
    assert canonical["published"] == ["/notices/winter-published/"]
    assert canonical["draft"] == ["/notices/winter-draft/"]  # Pelican's address of a draft is DRAFT_URL: "", so "/"


def answer_for_host(server, path: str, host: str) -> tuple[int, str]:
    """The status and page of GET ``path`` with the Host header ``host``."""
    port = int(server.base.rsplit(":", 1)[1])
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    try:
        connection.request("GET", path, headers={"Host": host.format(port=port)})
        response = connection.getresponse()
        return response.status, response.read().decode("utf-8")
    finally:
        connection.close()


@pytest.mark.parametrize("host", ["evil.example:{port}", "evil.example", "127.0.0.1.evil.example:{port}", "[::1"])
def test_a_site_elsewhere_whose_name_leads_here_reads_nothing_of_the_preview(server, host):
    """DNS rebinding: a page of evil.example, its name pointed at 127.0.0.1
    once loaded, asks the preview for the draft as a page of its own."""
    for path in ("/notices/winter-draft/", "/", "/__sotong/events"):
        status, text = answer_for_host(server, path, host)
        assert status == 403 and DRAFT_TITLE not in text and PUBLISHED_TITLE not in text, (path, text[:300])
        assert "이 컴퓨터의 주소로만 열립니다" in text and f"{server.base}/" in text
    for own in ("127.0.0.1:{port}", "localhost:{port}", "[::1]:{port}", "192.168.0.17:{port}"):  # this computer's
        status, text = answer_for_host(server, "/notices/winter-draft/", own)
        assert status == 200 and DRAFT_TITLE in text, own


def test_the_terminal_names_the_drafts_address(server):
    line = server.lines[server.wait_for_line(r"/notices/winter-draft/")]
    assert server.base + "/notices/winter-draft/" in line


def test_the_draft_is_in_no_list_feed_or_newsletter_of_the_preview(server):
    for path in ("/", "/feeds/all.atom.xml", "/archives/", "/newsletter/", "/newsletter/2026-11-12/"):
        page = server.get(path)
        assert page.status == 200, path
        assert DRAFT_TITLE not in page.text and "winter-draft" not in page.text, path
    assert PUBLISHED_TITLE in server.get("/").text and PUBLISHED_TITLE in server.get("/newsletter/2026-11-12/").text


def test_no_file_of_the_previews_site_names_the_draft(project, server):
    site = project / ".cache" / "devserver" / "site"
    assert (site / "index.html").is_file()
    for root, _dirs, files in os.walk(site, followlinks=True):
        for name in files:
            data = (Path(root) / name).read_bytes()
            assert DRAFT_TITLE.encode() not in data and b"winter-draft" not in data, Path(root) / name


def test_a_draft_made_public_leaves_the_drafts_and_one_written_joins_them(project, server):
    notice = project / "content" / "notices" / "winter-draft.md"
    notice.write_text(notice.read_text(encoding="utf-8").replace("status: draft\n", ""), encoding="utf-8")
    server.wait_for("/", lambda page: DRAFT_TITLE in page.text)
    assert BANNER not in server.get("/notices/winter-draft/").text
    notice.write_text(notice.read_text(encoding="utf-8").replace("---\n본문", "status: draft\n---\n본문"), encoding="utf-8")
    server.wait_for("/notices/winter-draft/", lambda page: BANNER in page.text)
    assert DRAFT_TITLE not in server.get("/").text


def test_sotong_build_makes_the_same_site_with_or_without_the_draft(tmp_path):
    (tmp_path / "with").mkdir()
    (tmp_path / "without").mkdir()
    with_draft = copy_project(tmp_path / "with", notices=False)
    without = copy_project(tmp_path / "without", notices=False)
    add_notices(with_draft)
    add_notices(without, draft=False)
    for root in (with_draft, without):
        built = run_sotong(root, "build")
        assert built.code == 0, built.output
    assert not (with_draft / ".cache" / "devserver").exists()
    assert differing_files(with_draft / "output", without / "output") == []
