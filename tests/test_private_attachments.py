"""A private notice's attachments (SPEC §16 is silent; the committees'
materials): the files travel inside the emails of exactly the notice's
readers (multipart/mixed, a Korean file name readable by every client), the
email names them with their size, nothing of them is under output/, and
``check`` refuses them on a public notice, missing, of a kind mail services
refuse, or too large for one email."""

from __future__ import annotations

import email
import email.policy
import json
import os
import re

import pytest
from hypothesis import given, strategies as st

from sotong.mail import size_label

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
        assert "첨부 파일 (이 메일에 붙어 있습니다):\n- 2027 후보사업 검토의견.pdf (2KB)\n- 심사표.hwp (3KB)" in text
        assert "2027 후보사업 검토의견.pdf (2KB)" in html and "첨부 파일" in html
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
    ("attachments: [files/big.pdf]", {"big.pdf": 10_400_000},
     "the attachments come to 10.4MB, more than the 10MB mail services take in one email; save the file smaller "
     "(a PDF at a lower picture quality) or split it into notices"),
    # just over: a size rounded to "10MB" would read as no more than the limit
    ("attachments: [files/big.pdf]", {"big.pdf": 10_020_500},
     "the attachments come to 10,021KB, more than the 10MB mail services take in one email; save the file smaller "
     "(a PDF at a lower picture quality) or split it into notices"),
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
