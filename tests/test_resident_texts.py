"""What a resident reads in an email's text part and headers: a link followed
by Korean words (``(https://www.gov.kr)에서``) stays a link and the words stay
words; a long display name keeps every header line within RFC 5322's limit.
Composed by ``sotong preview`` in a copy of the sample project, read back
with the email package."""

from __future__ import annotations

import email
import email.policy

import lxml.html
import pytest

from project_support import copy_project, invoke_sotong

from sotong import mail

ISSUE = "2026-11-26"
SITE = "https://www.sd.go.kr/sotong"
PUBLIC = """\
---
title: 김장 나눔 행사 참가 신청
date: 2026-11-20
department: 복지정책과
category: living
slug: 김장2026나눔
summary: 정부24(https://www.gov.kr)에서 신청하시거나 https://www.sd.go.kr에서 신청서를 받으세요.
---
김장 나눔 행사에 함께해 주세요.
"""
PRIVATE = """\
---
title: 위원 심사 자료 안내
date: 2026-11-21
department: 기획예산과
category: survey
visibility: private
audiences: [budget-committee]
---
[심사 자료](https://www.sd.go.kr/files/review.pdf)를 내려받아 읽어 주세요. 지난 자료는 [자료실](https://www.sd.go.kr/자료2026년/)에 있습니다.
"""


LONG_NAME = "Seongdong Global Trading Company Limited, Seoul Branch Office, Customer Support Team"


@pytest.fixture(scope="module")
def project(tmp_path_factory):
    project = copy_project(tmp_path_factory.mktemp("texts"), notices=False, extra_settings=f'SITEURL = "{SITE}"')
    (project / "content" / "notices" / "김장2026나눔.md").write_text(PUBLIC, encoding="utf-8")
    (project / "content" / "notices" / "2026-11-21-review.md").write_text(PRIVATE, encoding="utf-8")
    (project / "readers.csv").write_text(
        "id,name,email,phone,birth_year,gender,dong,fields,channels,kind,business_type,subscribed_at,unsubscribed_at\n"
        f'B1,"{LONG_NAME}",support@example.com,,,,,living,email,business,food-service,2026-01-05,\n', encoding="utf-8")
    result = invoke_sotong(project, "subscribers", "import", "readers.csv")
    assert result.code == 0, result.output
    return project


def parsed(eml: bytes):
    return email.message_from_bytes(eml, policy=email.policy.default)


@pytest.fixture(scope="module")
def text_part(project) -> str:
    result = invoke_sotong(project, "preview", "--persona", "groups=committee-budget fields=living channels=email",
                           "--issue", ISSUE)
    assert result.code == 0, result.output
    eml = next((project / "private" / "preview").glob("*.eml")).read_bytes()
    return parsed(eml).get_body(("plain",)).get_content()


@pytest.fixture(scope="module")
def one_off(project) -> bytes:
    """The email of the notice sent on its own, to the business with a long name."""
    result = invoke_sotong(project, "bundles", "--notice", "김장2026나눔")
    assert result.code == 0, result.output
    return (project / "private" / "outbox" / "김장2026나눔" / "email" / "B1.eml").read_bytes()


def test_words_after_a_link_in_a_summary_stay_korean_words(text_part):
    # was "정부24(https://www.gov.xn--kr)-k94n91q 신청하시거나 https://www.sd.go.xn--kr-...":
    # the words after each link made part of it, in punycode, and the link broken
    assert "정부24(https://www.gov.kr)에서 신청하시거나 https://www.sd.go.kr에서 신청서를 받으세요." in text_part
    assert "xn--" not in text_part


def test_a_link_in_a_private_notice_is_followed_by_its_words(text_part):
    assert "심사 자료 (https://www.sd.go.kr/files/review.pdf)를 내려받아" in text_part
    # an address holding Hangul after a digit: the whole address, in ASCII, then the words
    assert "자료실 (https://www.sd.go.kr/%EC%9E%90%EB%A3%8C2026%EB%85%84/)에 있습니다." in text_part


def test_a_notice_whose_address_holds_hangul_after_a_digit_is_linked_whole(text_part):
    slug = "%EA%B9%80%EC%9E%A5" + "2026" + "%EB%82%98%EB%88%94"
    assert f"자세히 보기: {SITE}/notices/{slug}/\n" in text_part


def test_a_one_off_emails_web_link_is_the_whole_address(one_off):
    slug = "%EA%B9%80%EC%9E%A5" + "2026" + "%EB%82%98%EB%88%94"
    assert f"웹에서 보기: {SITE}/notices/{slug}/\n" in parsed(one_off).get_body(("plain",)).get_content()


def test_a_long_business_name_keeps_the_to_line_short(one_off):
    head = one_off[:one_off.index(b"\r\n\r\n")]
    assert max(len(line) for line in head.split(b"\r\n")) <= 78  # RFC 5322: 998 at most, 78 should
    to = parsed(one_off)["To"].addresses[0]
    assert (to.addr_spec, "".join(to.display_name.split())) == ("support@example.com", "".join(LONG_NAME.split()))


@pytest.mark.parametrize("name", ["Kim " * 300, "K" * 1200])
def test_a_long_ascii_display_name_keeps_header_lines_short(name):
    raw = mail.address_header("To", name, "kim@example.com")
    assert max(len(line) for line in raw.split(b"\r\n")) <= 78
    to = parsed(raw + b"\r\nbody")["To"].addresses[0]
    assert (to.addr_spec, "".join(to.display_name.split())) == ("kim@example.com", "".join(name.split()))


def test_a_survey_invitation_is_a_heading_as_the_notices_are(project):
    """A reader whose screen reader goes from heading to heading (as many
    readers over 60 on phones do) went past the invitation: its title was a
    paragraph in bold, the notices' and the banner's are headings."""
    result = invoke_sotong(project, "preview", "--persona", "fields=survey,living channels=email", "--issue", ISSUE)
    assert result.code == 0, result.output
    eml = next((project / "private" / "preview").glob("persona-*.eml")).read_bytes()
    page = lxml.html.fromstring(parsed(eml).get_body(("html",)).get_content())
    headings = [" ".join(h.text_content().split()) for h in page.iter("h1", "h2", "h3", "h4", "h5", "h6")]
    assert "2027년 주민참여예산 모바일 투표" in headings, headings
    assert "김장 나눔 행사 참가 신청" in headings
