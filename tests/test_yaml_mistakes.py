"""libyaml's own words for a front-matter mistake ("did not find expected
key", "found unexpected end of stream") said as what to write instead, on
the line where the mistake begins (an unclosed quote or bracket: the line
that opened it, not where libyaml gave up)."""

from __future__ import annotations

import pytest

from sotong import yamlsrc

MISTAKES = [
    ('title: "재산세"  납부 안내\ndate: 2026-09-02\n', 1, "text follows a value's closing quote"),
    ('date: 2026-09-02\ntitle: "재산세 납부 안내\nsummary: 9월\n', 2, "a quote opened on this line is never closed"),
    ("date: 2026-09-02\ntitle: '재산세\n", 2, "a quote opened on this line is never closed"),
    ("title: @성동구청\n", 1, "a value starts with a character YAML keeps for itself (@ or `)"),
    ("title: `행사`\n", 1, "a value starts with a character YAML keeps for itself (@ or `)"),
    ("title: *중요* 안내\n", 1, "a value starts with *, which YAML reads as a reference"),
    ("date: 2026-09-02\naudiences: [seniors, seongsu\ntitle: 안내\n", 2, "a bracket ([ or {) opened in this value is never closed"),
    ("date: 2026-09-02\nevent: {place: 왕십리광장\ntitle: 안내\n", 2, "a bracket ([ or {) opened in this value is never closed"),
    ("date: 2026-09-02\nevent: start: 2026-11-20 14:00\n", 2,
     "a key follows event: on the same line; write the keys of event in braces: event: {start: 2026-11-20 14:00}"),
    ("date: 2026-09-02\ntitle: “성동구: 한파 안내”\n", 2,
     'a value holds a colon (:), which YAML reads as a new key; put the value in double quotes: title: "성동구: 한파 안내"'),
    # a key written without its colon: libyaml says so on the next line (or past the end), and of a map's
    # first key that the next key's colon is out of place; the line is the key's, the advice its colon
    ("date: 2026-09-02\ncategory living\ntitle: 안내\n", 2,
     "there is no colon (:) after category; write a colon and a space after it: category: living"),
    ("date: 2026-09-02\ncategory living\n", 2,
     "there is no colon (:) after category; write a colon and a space after it: category: living"),
    ("title 김장 나눔 행사\ndate: 2026-09-02\n", 1,
     "there is no colon (:) after title; write a colon and a space after it: title: 김장 나눔 행사"),
    ("title 김장 나눔 행사\ncategory living\ndate: 2026-09-02\n", 1,
     "there is no colon (:) after title; write a colon and a space after it: title: 김장 나눔 행사"),
    ('event:\n  start: "2026-11-19 09:00"\n  place "성동구청 앞 광장"\ntitle: 안내\n', 3,
     'there is no colon (:) after place; write a colon and a space after it: place: "성동구청 앞 광장"'),
    ("title: 안내\n김장 나눔\n", 2, "this line cannot be read as 'key: value'; check the indentation"),
    ("event:\n  start 2026-11-19\n  place: 광장\n", 2,
     "there is no colon (:) after start; write a colon and a space after it: start: 2026-11-19"),
    # a key indented by a stray space: read as the rest of the value above it, which quotes would not mend
    ("title: 김장 나눔\n date: 2026-11-05\ncategory: living\n", 2,
     "this line starts further right than title: above it, so it is read as the rest of title's value; "
     "start date: at the same column as title:"),
    ("event:\n  start: 2026-11-19\n   place: 광장\n", 3,
     "this line starts further right than start: above it, so it is read as the rest of start's value; "
     "start place: at the same column as start:"),
    # a value's next lines, one of them holding a colon: not a key without its colon (SNS)
    ("summary: 김장 나눔 행사\n  SNS 공유 부탁\n  문의: 02-2286-5000\n", 3,
     'a value holds a colon (:), which YAML reads as a new key; put the value in double quotes: 문의: "02-2286-5000"'),
]


@pytest.mark.parametrize("text, line, advice", MISTAKES)
def test_a_yaml_mistake_is_said_plainly_on_its_line(text, line, advice):
    with pytest.raises(yamlsrc.YAMLProblem) as problem:
        yamlsrc.load(text, first_line=2)
    assert problem.value.line == line + 1
    assert problem.value.message.startswith(advice)
    assert "did not find" not in problem.value.message and "scanning" not in problem.value.message
    assert "could not find" not in problem.value.message  # libyaml's English, inside the Korean line


def test_check_says_it_in_korean(project_dir, cli, monkeypatch):
    notice = project_dir / "content" / "notices" / "2026-09-02-property-tax-september.md"
    lines = notice.read_text(encoding="utf-8").splitlines(keepends=True)
    title = next(number for number, line in enumerate(lines) if line.startswith("title:"))
    lines[title] = 'title: "재산세"  납부 안내\n'
    notice.write_text("".join(lines), encoding="utf-8")
    monkeypatch.setenv("SOTONG_LANG", "ko")
    result = cli(project_dir, "check")
    assert result.code == 1
    assert result.stderr.splitlines() == [
        f"content/notices/2026-09-02-property-tax-september.md:{title + 1}: 닫는 따옴표 뒤에 글자가 더 있거나, 이 줄의 "
        "들여쓰기가 위의 항목들과 다릅니다. 값 전체를 따옴표 안에 넣고 모든 항목을 같은 칸에서 시작하세요"]


def test_check_names_the_line_of_a_key_without_its_colon_in_korean(project_dir, cli, monkeypatch):
    """'title 김장' (the header's first line) was said on the next line, as a
    colon in date's value to put in quotes; 'department 복지정책과' on the
    line after it, with libyaml's English in the Korean line."""
    notice = project_dir / "content" / "notices" / "2026-11-05-kimjang-sharing.md"
    text = notice.read_text(encoding="utf-8")
    notice.write_text(text.replace("title: ", "title ", 1).replace("department: ", "department ", 1), encoding="utf-8")
    monkeypatch.setenv("SOTONG_LANG", "ko")
    result = cli(project_dir, "check")
    assert result.code == 1
    assert result.stderr.splitlines() == [
        "content/notices/2026-11-05-kimjang-sharing.md:2: title 뒤에 쌍점(:)이 없습니다. 쌍점과 띄어쓰기를 넣어 "
        '이렇게 쓰세요: title: "2026 사랑의 김장 나눔 자원봉사자 모집"']
    notice.write_text(text.replace("department: ", "department ", 1), encoding="utf-8")
    assert cli(project_dir, "check").stderr.splitlines() == [
        "content/notices/2026-11-05-kimjang-sharing.md:4: department 뒤에 쌍점(:)이 없습니다. 쌍점과 띄어쓰기를 넣어 "
        "이렇게 쓰세요: department: 복지정책과"]


def test_check_says_a_key_indented_by_a_stray_space_in_korean(project_dir, cli, monkeypatch):
    """' category: living' under 'department: 치수과' was told to put its
    value in double quotes, which staff did, and check said the same again."""
    notice = project_dir / "content" / "notices" / "2026-12-03-water-outage-seongsu.md"
    text = notice.read_text(encoding="utf-8")
    assert "\ndepartment: 치수과\ncategory: living\n" in text
    monkeypatch.setenv("SOTONG_LANG", "ko")
    for written in ("category: living", 'category: "living"'):
        notice.write_text(text.replace("\ncategory: living\n", f"\n {written}\n", 1), encoding="utf-8")
        result = cli(project_dir, "check")
        assert result.code == 1
        assert result.stderr.splitlines() == [
            "content/notices/2026-12-03-water-outage-seongsu.md:5: 이 줄이 위 줄의 department:보다 오른쪽에서 "
            "시작해서 department 값의 나머지로 읽힙니다. category:도 department:와(과) 같은 칸에서 시작하세요"]


def test_text_that_starts_with_a_full_width_space_is_text():
    """A Korean paragraph may start with U+3000; only a key indented with it is a mistake."""
    assert yamlsrc.load("summary: |\n  \u3000첫 문단: 안내\n  \u3000둘째 문단\nx: 1\n").data == {
        "summary": "\u3000첫 문단: 안내\n\u3000둘째 문단\n", "x": 1}
    with pytest.raises(yamlsrc.YAMLProblem) as problem:
        yamlsrc.load("event:\n\u3000start: 2026-11-20\n")
    assert problem.value.line == 2 and "full-width space" in problem.value.message
