"""Survey definitions (SPEC §9): ``content/surveys/SLUG.yaml`` read into a
:class:`Survey`, with every mistake reported as ``FILE:LINE: what to write``.

Dates arrive as text (sotong.yamlsrc keeps them so) and are parsed here, so
that a wrong date is a message with a line rather than a crash.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlencode

from sotong import yamlsrc
from sotong.dates import iso_day
from sotong.i18n import N_, _
from sotong.notices import TITLE_MAX, as_iso, english_suggestion
from sotong.audiences import Audiences, read_audience_list
from sotong.invisible import trimmed
from sotong.problems import Problem, SotongError, cannot_read, closest, did_you_mean, not_utf8, suggested
from sotong.schedule import YEARS
from sotong.content_files import yaml_files
from sotong.settings import MAX_BODY_BYTES
from sotong.validators import (breaks_line, composed, control_character_problems, department as known_department,
                               whole_number)

from .config import DEFAULTS as SETTING_DEFAULTS, read_survey_settings

SURVEY_KEYS = ("title", "department", "opens", "closes", "audiences", "anonymous", "publish_results", "questions",
               "kind", "policy")
KINDS = ("survey", "consultation")
POLICY_KEYS = ("title", "department", "summary")
# The policy key a word staff write for it means (부서: ..., 요약: ...): read as that key, said once
POLICY_WORDS = {"제목": "title", "이름": "title", "정책": "title", "정책명": "title", "사업명": "title", "name": "title",
                "부서": "department", "담당부서": "department", "소관부서": "department", "dept": "department",
                "요약": "summary", "내용": "summary", "설명": "summary", "개요": "summary", "description": "summary"}
# The key a word staff write for it means (마감: ..., deadline: ...); visibility is a notice's
SURVEY_WORDS = {
    "제목": "title", "부서": "department", "담당부서": "department", "시작": "opens", "시작일": "opens", "start": "opens",
    "마감": "closes", "마감일": "closes", "종료일": "closes", "끝": "closes", "deadline": "closes", "due": "closes",
    "end": "closes", "대상": "audiences", "받는사람": "audiences", "익명": "anonymous", "질문": "questions",
    "종류": "kind", "정책": "policy", "결과공개": "publish_results",
    "visibility": "visibility", "공개": "visibility", "공개여부": "visibility", "비공개": "visibility",
}
QUESTION_KEYS = ("id", "type", "text", "options", "required", "min", "max", "labels")
# The key a word staff write for it means (question: ..., 보기: [...]): read as that key, said once
QUESTION_WORDS = {
    "question": "text", "질문": "text", "문항": "text", "내용": "text", "title": "text", "제목": "text",
    "choices": "options", "choice": "options", "answers": "options", "보기": "options", "선택지": "options",
    "답": "options", "필수": "required", "mandatory": "required", "유형": "type", "종류": "type", "형식": "type",
    "kind": "type", "최소": "min", "최대": "max", "label": "labels", "라벨": "labels", "name": "id", "이름": "id",
}
TYPES = ("single", "multiple", "scale", "text")
# what each type is, in the staff's words (the list of types said no more than its English names)
TYPE_WORDS = {"single": N_("pick one"), "multiple": N_("pick several"), "scale": N_("a score, e.g. 1 to 5"),
              "text": N_("a written answer")}
CHOICE_TYPES = ("single", "multiple")
DEFAULT_FIELD = "survey"  # without audiences, the consenters of this field are invited
SCALE_MOST_POINTS = 11  # 0..10 at most: each point is a radio button
SCALE_END_RANGE = (-100, 100)  # a scale's min and max
LABEL_MAX = 20  # a scale end's label, shown beside its button
TOKEN_FIELD = "t"
_ID = re.compile(r"[a-z][a-z0-9_-]*")  # fullmatch: $ would let a line break at the end through
_SLUG = re.compile(r"[a-z0-9][a-z0-9-]*")


@dataclass(frozen=True)
class Question:
    id: str
    type: str
    text: str
    options: tuple = ()
    required: bool = False
    min: int = 1
    max: int = 5
    least: int = 0  # a multiple question: at least this many ticked, when answered
    most: int = 0  # a multiple question: at most this many ticked; 0: no limit
    labels: tuple = ()  # a scale question: what its lowest and highest points mean (매우 불만족, 매우 만족)

    @property
    def choices(self) -> tuple:
        """What may be answered: the options, or the scale's points as text."""
        if self.type == "scale":
            return tuple(str(n) for n in range(self.min, self.max + 1))
        return self.options

    def end_labels(self) -> dict[str, str]:
        """A scale's ends with their labels, by point as text ({} without labels)."""
        return dict(zip((str(self.min), str(self.max)), self.labels))


@dataclass(frozen=True)
class Policy:
    """The policy a consultation asks about (SPEC §16)."""

    title: str
    department: str
    summary: str


@dataclass(frozen=True)
class Survey:
    slug: str
    title: str
    department: str
    opens: dt.date
    closes: dt.date  # the last day answers are taken
    audiences: tuple  # Segment objects; empty: the consenters of DEFAULT_FIELD
    anonymous: bool
    publish_results: bool
    questions: tuple
    source: str = ""
    kind: str = "survey"
    policy: Policy | None = None  # a consultation's policy
    lines: dict = field(default_factory=dict, compare=False, repr=False)  # key -> its line, for warnings

    def is_open(self, day: dt.date) -> bool:
        return self.opens <= day <= self.closes

    def question(self, question_id: str) -> Question | None:
        return next((q for q in self.questions if q.id == question_id), None)


def surveys_dir(settings: dict) -> Path:
    return Path(settings["PATH"]) / "surveys"


def unknown_survey_problems(notices, settings: dict, shown) -> list[Problem]:
    """A problem for each notice whose ``survey:`` names no file of the surveys
    folder: the slug to write when it holds a survey's title (or words of one),
    else each slug with its title (the titles are read only then)."""
    known = {path.stem for path in yaml_files(surveys_dir(settings))[0]}
    unknown = [notice for notice in notices if notice.survey is not None and notice.survey not in known]
    titles = survey_titles(settings) if unknown else {}
    return [Problem(shown(notice.source), notice.lines.get("survey", 1), _unknown_survey(str(notice.survey), titles))
            for notice in unknown]


def survey_titles(settings: dict) -> dict[str, str]:
    """The title of each survey file by slug ('' where it cannot be read: its own problem says why)."""
    titles = {}
    for path in sorted(yaml_files(surveys_dir(settings))[0], key=lambda path: path.stem):
        try:
            data = yamlsrc.load(path.read_text(encoding="utf-8")).data
        except (OSError, UnicodeDecodeError, yamlsrc.YAMLProblem):
            data = None
        title = data.get("title") if isinstance(data, dict) else None
        titles[path.stem] = title.strip() if isinstance(title, str) else ""
    return titles


def _unknown_survey(written: str, titles: dict[str, str]) -> str:
    """The message for ``survey: written`` naming no survey of ``titles`` (slug -> title)."""
    slug = slug_of_title(written, titles)
    if slug:
        return _('no survey "{slug}" in content/surveys/: "{slug}" is the title of survey {known}; write '
                 '"survey: {known}"').format(slug=written, known=slug)
    return _('no survey "{slug}" in content/surveys/{suggestion}; known: {known}').format(
        slug=written, suggestion=did_you_mean(written, titles), known=known_surveys(titles))


def known_surveys(titles: dict[str, str]) -> str:
    """Each survey's slug with its title, "library-satisfaction (2026 성동구립도서관 …), …", or 없음."""
    return ", ".join(f"{slug} ({title})" if title else slug for slug, title in titles.items()) or _("none")


def slug_of_title(written: str, titles: dict[str, str]) -> str | None:
    """The slug of the one survey whose title ``written`` is, is near, or has
    every word of ("도서관 만족도 조사" for "2026 성동구립도서관 이용자 만족도 조사")."""
    by_title = {title: slug for slug, title in titles.items() if title}
    near = closest(written, by_title)
    if near:
        return by_title[near]
    words = written.split()
    holding = [slug for title, slug in by_title.items() if words and all(word in title for word in words)]
    return holding[0] if len(holding) == 1 else None


def read_survey(path: Path, audiences: Audiences, shown: str | None = None,
                text_max_chars: int = SETTING_DEFAULTS["text_max_chars"]) -> tuple[Survey | None, list[Problem]]:
    """Read and validate one survey file; (survey, []) or (None, problems)."""
    shown = shown or str(path)
    try:
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError as error:
        return None, [not_utf8(shown, error)]
    except OSError as exc:  # renamed or deleted since the folder was listed
        return None, [Problem(shown, 1, cannot_read(exc))]
    try:
        doc = yamlsrc.load(text)
    except yamlsrc.YAMLProblem as exc:
        return None, [Problem(shown, exc.line, exc.message)]
    return validate_survey(doc, path.stem, audiences, shown, text_max_chars)


def validate_survey(doc: yamlsrc.Located, slug: str, audiences: Audiences, shown: str,
                    text_max_chars: int = SETTING_DEFAULTS["text_max_chars"]):
    """The rules of a survey definition, on a parsed document; its text
    answers are taken up to ``text_max_chars`` (the SURVEY setting)."""
    problems: list[Problem] = []

    def problem(path: tuple, message: str) -> None:
        problems.append(Problem(shown, doc.line(*path), message))

    data = doc.data
    if not isinstance(data, dict):
        problem((), _("a survey must be lines of 'key: value' with ") + ", ".join(SURVEY_KEYS))
        return None, problems
    problems.extend(control_character_problems(doc, shown))
    if not _SLUG.fullmatch(slug):
        problem((), _('the file name "{slug}.yaml" is used in web addresses; rename it with small letters, digits and hyphens only, e.g. library-2026.yaml').format(
            slug=slug))
    for key in data:
        if key not in SURVEY_KEYS:
            problem((key,), _unknown_key(key))

    title = data.get("title")
    title = composed(title).strip() if isinstance(title, str) else None
    if not title or breaks_line(title) or len(title) > TITLE_MAX:
        problem(("title",), _("title is required: one line of 1 to 100 characters, e.g. title: 도서관 이용자 만족도 조사"))
    department = data.get("department")
    if department is None:
        problem((), _("department is required; add a line such as  department: 문화체육과"))
    else:
        known_department(department, audiences.departments, lambda key, message: problem((key,), message))
    opens = _day(data, "opens", problem, getattr(iso_day(str(data.get("closes"))), "year", None))
    closes = _day(data, "closes", problem, opens.year if opens else None)
    if opens and closes and closes < opens:
        problem(("closes",), _("closes ({closes}) is before opens ({opens}); closes is the last day answers are taken: write a day on or after opens, e.g. closes: {example}").format(
            closes=closes, opens=opens, example=_on_or_after(closes, opens)))
    segments = read_audience_list(data.get("audiences"), audiences, problem)
    anonymous = _flag(data, "anonymous", problem)
    publish_results = _flag(data, "publish_results", problem)
    questions = _questions(data.get("questions"), problem, doc.line)
    kind, policy = _consultation(data, audiences, anonymous, problem)
    if kind == "consultation" and questions and not any(question.type == "text" for question in questions):
        problem(("questions",), _("a consultation keeps the opinions written in its free-text questions, and this one has none, so no opinion "
                                  "would be kept; add one, e.g. {example}").format(
            example="- {id: opinion, type: text, text: 의견을 자유롭게 적어 주세요}"))
    if not problems:
        _fits_one_answer(questions, text_max_chars, lambda message: problem(("questions",), message))
    if problems:
        return None, problems
    return Survey(slug=slug, title=title, department=str(department), opens=opens, closes=closes,
                  audiences=segments, anonymous=anonymous, publish_results=publish_results,
                  questions=questions, source=shown, kind=kind, policy=policy,
                  lines={key[0]: line for key, line in doc.lines.items() if len(key) == 1}), []


def _unknown_key(key) -> str:
    """What to write for ``key``, which surveys do not take: the key a word
    staff use for it means (마감 is closes), or what a survey has instead of
    a notice's visibility."""
    meant = SURVEY_WORDS.get(str(key).strip().lower().replace(" ", ""))
    if meant == "visibility":
        return _("a survey has no visibility: its form is a page of the site, and only the readers of its audiences can "
                 "answer, each by the link of their own email; say who may answer in audiences, and whether the counts "
                 "are published once it closes in publish_results (true or false); remove this line")
    written = str(key).strip().lower()
    if written.startswith(("policy_", "policy.")) and written[7:] in POLICY_KEYS:  # policy_title: one of its keys
        return _('unknown key "{key}"; the policy\'s {name} is written under policy:, e.g. policy: {{title: 마을버스 노선 '
                 '개편, department: 자치행정과, summary: ...}}').format(key=key, name=written[7:])
    return _('unknown key "{key}"{suggestion}; surveys take {survey_keys}').format(
        key=key, suggestion=suggested(meant) if meant else did_you_mean(str(key), SURVEY_KEYS),
        survey_keys=", ".join(SURVEY_KEYS))


def _fits_one_answer(questions: tuple, text_max_chars: int, problem) -> None:
    """A problem when the longest answer the form lets through (every text
    box full of Korean, 9 bytes a letter as a form sends it; every option
    ticked) is more than the collector takes (413): the resident would lose it."""
    texts = [question for question in questions if question.type == "text"]
    if not texts:
        return
    fields = [(TOKEN_FIELD, "x" * 100)]  # a token is about 60 characters
    for question in questions:
        if question.type == "text":
            fields.append((question.id, "가" * text_max_chars))
        else:
            fields += [(question.id, choice) for choice in question.choices
                       if question.type == "multiple" or choice == max(question.choices, key=lambda c: len(c.encode()))]
    longest = len(urlencode(fields))
    if longest > MAX_BODY_BYTES:
        rest = longest - len(texts) * len(urlencode({"": "가" * text_max_chars}))
        problem(_("with {count} free-text question(s) of up to {chars} characters each (SURVEY's text_max_chars), an answer may be longer than the collector takes ({limit} KiB) and be lost; ask fewer free-text questions, or lower text_max_chars to {fits}").format(
            count=len(texts), chars=text_max_chars, limit=MAX_BODY_BYTES // 1024,
            fits=max(1, (MAX_BODY_BYTES - rest) // (9 * len(texts)))))


def _consultation(data: dict, audiences: Audiences, anonymous: bool, problem) -> tuple[str, Policy | None]:
    """SPEC §16: ``kind: consultation`` names its policy and keeps who answered."""
    kind = data.get("kind", "survey")
    if kind not in KINDS:
        problem(("kind",), _('kind must be survey or consultation, not "{kind}"{suggestion}').format(
            kind=kind, suggestion=english_suggestion(kind, KINDS)))
        return "survey", None
    value = data.get("policy")
    if kind == "survey":
        if value is not None:
            problem(("policy",), _("policy is for consultations; add kind: consultation or remove policy"))
        return kind, None
    if anonymous:
        problem(("anonymous",), _("a consultation keeps who answered, by policy; write anonymous: false"))
    given = data.get("department")  # the example's department is one check takes
    department = given if given in audiences.departments else next(iter(audiences.departments), "교통행정과")
    title = str(value).strip() if isinstance(value, str) and value.strip() else "마을버스 노선 개편"
    example = f"policy: {{title: {title}, department: {department}, summary: ...}}"
    if isinstance(value, str) and value.strip():  # the policy written as its title: it is there, as a map
        problem(("policy",), _("policy is written as one text; write it as its title, department and summary: "
                               "{example}").format(example=example))
        return kind, None
    if _policy_as_list(value):  # - title: ...: its keys written as a list's items
        problem(("policy",), _('policy\'s lines start with "- ", which makes them a list; remove the "- " so that they are '
                               'its keys: {example}').format(example=example))
        return kind, None
    if not isinstance(value, dict):
        if value is None and any(_written_for_policy(key) for key in data):  # 정책: ..., said at its line
            return kind, None
        problem(("policy",) if value is not None else ("kind",), _("a consultation needs its policy; write {example}").format(example=example))
        return kind, None
    texts = _policy_texts(value, example, problem)
    if breaks_line(texts["title"]) or len(texts["title"]) > TITLE_MAX:  # a notice's title's rule: it is the policy's name
        problem(("policy", "title"), _("policy.title must be one line of at most {most} characters (it has {count}); "
                                       "put the rest in policy.summary").format(most=TITLE_MAX, count=len(texts["title"])))
    if texts["department"] and texts["department"] not in audiences.departments:
        problem(("policy", "department"), _('unknown department "{department}"{suggestion}; use one of departments in audiences.yaml').format(
            department=texts["department"], suggestion=did_you_mean(texts["department"], audiences.departments)))
    return kind, Policy(**texts)


def _policy_as_list(value) -> bool:
    """Whether ``value`` is the policy's keys written as a list (``- title: ...``)."""
    return isinstance(value, list) and bool(value) and all(isinstance(item, dict) for item in value)


def _written_for_policy(key) -> bool:
    """Whether a survey's unknown ``key`` is the policy written otherwise
    (정책:, policy_title:), which its own line says."""
    written = str(key).strip().lower().replace(" ", "")
    return written not in SURVEY_KEYS and (SURVEY_WORDS.get(written) == "policy" or written.startswith(("policy_", "policy.")))


def _policy_texts(value: dict, example: str, problem) -> dict[str, str]:
    """The policy's title, department and summary; each key it does not take
    said with the key to write, and read as that key when it means one
    (부서: 자치행정과 is the department, said once)."""
    given = dict(value)
    for key in value:
        if key in POLICY_KEYS:
            continue
        meant = POLICY_WORDS.get(str(key).strip().lower().replace(" ", "")) or closest(str(key), POLICY_KEYS)
        problem(("policy", key), _('unknown policy key "{key}"{suggestion}; policy takes {policy_keys}').format(
            key=key, suggestion=suggested(meant), policy_keys=", ".join(POLICY_KEYS)))
        if meant and meant not in given:
            given[meant] = value[key]
    texts = {key: composed(str(given.get(key) or "")).strip() for key in POLICY_KEYS}
    for key in POLICY_KEYS:
        if not texts[key]:
            problem(("policy",), _("policy.{key} is required; {example}").format(key=key, example=example))
    return texts


def _day(data: dict, key: str, problem, year: int | None = None) -> dt.date | None:
    """The day ``key`` gives; its example, when it is not one, the day
    written another way, a day without its year (12월 16일) in ``year``
    (the other day's)."""
    value = data.get(key)
    if value is None:
        problem((), _("{key} is required; add a line such as  {key}: 2026-11-09").format(key=key))
        return None
    day = iso_day(str(value))
    if day is None:
        example = as_iso(value, False) or (year and as_iso(f"{year}-{value}", False)) or "2026-11-09"
        problem((key,), _('{key} "{value}" is not a date; write it as YYYY-MM-DD, e.g. {key}: {example}').format(
            key=key, value=value, example=example))
    elif day.year not in YEARS:  # the issue schedule, the store's days and answers' counts end there
        problem((key,), _('{key} "{value}" is in the year {year}; days of surveys lie in {first}-{last}: check the '
                          'year').format(key=key, value=value, year=day.year, first=YEARS[0], last=YEARS[-1]))
        return None
    return day


def _on_or_after(closes: dt.date, opens: dt.date) -> dt.date:
    """What ``closes``, before ``opens``, was likely meant as: the same day
    in the year of opens (a year mistyped, 2025 for 2026) when that is on or
    after opens, else two weeks after opens."""
    try:
        meant = closes.replace(year=opens.year)
    except ValueError:  # 29 February
        meant = opens
    return meant if meant >= opens else opens + dt.timedelta(days=14)


def _flag(data: dict, key: str, problem) -> bool:
    value = data.get(key, False)
    if not isinstance(value, bool):
        problem((key,), _("{key} must be true or false, e.g. {key}: false").format(key=key))
        return False
    return value


def _integer(question: dict, key: str, default: int, at: tuple, problem) -> int | None:
    """A scale's end, from SCALE_END_RANGE."""
    return whole_number(question.get(key, default), key, *SCALE_END_RANGE, lambda message: problem(at + (key,), message),
                        example=f"{key}: {default}")


def _questions(value, problem, line_of) -> tuple:
    if isinstance(value, dict) and value:  # "- " forgotten before the first question's first key
        problem(("questions", next(iter(value))), _("questions is not a list: start each question with a hyphen and a space before its first key, e.g.  - id: score"))
        return ()
    if not isinstance(value, list) or not value:
        problem(("questions",) if value is not None else (), _("questions is required: a list of questions, e.g. questions: [{id: score, type: scale, text: 전반적인 만족도}]"))
        return ()
    questions, seen = [], {}
    for index, item in enumerate(value):
        at = ("questions", index)
        if not isinstance(item, dict):
            problem(at, _("each question must be lines of 'key: value' with id, type and text"))
            continue
        question = _question(item, at, seen, problem, line_of)
        if question is not None:
            questions.append(question)
    return tuple(questions)


def _question(item: dict, at: tuple, seen: dict, problem, line_of) -> Question | None:
    """One question; ``seen`` holds the ids so far and their lines."""
    renamed = _keys_named_otherwise(item, at, problem)
    if renamed:  # read as the key meant, its problems said at the key written: one message for the word
        item = {**item, **{meant: item[written] for meant, written in renamed.items()}}
        problem = _said_at_written_keys(problem, at, renamed)
    question_id = _question_id(item, at, seen, problem, line_of)
    kind = item.get("type")
    if kind not in TYPES:
        problem(at + ("type",) if "type" in item else at,
                _('type "{kind}" is not a question type{suggestion}; use one of {types}').format(
                    kind=kind, suggestion=english_suggestion(kind, TYPES),
                    types=", ".join(f"{name} ({_(TYPE_WORDS[name])})" for name in TYPES)))
    text = item.get("text")
    if not isinstance(text, str) or not text.strip():
        problem(at + ("text",) if "text" in item else at, _("text is required: the question as residents read it"))
    required = item.get("required", False)
    if not isinstance(required, bool):
        problem(at + ("required",), _("required must be true or false, e.g. required: true"))
    options = _options(item, kind, at, problem)
    if kind == "multiple":
        low, high = None, None
        least, most = _picks(item, len(options or ()), at, problem)
    else:
        low, high = _scale(item, kind, at, problem)
        least, most = 0, 0
    labels = _labels(item, kind, at, problem)
    if isinstance(question_id, str) and kind in TYPES and isinstance(text, str):
        return Question(id=question_id, type=kind, text=text.strip(), options=tuple(options or ()),
                        required=required is True, min=low or 1, max=high or 5, least=least, most=most,
                        labels=labels)
    return None


def _keys_named_otherwise(item: dict, at: tuple, problem) -> dict[str, str]:
    """Each key of ``item`` questions do not take said, with the key to
    write; the keys meant by a word staff use for them (QUESTION_WORDS) and
    not written as well: {key meant: key written}."""
    renamed = {}
    for key in item:
        if key in QUESTION_KEYS:
            continue
        meant = QUESTION_WORDS.get(str(key).strip().lower().replace(" ", ""))
        problem(at + (key,), _('unknown key "{key}"{suggestion}; questions take {question_keys}').format(
            key=key, suggestion=suggested(meant) if meant else did_you_mean(str(key), QUESTION_KEYS),
            question_keys=", ".join(QUESTION_KEYS)))
        if meant and meant not in item and meant not in renamed:
            renamed[meant] = key
    return renamed


def _said_at_written_keys(problem, at: tuple, renamed: dict[str, str]):
    """``problem``, saying what is wrong under a key meant at the key written for it."""
    def said(path: tuple, message: str) -> None:
        if len(path) > len(at) and path[len(at)] in renamed:
            path = at + (renamed[path[len(at)]],) + path[len(at) + 1:]
        problem(path, message)
    return said


def _question_id(item: dict, at: tuple, seen: dict, problem, line_of):
    """The question's id: a short name, not the token field's, used once."""
    question_id = item.get("id")
    if question_id is None:
        problem(at, _("id is required: a short name for the answers, e.g. id: satisfaction"))
    elif not isinstance(question_id, str) or not _ID.fullmatch(question_id) or question_id == TOKEN_FIELD:
        # the id as YAML in double quotes writes it: a line break in it ("library\n") stays on the message's line
        problem(at + ("id",), _('id "{question_id}" must start with a small letter and hold only small letters, digits, - and _ (and not be "{token_field}"), e.g. id: satisfaction').format(
            question_id=str(question_id).replace("\n", "\\n").replace("\r", "\\r"), token_field=TOKEN_FIELD))
    elif question_id in seen:
        problem(at + ("id",), _('id "{question_id}" is already used by the question on line {line}; give each question its own id').format(
            question_id=question_id, line=seen[question_id]))
    else:
        seen[question_id] = line_of(*at)
    return question_id


def _options(item: dict, kind, at: tuple, problem) -> list | None:
    """A choice question's answers: two or more, none empty, none twice; no others have options."""
    options = item.get("options")
    if kind not in CHOICE_TYPES:
        if options is not None and kind in TYPES:  # of an unknown type, only the type is wrong
            problem(at + ("options",), _("options are only for single and multiple questions; remove them from this {kind} question").format(
                kind=kind))
        return options
    if isinstance(options, str) and "," in options:
        problem(at + ("options",), _("options are one text here, not a list; write them in brackets: options: [{options}]").format(
            options=", ".join(part.strip() for part in options.split(","))))
        return []
    if not isinstance(options, list) or len(options) < 2:
        problem(at + ("options",) if "options" in item else at,
                _("a {kind} question needs options: a list of at least two answers, e.g. options: [예, 아니오]").format(
                    kind=kind))
        return []
    options = [_option_text(option, at + ("options", index), problem) for index, option in enumerate(options)]
    options = [option for option in options if option is not None]
    duplicates = sorted({o for o in options if options.count(o) > 1})
    if duplicates:
        problem(at + ("options",), _('option "{duplicates}" is listed twice; list each answer once').format(
            duplicates=duplicates[0]))
    return options


def _option_text(option, at: tuple, problem) -> str | None:
    """The option's text, or None (a problem said) for an empty one or one
    YAML read as something else than the text written, which residents
    would see as Python's words for it ("None", "True",
    "{'기타': '직접 입력'}"): a key and its value (a colon), yes/no, a number
    it rewrote (2.50 as 2.5) or a list."""
    if isinstance(option, (str, int)) and not isinstance(option, bool):
        text = trimmed(str(option))  # as an answer is: an option ending in U+200B could never be chosen
        if text:
            return text
    if option is None or isinstance(option, str):
        problem(at, _("an option is empty; write each answer as text"))
    elif isinstance(option, dict) and len(option) == 1:
        key, value = next(iter(option.items()))
        problem(at, _('the option {key}: {value} holds a colon, which YAML reads as a key and its value; put the option in double quotes: "{key}: {value}"').format(
            key=key, value="" if value is None else value))
    else:
        problem(at, _('an option is not read as the text written (YAML reads it as yes/no, a number or a list); put each such option in double quotes, e.g. options: ["Yes", "No"]'))
    return None


def _scale(item: dict, kind, at: tuple, problem) -> tuple[int | None, int | None]:
    """A scale question's (min, max): whole numbers, min below max, at most
    SCALE_MOST_POINTS points; no other question has them."""
    if kind != "scale":
        for key in ("min", "max"):
            if key in item and kind in TYPES:  # of an unknown type, only the type is wrong
                problem(at + (key,), _("{key} is only for scale and multiple questions; remove it from this {kind} question").format(
                    key=key, kind=kind))
        return None, None
    low = _integer(item, "min", 1, at, problem)
    high = _integer(item, "max", 5, at, problem)
    if low is not None and high is not None:
        if low >= high:
            problem(at + ("max",) if "max" in item else at, _("min ({low}) must be less than max ({high}), e.g. min: 1 and max: 5").format(
                low=low, high=high))
        elif high - low + 1 > SCALE_MOST_POINTS:
            problem(at + ("max",), _("a scale has at most {scale_most_points} points; e.g. min: 0 and max: 10").format(
                scale_most_points=SCALE_MOST_POINTS))
    return low, high


def _labels(item: dict, kind, at: tuple, problem) -> tuple:
    """A scale question's two labels, what its lowest and its highest point
    mean (shown beside their buttons and in the hint, where a reader over 60
    otherwise guesses which end is good); () when not given or wrong (said)."""
    labels = item.get("labels")
    if labels is None:
        return ()
    example = "labels: [매우 불만족, 매우 만족]"
    if kind != "scale":
        if kind in TYPES:  # of an unknown type, only the type is wrong
            problem(at + ("labels",), _("labels are only for scale questions; remove them from this {kind} question").format(
                kind=kind))
        return ()
    if isinstance(labels, str) and "," in labels:
        problem(at + ("labels",), _("labels are one text here, not a list; write them in brackets: labels: [{labels}]").format(
            labels=", ".join(part.strip() for part in labels.split(","))))
        return ()
    if not isinstance(labels, list) or len(labels) != 2:
        problem(at + ("labels",), _("labels must be two texts, what the lowest and the highest point mean, lowest first, "
                                    "e.g. {example}").format(example=example))
        return ()
    texts = tuple(trimmed(label) if isinstance(label, str) else "" for label in labels)
    for index, text in enumerate(texts):
        if not text:  # empty, or read by YAML as yes/no, a number, a key and its value
            problem(at + ("labels", index), _("each label must be a text, e.g. {example}; put one that YAML reads as a "
                                              "number or as yes/no in double quotes").format(example=example))
            return ()
        if len(text) > LABEL_MAX:
            problem(at + ("labels", index), _("a label is shown beside its button: write at most {most} characters, "
                                              "e.g. {example}").format(most=LABEL_MAX, example=example))
            return ()
    return texts


def _picks(item: dict, options: int, at: tuple, problem) -> tuple[int, int]:
    """A multiple question's (least, most) options ticked, from its ``min``
    and ``max``: whole numbers, 1 <= min <= max <= its options; (0, 0) when
    not given."""
    picks = {}
    for key in ("min", "max"):
        if key in item:
            picks[key] = whole_number(item[key], key, 1, max(options, 1), lambda message, key=key: problem(at + (key,), message),
                                      example=f"{key}: {min(3, max(options, 1))}")
    least, most = picks.get("min") or 0, picks.get("max") or 0
    if least and most and least > most:
        problem(at + ("max",), _("min ({low}) must not be more than max ({high}), e.g. min: 1 and max: 3").format(
            low=least, high=most))
    return least, most


def load_surveys(settings: dict, audiences: Audiences, shown=str) -> dict[str, Survey]:
    """Every survey by slug; SotongError listing every problem. ``shown``
    turns a path into the text problems name it by."""
    surveys, problems = read_surveys(settings, audiences, shown)
    if problems:
        raise SotongError(problems)
    return surveys


def read_surveys(settings: dict, audiences: Audiences, shown=str) -> tuple[dict[str, Survey], list[Problem]]:
    surveys = {}
    paths, problems = yaml_files(surveys_dir(settings), shown)
    config = read_survey_settings(settings)[0]  # its problems are said apart
    text_max_chars = config.text_max_chars if config else SETTING_DEFAULTS["text_max_chars"]
    for path in paths:
        survey, found = read_survey(path, audiences, shown(path), text_max_chars)
        problems.extend(found)
        if survey is not None:
            surveys[survey.slug] = survey
    return surveys, problems
