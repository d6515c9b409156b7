"""Short links texted to residents never break: the sample's issue of 11-26
is bundled (its texts carry the cold-wave warning's short link), then its
outbox purged by retention, the notice made a draft, its slug or file
renamed: the link still leads to the notice, or to a page that says it is
no longer posted, never to a 404. Codes never texted get no page."""

from __future__ import annotations

import datetime as dt
import json
import os
import re
import shutil
from pathlib import Path

import lxml.html

from delivery_support import run_cli
from project_support import copy_project
from sotong.code_ledger import LEDGER_FILE
from sotong.links import SENT_CODES_FILE, former_codes, short_codes, sms_link_notices
from sotong.project import Project
from test_clicks import ISSUE, bundled
from test_links import write_late_notice

TEXTED = "2026-11-21-cold-wave-warning"
TITLE = "한파주의보 발령 — 수도 계량기 동파와 빙판길에 주의하세요"


def texted(tmp_path: Path) -> tuple[Path, str]:
    """The sample bundled for 11-26 and built: the project and the texted notice's code."""
    outbox = bundled(tmp_path, counting=False)
    code = json.loads((outbox / SENT_CODES_FILE).read_text(encoding="utf-8"))[TEXTED]
    build(tmp_path)
    assert TEXTED in redirect(tmp_path, code)
    return tmp_path, code


def build(project: Path) -> Path:
    ran = run_cli(project / "pelicanconf.py", "build")
    assert ran.code == 0, ran.output
    return project / "output"


def short_link_page(project: Path, code: str) -> str:
    return (project / "output" / "n" / code / "index.html").read_text(encoding="utf-8")


def redirect(project: Path, code: str) -> str | None:
    """Where the page of ``code`` sends its reader, None when it sends nowhere."""
    found = re.search(r'http-equiv="refresh" content="0; url=([^"]+)"', short_link_page(project, code))
    return found and found.group(1)


def edit_notice(project: Path, slug: str, old: str, new: str) -> Path:
    path = project / "content" / "notices" / f"{slug}.md"
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new, 1), encoding="utf-8")
    return path


def purge_outbox(project: Path) -> None:
    """The outbox of 11-26 made two years ago and never sent: `sotong send purge` destroys it."""
    manifest = project / "private" / "outbox" / ISSUE / "manifest.jsonl"
    then = dt.datetime(2024, 11, 1).timestamp()
    os.utime(manifest, (then, then))
    ran = run_cli(project / "pelicanconf.py", "send", "purge")
    assert ran.code == 0, ran.output
    assert not (project / "private" / "outbox" / ISSUE).exists()


def test_a_purge_and_a_notice_dated_before_move_no_texted_code(tmp_path):
    project, code = texted(tmp_path)
    purge_outbox(project)
    slug = write_late_notice(project, TEXTED, code)  # a notice the rule alone would give that code
    build(project)
    assert redirect(project, code).endswith(f"/notices/{TEXTED}/")
    late = [target for target in (redirect(project, page.parent.name) for page in (project / "output" / "n").glob("*/index.html"))
            if target and target.endswith(f"/notices/{slug}/")]
    assert late, "the late notice has a code of its own"
    ledger = json.loads((project / "private" / LEDGER_FILE).read_text(encoding="utf-8"))
    assert ledger[code]["slug"] == TEXTED and ledger[code]["title"] == TITLE and ledger[code]["day"] == ISSUE
    assert ledger[code]["source"] == f"notices/{TEXTED}.md"


def test_a_texted_notice_made_a_draft_leaves_a_page_that_says_it_is_gone(tmp_path):
    project, code = texted(tmp_path)
    edit_notice(project, TEXTED, "expires: 2026-11-26", "expires: 2026-11-26\nstatus: draft")
    build(project)
    # its page, emailed too, says so as well (tests/test_sent_addresses.py)
    assert "더 이상 게시되지 않습니다" in (project / "output" / "notices" / TEXTED / "index.html").read_text(encoding="utf-8")
    page = lxml.html.fromstring(short_link_page(project, code))
    assert redirect(project, code) is None and not page.xpath("//script")
    assert page.xpath("//meta[@name='robots']/@content") == ["noindex"]
    assert "더 이상 게시되지 않습니다" in page.xpath("//h1")[0].text_content()
    assert TITLE in page.xpath("//main")[0].text_content()
    links = page.xpath("//main//a/@href")
    assert "https://www.sd.go.kr/sotong/" in links and "tel:02-2286-5114" in links
    # the ledger is an input of the build: a title changed there shows on the next build, its other pages kept
    ledger_file = project / "private" / LEDGER_FILE
    ledger = json.loads(ledger_file.read_text(encoding="utf-8"))
    ledger[code]["title"] = "고친 제목"
    ledger_file.write_text(json.dumps(ledger, ensure_ascii=False), encoding="utf-8")
    build(project)
    assert "고친 제목" in short_link_page(project, code) and TITLE not in short_link_page(project, code)


def test_a_texted_notice_made_private_since_leaves_a_page_without_its_title(tmp_path):
    project, code = texted(tmp_path)
    edit_notice(project, TEXTED, "channels: [homepage, sms, twitter, facebook]\n",
                "channels: [email]\nvisibility: private\naudiences: [budget-committee]\n")
    build(project)
    shown = short_link_page(project, code)
    assert redirect(project, code) is None and "더 이상 게시되지 않습니다" in shown
    assert TITLE not in shown and "한파" not in shown  # a private notice's title is not for the site


def test_a_texted_notice_renamed_leads_from_its_code_to_its_new_page(tmp_path):
    project, code = texted(tmp_path)
    edit_notice(project, TEXTED, "expires: 2026-11-26", "expires: 2026-11-26\nslug: cold-wave-2026")
    build(project)
    assert redirect(project, code) == "https://www.sd.go.kr/sotong/notices/cold-wave-2026/"
    path = project / "content" / "notices" / f"{TEXTED}.md"
    path.rename(path.with_name("2026-11-21-hanpa.md"))  # the file renamed: found by its title
    edit_notice(project, "2026-11-21-hanpa", "slug: cold-wave-2026\n", "")
    build(project)
    assert redirect(project, code) == "https://www.sd.go.kr/sotong/notices/2026-11-21-hanpa/"
    assert TITLE in short_link_page(project, code)


def test_codes_never_texted_get_no_page_and_a_texted_one_is_never_given_to_another(tmp_path):
    project, code = texted(tmp_path)
    edit_notice(project, TEXTED, "expires: 2026-11-26", "expires: 2026-11-26\nstatus: draft")
    output = build(project)
    notices = Project(project / "pelicanconf.py").notices
    codes = short_codes(sms_link_notices(notices), held={code})
    assert code not in codes.values()  # held: no other notice takes it, though its own is a draft
    made = {page.parent.name for page in (output / "n").glob("*/index.html")}
    assert made == {*codes.values(), *former_codes(codes).values(), code}
    assert not (output / "n" / "zzzz").exists()


def test_the_ledger_stays_private_and_a_hostile_title_is_escaped(tmp_path):
    project, code = texted(tmp_path)
    hostile = '<script>alert(1)</script><img src=x onerror=alert(2)>'
    edit_notice(project, TEXTED, f'title: "{TITLE}"', f"title: '{hostile}'")
    assert run_cli(project / "pelicanconf.py", "bundles", "--issue", ISSUE).code == 0
    assert json.loads((project / "private" / LEDGER_FILE).read_text(encoding="utf-8"))[code]["title"] == hostile
    edit_notice(project, TEXTED, "expires: 2026-11-26", "expires: 2026-11-26\nstatus: draft")
    output = build(project)
    page = short_link_page(project, code)
    assert "<script>" not in page and "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert not lxml.html.fromstring(page).xpath("//script | //img")
    slots = [path for path in project.glob(".output-*") if path.is_dir()]
    assert output.resolve() in slots and not [found for slot in slots for found in slot.rglob(LEDGER_FILE)]
    assert not any(code in path.read_text(encoding="utf-8", errors="replace") and '"slug"' in path.read_text(
        encoding="utf-8", errors="replace") for path in output.rglob("*.json"))


def test_a_ledger_mangled_by_hand_stops_the_build_with_one_line(tmp_path):
    copy_project(tmp_path)
    (tmp_path / "private").mkdir(exist_ok=True)
    (tmp_path / "private" / LEDGER_FILE).write_text("{not json", encoding="utf-8")
    ran = run_cli(tmp_path / "pelicanconf.py", "build")
    assert ran.code != 0 and "Traceback" not in ran.output
    assert LEDGER_FILE in ran.output and len(ran.output.strip().splitlines()) == 1
    # named as the staff guide quotes it, from the project folder (not /tmp/.../private/...)
    assert ran.output.startswith(f"private/{LEDGER_FILE}:1: "), ran.output


def test_bundles_takes_in_the_codes_of_outboxes_bundled_before_the_ledger(tmp_path):
    project, code = texted(tmp_path)
    ledger_file = project / "private" / LEDGER_FILE
    ledger_file.unlink()  # as a project bundled before the ledger was kept: its codes only in the outboxes
    older = project / "private" / "outbox" / "2026-11-12"
    older.mkdir()
    (older / SENT_CODES_FILE).write_text(json.dumps({"2026-11-10-gone-notice": "q9"}), encoding="utf-8")
    assert run_cli(project / "pelicanconf.py", "bundles", "--issue", ISSUE).code == 0
    ledger = json.loads(ledger_file.read_text(encoding="utf-8"))
    assert ledger["q9"] == {"slug": "2026-11-10-gone-notice", "source": "", "title": "", "day": ""}
    assert ledger[code]["slug"] == TEXTED and ledger[code]["day"] == ISSUE
    shutil.rmtree(project / "private" / "outbox")  # every outbox gone
    build(project)
    assert redirect(project, code).endswith(f"/notices/{TEXTED}/") and redirect(project, "q9") is None
