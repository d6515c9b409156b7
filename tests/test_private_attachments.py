"""A private notice's attachments (SPEC §16 is silent; the committees'
materials): the files travel inside the emails of exactly the notice's
readers (multipart/mixed, a Korean file name readable by every client), the
email names them with their size, nothing of them is under output/, and
``check`` refuses them on a public notice, missing, of a kind mail services
refuse, or making an email larger than the mail server takes once in base64
(SMTP_SIZE_LIMIT), an estimate never below the email bundled."""

from __future__ import annotations

import email
import email.policy
import json
import os
import re

import pytest
from hypothesis import given, strategies as st

from sotong.mail import base64_body, base64_size, size_label, size_labels_apart

from project_support import REPO, copy_project, png, run_sotong

SECRET = {"SOTONG_SECRET": "private-attachments-test-secret-of-32-chars"}
SLUG = "2026-12-09-budget-committee-review"
NOTICE = REPO / "content" / "notices" / f"{SLUG}.md"
ISSUE = "2026-12-10"
PDF = b"%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n" * 40
HWP = bytes(range(256)) * 12
PNG = png(40, 30)


def with_front_matter(project, lines: str, notice=NOTICE) -> None:
    """The sample's notice ``notice`` with ``lines`` added to its front matter
    (after line 3), in place of its own attachments."""
    text = [line for line in notice.read_text(encoding="utf-8").split("\n") if not line.startswith("attachments:")]
    text[3:3] = lines.rstrip("\n").split("\n")
    (project / "content" / "notices" / notice.name).write_text("\n".join(text), encoding="utf-8")


@pytest.fixture(scope="module")
def bundled(tmp_path_factory):
    project = copy_project(tmp_path_factory.mktemp("attachments"))
    files = project / "content" / "files"
    files.mkdir(exist_ok=True)
    (files / "2027 후보사업 검토의견.pdf").write_bytes(PDF)
    (files / "심사표.hwp").write_bytes(HWP)
    (project / "content" / "images" / "후보지-검토의견-도면.png").write_bytes(PNG)  # images/ is copied to the site
    with_front_matter(project, "attachments:\n  - files/2027 후보사업 검토의견.pdf\n  - files/심사표.hwp\n"
                               "  - images/후보지-검토의견-도면.png")
    assert run_sotong(project, "subscribers", "import", str(REPO / "sample" / "subscribers.csv"), env=SECRET).code == 0
    built = run_sotong(project, "build", env=SECRET)
    assert built.code == 0, built.output
    result = run_sotong(project, "bundles", "--issue", ISSUE, env=SECRET)
    assert result.code == 0, result.output
    return project


def emails(project) -> list[tuple[dict, email.message.EmailMessage]]:
    outbox = project / "private" / "outbox" / ISSUE
    entries = [json.loads(line) for line in (outbox / "manifest.jsonl").read_text(encoding="utf-8").splitlines()]
    return [(entry, email.message_from_bytes((outbox / entry["file"]).read_bytes(), policy=email.policy.default))
            for entry in entries if entry["channel"] == "email"]


def test_the_files_travel_inside_exactly_the_notices_emails(bundled):
    holders = 0
    for entry, message in emails(bundled):
        files = {part.get_filename(): part.get_content() for part in message.iter_attachments()}
        if SLUG not in entry["notices"]:
            assert files == {} and message.get_content_type() != "multipart/mixed", entry["id"]
            continue
        holders += 1
        assert message.get_content_type() == "multipart/mixed"
        assert files == {"2027 후보사업 검토의견.pdf": PDF, "심사표.hwp": HWP, "후보지-검토의견-도면.png": PNG}
        text = message.get_body(("plain",)).get_content()
        html = message.get_body(("html",)).get_content()
        assert ("첨부 파일 (이 메일에 붙어 있습니다):\n- 2027 후보사업 검토의견.pdf (PDF, 2KB)\n- 심사표.hwp (한글 파일, 3KB)\n"
                "- 후보지-검토의견-도면.png (그림 파일, ") in text  # the kinds a link to a file says (test_file_links)
        assert "2027 후보사업 검토의견.pdf (PDF, 2KB)" in html and "첨부 파일" in html
        assert message.get_body(("related",)) is not None  # the notice's picture stays inline beside them
    assert holders >= 3


def test_nothing_of_the_files_is_under_output(bundled):
    for folder, _dirs, names in os.walk(bundled / "output", followlinks=True):
        assert not [name for name in names if name.endswith((".pdf", ".hwp")) or "검토의견" in name], folder
        for name in (name for name in names if name.endswith((".html", ".xml", ".json", ".txt"))):
            with open(os.path.join(folder, name), encoding="utf-8") as file:
                assert "검토의견" not in file.read(), name


@pytest.mark.parametrize("lines, files, message", [
    ("attachments: files/plan.exe", {"plan.exe": b"MZ"},
     'attachment "files/plan.exe": mail services refuse or strip files of this kind; send a PDF, HWP, Office '
     'document, picture or ZIP, e.g. files/plan.pdf'),
    ("attachments: [files/none.pdf]", {}, 'attachment "files/none.pdf" not found under content/'),
    ("attachments: [../pelicanconf.py]", {}, 'attachment "../pelicanconf.py" must be a path inside content/'),
    ("attachments:\n  - {file: files/a.pdf}", {}, "attachments: write each file as a path under content/ on a "
                                                  "line of its own, e.g.  - files/plan.pdf"),
    # a blank for the file's hyphen: was "not found", put the file there or fix the path
    ("attachments: [files/회의 안건.pdf]", {"회의-안건.pdf": b"%PDF"},
     'attachment "files/회의 안건.pdf" not found under content/: its folder holds 회의-안건.pdf, a name near it; '
     'write files/회의-안건.pdf'),
    # two files written as one text: was "not found", with the second one's path to write alone
    ("attachments: files/a.pdf, files/b.hwp", {"a.pdf": b"%PDF", "b.hwp": b"HWP"},
     "attachments: several files are written as a list, a path under content/ for each: "
     "attachments: [files/a.pdf, files/b.hwp]"),
])
def test_check_refuses_attachments_mail_cannot_carry(tmp_path, lines, files, message):
    project = copy_project(tmp_path)
    (project / "content" / "files").mkdir(exist_ok=True)
    for name, data in files.items():
        with open(project / "content" / "files" / name, "wb") as file:
            file.truncate(data) if isinstance(data, int) else file.write(data)
    with_front_matter(project, lines)
    result = run_sotong(project, "check", env=SECRET)
    assert result.code == 1 and "Traceback" not in result.output
    assert f"content/notices/{NOTICE.name}:4: {message}" in result.output, result.output


TOO_BIG = ("more than the 10.2MB the mail server takes (SMTP_SIZE_LIMIT), which would refuse it: its files ({files} in "
           "all) grow by a third inside an email (base64); save them smaller (a PDF at a lower picture quality), split "
           "them over several notices, or put them where only its readers can download them and give that link in the "
           "text")


@pytest.mark.parametrize("lines, files, settings, message", [
    # 10MB of files passed the rule before; as sent they are 13.7MB, which Postfix's default refuses
    ("attachments: [files/big.pdf]", {"big.pdf": 10_000_000}, "",
     "4: its email will be about 13.8MB as sent, " + TOO_BIG.format(files="10MB")),
    ("attachments: [files/a.pdf, files/b.hwp]", {"a.pdf": 4_000_000, "b.hwp": 3_600_000}, "",
     "4: its email will be about 10.6MB as sent, " + TOO_BIG.format(files="7.6MB")),
    # just over: a size rounded to "10.2MB" would read as no more than the limit; both said in KB
    ("attachments: [files/big.pdf]", {"big.pdf": 7_374_000}, "",
     "4: its email will be about 10,247KB as sent, " + TOO_BIG.format(files="7.4MB").replace("10.2MB", "10,240KB")),
    # a picture travels inside the email too (the sample's notice names one on line 8)
    ("attachments: [files/a.pdf]", {"a.pdf": 3_000_000, "../images/budget-committee-review.png": 5_000_000}, "",
     "4: its email will be about 11.1MB as sent, " + TOO_BIG.format(files="8MB")),
    ("attachments: [files/big.pdf]", {"big.pdf": 10_000_000}, 'SMTP_SIZE_LIMIT = 12_000_000\n',
     "4: its email will be about 13.8MB as sent, " + TOO_BIG.format(files="10MB").replace("10.2MB", "12MB")),
    ("attachments: [files/big.pdf]", {"big.pdf": 1000}, 'SMTP_SIZE_LIMIT = "20MB"\n',
     None),  # the setting's own line, below
])
def test_check_refuses_files_that_make_an_email_larger_than_the_mail_server_takes(tmp_path, lines, files, settings,
                                                                                   message):
    project = copy_project(tmp_path, extra_settings=settings)
    (project / "content" / "files").mkdir(exist_ok=True)
    for name, size in files.items():
        with open(project / "content" / "files" / name, "r+b" if name.endswith(".png") else "wb") as file:
            file.truncate(size)  # a picture's header stays: it still reads as a PNG
    with_front_matter(project, lines)
    result = run_sotong(project, "check", env=SECRET)
    assert result.code == 1 and "Traceback" not in result.output
    if message is None:
        assert ("SMTP_SIZE_LIMIT: is '20MB'; write the largest email the mail server takes, in bytes, a whole number "
                "of 1000000 or more, e.g. SMTP_SIZE_LIMIT = 10240000") in result.output, result.output
    else:
        assert f"content/notices/{NOTICE.name}:{message}" in result.output.splitlines(), result.output


@pytest.mark.parametrize("size, settings", [(7_000_000, ""), (10_000_000, "SMTP_SIZE_LIMIT = 20_000_000\n")])
def test_check_takes_files_whose_email_the_mail_server_takes(tmp_path, size, settings):
    project = copy_project(tmp_path, extra_settings=settings)
    (project / "content" / "files").mkdir(exist_ok=True)
    with open(project / "content" / "files" / "big.pdf", "wb") as file:
        file.truncate(size)
    with_front_matter(project, "attachments: [files/big.pdf]")
    result = run_sotong(project, "check", env=SECRET)
    assert result.code == 0, result.output


def test_the_estimate_of_an_email_is_never_below_the_email_bundled_and_near_it(tmp_path):
    """What check measures against SMTP_SIZE_LIMIT is the email as
    ``sotong bundles`` writes it, whoever reads it: never less (else it
    would pass check and be refused at the send), and no more than its
    HTML's room (HTML_LIMIT in base64) and the headers' above it."""
    from bundles.attachments import carried_files, email_size
    from sotong.project import Project

    project = copy_project(tmp_path)
    files = project / "content" / "files"
    files.mkdir(exist_ok=True)
    (files / "검토의견 전문.pdf").write_bytes(os.urandom(3_000_001))
    (files / "b.hwp").write_bytes(os.urandom(57 * 1000 + 1))
    with_front_matter(project, "attachments:\n  - files/검토의견 전문.pdf\n  - files/b.hwp")
    assert run_sotong(project, "subscribers", "import", str(REPO / "sample" / "subscribers.csv"), env=SECRET).code == 0
    assert run_sotong(project, "build", env=SECRET).code == 0
    assert run_sotong(project, "bundles", "--issue", ISSUE, env=SECRET).code == 0
    sotong = Project(project / "pelicanconf.py")
    notice = next(n for n in sotong.read_notices()[0] if n.slug == SLUG)
    estimate = email_size(notice, carried_files(notice, project / "content"), sotong.renderer.text_html(notice.body))
    sizes = [len((project / "private" / "outbox" / ISSUE / entry["file"]).read_bytes())
             for entry, _message in emails(project) if SLUG in entry["notices"]]
    assert sizes and all(estimate - 160_000 < size <= estimate for size in sizes), (estimate, sizes)


@given(st.integers(0, 20_000))
def test_the_size_of_a_file_in_base64_is_the_length_of_its_encoding(size):
    assert base64_size(size) == len(base64_body(bytes(size)))


def test_check_refuses_attachments_on_a_public_notice(tmp_path):
    project = copy_project(tmp_path)
    public = REPO / "content" / "notices" / "2026-11-05-kimjang-sharing.md"
    (project / "content" / "files").mkdir(exist_ok=True)
    (project / "content" / "files" / "plan.pdf").write_bytes(PDF)
    with_front_matter(project, "attachments: [files/plan.pdf]", public)
    result = run_sotong(project, "check", env=SECRET)
    assert result.code == 1
    assert (f"content/notices/{public.name}:4: attachments go inside a private notice's emails only; a public notice "
            "links its file in its text, e.g. [계획서 내려받기]({static}/files/plan.pdf)") in result.output, result.output


@pytest.mark.parametrize("written, said", [
    ("visibility: 비공개", 'visibility must be one of public, private, not "비공개"; did you mean "private"?'),
    ("visibility: 위원 전용", 'visibility must be one of public, private, not "위원 전용"; did you mean "private"?'),
    ("공개여부: 비공개", 'unknown key "공개여부"; did you mean "visibility"?'),
    ("status: 비공개", "write visibility: private instead of the status line"),
])
def test_a_private_notice_whose_visibility_is_written_wrong_is_one_line_and_its_files_stay_private(tmp_path, written,
                                                                                                      said):
    """visibility: 비공개 was said at its line, and its attachments were told
    at theirs to be linked from the notice's public text: one mistake, two
    lines, the second sending the committee's file to the site."""
    project = copy_project(tmp_path)
    text = NOTICE.read_text(encoding="utf-8").replace("visibility: private", written)
    (project / "content" / "notices" / NOTICE.name).write_text(text, encoding="utf-8")
    result = run_sotong(project, "check", env=SECRET)
    assert result.code == 1
    lines = [line for line in result.output.splitlines() if line.startswith("content/")]
    assert len(lines) == 1 and said in lines[0], result.output
    assert "{static}/files" not in result.output


def test_check_warns_of_an_hwp_attachment_without_its_pdf(tmp_path):
    """The members, many reading on a phone, got the committee's 회의록.hwp,
    which most phones cannot open; check warned of a linked HWP on the site
    but not of an attached one."""
    project = copy_project(tmp_path)
    (project / "content" / "files").mkdir(exist_ok=True)
    for name in ("회의록.hwp", "안건.pdf", "심사표.hwpx", "심사표.pdf"):
        (project / "content" / "files" / name).write_bytes(PDF)
    with_front_matter(project, "attachments: [files/안건.pdf, files/회의록.hwp, files/심사표.hwpx, files/심사표.pdf]")
    result = run_sotong(project, "check", env=SECRET)
    assert result.code == 0, result.output
    warned = [line for line in result.output.splitlines() if "Hangul (HWP)" in line]
    assert warned == [f"content/notices/{NOTICE.name}:4: warning: the attachment files/회의록.hwp is a Hangul (HWP) file, "
                      "which most phones cannot open, so members who read the email on a phone cannot read it; save the "
                      "same content as a PDF too, put it beside it and attach both, e.g. attachments: [files/안건.pdf, "
                      "files/회의록.hwp, files/회의록.pdf, files/심사표.hwpx, files/심사표.pdf]"], result.output


@given(st.integers(0, 50 * 1000 * 1000))
def test_a_files_size_reads_as_a_resident_would_write_it(size):
    """The list of files said "1000KB" for 999,600 bytes and "10.0MB" or
    "1.0MB" near whole megabytes; a size reads "340KB", "1.2MB" or "3MB"."""
    label = size_label(size)
    number, unit = re.fullmatch(r"(\d+(?:\.\d)?)(KB|MB)", label).groups()
    assert not number.endswith(".0") and (unit == "MB" or "." not in number), label
    if unit == "KB":
        assert 1 <= int(number) <= 999 and abs(int(number) * 1000 - size) <= 1000, label
    else:
        assert float(number) >= 1 and abs(float(number) * 1000 * 1000 - size) <= 50 * 1000, label


@given(st.integers(1000, 50 * 1000 * 1000), st.integers(1, 5 * 1000 * 1000))
def test_a_size_over_a_limit_reads_as_more_than_that_limit(limit, more):
    """"10.2MB, more than the 10.2MB the mail server takes": a size just over
    the limit rounded to the limit's own label; and "10,160KB" against
    "10.2MB" read as less. Said apart, the size's number is the larger."""
    size_said, limit_said = size_labels_apart(limit + more, limit)

    def kilobytes(label: str) -> float:
        number, unit = re.fullmatch(r"([\d,]+(?:\.\d)?)(KB|MB)", label).groups()
        return float(number.replace(",", "")) * (1000 if unit == "MB" else 1)

    assert kilobytes(size_said) > kilobytes(limit_said), (size_said, limit_said)
    if size_label(limit + more) != size_label(limit):
        assert (size_said, limit_said) == (size_label(limit + more), size_label(limit))


def test_bundles_and_a_dry_run_count_the_emails_two_private_notices_make_too_large(tmp_path):
    """Each notice's files pass check (its email alone is within
    SMTP_SIZE_LIMIT), but a member gets both in one email, larger than the
    mail server takes: bundles says how many such emails it wrote and whose
    files they hold, and send --dry-run counts the same ones apart."""
    project = copy_project(tmp_path)
    files = project / "content" / "files"
    files.mkdir(exist_ok=True)
    for name in ("a.pdf", "b.pdf"):
        with open(files / name, "wb") as file:
            file.truncate(4_000_000)
    with_front_matter(project, "attachments: [files/a.pdf]")
    minutes = project / "content" / "notices" / "2026-12-08-budget-committee-minutes.md"
    minutes.write_text((project / "content" / "notices" / NOTICE.name).read_text(encoding="utf-8")
                       .replace("files/a.pdf", "files/b.pdf").replace("date: 2026-12-09", "date: 2026-12-08"),
                       encoding="utf-8")
    assert run_sotong(project, "subscribers", "import", str(REPO / "sample" / "subscribers.csv"), env=SECRET).code == 0
    assert run_sotong(project, "check", env=SECRET).code == 0
    assert run_sotong(project, "build", env=SECRET).code == 0
    bundled = run_sotong(project, "bundles", "--issue", ISSUE, env=SECRET)
    holding = [entry for entry, _message in emails(project)
               if {SLUG, minutes.stem} <= set(entry["notices"])]
    assert bundled.code == 0 and holding, bundled.output
    assert (f"  larger than the 10.2MB the mail server takes (SMTP_SIZE_LIMIT): {len(holding)} emails, which sotong "
            f"send would not send; they hold the files of {minutes.stem}, {SLUG}: make them smaller and bundle again, "
            "or send those notices on other days") in bundled.output.splitlines(), bundled.output
    dry = run_sotong(project, "send", "--issue", ISSUE, "--dry-run", env=SECRET)
    assert dry.code == 1 and f"{len(holding)} more emails would not be sent" in dry.output, dry.output
