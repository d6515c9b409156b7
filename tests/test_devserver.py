"""`sotong devserver` as staff use it, over real HTTP: saves show up (also a
save made during a rebuild), audiences.yaml is watched, every mistake is shown
in the browser page with its FILE:LINE line until fixed, bad input leaves the
server answering and idle, and output/ is never touched."""

from __future__ import annotations

import html
import os
import re
import shutil
import time
from pathlib import Path

import pytest

from project_support import copy_project, run_sotong
from devserver_support import built_devserver, start_devserver, stop_devserver, write_notice

OVERLAY = 'id="sotong-devserver-problems"'
WARNINGS = 'id="sotong-devserver-warnings"'


@pytest.fixture(scope="module")
def project(tmp_path_factory) -> Path:
    """A small project (the sample without its notices, plus two) already built
    by `sotong build`, so that the tests can see output/ is left alone."""
    root = copy_project(tmp_path_factory.mktemp("devserver"), notices=False)
    write_notice(root, "first.md", "첫 공지")
    write_notice(root, "second.md", "둘째 공지")
    built = run_sotong(root, "build")
    assert built.code == 0, built.output
    return root


@pytest.fixture(scope="module")
def server(project):
    yield from built_devserver(project)


def shows(text: str):
    return lambda page: page.status == 200 and text in page.text and OVERLAY not in page.text


def test_a_save_shows_up(project, server):
    assert "첫 공지" in server.get("/notices/first/").text
    write_notice(project, "first.md", "첫 공지 (고침)")
    server.wait_for("/notices/first/", shows("첫 공지 (고침)"))
    server.wait_for("/", shows("첫 공지 (고침)"))


def test_two_saves_in_quick_succession_both_show_up(project, server):
    before = len(server.lines)
    write_notice(project, "second.md", "둘째 공지 한 번 고침")
    server.wait_for_line("^build started", after=before)
    write_notice(project, "second.md", "둘째 공지 두 번 고침")  # during the rebuild of the first save
    server.wait_for("/notices/second/", shows("둘째 공지 두 번 고침"))


def test_a_label_changed_in_audiences_yaml_shows_up(project, server):
    audiences = project / "audiences.yaml"
    audiences.write_text(audiences.read_text(encoding="utf-8").replace("culture: 문화공연", "culture: 문화·공연 한마당", 1),
                         encoding="utf-8")
    server.wait_for("/category/culture/", shows("문화·공연 한마당"))


def test_a_theme_change_shows_up(project, server):
    template = project / "themes" / "sotong" / "templates" / "base.html"
    template.write_text(template.read_text(encoding="utf-8").replace("고산자로 270", "고산자로 270 (미리보기)", 1),
                        encoding="utf-8")
    server.wait_for("/notices/first/", shows("고산자로 270 (미리보기)"))


@pytest.mark.parametrize("name", ["surveys/library-satisfaction.yaml", "banners/year-end-tax.yaml"])
def test_a_broken_survey_or_banner_is_shown_until_fixed(project, server, name):
    path = project / "content" / name
    good = path.read_text(encoding="utf-8")
    path.write_text(good.replace("title: ", 'title: "', 1), encoding="utf-8")  # a quote never closed
    try:
        server.wait_for("/", lambda page: OVERLAY in page.text and f"content/{name}:" in page.text)
    finally:
        path.write_text(good, encoding="utf-8")
    server.wait_for("/", shows("첫 공지"))


MISTAKES = {
    "unquoted colon": ("title: 성동구: 겨울철 대책\n", 2, 'put the value in double quotes: title: "성동구: 겨울철 대책"'),
    "unknown department": ("department: 문화체육팀\n", 4, 'unknown department "문화체육팀"; did you mean "문화체육과"?'),
    "tab": ("event:\n\tplace: 왕십리광장\n", 7, "indent with spaces instead"),
    "Korean date": ("date: 2026년 11월 5일\n", 3, "write it as YYYY-MM-DD"),
    "no image_alt": ("image: images/kimjang.svg\n", 6, "image_alt is required with image"),
    "unclosed bracket": ("audiences: [seniors, seongsu\n", 6, "a bracket ([ or {) opened in this value is never closed"),
}
GOOD = {"title": "title: 실수 연습\n", "date": "date: 2026-11-05\n", "department": "department: 문화체육과\n",
        "category": "category: culture\n"}


def notice_with(mistake: str) -> str:
    keys = dict(GOOD)
    key = mistake.split(":", 1)[0]
    if key in keys:
        keys[key] = mistake
    else:
        keys["extra"] = mistake
    return "---\n" + "".join(keys.values()) + "---\n본문\n"


@pytest.mark.parametrize("mistake", MISTAKES, ids=list(MISTAKES))
def test_a_mistake_is_shown_in_the_page_until_fixed(project, server, mistake):
    text, line, advice = MISTAKES[mistake]
    slug = f"practice-{list(MISTAKES).index(mistake)}"
    path = project / "content" / "notices" / f"{slug}.md"
    path.write_text(notice_with(text), encoding="utf-8")

    def problem_shown(page):
        return OVERLAY in page.text and f"content/notices/{slug}.md:{line}: " in html.unescape(page.text)

    page = server.wait_for("/notices/first/", problem_shown)
    assert advice in html.unescape(page.text)
    assert "첫 공지" in page.text  # the last good page, under the problems
    assert re.search(r'<section id="sotong-devserver-problems" lang="ko"', page.text)
    missing = server.wait_for(f"/notices/{slug}/", problem_shown)  # a new notice: the 404 page, with the problems
    assert missing.status == 404
    server.wait_for_line(rf"^  content/notices/{slug}\.md:{line}: ")
    path.write_text(notice_with(""), encoding="utf-8")
    server.wait_for(f"/notices/{slug}/", shows("실수 연습"))
    path.unlink()


def test_a_warning_is_said_in_the_terminal_and_on_the_page_still_built(project, server):
    """A notice still holding sotong new's example phone number: the preview
    said nothing of it; now the build's terminal lines carry check's warning
    before "build done", the page is built (no overlay: not a problem) and
    every page served carries the warning in a bar (staff who never look at
    the terminal see it too); fixed, the bar is gone."""
    from sotong.advice import EXAMPLE_PHONE

    before = len(server.lines)
    path = write_notice(project, "example.md", "예시 공지", body=f"문의: 복지정책과 {EXAMPLE_PHONE}")
    try:
        server.wait_for("/notices/example/", shows(EXAMPLE_PHONE))
        warned = server.wait_for_line(r"^  content/notices/example\.md:7: warning: this line is still the example",
                                      after=before)
        done = server.wait_for_line(r"^build done", after=warned)  # the build's warnings, sorted, then its end
        assert all(line.startswith("  ") for line in server.lines[warned:done]), server.terminal
        for address in ("/notices/example/", "/"):
            page = server.get(address)
            assert WARNINGS in page.text and OVERLAY not in page.text
            assert "content/notices/example.md:7: warning: this line is still the example" in html.unescape(page.text)
        path.write_text(path.read_text(encoding="utf-8").replace(EXAMPLE_PHONE, "02-2286-5114"), encoding="utf-8")
        server.wait_for("/notices/example/", lambda page: "02-2286-5114" in page.text and WARNINGS not in page.text)
    finally:
        path.unlink()


def test_a_broken_yaml_file_leaves_the_server_answering_and_idle(project, server):
    audiences = project / "audiences.yaml"
    good = audiences.read_text(encoding="utf-8")
    audiences.write_text(good.replace("fields:", "fields: [", 1), encoding="utf-8")
    try:
        server.wait_for("/", lambda page: OVERLAY in page.text and "audiences.yaml:" in page.text)
        server.wait_for_line("^build failed")
        time.sleep(0.5)
        used = server.cpu_seconds()
        started = time.monotonic()
        for _ in range(6):
            assert server.get("/").status == 200
            time.sleep(0.5)
        cpu_share = (server.cpu_seconds() - used) / (time.monotonic() - started)
        assert cpu_share < 0.1, f"the devserver used {cpu_share:.0%} of a CPU while idle"
        assert server.process.poll() is None
    finally:
        audiences.write_text(good, encoding="utf-8")
    server.wait_for("/", shows("첫 공지"))


def test_a_file_or_folder_unzipped_with_cp949_names_is_shown_and_saves_still_show_up(project, server):
    """Photos unzipped from a zip made on Windows keep CP949 names, which
    watchfiles cannot decode: the first change naming one ended the watch
    with a traceback in the terminal, and from then on no save showed up
    (a folder so named kept the watch from starting again). Now the check's
    line is shown until the file or folder is renamed, and saves show up after."""
    images = project / "content" / "images"
    for name, fixed in (("김장사진.svg", "kimjang-photo.svg"), ("겨울", "winter")):
        bad = images / os.fsdecode(name.encode("cp949"))
        if "." in name:
            bad.write_bytes((images / "kimjang.svg").read_bytes())
        else:
            bad.mkdir()
        try:
            page = server.wait_for("/notices/first/", lambda page: OVERLAY in page.text)
            assert f'rename it to "{name}"' in html.unescape(page.text)
        finally:
            bad.rename(images / fixed)
        server.wait_for("/notices/first/", lambda page: page.status == 200 and OVERLAY not in page.text)
        write_notice(project, "first.md", f"첫 공지 ({fixed})")
        server.wait_for("/notices/first/", shows(f"첫 공지 ({fixed})"))
    assert "Traceback" not in server.terminal


@pytest.mark.parametrize("folder", ["content", "themes/sotong"])
def test_a_folder_replaced_by_a_fresh_copy_is_still_watched(project, server, folder):
    """content/ or the theme replaced by a copy (renamed away, a backup copied
    in its place): the watch followed the folder it had, now gone, and no
    save to the copy showed up until the devserver was restarted."""
    watched = project / folder
    kept = watched.with_name(watched.name + "-before")
    watched.rename(kept)
    shutil.copytree(kept, watched)
    shutil.rmtree(kept)
    time.sleep(1.5)  # the copy in place, and unwatched for a moment
    if folder == "content":
        write_notice(project, "first.md", "첫 공지 (새로 복사한 content/)")
        server.wait_for("/notices/first/", shows("첫 공지 (새로 복사한 content/)"))
    else:
        template = watched / "templates" / "base.html"
        template.write_text(template.read_text(encoding="utf-8").replace("고산자로 270", "고산자로 270 (새 테마)", 1),
                            encoding="utf-8")
        server.wait_for("/notices/first/", shows("고산자로 270 (새 테마)"))


def test_a_second_devserver_in_the_project_names_the_first_and_stops(project, server):
    """Staff who ran the devserver again in another window (the first one's
    port taken, so with --port) had two servers building into one folder;
    now the second says where the first one is and exits."""
    second = run_sotong(project, "devserver", "--port", "0", timeout=60)
    assert second.code == 1 and "Traceback" not in second.stderr
    assert second.stderr.splitlines() == [
        f"a preview of this project is already running at {server.base}/; open that address, or stop it with Ctrl+C in its window first"]
    assert server.get("/").status == 200


def test_unknown_addresses_get_the_sites_404_page(server):
    page = server.get("/no/such/page/")
    assert page.status == 404
    assert "<h1" in page.text and "EventSource" in page.text


def test_only_served_pages_carry_the_reload_script(project, server):
    served = server.get("/")
    assert "EventSource" in served.text
    for folder in (project / "output", project / ".cache" / "devserver" / "site"):
        on_disk = (folder / "index.html").read_text(encoding="utf-8")
        assert "EventSource" not in on_disk and "__sotong" not in on_disk


def snapshot(project: Path) -> dict:
    """Every file (and link) of output/ and the build slots, with its stamp."""
    found = {}
    for entry in project.iterdir():
        if entry.name == "output" or entry.name.startswith(".output"):
            found[entry.name] = os.readlink(entry) if entry.is_symlink() else entry.stat().st_mtime_ns
            for root, _dirs, files in os.walk(entry):
                for name in files:
                    status = os.lstat(os.path.join(root, name))
                    found[os.path.join(root, name)] = (status.st_mtime_ns, status.st_size)
    return found


@pytest.fixture(scope="module", autouse=True)
def output_is_untouched(project):
    """Runs around every test of this file: the devserver never writes output/ or its slots."""
    before = snapshot(project)
    yield
    assert snapshot(project) == before


def test_the_devserver_starts_on_broken_input_and_shows_the_problems(empty_project_dir):
    write_notice(empty_project_dir, "broken.md", "성동구: 겨울")
    server = start_devserver(empty_project_dir)
    try:
        server.wait_for_line("^build failed")
        page = server.get("/")
        assert page.status == 503 and OVERLAY in page.text
        assert 'content/notices/broken.md:2: a value holds a colon' in page.text
        write_notice(empty_project_dir, "broken.md", '"성동구: 겨울"')
        server.wait_for("/notices/broken/", shows("성동구: 겨울"))
    finally:
        stop_devserver(server)
    assert "Traceback" not in server.terminal
    assert not (empty_project_dir / "output").exists()


def test_a_settings_change_restarts_the_devserver(empty_project_dir):
    write_notice(empty_project_dir, "one.md", "하나")
    server = start_devserver(empty_project_dir)
    try:
        server.wait_for("/", shows("성동구 소통"))
        with open(empty_project_dir / "pelicanconf.py", "a", encoding="utf-8") as settings:
            settings.write('SITENAME = "성동구 미리보기"\n')
        server.wait_for_line("starting again")
        server.wait_for("/", shows("성동구 미리보기"))
    finally:
        stop_devserver(server)
    assert "Traceback" not in server.terminal


def test_a_restart_lets_the_pages_being_sent_end_and_begins_no_other(tmp_path):
    """A settings change started the devserver again (exec) at once: a page
    being sent was cut off after its headers (the test above failed now and
    then with IncompleteRead; a browser kept a page without its end, so
    without the reload script, broken after the restart). Now the restart
    lets it be sent whole first, and answers no page asked for meanwhile
    (its connection ends with exec, unanswered: the browser asks again)."""
    import socket
    import threading

    from sotong.devserver.rebuild import Rebuilder
    from sotong.devserver.server import PreviewServer

    (tmp_path / "site").mkdir()
    size = 32_000_000  # more than the sockets' buffers hold: sent only as the browser reads
    (tmp_path / "site" / "big.bin").write_bytes(b"x" * size)
    server = PreviewServer(("127.0.0.1", 0), tmp_path / "site", Rebuilder(dict, print), token="t")
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        reading = socket.create_connection(server.server_address)
        reading.sendall(b"GET /big.bin HTTP/1.0\r\nHost: 127.0.0.1\r\n\r\n")
        received = reading.recv(65536)  # the answer has begun
        finishing = threading.Thread(target=server.finish_answers, args=(300,))
        finishing.start()
        finishing.join(0.5)
        assert finishing.is_alive(), "the restart did not wait for the page being sent"
        asking = socket.create_connection(server.server_address, timeout=0.5)
        asking.sendall(b"GET /big.bin HTTP/1.0\r\nHost: 127.0.0.1\r\n\r\n")
        with pytest.raises(TimeoutError):
            asking.recv(1)  # not begun: it would be cut off
        while chunk := reading.recv(1 << 20):
            received += chunk
        finishing.join(300)
        assert not finishing.is_alive() and received.endswith(b"\r\n\r\n" + b"x" * size)
        asking.close()
        reading.close()
    finally:
        server.shutdown()
        server.server_close()


def test_a_restart_asked_for_as_a_build_begins_is_not_lost():
    """Settings saved just as a build began (after the rebuilder looked for a
    restart, before it cleared the request) were never read: the restart's
    request was cleared with the build's, and no restart came after it."""
    import threading

    from sotong.devserver.rebuild import Rebuilder

    rebuilder = Rebuilder(lambda: {"files": 0, "warnings": (), "drafts": ()}, print)
    restarted, stop = threading.Event(), threading.Event()

    class SavedAsTheBuildBegins(threading.Event):
        def clear(self):
            if not restarted.is_set() and rebuilder._restart is None:
                rebuilder.request_restart(restarted.set)
            super().clear()

    rebuilder._wanted = SavedAsTheBuildBegins()
    thread = threading.Thread(target=rebuilder.run, args=(stop,), daemon=True)
    thread.start()
    rebuilder.request()
    try:
        assert restarted.wait(60), "the restart was lost"
    finally:
        stop.set()
        rebuilder.request()
        thread.join(60)


BROKEN_PLUGIN = '''"""A plugin with a bug: its check divides by zero."""
from sotong import signals


def check(project):
    return [1 / 0]


def register():
    signals.content_check.connect(check)
'''


def test_a_plugins_crash_is_said_in_the_staffs_language_and_the_server_stays_up(empty_project_dir, monkeypatch):
    """A plugin that raises in its check (a bug, not a staff mistake): the
    page and the terminal said it in English ("build failed: ..."); now in
    Korean like every other line, and the server keeps answering."""
    (empty_project_dir / "local_plugins").mkdir()
    (empty_project_dir / "local_plugins" / "broken_check.py").write_text(BROKEN_PLUGIN, encoding="utf-8")
    with open(empty_project_dir / "pelicanconf.py", "a", encoding="utf-8") as settings:
        settings.write('PLUGIN_PATHS = PLUGIN_PATHS + ["local_plugins"]\nPLUGINS = PLUGINS + ["broken_check"]\n')
    write_notice(empty_project_dir, "one.md", "하나")
    monkeypatch.setenv("SOTONG_LANG", "ko")
    server = start_devserver(empty_project_dir)
    try:
        server.wait_for_line("^빌드 실패")
        page = server.get("/")
        assert page.status == 503 and ("local_plugins/broken_check.py:6: 플러그인 broken_check 코드의 이 줄에서 오류가 나 "
                                       "빌드를 멈췄고 output/은 그대로 두었습니다 (ZeroDivisionError: division by zero)"
                                       in html.unescape(page.text))
    finally:
        stop_devserver(server)
    assert "Traceback" not in server.terminal and "build failed" not in server.terminal
