"""A command-line mistake on any of Sotong's commands and groups (an unknown
option or command, an option without its value, a wrong value, a missing
argument): one Korean line saying what to write, exit 2, not click's three
English-shaped lines ("Usage: ...", "Try ... --help", "Error: ...")."""

import re

import pytest
from project_support import REPO, run_sotong
from test_settings_errors import commands_of

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
    (("subscribers", "generate", "--count", "many", "a.csv"),
     '--count "many"은(는) 쓸 수 없습니다(0부터 10,000,000까지의 정수만 됩니다). 예: --count 82400'),
    # a number option's wrong value: what was typed, what to write, an example
    (("report", "--year", "abc"), '--year "abc"은(는) 쓸 수 없습니다(2000부터 2099까지의 정수만 됩니다). 예: --year 2026'),
    (("report", "--year", "1999"), '--year "1999"은(는) 쓸 수 없습니다(2000부터 2099까지의 정수만 됩니다).'),
    # a year past the days' (schedule.YEARS) as 3000 is, not accepted and then beyond the schedule
    (("report", "--year", "2150"), '--year "2150"은(는) 쓸 수 없습니다(2000부터 2099까지의 정수만 됩니다). 예: --year 2026'),
    (("report", "--year", "3000"), '--year "3000"은(는) 쓸 수 없습니다(2000부터 2099까지의 정수만 됩니다). 예: --year 2026'),
    (("report", "--year"), "--year 뒤에 값을 쓰세요. 예: --year 2026"),
    (("subscribers", "generate", "--seed", "x", "a.csv"), '--seed "x"은(는) 쓸 수 없습니다(정수만 됩니다). 예: --seed 0'),
    (("bundles", "--issue", "2026-11-26", "--jobs", "0"), '--jobs "0"은(는) 쓸 수 없습니다(1 이상의 정수만 됩니다). 예: --jobs '),
    (("bundles", "--sms-budget", "만원"), '--sms-budget "만원"은(는) 쓸 수 없습니다(0 이상의 숫자만 됩니다). 예: --sms-budget 50000'),
    (("send", "--issue", "2026-11-26", "--rate", "0"), '--rate "0"은(는) 쓸 수 없습니다(0보다 큰 숫자만 됩니다). 예: --rate 10'),
    (("send", "--rate", "nan"), '--rate "nan"은(는) 쓸 수 없습니다(0보다 큰 숫자만 됩니다).'),
    (("send", "--port", "2.5"), '--port "2.5"은(는) 쓸 수 없습니다(1부터 65535까지의 정수만 됩니다). 예: --port 587'),
    (("serve", "--threads", "0"), '--threads "0"은(는) 쓸 수 없습니다(1부터 256까지의 정수만 됩니다). 예: --threads 8'),
    (("opinions", "search", "버스", "--limit", "-1"), '--limit "-1"은(는) 쓸 수 없습니다(0 이상의 정수만 됩니다). 예: --limit 100'),
    (("report",), "--year YYYY"),
    # a day or a year typed without its option: the line to write, the other options kept
    (("send", "2026-11-26", "--dry-run"), "날짜 앞에 --issue 옵션을 쓰세요: sotong send --issue 2026-11-26 --dry-run"),
    (("send", "--dry-run", "2026-11-26"), "날짜 앞에 --issue 옵션을 쓰세요: sotong send --dry-run --issue 2026-11-26"),
    (("send", "report", "2026-11-26"), "날짜 앞에 --issue 옵션을 쓰세요: sotong send report --issue 2026-11-26"),
    (("bundles", "2026-11-26", "--jobs", "2"), "날짜 앞에 --issue 옵션을 쓰세요: sotong bundles --issue 2026-11-26 --jobs 2"),
    (("report", "2026"), "연도 앞에 --year 옵션을 쓰세요: sotong report --year 2026"),
    (("report", "-s", "pelicanconf.py", "2026-11-26"),
     "날짜 앞에 --issue 옵션을 쓰세요: sotong report -s pelicanconf.py --issue 2026-11-26"),
    (("newsletter", "next", "2026-11-26"), "날짜 앞에 --after 옵션을 쓰세요: sotong newsletter next --after 2026-11-26"),
    # given its option already: the extra day is what it is
    (("send", "--issue", "2026-11-26", "2026-12-10"), "sotong send에는 2026-12-10 명령이 없습니다"),
    (("send", "2026"), "sotong send에는 2026 명령이 없습니다"),
    (("send", "--notice", "flu-shots", "2026-11-26"), "sotong send에는 2026-11-26 명령이 없습니다"),  # --notice in --issue's place
    (("opinions", "serch", "버스"), "sotong opinions에는 serch 명령이 없습니다. 이렇게 쓰세요: sotong opinions search"),
    # the program's or a group's name typed twice (`sotong` typed, then a line of the guide pasted after it)
    (("sotong", "check"), "sotong을(를) 두 번 썼습니다. 한 번만 쓰세요: sotong check"),
    (("subscribers", "subscribers", "export", "명단 12월.csv"),
     "subscribers을(를) 두 번 썼습니다. 한 번만 쓰세요: sotong subscribers export '명단 12월.csv'"),
    # an empty --host ("$SMTP" unset) sent to SMTP_HOST, or listened on every address
    (("send", "--issue", "2026-11-26", "--host", "", "--dry-run"), "--host: 값이 비어 있습니다. 이대로면 SMTP_HOST로 보내게"),
    (("devserver", "--host", " "), "--host: 값이 비어 있습니다. 이대로면 이 컴퓨터의 모든 주소에서 접속을 받습니다"),
    (("serve", "--host", ""), "0.0.0.0을 쓰세요"),
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


NUMBER_OPTIONS = [("report",), ("subscribers", "generate"), ("subscribers", "import"), ("send",), ("bundles",),
                  ("serve",), ("devserver",), ("opinions", "search")]


@pytest.mark.parametrize("command", NUMBER_OPTIONS, ids=" ".join)
def test_number_options_are_shown_in_korean_in_help(project_dir, command):
    """--help said "INTEGER RANGE", "FLOAT RANGE" and "[2000<=x<=2999]" to staff who read Korean."""
    helped = run_sotong(project_dir, *command, "--help", env={"SOTONG_LANG": "ko"})
    assert helped.code == 0, helped.output
    assert not re.search(r"INTEGER|FLOAT|RANGE|integer|float|\bx\s*[<>]|[<>]=?\s*x\b", helped.stdout), helped.stdout
    assert re.search(r"--\S+ (정수|숫자|WON) ", helped.stdout) and re.search(r"\[[^]]*(정수|숫자)\]", helped.stdout)


def test_the_years_of_year_are_the_days_years(project_dir):
    """--year took 2000-2999 while a day (--issue, a notice's date) lies in
    schedule.YEARS, 2000-2099: --help shows the one range the check holds."""
    from sotong.schedule import YEARS

    helped = run_sotong(project_dir, "report", "--help", env={"SOTONG_LANG": "ko"})
    assert f"[{YEARS[0]}부터 {YEARS[-1]}까지의 정수]" in " ".join(helped.stdout.split()), helped.stdout
    assert (YEARS[0], YEARS[-1]) == (2000, 2099)


@pytest.mark.parametrize("command", [("new",), ("send",), ("serve",), ("devserver",), ("opinions", "search")], ids=" ".join)
def test_a_text_option_names_its_value_in_korean(project_dir, command):
    """--help showed click's "--title TEXT" and "--host TEXT": each value is named, in Korean where staff read it."""
    helped = run_sotong(project_dir, *command, "--help", env={"SOTONG_LANG": "ko"})
    assert helped.code == 0 and "TEXT" not in helped.stdout, helped.stdout
    assert re.search(r"--(title 제목|host 주소|department 부서)\s", helped.stdout), helped.stdout


# a day typed where a command takes a file's name (the staffer meant a day, or forgot the name)
FILE_NAME_SLIPS = [
    (("subscribers", "export", "2026-11-26"), "sotong subscribers export private/구독자-2026-11-26.csv"),
    (("subscribers", "export", "--encoding", "cp949", "2026.11.26"),
     "sotong subscribers export --encoding cp949 private/구독자-2026-11-26.csv"),
    (("subscribers", "export", "20261126"), "sotong subscribers export private/구독자-2026-11-26.csv"),
    (("subscribers", "generate", "2026-11-26", "--count", "3"),
     "sotong subscribers generate 시험용-구독자-2026-11-26.csv --count 3"),
    (("subscribers", "changes", "--since", "2026-11-01", "2026-11-26"),
     "sotong subscribers changes --since 2026-11-01 private/동의변경-2026-11-26.csv"),
    (("opinions", "export", "bus-routes", "2026-11-26"), "sotong opinions export bus-routes private/의견-2026-11-26.csv"),
    # the command's option for a day not given: the day was meant for it, and the file's name forgotten
    (("subscribers", "changes", "2026-11-26"), "날짜 앞에 --since 옵션을, 뒤에 파일 이름을 쓰세요: "
                                               "sotong subscribers changes --since 2026-11-26 private/동의변경-2026-11-26.csv"),
    (("send", "results", "2026.11.26"), "sotong send results --issue 2026-11-26 문자결과-2026-11-26.csv"),
    # --notice names the outbox in --issue's place: the day is not given --issue then
    (("send", "results", "--notice", "flu-shots", "2026-11-26"), "예: sotong send results --notice flu-shots 문자결과-2026-11-26.csv"),
    (("subscribers", "import", "2026-11-26"), "예: sotong subscribers import private/구독자-2026-11-26.csv"),
    # a CSV to write named as Excel's own files, which Excel then refuses to open
    (("subscribers", "export", "명단.xlsx"), "엑셀은 이름이 .csv로 끝나야 이 파일을 엽니다. 이렇게 쓰세요: "
                                            "sotong subscribers export 명단.csv"),
    (("opinions", "export", "bus-routes", "private/의견.XLS"), "sotong opinions export bus-routes private/의견.csv"),
    (("send", "results", "--issue", "2026-11-26", "2026-11-26"),
     "예: sotong send results --issue 2026-11-26 문자결과-2026-11-26.csv"),
    (("subscribers", "unsubscribe", "--phones=2026-11-26"), "예: sotong subscribers unsubscribe --phones=문자거부번호-2026-11-26.txt"),
]


@pytest.mark.parametrize("args, said", FILE_NAME_SLIPS, ids=[" ".join(args) for args, _said in FILE_NAME_SLIPS])
def test_a_slip_in_a_file_name_is_refused_with_the_line_to_write(project_dir, args, said):
    """``sotong subscribers export 2026-11-26`` wrote a CSV named 2026-11-26
    (and ``명단.xlsx`` one Excel would not open): now one Korean line with the
    command as typed and a file's name in the typed one's place, exit 2, and
    no file written."""
    before = sorted(project_dir.rglob("*"))
    result = run_sotong(project_dir, *args, env={"SOTONG_LANG": "ko"})
    assert result.code == 2, result.output
    assert result.stderr.splitlines() == [result.stderr.strip()] and result.stderr.startswith("오류: "), result.stderr
    assert said in result.stderr and result.stdout == "", result.stderr
    assert sorted(project_dir.rglob("*")) == before


def test_a_file_to_read_named_as_a_day_is_read(project_dir, cli):
    """A CSV to import that is there under a day's name is what was meant:
    read as any other (a file to write under such a name is refused above)."""
    (project_dir / "2026-11-26").write_bytes((REPO / "sample" / "subscribers.csv").read_bytes())
    result = cli(project_dir, "subscribers", "import", "2026-11-26", env={"SOTONG_LANG": "ko"})
    assert result.code == 0 and "날짜" not in result.output, result.output


def test_every_file_argument_refuses_a_day():
    """Each command's file to write or read (an argument or option of click's
    Path kind) takes a day's name the same way (sotong.options.FileName): a
    command added with a plain click.Path would write a file named 2026-11-26."""
    import click

    from sotong import signals
    from sotong.cli import cli
    from sotong.options import FileName
    from sotong.project import Project

    Project(REPO / "pelicanconf.py").activate_plugins()
    signals.cli_commands.send(cli)
    params = [(name, param) for name, command in commands_of(cli).items() for param in command.params]
    assert [f"{name} {param.name}" for name, param in params if isinstance(param.type, click.Path)
            and not isinstance(param.type, FileName) and param.name != "settings_path"] == []
    assert len([name for name, param in params if isinstance(param.type, FileName)]) == 7


@pytest.mark.parametrize("command", [("subscribers", "export"), ("subscribers", "changes", "--since", "2026-11-01"),
                                     ("opinions", "export", "bus-routes")], ids=" ".join)
def test_a_file_to_write_that_is_not_the_commands_own_is_not_replaced(project_dir, tmp_path, command):
    """``sotong subscribers export /etc/passwd`` (run as root, as the operator
    may) replaced the system's accounts with the subscribers' CSV: a file to
    write that is there already without the command's suffix (a text, a link
    to one, a device) is refused with the line to write, exit 2, and is left
    as it was."""
    elsewhere = tmp_path / "passwd"
    elsewhere.write_text("root:x:0:0:root:/root:/bin/bash\n")
    (project_dir / "accounts").symlink_to(elsewhere)
    (project_dir / "메모.txt").write_text("직원 메모\n")
    for name in ("accounts", "메모.txt", str(elsewhere)):
        result = run_sotong(project_dir, *command, name, env={"SOTONG_LANG": "ko"})
        assert result.code == 2, result.output
        assert result.stderr.startswith("오류: ") and len(result.stderr.splitlines()) == 1, result.stderr
        assert "이미 있는 다른 파일" in result.stderr and ".csv" in result.stderr, result.stderr
    assert elsewhere.read_text() == "root:x:0:0:root:/root:/bin/bash\n"
    assert (project_dir / "메모.txt").read_text() == "직원 메모\n"


@pytest.mark.parametrize("command, example", [
    (("subscribers", "export"), "구독자-"), (("opinions", "export", "bus-routes"), "의견-")], ids=["subscribers", "opinions"])
def test_a_folder_given_for_the_file_to_write_is_told_the_file_to_write_in_it(project_dir, command, example):
    """``sotong opinions export SLUG private`` (the folder the guide names,
    the file's name left out) was told "private is a file already ... write
    a new file's name", which it is not."""
    (project_dir / "private").mkdir(exist_ok=True)
    for folder in ("private", "private/"):
        result = run_sotong(project_dir, *command, folder, env={"SOTONG_LANG": "ko"})
        assert result.code == 2, result.output
        assert result.stderr.startswith(f"오류: {folder}은(는) 폴더입니다. ") and len(result.stderr.splitlines()) == 1, result.stderr
        assert f" private/{example}" in result.stderr and result.stderr.rstrip().endswith(".csv"), result.stderr


@pytest.mark.parametrize("args", [("new", "--title", "김장\udcff나눔", "--department", "문화체육과", "--category", "culture"),
                                  ("opinions", "search", "\udcb9\udcf6\udcbd\udcba")], ids=["new --title", "opinions search"])
def test_text_typed_in_a_terminal_that_is_not_utf8_is_refused_in_one_line(project_dir, args):
    """A terminal set to EUC-KR types bytes that are not UTF-8: ``sotong new``
    wrote them into the notice as \\uDCFF escapes (which check then refused
    in YAML's words), and a search failed in a traceback. One line now,
    exit 2, no notice written."""
    before = sorted(project_dir.rglob("*.md"))
    result = run_sotong(project_dir, *args, env={"SOTONG_LANG": "ko"})
    assert result.code == 2 and len(result.stderr.splitlines()) == 1, result.output
    assert "UTF-8이 아닌 바이트" in result.stderr and "터미널을 UTF-8로 바꾸고" in result.stderr, result.stderr
    assert sorted(project_dir.rglob("*.md")) == before
