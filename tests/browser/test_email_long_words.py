"""A notice whose title, summary or text holds a string longer than a phone's
line (a long web address, a run of Hangul with no space, a wide table), and a
banner with such an address: the resident's email still fits a 360px phone,
as a mail app opens it (Chromium, with and without the <style> block), in an
issue and in a notice sent on its own. Table cells grow to their longest
unbreakable word, so without a way to break it the whole email widens past
the screen, and phones shrink it or make it scroll sideways.
"""

from __future__ import annotations

import email
import email.policy
import re
from pathlib import Path

import pytest
from project_support import copy_project, invoke_sotong

from sotong.store import Store, Subscriber

from .page_checks import sideways_scrolling, small_text, without_style_blocks

ISSUE = "2026-12-10"
SLUG = "2026-12-05-long-words"
ADDRESS = "https://www.sd.go.kr/main/selectBbsNttView.do?key=1473&bbsNo=184&nttNo=" + "1" * 80
HANGUL = "성동구민참여예산위원회분과별후보사업심사결과안내" * 2
NOTICE = f"""---
title: "{HANGUL} 안내"
date: 2026-12-05 09:00
department: 홍보담당관
category: bulletin
channels: [homepage, newsletter, email]
summary: "자세한 내용은 {ADDRESS} 에서 보세요."
---
본문입니다.
"""
PRIVATE_EXTRA = f"""
자료 전체: {ADDRESS}

| 사업명 | 부서 | 사업비 | 검토 의견 | 조정액 | 비고 |
|--|--|--|--|--|--|
| 성수동 골목길 정비 사업 | 도시디자인과 | 120,000,000원 | 사업비 조정 필요 | 80,000,000원 | 중복 없음 |
"""
BANNER = f"""title: 긴 주소 배너
body: |
  자세히는 {ADDRESS} 에서 보세요.
link: https://www.gov.kr/
placements: [email]
priority: 99
"""


def html_of(eml: Path) -> str:
    return email.message_from_bytes(eml.read_bytes(), policy=email.policy.default).get_body(("html",)).get_content()


@pytest.fixture(scope="module")
def emails(tmp_path_factory) -> dict[str, str]:
    """The HTML of one reader's issue email and of the notice sent on its own."""
    project = copy_project(tmp_path_factory.mktemp("long-words"), extra_settings=f'SOTONG_TODAY = "{ISSUE}"\n')
    (project / "content" / "notices" / f"{SLUG}.md").write_text(NOTICE, encoding="utf-8")
    private = project / "content" / "notices" / "2026-12-09-budget-committee-review.md"
    private.write_text(private.read_text(encoding="utf-8") + PRIVATE_EXTRA, encoding="utf-8")
    (project / "content" / "banners" / "long-address.yaml").write_text(BANNER, encoding="utf-8")
    store = Store.open(project / "private" / "sotong.db")
    store.put_subscriber(Subscriber(id="R1", name="김독자", email="r1@example.com", birth_year=1960, dong="yongdap",
                                    fields=frozenset({"bulletin"}), channels=frozenset({"email"}),
                                    groups=frozenset({"committee-budget"})))
    store.close()
    for args in (("--issue", ISSUE), ("--notice", SLUG)):
        result = invoke_sotong(project, "bundles", *args)
        assert result.code == 0, result.output
    found = {"issue": html_of(project / "private" / "outbox" / ISSUE / "email" / "R1.eml"),
             "notice": html_of(project / "private" / "outbox" / SLUG / "email" / "R1.eml")}
    assert ADDRESS.replace("&", "&amp;") in found["issue"] and re.search(r"<table[^>]*>\s*<thead>", found["issue"])
    assert HANGUL in found["issue"] and HANGUL in found["notice"] and "긴 주소 배너" in found["issue"]
    return found


@pytest.mark.parametrize("styles", ["with-style", "without-style"])
@pytest.mark.parametrize("kind", ["issue", "notice"])
@pytest.mark.parametrize("width", [360])
def test_long_words_do_not_widen_the_email_past_a_phone(emails, kind, styles, width, tab):
    html = emails[kind] if styles == "with-style" else without_style_blocks(emails[kind])
    tab.page.set_content(html, wait_until="load")
    problems = sideways_scrolling(tab.page, width) + small_text(tab.page)
    assert not problems, f"the {kind} email ({styles}) at {width}px:\n" + "\n".join(problems)
