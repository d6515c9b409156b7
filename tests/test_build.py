"""`sotong check` and `sotong build` as the operator runs them: every problem
at once, exit codes of SPEC §12, and output/ untouched by a failed build."""

from __future__ import annotations

import os
import pickle
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from project_support import REPO, differing_files

BAD_COLON = """\
---
title: 성동구: 겨울철 대책
date: 2026-11-05
department: 문화체육과
category: culture
---
본문
"""

BAD_DATE = """\
---
title: 날짜가 틀린 공지
date: 2026년 11월 5일
department: 문화체육과
category: culture
---
본문
"""

NO_CLOSING = """\
---
title: 닫는 줄이 없는 공지
date: 2026-11-05
department: 문화체육과
category: culture
본문
"""


def write(project: Path, name: str, text: str) -> None:
    (project / "content" / "notices" / name).write_text(text, encoding="utf-8")


def test_check_passes_on_the_sample(project_dir, sotong):
    result = sotong(project_dir, "check")
    assert result.code == 0, result.output
    assert "no problems" in result.stdout
    assert result.stderr == "", "staff copy the sample: it draws no warning either"


def test_check_lists_every_problem_with_path_and_line(project_dir, sotong):
    write(project_dir, "bad-colon.md", BAD_COLON)
    write(project_dir, "bad-date.md", BAD_DATE)
    write(project_dir, "no-closing.md", NO_CLOSING)
    result = sotong(project_dir, "check")
    assert result.code == 1
    assert "Traceback" not in result.output
    lines = result.stderr.splitlines()
    assert any(l.startswith("content/notices/bad-colon.md:2: ") and 'title: "성동구: 겨울철 대책"' in l for l in lines)
    assert any(l.startswith("content/notices/bad-date.md:3: ") and "YYYY-MM-DD" in l for l in lines)
    assert any(l.startswith("content/notices/no-closing.md:6: ") and "never closed with '---'" in l for l in lines)
    assert "3 problems." in result.stderr


def test_duplicate_slugs_are_an_error(project_dir, sotong):
    source = next((project_dir / "content" / "notices").glob("*.md"))
    text = source.read_text(encoding="utf-8").replace("---\n", f"---\nslug: {source.stem}\n", 1)
    write(project_dir, "copy.md", text)
    result = sotong(project_dir, "check")
    assert result.code == 1
    assert f'slug "{source.stem}" is already used' in result.stderr


def test_a_bad_audiences_file_is_reported_with_its_line(project_dir, sotong):
    path = project_dir / "audiences.yaml"
    path.write_text(path.read_text(encoding="utf-8").replace("segments:", "segmnts:", 1), encoding="utf-8")
    result = sotong(project_dir, "check")
    assert result.code == 1
    assert 'unknown key "segmnts"; did you mean "segments"?' in result.stderr
    assert result.stderr.startswith("audiences.yaml:")


def test_build_writes_the_site(project_dir, sotong):
    result = sotong(project_dir, "build")
    assert result.code == 0, result.output
    output = project_dir / "output"
    assert (output / "index.html").is_file()
    assert not list(project_dir.glob(".output.*")), "staging folders are cleaned up"
    assert "Done: Processed" not in result.output, "Pelican's English summary: sotong says what it built"
    assert result.stdout.strip().splitlines()[-1].startswith("Built ")
    assert "warning:" not in result.output, "the sample, which staff copy, builds with no warning"


@pytest.fixture
def built(project_dir, sotong):
    """A project whose output/ holds a finished build plus a marker file."""
    assert sotong(project_dir, "build").code == 0
    (project_dir / "output" / "marker.txt").write_text("previous build")
    return project_dir


def site(project: Path) -> tuple[str, dict[str, bytes]]:
    """What output/ is: the slot it points to, and every file's bytes by its path."""
    output = project / "output"
    return os.readlink(output), {str(path.relative_to(output)): path.read_bytes()
                                 for path in output.rglob("*") if path.is_file()}


@pytest.fixture
def site_before(built) -> tuple[str, dict[str, bytes]]:
    """output/ of ``built``, before the test breaks its project."""
    return site(built)


def assert_output_kept(project: Path, before: tuple[str, dict[str, bytes]]) -> None:
    """output/ is byte for byte as it was, the same slot, nothing half-written beside it."""
    assert (project / "output" / "marker.txt").read_text() == "previous build"
    assert site(project) == before
    assert not list(project.glob(".output.*")), "no half-written build is left beside output/"


def refused_build(sotong, project: Path, **options) -> list[str]:
    """The lines of a ``sotong build`` of ``project`` that must fail: exit 1, no traceback."""
    result = sotong(project, "build", **options)
    assert result.code == 1 and "Traceback" not in result.output, result.output
    return result.stderr.splitlines()


def test_a_failed_check_leaves_output_as_it_was(built, site_before, sotong):
    write(built, "bad-colon.md", BAD_COLON)
    result = sotong(built, "build")
    assert result.code == 1
    assert "bad-colon.md:2:" in result.stderr
    assert_output_kept(built, site_before)


def test_a_plugin_that_does_not_load_fails_the_build(built, site_before, sotong):
    with open(built / "pelicanconf.py", "a", encoding="utf-8") as settings:
        settings.write('PLUGINS = PLUGINS + ["no_such_plugin"]\n')
    result = sotong(built, "build")
    assert result.code == 1
    assert "no_such_plugin" in result.stderr and "Traceback" not in result.output
    assert_output_kept(built, site_before)


def add_plugin(project: Path, name: str, source: str) -> None:
    """A plugin of the project's own, listed last in PLUGINS."""
    (project / "plugins" / name).mkdir()
    (project / "plugins" / name / "__init__.py").write_text(source, encoding="utf-8")
    with open(project / "pelicanconf.py", "a", encoding="utf-8") as settings:
        settings.write(f'PLUGINS = PLUGINS + ["{name}"]\n')


FAILS_AT_THE_END = """
from pelican import signals

def fail(pelican):
    raise RuntimeError("the plugin failed")

def register():
    signals.finalized.connect(fail)
"""


def test_a_plugin_that_fails_once_every_page_is_written_leaves_output_as_it_was(built, site_before, sotong):
    template = built / "themes" / "sotong" / "templates" / "base.html"  # every page written again
    template.write_text(template.read_text(encoding="utf-8") + "\n<!-- v2 -->\n", encoding="utf-8")
    add_plugin(built, "fails_at_the_end", FAILS_AT_THE_END)
    assert refused_build(sotong, built) == [
        "plugins/fails_at_the_end/__init__.py:5: the plugin fails_at_the_end failed here, so the build stopped and "
        "output/ is left as it was (RuntimeError: the plugin failed); show this line to whoever looks after the "
        "plugin, or take it out of PLUGINS in the settings until it is mended, and build again"]
    assert_output_kept(built, site_before)


FAILS_IN_ITS_OWN_MODULE = """
from pelican import signals

from .counting import count

def register():
    signals.finalized.connect(count)
"""

COUNTING = """def count(pelican):
    pages = {}
    return pages["notices"]
"""


def test_a_plugin_that_raises_is_said_in_korean_at_its_module_and_line(built, site_before, sotong):
    """Staff read "build failed, output/ left as it was: KeyError: 'notices'",
    English, naming neither the plugin nor its file; the line now names the
    plugin and the line of its own module that raised (not its register())."""
    add_plugin(built, "counting_plugin", FAILS_IN_ITS_OWN_MODULE)
    (built / "plugins" / "counting_plugin" / "counting.py").write_text(COUNTING, encoding="utf-8")
    assert refused_build(sotong, built, env={"SOTONG_LANG": "ko"}) == [
        "plugins/counting_plugin/counting.py:3: 플러그인 counting_plugin 코드의 이 줄에서 오류가 나 빌드를 멈췄고 "
        "output/은 그대로 두었습니다 (KeyError: 'notices'). 이 줄을 플러그인 담당자에게 보여 주거나, 고칠 때까지 설정의 "
        "PLUGINS에서 빼고 다시 빌드하세요"]
    assert_output_kept(built, site_before)


CHECK_DIVIDES_BY_ZERO = """from sotong import signals

def check(project):
    return [1 / 0]

def register():
    signals.content_check.connect(check)
"""


def test_a_plugin_whose_check_raises_is_one_line_at_its_line_not_a_traceback(built, site_before, sotong):
    """A plugin's own check (Sotong's content_check) that raised, before
    Pelican runs, printed a Python traceback."""
    add_plugin(built, "broken_check", CHECK_DIVIDES_BY_ZERO)
    [line] = refused_build(sotong, built)
    assert line.startswith("plugins/broken_check/__init__.py:4: the plugin broken_check failed here, so the build "
                           "stopped and output/ is left as it was (ZeroDivisionError: division by zero); ")
    assert_output_kept(built, site_before)


def test_a_plugin_whose_check_raises_is_one_korean_line_in_sotong_check(built, sotong):
    """The same plugin's check, in sotong check (the staff's first command):
    a Python traceback there too; now one line, saying the check stopped."""
    add_plugin(built, "broken_check", CHECK_DIVIDES_BY_ZERO)
    result = sotong(built, "check", env={"SOTONG_LANG": "ko"})
    assert result.code == 1 and "Traceback" not in result.output, result.output
    assert result.stderr.splitlines() == [
        "plugins/broken_check/__init__.py:4: 플러그인 broken_check 코드의 이 줄에서 오류가 나 검사를 멈췄습니다 "
        "(ZeroDivisionError: division by zero). 이 줄을 플러그인 담당자에게 보여 주거나, 고칠 때까지 설정의 "
        "PLUGINS에서 빼고 다시 검사하세요"]


def test_a_picture_that_cannot_be_copied_fails_the_build(built, site_before, sotong):
    """No file may grow past 400 kB (a full disk): Pelican logged the failed
    copy as a warning, and output/ was switched to a site with the picture cut short."""
    (built / "content" / "images" / "large.png").write_bytes(os.urandom(600_000))
    [line] = refused_build(sotong, built, file_size_limit=400_000)
    assert line.startswith("build failed, output/ left as it was: ") and "/images/large.png: " in line
    assert "make room on its disk" in line
    assert_output_kept(built, site_before)
    assert sotong(built, "build").code == 0
    assert (built / "output" / "images" / "large.png").stat().st_size == 600_000


KILLED_AFTER = """
import os, signal
from pelican import signals

def written(path, context):
    if "{slug}" in path:
        os.kill(os.getpid(), signal.SIGKILL)

def register():
    signals.content_written.connect(written)
"""


def test_a_build_killed_while_writing_leaves_output_as_it_was_and_the_next_is_whole(built, site_before, sotong):
    """SIGKILL once a new notice's page is written into the free slot; the
    next build (the notice deleted) writes into that slot and leaves nothing of it."""
    write(built, "2026-11-22-killed.md", BAD_COLON.replace("성동구: 겨울철 대책", "빌드 중 끊긴 공지"))
    add_plugin(built, "killed", KILLED_AFTER.replace("{slug}", "2026-11-22-killed"))
    free = built / {".output-a": ".output-b", ".output-b": ".output-a"}[site_before[0]]
    result = sotong(built, "build")
    assert result.code == -signal.SIGKILL
    assert (free / "notices" / "2026-11-22-killed" / "index.html").is_file()
    assert_output_kept(built, site_before)
    (built / "content" / "notices" / "2026-11-22-killed.md").unlink()
    shutil.rmtree(built / "plugins" / "killed")
    (built / "pelicanconf.py").write_text((built / "pelicanconf.py").read_text(encoding="utf-8").replace(
        'PLUGINS = PLUGINS + ["killed"]\n', ""), encoding="utf-8")
    assert sotong(built, "build").code == 0
    assert os.readlink(built / "output") == free.name
    assert differing_files(free, built / site_before[0]) == [built / site_before[0] / "marker.txt"]


SETS_TIMES = """
import os
from pelican import signals

def stamp(pelican):
    for root, dirs, files in os.walk(pelican.output_path):
        for name in files:
            os.utime(os.path.join(root, name), ({seconds}, {seconds}))

def register():
    signals.finalized.connect(stamp)
"""


def test_the_clean_up_goes_by_what_the_build_wrote_not_by_the_files_times(built, sotong):
    """A stale file with a time ahead of the build's clock (copied in with its
    times, a clock stepped back since) was kept for ever; a disk stamping the
    files with a clock behind the build's (a shared mount, a clock stepped
    back during the build) made the clean-up delete the whole site."""
    assert sotong(built, "build").code == 0  # output/ is .output-b; .output-a is free
    first, second = built / ".output-a", built / ".output-b"
    stale = [first / "notices" / "2025-01-01-gone" / "index.html", first / "images" / "gone.png", first / "marker.txt"]
    ahead = time.time() + 86_400
    for path in stale:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(b"stale")
        os.utime(path, (ahead, ahead))
    assert sotong(built, "build").code == 0
    assert os.readlink(built / "output") == first.name
    assert not any(path.exists() for path in stale) and not (first / "notices" / "2025-01-01-gone").exists()
    assert differing_files(first, second) == []
    add_plugin(built, "sets_times", SETS_TIMES.replace("{seconds}", str(978_307_200)))  # 2001-01-01
    assert sotong(built, "build").code == 0
    assert os.readlink(built / "output") == second.name
    assert differing_files(second, first) == [], "the whole site, every page kept"
    assert (second / "index.html").stat().st_mtime == 978_307_200


# A Markdown extension, in a file of the project, that fails on a text holding
# "깨진글" as an extension's (or Markdown's own) edge case would: no text found
# makes the extensions of the sample fail, and so no test can show it with one.
FAILING_EXTENSION = '''"""Fails on a text holding "깨진글", as an extension's edge case would."""
from markdown.extensions import Extension
from markdown.preprocessors import Preprocessor


class Failing(Preprocessor):
    def run(self, lines):
        if any("깨진글" in line for line in lines):
            raise IndexError("list index out of range")
        return lines


class FailingExtension(Extension):
    def extendMarkdown(self, md):
        md.preprocessors.register(Failing(md), "failing", 100)


def makeExtension(**kwargs):
    return FailingExtension(**kwargs)
'''


def test_a_notice_markdown_fails_to_read_is_one_korean_line_at_its_file(built, site_before, sotong):
    """Pelican said "Could not process notices/broken.md", in English and
    naming no line, inside "build failed, output/ left as it was: ..."."""
    failing_markdown(built)
    write(built, "broken.md", BAD_COLON.replace("성동구: 겨울철 대책", "깨진 공지").replace("본문", "깨진글"))
    assert refused_build(sotong, built, env={"SOTONG_LANG": "ko"}) == [UNREADABLE.format(file="notices/broken.md")]
    assert_output_kept(built, site_before)


UNREADABLE = ("content/{file}:1: 파일을 읽지 못해 빌드를 멈췄고 output/은 그대로 두었습니다 (Pelican: IndexError: "
              "list index out of range). 공지를 짧은 여러 개로 나누거나, 다른 프로그램이나 웹 페이지에서 복사해 온 부분을 "
              "지우고 다시 빌드하세요")


def failing_markdown(project: Path) -> None:
    """The project's Markdown with FAILING_EXTENSION, as a file beside its settings."""
    (project / "failing_markdown.py").write_text(FAILING_EXTENSION, encoding="utf-8")
    with open(project / "pelicanconf.py", "a", encoding="utf-8") as settings:
        settings.write("import os, sys\nsys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))\n"
                       'MARKDOWN = {**MARKDOWN, "extensions": ["failing_markdown"]}\n')


def test_check_finds_a_text_markdown_fails_to_read_with_the_builds_line_and_writes_nothing(project_dir, sotong):
    """check passed a notice (or page) whose text Markdown refuses, and only
    sotong build or the preview said so: check now renders each text as the
    build does, says the build's own Korean line at its file, exits 1 and
    writes no output/; with the notice cache on, it says so at every run
    (a notice that did not render is not kept), until the text is fixed."""
    failing_markdown(project_dir)
    broken = project_dir / "content" / "notices" / "broken.md"
    broken.write_text(BAD_COLON.replace("성동구: 겨울철 대책", "깨진 공지").replace("본문", "깨진글"), encoding="utf-8")
    (project_dir / "content" / "pages" / "broken-page.md").write_text("---\ntitle: 깨진 쪽\n---\n깨진글\n",
                                                                       encoding="utf-8")
    for _run in range(2):
        result = sotong(project_dir, "check", env={"SOTONG_LANG": "ko"})
        assert result.code == 1 and "Traceback" not in result.output
        assert result.stderr.splitlines() == [UNREADABLE.format(file="notices/broken.md"),
                                              UNREADABLE.format(file="pages/broken-page.md"), "문제 2건."]
        assert not (project_dir / "output").exists()
    broken.write_text(broken.read_text(encoding="utf-8").replace("깨진글", "고친 글"), encoding="utf-8")
    (project_dir / "content" / "pages" / "broken-page.md").unlink()
    assert sotong(project_dir, "check").code == 0


def test_a_notice_the_cache_kept_is_rendered_again_when_its_markdown_extension_changes(project_dir, sotong):
    """The notice cache keeps a notice that rendered; a Markdown extension of
    the project's own (or the MARKDOWN setting) changed since renders it
    again: the unchanged notice that the extension now refuses is named."""
    failing_markdown(project_dir)
    assert sotong(project_dir, "check").code == 0
    extension = project_dir / "failing_markdown.py"
    extension.write_text(extension.read_text(encoding="utf-8").replace('"깨진글"', '"노래자랑"'), encoding="utf-8")
    result = sotong(project_dir, "check", env={"SOTONG_LANG": "ko"})
    assert result.code == 1 and result.stderr.splitlines() == [
        UNREADABLE.format(file=file) for file in ("notices/2026-09-15-singing-contest.md",
                                                  "notices/2026-09-28-bulletin-october.md", "pages/subscribe.md")
    ] + ["문제 3건."], result.stderr


def test_the_notice_cache_says_a_notices_problems_in_the_language_of_each_run(project_dir, sotong):
    """The notice cache kept a notice's problems as the run that first read it
    said them: a check in English after one in Korean said them in Korean."""
    write(project_dir, "bad-date.md", BAD_DATE)
    korean = sotong(project_dir, "check", env={"SOTONG_LANG": "ko"})
    assert korean.code == 1 and korean.stderr.splitlines() == [
        'content/notices/bad-date.md:3: date 날짜를 알아볼 수 없습니다: "2026년 11월 5일". YYYY-MM-DD 또는 '
        "YYYY-MM-DD HH:MM 형식으로 쓰세요. 예: date: 2026-11-05"], korean.stderr
    english = sotong(project_dir, "check", env={"SOTONG_LANG": "en"})
    assert english.code == 1 and english.stderr.splitlines() == [
        'content/notices/bad-date.md:3: date "2026년 11월 5일" is not a date; write it as YYYY-MM-DD or '
        "YYYY-MM-DD HH:MM, e.g. date: 2026-11-05"], english.stderr
    assert sotong(project_dir, "check", env={"SOTONG_LANG": "ko"}).stderr == korean.stderr


def test_the_notice_cache_keeps_a_notices_warnings_in_the_language_of_each_run(project_dir, sotong):
    """A notice's warnings that its file alone decides are kept with it in
    the notice cache (a rebuild no longer walks 5,000 texts for them): said
    in the language of each run, and gone once the file is fixed."""
    from sotong.cache_rows import read_rows

    write(project_dir, "vague.md", BAD_COLON.replace("성동구: 겨울철 대책", "겨울철 대책").replace(
        "본문", "신청은 [여기](https://www.sd.go.kr/apply)에서 하세요."))
    korean = sotong(project_dir, "check", env={"SOTONG_LANG": "ko"})
    assert korean.code == 0 and "content/notices/vague.md:7: 주의: " in korean.stderr, korean.stderr
    rows = read_rows(project_dir / ".cache" / "pelican" / "sotong-notices.sqlite")
    (row,) = [row for key, row in rows.items() if key.endswith("vague.md")]
    assert "content/notices/vague.md:7: 주의: " in " ".join(pickle.loads(row)[1][2])
    english = sotong(project_dir, "check", env={"SOTONG_LANG": "en"})
    assert "content/notices/vague.md:7: warning: the link \"여기\"" in english.stderr, english.stderr
    assert sotong(project_dir, "check", env={"SOTONG_LANG": "ko"}).stderr == korean.stderr
    write(project_dir, "vague.md", BAD_COLON.replace("성동구: 겨울철 대책", "겨울철 대책").replace(
        "본문", "[신청 누리집](https://www.sd.go.kr/apply)에서 신청하세요."))
    assert sotong(project_dir, "check", env={"SOTONG_LANG": "ko"}).stderr == ""


def test_a_text_beginning_like_a_key_and_value_keeps_its_lines_on_its_page(empty_project_dir, sotong):
    """Pelican's Markdown reader adds Markdown's meta extension, which took a
    text's first lines for metadata when they read "Key: value": a notice
    beginning "Tel: 02-2286-5000" lost those lines on its page, though its
    emails showed them (a notice's header is its YAML, read by Sotong)."""
    text = BAD_COLON.replace("성동구: 겨울철 대책", "전화 안내").replace(
        "본문", "Tel: 02-2286-5000\nNote: 접수는 12월 10일까지\n\n본문")
    write(empty_project_dir, "tel.md", text)
    assert sotong(empty_project_dir, "check").code == 0  # the notice cache holds it: the build's reader renders it
    for edit in (None, "\n둘째 문단.\n"):  # then saved again: check renders it, and the reader takes that
        if edit:
            write(empty_project_dir, "tel.md", text + edit)
        assert sotong(empty_project_dir, "build").code == 0
        page = (empty_project_dir / "output" / "notices" / "tel" / "index.html").read_text(encoding="utf-8")
        assert 'Tel: <a href="tel:02-2286-5000">02-2286-5000</a>' in page and "Note: 접수는 12월 10일까지" in page


def test_a_broken_template_fails_the_build_with_its_line(built, site_before, sotong):
    template = built / "themes" / "sotong" / "templates" / "article.html"
    template.write_text(template.read_text(encoding="utf-8") + "\n{% endblok %}\n", encoding="utf-8")
    result = sotong(built, "build")
    assert result.code == 1
    assert "Traceback" not in result.output
    # at its file as the project names it, and line, first: as check says a notice's (it was the absolute
    # path, in the middle of the line after "build failed, output/ left as it was: ")
    lines = template.read_text(encoding="utf-8").count("\n")
    assert result.stderr.splitlines() == [
        f"themes/sotong/templates/article.html:{lines}: template error: Encountered unknown tag 'endblok'; "
        "the build stopped and output/ is left as it was"]  # Jinja's message ends with a full stop
    assert_output_kept(built, site_before)


@pytest.mark.parametrize("template, line, mistake, said", [
    ("themes/sotong/templates/article.html", 11, "{{ 1/0 }}", "ZeroDivisionError: division by zero"),
    ("themes/sotong/templates/article.html", 11, "{{ article.no_such_field|korean_date }}",
     "UndefinedError: 'pelican.contents.Article object' has no attribute 'no_such_field'"),
    ("plugins/homepage/templates/homepage_section.html", 5, "{{ 1/0 }}", "ZeroDivisionError: division by zero"),
])
def test_a_template_that_raises_as_it_renders_fails_the_build_at_its_line(built, site_before, sotong, template, line,
                                                                         mistake, said):
    """Only a syntax error was said at its line; what a template raised as it
    rendered was "build failed, output/ left as it was: ZeroDivisionError:
    division by zero", naming no template. (``line``: in article.html, the
    first of its content block, which the page renders.)"""
    path = built / template
    lines = path.read_text(encoding="utf-8").split("\n")
    lines.insert(line - 1, mistake)
    path.write_text("\n".join(lines), encoding="utf-8")
    assert refused_build(sotong, built, env={"SOTONG_LANG": "ko"}) == [
        f"{template}:{line}: 템플릿 오류: {said}. 빌드를 멈추고 output/은 그대로 두었습니다"]
    assert_output_kept(built, site_before)


def test_a_build_removes_the_links_builds_killed_before_renaming_them_left(built, sotong):
    """A build killed between making its link (.output.link-PID) and renaming
    it output/ left the link beside output/ for ever; the next build, holding
    the lock, removes each (its process's number alive again or not)."""
    stale = [built / ".output.link-999999999", built / f".output.link-{os.getpid()}"]
    for link in stale:
        os.symlink(".output-a", link)
    assert sotong(built, "build").code == 0
    assert not [link for link in stale if os.path.lexists(link)]
    assert os.readlink(built / "output") in (".output-a", ".output-b")


def test_a_bad_command_line_exits_2(project_dir, sotong):
    assert sotong(project_dir, "build", "--no-such-option").code == 2
    assert sotong(project_dir, "no-such-command").code == 2
    # a missing settings file is not a command-line mistake: exit 1 with its reason (SPEC §12)


def test_a_settings_file_that_raises_is_one_line(project_dir, sotong):
    result = sotong(project_dir, "check", "-s", "publishconf.py", env={"SOTONG_SECRET": ""})
    assert result.code == 1
    assert "SOTONG_SECRET" in result.stderr and "Traceback" not in result.output


@pytest.mark.parametrize("command", [("check",), ("build",), ("new", "--title", "한파 쉼터", "--department", "보건소",
                                                            "--category", "health")])
def test_a_missing_content_folder_is_one_line_saying_what_to_make(project_dir, sotong, command):
    """Pelican said it in English and sent staff to "pelican --help"."""
    shutil.rmtree(project_dir / "content")
    result = sotong(project_dir, *command)
    assert result.code == 1
    assert result.stderr.splitlines() == [
        'pelicanconf.py:14: the content folder "content" (PATH) is not there; make it, with the notices in '
        'content/notices/, or write in PATH the folder that holds them (PATH = "content")']


def test_new_writes_a_valid_notice(project_dir, sotong):
    result = sotong(project_dir, "new", "--title", "성동구: 한파 쉼터 운영", "--department", "보건소",
                    "--category", "건강정보", "--date", "2026-12-01", "--slug", "cold-shelter")
    assert result.code == 0, result.output
    path = project_dir / "content" / "notices" / "cold-shelter.md"
    assert "title: '성동구: 한파 쉼터 운영'" in path.read_text(encoding="utf-8")
    assert "category: health" in path.read_text(encoding="utf-8")
    assert sotong(project_dir, "check").code == 0


def test_new_explains_a_wrong_department(project_dir, sotong):
    result = sotong(project_dir, "new", "--title", "x", "--department", "보건서", "--category", "health")
    assert result.code == 2  # the command line is wrong
    assert ('unknown department "보건서"; did you mean "보건소" (or 보건위생과)? departments are listed '
            "under departments: in audiences.yaml (add a new one there); pick one of: 홍보담당관, ") in " ".join(result.stderr.split())


def test_rebuilds_remove_what_the_content_no_longer_has(built, sotong):
    notices = sorted((built / "content" / "notices").glob("*.md"))
    removed = notices[0]
    page = built / "output" / "notices" / removed.stem
    assert page.exists()
    removed.unlink()
    for _ in range(2):  # both build slots have held the removed notice
        assert sotong(built, "build").code == 0
        assert not page.exists()
        assert not (built / "output" / "marker.txt").exists()
    assert (built / "output").is_symlink(), "output/ is switched to the new build in one rename"
    assert (built / "output" / "index.html").is_file()


def test_the_notice_cache_sees_edits_and_what_notices_refer_to(project_dir, sotong):
    """With the content cache on (the dev default), check still sees an edited
    notice and a deleted image that an unchanged notice refers to."""
    assert sotong(project_dir, "check").code == 0
    assert (project_dir / ".cache" / "pelican" / "sotong-notices.sqlite").is_file()
    notice = project_dir / "content" / "notices" / "2026-09-15-singing-contest.md"
    text = notice.read_text(encoding="utf-8")
    notice.write_text(text.replace("department:", "department: 없는과\nx_department:", 1), encoding="utf-8")
    result = sotong(project_dir, "check")
    assert result.code == 1 and "2026-09-15-singing-contest.md" in result.stderr
    notice.write_text(text, encoding="utf-8")
    assert sotong(project_dir, "check").code == 0
    (project_dir / "content" / "images" / "singing-contest.svg").unlink()
    result = sotong(project_dir, "check")
    assert result.code == 1 and 'image "images/singing-contest.svg" not found' in result.stderr


def test_the_notice_cache_sees_a_picture_put_beside_the_notices_after_them(empty_project_dir, sotong):
    """A notice showing a picture kept beside it (content/notices/2026/), saved
    before the picture was: the check said the picture is missing, and with
    the content cache on kept saying so after the picture was added (in the
    devserver too), until the notice itself was saved again; the names of
    the files among the notices were not part of the cache's context."""
    folder = empty_project_dir / "content" / "notices" / "2026"
    folder.mkdir()
    (folder / "photo.md").write_text(
        "---\ntitle: 사진 공지\ndate: 2026-11-05\ndepartment: 문화체육과\ncategory: culture\n"
        "image: notices/2026/poster.svg\nimage_alt: 행사 포스터\n---\n![행사 사진]({static}photo.svg)\n", encoding="utf-8")
    result = sotong(empty_project_dir, "check")
    assert result.code == 1 and "photo.md:6:" in result.stderr and "photo.md:9:" in result.stderr, result.stderr
    picture = (REPO / "content" / "images" / "gov24.svg").read_bytes()
    (folder / "photo.svg").write_bytes(picture)
    (folder / "poster.svg").write_bytes(picture)
    result = sotong(empty_project_dir, "check")
    assert result.code == 0, result.stderr
    (folder / "photo.svg").unlink()
    result = sotong(empty_project_dir, "check")
    assert result.code == 1 and "photo.md:9:" in result.stderr and "photo.md:6:" not in result.stderr, result.stderr


def test_the_notice_cache_is_not_used_by_another_sotong(project_dir, sotong, tmp_path):
    """An upgrade that brings a new rule checks every notice again: the dev
    settings' notice cache had kept the old check's verdict on each unchanged
    notice (here: a Sotong whose titles may have 5 characters)."""
    assert sotong(project_dir, "check").code == 0
    upgraded = tmp_path / "upgraded"
    shutil.copytree(REPO / "sotong", upgraded / "sotong", ignore=shutil.ignore_patterns("__pycache__"))
    notices = upgraded / "sotong" / "notices.py"
    notices.write_text(notices.read_text(encoding="utf-8").replace("TITLE_MAX = 100", "TITLE_MAX = 5"), encoding="utf-8")
    result = subprocess.run([sys.executable, "-m", "sotong", "check"], cwd=project_dir, capture_output=True, text=True,
                            env={**os.environ, "PYTHONPATH": str(upgraded)}, timeout=300)
    assert result.returncode == 1 and "2026-09-15-singing-contest.md:2:" in result.stderr, result.stderr


def test_a_build_removes_the_cache_files_a_build_before_kept(project_dir, sotong):
    """The notice cache was one pickle (sotong-notices.pickle) and Pelican's
    caches its own files (NAME, now NAME.sqlite): a build that writes the new
    caches removes the old files, which nothing reads any more."""
    cache = project_dir / ".cache" / "pelican"
    cache.mkdir(parents=True)
    former = ["sotong-notices.pickle", "ArticlesGenerator-Readers", "PagesGenerator-Readers"]
    for name in former:
        (cache / name).write_bytes(b"a cache of a build before")
    (cache / "unrelated.txt").write_text("not a cache of ours")
    assert sotong(project_dir, "build").code == 0
    names = sorted(path.name for path in cache.iterdir())
    assert "sotong-notices.sqlite" in names and "ArticlesGenerator-Readers.sqlite" in names, names
    assert not set(former) & set(names) and "unrelated.txt" in names, names


def test_cached_rebuilds_follow_an_edited_event(built, sotong):
    """The calendar file comes from the content cache only while its notice is unchanged."""
    notice = built / "content" / "notices" / "2026-09-15-singing-contest.md"
    ics = built / "output" / "notices" / "2026-09-15-singing-contest" / "event.ics"
    assert "왕십리광장 특설무대" in ics.read_bytes().decode("utf-8").replace("\r\n ", "")
    notice.write_text(notice.read_text(encoding="utf-8").replace("왕십리광장 특설무대", "성동구청 대강당"),
                      encoding="utf-8")
    assert sotong(built, "build").code == 0
    assert "성동구청 대강당" in ics.read_bytes().decode("utf-8").replace("\r\n ", "")


def test_pelican_by_itself_builds_the_project_as_the_dev_server_does(project_dir):
    """`make devserver` runs Pelican directly, without `sotong`: the core plugin
    must give it the settings `sotong` adds."""
    import subprocess
    import sys

    completed = subprocess.run([sys.executable, "-m", "pelican", "-s", "pelicanconf.py"], cwd=project_dir,
                               capture_output=True, text=True, timeout=300)
    output = completed.stdout + completed.stderr
    assert completed.returncode == 0, output
    assert "ERROR" not in output and "exception" not in output.lower(), output
    assert (project_dir / "output" / "index.html").is_file()
    assert (project_dir / "output" / "newsletter" / "index.html").is_file()


def test_rebuilds_render_again_only_what_changed(built, sotong):
    """A rebuild keeps the pages of unchanged notices that its slot already
    holds, renders the edited notice's page, and renders everything again
    when a template changes."""
    assert sotong(built, "build").code == 0  # both slots now hold a complete build
    notices = built / "content" / "notices"
    edited, unchanged = notices / "2026-11-05-kimjang-sharing.md", notices / "2026-10-05-waste-reduction.md"
    edited_page = built / "output" / "notices" / edited.stem / "index.html"
    unchanged_page = built / "output" / "notices" / unchanged.stem / "index.html"
    for run in range(2):  # into each slot in turn
        slot = built / {".output-a": ".output-b", ".output-b": ".output-a"}[os.readlink(built / "output")]
        in_slot = slot / "notices" / unchanged.stem / "index.html"
        before = in_slot.stat().st_mtime_ns
        edited.write_text(edited.read_text(encoding="utf-8") + f"\n추가 안내 {run}번째.\n", encoding="utf-8")
        assert sotong(built, "build").code == 0
        assert os.readlink(built / "output") == slot.name
        assert f"추가 안내 {run}번째." in edited_page.read_text(encoding="utf-8")
        assert in_slot.stat().st_mtime_ns == before, "the unchanged notice's page is kept, not rendered again"
    template = built / "themes" / "sotong" / "templates" / "article.html"
    template.write_text(template.read_text(encoding="utf-8").replace("</article>", "</article><!-- v2 -->"),
                        encoding="utf-8")
    for _ in range(2):
        assert sotong(built, "build").code == 0
        assert "<!-- v2 -->" in unchanged_page.read_text(encoding="utf-8")


def test_a_build_with_other_settings_renders_every_page_again(built, sotong):
    assert sotong(built, "build").code == 0
    page = built / "output" / "notices" / "2026-10-05-waste-reduction" / "index.html"
    absolute = 'rel="canonical" href="https://www.sd.go.kr/sotong/notices/'
    assert absolute not in page.read_text(encoding="utf-8")
    for _ in range(2):
        result = sotong(built, "build", "-s", "publishconf.py", env={"SOTONG_SECRET": "a-test-secret-of-thirty-two-or-more-characters"})
        assert result.code == 0, result.output
        assert absolute in page.read_text(encoding="utf-8")


def test_a_notice_linking_to_another_is_made_again_when_that_one_moves(built, sotong):
    notices = built / "content" / "notices"
    linking = notices / "2026-10-05-waste-reduction.md"
    linking.write_text(linking.read_text(encoding="utf-8") + "\n[김장 나눔]({filename}2026-11-05-kimjang-sharing.md)\n",
                       encoding="utf-8")
    assert sotong(built, "build").code == 0
    target = notices / "2026-11-05-kimjang-sharing.md"
    target.write_text(target.read_text(encoding="utf-8").replace("---\n", "---\nslug: kimjang-2026\n", 1),
                      encoding="utf-8")
    page = built / "output" / "notices" / linking.stem / "index.html"
    for _ in range(2):
        assert sotong(built, "build").code == 0
        assert "/notices/kimjang-2026/" in page.read_text(encoding="utf-8")


def test_a_build_runs_the_garbage_collector_rarely_and_restores_it(project_dir, monkeypatch):
    """With Python's defaults the collector took a sixth of a rebuild of 5,000 notices."""
    import gc

    from sotong import build
    from sotong.project import Project

    during = []
    monkeypatch.setattr(build, "_run_pelican", lambda *args: during.append(gc.get_threshold()))
    monkeypatch.chdir(project_dir)
    before = gc.get_threshold()
    build.build_site(Project(project_dir / "pelicanconf.py"))
    assert during and during[0][0] >= 100_000
    assert gc.get_threshold() == before
