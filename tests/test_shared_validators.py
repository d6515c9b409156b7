"""sotong.validators: the rules that notices and the plugins' YAML files
share are one rule each, so a notice and a banner say the same thing about
the same mistake, on the same line."""

from __future__ import annotations

from pathlib import Path

import pytest

from plugins.minwon24.schema import validate_banner
from plugins.survey.schema import validate_survey
from project_support import copy_project, invoke_sotong, png
from sotong import yamlsrc
from sotong.audiences import load_audiences
from sotong.content import read_page
from sotong.content_files import yaml_files
from sotong.notices import read_notice
from sotong.problems import SotongError
from sotong.validators import department, image_with_alt

REPO = Path(__file__).resolve().parent.parent
AUDIENCES = load_audiences(REPO / "audiences.yaml")
NOTICE_HEAD = "---\ntitle: 안내\ndate: 2026-11-05\ndepartment: 문화체육과\ncategory: culture\n"
BANNER_HEAD = "title: 정부24\nbody: 본문\nlink: https://www.gov.kr/\nplacements: [email]\n"


def notice_problems(root: Path, lines: str) -> list[str]:
    path = root / "n.md"
    path.write_text(NOTICE_HEAD + lines + "---\n본문\n", encoding="utf-8")
    return [str(p) for p in read_notice(path, AUDIENCES, root, shown="n.md")[1]]


def banner_problems(root: Path, lines: str) -> list[str]:
    doc = yamlsrc.load(BANNER_HEAD + lines)
    return [str(p) for p in validate_banner(doc, "b", AUDIENCES, root, "b.yaml")[1]]


@pytest.fixture
def root(tmp_path) -> Path:
    (tmp_path / "images").mkdir()
    (tmp_path / "images" / "poster.png").write_bytes(png(4, 2))
    (tmp_path / "images" / "form.hwp").write_bytes(png(4, 2))  # a picture's bytes, but no browser shows .hwp
    (tmp_path / "images" / "photo.jpg").write_bytes(b"ftypheic" + bytes(64))  # an iPhone photo renamed .jpg
    for name in ("포스터 #2.png", "50%.png"):
        (tmp_path / "images" / name).write_bytes(png(4, 2))
    return tmp_path


@pytest.mark.parametrize("lines, key_line, expected", [
    ("image: images/poster.png\nimage_alt: ''\n", 2, "image_alt is required with image"),
    ("image: images/poster.png\n", 1, "image_alt is required with image"),
    ("image: images/none.png\nimage_alt: 그림\n", 1, 'image "images/none.png" not found'),
    ("image_alt: 그림\n", 1, "image_alt without image"),
    # on the homepage, the notice page and in the feeds it was a broken picture, and nothing said so
    ("image: images/form.hwp\nimage_alt: 그림\n", 1, 'image "images/form.hwp" is not a picture web pages show'),
    ("image: images/photo.jpg\nimage_alt: 사진\n", 1, 'image "images/photo.jpg" is not a picture web pages show'),
    # <img src="/images/포스터 #2.png">: the browser asked for "/images/포스터 " and showed a broken picture
    ("image: 'images/포스터 #2.png'\nimage_alt: 포스터\n", 1, 'image "images/포스터 #2.png": its address would end at #'),
    ("image: images/50%.png\nimage_alt: 포스터\n", 1, 'image "images/50%.png": its address would end at #'),
])
def test_a_notice_and_a_banner_report_an_image_mistake_alike(root, lines, key_line, expected):
    notice, = notice_problems(root, lines)
    banner, = banner_problems(root, lines)
    assert notice.startswith(f"n.md:{5 + key_line}: ") and expected in notice, notice
    assert banner.startswith(f"b.yaml:{4 + key_line}: ") and expected in banner, banner
    assert notice.split(": ", 1)[1].split("e.g.")[0] == banner.split(": ", 1)[1].split("e.g.")[0]


def test_image_with_alt_keeps_the_picture_and_its_stripped_description(root):
    said = []
    assert image_with_alt("images/poster.png", " 포스터 ", root, lambda *p: said.append(p), alt_example="x") \
        == ("images/poster.png", "포스터")
    assert image_with_alt(None, None, root, lambda *p: said.append(p), alt_example="x") == (None, None)
    assert said == []


def test_a_survey_and_a_notice_name_an_unknown_department_alike(root):
    notice, = notice_problems_with(root, "department: 문화과")
    doc = yamlsrc.load("title: 설문\ndepartment: 문화과\nopens: 2026-11-01\ncloses: 2026-11-30\n"
                       "questions:\n  - {id: a, type: text, text: 의견}\n")
    survey, = [str(p) for p in validate_survey(doc, "s", AUDIENCES, "s.yaml")[1]]
    assert notice.split(": ", 1)[1] == survey.split(": ", 1)[1]
    said = []
    assert department("문화과", AUDIENCES.departments, lambda key, message: said.append((key, message))) is None
    assert said == [("department", survey.split(": ", 1)[1])]


def notice_problems_with(root: Path, replacement: str) -> list[str]:
    path = root / "d.md"
    path.write_text(NOTICE_HEAD.replace("department: 문화체육과", replacement) + "---\n본문\n", encoding="utf-8")
    return [str(p) for p in read_notice(path, AUDIENCES, root, shown="d.md")[1]]


def test_yaml_files_are_the_folders_yaml_files_sorted(tmp_path):
    assert yaml_files(tmp_path / "missing") == ([], [])
    for name in ("b.yaml", "a.yaml", "c.yml", "d.md", ".e.yaml", "f.yaml~"):
        (tmp_path / name).write_text("x: 1\n")
    files, problems = yaml_files(tmp_path, lambda path: path.name)
    assert [p.name for p in files] == ["a.yaml", "b.yaml"]
    assert [str(p) for p in problems] == ['c.yml:1: only files named .yaml are read, so this one is skipped; rename it to "c.yaml"']


def test_a_banner_or_survey_gone_before_it_is_read_is_a_problem_alike(tmp_path):
    """Renamed or deleted between the listing of its folder and its reading
    (the devserver builds while staff save): an English FileNotFoundError
    stopped the build; now one line names the file."""
    from plugins.minwon24.schema import read_banner
    from plugins.survey.schema import read_survey

    gone = tmp_path / "gone.yaml"
    said = [str(p) for p in [*read_banner(gone, AUDIENCES, tmp_path, "b.yaml")[1], *read_survey(gone, AUDIENCES, "s.yaml")[1]]]
    assert said == ["b.yaml:1: cannot read the file: No such file or directory",
                    "s.yaml:1: cannot read the file: No such file or directory"]


def test_a_notice_and_a_banner_refuse_a_control_character_alike(root):
    """A backslash in double quotes writes one: a banner put it into the homepage
    and every email (a NUL byte for "\\0"); a notice's build failed on its feeds."""
    message = (r"the value holds the control character U+0008, which web pages and feeds cannot carry; in double "
               r"quotes a backslash writes one (\0, \a, \b, \e): put the value in single quotes, or delete the backslash")
    notice, = notice_problems(root, r'summary: "C:\board"' + "\n")
    doc = yamlsrc.load(BANNER_HEAD.replace("title: 정부24", r'title: "정부24 C:\board"'))
    banner, = [str(p) for p in validate_banner(doc, "b", AUDIENCES, root, "b.yaml")[1]]
    assert (notice, banner) == (f"n.md:6: {message}", f"b.yaml:1: {message}")


BACKSLASH = (r"the value holds the control character U+{code}, which web pages and feeds cannot carry; in double "
             r"quotes a backslash writes one (\0, \a, \b, \e): put the value in single quotes, or delete the backslash")
DIRECTION = ("the text holds an invisible direction control character (U+{code}), which shows the text after it "
             "backwards on web pages and in emails, beside other words too (a notice's date and department); "
             "delete it (copying from another program often brings one along)")
REFERENCED = ("the text writes {reference}, the code of an invisible direction control character (U+{code}), which shows "
              "the text after it backwards on web pages and in emails, beside other words too (a notice's date and "
              "department); delete it")
SURVEY = ("title: 설문\ndepartment: 문화체육과\nopens: 2026-11-01\ncloses: 2026-11-30\nkind: consultation\n"
          "policy: {title: 노선 개편, department: 문화체육과, summary: 개편안}\n"
          "questions:\n  - {id: a, type: single, text: 어느 쪽, options: [가, 나]}\n  - {id: b, type: text, text: 의견}\n")


def survey_problems(root: Path, old: str, new: str) -> list[str]:
    assert old in SURVEY
    return [str(p) for p in validate_survey(yamlsrc.load(SURVEY.replace(old, new)), "s", AUDIENCES, "s.yaml")[1]]


def audiences_problems(root: Path, old: str, new: str) -> list[str]:
    text = (REPO / "audiences.yaml").read_text(encoding="utf-8")
    assert old in text
    (root / "audiences.yaml").write_text(text.replace(old, new, 1), encoding="utf-8")
    try:
        load_audiences(root / "audiences.yaml", "audiences.yaml")
    except SotongError as exc:
        return [str(p) for p in exc.problems]
    return []


def banner_problems_with(root: Path, old: str, new: str) -> list[str]:
    assert old in BANNER_HEAD
    return [str(p) for p in validate_banner(yamlsrc.load(BANNER_HEAD.replace(old, new)), "b", AUDIENCES, root, "b.yaml")[1]]


def page_problems(root: Path, old: str, new: str) -> list[str]:
    text = '---\ntitle: "소통 서비스 소개"\nslug: about\n---\n**소통**은 구정 소식 서비스입니다.\n'
    assert old in text
    (root / "about.md").write_text(text.replace(old, new), encoding="utf-8")
    return [str(p) for p in read_page(root / "about.md", "about.md", root)[1]]


@pytest.mark.parametrize("problems, old, new, at, message", [
    # a survey's title on its site page, a question and its options on the form and in the answers' CSV,
    # the policy on the consultation's page: each passed check and build and reached them
    (survey_problems, "title: 설문", 'title: "설문 \\0"', "s.yaml:1", BACKSLASH.format(code="0000")),
    (survey_problems, "text: 어느 쪽", "text: 어느 \u202e쪽", "s.yaml:8", DIRECTION.format(code="202E")),
    (survey_problems, "options: [가, 나]", 'options: [가, "나\\e"]', "s.yaml:8", BACKSLASH.format(code="001B")),
    (survey_problems, "title: 노선 개편", "title: 노선 \u2067개편", "s.yaml:6", DIRECTION.format(code="2067")),
    # a field's label is in every notice's list line and on the sign-up form; a department written "민원\0과"
    # failed the build with "ValueError: embedded null byte", naming no file
    (audiences_problems, "culture: 문화공연", "culture: 문화\u202e공연", "audiences.yaml:5", DIRECTION.format(code="202E")),
    (audiences_problems, "  - 홍보담당관\n", '  - 홍보담당관\n  - "민원\\0과"\n', "audiences.yaml:21", BACKSLASH.format(code="0000")),
    # a new field's key (in no notice yet) went into the sign-up form as written
    (audiences_problems, "  culture: 문화공연\n", "  culture: 문화공연\n  ne\u202ew: 새 분야\n", "audiences.yaml:6",
     DIRECTION.format(code="202E")),
    (audiences_problems, "  culture: 문화공연\n", '  culture: 문화공연\n  "ne\\bw": 새 분야\n', "audiences.yaml:6",
     BACKSLASH.format(code="0008")),
    (audiences_problems, "label: 도서관 이용자", 'label: "도서관 \\b이용자"', "audiences.yaml:150", BACKSLASH.format(code="0008")),
    # a banner's title and text are on the homepage, in the newsletters and in every email that shows it
    (banner_problems_with, "title: 정부24", "title: 정부\u202e24", "b.yaml:1", DIRECTION.format(code="202E")),
    (banner_problems_with, "body: 본문", "body: 본\u2066문", "b.yaml:2", DIRECTION.format(code="2066")),
    (banner_problems_with, "body: 본문", "body: 본&#x202E;문", "b.yaml:2", REFERENCED.format(reference="&#x202E;", code="202E")),  # Markdown
    # a page's title and text went onto its page as written
    (page_problems, '"소통 서비스 소개"', '"소통 \u202e서비스 소개"', "about.md:2", DIRECTION.format(code="202E")),
    (page_problems, '"소통 서비스 소개"', '"소통 \\b서비스"', "about.md:2", BACKSLASH.format(code="0008")),
    (page_problems, "**소통**은", "**소통**\u2066은", "about.md:5", DIRECTION.format(code="2066")),
    (page_problems, "**소통**은", "**소통**\x0b은", "about.md:5", "the text holds an invisible control character (U+000B), "
     "which web pages and feeds cannot carry; delete it (copying from another program often brings one along)"),
    # DEL and the C1 controls: a curly quote decoded with the wrong code page (U+0093), a terminal's CSI (U+009B)
    (page_problems, "**소통**은", "**소통**\x93은", "about.md:5", "the text holds an invisible control character (U+0093), "
     "which web pages and feeds cannot carry; delete it (copying from another program often brings one along)"),
    (survey_problems, "title: 설문", 'title: "설문 \\x9b"', "s.yaml:1", BACKSLASH.format(code="009B")),
    (audiences_problems, "culture: 문화공연", 'culture: "문화\\x7f공연"', "audiences.yaml:5", BACKSLASH.format(code="007F")),
])
def test_every_file_staff_write_refuses_a_control_character_as_a_notice_does(root, problems, old, new, at, message):
    assert problems(root, old, new) == [f"{at}: {message}"]


def test_a_direction_control_in_a_notice_says_what_a_surveys_does(root):
    notice, = notice_problems(root, "summary: 요약 \u202e끝\n")
    survey, = survey_problems(root, "text: 어느 쪽", "text: 어느 \u202e쪽")
    assert notice.split(": ", 1)[1] == survey.split(": ", 1)[1] == DIRECTION.format(code="202E")


def test_a_build_refuses_a_page_with_a_direction_control_and_leaves_output_as_it_was(tmp_path):
    """The page went out with its text after U+202E shown backwards, exit 0."""
    project = copy_project(tmp_path, notices=False)
    assert invoke_sotong(project, "build").code == 0
    before = (project / "output" / "about" / "index.html").read_bytes()
    page = project / "content" / "pages" / "about.md"
    page.write_text(page.read_text(encoding="utf-8").replace("**소통**은", "**소통**\u202e은", 1), encoding="utf-8")
    built = invoke_sotong(project, "build")
    assert (built.code, built.stderr.strip()) == (1, "content/pages/about.md:5: " + DIRECTION.format(code="202E"))
    assert (project / "output" / "about" / "index.html").read_bytes() == before


@pytest.mark.parametrize("slug", ["../../../../tmp/outside", "/tmp/outside", "notices/../..", "소개 페이지", "가" * 67],
                         ids=["climbing", "absolute", "climbing-from-inside", "with-a-blank", "too-long"])
def test_a_pages_slug_that_cannot_name_its_folder_is_named_at_its_line_as_a_notices(root, slug):
    """A page's folder is its slug (PAGE_SAVE_AS): check passed "../../x", and
    the build stopped with Pelican's English "would be written outside output
    path"; a slug of 200 bytes and more stopped it with "File name too long"."""
    problems = page_problems(root, "slug: about", f'slug: "{slug}"')
    assert len(problems) == 1 and problems[0].startswith("about.md:3: ") and "slug" in problems[0], problems
    assert page_problems(root, "slug: about", "slug: about-sotong_2026") == []


@pytest.mark.parametrize("breaking", [r"\r", r"\u2028", r"\u2029", r"\r\n"])
def test_every_title_staff_write_refuses_a_line_break_of_any_kind(root, breaking):
    """A title is one line: "\\n" was refused, but "\\r" (or U+2028) written
    in double quotes passed and went into every email's text as a bare
    carriage return, breaking the line there (and refused by some servers)."""
    (root / "n.md").write_text(NOTICE_HEAD.replace("title: 안내", f'title: "김장{breaking}나눔"') + "---\n본문\n",
                               encoding="utf-8")
    notice = [str(p) for p in read_notice(root / "n.md", AUDIENCES, root, shown="n.md")[1]]
    survey = survey_problems(root, "title: 설문", f'title: "설문{breaking}조사"')
    policy = survey_problems(root, "title: 노선 개편", f'title: "노선{breaking}개편"')
    banner = banner_problems_with(root, "title: 정부24", f'title: "정부24{breaking}안내"')
    breaks = len(breaking.encode().decode("unicode_escape"))
    assert [*notice, *survey, *policy, *banner] == [
        "n.md:2: title must be one line",
        "s.yaml:1: title is required: one line of 1 to 100 characters, e.g. title: 도서관 이용자 만족도 조사",
        f"s.yaml:6: policy.title must be one line of at most 100 characters (it has {4 + breaks}); "
        "put the rest in policy.summary",
        f"b.yaml:1: title must be one line of at most 100 characters (it has {6 + breaks}); shorten it"]


@pytest.mark.parametrize("check, old, new, where", [
    (banner_problems_with, "body: 본문", "body: '" + "[" * 11 + "본문'", "b.yaml:2"),  # a banner's body is Markdown too
    (page_problems, "**소통**은", "[" * 11 + "**소통**은", "about.md:5"),
])
def test_every_markdown_text_refuses_nesting_past_what_the_build_reads_in_time(root, check, old, new, where):
    problems = check(root, old, new)
    assert [problem.split(": ", 1)[0] for problem in problems] == [where]
    assert problems[0].split(": ", 1)[1].startswith('more than 10 brackets ("[", "<" or a link\'s "(") are open at once')
