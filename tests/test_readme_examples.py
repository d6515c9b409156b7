"""README.md's examples, as the commands answer them now: the notice it
shows passes ``sotong check``; the problems it shows are check's own lines;
its table of categories names each field as audiences.yaml does (a Korean
name written from the table must be one check takes); and its
``sotong newsletter list`` is what the command prints on the sample. They
were written once and the code moved on (a message grew a hint, the
sample a notice) without them."""

from __future__ import annotations

import re
from pathlib import Path

import yaml

from delivery_support import run_cli
from project_support import copy_project

ROOT = Path(__file__).resolve().parent.parent
README = (ROOT / "README.md").read_text(encoding="utf-8")


def fenced_after(marker: str, language: str = "") -> str:
    """The first fenced block after ``marker`` in the README."""
    found = re.search(re.escape(marker) + rf".*?^```{language}\n(.*?)^```", README, re.M | re.S)
    assert found, f"README.md: no ```{language} block after {marker!r}"
    return found.group(1)


def test_the_notice_the_readme_shows_passes_check(tmp_path):
    copy_project(tmp_path, notices=False)
    notice = fenced_after("The file starts with a header", "markdown")
    (tmp_path / "content" / "notices" / "2026-11-20-kimjang-sharing.md").write_text(notice, encoding="utf-8")
    ran = run_cli(tmp_path / "pelicanconf.py", "check")
    assert ran.code == 0, ran.output


# The notices that make the README's three problems (the README shows what check says of them).
MISTAKES = {
    "2026-11-05-kimjang.md": "title: 성동구: 김장 나눔\ndate: 2026-11-05\ndepartment: 복지정책과\ncategory: living\n",
    "2026-11-06-hygiene.md": "title: 위생 교육\ndate: 2026-11-06\ndepartment: 보건위생팀\ncategory: health\n",
    "2026-11-07-vote.md": "title: 주민 투표\ndate: 2026-11-07\ndepartment: 기획예산과\ncategory: survey\n"
                          "audiences: [parnets]\n",
}


def test_the_problems_the_readme_shows_are_checks_lines(tmp_path):
    copy_project(tmp_path, notices=False)
    for name, header in MISTAKES.items():
        (tmp_path / "content" / "notices" / name).write_text(f"---\n{header}---\n\n본문입니다.\n", encoding="utf-8")
    ran = run_cli(tmp_path / "pelicanconf.py", "check")
    shown = fenced_after("Run `.venv/bin/sotong check` before publishing").splitlines()
    assert ran.code == 1 and len(shown) == len(MISTAKES)
    said = ran.output.splitlines()
    for line in shown:
        assert line in said, f"README.md shows {line!r}; check says:\n{ran.output}"


def test_the_readmes_categories_are_audiences_fields_by_their_korean_names():
    row = re.search(r"^\| `category` \|.*$", README, re.M).group(0)
    written = dict(re.findall(r"`([a-z]+)` ([^,|`]+?)(?=, `|\s*\|)", row))
    fields = yaml.safe_load((ROOT / "audiences.yaml").read_text(encoding="utf-8"))["fields"]
    assert written == fields


def test_the_newsletter_list_the_readme_shows_is_what_the_command_prints(tmp_path):
    copy_project(tmp_path)  # SOTONG_TODAY 2026-11-23: the issue of 11-26 is being prepared
    block = fenced_after("### Newsletter (plugin `newsletter`)").splitlines()
    command, shown = block[0], block[1:]
    assert command.startswith("$ sotong newsletter list ")
    ran = run_cli(tmp_path / "pelicanconf.py", *command.split()[2:])
    assert ran.code == 0 and ran.stdout.splitlines() == shown, ran.output
