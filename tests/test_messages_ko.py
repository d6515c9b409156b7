"""Each rule's message in Korean, the default language (SPEC §12), with the
same ``PATH:LINE: `` prefix as in English (the English is asserted by each
feature's own tests, which run with SOTONG_LANG=en)."""

from __future__ import annotations

import pytest

from test_audiences import BASE, problems_of


@pytest.fixture
def korean(monkeypatch):
    monkeypatch.setenv("SOTONG_LANG", "ko")


@pytest.mark.parametrize("edit, expected", [
    (("segments:", "segment:"),
     'audiences.yaml:12: 알 수 없는 항목 "segment"입니다 (혹시 "segments"인가요?). 쓸 수 있는 항목: fields, '),
    (("    label: 학부모", "    lable: 학부모"),
     'audiences.yaml:14: 대상 조건에 없는 항목 "lable"입니다 (혹시 "label"인가요?). 쓸 수 있는 항목: label, '),
    (("fields: [education]", "fields: [educaton]"),
     'audiences.yaml:16: fields: "educaton"은(는) 정의되지 않았습니다 (혹시 "education"인가요?)'),
    (("age: [30, 59]", "age: 30"), "audiences.yaml:15: age은(는) [최소, 최대]로 쓰고, 정수나 null을 쓰세요. 예: age: [30, 59]"),
    (("age: [30, 59]", "age: [70, 65]"), "audiences.yaml:15: age [70, 65]은(는) 큰 수가 앞에 있습니다. 작은 수를 앞에 쓰세요: age: [65, 70]"),
    (("edition_field: bulletin", "edition_field: bulletn"),
     'audiences.yaml:5: edition_field "bulletn"은(는) fields에 없는 분야입니다 (혹시 "bulletin"인가요?)'),
    (("departments: [문화체육과, 보건소]", "departments: 문화체육과"),
     "audiences.yaml:6: departments는 부서 이름 목록으로 쓰세요. 예: [문화체육과, 보건소]"),
    (("  culture: 문화공연", "  culture: 3"), "audiences.yaml:2: fields.culture에 이름을 글자로 쓰세요. 예: culture: 이름"),
    (("dongs:\n  yongdap: 용답동\n  seongsu1ga1: 성수1가1동\n", "dongs: [yongdap]\n"),
     'audiences.yaml:7: dongs은(는) "키: 한글 이름" 형식으로 쓰세요'),
    (("dongs:\n  yongdap: 용답동\n  seongsu1ga1: 성수1가1동\n", ""),
     'audiences.yaml:1: dongs이(가) 없습니다. "키: 한글 이름" 형식으로 쓰세요'),
    (("segments:\n", "segments: [parents]\nsegment:\n"),
     'audiences.yaml:12: segments는 "대상 이름: 조건" 형식으로 쓰세요'),
    (("  parents:\n    label: 학부모\n    age: [30, 59]\n    fields: [education]\n", "  parents: 30\n"),
     "audiences.yaml:13: 대상 parents은(는) 조건 묶음으로 쓰세요. 예: age: [30, 59]"),
    (("    label: 학부모", "    label: [학부모]"), "audiences.yaml:14: label은 글자로 쓰세요"),
    (("  culture: 문화공연", "  culture： 문화공연"),
     "audiences.yaml:2: culture 뒤의 쌍점이 전각 쌍점(：)입니다. 보통 쌍점(:)과 띄어쓰기로 쓰세요: culture: 문화공연"),
    (("    age: [30, 59]", "    dongs: yongdap"),
     "audiences.yaml:15: dongs은(는) 목록으로 쓰세요. dongs: [yongdap]처럼 쓰세요"),
])
def test_audiences_rules_in_korean(korean, tmp_path, edit, expected):
    old, new = edit
    assert old in BASE
    problems = problems_of(tmp_path, BASE.replace(old, new))
    assert any(p.startswith(expected) for p in problems), problems


def test_a_missing_audiences_file_in_korean(korean, tmp_path):
    from sotong.audiences import load_audiences
    from sotong.problems import SotongError

    with pytest.raises(SotongError) as caught:
        load_audiences(tmp_path / "audiences.yaml")
    assert str(caught.value.problems[0]).endswith(":1: 파일이 없습니다. audiences.yaml을 만드세요 (README 참고)")


@pytest.mark.parametrize("cells, message", [
    ({"id": " "}, "id가 비어 있습니다. 전자소통 시스템의 구독자 id를 쓰세요"),
    ({"id": "=1+1"}, 'id "=1+1"이(가) "="(으)로 시작해 스프레드시트가 수식으로 실행합니다. 전자소통 시스템의 id(글자나 숫자로 시작)를 쓰세요'),
    ({"email": "kim@@naver.com"},
     "email이 올바른 이메일 주소가 아닙니다. 오타(@ 두 개, 띄어쓰기, 도메인 빠짐)가 없는지 확인하세요. 예: name@example.com"),
    ({"dong": "seongsu9"}, 'dong "seongsu9"은(는) audiences.yaml의 동 목록에 없습니다 (혹시 "seongsu2ga3"인가요?)'),
    ({"dong": "성수1가1동"}, 'dong "성수1가1동"은(는) 키가 아니라 이름입니다. "seongsu1ga1"(으)로 쓰세요'),
    ({"fields": "culture;cultrue"}, 'field "cultrue"은(는) audiences.yaml의 분야 목록에 없습니다 (혹시 "culture"인가요?)'),
    ({"fields": "culture,health"}, 'field "culture,health"이(가) 쉼표로 나뉘어 있습니다. ";"로 나누세요. 예: culture;education'),
    ({"channels": "kakao"}, 'channel "kakao"은(는) email이나 sms가 아닙니다. email, sms, 또는 둘 다 email;sms로 쓰세요'),
    ({"channels": "sms", "phone": ""}, "channel에 sms가 있으면 phone 열에 휴대전화 번호를 쓰세요"),
    ({"channels": "email", "email": ""}, "channel에 email이 있으면 email 열에 이메일 주소를 쓰세요"),
    ({"phone": "02-2286-5114"},
     "phone이 휴대전화 번호가 아닙니다 (010과 숫자 8자리, 또는 011, 016~019와 숫자 7~8자리). 010-1234-5678처럼 쓰세요"),
    ({"kind": "company"}, 'kind "company"은(는) person이나 business가 아닙니다. 개인이면 비워 두세요'),
    ({"business_type": "retail"}, "business_type은 사업자에게만 씁니다. 비워 두거나 kind 열에 business를 쓰세요"),
    ({"gender": "X"}, 'gender "X"은(는) F나 M이 아닙니다. F(여) 또는 M(남)을 쓰거나 비워 두세요'),
    ({"birth_year": "85"}, 'birth_year "85"은(는) 네 자리 연도가 아닙니다. 출생 연도를 네 자리로 쓰세요. 예: 1985'),
    ({"birth_year": "1960.3.5"}, 'birth_year "1960.3.5"은(는) 생년월일입니다. 이 열에는 출생 연도만 쓰니 이렇게 쓰세요: 1960'),
    ({"birth_year": "2031"}, 'birth_year "2031"은(는) 미래입니다. 출생 연도를 쓰세요. 예: 1985'),
    ({"birth_year": "1890"}, 'birth_year "1890"은(는) 1900년보다 앞섭니다. 출생 연도에 오타가 없는지 확인하세요'),
    ({"subscribed_at": "2024/3/5"}, 'subscribed_at "2024/3/5"은(는) YYYY-MM-DD 형식이 아닙니다. "2024-03-05"(으)로 쓰세요'),
    ({"subscribed_at": "2024-02-30"}, 'subscribed_at "2024-02-30"은(는) 달력에 없는 날입니다. 월과 일을 확인하세요'),
    ({"unsubscribed_at": "last week"}, 'unsubscribed_at "last week"은(는) 날짜가 아닙니다. YYYY-MM-DD로 쓰세요. 예: 2024-03-05'),
])
def test_subscriber_rows_rules_in_korean(korean, cells, message):
    from test_subscribers import errors_of

    assert errors_of(**cells) == [message]


def test_subscribers_import_speaks_korean(sotong, project_dir):
    """The command, in Korean by default: the bad row's line, the summary, exit 1."""
    from test_subscribers import GOOD, csv_text

    (project_dir / "s.csv").write_text(csv_text(GOOD, dict(GOOD, id="S2", gender="X")), encoding="utf-8")
    result = sotong(project_dir, "subscribers", "import", "s.csv", env={"SOTONG_LANG": ""})
    assert result.code == 1
    assert 's.csv:3: gender "X"은(는) F나 M이 아닙니다. F(여) 또는 M(남)을 쓰거나 비워 두세요' in result.stderr
    assert "s.csv: 추가 1명, 변경 0명, 그대로 0명, 거부 1명." in result.stdout


@pytest.mark.parametrize("settings, expected", [
    ("PLUGINS = [\n", "pelicanconf.py:{line}: 설정 파일이 올바른 파이썬이 아닙니다: "),
    ("SMTP_PORT = 0\n", "pelicanconf.py:{line}: SMTP_PORT: 값이 0입니다. 포트 번호, 1부터 65535까지의 정수(으)로 쓰세요. 예: SMTP_PORT = 25"),
    ('HOMEPAGE = {"section_size": 0}\n', 'pelicanconf.py:{line}: HOMEPAGE: "section_size"이(가) 0입니다. 구청 홈페이지 구역에 보여 줄 '
                                         '공지 수, 1부터 100까지의 정수(으)로 쓰세요. 예: HOMEPAGE = {{"section_size": 10}}'),
    ('SMS_PRICE = "9원"\n', "pelicanconf.py:{line}: SMS_PRICE: 값이 '9원'입니다. 메시지 한 건의 요금을 원 단위 숫자로 쓰세요. "
                          "예: SMS_PRICE = 9"),
    ("HOMEPAGE = 5\n", 'pelicanconf.py:{line}: HOMEPAGE: 중괄호 {{ }} 안에 "항목": 값을 쓴 묶음으로 쓰세요. 예: HOMEPAGE = {{'),
    ('HOMEPAGE = {"section_sise": 5}\n', 'pelicanconf.py:{line}: HOMEPAGE: 알 수 없는 항목 "section_sise"입니다 '
                                        '(혹시 "section_size"인가요?). 쓸 수 있는 항목: section_size'),
])
def test_settings_errors_in_korean(sotong, project_dir, settings, expected):
    path = project_dir / "pelicanconf.py"
    text = path.read_text(encoding="utf-8") + settings
    path.write_text(text, encoding="utf-8")
    result = sotong(project_dir, "check", env={"SOTONG_LANG": "ko"})
    assert result.code == 1
    assert expected.format(line=len(text.splitlines())) in result.stderr, result.stderr


def test_missing_settings_and_help_in_korean(sotong, tmp_path):
    missing = sotong(tmp_path, "check", env={"SOTONG_LANG": "ko"})
    assert missing.code == 1
    # it said "-s 파일 을 주세요", a stray space and no file to write after -s
    assert ("pelicanconf.py: 설정 파일이 없습니다. 프로젝트 폴더에서 sotong을 실행하거나, -s 뒤에 설정 파일 이름을 쓰세요. "
            "예: -s publishconf.py" in missing.stderr)
    helped = sotong(tmp_path, "check", "--help", env={"SOTONG_LANG": "ko"})
    words = " ".join(helped.stdout.split())  # laid out for the terminal: read word by word
    assert "공지, 페이지, audiences.yaml과 플러그인의 파일·설정을 검사하고 문제를 모두 알려 줍니다." in words
    assert "설정 파일 (pelicanconf.py 또는 publishconf.py)." in words


@pytest.mark.parametrize("args, code, expected", [
    (["bundles"], 2, "--issue YYYY-MM-DD 또는 --notice SLUG 중 하나를 주세요"),
    (["bundles", "--issue", "2026-11-25"], 2,
     "2026-11-25은(는) 발행일(둘째·넷째 목요일)이 아닙니다. 바로 앞 발행일은 2026-11-12, 다음 발행일은 2026-11-26입니다"),
    # a day off by one: the outbox to send or report on is most often the issue before it
    (["send", "--issue", "2026-11-27"], 2,
     "2026-11-27은(는) 발행일(둘째·넷째 목요일)이 아닙니다. 바로 앞 발행일은 2026-11-26, 다음 발행일은 2026-12-10입니다"),
    (["send", "report", "--issue", "2026-11-27"], 2, "바로 앞 발행일은 2026-11-26"),
    (["send", "results", "--issue", "2026-11-27", "results.csv"], 2, "바로 앞 발행일은 2026-11-26"),
    (["report", "--issue", "2026-11-27"], 2, "바로 앞 발행일은 2026-11-26"),
    (["send", "--notice", "2026-11-21-cold-wave-warning.md"], 2,
     '"2026-11-21-cold-wave-warning.md"은(는) 공지 slug가 아닙니다. 공지 파일 이름을 .md 없이 쓰세요'),
    (["newsletter", "list", "--from", "2026-12-01", "--to", "2026-11-01"], 2,
     "--from 2026-12-01이(가) --to 2026-11-01보다 뒤여서 그 사이에 든 날이 없습니다. 두 날짜를 바꿔 쓰세요"),
    (["newsletter", "next", "--after", "26-11-01"], 2,
     '--after "26-11-01"은(는) 날짜가 아닙니다. YYYY-MM-DD로 쓰세요. 예: --after 2026-11-01'),
    (["send", "report", "--issue", "2026-11-26"], 1,
     "2026-11-26은(는) 아직 기록에 없습니다. 먼저 보내세요: sotong send --issue 2026-11-26"),
    (["newsletter", "list", "--from", "2026-11-01", "--to", "2026-11-30"], 0,
     "발행일          호수   소식지    전체  공지 날짜 범위\n2026-11-12"),
    (["report"], 2, "--year YYYY, --issue YYYY-MM-DD, --notice SLUG 중 하나를 주세요"),
    (["reach", "2026-11-26"], 1, 'slug가 "2026-11-26"인 공지가 없습니다. 그날 발행하는 호를 보려면 --issue 2026-11-26(으)로 쓰세요'),
    (["bundles", "--notice", "kimjang"], 1,  # nothing close to it: what a slug is, and one
     'slug가 "kimjang"인 공지가 없습니다. 공지의 slug는 파일 이름에서 .md를 뺀 것(또는 slug: 줄)입니다. 예: 2026-12-'),
    (["reach", "2026-11-21-cold-wave-warning", "--issue", "2027-01-14"], 1,
     "2026-11-21-cold-wave-warning은(는) 2027-01-14 호가 아니라 2026-11-26 호에 있습니다 (공지 날짜 2026-11-21). "
     "sotong reach 2026-11-21-cold-wave-warning --issue 2026-11-26 명령으로 보세요"),
    (["survey", "results", "no-such-survey"], 1, 'content/surveys/에 설문 "no-such-survey"이(가) 없습니다'),
    (["subscribers", "forget", "S404"], 1, '저장소에 구독자 "S404"도, 그 id의 기록도 없습니다.'),
    (["send", "--help"], 0, "발송함의 이메일을 SMTP 서버로 보내고, 문자는 문자 발송 대행사에 넘긴 것으로 기록합니다."),
    (["send", "results", "--help"], 0, "결과 파일이 다루는 문자를 보낸 호."),  # as --notice's: 결과 파일이 다루는 문자를 보낸 단독 공지 발송함
    (["subscribers", "changes", "--help"], 0, "--since YYYY-MM-DD  내보낼 첫날"),  # not click's "[%Y-%m-%d]"
    (["bundles", "--help"], 0, "sotong bundles --notice SLUG        ->  private/outbox/SLUG/"),
])
def test_plugin_commands_speak_korean(sotong, project_dir, args, code, expected):
    from sotong.store import Store

    (project_dir / "private").mkdir(exist_ok=True)
    Store.open(project_dir / "private" / "sotong.db").close()  # a store there, as sotong subscribers import leaves one
    result = sotong(project_dir, *args, env={"SOTONG_LANG": "ko"})
    assert result.code == code, result.output
    if "--help" in args:  # laid out for the terminal: read word by word
        assert " ".join(expected.split()) in " ".join(result.output.split()), result.output
    else:
        assert expected in result.output


@pytest.mark.parametrize("line, expected", [
    ("deparment: 보건소", '알 수 없는 항목 "deparment"입니다 (혹시 "department"인가요?). 쓸 수 있는 항목: title, '),
    ("audiences: [parnets]", '알 수 없는 대상 "parnets"입니다 (혹시 "parents"인가요?). audiences.yaml의 대상 이름이나'),
    ("audiences: [전체]", '"전체"은(는) 대상 이름이 아닙니다. 분야(category)를 고른 모든 분께 보내려면 audiences 줄을 지우세요'),
    ("audiences: [60세 이상]", '"60세 이상"은(는) 대상 이름이 아니라 조건입니다. 이 항목 자리에 조건 묶음을 쓰세요: {age: [60, null]}'),
    ("audiences: [성수1가1동]", '"성수1가1동"은(는) 대상 이름이 아니라 조건입니다. 이 항목 자리에 조건 묶음을 쓰세요: {dongs: [seongsu1ga1]}'),
    ("audiences: parents", "audiences는 목록으로 쓰세요. audiences: [parents]처럼 쓰세요"),
    ("channels: [homepage, kakao]", '알 수 없는 channel "kakao"입니다. 쓸 수 있는 것: homepage, '),
    ("channels: []", "channels가 비어 있습니다. 기본값 ["),
    ("summary: " + "가" * 201, "summary가 201자입니다. 200자 이내로 줄이세요"),
    ("sms: 한파 ☃ 주의 🥶", '문자 내용에 휴대전화 문자로 보일 수 없는 "☃ 🥶"이(가) 있습니다.  sms: "한파 주의"  처럼 쓰세요'),
    ("sms: 한파 𠀀 주의", '문자 내용에 휴대전화 문자로 보일 수 없는 "𠀀"이(가) 있습니다. 지우거나 보통 한글로 쓰세요'),
    ("expires: 2026-13-01", 'expires 날짜를 알아볼 수 없습니다: "2026-13-01". YYYY-MM-DD 형식으로 쓰세요. 예: expires: 2026-12-31'),
    ("expires: 2026-11-01", "expires(2026-11-01)가 date(2026-11-05)보다 앞서서 공지가 한 번도 게시되지 않습니다."),
    ("expires: 2100-11-01", 'expires "2100-11-01"은(는) 2100년입니다. 공지 날짜는 2000~2099년 사이여야 하니 연도를 확인하세요. 공지를 계속 게시하려면 expires를 빼세요'),
    ("event: 2026-11-20", "event는 묶음으로 쓰세요. 예:  event: {start: 2026-11-20 14:00, "),
    ("event: {start: 2026-11-20 14:00, end: 2026-11-20 13:00}",
     "event의 end가 start(2026-11-20 14:00)보다 앞섭니다. end를 그 뒤로 쓰세요. 예: end: 2026-11-20 15:00"),
    ("event: {start: tomorrow}",
     'event start 날짜를 알아볼 수 없습니다: "tomorrow". YYYY-MM-DD 또는 YYYY-MM-DD HH:MM 형식으로 쓰세요. 예: start: 2026-11-05 14:00'),
    ("event: {end: 2026-11-20}", "event에 start가 필요합니다. 예: start: 2026-11-20 14:00"),
    ("event: {start: 2026-12-01 ~ 2027-02-28}", 'event start "2026-12-01 ~ 2027-02-28"은(는) 기간입니다. 시작은 start 줄에, '
     "끝은 그 아래 end 줄에 따로 쓰세요: start: 2026-12-01, end: 2027-02-28"),
    ("start: 2026-11-20 14:00",
     "start은(는) event에 딸린 항목입니다. event: 줄 아래에 두 칸 들여 쓰거나, 한 줄로 쓰세요: event: {start: 2026-11-20 14:00}"),
    ("event: {start: 2026-11-20, room: 1}", 'event에 없는 항목 "room"입니다. 쓸 수 있는 항목: start, end, place'),
    ("image: images/missing.svg\nimage_alt: 그림", 'image "images/missing.svg"을(를) content/ 아래에서 찾을 수 없습니다.'),
    ("image: /etc/passwd\nimage_alt: 그림", 'image "/etc/passwd"은(는) content/ 안의 경로로, 맨 앞의 /나 ..없이 쓰세요.'),
    ("image_alt: 그림", "image 없이 image_alt만 있습니다. image: images/파일 을 쓰거나 image_alt를 지우세요"),
    ("priority: high", 'priority은(는) normal, urgent 중 하나여야 합니다. "high"은(는) 쓸 수 없습니다'),
    ("priority: 긴급", 'priority은(는) normal, urgent 중 하나여야 합니다. "긴급"은(는) 쓸 수 없습니다 (혹시 "urgent"인가요?)'),
    ("priority: 중요", 'priority은(는) normal, urgent 중 하나여야 합니다. "중요"은(는) 쓸 수 없습니다 (혹시 "urgent"인가요?)'),
    ("status: 초안", 'status은(는) published, draft 중 하나여야 합니다. "초안"은(는) 쓸 수 없습니다 (혹시 "draft"인가요?)'),
    ("status: 공개", 'status은(는) published, draft 중 하나여야 합니다. "공개"은(는) 쓸 수 없습니다 (혹시 "published"인가요?)'),
    ("status: 임시저장", 'status은(는) published, draft 중 하나여야 합니다. "임시저장"은(는) 쓸 수 없습니다 (혹시 "draft"인가요?)'),
    ("status: 임시 저장", 'status은(는) published, draft 중 하나여야 합니다. "임시 저장"은(는) 쓸 수 없습니다 (혹시 "draft"인가요?)'),
    # 비공개 may mean a draft, or a notice sent to its audiences only (SPEC §16): both are said
    ("status: 비공개", 'status은(는) published, draft 중 하나여야 합니다. "비공개"은(는) 쓸 수 없습니다 (혹시 "draft"인가요?). '
                    "받을 대상에게만 이메일로 보내려는 것이라면 status 줄 대신 visibility: private 줄을 쓰세요"),
    ("status: private", 'status은(는) published, draft 중 하나여야 합니다. "private"은(는) 쓸 수 없습니다 (혹시 "draft"인가요?). '
                     "받을 대상에게만 이메일로 보내려는 것이라면 status 줄 대신 visibility: private 줄을 쓰세요"),
    ("status: 게시", 'status은(는) published, draft 중 하나여야 합니다. "게시"은(는) 쓸 수 없습니다 (혹시 "published"인가요?)'),
    ("status: 발행", 'status은(는) published, draft 중 하나여야 합니다. "발행"은(는) 쓸 수 없습니다 (혹시 "published"인가요?)'),
    ("visibility: 비공개", 'visibility은(는) public, private 중 하나여야 합니다. "비공개"은(는) 쓸 수 없습니다 (혹시 "private"인가요?)'),
    ("visibility: 공개", 'visibility은(는) public, private 중 하나여야 합니다. "공개"은(는) 쓸 수 없습니다 (혹시 "public"인가요?)'),
    # SPEC §16: what staff wrote on a committee's papers, and what to write instead
    ("channels: [email, sms, homepage]\nvisibility: private\naudiences: [budget-committee]",
     "비공개 공지는 이메일로만 보내고 sms, homepage(으)로는 보내지 않습니다. channels: [email]로 쓰세요"),
    ("visibility: private", "비공개 공지는 받을 대상(모임이나 대상 구분)을 써야 합니다. 예: audiences: [budget-committee]"),
    ("channels: [홈페이지]", '알 수 없는 channel "홈페이지"입니다 (혹시 "homepage"인가요?). 쓸 수 있는 것: homepage, '),
    ("audiences: [어르신]", '알 수 없는 대상 "어르신"입니다 (혹시 "seniors"인가요?). '),
    ("audiences: [학부모]", '알 수 없는 대상 "학부모"입니다 (혹시 "parents"인가요?). '),
    ("expires: 2026-12-30 18:00:00", 'expires 날짜를 알아볼 수 없습니다: "2026-12-30 18:00:00". YYYY-MM-DD 형식으로 쓰세요. 예: expires: 2026-12-30'),
    ("slug: 'a b'", 'slug "a b"에는 영문자, 숫자, 하이픈(-)만 쓸 수 있습니다. 예: slug: singing-contest-2026'),
    ("summary: [a, b]", "summary에는 목록 말고 글 하나를 한 줄로 쓰세요."),
    ("summary: yes", 'summary이(가) true(으)로 읽힙니다 (YAML은 yes, no, on, off를 그렇게 읽습니다). 값을 큰따옴표로 감싸세요'),
])
def test_notice_rules_in_korean(korean, tmp_path, line, expected):
    from test_notices import only_problem, with_line

    message = only_problem(tmp_path, with_line(line))
    assert message.startswith("notice.md:6: " + expected), message


@pytest.mark.parametrize("text, expected", [
    ("title: 제목\n본문", "notice.md:1: 파일은 '---' 줄로 시작하고, 머리말(title:, date: ...)을 쓴 뒤 다시 '---' 줄을 써야 합니다"),
    ("---\ntitle: 제목\n본문", "notice.md:3: 1번째 줄에서 연 머리말을 닫는 '---' 줄이 없습니다. 본문이 이 줄에서 시작하는 것 "
                         "같으니 이 줄 위에 --- 만 있는 줄을 넣으세요"),
    ("---\ntitle: 제목\n\n본문", "notice.md:3: 1번째 줄에서 연 머리말을 닫는 '---' 줄이 없습니다. 본문이 이 빈 줄 다음에서 "
                             "시작하는 것 같으니 이 빈 줄에 --- 를 쓰세요"),
    ("---\ntitle: 제목\n", "notice.md:2: 1번째 줄에서 연 머리말을 닫는 '---' 줄이 없습니다. 이 마지막 줄 다음에 --- 만 있는 "
                         "줄을 넣고 그 아래에 본문을 쓰세요"),
    ("---\ntitle: 제목\n---\ndate: 2026-11-05\n---\n본문", "notice.md:3: 이 '---' 줄에서 머리말이 너무 일찍 닫혀, 그 아래 "
     "5번째 줄의 '---'까지 있는 줄(date:)이 본문으로 읽힙니다. 이 줄을 지우세요"),
    ("---\ntitle: 제목\ndate: 2026-11-05\ndepartment: 문화체육과\n---\n본문",
     "notice.md:1: category이(가) 필요합니다.  category: culture  같은 줄을 넣으세요"),
    ("---\ntitle: \"한 줄\\n둘째 줄\"\ndate: 2026-11-05\ndepartment: 문화체육과\ncategory: culture\n---\n본문",
     "notice.md:2: 제목은 한 줄로 쓰세요"),
    ("---\ntitle: " + "가" * 101 + "\ndate: 2026-11-05\ndepartment: 문화체육과\ncategory: culture\n---\n본문",
     "notice.md:2: 제목이 101자입니다. 100자 이내로 줄이세요 (자세한 내용은 본문에 쓰세요)"),
    ("---\ntitle: 제목\ndate: 2026-11-05\ndepartment: 문화체육과\ncategory: cultrue\n---\n본문",
     'notice.md:5: 알 수 없는 분야 "cultrue"입니다 (혹시 "culture"인가요?). audiences.yaml의 분야를 키나 한글 이름으로 쓰세요: '),
    ("---\ntitle: 제목\ndate: 2026-11-05\ndepartment: 문화체육과\ncategory: 생활 정보\n---\n본문",
     'notice.md:5: 알 수 없는 분야 "생활 정보"입니다 (혹시 "생활정보"인가요?). '),
    ("---\ntitle: 제목\ndate: 2026-11-05\ndepartment: 문화체육과\ncategory: culture\naudiences: [{dongs: [왕십리 2동]}]\n---\n본문",
     'notice.md:6: dongs: "왕십리 2동"은(는) 정의되지 않았습니다 (혹시 "왕십리2동"인가요?). 쓸 수 있는 것: 왕십리2동, 왕십리도선동, '),
    ("---\ntitle: 제목\ndate: 2026-11-05\ndepartment: 문화체육과\ncategory: culture\naudiences: [{dongs: [성수동]}]\n---\n본문",
     'notice.md:6: dongs: "성수동"은(는) 정의되지 않았습니다. 쓸 수 있는 것: 왕십리2동, '),
    ("---\ntitle: 제목\ndate: 2026-11-05\ndepartment: 문화체육팀\ncategory: culture\n---\n본문",
     'notice.md:4: 알 수 없는 부서 "문화체육팀"입니다 (혹시 "문화체육과"'),
    ("---\ntitle: 제목\ndate: 2026-11-05\ndepartment: 문화체육과\ncategory: culture\nimage: images/x.png\n---\n본문",
     "notice.md:6: image가 있으면 image_alt도 써야 합니다. 그림을 볼 수 없는 분을 위해 그림을 설명하세요."),
])
def test_notice_structure_rules_in_korean(korean, tmp_path, text, expected):
    from test_notices import read

    _notice, problems = read(tmp_path, text)
    assert any(str(p).startswith(expected) for p in problems), problems


def test_an_unknown_department_in_korean(korean):
    """Two sentences, each ended, with a suggestion or without (not '입니다; 부서 목록은')."""
    from sotong.audiences import unknown_department

    where = "부서 목록은 audiences.yaml의 departments: 아래에 있습니다 (새 부서는 거기에 추가하세요)"
    assert unknown_department("zzz", ["문화체육과", "보건소"]) == f'알 수 없는 부서 "zzz"입니다. {where}'
    assert unknown_department("보건서", ["문화체육과", "보건소", "보건위생과"]) == (
        f'알 수 없는 부서 "보건서"입니다 (혹시 "보건소" (또는 보건위생과)인가요?). {where}')


def test_sotong_new_asks_again_in_korean(korean, tmp_path):
    """A wrong answer to sotong new's question, said as check says it (알 수 없는 분야 ...)."""
    from project_support import copy_project
    from test_new import new

    result = new(copy_project(tmp_path, notices=False), "김장 나눔\n보건소\n건강\n건강정보\n", "--date", "2026-12-01")
    assert result.exit_code == 0, result.output
    assert '알 수 없는 분야 "건강"입니다 (혹시 "건강정보"인가요?). 다음 중 키나 한글 이름을 고르세요: ' in result.output, result.output


def test_surveys_and_banners_rules_in_korean(sotong, project_dir):
    """check's messages for a survey and a banner, in Korean by default."""
    banner = project_dir / "content" / "banners" / "gov24-certificates.yaml"
    banner.write_text(banner.read_text(encoding="utf-8").replace("placements: [site, newsletter, email]",
                                                                 "placements: [sites]"), encoding="utf-8")
    survey = project_dir / "content" / "surveys" / "library-satisfaction.yaml"
    survey.write_text(survey.read_text(encoding="utf-8") + "colour: blue\n", encoding="utf-8")
    result = sotong(project_dir, "check", env={"SOTONG_LANG": ""})
    assert result.code == 1
    assert ('content/banners/gov24-certificates.yaml:8: 알 수 없는 위치 "sites"입니다 (혹시 "site"인가요?). '
            "다음 중에서 고르세요: site, newsletter, email") in result.stderr
    assert 'library-satisfaction.yaml:' in result.stderr and '알 수 없는 항목 "colour"입니다. 설문에 쓸 수 있는 항목: ' in result.stderr


def test_prices_and_persona_in_korean(korean):
    from bundles.persona import PersonaError, parse_persona
    from sotong.sms import won
    from test_notices import AUDIENCES

    assert won(1234) == "1,234원" and won(8.4) == "8.4원"
    with pytest.raises(PersonaError) as caught:
        parse_persona("age=34 birth_year=1990", AUDIENCES, 2026)
    assert str(caught.value) == "age와 birth_year 중 하나만 주세요"


def test_delivery_settings_in_korean(sotong, project_dir):
    with open(project_dir / "pelicanconf.py", "a", encoding="utf-8") as settings:
        settings.write('DKIM_DOMAIN = "sd.go.kr"\n')
    result = sotong(project_dir, "check", env={"SOTONG_LANG": "ko"})
    assert result.code == 1
    assert ('pelicanconf.py:1: DKIM_SELECTOR: DNS 선택자로 쓰세요. 예: DKIM_SELECTOR = "sotong2026" '
            "(DKIM에는 DKIM_DOMAIN, DKIM_SELECTOR, DKIM_KEY_PATH이(가) 모두 필요합니다)") in result.stderr
    assert result.stderr.endswith("문제 2건.\n")


def test_a_notice_saved_as_cp949_says_how_to_save_it_as_utf8(sotong, empty_project_dir):
    """Korean Windows' Notepad saves as ANSI (CP949) unless told: the line says where to choose UTF-8."""
    from test_notices import GOOD

    (empty_project_dir / "content" / "notices" / "2026-11-05-cold.md").write_bytes(GOOD.encode("cp949"))
    result = sotong(empty_project_dir, "check", env={"SOTONG_LANG": ""})
    assert result.code == 1 and result.stderr == (
        "content/notices/2026-11-05-cold.md:2: 파일이 UTF-8 글자가 아닙니다. 인코딩을 UTF-8로 골라 다시 저장하세요 "
        "(메모장: 다른 이름으로 저장, 인코딩: UTF-8)\n")


def test_the_machines_reasons_in_korean(korean, tmp_path):
    """The C library's English words for a full disk, a folder where a file
    should be, a port in use, inside a Korean line; other errno values as
    the C library says them."""
    import errno
    import socket

    from sotong.audiences import load_audiences
    from sotong.problems import SotongError, file_system_trouble, os_reason

    (tmp_path / "audiences.yaml").mkdir()
    with pytest.raises(SotongError) as caught:
        load_audiences(tmp_path / "audiences.yaml")
    assert str(caught.value.problems[0]).endswith(
        ":1: 파일을 읽을 수 없습니다(파일이 아니라 폴더임). 설정의 AUDIENCES_PATH가 audiences.yaml 파일을 가리키게 하세요")
    full = file_system_trouble(OSError(errno.ENOSPC, "No space left on device", "output/index.html"))
    assert str(full.problems[0]).startswith("output/index.html: 디스크 공간 없음")
    assert os_reason(OSError(errno.EADDRINUSE, "Address already in use")) == "다른 프로그램이 이미 쓰는 주소"
    assert os_reason(OSError(errno.ENOEXEC, "Exec format error")) == "Exec format error"
    # a mail server's name that names no server (sotong send --host, SMTP_HOST) was said in English
    with pytest.raises(socket.gaierror) as unknown_host:
        socket.getaddrinfo("nosuch.invalid", 25)  # .invalid never resolves (RFC 2606); offline, the lookup fails
    assert os_reason(unknown_host.value) in ("이 이름의 서버를 찾을 수 없음", "서버 이름을 주소로 바꾸지 못함 (잠시 뒤 다시 해 보세요)")


def test_sqlites_reasons_in_korean(korean, tmp_path):
    from sotong.problems import SotongError
    from sotong.store import Store

    (tmp_path / "words.db").write_bytes(b"not a database, a note\n" * 100)
    with pytest.raises(SotongError) as caught:
        Store.open(tmp_path / "words.db")
    assert str(caught.value.problems[0]).startswith(f"{tmp_path / 'words.db'}: SQLite 데이터베이스가 아니거나 손상되었습니다"), caught.value
    assert "(데이터베이스 파일이 아님)" in str(caught.value.problems[0])
