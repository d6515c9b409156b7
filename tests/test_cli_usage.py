"""A command-line mistake on any of Sotong's commands and groups (an unknown
option or command, an option without its value, a wrong value, a missing
argument): one Korean line saying what to write, exit 2, not click's three
English-shaped lines ("Usage: ...", "Try ... --help", "Error: ...")."""

import re

import pytest
from project_support import run_sotong

MISTAKES = [
    (("check", "--setings", "publishconf.py"), "sotong check에는 --setings 옵션이 없습니다. 이렇게 쓰세요: --settings 파일"),
    (("build", "--zzz"), "sotong build에는 --zzz 옵션이 없습니다. 쓸 수 있는 옵션은 -s입니다"),
    (("--verbos", "check"), "sotong에는 --verbos 옵션이 없습니다. 이렇게 쓰세요: --verbose"),
    (("bundle", "--issue", "2026-11-26"), "sotong에는 bundle 명령이 없습니다. 이렇게 쓰세요: sotong bundles"),
    (("bundles", "--issue"), "--issue 뒤에 값을 쓰세요. 예: --issue YYYY-MM-DD"),
    (("send", "report", "--issue"), "--issue 뒤에 값을 쓰세요. 예: --issue YYYY-MM-DD"),
    (("reach", "--isue", "2026-11-26"), "sotong reach에는 --isue 옵션이 없습니다. 이렇게 쓰세요: --issue YYYY-MM-DD"),
    (("subscribers", "import"), "sotong subscribers import에는 FILE.csv이(가) 필요합니다. 함께 쓰세요. "
                                "예: sotong subscribers import FILE.csv"),
    (("subscribers", "imprt", "a.csv"), "이렇게 쓰세요: sotong subscribers import"),
    (("subscribers", "generate", "--count", "many", "a.csv"), "--count: "),
    (("report",), "--year YYYY"),
    (("opinions", "serch", "버스"), "sotong opinions에는 serch 명령이 없습니다. 이렇게 쓰세요: sotong opinions search"),
]


@pytest.mark.parametrize("args, said", MISTAKES, ids=[" ".join(args) for args, _said in MISTAKES])
def test_a_usage_mistake_is_one_korean_line_saying_what_to_write(project_dir, args, said):
    """Each in its own process, as staff run it: click names a value's kind
    (``파일``) in the language the process started in."""
    result = run_sotong(project_dir, *args, env={"SOTONG_LANG": "ko"})
    assert result.code == 2, result.output
    lines = result.stderr.splitlines()
    assert len(lines) == 1 and lines[0].startswith("오류: ") and said in lines[0], result.stderr
    assert re.search("[가-힣]", lines[0].removeprefix("오류: ")) and "Usage" not in result.output
    assert "사용법" not in result.output and "--help' " not in result.output and result.stdout == ""


def test_help_and_a_group_given_nothing_still_show_the_usage(project_dir, cli):
    """--help is click's as before; so is a group given no command (its help)."""
    for args in (("check", "--help"), ("subscribers",)):
        result = cli(project_dir, *args, env={"SOTONG_LANG": "ko"})
        assert result.output.startswith(f"사용법: sotong {args[0]} [OPTIONS]"), result.output
        assert "오류" not in result.output
