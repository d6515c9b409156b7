"""What ``sotong preview`` says of the reader's text (SPEC §6): an LMS with
its bytes against the SMS's 90, its notices, those left out as "외 N건",
and check's advice for each of its notices whose text alone is an LMS.
It said "sms: LMS, 323 bytes" and no more: staff could not tell which
notice to shorten, nor that a notice was left out of the text."""

from __future__ import annotations

from project_support import copy_project, invoke_sotong

HEAD = "---\ndate: 2026-11-20\ndepartment: 안전재난과\ncategory: living\nchannels: [homepage, email, sms]\n"
PERSONA = ("--persona", "age=70 dong=eungbong fields=living channels=email,sms", "--issue", "2026-11-26")


def project_with(tmp_path, **notices: str):
    tmp_path.mkdir(exist_ok=True)
    project = copy_project(tmp_path, notices=False, extra_settings='SHORT_LINK_BASE = "https://sd.go.kr/s/"\n')
    for slug, extra in notices.items():
        (project / "content" / "notices" / f"{slug}.md").write_text(HEAD + extra + "\n---\n본문\n", encoding="utf-8")
    return project


def test_an_lms_preview_says_what_an_sms_holds_and_which_notice_to_shorten(tmp_path):
    project = project_with(tmp_path, long="title: 김장 나눔 자원봉사자 모집 안내와 참가 신청 방법, 일정과 장소에 대한 자세한 안내")
    result = invoke_sotong(project, "preview", *PERSONA)
    assert result.code == 0, result.output
    text = (project / "private" / "preview" / "persona-2026-11-26.sms.txt").read_text(encoding="utf-8")[:-1]
    size = len(text.encode("cp949"))
    assert size > 90
    assert f"sms:   LMS, {size} bytes (an SMS holds 90), with 1 notices -> private/preview/persona-2026-11-26.sms.txt" \
        in result.output.splitlines()
    (advice,) = [line for line in result.output.splitlines() if line.startswith("content/notices/long.md:")]
    assert advice.startswith("content/notices/long.md:6: warning: this notice's text alone is an LMS (")
    assert 'e.g. sms: "김장 나눔 자원봉사자' in advice


def test_a_preview_names_the_notices_left_out_of_the_text_and_a_short_one_says_sms(tmp_path):
    long_line = "sms: " + "가" * 700  # 1,400 bytes: the first fits an LMS, the others do not
    project = project_with(tmp_path, a=f"title: 가\n{long_line}", b=f"title: 나\n{long_line}", c=f"title: 다\n{long_line}")
    result = invoke_sotong(project, "preview", *PERSONA, env={"SOTONG_LANG": "ko"})
    assert result.code == 0, result.output
    (line,) = [line for line in result.output.splitlines() if line.startswith("문자:")]
    assert line.startswith("문자:   LMS, 1,4") and line.endswith(
        '바이트 (SMS는 90바이트까지), 공지 1건. 들어가지 않는 공지 2건은 "외 2건"(으)로만 셉니다 -> '
        'private/preview/persona-2026-11-26.sms.txt')
    short = project_with(tmp_path / "short", a="title: 한파 대피소 운영")
    result = invoke_sotong(short, "preview", *PERSONA)
    assert "sms:   SMS, " in result.output and ": warning: " not in result.output
