"""Private notices (SPEC §16): ``check`` refuses one without audiences or with
a channel beyond email; the built site holds nothing of the sample's private
notice (every file under output/ searched); the issue's emails hold its whole
text, with no link to the site (the text part in plain words, no Markdown
marks), for exactly its audience (the committee's
members, read from sample/subscribers.csv by brute force)."""

from __future__ import annotations

import base64
import csv
import email
import email.policy
import json
import os
import re
from pathlib import Path
from urllib.parse import quote

import pytest

from project_support import REPO, copy_project, png, run_sotong

SECRET = {"SOTONG_SECRET": "private-notices-test-secret-of-32-or-more"}
SLUG = "2026-12-09-budget-committee-review"
ISSUE = "2026-12-10"
TITLE = "[위원 전용] 2027년 주민참여예산 후보사업 심사 자료"
BODY_PHRASES = ("심사 전 검토용으로", "적정 17건, 사업비 조정 필요 5건")
NOTICE = REPO / "content" / "notices" / f"{SLUG}.md"
IMAGE = REPO / "content" / "images" / "budget-committee-review.png"
IMAGE_ALT = "후보사업 24건 검토 결과: 적정 17건, 조정 필요 5건, 중복 2건"
ATTACHMENT = REPO / "content" / "files" / "2027-후보사업-검토의견.pdf"


@pytest.fixture(scope="module")
def project(tmp_path_factory):
    project = copy_project(tmp_path_factory.mktemp("private"))
    import_sample(project)
    return project


def test_the_built_site_holds_nothing_of_a_private_notice(project):
    result = run_sotong(project, "build", env=SECRET)
    assert result.code == 0, result.output
    output = (project / "output").resolve()
    files = [p for p in output.rglob("*") if p.is_file()]
    assert len(files) > 50 and any(p.name == "index.html" for p in files)
    picture = IMAGE.read_bytes()
    assert f"image: images/{IMAGE.name}" in NOTICE.read_text(encoding="utf-8")
    for path in files:
        data = path.read_bytes()
        assert path.name != IMAGE.name and data != picture, f"{path.relative_to(output)} is the private notice's image"
        text = data.decode("utf-8", errors="replace")
        for secret in (TITLE, "후보사업 심사 자료", SLUG, *BODY_PHRASES, IMAGE.name, IMAGE_ALT):
            assert secret not in text, f"{path.relative_to(output)} holds {secret!r}"
    assert (output / "images" / "kimjang.svg").is_file()  # the public notices' images are still there


def test_a_private_notices_image_shown_in_a_public_notices_text_is_on_the_site(tmp_path):
    """A public notice showing the same picture in its text (the committee's
    chart, later published) passed check, and its page showed a broken
    picture: the build left the file out as the private notice's."""
    project = copy_project(tmp_path)
    festival = project / "content" / "notices" / "2026-11-16-winter-festival.md"
    festival.write_text(festival.read_text(encoding="utf-8") + f"\n![검토 결과]({{static}}/images/{IMAGE.name})\n",
                        encoding="utf-8")
    result = run_sotong(project, "build", env=SECRET)
    assert result.code == 0, result.output
    page = (project / "output" / "notices" / "2026-11-16-winter-festival" / "index.html").read_text(encoding="utf-8")
    assert f'src="/images/{IMAGE.name}"' in page
    assert (project / "output" / "images" / IMAGE.name).read_bytes() == IMAGE.read_bytes()


DRAFT = """\
---
title: "2027년 예산안 초안 설명회"
date: 2026-11-20
department: 기획예산과
category: living
status: draft
image: images/draft-poster.png
image_alt: 설명회 포스터
---
[예산안 초안]({static}/files/budget-draft.pdf) ![일정]({static}/images/draft-schedule.png)
"""


def test_a_drafts_files_are_not_on_the_site_and_a_banner_keeps_a_private_notices_picture(tmp_path):
    """Pelican copies every file a text links with {static} or {attach},
    a draft's too: a draft's attachment (the budget draft's PDF) was on the
    site before the notice, for anyone who knew its address. A banner shown
    on the site with the private notice's picture showed a broken one."""
    project = copy_project(tmp_path)
    content = project / "content"
    (content / "files").mkdir(exist_ok=True)
    (content / "files" / "budget-draft.pdf").write_bytes(b"%PDF-1.4 draft")
    for name in ("draft-poster.png", "draft-schedule.png"):
        (content / "images" / name).write_bytes(png(8, 8))
    (content / "notices" / "2026-11-20-budget-draft.md").write_text(DRAFT, encoding="utf-8")
    banner = content / "banners" / "gov24-certificates.yaml"
    banner.write_text(banner.read_text(encoding="utf-8").replace("images/gov24.svg", f"images/{IMAGE.name}"),
                      encoding="utf-8")
    result = run_sotong(project, "build", env=SECRET)
    assert result.code == 0, result.output
    output = project / "output"
    assert not (output / "files").exists() and (output / "images" / "kimjang.svg").is_file()
    assert not (output / "images" / "draft-poster.png").exists() and not (output / "images" / "draft-schedule.png").exists()
    assert f'src="/images/{IMAGE.name}"' in (output / "index.html").read_text(encoding="utf-8")
    assert (output / "images" / IMAGE.name).read_bytes() == IMAGE.read_bytes()


def manifest_of(outbox) -> list[dict]:
    """The lines of an outbox's manifest.jsonl."""
    return [json.loads(line) for line in (outbox / "manifest.jsonl").read_text(encoding="utf-8").splitlines()]


def import_sample(project) -> None:
    """The sample's subscribers imported into ``project``'s store."""
    imported = run_sotong(project, "subscribers", "import", str(REPO / "sample" / "subscribers.csv"), env=SECRET)
    assert imported.code == 0, imported.output


def sample_rows() -> list[dict]:
    """The sample's subscribers file, as rows."""
    with open(REPO / "sample" / "subscribers.csv", encoding="utf-8-sig", newline="") as sample:
        return list(csv.DictReader(sample))


def import_rows(project, name: str, rows: list[dict]) -> None:
    """``rows`` written as ``project/name`` and imported into its store."""
    people = project / name
    with open(people, "w", encoding="utf-8", newline="") as file:
        writer = csv.DictWriter(file, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)
    imported = run_sotong(project, "subscribers", "import", str(people), env=SECRET)
    assert imported.code == 0, imported.output


def committee_readers() -> set[str]:
    """SPEC §16 and §6 by hand over the sample file: subscribed, email chosen
    with an address, a member of committee-budget (key or label)."""
    rows = sample_rows()
    readers = set()
    for row in rows:
        groups = {g.strip() for g in row["groups"].split(";")}
        member = bool(groups & {"committee-budget", "주민참여예산위원회"})
        if member and not row["unsubscribed_at"] and "email" in row["channels"].split(";") and row["email"]:
            readers.add(row["id"])
    return readers


def test_a_private_notice_is_in_exactly_its_readers_emails_in_full(project):
    result = run_sotong(project, "bundles", "--issue", ISSUE, env=SECRET)
    assert result.code == 0, result.output
    outbox = project / "private" / "outbox" / ISSUE
    manifest = manifest_of(outbox)
    holding = set()
    for entry in manifest:
        if entry["channel"] == "sms":
            assert SLUG not in entry["notices"]
            continue
        message = email.message_from_bytes((outbox / entry["file"]).read_bytes(), policy=email.policy.default)
        text = message.get_body(("plain",)).get_content()
        html = message.get_body(("html",)).get_content()
        has_it = SLUG in entry["notices"]
        for part in (text, html):
            assert all((phrase in part) == has_it for phrase in BODY_PHRASES), entry["id"]
            assert SLUG not in part  # no link to a page that does not exist
        if has_it:
            holding.add(entry["id"])
            assert_the_image_is_inside(message, html)
            assert_the_text_part_has_no_markup(text)
            assert "<h2>심사 안내" not in html and re.search(r"<h4[^>]*>심사 안내</h4>", html)  # under the notice's h3
            assert_headings_skip_no_level(html)
    expected = committee_readers()
    assert len(expected) >= 3
    assert holding == expected


def assert_the_image_is_inside(message, html):
    """The picture travels in the message (multipart/related, ``cid:``), not as a link to the site."""
    assert message.get_content_type() == "multipart/mixed"  # the related part first, then the attached PDF
    assert message.get_body(("related",)).get_content_type() == "multipart/related"
    assert [part.get_filename() for part in message.iter_attachments()] == [ATTACHMENT.name]
    assert next(message.iter_attachments()).get_content() == ATTACHMENT.read_bytes()
    pictures = [part for part in message.walk() if part.get_content_type() == "image/png"]
    assert len(pictures) == 1 and pictures[0].get_content() == IMAGE.read_bytes()
    content_id = pictures[0]["Content-ID"].strip("<>")
    assert f'src="cid:{content_id}"' in html and f'alt="{IMAGE_ALT}"' in html
    assert IMAGE.name not in html


def assert_the_text_part_has_no_markup(text):
    """The text part reads as the HTML does: no Markdown marks, and the picture said in words."""
    block = text.split(f"■ {TITLE}")[1].split("■ ")[0]
    assert "[여론조사 · 공개하지 않는 자료]" in block and f"[그림: {IMAGE_ALT}]" in block
    assert "\n심사 안내\n" in block and "#" not in block and "- 일시: 2026. 12. 15.(화) 14:00" in block


def test_staff_preview_a_committee_members_email_with_a_persona(project):
    """A persona had no groups: staff could not see the committee's papers
    as a member gets them before the issue went out (--persona "groups=..."
    was an unknown key), only by a real member's id."""
    result = run_sotong(project, "preview", "--persona", "groups=committee-budget channels=email", "--issue", ISSUE,
                        env=SECRET)
    assert result.code == 0, result.output
    eml = (project / "private" / "preview" / f"persona-{ISSUE}.eml").read_bytes()
    message = email.message_from_bytes(eml, policy=email.policy.default)
    text = message.get_body(("plain",)).get_content()
    assert TITLE in text and all(phrase in text for phrase in BODY_PHRASES)
    # the page to open in a browser shows the picture the email carries: its cid: address, which only a mail
    # client reads, showed staff a broken picture where members see the committee's chart
    html = (project / "private" / "preview" / f"persona-{ISSUE}.html").read_text(encoding="utf-8")
    assert "cid:" not in html
    shown = re.search(rf'<img[^>]*src="data:image/png;base64,([^"]+)"[^>]*alt="{re.escape(IMAGE_ALT)}"', html)
    assert shown and base64.b64decode(shown[1]) == IMAGE.read_bytes()


def test_a_private_notice_sent_on_its_own_offers_no_web_view_and_keeps_its_headings_in_order(project):
    """Its "웹에서 보기" led to the home page, where the notice is not: a
    reader looking for a bigger view of it found nothing. With no section
    heading, the notice's title is an h2 under the email's h1, and its text's
    headings h3."""
    result = run_sotong(project, "bundles", "--notice", SLUG, env=SECRET)
    assert result.code == 0, result.output
    outbox = project / "private" / "outbox" / SLUG
    files = sorted((outbox / "email").glob("*.eml"))
    assert len(files) == len(committee_readers())
    for path in files:
        message = email.message_from_bytes(path.read_bytes(), policy=email.policy.default)
        text = message.get_body(("plain",)).get_content()
        html = message.get_body(("html",)).get_content()
        assert all(phrase in text and phrase in html for phrase in BODY_PHRASES)
        assert "웹에서 보기" not in text and "웹에서 보기" not in html and 'class="web-view"' not in html
        assert re.search(rf"<h2[^>]*>{re.escape(TITLE)}</h2>", html) and re.search(r"<h3[^>]*>심사 안내</h3>", html)
        assert text.startswith(f"{TITLE}\n2026년") and "수신거부: " in text and ">수신거부</a>" in html
        assert_headings_skip_no_level(html)


def assert_headings_skip_no_level(html):
    """Each heading at most one level below the one before (screen readers list
    them as an outline; the Nu HTML Checker calls a skip an error)."""
    levels = [int(level) for level in re.findall(r"<h([1-6])\b", html)]
    assert levels[0] == 1 and all(b <= a + 1 for a, b in zip(levels, levels[1:])), levels


def test_markdown_as_plain_text_shows_no_markup():
    from sotong.markup import html_text, markdown_html

    body = ("## 신청\n\n**꼭** [신청서](https://example.com/form)를 내려받아 <b>10일</b>까지 보내 주세요. "
            "<script>alert(1)</script>\n\n1. 첫째\n2. 둘째: <hong@example.com>\n\n"
            "| 구분 | 전화 |\n|---|---|\n| 복지 | 02-2286-5000 |\n\n![약도](https://example.com/map.png)")
    assert html_text(markdown_html(body)) == (
        "신청\n\n꼭 신청서 (https://example.com/form)를 내려받아 10일까지 보내 주세요.\n\n"
        "1. 첫째\n2. 둘째: hong@example.com\n\n구분 | 전화\n복지 | 02-2286-5000\n\n[그림: 약도]")


PICTURE = ("a private notice shows no picture from the site in its text (the file would be public); give it as "
           "image: images/FILE with image_alt, which goes inside the email")
REMOTE = ("a private notice shows no picture from another site in its text (that site would learn when each member "
          "opens the email); save the picture under content/images/ and give it as image: images/FILE with image_alt, "
          "which goes inside the email")
SITE_FILE = ("a private notice links no file of the site in its text (the file would be public); give it as "
             "attachments: [files/FILE], which goes inside the email, or link a page of the site")


@pytest.mark.parametrize("body_line, message", [
    ("![검토 결과](images/kimjang.svg)", PICTURE), ('<img src="/images/kimjang.svg" alt="결과">', PICTURE),
    ("![결과]({static}/images/kimjang.svg)", PICTURE), ("표: ![결과]( ../images/kimjang.svg )", PICTURE),
    ("[심사 자료](files/review.pdf)", SITE_FILE), ("[자료]({attach}files/review.hwp)", SITE_FILE),
    ('<a href="../images/chart.xlsx">표</a>', SITE_FILE), ("[표]({static}/images/kimjang.svg)", SITE_FILE),
    # a picture from another site tells it when each member opens the email: a tracking pixel in effect
    ("![도표](https://tracker.example.org/p.png)", REMOTE), ('<img alt="" src="http://a.example.org/b.gif">', REMOTE),
    ("표: ![도표]( <//cdn.example.org/a.png> )", REMOTE), ("<td style=\"background: url('https://a.example.org/b.png')\">", REMOTE),
    ("![도표][1]\n\n[1]: https://a.example.org/p.png", REMOTE), ("![도표][]\n\n[도표]: images/kimjang.svg", PICTURE),
    # a file linked by reference: Pelican copied {static}/{attach} files to output/ for anyone to fetch
    ("[심사 자료][1]\n\n[1]: {static}/images/kimjang.svg", SITE_FILE), ("[자료][]\n\n[자료]: <{attach}files/review.pdf>", SITE_FILE),
    # by the site's full address (FEED_DOMAIN here, SITEURL when published): a file saved under content/images/
    # for the committee was on the public site, and check said nothing
    ("[심사 자료](https://www.sd.go.kr/sotong/images/review.pdf)", SITE_FILE),
    ("자료: <HTTPS://www.sd.go.kr/sotong/images/%EC%9E%90%EB%A3%8C.hwp>", SITE_FILE),
])
def test_check_refuses_a_picture_or_file_of_the_site_in_a_private_notices_text(tmp_path, body_line, message):
    result = check_with_line(tmp_path, body_line)
    assert result.code == 1
    line = len(NOTICE.read_text(encoding="utf-8").split("\n")) + 1 + body_line.count("\n")  # a reference: its definition's line
    assert f"content/notices/{NOTICE.name}:{line}: {message}" in result.output, result.output


def test_check_accepts_links_outside_the_site_and_to_its_pages(tmp_path):
    result = check_with_line(tmp_path, "[지도](https://map.example.org/x.png) [공고](https://www.sd.go.kr/a.pdf) "
                                       "[소개](https://www.sd.go.kr/sotong/about/) "
                                       "[지난 공지]({filename}2026-11-05-kimjang-sharing.md) [전화](tel:02-2286-5000) "
                                       "[공고문][2]\n\n[2]: https://www.sd.go.kr/b.pdf\n\n"
                                       "[일시]: 12.12.(토) 14:00")  # text, not a reference: was "not a file under content/"
    assert result.code == 0, result.output


def test_check_accepts_a_picture_or_file_written_as_code_in_a_private_notice(tmp_path):
    """Code shows as written, no picture nor link: a committee's notice that
    shows how to write one was refused as if it showed a file of the site."""
    result = check_with_line(tmp_path, "쓰는 법: `![결과](images/kimjang.svg)`\n\n```\n![도표](https://a.example.org/p.png)\n"
                                       "[심사 자료](files/review.pdf)\n![도표][1]\n```\n\n    <img src=\"/images/kimjang.svg\" alt=\"결과\">\n\n"
                                       "`![도표][1]`\n\n[1]: https://a.example.org/p.png")  # a picture's address used only in code
    assert result.code == 0, result.output


def test_check_refuses_a_private_image_that_mail_clients_cannot_all_show(tmp_path):
    project = copy_project(tmp_path)
    path = project / "content" / "notices" / NOTICE.name
    path.write_text(NOTICE.read_text(encoding="utf-8").replace(IMAGE.name, "kimjang.svg"), encoding="utf-8")
    result = run_sotong(project, "check", env=SECRET)
    assert result.code == 1
    assert (f"content/notices/{NOTICE.name}:8: a private notice's image goes inside its emails, where only PNG, JPEG "
            "or GIF show everywhere and it is on no page; save images/kimjang.svg as .png or .jpg") in result.output


def check_with_line(tmp_path, body_line: str):
    """``sotong check`` with ``body_line`` added to the sample's private notice."""
    project = copy_project(tmp_path)
    text = NOTICE.read_text(encoding="utf-8")
    (project / "content" / "notices" / NOTICE.name).write_text(text + "\n" + body_line + "\n", encoding="utf-8")
    return run_sotong(project, "check", env=SECRET)


@pytest.mark.parametrize("change, line, message", [
    ("audiences: [budget-committee]\n", 6, "a private notice must name its audiences"),
    ("audiences: [budget-committee]\n", "channels: [email, sms, homepage]\naudiences: [budget-committee]\n",
     "a private notice goes by email only, not sms, homepage; write channels: [email]"),
    ("audiences: [budget-committee]\n", "channels: [newsletter, twitter]\naudiences: [budget-committee]\n",
     "a private notice goes by email only, not newsletter, twitter"),
    # a label is no condition: the committee's papers went to everyone who chose 여론조사
    ("audiences: [budget-committee]\n", "audiences: [{label: 주민참여예산위원회}]\n",
     "the audience {label: 주민참여예산위원회} has no condition, so this private notice would go to everyone who chose "
     "여론조사; name its readers, e.g. audiences: [budget-committee]"),
    ("audiences: [budget-committee]\n", "audiences: [budget-committee, {}]\n", "the audience {} has no condition"),
])
def test_check_refuses_a_private_notice_without_audiences_or_with_public_channels(tmp_path, change, line, message):
    project = copy_project(tmp_path)
    path = project / "content" / "notices" / NOTICE.name
    replacement = "" if isinstance(line, int) else line
    path.write_text(NOTICE.read_text(encoding="utf-8").replace(change, replacement), encoding="utf-8")
    result = run_sotong(project, "check", env=SECRET)
    assert result.code == 1
    at = line if isinstance(line, int) else 7  # visibility, or the channels line written above audiences
    assert f"content/notices/{NOTICE.name}:{at}: {message}" in result.output, result.output


def test_a_private_notices_audiences_written_wrong_are_one_problem(tmp_path):
    """A misspelled committee was said twice: its own line, then "a private
    notice must name its audiences", which staff had done."""
    project = copy_project(tmp_path)
    path = project / "content" / "notices" / NOTICE.name
    path.write_text(NOTICE.read_text(encoding="utf-8").replace(
        "audiences: [budget-committee]", "audiences: [budget-comittee]"), encoding="utf-8")
    result = run_sotong(project, "check", env=SECRET)
    assert result.code == 1
    problems = [line for line in result.output.splitlines() if line.startswith(f"content/notices/{NOTICE.name}:")]
    assert len(problems) == 1 and 'did you mean "budget-committee"?' in problems[0], result.output


SITE = "https://www.sd.go.kr/sotong"


def test_a_private_notices_links_to_the_sites_pages_lead_there_from_the_email(tmp_path):
    """Its links to the site ({filename}, ../notice/, /page/), which check
    accepts, were sent as written: the committee's members tapped
    "{filename}2026-11-05-kimjang-sharing.md" or a path with no site to be
    read from, and got nowhere. Now each is the page's full address; one to a
    notice without a page (a draft, no such file) keeps its words, unlinked."""
    project = copy_project(tmp_path)
    links = ("[김장]({filename}2026-11-05-kimjang-sharing.md#신청) [축제](../2026-11-16-winter-festival/) "
             "[소개](/sotong/about/) [방침]({filename}/pages/privacy.md) [구독]({filename}../pages/subscribe.md?a=1) "
             "[휴관 안내]({filename}2026-11-26-library-holiday-hours.md) [없는 글]({filename}gone.md) "
             "[구청](https://www.sd.go.kr/) [처음](#top)")
    path = project / "content" / "notices" / NOTICE.name
    path.write_text(NOTICE.read_text(encoding="utf-8") + "\n" + links + "\n", encoding="utf-8")
    import_sample(project)
    result = run_sotong(project, "bundles", "-s", "publishconf.py", "--notice", SLUG, env=SECRET)
    assert result.code == 0, result.output
    eml = next((project / "private" / "outbox" / SLUG / "email").glob("*.eml"))
    message = email.message_from_bytes(eml.read_bytes(), policy=email.policy.default)
    html, text = message.get_body(("html",)).get_content(), message.get_body(("plain",)).get_content()
    line = html[html.rindex("<p", 0, html.index(">김장<")):html.index(">처음<") + 10]
    assert re.findall(r'href="([^"]*)"', line) == [
        f"{SITE}/notices/2026-11-05-kimjang-sharing/#%EC%8B%A0%EC%B2%AD", f"{SITE}/notices/2026-11-16-winter-festival/",
        f"{SITE}/about/", f"{SITE}/privacy/", f"{SITE}/subscribe/?a=1", "https://www.sd.go.kr/", "#top"]
    assert "</a> 휴관 안내 없는 글 <a" in line
    assert "{filename}" not in html and "{filename}" not in text
    assert (f"김장 ({SITE}/notices/2026-11-05-kimjang-sharing/#%EC%8B%A0%EC%B2%AD) 축제 "
            f"({SITE}/notices/2026-11-16-winter-festival/) 소개 ({SITE}/about/) 방침 ({SITE}/privacy/) 구독 "
            f"({SITE}/subscribe/?a=1) 휴관 안내 없는 글 구청 (https://www.sd.go.kr/) 처음 (#top)") in text


CONCERT = "2026-11-19-year-end-concert"
EVERY_KEY = """\
---
title: "얼룩말위원 회의 자료"
date: 2026-11-20 10:00
department: 기획예산과
category: survey
visibility: private
audiences: [budget-committee]
summary: "얼룩말요약 문장입니다."
sms: 얼룩말문자
expires: 2026-12-31
event:
  start: "2026-11-28 14:00"
  end: "2026-11-28 16:00"
  place: 얼룩말회의실
priority: urgent
survey: budget-vote-2027
slug: zebra-committee-papers
---
얼룩말본문입니다. [구청](https://www.sd.go.kr/zebra-link)

## 얼룩말제목
"""


def test_a_notice_made_private_after_a_build_and_one_with_every_key_leave_nothing_in_output(tmp_path):
    """A published notice made private (a mistake found after the site was
    built) leaves its page, lists, feeds, calendar file, short link and
    section in the rebuild, which keeps every page it need not make again;
    and a private notice with every key (an event, urgent, a survey, expiry,
    an SMS line, a slug, in a folder of its own) is in no file of the site."""
    project = copy_project(tmp_path)
    assert run_sotong(project, "build", env=SECRET).code == 0
    assert CONCERT in (project / "output" / "index.html").read_text(encoding="utf-8")
    concert = project / "content" / "notices" / f"{CONCERT}.md"
    concert.write_text(concert.read_text(encoding="utf-8").replace(
        "channels: [homepage, newsletter, email, facebook]\n",
        "channels: [email]\nvisibility: private\naudiences: [budget-committee]\n"), encoding="utf-8")
    (project / "content" / "notices" / "committee").mkdir()
    (project / "content" / "notices" / "committee" / "2026-11-20-zebra.md").write_text(EVERY_KEY, encoding="utf-8")
    result = run_sotong(project, "build", env=SECRET)
    assert result.code == 0, result.output
    output = (project / "output").resolve()
    files = [p for p in output.rglob("*") if p.is_file()]
    assert len(files) > 50 and (output / "notices" / "2026-11-16-winter-festival" / "index.html").is_file()
    for path in files:
        text = path.read_bytes().decode("utf-8", errors="replace")
        for secret in (CONCERT, "성동 송년 음악회 —", "얼룩말", "zebra"):
            assert secret not in text, f"{path.relative_to(output)} holds {secret!r}"


def test_a_private_notices_event_is_in_its_email_as_its_page_would_show_it(tmp_path):
    """A private committee meeting's time and place (its ``event:``) were on
    no page, as it has none, and not in the email either: the members got
    "회의 자료" with the body only and had to phone for the hour and the room.
    Its calendar file (a public notice's page offers one) travels attached."""
    project = copy_project(tmp_path)
    (project / "content" / "notices" / "2026-11-20-zebra.md").write_text(EVERY_KEY, encoding="utf-8")
    import_sample(project)
    result = run_sotong(project, "bundles", "--notice", "zebra-committee-papers", env=SECRET)
    assert result.code == 0, result.output
    emails = sorted((project / "private" / "outbox" / "zebra-committee-papers" / "email").glob("*.eml"))
    assert len(emails) == len(committee_readers())
    message = email.message_from_bytes(emails[0].read_bytes(), policy=email.policy.default)
    html, text = message.get_body(("html",)).get_content(), message.get_body(("plain",)).get_content()
    assert "일시: 2026년 11월 28일(토) 14:00 ~ 16:00\n장소: 얼룩말회의실\n" in text
    assert re.search(r"<strong>일시</strong> 2026년 11월 28일\(토\) 14:00 ~ 16:00<br><strong>장소</strong> 얼룩말회의실</p>", html)
    # a calendar file, as the page of a public notice offers: a phone adds the meeting when it is opened
    (calendar,) = [part for part in message.iter_attachments() if part.get_filename() == "일정.ics"]
    assert calendar.get_content_type() == "text/calendar"
    ics = calendar.get_content()
    assert "DTSTART;TZID=Asia/Seoul:20261128T140000" in ics and "DTEND;TZID=Asia/Seoul:20261128T160000" in ics
    assert "LOCATION:얼룩말회의실" in ics and "URL" not in ics  # no page to link
    # "일정.ics" alone told a member over 60 nothing: the list says what the file does, in both parts
    calendar_line = "일정.ics (1KB): 누르면 휴대전화나 컴퓨터의 달력에 이 일정을 넣을 수 있습니다"
    assert f"- {calendar_line}\n" in text and f"<br>{calendar_line}</p>" in html


def test_a_committee_members_preferences_page_names_their_groups_and_what_that_sends(project):
    """Membership is the consent (SPEC §16), whatever the fields chosen; the
    page a member opens from every email listed only fields and channels,
    so a member who unticked every field still got the committee's papers
    with no word of why. The page now names their groups and says so; a
    reader in no group sees nothing of it."""
    from project_support import serving
    from sotong.project import Project
    from sotong.tokens import make_token
    from sotong.web import make_app
    from test_collector_routes import call

    member = sorted(committee_readers())[0]
    with serving(make_app(Project(project / "pelicanconf.py"))) as port:
        status, headers, page = call(port, "GET", f"/p/{make_token('preferences', member)}")
        assert status == 200 and headers["cache-control"] == "no-store"
        assert '<h2 id="groups" style="font-size:1.3rem;margin-top:0">소속 위원회·단체: 주민참여예산위원회' in page
        assert "고르신 분야와 관계없이 이메일로 보내 드립니다" in page and 'href="tel:' in page
        status, _headers, page = call(port, "GET", f"/p/{make_token('preferences', 'S000001')}")
        assert status == 200 and "소속 위원회·단체" not in page


@pytest.mark.parametrize("notice, link, target", [
    ("2026-11-16-winter-festival.md", f"[위원 자료]({{filename}}{NOTICE.name})", f"{{filename}}{NOTICE.name}"),
    (NOTICE.name, f'<a href="{{filename}}/notices/{NOTICE.name}#top">이 자료</a>', f"{{filename}}/notices/{NOTICE.name}#top"),
    ("2026-11-16-winter-festival.md", f"[위원 자료](../{SLUG}/)", f"../{SLUG}/"),
    ("2026-11-16-winter-festival.md", f"[위원 자료][자료]\n\n[자료]: /notices/{SLUG}/index.html",
     f"/notices/{SLUG}/index.html"),
    ("../pages/about.md", f'<a href="../notices/{SLUG}">자료</a>', f"../notices/{SLUG}"),
])
def test_check_refuses_a_link_to_a_private_notice(tmp_path, notice, link, target):
    """It has no page: on the site Pelican linked the home page instead of
    a {filename} link, without a word, and a link by address led nowhere
    (and named the private notice on a public page); in an email the link
    could have no address."""
    project = copy_project(tmp_path)
    path = project / "content" / "notices" / notice
    path.parent.mkdir(exist_ok=True)
    text = path.read_text(encoding="utf-8") if path.exists() else "---\ntitle: 소개\n---\n성동구 소통 안내입니다."
    path.write_text(text + "\n" + link + "\n", encoding="utf-8")
    result = run_sotong(project, "check", env=SECRET)
    assert result.code == 1
    line = len(text.split(chr(10))) + link.count("\n") + 1
    shown = path.resolve().relative_to(project.resolve()).as_posix()
    assert (f'{shown}:{line}: "{target}" is a private notice, which has no '
            "page (its readers have it by email); take the link out, or link a public notice") in result.output


def test_check_accepts_a_link_to_a_part_of_the_private_notice_itself(tmp_path):
    """"[일정 보기](#schedule)" in a private notice was refused as a link to a
    private notice: joined to the address its page would have, it is that page."""
    project = copy_project(tmp_path)
    path = project / "content" / "notices" / NOTICE.name
    path.write_text(path.read_text(encoding="utf-8") + "\n[일정 보기](#schedule)\n\n## 일정 {#schedule}\n\n12월 1일\n",
                    encoding="utf-8")
    result = run_sotong(project, "check", env=SECRET)
    assert result.code == 0, result.output


def test_check_accepts_links_by_address_to_public_notices(tmp_path):
    project = copy_project(tmp_path)
    path = project / "content" / "notices" / "2026-11-16-winter-festival.md"
    text = path.read_text(encoding="utf-8")
    path.write_text(text + f"\n[김장](../2026-11-05-kimjang-sharing/) [다른 곳](https://example.org/notices/{SLUG}/)\n",
                    encoding="utf-8")
    result = run_sotong(project, "check", env=SECRET)
    assert result.code == 0, result.output


def test_reach_names_the_committee_members_a_private_notice_cannot_reach(tmp_path):
    """A member who gets no email (SMS only here) is in the notice's audience
    but gets nothing of it: ``reach`` says how many, under the table."""
    project = copy_project(tmp_path)
    rows = sample_rows()
    rows.append(dict(rows[3], id="S900001", email="", phone="010-5555-0101", channels="sms", groups="committee-budget"))
    rows.append(dict(rows[3], id="S900002", email="", phone="010-5555-0102", channels="sms", groups=""))
    import_rows(project, "people.csv", rows)
    result = run_sotong(project, "reach", "--issue", ISSUE, env=SECRET)
    assert result.code == 0, result.output
    row = re.search(rf"^\s+([\d,]+)\s+([\d,]+)\s+{SLUG}$", result.output, re.M)
    assert (int(row[1]), int(row[2])) == (len(committee_readers()), 0)
    notes = [line.strip() for line in result.output.splitlines() if "get nothing" in line]
    assert notes == [f"{SLUG}: 1 of the readers it is for get nothing: a private notice goes by email only, and they "
                     "get no email (no address, email not chosen, or an address that cannot receive); ask them for an "
                     "address and import it (sotong subscribers import FILE), or give them the material another way"]


def test_the_devserver_shows_nothing_of_a_private_notice_even_on_this_computer(tmp_path):
    """Staff's live preview serves drafts at their future address (to this
    computer only, SPEC §12); a private notice, published or a draft, has no
    page to preview: its address, its picture and its attachment answer 404
    and no file of the preview (its site, its drafts folder) holds a word of
    it, while a public draft beside it is shown."""
    from devserver_support import built_devserver, write_notice

    project = copy_project(tmp_path)
    (project / "content" / "notices" / "committee-draft.md").write_text(
        NOTICE.read_text(encoding="utf-8").replace(f"title: \"{TITLE}\"", 'title: "얼룩말 위원 초안"')
        .replace("visibility: private\n", "visibility: private\nstatus: draft\nslug: zebra-draft\n"), encoding="utf-8")
    write_notice(project, "public-draft.md", "공개 예정 초안", "status: draft\n")
    server = built_devserver(project)
    devserver = next(server)
    try:
        assert devserver.wait_for("/notices/public-draft/", lambda page: page.status == 200).status == 200
        for path in (f"/notices/{SLUG}/", "/notices/zebra-draft/", f"/images/{IMAGE.name}", f"/files/{quote(ATTACHMENT.name)}"):
            page = devserver.get(path)
            assert page.status == 404 and TITLE not in page.text and "얼룩말" not in page.text, path
        assert "zebra-draft" not in devserver.terminal and SLUG not in devserver.terminal
        preview = project / ".cache" / "devserver"  # what it serves: the site, and the drafts beside it
        files = [Path(folder, name) for served in ("site", "drafts")
                 for folder, _dirs, names in os.walk(preview / served, followlinks=True) for name in names]
        assert any(path.parts[-3:] == ("notices", "public-draft", "index.html") for path in files)
        assert any(path.name == "index.html" for path in files)
        for path in files:
            data = path.read_bytes()
            assert data != IMAGE.read_bytes() and data != ATTACHMENT.read_bytes(), path
            text = data.decode("utf-8", errors="replace")
            for secret in (TITLE, "얼룩말", "zebra-draft", SLUG, *BODY_PHRASES, IMAGE.name, IMAGE_ALT, ATTACHMENT.name):
                assert secret not in text, f"{path.relative_to(preview)} holds {secret!r}"
    finally:
        next(server, None)


def test_with_click_counting_a_private_notices_email_has_no_counting_link_to_it(tmp_path, monkeypatch):
    """With CLICK_COUNTING a public notice's title in an email is a counting
    link (``/c/KEY/CODE``, 303 to its page); a private notice has no page, so
    its block has none: a member's email counts the other notices' clicks,
    and no link of it leads, counted or not, to an address of the private one."""
    from sotong.links import read_click_code

    monkeypatch.setenv("SOTONG_SECRET", SECRET["SOTONG_SECRET"])  # to read the codes the bundles were signed with
    project = copy_project(tmp_path, extra_settings='CLICK_COUNTING = True\nCOLLECTOR_URL = "https://sotong.sd.go.kr"\n'
                                                    'SITEURL = "https://www.sd.go.kr/sotong"\n')
    import_sample(project)
    result = run_sotong(project, "bundles", "--issue", ISSUE, env=SECRET)
    assert result.code == 0, result.output
    outbox = project / "private" / "outbox" / ISSUE
    manifest = manifest_of(outbox)
    holders = [entry for entry in manifest if entry["channel"] == "email" and SLUG in entry["notices"]]
    assert {entry["id"] for entry in holders} == committee_readers()
    counted = set()
    for entry in holders:
        message = email.message_from_bytes((outbox / entry["file"]).read_bytes(), policy=email.policy.default)
        html, text = message.get_body(("html",)).get_content(), message.get_body(("plain",)).get_content()
        links = set(re.findall(r'href="([^"]+)"', html)) | set(re.findall(r"https?://[^\s()]+", text))
        for link in (link for link in links if "/c/" in link):
            key, code = link.rsplit("/c/", 1)[1].split("/", 1)
            channel, ref = read_click_code(key, code)
            assert channel == "email" and ref != SLUG and ref in entry["notices"], link
            counted.add(ref)
        assert not [link for link in links if SLUG in link], entry["id"]
    assert counted  # counting is on: the public notices beside it are counted


def test_a_member_who_stopped_everything_left_the_committee_or_was_forgotten_gets_none_of_its_papers(tmp_path):
    """Membership is the consent to the group's notices (SPEC §16), but not
    over "stop everything": a member who pressed 「모든 수신 그만두기」 on the
    preferences page, or 수신거부 in an email (RFC 8058 one-click), gets no
    private notice, nor one the office's next file imports without the
    group, nor one forgotten (``subscribers forget``); the other members still
    get it. Over the collector's real HTTP."""
    from project_support import serving
    from sotong.project import Project
    from sotong.tokens import make_token, unsubscribe_token
    from sotong.web import make_app
    from test_collector_routes import call

    project = copy_project(tmp_path)
    import_sample(project)
    stopped, unsubscribed, left, forgotten, *staying = sorted(committee_readers())
    with serving(make_app(Project(project / "pelicanconf.py"))) as port:
        assert call(port, "POST", f"/p/{make_token('preferences', stopped)}", {"action": "stop"})[0] == 200
        assert call(port, "POST", f"/u/{unsubscribe_token(unsubscribed)}", b"List-Unsubscribe=One-Click",
                    {"Content-Type": "application/x-www-form-urlencoded"})[0] == 200
    import_rows(project, "left.csv", [dict(row, groups="") for row in sample_rows() if row["id"] == left])
    assert run_sotong(project, "subscribers", "forget", forgotten, env=SECRET).code == 0
    result = run_sotong(project, "bundles", "--notice", SLUG, env=SECRET)
    assert result.code == 0, result.output
    assert {entry["id"] for entry in manifest_of(project / "private" / "outbox" / SLUG)} == set(staying)
    assert len(staying) >= 2


def test_on_the_day_after_its_edition_the_site_still_holds_nothing_of_a_private_notice(tmp_path):
    """The sample's day (2026-11-23) is before the private notice's
    (2026-12-09): it was scheduled, so no list, feed or edition would have
    shown it anyway, and the search of the built site proved only that it
    had no page. Built on 2026-12-16, it is current and the edition of
    2026-12-10 is out with the public notice of the same day: still no file
    of the site (lists, feeds, the edition, SNS feeds, the sitemap, banners,
    short links) holds its title, slug, words, picture or attachment."""
    project = copy_project(tmp_path, extra_settings='SOTONG_TODAY = "2026-12-16"\n')
    result = run_sotong(project, "build", env=SECRET)
    assert result.code == 0, result.output
    output = (project / "output").resolve()
    edition = (output / "newsletter" / "2026-12-10" / "index.html").read_text(encoding="utf-8")
    assert "2026-12-09-senior-digital-education" in edition  # its neighbour of the same day is in it
    assert "2026-12-09-senior-digital-education" in (output / "feeds" / "all.atom.xml").read_text(encoding="utf-8")
    secrets = (TITLE, "후보사업 심사 자료", SLUG, *BODY_PHRASES, IMAGE.name, IMAGE_ALT, ATTACHMENT.name, "검토의견")
    kept = (IMAGE.read_bytes(), ATTACHMENT.read_bytes())
    for folder, _dirs, names in os.walk(output, followlinks=True):
        for name in names:
            path = Path(folder, name)
            data = path.read_bytes()
            assert data not in kept and name not in (IMAGE.name, ATTACHMENT.name), path
            text = data.decode("utf-8", errors="replace")
            for secret in secrets:
                assert secret not in text and quote(secret) not in text, f"{path.relative_to(output)} holds {secret!r}"


def test_sent_over_smtp_each_member_gets_the_whole_text_and_its_files_and_no_one_else_anything(tmp_path):
    """From the outbox to a real mail server (aiosmtpd): the private
    notice's emails go to exactly the committee's addresses, each with the
    whole text, the picture inside and the PDF byte for byte, and no link
    to an address of the notice; a second run sends nothing again."""
    from delivery_support import SMTPServer
    from test_subscriptions import Inbox

    project = copy_project(tmp_path)
    import_sample(project)
    assert run_sotong(project, "bundles", "--notice", SLUG, env=SECRET).code == 0
    inbox = Inbox()
    with SMTPServer(inbox) as server:
        sent = run_sotong(project, "send", "--notice", SLUG, "--host", "127.0.0.1", "--port", str(server.port),
                          env=SECRET)
        assert sent.code == 0, sent.output
        again = run_sotong(project, "send", "--notice", SLUG, "--host", "127.0.0.1", "--port", str(server.port),
                           env=SECRET)
        assert again.code == 0, again.output
    addresses = {row["id"]: row["email"] for row in sample_rows()}
    assert sorted(recipient for recipient, _message in inbox.messages) == sorted(
        addresses[member] for member in committee_readers())
    for _recipient, message in inbox.messages:
        text, html = message.get_body(("plain",)).get_content(), message.get_body(("html",)).get_content()
        assert TITLE in text and all(phrase in text and phrase in html for phrase in BODY_PHRASES)
        assert SLUG not in text and SLUG not in html
        files = {part.get_filename(): part.get_content() for part in message.iter_attachments()}
        assert files[ATTACHMENT.name] == ATTACHMENT.read_bytes()
        assert [part.get_content() for part in message.walk() if part.get_content_type() == "image/png"] == [
            IMAGE.read_bytes()]


def test_a_private_notice_longer_than_gmails_clip_is_whole_in_the_html_and_its_size_is_foreseen(tmp_path):
    """An email longer than Gmail clips (HTML_LIMIT) lists its last notices
    as links to their pages. A committee's long review, which has no page,
    was listed by its title only, its text "in the text part": which a
    member's phone does not show. It is now whole in the HTML too (Gmail's
    "전체 메시지 보기" shows what is past the clip), the public notices after
    it made links; and check's estimate of its email, against the mail
    server's limit, is still never below the email bundled."""
    from bundles.attachments import carried_files, email_size
    from sotong.project import Project

    project = copy_project(tmp_path)
    path = project / "content" / "notices" / NOTICE.name
    review = "\n\n".join(f"{n}. 후보사업 {n}번은 사업비 조정이 필요하며, 분과 심사에서 우선순위를 다시 정합니다. "
                         "[지난 공지](../2026-11-16-winter-festival/)" for n in range(1, 800))
    path.write_text(NOTICE.read_text(encoding="utf-8") + f"\n## 상세 검토\n\n{review}\n\n마지막 문장입니다.\n",
                    encoding="utf-8")
    import_sample(project)
    assert run_sotong(project, "check", env=SECRET).code == 0
    result = run_sotong(project, "bundles", "--issue", ISSUE, env=SECRET)
    assert result.code == 0, result.output
    sotong = Project(project / "pelicanconf.py")
    notice = next(n for n in sotong.read_notices()[0] if n.slug == SLUG)
    estimate = email_size(notice, carried_files(notice, project / "content"), sotong.renderer.text_html(notice.body))
    outbox = project / "private" / "outbox" / ISSUE
    manifest = manifest_of(outbox)
    holders = [entry for entry in manifest if entry["channel"] == "email" and SLUG in entry["notices"]]
    assert {entry["id"] for entry in holders} == committee_readers()
    linked = 0
    for entry in holders:
        data = (outbox / entry["file"]).read_bytes()
        assert len(data) <= estimate, (len(data), estimate)
        message = email.message_from_bytes(data, policy=email.policy.default)
        html = message.get_body(("html",)).get_content()
        assert len(html.encode()) > 102_000 and "후보사업 799번은" in html and "마지막 문장입니다." in html
        assert "공개하지 않는 자료: 전문은" not in html
        others = [slug for slug in entry["notices"] if slug != SLUG]
        assert all(f"/notices/{slug}/" in html for slug in others)  # each still reachable, a link at least
        linked += bool(others)
    assert linked >= 3


def test_the_site_is_the_same_byte_for_byte_with_or_without_the_private_notice(tmp_path):
    """No count, number, neighbour, date or order on any page of the site
    tells that a private notice exists (a category's count, an edition's
    number, a feed's time, the notice before or after a public one's): the
    site built on 2026-12-16, the private notice current and in the window
    of the edition out on 2026-12-10, is the site built without it (nor
    its picture and attachment)."""
    from project_support import differing_files

    sites = []
    for name in ("with", "without"):
        (tmp_path / name).mkdir()
        project = copy_project(tmp_path / name, extra_settings='SOTONG_TODAY = "2026-12-16"\n')
        if name == "without":  # no notice, and no picture of it left for Pelican to copy as any other
            for path in (NOTICE, IMAGE, ATTACHMENT):
                (project / path.relative_to(REPO)).unlink()
        built = run_sotong(project, "build", env=SECRET)
        assert built.code == 0, built.output
        sites.append(project / "output")
    assert (sites[0] / "newsletter" / "2026-12-10" / "index.html").is_file()
    assert differing_files(*sites) == []


def test_check_warns_that_a_private_notices_sms_line_is_never_sent(tmp_path):
    """Staff who wrote the committee's SMS text on a private notice (its
    ``sms:`` line) were told nothing, and took it that the members would get
    a text too: check now says, at that line, that none is sent."""
    project = copy_project(tmp_path)
    path = project / "content" / "notices" / NOTICE.name
    path.write_text(NOTICE.read_text(encoding="utf-8").replace(
        "visibility: private\n", "visibility: private\nsms: 위원회 심사 자료를 메일로 보냈습니다\n"), encoding="utf-8")
    result = run_sotong(project, "check", env=SECRET)
    assert result.code == 0, result.output
    assert (f"content/notices/{NOTICE.name}:7: warning: a private notice goes by email only, so no text message "
            "carries it and this sms: line is never sent; remove it, and write what the members need in the text"
            ) in result.output.splitlines()
    korean = run_sotong(project, "check", env={**SECRET, "SOTONG_LANG": "ko"})
    assert (f"content/notices/{NOTICE.name}:7: 주의: 비공개 공지는 이메일로만 보내므로 문자로는 가지 않고, 이 sms: 줄은 "
            "보내지지 않습니다. 이 줄을 지우고, 받는 분께 알릴 내용은 본문에 쓰세요") in korean.output.splitlines()
    path.write_text(NOTICE.read_text(encoding="utf-8"), encoding="utf-8")  # the sample's, with no sms: line
    assert "sms: 줄은" not in run_sotong(project, "check", env={**SECRET, "SOTONG_LANG": "ko"}).output


def test_a_private_notices_text_is_rendered_with_the_projects_markdown_as_a_public_notices_is(tmp_path):
    """With the project's MARKDOWN (here nl2br: a line break in the text is
    one on the page) a public notice's two lines kept their break, in its
    email too, but a private notice's ran together: its text was rendered
    with Markdown's defaults. It is now rendered as the build renders a
    notice's."""
    project = copy_project(tmp_path, extra_settings=(
        'MARKDOWN = {**MARKDOWN, "extension_configs": {**MARKDOWN["extension_configs"], '
        '"markdown.extensions.nl2br": {}}}\n'))
    path = project / "content" / "notices" / NOTICE.name
    path.write_text(NOTICE.read_text(encoding="utf-8") + "\n위원 첫째 줄입니다\n위원 둘째 줄입니다\n", encoding="utf-8")
    import_sample(project)
    assert run_sotong(project, "check", env=SECRET).code == 0
    assert run_sotong(project, "bundles", "--issue", ISSUE, env=SECRET).code == 0
    outbox = project / "private" / "outbox" / ISSUE
    holders = [entry for entry in manifest_of(outbox) if entry["channel"] == "email" and SLUG in entry["notices"]]
    assert {entry["id"] for entry in holders} == committee_readers()
    for entry in holders:
        message = email.message_from_bytes((outbox / entry["file"]).read_bytes(), policy=email.policy.default)
        assert re.search(r"위원 첫째 줄입니다<br ?/?>\s*위원 둘째 줄입니다", message.get_body(("html",)).get_content())


def test_a_private_notices_table_has_ruled_and_padded_cells_in_its_email(tmp_path):
    """A committee's table (its whole text is in the email) came with no
    rule and no room between its cells: on a phone its columns' words ran
    together (통 수참석 예정); the site's page rules them."""
    project = copy_project(tmp_path)
    path = project / "content" / "notices" / NOTICE.name
    path.write_text(NOTICE.read_text(encoding="utf-8") + "\n| 동 | 통 수 | 참석 예정 |\n|---|---|---|\n| 마장동 | 24 | 20 |\n",
                    encoding="utf-8")
    result = run_sotong(project, "preview", "--persona", "groups=committee-budget channels=email", "--issue", ISSUE,
                        env=SECRET)
    assert result.code == 0, result.output
    html = (project / "private" / "preview" / f"persona-{ISSUE}.html").read_text(encoding="utf-8")
    cells = re.findall(r"<t[hd]\b[^>]*>", html.split("<div class=\"notice-body\"", 1)[1].split("</div>", 1)[0])
    assert len(cells) == 6, cells
    for cell in cells:
        assert re.search(r"border:\s*1px solid", cell) and re.search(r"padding:\s*6px 10px", cell), cell


def test_an_email_of_private_notices_only_has_no_web_view_and_one_with_a_public_notice_keeps_it(tmp_path):
    """An issue's 「웹에서 보기」 leads to its public edition, which holds no
    private notice: a member whose email held only the committee's papers
    landed on a page without what they were sent. A member whose email holds
    a public notice too keeps the link to the edition."""
    project = copy_project(tmp_path)
    rows = {row["id"]: row for row in sample_rows()}
    members = [dict(rows["S000004"], fields="civildefense"),  # no notice of the issue but the committee's
               dict(rows["S000015"])]  # 구청소식지: the edition too
    import_rows(project, "members.csv", members)
    result = run_sotong(project, "bundles", "--issue", ISSUE, env=SECRET)
    assert result.code == 0, result.output
    outbox = project / "private" / "outbox" / ISSUE
    emails = {entry["id"]: entry for entry in manifest_of(outbox) if entry["channel"] == "email"}
    assert emails["S000004"]["notices"] == [SLUG] and len(emails["S000015"]["notices"]) > 1
    edition = f"/newsletter/{ISSUE}/"
    for subscriber_id, web_view in (("S000004", False), ("S000015", True)):
        message = email.message_from_bytes((outbox / emails[subscriber_id]["file"]).read_bytes(),
                                           policy=email.policy.default)
        text = message.get_body(("plain",)).get_content()
        html = message.get_body(("html",)).get_content()
        assert all(phrase in text and phrase in html for phrase in BODY_PHRASES)
        for part in (text, html):
            assert ("웹에서 보기" in part) == web_view and (edition in part) == web_view, (subscriber_id, part[:400])
        assert ('class="web-view"' in html) == web_view


def test_an_email_whose_public_notices_are_left_out_of_the_edition_has_no_web_view(tmp_path):
    """The edition holds the notices with newsletter in channels: a member
    whose email held the committee's papers and a public notice sent by
    email only (no newsletter) was linked to an edition holding neither."""
    project = copy_project(tmp_path)
    (project / "content" / "notices" / "2026-12-08-civil-defense-email.md").write_text(
        "---\ntitle: 민방위 대원 주소 확인 안내\ndate: 2026-12-08\ndepartment: 안전재난과\ncategory: civildefense\n"
        "channels: [homepage, email]\n---\n주소가 바뀐 대원은 동 주민센터에 알려 주세요.\n", encoding="utf-8")
    rows = {row["id"]: row for row in sample_rows()}
    import_rows(project, "members.csv", [dict(rows["S000004"], fields="civildefense")])
    result = run_sotong(project, "bundles", "--issue", ISSUE, env=SECRET)
    assert result.code == 0, result.output
    outbox = project / "private" / "outbox" / ISSUE
    entry = next(entry for entry in manifest_of(outbox) if entry["channel"] == "email" and entry["id"] == "S000004")
    assert sorted(entry["notices"]) == ["2026-12-08-civil-defense-email", SLUG]
    message = email.message_from_bytes((outbox / entry["file"]).read_bytes(), policy=email.policy.default)
    for part in (message.get_body(("plain",)).get_content(), message.get_body(("html",)).get_content()):
        assert "민방위 대원 주소 확인 안내" in part and "웹에서 보기" not in part and f"/newsletter/{ISSUE}/" not in part
