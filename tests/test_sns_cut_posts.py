"""check's warning of a notice whose X post is cut (SPEC §7: the title,
summary and link within X's weighted 280, Hangul 2, a link 23): it was cut
with "…" in the feed and nothing told staff. The weights are read by brute
force from SPEC §7, not from twitter-text."""

from __future__ import annotations

import pytest

from project_support import copy_project, invoke_sotong
from sotong.project import Project

TITLE = "김장 나눔 자원봉사자 모집"  # 11 letters and 3 spaces: 25
HEAD = "---\ntitle: " + TITLE + "\ndate: 2026-11-20\ndepartment: 보건소\ncategory: health\n"


def spec_weight(text: str) -> int:
    """SPEC §7 for text of Hangul, ASCII without a link and newlines: Hangul 2, the rest 1."""
    return sum(2 if "\uac00" <= char <= "\ud7a3" else 1 for char in text)


def cut_post_warnings_of(project_dir) -> list[str]:
    from sns_sync.advice import cut_post_warnings

    return cut_post_warnings(Project(project_dir / "pelicanconf.py"))


def warnings(tmp_path, **notices: str) -> list[str]:
    project_dir = copy_project(tmp_path, notices=False)
    for slug, text in notices.items():
        (project_dir / "content" / "notices" / f"{slug}.md").write_text(text, encoding="utf-8")
    return cut_post_warnings_of(project_dir)


# the summary's room: 280 - the title and its newline - a space - the link's 23
ROOM = 280 - spec_weight(TITLE + "\n") - 1 - 23


@pytest.mark.parametrize("summary, cut", [
    ("가" * (ROOM // 2), False), ("가" * (ROOM // 2) + "a" * (ROOM % 2), False),
    ("가" * (ROOM // 2) + "a" * (ROOM % 2 + 1), True), ("가" * 100 + "a" * (ROOM - 200), False),
    ("가" * 100 + "a" * (ROOM - 199), True),
])
def test_a_summary_that_makes_the_x_post_pass_280_is_warned_at_its_line_with_the_room_it_has(tmp_path, summary, cut):
    found = warnings(tmp_path, long=HEAD + f"channels: [homepage, twitter]\nsummary: {summary}\n---\n본문\n")
    if not cut:
        assert found == []
        return
    (warning,) = found
    weight = spec_weight(f"{TITLE}\n{summary}") + 1 + 23
    assert warning.startswith(f"content/notices/long.md:7: warning: the X post (twitter in channels) is the title, "
                              f"the summary and the link, which X counts as {weight}, more than its 280 ")
    assert warning.endswith(f"to post the summary whole, shorten it to {ROOM} or less (about {ROOM // 2} Korean "
                            "letters), or leave it so")
    assert '…"; ' in warning


def test_a_cut_first_paragraph_is_told_to_get_a_summary_line_and_a_notice_not_for_x_is_not_warned(tmp_path):
    body = "가" * 150 + " 신청하세요."
    found = warnings(tmp_path, x=HEAD + f"channels: [homepage, twitter]\n---\n{body}\n",
                     facebook=HEAD + f"channels: [homepage, facebook]\n---\n{body}\n")
    (warning,) = found
    assert warning.startswith("content/notices/x.md:2: warning: the X post (twitter in channels) is the title, the "
                              "text's first paragraph and the link")
    assert f"add a summary: line for it of {ROOM} or less" in warning


def test_check_says_it_in_korean_and_passes(tmp_path):
    project_dir = copy_project(tmp_path, notices=False)
    (project_dir / "content" / "notices" / "long.md").write_text(
        HEAD + "channels: [homepage, twitter]\nsummary: " + "가" * 200 + "\n---\n본문\n", encoding="utf-8")
    result = invoke_sotong(project_dir, "check", env={"SOTONG_LANG": "ko"})
    assert result.code == 0, result.output
    assert f"content/notices/long.md:7: 주의: X(트위터) 게시글은 제목, 요약, 링크로 이루어지는데 X가 세는 길이가 {26 + 400 + 24}(으)로 " \
           "한도 280을 넘어서" in result.output
    assert f"요약을 {ROOM} 이하(한글 약 {ROOM // 2}자)로 줄이세요" in result.output


def test_a_cut_post_is_warned_of_until_a_build_puts_it_out_and_no_more_after(tmp_path):
    """Once ``sotong build`` has published the notice in the feeds (the
    ledger of notices sent holds it), the office's SNS tools have posted it:
    its warning, said again at every build, only hid the new notices'."""
    project_dir = copy_project(tmp_path, notices=False)
    (project_dir / "content" / "notices" / "long.md").write_text(
        HEAD + "channels: [homepage, twitter]\nsummary: " + "가" * 200 + "\n---\n본문\n", encoding="utf-8")
    said = "content/notices/long.md:7: warning: the X post"
    first = invoke_sotong(project_dir, "build")
    assert first.code == 0 and said in first.output, first.output
    assert said not in invoke_sotong(project_dir, "check").output
    (project_dir / "content" / "notices" / "new.md").write_text(
        HEAD + "channels: [homepage, twitter]\nsummary: " + "나" * 200 + "\n---\n본문\n", encoding="utf-8")
    again = invoke_sotong(project_dir, "build").output
    assert "content/notices/new.md:7: warning: the X post" in again and said not in again


def test_a_cut_post_the_feed_no_longer_holds_is_not_warned_and_one_dated_later_is(tmp_path):
    """The feed holds the newest FEED_MAX_ITEMS notices: an older one's post
    will never go out, while one dated after today's will."""
    project_dir = copy_project(tmp_path, notices=False, extra_settings="FEED_MAX_ITEMS = 1\n")
    long = "channels: [homepage, twitter]\nsummary: " + "가" * 200 + "\n---\n본문\n"
    for slug, day in (("old", "2026-11-10"), ("new", "2026-11-20"), ("later", "2026-12-20")):
        (project_dir / "content" / "notices" / f"{slug}.md").write_text(
            HEAD.replace("2026-11-20", day) + long, encoding="utf-8")
    found = cut_post_warnings_of(project_dir)
    assert [line.split(":")[0] for line in found] == ["content/notices/new.md", "content/notices/later.md"]
