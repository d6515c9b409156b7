"""libyaml's own words for a front-matter mistake ("did not find expected
key", "found unexpected end of stream") said as what to write instead, on
the line where the mistake begins (an unclosed quote or bracket: the line
that opened it, not where libyaml gave up). A file whose aliases repeat it
into a billion values, or whose value holds itself, is one line at once,
not hours of check."""

from __future__ import annotations

import pytest

from sotong import yamlsrc

SECOND_DOCUMENT = ("this '---' line starts a second document, and a file holds one (one survey, one list); delete "
                   "this line (another survey goes in a file of its own)")
HASHTAG = '"#{tag}" is read as a note and left out of the value; to keep it, put the whole value in double quotes: {fixed}'
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
    # no space after a key's colon: said on the next line (with libyaml's "could not find expected ':'"), or,
    # before a line with a colon, as a colon in that line's value to quote (date: "2026-09-02")
    ("title: 안내\ndepartment:세무1과\ncategory: tax\n", 2,
     "no space follows the colon after department, so the line is read as text; put a space after the colon: "
     "department: 세무1과"),
    ("title:재산세 안내\ndate: 2026-09-02\n", 1, "no space follows the colon after title"),
    ("title: 안내\ncategory:tax\n", 2, "no space follows the colon after category"),
    ("event:\n  start: 2026-11-20\n  place:왕십리광장\ntitle: 안내\n", 3,
     "no space follows the colon after place, so the line is read as text; put a space after the colon: place: 왕십리광장"),
    ("title: 안내\nlink:https://www.gov.kr/\ndate: 2026-09-02\n", 2, "no space follows the colon after link"),
    # a key without its colon: said on the next line with libyaml's "could not find expected ':'", or as a colon
    # to quote in the line after it
    ("title: 안내\ncategory tax\ndate: 2026-09-02\n", 2, "category has no colon after it, so the line is not read "
     "as 'key: value'; write category: tax"),
    ("category tax\ntitle: 안내\n", 1, "category has no colon after it"),
    ("date: 2026-09-02\ntitle = 재산세 납부 안내\n", 2, "title has no colon after it, so the line is not read as "
     "'key: value'; write title: 재산세 납부 안내"),
    ("event:\n  place: 왕십리광장\n  start 2026-11-20 14:00\ntitle: 안내\n", 3,
     "start has no colon after it, so the line is not read as 'key: value'; write start: 2026-11-20 14:00"),
    # a key line pasted with spaces before it, under a key with a value: was "put the value in double quotes"
    ("title: 재산세 납부 안내\n  date: 2026-09-02\ncategory: tax\n", 2, "this line is indented further than title "
     "above it, so it is read as more of title's value; start it at the same column as title: date: 2026-09-02"),
    # the same under a list item's first key (a survey's question): was "put the value in double quotes: type: "text"",
    # which staff did, and were told the same again
    ("questions:\n  - id: wish\n     type: text\n    text: 바라는 점\n", 3, "this line is indented further than id "
     "above it, so it is read as more of id's value; start it at the same column as id: type: text"),
    # a list item's first key pasted onto its "- " line further right than its other keys: was "not valid YAML: did
    # not find expected '-' indicator", in libyaml's English
    ("questions:\n  - id: a\n    type: text\n  -     id: b\n    type: text\n", 5, "this line is indented unlike the list "
     "item above it; start each item with - at the list's column, and its other keys at the column of the key after "
     "its -"),
    # a title that starts with a word in brackets, as notices' do: said as a quote closed too early
    ("date: 2026-09-02\ntitle: [공지] 재산세 납부 안내\n", 2, 'the value of title starts with a bracket, which YAML reads '
     'as a list, and text follows it; put the whole value in double quotes: title: "[공지] 재산세 납부 안내"'),
    ('sms: [성동구] 김장 "나눔"\n', 1, 'the value of sms starts with a bracket, which YAML reads as a list, and text '
     'follows it; put the whole value in double quotes: sms: "[성동구] 김장 \\"나눔\\""'),
    # a value that starts with a sign YAML keeps for itself: was "not valid YAML: did not find expected ..."
    ("title: !중요 재산세 납부\n", 1, "the value of title starts with !, which YAML reads as a sign of its own; put the "
     'whole value in double quotes: title: "!중요 재산세 납부"'),
    ("date: 2026-09-02\ntitle: - 재산세 납부\n", 2, 'the value of title starts with -, which YAML reads as a sign of its '
     'own; put the whole value in double quotes: title: "- 재산세 납부"'),
    ("title: > 재산세 납부\n", 1, "the value of title starts with >"),
    ("title: %할인 안내\n", 1, "the value of title starts with %"),
    ("title: &안내\n", 1, "the value of title starts with &"),
    # a Windows path in double quotes: was "not valid YAML: found unknown escape character"
    ('image: "images\\poster.jpg"\nimage_alt: 포스터\n', 1, "a backslash (\\) in double quotes starts a code YAML "
     "does not know (a Windows path, images\\poster.jpg); write paths with / (images/poster.jpg), or put the value in "
     "single quotes"),
    ('image: "C:\\Users\\kim\\poster.jpg"\n', 1, "a backslash (\\) in double quotes starts a code YAML does not know"),
    # half of a character written as its code (what a lone surrogate is): was libyaml's English
    ('title: "김장\\uDCFF나눔"\n', 1, "a \\u or \\U code in double quotes names no character (\\uD800 to \\uDFFF are "
     "halves of one); write the character itself, or delete the code"),
    # a hashtag after a value without quotes: YAML reads " #" as the start of a note, and the title or text
    # message went out without it, and check said nothing
    ("date: 2026-09-02\ntitle: 가을 축제 #성동구\n", 2, '"#성동구" is read as a note and left out of the value; to keep '
     'it, put the whole value in double quotes: title: "가을 축제 #성동구"'),
    ('sms: 한파 "쉼터" #성동구 #한파\n', 1, HASHTAG.format(tag="성동구", fixed='sms: "한파 \\"쉼터\\" #성동구 #한파"')),
    ("title: #성동구 축제\n", 1, HASHTAG.format(tag="성동구", fixed='title: "#성동구 축제"')),
    ("audiences:\n  - seniors #어르신\n", 2, HASHTAG.format(tag="어르신", fixed='- "seniors #어르신"')),
    # a no-break space after it (copied from a web page or a word processor), which YAML does not take for one
    ("title: 안내\ncategory:\u00a0tax\ndate: 2026-09-02\n", 2,
     "the space after category: is not an ordinary space (U+00A0, copied from another program), so the line is read as "
     "text; write an ordinary space: category: tax"),
    # a key written without its colon as the header's first key, a key of event:, a value's next lines that
    # hold a colon (not a key without its colon), and a key indented under event's keys
    ("date: 2026-09-02\ncategory living\n", 2, "category has no colon after it, so the line is not read as "
     "'key: value'; write category: living"),
    ("title 김장 나눔 행사\ndate: 2026-09-02\n", 1, "title has no colon after it, so the line is not read as "
     "'key: value'; write title: 김장 나눔 행사"),
    ("title 김장 나눔 행사\ncategory living\ndate: 2026-09-02\n", 2, "category has no colon after it"),
    ('event:\n  start: "2026-11-19 09:00"\n  place "성동구청 앞 광장"\ntitle: 안내\n', 3,
     'place has no colon after it, so the line is not read as \'key: value\'; write place: "성동구청 앞 광장"'),
    ("title: 안내\n김장 나눔\n", 2, "this line cannot be read as 'key: value'; check the indentation"),
    ("event:\n  start 2026-11-19\n  place: 광장\n", 2, "start has no colon after it, so the line is not read as "
     "'key: value'; write start: 2026-11-19"),
    ("event:\n  start: 2026-11-19\n   place: 광장\n", 3, "this line is indented further than start above it, so it "
     "is read as more of start's value; start it at the same column as start: place: 광장"),
    ("summary: 김장 나눔 행사\n  SNS 공유 부탁\n  문의: 02-2286-5000\n", 3,
     'a value holds a colon (:), which YAML reads as a new key; put the value in double quotes: 문의: "02-2286-5000"'),
    # a "- " indented further than the item above: one item "seniors - parents", said as an unknown segment
    # near another name (school-entry-parents), or a survey's options one short
    ("audiences:\n- seniors\n  - parents\ntitle: 안내\n", 3, 'this "- " line starts at another column than the list '
     'item above it, so YAML does not read it as the next item; start every "- " of the list in the same column'),
    ("questions:\n  - id: a\n    options:\n      - 짧다\n        - 적절하다\n", 5, 'this "- " line starts at another column'),
    # one further out: "text follows a value's closing quote, or this line is indented unlike the keys above it"
    ("departments:\n  - 치수과\n  - 보건소\n - 가족정책과\nfields: {}\n", 4, 'this "- " line starts at another column'),
    # a list item without the blank after its "-": "this line cannot be read as 'key: value'"
    ("title: 안내\naudiences:\n-seniors\ndate: 2026-11-19\n", 3, 'a list item needs a blank after its "-"; write - seniors'),
    ("audiences:\n  - seniors\n  -parents\ntitle: 안내\n", 3, 'a list item needs a blank after its "-"; write - parents'),
    # a second '---' (two surveys in one file, a notice's header pasted in): libyaml's "but found another document"
    ("id: a\ntitle: 안내\n---\nid: b\n", 3, SECOND_DOCUMENT),
    ("---\nid: a\n---\nid: b\n", 3, SECOND_DOCUMENT),
    ("dongs: {}\n---\n", 2, SECOND_DOCUMENT),
]


@pytest.mark.parametrize("text, line, advice", MISTAKES)
def test_a_yaml_mistake_is_said_plainly_on_its_line(text, line, advice):
    with pytest.raises(yamlsrc.YAMLProblem) as problem:
        yamlsrc.load(text, first_line=2)
    assert problem.value.line == line + 1
    assert problem.value.message.startswith(advice)
    assert "did not find" not in problem.value.message and "scanning" not in problem.value.message
    assert "could not find" not in problem.value.message and "not valid YAML" not in problem.value.message


def test_check_says_it_in_korean(project_dir, korean_check):
    notice = project_dir / "content" / "notices" / "2026-09-02-property-tax-september.md"
    lines = notice.read_text(encoding="utf-8").splitlines(keepends=True)
    title = next(number for number, line in enumerate(lines) if line.startswith("title:"))
    lines[title] = 'title: "재산세"  납부 안내\n'
    notice.write_text("".join(lines), encoding="utf-8")
    assert korean_check(project_dir) == [
        f"content/notices/2026-09-02-property-tax-september.md:{title + 1}: 닫는 따옴표 뒤에 글자가 더 있거나, 이 줄의 "
        "들여쓰기가 위의 항목들과 다릅니다. 값 전체를 따옴표 안에 넣고 모든 항목을 같은 칸에서 시작하세요"]


def test_check_says_a_second_document_in_a_survey_or_audiences_in_korean(project_dir, korean_check):
    """Two surveys in one file, or audiences.yaml with a '---' line between
    its parts, were said as "YAML 형식이 잘못되었습니다 (but found another
    document)", in libyaml's English, with advice on quotes and indentation."""
    survey = project_dir / "content" / "surveys" / "library-satisfaction.yaml"
    text = survey.read_text(encoding="utf-8")
    survey.write_text(text + "---\n" + text, encoding="utf-8")
    said = ("{file}:{line}: 이 '---' 줄에서 두 번째 문서가 시작되는데, 파일 하나에는 하나(설문 하나, 목록 하나)만 쓸 수 "
            "있습니다. 이 줄을 지우세요 (다른 설문은 따로 파일을 만들어 쓰세요)")
    assert korean_check(project_dir) == [said.format(file="content/surveys/library-satisfaction.yaml",
                                                     line=text.count("\n") + 1)]
    survey.write_text(text, encoding="utf-8")
    audiences = project_dir / "audiences.yaml"
    text = audiences.read_text(encoding="utf-8")
    audiences.write_text(text.replace("\nsegments:", "\n---\nsegments:", 1), encoding="utf-8")
    line = text[:text.index("\nsegments:")].count("\n") + 2
    assert said.format(file="audiences.yaml", line=line) in korean_check(project_dir)


def test_notes_and_hashes_that_are_text_stay_as_they_are():
    """A note written as notes are (# and a space), and # inside quotes, a
    block of text or a word, are no hashtag lost."""
    assert yamlsrc.load('a: 1  # 메모\nb: [x, y] #c\nc: "가 #나"\nd: |\n  가 #나\ne: 가#나\n#메모\nf: 나\n').data == {
        "a": 1, "b": ["x", "y"], "c": "가 #나", "d": "가 #나\n", "e": "가#나", "f": "나"}


def test_check_names_the_line_of_a_key_without_its_colon_in_korean(project_dir, korean_check):
    """'title 김장' (the header's first line) was said on the next line, as a
    colon in date's value to put in quotes; 'department 복지정책과' on the
    line after it, with libyaml's English in the Korean line."""
    notice = project_dir / "content" / "notices" / "2026-11-05-kimjang-sharing.md"
    text = notice.read_text(encoding="utf-8")
    notice.write_text(text.replace("title: ", "title ", 1).replace("department: ", "department ", 1), encoding="utf-8")
    assert korean_check(project_dir) == [
        "content/notices/2026-11-05-kimjang-sharing.md:2: title 뒤에 쌍점(:)이 없어 이 줄이 '항목: 값'으로 읽히지 "
        '않습니다. 이렇게 쓰세요: title: "2026 사랑의 김장 나눔 자원봉사자 모집"']
    notice.write_text(text.replace("department: ", "department ", 1), encoding="utf-8")
    assert korean_check(project_dir) == [
        "content/notices/2026-11-05-kimjang-sharing.md:4: department 뒤에 쌍점(:)이 없어 이 줄이 '항목: 값'으로 "
        "읽히지 않습니다. 이렇게 쓰세요: department: 복지정책과"]


def test_check_says_a_key_indented_by_a_stray_space_in_korean(project_dir, korean_check):
    """' category: living' under 'department: 치수과' was told to put its
    value in double quotes, which staff did, and check said the same again."""
    notice = project_dir / "content" / "notices" / "2026-12-03-water-outage-seongsu.md"
    text = notice.read_text(encoding="utf-8")
    assert "\ndepartment: 치수과\ncategory: living\n" in text
    for written in ("category: living", 'category: "living"'):
        notice.write_text(text.replace("\ncategory: living\n", f"\n {written}\n", 1), encoding="utf-8")
        assert korean_check(project_dir) == [
            "content/notices/2026-12-03-water-outage-seongsu.md:5: 이 줄이 위의 department보다 더 들여 써져 있어 "
            f"department 값의 이어지는 부분으로 읽힙니다. department와(과) 같은 칸에서 시작하세요: {written}"]


def test_an_hour_is_text_as_written_not_a_number_in_base_60():
    """YAML 1.1 reads 15:00 as 900 (base 60): an event's end: 15:00 was said
    as "900", which no one wrote, and a title 10:30 became 630."""
    assert yamlsrc.load("end: 15:00\ntitle: 10:30\nmax: 5\nbig: 0x1F\n").data == {
        "end": "15:00", "title": "10:30", "max": 5, "big": 31}


def test_text_that_starts_with_a_full_width_space_is_text():
    """A Korean paragraph may start with U+3000; only a key indented with it is a mistake."""
    assert yamlsrc.load("summary: |\n  \u3000첫 문단: 안내\n  \u3000둘째 문단\nx: 1\n").data == {
        "summary": "\u3000첫 문단: 안내\n\u3000둘째 문단\n", "x": 1}
    with pytest.raises(yamlsrc.YAMLProblem) as problem:
        yamlsrc.load("event:\n\u3000start: 2026-11-20\n")
    assert problem.value.line == 2 and "full-width space" in problem.value.message


def laughs(levels: int = 9, width: int = 10, key: str = "l") -> str:
    """``levels`` lines, each a list of ``width`` aliases of the line before
    (a "billion laughs": width ** levels values), the first at line 1."""
    first = f"{key}0: &{key}0 [{', '.join(['하'] * width)}]\n"
    return first + "".join(f"{key}{level}: &{key}{level} [{', '.join([f'*{key}{level - 1}'] * width)}]\n"
                           for level in range(1, levels))


BOMB = "aliases (*name) repeat this value into more than 100,000 values"


def mapping_laughs(levels: int = 6) -> str:
    """As :func:`laughs`, with mappings of ten keys, each (after the first) an alias."""
    keys = "abcdefghij"
    first = "m0: &m0 {" + ", ".join(f"{key}: 하" for key in keys) + "}\n"
    return first + "".join(f"m{level}: &m{level} {{" + ", ".join(f"{key}: *m{level - 1}" for key in keys) + "}\n"
                           for level in range(1, levels))


@pytest.mark.parametrize("text, line, advice", [
    (laughs(), 5, BOMB),  # the first line past 100,000: its 10 ** 5 하
    ("title: 안내\n" + mapping_laughs(), 6, BOMB),  # 222,221 values on m4's line
    ("a: &a [1, *a]\n", 1, "this value contains itself through an alias (*name)"),
    ("a:\n  b: &b\n    c: *b\n", 2, "this value contains itself through an alias (*name)"),
])
def test_a_file_its_aliases_make_huge_or_endless_is_one_line(text, line, advice):
    with pytest.raises(yamlsrc.YAMLProblem) as problem:
        yamlsrc.load(text)
    assert (problem.value.line, problem.value.message[:len(advice)]) == (line, advice)


def test_aliases_within_reason_and_deep_nesting_still_read():
    assert yamlsrc.load(laughs(levels=4)).data["l3"] == [[[["하"] * 10] * 10] * 10] * 10  # 10,000 하
    assert yamlsrc.load("base: &b {fields: [tax]}\nseniors: {<<: *b, age: 65+}\n").data["seniors"] == {
        "fields": ["tax"], "age": "65+"}
    deep = yamlsrc.load("a: " + "[" * 900 + "]" * 900 + "\n").data["a"]
    for _level in range(899):
        deep = deep[0]
    assert deep == []


def test_check_says_a_billion_laughs_at_once_in_every_kind_of_file(project_dir, sotong):
    """Each walk of the values (control characters, a message quoting a
    wrong value) took hours over nine lines of aliases."""
    bomb = laughs()
    (project_dir / "content" / "surveys" / "laughs.yaml").write_text(
        bomb + "title: x\ndepartment: 홍보담당관\nopens: 2026-11-20\ncloses: 2026-12-31\nquestions: *l8\n", encoding="utf-8")
    (project_dir / "content" / "banners" / "laughs.yaml").write_text(bomb + "title: x\nbody: *l8\n", encoding="utf-8")
    (project_dir / "content" / "notices" / "2026-11-20-laughs.md").write_text(
        "---\n" + bomb + "title: 안내\ndate: 2026-11-20\ndepartment: 홍보담당관\ncategory: bulletin\nsummary: *l8\n---\n본문\n",
        encoding="utf-8")
    result = sotong(project_dir, "check", timeout=60)
    assert result.code == 1 and "Traceback" not in result.stderr
    assert sorted(line for line in result.stderr.splitlines() if BOMB in line) == [
        f"content/banners/laughs.yaml:5: {BOMB}, more than any file needs; write the values out instead of repeating them with & and *",
        f"content/notices/2026-11-20-laughs.md:6: {BOMB}, more than any file needs; write the values out instead of repeating them with & and *",
        f"content/surveys/laughs.yaml:5: {BOMB}, more than any file needs; write the values out instead of repeating them with & and *"]
