"""audiences.yaml: consent fields, departments, dongs, business types and
segments, and the match rule that decides who receives a notice (SPEC §3, §6).

Wherever a dong, field, department or business type is named (notices,
segments, banners, surveys, command options), :func:`resolve_key` accepts its
Korean label as well as its key (SPEC §2); everything stores and compares keys.

The rule functions are pure: they take a :class:`Profile` and return a bool,
so bundles, surveys and banners all decide "who" the same way; and they all
read their ``audiences:`` lists (segment names or inline segments) with
:func:`read_audience_list`.
"""

from __future__ import annotations

import difflib
import re
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterable

from . import keyboard, yamlsrc
from .i18n import _
from .problems import Problem, SotongError, closest, did_you_mean, not_utf8, os_reason, suggested

GENDERS = ("F", "M")
# The words a form, a spreadsheet or staff may write for a gender.
GENDER_WORDS = {
    "f": "F", "female": "F", "여": "F", "여자": "F", "여성": "F",
    "m": "M", "male": "M", "남": "M", "남자": "M", "남성": "M",
}
KINDS = ("person", "business")
TOP_KEYS = ("fields", "edition_field", "departments", "dongs", "business_types", "groups", "segments")
SEGMENT_KEYS = ("label", "age", "birth_years", "genders", "dongs", "kinds", "business_types", "fields", "groups")
# The key a word staff write for it means (그룹: groups, 나이: age), where that key is one the place takes
KEY_WORDS = {"그룹": "groups", "모임": "groups", "단체": "groups", "위원회": "groups", "group": "groups",
             "분야": "fields", "수신분야": "fields", "field": "fields", "부서": "departments", "department": "departments",
             "동": "dongs", "행정동": "dongs", "dong": "dongs", "업종": "business_types", "대상": "segments",
             "세그먼트": "segments", "segment": "segments", "나이": "age", "연령": "age", "출생연도": "birth_years",
             "성별": "genders", "gender": "genders", "이름": "label", "라벨": "label", "종류": "kinds", "kind": "kinds"}


@dataclass(frozen=True)
class Segment:
    """A named group of subscribers; a key left as None is not a condition."""

    name: str
    label: str
    age: tuple | None = None  # (min, max), either may be None
    birth_years: tuple | None = None
    genders: frozenset | None = None
    dongs: frozenset | None = None
    kinds: frozenset | None = None
    business_types: frozenset | None = None
    fields: frozenset | None = None
    groups: frozenset | None = None  # SPEC §16: a member of at least one

    def conditions(self) -> tuple:
        """The keys it has besides its label: a segment without any matches everyone."""
        return tuple(key for key in SEGMENT_KEYS if key != "label" and getattr(self, key) is not None)


@dataclass(frozen=True)
class Profile:
    """What the match rule knows of one subscriber (or of a preview persona)."""

    birth_year: int | None = None
    gender: str | None = None
    dong: str | None = None
    kind: str | None = None
    business_type: str | None = None
    fields: frozenset = frozenset()
    subscribed: bool = True
    groups: frozenset = frozenset()  # SPEC §16: the groups (committees, organizations) it belongs to


@dataclass(frozen=True)
class Audiences:
    """The whole of audiences.yaml, validated."""

    fields: dict  # key -> Korean label
    edition_field: str | None
    departments: tuple
    dongs: dict
    business_types: dict
    segments: dict  # name -> Segment
    groups: dict = field(default_factory=dict)  # SPEC §16: key -> Korean label

    def field_label(self, key: str) -> str:
        return self.fields.get(key, key)


def resolve_key(value, known) -> str | None:
    """The key ``value`` names among ``known`` (a mapping key -> Korean label,
    or a plain list of names): the key itself or its label, compared without
    surrounding blanks and in one Unicode form; None when it names none."""
    if not isinstance(value, str):
        return None
    value = unicodedata.normalize("NFC", value.strip())
    if value in known:
        return value
    labels = known.items() if isinstance(known, dict) else ()
    return next((key for key, label in labels if unicodedata.normalize("NFC", label.strip()) == value), None)


def unknown_department(value, departments) -> str:
    """The message for a department not in audiences.yaml: the closest names
    and where the list lives."""
    near = difflib.get_close_matches(str(value), list(departments), n=3, cutoff=0.3)
    if not near:
        return _('unknown department "{value}"; departments are listed under departments: in audiences.yaml '
                 '(add a new one there)').format(value=value)
    others = _(" (or {near})").format(near=', '.join(near[1:])) if len(near) > 1 else ""
    return _('unknown department "{value}"; did you mean "{near}"{others}? departments are listed under departments: '
             'in audiences.yaml (add a new one there)').format(value=value, near=near[0], others=others)


def _in_range(value: int | None, bounds: tuple) -> bool:
    if value is None:
        return False
    low, high = bounds
    return (low is None or value >= low) and (high is None or value <= high)


def matches_segment(profile: Profile, segment: Segment, issue_year: int) -> bool:
    """True when ``profile`` satisfies every key ``segment`` has (SPEC §3)."""
    if segment.age is not None:
        age = issue_year - profile.birth_year if profile.birth_year is not None else None
        if not _in_range(age, segment.age):
            return False
    if segment.birth_years is not None and not _in_range(profile.birth_year, segment.birth_years):
        return False
    for key in ("genders", "dongs", "kinds", "business_types"):
        allowed = getattr(segment, key)
        if allowed is not None and getattr(profile, key[:-1]) not in allowed:
            return False
    if segment.fields is not None and not segment.fields <= profile.fields:
        return False
    if segment.groups is not None and not segment.groups & profile.groups:
        return False
    return True


def matches_any(profile: Profile, segments: Iterable[Segment], issue_year: int) -> bool:
    """True when no segments are given, or the profile matches one of them."""
    segments = tuple(segments)
    return not segments or any(matches_segment(profile, s, issue_year) for s in segments)


def matches_notice(profile: Profile, category: str, segments: Iterable[Segment], issue_year: int) -> bool:
    """The rule of SPEC §6 with §16's groups: subscribed, and either in an
    audience that names groups (membership is the consent: the category is not
    asked), or consented to the category and in an audience (or none given)."""
    if not profile.subscribed:
        return False
    segments = tuple(segments)
    if not segments:
        return category in profile.fields
    consented = category in profile.fields
    return any((consented or s.groups is not None) and matches_segment(profile, s, issue_year) for s in segments)


def read_audience_list(value, audiences: Audiences, problem) -> tuple[Segment, ...]:
    """An ``audiences:`` value of a notice, survey or banner (SPEC §2): a list
    whose items are segment names of audiences.yaml or inline segments, maps of
    segment keys checked exactly as audiences.yaml's segments are.

    ``problem(path, message)`` gets the key path of each mistake from
    ``audiences`` on; items with a mistake are left out.
    """
    if value is None:
        return ()
    example = next(iter(audiences.segments), "parents")
    if _everyone(value):
        problem(("audiences",), _everyone_said(value))
        return ()
    if isinstance(value, str) and resolve_key(value, audiences.groups) is not None:  # audiences: 통장협의회
        problem(("audiences",), _unknown_segment(value.strip(), audiences))  # the list with its segment, in one line
        return ()
    if not isinstance(value, list):
        advice = _("write audiences: [{value}]").format(value=value) if isinstance(value, str) else _("e.g. audiences: [{example}]").format(example=example)
        problem(("audiences",), _("audiences must be a list; {advice}").format(advice=advice))
        return ()
    refs = {"dongs": audiences.dongs, "business_types": audiences.business_types, "fields": audiences.fields,
            "groups": audiences.groups}
    found: list[Segment] = []
    for index, item in enumerate(value):
        at = ("audiences", index)
        segment = None
        if isinstance(item, dict):
            segment = _segment(f"audiences[{index}]", item, refs, lambda path, message: problem(at + path, message))
        elif not isinstance(item, (str, int)) or isinstance(item, bool):
            problem(at, _("each item of audiences is a segment name or a map of conditions, e.g. audiences: [{example}, {{dongs: [{next}]}}]").format(
                example=example, next=next(iter(audiences.dongs), '...')))
        elif str(item) not in audiences.segments:
            problem(at, _unknown_segment(str(item), audiences))
        else:
            segment = audiences.segments[str(item)]
        if segment is not None and segment not in found:
            found.append(segment)
    return tuple(found)


def _unknown_segment(item: str, audiences: Audiences) -> str:
    """The problem of an audience that names no segment. A group's key or
    label (SPEC §16: committee-budget, 주민참여예산위원회) is not a segment:
    the segment of exactly its members is named, or the inline one written."""
    if _everyone(item):
        return _everyone_said(item)
    group = resolve_key(item, audiences.groups)
    if group is None and (conditions := _conditions_named(item, audiences)):
        return _('"{item}" is a condition, not a segment name; write the conditions in its place: {conditions}').format(
            item=item, conditions=conditions)
    if group is None:
        return _('unknown segment "{item}"{suggestion}; use a segment name of audiences.yaml, or a map of conditions such as {{age: [30, 59]}}').format(
            item=item, suggestion=did_you_mean(item, audiences.segments) or _labelled(item, audiences.segments))
    members = [name for name, segment in audiences.segments.items() if segment.conditions() == ("groups",)
               and segment.groups == {group}]
    return _('"{item}" is a group, not a segment; write audiences: [{segment}]').format(
        item=item, segment=members[0] if members else f"{{groups: [{group}]}}")


# what staff write for everyone or for all (audiences: [전체], which is the audiences line left out; channels: 전체)
EVERYONE = frozenset({"전체", "모두", "전부", "누구나", "전원", "전구민", "구민전체", "주민전체", "전체주민", "모든주민", "all",
                      "everyone"})


def _everyone(value) -> bool:
    """Whether ``value`` (an audiences line's, or an item's) is a word for everyone."""
    items = value if isinstance(value, list) and len(value) == 1 else [value]
    return isinstance(items[0], str) and "".join(items[0].split()).lower() in EVERYONE


def _everyone_said(value) -> str:
    return _('"{value}" is no segment: to reach everyone who chose the field, leave the audiences line out').format(
        value=value[0] if isinstance(value, list) else value)


def _conditions_named(item: str, audiences: Audiences) -> str | None:
    """The inline segment an audience written as its condition means: an age
    in words (60세 이상: ``{age: [60, null]}``; 1961년생 이전 as birth_years),
    or a dong by its name (성수1가1동: ``{dongs: [seongsu1ga1]}``); or None.
    Said before a near segment name, which would mean other people (60세 이상
    is in the label of 치매 조기검진 대상 (응봉동 60세 이상))."""
    bounds = bounds_as_written(item)
    if bounds is not None:
        key = "birth_years" if "년" in item or any(end is not None and end > BOUND_RANGES["age"][1] for end in bounds) else "age"
        return f"{{{key}: {_as_written(list(bounds))}}}"
    dong = resolve_key(item, audiences.dongs) or resolve_key(closest(item, audiences.dongs, labels=True), audiences.dongs)
    return f"{{dongs: [{dong}]}}" if dong and keyboard.has_hangul(item) else None


# --- loading -----------------------------------------------------------------


def load_audiences(path: str | Path, shown: str | None = None) -> Audiences:
    """Read and validate audiences.yaml; raise SotongError listing every problem.
    ``shown`` is the path as problems name it (default: ``path``)."""
    path = Path(path)
    shown = shown or str(path)
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise SotongError([Problem(shown, 1, _("file not found; create audiences.yaml (see README)"))]) from None
    except UnicodeDecodeError as error:
        raise SotongError([not_utf8(shown, error)]) from None
    except OSError as exc:  # a folder, a file that cannot be read
        raise SotongError([Problem(shown, 1, _("cannot read the file ({strerror}); point AUDIENCES_PATH in the settings at audiences.yaml").format(
            strerror=os_reason(exc)))]) from None
    try:
        doc = yamlsrc.load(text)
    except yamlsrc.YAMLProblem as exc:
        raise SotongError([Problem(shown, exc.line, exc.message)]) from None
    audiences, problems = _validate(doc, shown)
    if problems:
        raise SotongError(sorted(problems))
    return audiences


def _validate(doc: yamlsrc.Located, shown: str):
    from .validators import control_character_problems  # it imports this module

    problems: list[Problem] = control_character_problems(doc, shown)

    def problem(path: tuple, message: str):
        problems.append(Problem(shown, doc.line(*path), message))

    data = doc.data
    if not isinstance(data, dict):
        problem((), _("audiences.yaml must be a mapping with keys {keys}").format(keys=", ".join(TOP_KEYS)))
        return None, problems
    for key in data:
        if key not in TOP_KEYS:
            problem((key,), _('unknown key "{key}"{suggestion}; allowed: {top_keys}').format(
                key=key, suggestion=_key_meant(key, TOP_KEYS), top_keys=", ".join(TOP_KEYS)))
    fields = _labelled_map(data, "fields", problem)
    dongs = _labelled_map(data, "dongs", problem)
    business_types = _labelled_map(data, "business_types", problem) if "business_types" in data else {}
    groups = _labelled_map(data, "groups", problem) if "groups" in data else {}
    edition_field = data.get("edition_field")
    if isinstance(edition_field, (list, dict)):
        problem(("edition_field",), _("edition_field is one key of fields, not a list or a map; write one, e.g. "
                                      "edition_field: {example}").format(example=next(iter(fields), "bulletin")))
        edition_field = None
    elif edition_field is not None and edition_field not in fields:
        labelled = {str(label): key for key, label in fields.items()}  # the label of a field: its key is meant
        suggestion = suggested(labelled.get(edition_field)) or did_you_mean(edition_field, fields)
        problem(("edition_field",), _('edition_field "{edition_field}" is not a key of fields{suggestion}; write the key '
                                      'of the field whose consenters also receive the whole newsletter, one of: '
                                      '{keys}').format(edition_field=edition_field, suggestion=suggestion,
                                                       keys=", ".join(f"{key} ({label})" for key, label in fields.items())))
    refs = {"dongs": dongs, "business_types": business_types, "fields": fields, "groups": groups}
    audiences = Audiences(
        fields=fields,
        edition_field=edition_field if edition_field in fields else None,
        departments=_departments(data, problem),
        dongs=dongs,
        business_types=business_types,
        segments=_segments(data, refs, problem),
        groups=groups,
    )
    return audiences, problems


def _key_meant(key, allowed) -> str:
    """The tail naming the key of ``allowed`` that ``key`` means, a word staff
    write for it (그룹: groups) or a misspelling, or ''."""
    meant = KEY_WORDS.get("".join(str(key).lower().split()))
    return suggested(meant) if meant in allowed else did_you_mean(str(key), allowed)


def _labelled_map(data: dict, key: str, problem) -> dict:
    """A top-level mapping of key: 한글 이름 (fields, dongs, business types, groups)."""
    value = data.get(key)
    if value is None:
        problem((key,), _("{key} is missing; write it as a mapping of key: 한글 이름").format(key=key))
        return {}
    if not isinstance(value, dict):
        problem((key,), _("{key} must be a mapping of key: 한글 이름").format(key=key))
        return {}
    result: dict = {}
    named: dict = {}  # each name (compared as resolve_key compares) -> the key it was given first
    for k, label in value.items():
        if not isinstance(label, str) or not label.strip():
            problem((key, k), _("{key}.{k} needs a name as text, e.g. {k}: 이름").format(key=key, k=k))
            continue
        same = named.setdefault(unicodedata.normalize("NFC", label.strip()), str(k))
        if same != str(k):  # a name given twice would always mean the first
            problem((key, k), _('{key}.{k}: "{label}" is already the name of {other}; give each its own name').format(
                key=key, k=k, label=label, other=same))
        result[str(k)] = label
    return result


# a folder name may be 255 bytes on most file systems; room for a suffix
FOLDER_NAME_BYTES = 200


def _departments(data: dict, problem) -> tuple:
    """The department names: a list of text, each fit to name a folder."""
    departments = data.get("departments")
    if not isinstance(departments, list) or not all(isinstance(d, str) and d.strip() for d in departments):
        problem(("departments",), _("departments must be a list of department names, e.g. [문화체육과, 보건소]"))
        return ()
    first: dict[str, int] = {}  # each name (blanks around it and Unicode forms aside) -> its first index
    for index, name in enumerate(departments):
        # each has a page in a folder of its name (department/NAME/): a "/" made
        # a folder in a folder its links missed, ".." one outside output/
        if (earlier := first.setdefault(unicodedata.normalize("NFC", name.strip()), index)) != index:
            problem(("departments", index), _('department "{name}" is listed twice (item {earlier} of the list is the '
                                              'same); delete this one').format(name=name.strip(), earlier=earlier + 1))
        elif "/" in name or "\\" in name or name.strip(". ") == "":
            problem(("departments", index), _('department "{name}" holds / or \\ or is only dots, and each department has a page in a folder of its name; write the name without them, e.g. 민원여권과').format(
                name=name))
        elif len(name.encode()) > FOLDER_NAME_BYTES:  # the build stopped at the folder: "File name too long"
            problem(("departments", index), _('department "{name}" is {length} bytes long, and each department has a page in a folder of its name, which may be {most} bytes at most; shorten the name (a Korean letter is 3 bytes)').format(
                name=name, length=len(name.encode()), most=FOLDER_NAME_BYTES))
    return tuple(departments)


def _segments(data: dict, refs: dict, problem) -> dict:
    """The named segments, each checked against the names in ``refs``."""
    segments = {}
    raw_segments = data.get("segments") or {}
    if not isinstance(raw_segments, dict):
        problem(("segments",), _("segments must be a mapping of segment name to its conditions"))
        raw_segments = {}
    for name, spec in raw_segments.items():
        segment = _segment(str(name), spec, refs, lambda p, m, n=name: problem(("segments", n) + p, m))
        if segment is not None:
            segments[str(name)] = segment
    return segments


def _segment(name, spec, refs, problem) -> Segment | None:
    if not isinstance(spec, dict):
        problem((), _("segment {name} must be a mapping of conditions, e.g. age: [30, 59]").format(name=name))
        return None
    values: dict = {}
    ok = True
    for key, value in spec.items():
        if key not in SEGMENT_KEYS:
            problem((key,), _('unknown segment key "{key}"{suggestion}; allowed: {segment_keys}').format(
                key=key, suggestion=_key_meant(key, SEGMENT_KEYS), segment_keys=", ".join(SEGMENT_KEYS)))
            ok = False
        elif key == "label":
            if not isinstance(value, str):
                problem((key,), _("label must be text"))
                ok = False
            values[key] = value
        elif key in ("age", "birth_years"):
            values[key] = _bounds(key, value, lambda message, k=key: problem((k,), message))
            ok = ok and values[key] is not None
        else:
            values[key] = _defined_names(key, value, {"genders": GENDERS, "kinds": KINDS}.get(key) or refs[key], problem)
            ok = ok and values[key] is not None
    if not ok:
        return None
    values.setdefault("label", name)
    return Segment(name=name, **values)


SEGMENTS_OFFERED = 4  # the most segments whose labels hold a word an audience names, offered to choose from


def _labelled(text: str, segments: dict) -> str:
    """The tail suggesting the segment labelled ``text`` (학부모: parents), or
    the one whose label holds it (어르신: seniors, 어르신 (65세 이상)), or the
    few that do, each with its label (성수동: seongsu, 성수동 주민, or
    seongsu-makers, 성수동 제조업체), or ''."""
    text = text.strip()
    exact = [name for name, segment in segments.items() if str(segment.label).strip() == text]
    named = exact or [name for name, segment in segments.items() if len(text) > 1 and text in str(segment.label)]
    if len(named) == 1:
        return suggested(named[0])
    if 1 < len(named) <= SEGMENTS_OFFERED:
        return _("; did you mean one of {segments}?").format(
            segments=", ".join(_('"{key}" ({label})').format(key=name, label=segments[name].label) for name in named))
    return ""


def _defined_names(key: str, value, allowed, problem) -> frozenset | None:
    """A segment's list of names (dongs, fields...), each one ``allowed``; None
    and a problem for each mistake."""
    if isinstance(value, (str, int)) and not isinstance(value, bool) and str(value).strip("[]［］ "):
        # dongs: 응봉동, or 응봉동, 마장동: the names written, in brackets (the example was dongs: [wangsimni2])
        names = ", ".join(part.strip() for part in re.split("[,，、]", str(value).strip("[]［］ ")))
        problem((key,), _("{key} must be a list; write {key}: [{value}]").format(key=key, value=names))
        return None
    if not isinstance(value, list) or not value:
        problem((key,), _("{key} must be a non-empty list, e.g. {key}: [{next}]").format(
            key=key, next=next(iter(allowed), '...')))
        return None
    keys = [resolve_key(item, allowed) for item in value]  # a key or its Korean label
    for index, (item, found) in enumerate(zip(value, keys)):
        if found is None and not allowed:  # groups: and business_types: may be left out of the file
            problem((key, index), _('{key}: "{item}" is not defined, and audiences.yaml has no {key}: yet; add it there, '
                                    'e.g. {key}: {{{item}: 한글 이름}}').format(key=key, item=item))
        elif found is None:
            meant = GENDER_WORDS.get(str(item).strip().lower()) if allowed is GENDERS else None  # genders: [여]
            problem((key, index), _('{key}: "{item}" is not defined{suggestion}; known: {names}').format(
                key=key, item=item, suggestion=suggested(meant) or did_you_mean(str(item), allowed, labels=isinstance(allowed, dict)),
                names=", ".join(map(str, allowed.values() if isinstance(allowed, dict) else allowed))))
    return None if None in keys else frozenset(keys)


# what a person's age or year of birth can be (the subscribers' CSV takes birth years from 1900)
BOUND_RANGES = {"age": (0, 150, "age: [30, 59]"), "birth_years": (1900, 2100, "birth_years: [1960, 1969]")}


# an age as staff write one: 65세 이상, 65~, 30~59세, 19세 미만, 60대; and an end of a list: [65세, null]
_OPEN_END = {"이상": 0, "부터": 0, "~": 0, "초과": 1}
_CLOSED_END = {"이하": 0, "까지": 0, "미만": -1}
_WRITTEN_BOUNDS = re.compile(r"(~)?(\d{1,4})(?:세|살|년생|년)?(대)?(?:(이상|부터|초과|이하|까지|미만|~)|[~-](\d{1,4})(?:세|살|년생|년)?(?:이하|까지)?)?")
_WRITTEN_END = re.compile(r"(\d{1,4})(?:세|살|년생|년)")


def bounds_as_written(value) -> tuple | None:
    """The (min, max) that an age or birth_years written as people write one
    means (``"65세 이상"``: (65, None); ``[65세, null]``: (65, None)), or None
    when it is not one of those forms."""
    if isinstance(value, list) and len(value) == 2:
        ends = [end if end is None or isinstance(end, int) and not isinstance(end, bool)
                else (int(found[1]) if (found := _WRITTEN_END.fullmatch("".join(str(end).split()))) else "")
                for end in value]
        return None if "" in ends else tuple(ends)
    found = _WRITTEN_BOUNDS.fullmatch("".join(unicodedata.normalize("NFKC", str(value)).split()))
    if found is None or (found[1] and (found[3] or found[4] or found[5])):
        return None  # ~65세 이상: no reading
    before, number, decade, word, last = found.groups()
    number = int(number)
    if before or word in _CLOSED_END:
        return None, number + (9 if decade else 0) + _CLOSED_END.get(word, 0)
    if word in _OPEN_END:
        return number + _OPEN_END[word], None
    if last is not None:
        return number, int(last)
    return (number, number + 9) if decade else None


def _as_written(value) -> str:
    """``value`` as YAML shows it: a list in brackets, None as null."""
    return "[" + ", ".join("null" if end is None else str(end) for end in value) + "]" if isinstance(value, list) else str(value)


def _bounds(key: str, value, problem) -> tuple | None:
    """An age or birth_years segment's (min, max): two whole numbers or nulls,
    each in BOUND_RANGES, the smaller first; else None and one problem, which
    says what to write (the two numbers the other way round, when reversed)."""
    from .validators import whole_number  # it imports this module

    low, high, example = BOUND_RANGES[key]
    ends = value if isinstance(value, list) and len(value) == 2 else None
    if ends is None or any(end is not None and (not isinstance(end, int) or isinstance(end, bool)) for end in ends):
        meant = bounds_as_written(value)
        if meant and all(end is None or low <= end <= high for end in meant):
            problem(_('{key} "{value}" is not [min, max]; write it so, with null for an end left open: {key}: {bounds}').format(
                key=key, value=_as_written(value), bounds=_as_written(list(meant))))
        else:
            problem(_("{key} must be [min, max] with whole numbers or null, e.g. {example}").format(key=key, example=example))
        return None
    if any(whole_number(end, key, low, high, problem, example=example) is None for end in ends if end is not None):
        return None  # the first end out of range said
    first, last = ends
    if first is not None and last is not None and first > last:
        problem(_("{key} [{first}, {last}] has the larger number first; write the smaller first: {key}: [{last}, {first}]").format(
            key=key, first=first, last=last))
        return None
    return (first, last)
