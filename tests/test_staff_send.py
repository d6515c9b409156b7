"""``sotong send --issue D --to ADDRESS --as ID | --persona "..."`` (issue #10):
one reader's real email of an issue, marked [시험], to a staff address,
through a real aiosmtpd server on 127.0.0.1, recorded apart from the journal."""

from __future__ import annotations

import re
import shutil
import sqlite3
from email import policy
from email.parser import BytesParser

import pytest
from delivery_support import SMTPServer, run_cli
from project_support import run_sotong
import test_bundles
from project_support import serving
from test_bundles import ISSUE
from test_survey import LIBRARY, LIBRARY_ANSWER, call, stored_answers

from sotong.project import Project
from sotong.tokens import make_token
from sotong.web import make_app
from survey.rules import survey_token

small = test_bundles.small  # the fixture: the sample project with readers A1, B2, C3

STAFF = "hong@sd.go.kr"


class Keeper:
    """Accepts every message and keeps its envelope and bytes; refuses the
    recipients in ``refuse`` with 550."""

    def __init__(self, refuse=()):
        self.refuse = set(refuse)
        self.mails: list[tuple[str, list, bytes]] = []

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if address in self.refuse:
            return "550 5.1.1 no such user"
        envelope.rcpt_tos.append(address)
        return "250 2.1.5 OK"

    async def handle_DATA(self, server, session, envelope):
        self.mails.append((envelope.mail_from, list(envelope.rcpt_tos), envelope.original_content))
        return "250 2.0.0 OK queued"


def parse(data: bytes):
    return BytesParser(policy=policy.default).parsebytes(data)


def rows(project, table: str) -> list[dict]:
    db = sqlite3.connect(project / "private" / "sotong.db")
    db.row_factory = sqlite3.Row
    try:
        return [dict(r) for r in db.execute(f"SELECT * FROM {table}")]
    except sqlite3.OperationalError:  # the table was never made
        return []
    finally:
        db.close()


def staff_send(project, port: int, *args: str):
    return run_cli(project / "pelicanconf.py", "send", "--issue", ISSUE, "--host", "127.0.0.1", "--port", str(port), *args)


def test_a_subscribers_real_email_goes_to_the_staff_address_marked_and_apart_from_the_journal(small):  # noqa: F811
    bundled = run_cli(small / "pelicanconf.py", "bundles", "--issue", ISSUE)
    assert bundled.code == 0, bundled.output
    real = parse((small / "private" / "outbox" / ISSUE / "email" / "A1.eml").read_bytes())
    with SMTPServer(Keeper()) as server:
        result = staff_send(small, server.port, "--to", STAFF, "--as", "A1")
    assert result.code == 0, result.output
    assert f"to {STAFF}" in result.output and "A1" in result.output
    [(mail_from, recipients, data)] = server.handler.mails
    assert recipients == [STAFF] and mail_from == "sotong@sd.go.kr"
    copy = parse(data)
    assert copy["Subject"] == f"[시험] {real['Subject']}"
    assert [a.addr_spec for a in copy["To"].addresses] == [STAFF]
    real_html, copy_html = (m.get_body(("html",)).get_content() for m in (real, copy))
    unsubscribe = real["List-Unsubscribe"].split(",")[0].strip(" <>")
    assert unsubscribe in real_html and unsubscribe not in copy_html  # no link acts on the real reader
    assert copy["List-Unsubscribe"] != real["List-Unsubscribe"]
    personal = re.compile(r"/(u|p)/[\w.-]+")  # the reader's own links: unsubscribe, preferences
    assert personal.sub("", copy_html) == personal.sub("", real_html)  # otherwise the same message

    assert rows(small, "delivery_messages") == []  # the test marks nothing sent
    [record] = rows(small, "delivery_staff_copies")
    assert record["reader"] == "A1" and record["to_address"] == STAFF and record["answer_code"] == 250
    with SMTPServer(Keeper()) as server:
        real_send = run_cli(small / "pelicanconf.py", "send", "--issue", ISSUE, "--host", "127.0.0.1",
                            "--port", str(server.port))
    assert real_send.code == 0, real_send.output
    assert sorted(r for _f, recipients, _d in server.handler.mails for r in recipients) == ["a1@example.com", "b2@example.com"]


def test_a_persona_with_korean_labels(small):  # noqa: F811
    with SMTPServer(Keeper()) as server:
        result = staff_send(small, server.port, "--to", STAFF, "--persona", "나이=70 dong=응봉동 fields=건강정보,구청소식지")
        assert result.code == 2 and 'unknown key "나이"' in result.output
        assert server.handler.mails == []
        result = staff_send(small, server.port, "--to", STAFF, "--persona", "age=70 dong=응봉동 fields=건강정보,구청소식지")
    assert result.code == 0, result.output
    [(_from, [to], data)] = server.handler.mails
    copy = parse(data)
    assert to == STAFF and copy["Subject"].startswith("[시험] ")
    assert "자궁경부암" not in copy.get_body(("html",)).get_content()  # no gender given: not the women's notice
    [record] = rows(small, "delivery_staff_copies")
    assert record["reader"] == "persona" and record["persona"] == "age=70 dong=응봉동 fields=건강정보,구청소식지"


@pytest.mark.parametrize("args, code, said", [
    (("--as", "A1"), 2, "give the staff address with --to ADDRESS"),
    (("--to", "홍길동 <hong@sd.go.kr>", "--as", "A1"), 2, "is not one email address; write e.g. --to hong@sd.go.kr"),
    (("--to", STAFF), 2, "give the reader: --as ID or --persona"),
    (("--to", STAFF, "--as", "A1", "--persona", "age=3"), 2, "give the reader: --as ID or --persona"),
    (("--to", STAFF, "--as", "Z9"), 1, 'no subscriber with id "Z9"'),
    (("--to", STAFF, "--as", "C3"), 1, "C3 gets no email of the issue of 2026-11-26"),
])
def test_wrong_requests_send_and_record_nothing(small, args, code, said):  # noqa: F811
    with SMTPServer(Keeper()) as server:
        result = staff_send(small, server.port, *args)
    assert result.code == code and said in result.output, result.output
    assert server.handler.mails == [] and rows(small, "delivery_staff_copies") == []


def test_the_reach_command_it_suggests_carries_its_settings(small):  # noqa: F811
    """Run with other settings than pelicanconf.py (the office's publishconf.py), so is the command it gives."""
    shutil.copy(small / "pelicanconf.py", small / "office.py")
    with SMTPServer(Keeper()) as server:
        result = run_cli(small / "office.py", "send", "--issue", ISSUE, "--port", str(server.port), "--to", STAFF,
                         "--as", "C3")
    assert result.code == 1 and result.output.rstrip().endswith(
        "see what each notice reaches with: sotong reach --issue 2026-11-26 -s office.py"), result.output


def test_a_refused_address_is_exit_1_with_the_servers_answer(small):  # noqa: F811
    with SMTPServer(Keeper(refuse={STAFF})) as server:
        result = staff_send(small, server.port, "--to", STAFF, "--as", "B2")
    assert result.code == 1 and "refused the test copy at RCPT: 550 5.1.1 no such user" in result.output
    [record] = rows(small, "delivery_staff_copies")
    assert record["answer_code"] == 550 and rows(small, "delivery_messages") == []


def test_a_copy_larger_than_the_server_takes_is_not_sent_and_says_what_to_do(small):  # noqa: F811
    """Its EHLO said SIZE 2000: the copy is not handed over to be refused
    (552) after the server read it whole, and the line says why and what to do."""
    with SMTPServer(Keeper(), data_size_limit=2000) as server:
        result = staff_send(small, server.port, "--to", STAFF, "--as", "B2")
    assert result.code == 1 and server.handler.mails == []
    assert re.fullmatch(r"the test copy is \d+KB, more than the 2KB the mail server takes \(SIZE\), and so is every "
                        r"email of the issue that carries the same files; make the attachments smaller .*another way\n",
                        result.stderr), result.output


def test_messages_are_in_korean_by_default(small, monkeypatch):  # noqa: F811
    monkeypatch.setenv("SOTONG_LANG", "ko")
    with SMTPServer(Keeper()) as server:
        neither = staff_send(small, server.port, "--to", STAFF)
        nobody = staff_send(small, server.port, "--to", STAFF, "--as", "C3")
        sent = staff_send(small, server.port, "--to", STAFF, "--as", "A1")
        imagined = staff_send(small, server.port, "--to", STAFF, "--persona", "age=70 dong=응봉동 fields=건강정보,구청소식지")
        nobody_imagined = staff_send(small, server.port, "--to", STAFF, "--persona", "age=70 fields=civildefense")
    # an imagined reader is named in Korean, not by its id "persona" ("persona의 2026-11-26 호 이메일")
    assert imagined.code == 0 and "가상 구독자의 2026-11-26 호 이메일" in imagined.output, imagined.output
    assert nobody_imagined.code == 1 and "가상 구독자은(는) 2026-11-26 호 이메일을 받지 않습니다" in nobody_imagined.output
    assert neither.code == 2 and "--to와 함께 어느 구독자 기준으로 만들지 정하세요" in neither.output
    assert nobody.code == 1 and "C3은(는) 2026-11-26 호 이메일을 받지 않습니다" in nobody.output
    assert sent.code == 0 and "구독자에게 보낸 것으로는 기록하지 않았습니다" in sent.output
    # --as names whose email goes to --to, not to whom it goes
    help_text = " ".join(run_sotong(small, "send", "--help", env={"SOTONG_LANG": "ko"}).stdout.split())
    assert "--as ID --to와 함께: 이 구독자가 받을 이메일을 보냅니다." in help_text


def test_a_test_copy_or_a_preview_invites_nobody_to_a_survey(small):  # noqa: F811
    """B2 is among the library survey's readers: the staff copy and the
    preview of B2's email show the invitation, but invite nobody (no
    test-B2, no B2 who never got it), so the survey's rate is not lowered."""
    with SMTPServer(Keeper()) as server:
        result = staff_send(small, server.port, "--to", STAFF, "--as", "B2")
    assert result.code == 0, result.output
    [(_from, _to, data)] = server.handler.mails
    assert "설문 참여하기" in parse(data).get_body(("html",)).get_content()
    preview = run_cli(small / "pelicanconf.py", "preview", "--subscriber", "B2", "--issue", ISSUE)
    assert preview.code == 0, preview.output
    assert "설문 참여하기" in next((small / "private" / "preview").glob("*.html")).read_text(encoding="utf-8")
    assert rows(small, "survey_invitations") == []


def test_a_test_copys_and_a_previews_survey_link_records_no_answer_and_spares_the_readers(small):  # noqa: F811
    """B2's test copy and preview carry test links: the collector shows the
    form marked as a test and takes an answer by it without storing it or
    using B2's one answer (the anonymous library survey would otherwise
    count a staff member's answer as a resident's); B2's own link still
    answers once, and a test link signed with another key is refused."""
    with SMTPServer(Keeper()) as server:
        assert staff_send(small, server.port, "--to", STAFF, "--as", "B2").code == 0
    [(_from, _to, data)] = server.handler.mails
    preview = run_cli(small / "pelicanconf.py", "preview", "--subscriber", "B2", "--issue", ISSUE)
    assert preview.code == 0, preview.output
    pages = [parse(data).get_body(("html",)).get_content(),
             next((small / "private" / "preview").glob("*.html")).read_text(encoding="utf-8")]
    links = [re.search(rf"/surveys/{LIBRARY}\?t=[A-Za-z0-9_.-]+", page).group(0) for page in pages]
    assert f"?t={survey_token(LIBRARY, 'B2')}" not in " ".join(links)  # never the reader's own link
    with serving(make_app(Project(small / "pelicanconf.py"))) as port:
        for link in links:
            status, _, page = call(port, "GET", link)
            assert status == 200 and "시험용 링크입니다. 응답은 기록되지 않습니다" in page
            status, _, page = call(port, "POST", f"/surveys/{LIBRARY}", {"t": link.split("?t=")[1], **LIBRARY_ANSWER})
            assert status == 200 and "답변이 기록되지 않았습니다" in page, page
        assert stored_answers(small) == 0 and rows(small, "survey_tokens_used") == []
        forged = make_token("survey-trial", f"{LIBRARY}:B2", b"not the office's key, but as long as one")
        assert call(port, "GET", f"/surveys/{LIBRARY}?t={forged}")[0] == 403
        assert call(port, "POST", f"/surveys/{LIBRARY}", {"t": forged, **LIBRARY_ANSWER})[0] == 403
        real = survey_token(LIBRARY, "B2")
        assert call(port, "GET", f"/surveys/{LIBRARY}?t={real}")[0] == 200
        assert call(port, "POST", f"/surveys/{LIBRARY}", {"t": real, **LIBRARY_ANSWER})[0] == 303
        assert call(port, "POST", f"/surveys/{LIBRARY}", {"t": real, **LIBRARY_ANSWER})[0] == 409
    assert stored_answers(small) == 1


def test_a_staff_address_whose_domain_is_outside_ascii_goes_in_idna_to_a_server_without_smtputf8(small):  # noqa: F811
    """--to hong@성동구청.kr was refused by a server without SMTPUTF8 with
    'dropped the connection ... run the same command again'; it now goes to
    its IDNA form (envelope and To). One with Hangul before the @ is one
    line saying to write the address in English letters, and nothing goes."""
    with SMTPServer(Keeper()) as server:
        result = staff_send(small, server.port, "--to", "hong@성동구청.kr", "--as", "A1")
        korean = staff_send(small, server.port, "--to", "홍길동@sd.go.kr", "--as", "A1")
    assert result.code == 0, result.output
    [(_from, recipients, data)] = server.handler.mails
    assert recipients == ["hong@xn--2e0bw5j1qmcgl.kr"]
    assert [a.addr_spec for a in parse(data)["To"].addresses] == ["hong@xn--2e0bw5j1qmcgl.kr"]
    assert korean.code == 1 and korean.output.strip().splitlines() == [
        "the address 홍길동@sd.go.kr has characters outside ASCII before the @ and the mail server does not offer "
        "SMTPUTF8 (RFC 6531); give a staff address in English letters after --to"]
