"""What the devserver adds to the HTML pages it serves (and only to those:
the built files are left as they are): the script that reloads the page when
a build ends, the problems of a failed build laid over the page, and the
check's warnings of a good build in a bar at the bottom of the window (the page
stays readable under it; the list opens without JavaScript), and a note at
the top of a draft's page saying it goes out nowhere. Also its own pages for
when no site has been built yet.

The chrome is Korean (``lang="ko"``); the problem lines are the check's own.
"""

from __future__ import annotations

from html import escape

from .rebuild import Outcome

EVENTS_PATH = "/__sotong/events"
WORKER_PATH = "/__sotong/reload.js"

# The page knows which build it was served from; the server names the latest
# one as soon as the events connect and after every build, so a build that
# ends while the page loads is not missed either. The events come through one
# worker shared by every open page: a browser keeps at most six connections
# open to one server, so six pages each holding its own would leave the
# seventh loading forever. A browser without shared workers connects itself.
_RELOAD_SCRIPT = """<script>/* sotong devserver only: not in the built site */
(function () {
  var served = "%(build)s";
  if (window.SharedWorker) {
    var worker = new SharedWorker("%(worker)s");
    worker.port.onmessage = function (event) { if (event.data !== served) { location.reload(); } };
    addEventListener("pagehide", function () { worker.port.postMessage("closed"); });
    return;
  }
  var events = new EventSource("%(events)s");
  events.addEventListener("build", function (event) {
    if (event.data !== served) { events.close(); location.reload(); }
  });
})();
</script>"""

# The shared worker: one connection to the events, each build's name passed
# on to every page that is open (a page says when it closes).
WORKER_SCRIPT = ("""/* sotong devserver only: one connection for all the open pages */
var pages = [], latest = null;
new EventSource("%(events)s").addEventListener("build", function (event) {
  latest = event.data;
  pages.forEach(function (port) { port.postMessage(latest); });
});
onconnect = function (event) {
  var port = event.ports[0];
  pages.push(port);
  port.onmessage = function () { pages = pages.filter(function (open) { return open !== port; }); };
  if (latest !== null) { port.postMessage(latest); }
};
""" % {"events": EVENTS_PATH}).encode()


def reload_script(build: str) -> str:
    return _RELOAD_SCRIPT % {"build": escape(build), "events": EVENTS_PATH, "worker": WORKER_PATH}


_OVERLAY_STYLE = ("position:fixed;inset:0;z-index:2147483647;overflow:auto;margin:0;padding:1.5rem;"
                  "background:#1d1d1d;color:#fff;font:18px/1.6 sans-serif;text-align:left")


def overlay(outcome: Outcome, site_served: bool) -> str:
    """The problems of a failed build, over the whole window."""
    count = len(outcome.problems)
    meanwhile = ("그동안 아래에는 마지막으로 만든 누리집을 보여 드립니다." if site_served
                 else "아직 만든 누리집이 없습니다.")
    items = _code_items(outcome.problems, "color:#ffd7d7")
    return (f'<section id="sotong-devserver-problems" lang="ko" role="alert" style="{_OVERLAY_STYLE}">'
            f'<h1 style="font-size:1.5rem;margin:0 0 .5rem;color:#fff">누리집을 만들지 못했습니다: 문제 {count}건</h1>'
            f"<p>파일 이름 뒤의 숫자는 줄 번호입니다. 그 줄을 고쳐 저장하면 이 안내는 저절로 사라집니다. {meanwhile}</p>"
            f'<ol style="padding-left:1.5rem">{items}</ol></section>')


def _code_items(lines, colour: str = "") -> str:
    """Each problem or warning line as a list item, its text as text."""
    style = "font:inherit;white-space:pre-wrap" + (f";{colour}" if colour else "")
    return "\n".join(f'<li style="margin:.5rem 0"><code style="{style}">{escape(str(line), quote=False)}</code></li>'
                     for line in lines)


_WARNINGS_STYLE = ("position:sticky;bottom:0;z-index:2147483647;margin:0;padding:.5rem 1rem;"
                   "background:#fff3c4;color:#1d1d1d;border-top:3px solid #8a5a00;"
                   "font:18px/1.6 sans-serif;text-align:left;max-height:50vh;overflow:auto")


def warnings_bar(outcome: Outcome) -> str:
    """The check's warnings of a good build: a bar that stays at the bottom
    of the window while the page scrolls under it, its list one tap away."""
    count = len(outcome.warnings)
    items = _code_items(outcome.warnings)
    return (f'<aside id="sotong-devserver-warnings" lang="ko" role="status" style="{_WARNINGS_STYLE}">'
            f'<details><summary style="cursor:pointer;min-height:44px;font-weight:bold">'
            f"확인할 점 {count}건: 누리집은 만들었습니다. 눌러서 보기</summary>"
            f"<p>파일 이름 뒤의 숫자는 줄 번호입니다. 고쳐 저장하면 이 안내는 저절로 사라집니다.</p>"
            f'<ol style="padding-left:1.5rem">{items}</ol></details></aside>')


_DRAFT_STYLE = ("margin:0;padding:1rem 1.5rem;background:#fff3c4;color:#1d1d1d;border-bottom:4px solid #8a5a00;"
                "font:20px/1.6 sans-serif;text-align:left")

DRAFT_NOTE = (f'<div id="sotong-devserver-draft" lang="ko" role="note" style="{_DRAFT_STYLE}">'
                "<strong>초안입니다 (status: draft)</strong>: 누리집, 소식지, 메일, 문자 어디에도 실리지 않습니다. "
                "이 페이지는 미리 보기에서만 보입니다. 게시하려면 status: draft 줄을 지우세요.</div>").encode()


def mark_draft(page: bytes) -> bytes:
    """A draft's page with :data:`DRAFT_NOTE` first in its body."""
    body = page.lower().find(b"<body")
    start = page.find(b">", body) + 1 if body >= 0 else 0
    return page[:start] + DRAFT_NOTE + page[start:]


def inject(page: bytes, build: str, outcome: Outcome | None, site_served: bool = True) -> bytes:
    """``page`` with the reload script (and the problems, if the last build
    failed, or its warnings, if it had any) just before ``</body>``."""
    added = reload_script(build)
    if outcome is not None and outcome.failed:
        added = overlay(outcome, site_served) + added
    elif outcome is not None and outcome.warnings:
        added = warnings_bar(outcome) + added
    end = page.lower().rfind(b"</body>")
    if end < 0:
        return page + added.encode()
    return page[:end] + added.encode() + page[end:]


def standalone(title: str, text: str) -> bytes:
    """A page of the devserver's own (no site yet, no 404.html in the site)."""
    return (f'<!doctype html>\n<html lang="ko"><head><meta charset="utf-8">'
            f'<meta name="viewport" content="width=device-width, initial-scale=1">'
            f"<title>{escape(title)}</title></head>"
            f'<body style="font:18px/1.6 sans-serif;margin:1.5rem"><main><h1>{escape(title)}</h1>'
            f"<p>{escape(text)}</p></main></body></html>").encode()


BUILDING = ("미리 보기: 누리집을 만드는 중", "첫 빌드가 끝나면 이 페이지가 저절로 새로 고쳐집니다.")
NOT_BUILT = ("미리 보기: 누리집 없음", "누리집을 만들지 못했습니다.")
OTHER_HOST = ("미리 보기: 이 주소로는 열 수 없습니다",
              "미리 보기는 이 컴퓨터의 주소로만 열립니다. 다른 곳의 웹 페이지가 미리 보기(초안 포함)를 읽지 못하게 하려는 것입니다. "
              "{address} 로 열어 주세요. 다른 기기에서 볼 때는 이 컴퓨터의 IP 주소로 여세요.")
NOT_FOUND = ("페이지를 찾을 수 없습니다", "주소를 확인해 주세요. 누리집에 404.html이 없어 미리 보기 서버의 안내를 보여 드립니다.")
