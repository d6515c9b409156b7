"""`sotong devserver` in Chromium: an open page reloads by itself when a
rebuild ends, and a mistake is laid over it (in Korean chrome) until fixed."""

from __future__ import annotations

from devserver_support import start_devserver, stop_devserver, write_notice


def heading_is(text: str) -> str:
    return f"document.querySelector('h1') && document.querySelector('h1').textContent.includes({text!r})"


def test_an_open_page_reloads_by_itself_after_a_save(browser, empty_project_dir):
    write_notice(empty_project_dir, "live.md", "처음 제목")
    server = start_devserver(empty_project_dir)
    context = browser.new_context(locale="ko-KR")
    try:
        server.wait_for("/notices/live/", lambda page: page.status == 200 and "처음 제목" in page.text)
        tab = context.new_page()
        tab.goto(server.base + "/notices/live/", wait_until="load")
        tab.evaluate("window.loadedBeforeTheSave = true")

        write_notice(empty_project_dir, "live.md", "바뀐 제목")
        tab.wait_for_function(heading_is("바뀐 제목"), timeout=180_000)
        assert tab.evaluate("window.loadedBeforeTheSave === undefined"), "the page changed without loading again"

        write_notice(empty_project_dir, "live.md", "성동구: 겨울")  # an unquoted colon
        problems = tab.locator("#sotong-devserver-problems")
        problems.wait_for(state="visible", timeout=180_000)
        assert problems.get_attribute("lang") == "ko"
        assert "content/notices/live.md:2: a value holds a colon" in problems.inner_text()

        write_notice(empty_project_dir, "live.md", '"성동구: 겨울"')
        tab.wait_for_function(heading_is("성동구: 겨울"), timeout=180_000)
        assert tab.locator("#sotong-devserver-problems").count() == 0
    finally:
        context.close()
        stop_devserver(server)


def test_more_open_pages_than_a_browser_keeps_connections_all_load_and_reload(browser, empty_project_dir):
    """A browser keeps at most six connections open to one server: with the
    reload waiting on a connection of its own in every page, the seventh page
    staff opened never loaded (its tab kept spinning). Eight pages load, and
    all of them reload after a save."""
    names = [f"tab{number}.md" for number in range(8)]
    for name in names:
        write_notice(empty_project_dir, name, f"{name} 처음")
    server = start_devserver(empty_project_dir)
    context = browser.new_context(locale="ko-KR")
    try:
        server.wait_for("/notices/tab7/", lambda page: page.status == 200 and "tab7.md 처음" in page.text)
        tabs = []
        for name in names:
            tab = context.new_page()
            tab.goto(f"{server.base}/notices/{name[:-3]}/", wait_until="load", timeout=15_000)
            tabs.append(tab)
        for name in names:
            write_notice(empty_project_dir, name, f"{name} 고침")
        for name, tab in zip(names, tabs):
            tab.wait_for_function(heading_is(f"{name} 고침"), timeout=60_000)
    finally:
        context.close()
        stop_devserver(server)


def test_a_browser_without_shared_workers_reloads_through_a_connection_of_its_own(browser, empty_project_dir):
    """Chrome on Android and older Safari have no SharedWorker: the page connects itself, as before."""
    write_notice(empty_project_dir, "alone.md", "처음 제목")
    server = start_devserver(empty_project_dir)
    context = browser.new_context(locale="ko-KR")
    context.add_init_script("delete window.SharedWorker")
    try:
        server.wait_for("/notices/alone/", lambda page: page.status == 200 and "처음 제목" in page.text)
        tab = context.new_page()
        tab.goto(server.base + "/notices/alone/", wait_until="load")
        assert tab.evaluate("window.SharedWorker === undefined")
        write_notice(empty_project_dir, "alone.md", "바뀐 제목")
        tab.wait_for_function(heading_is("바뀐 제목"), timeout=180_000)
    finally:
        context.close()
        stop_devserver(server)
