"""The messages' languages (SPEC §12, sotong/i18n.py): every message in the
code has its Korean in the catalog, with the same placeholders; the compiled
catalog is the .po as it is now; Korean by default, English with SOTONG_LANG=en."""

from __future__ import annotations

import difflib
import re
import string
import subprocess
import sys
from pathlib import Path

import pytest
from babel.messages.extract import extract_from_dir
from babel.messages.frontend import parse_mapping_cfg
from babel.messages.mofile import read_mo
from babel.messages.pofile import read_po

from project_support import REPO

CATALOG = REPO / "sotong" / "locale" / "ko" / "LC_MESSAGES" / "sotong"


def read_catalog():
    with open(CATALOG.with_suffix(".po"), "rb") as po:
        return read_po(po)


def messages_in_the_code() -> dict[str, str]:
    """Every message the code marks for translation, as ``make catalogs``
    extracts it (babel.cfg), with the file and line it is at."""
    with open(REPO / "babel.cfg", encoding="utf-8") as config:
        method_map, options_map = parse_mapping_cfg(config)
    found = {}
    for folder in ("sotong", "plugins"):
        for filename, line, message, _comments, _context in extract_from_dir(
                REPO / folder, method_map, options_map):
            singular = message[0] if isinstance(message, tuple) else message
            found.setdefault(singular, f"{folder}/{filename}:{line}")
    return found


def translated(message) -> bool:
    strings = message.string if isinstance(message.string, tuple) else (message.string,)
    return all(strings) and not message.fuzzy


def test_every_message_in_the_code_has_its_korean():
    catalog = read_catalog()
    untranslated = [f"{where}: {msgid!r}" for msgid, where in sorted(messages_in_the_code().items())
                    if catalog.get(msgid) is None or not translated(catalog.get(msgid))]
    assert not untranslated, ("messages without Korean (run `make catalogs`, then write their msgstr in "
                              f"{CATALOG.with_suffix('.po').relative_to(REPO)}):\n" + "\n".join(untranslated))


def placeholders(text: str) -> set[str]:
    return {field for _literal, field, _spec, _conversion in string.Formatter().parse(text) if field is not None}


PERCENT = re.compile(r"%(?:\(\w+\))?[-#0 +]*\d*(?:\.\d+)?[sdfgr%]")


def test_korean_keeps_the_percent_placeholders_in_order():
    """A log line's ``%s`` are filled by position: the Korean has the same, in the same order."""
    wrong = [f"{m.id!r}: {m.string!r}" for m in read_catalog()
             if m.id and isinstance(m.id, str) and translated(m) and PERCENT.findall(m.id) != PERCENT.findall(m.string)]
    assert not wrong, "Korean with other %-placeholders than the English:\n" + "\n".join(wrong)


def test_korean_keeps_every_placeholder():
    wrong = []
    for message in read_catalog():
        if not message.id or not translated(message):
            continue
        ids = message.id if isinstance(message.id, tuple) else (message.id,)
        strings = message.string if isinstance(message.string, tuple) else (message.string,)
        every = set().union(*(placeholders(text) for text in ids))
        # a plural's one Korean form (Korean has one) says what its last English form says
        wrong += [f"{ids[0]!r}: {text!r}" for text in strings
                  if not placeholders(ids[-1]) <= placeholders(text) <= every]
    assert not wrong, "Korean with other placeholders than the English:\n" + "\n".join(wrong)


# A placeholder (not one inside brackets: "괄호({brackets})가" leans on 괄호),
# perhaps closed by a quote, slash or ], then a particle that depends on the
# placeholder's last sound: '2026-11-26를', 'hong@sd.go.kr와', 'output/는'.
FIXED_PARTICLE = re.compile(r"(?<!\()(?:\{[A-Za-z_][\w.]*(?:![rsa])?(?::[^{}\s]*)?\}|%[sd])[\"'/\]]*"
                            r"(은|는|이|가|을|를|과|와|으로|로|이라|라)(?!\()")


def test_no_fixed_particle_after_a_placeholder():
    """A particle after a value of a placeholder is written both ways, 을(를),
    이(가), (으)로, or the sentence is turned so that none follows it."""
    wrong = [f"{m.id!r}: {m.string!r}" for m in read_catalog()
             if m.id and isinstance(m.string, str) and FIXED_PARTICLE.search(m.string)]
    assert not wrong, "Korean with a fixed particle after a placeholder:\n" + "\n".join(wrong)


# One word for one thing, the staff guide's (docs/staff-guide-ko.md) and the
# privacy page's: what staff must not read instead, and the word to write.
OTHER_TERMS = {
    r"(?<!구)독자": "구독자",
    r"(?<!구청 )홈페이지|사이트": "누리집",
    r"보존 기간|\d+년 보관|까지 보관": "보유 기간, ...까지 보유 (the privacy page's words)",
    r"하드|소프트": "영구 반송, 일시 반송",
    r"묶음을 만들": "발송함을 만들",
    r"대행사에? 전달": "대행사에 넘긴 것으로, 대행사에 넘김",
    r"(?<!받을 수 )없는 (?:이메일 )?(?:주소|번호)|무효 표시":
        "받을 수 없는 주소, 받을 수 없는 번호 (flagged after a permanent refusal or repeated bounces)",
    r"수집기": "수집 서버 (sotong serve)",
    r"공개하지 않는 공지": "비공개 공지 (visibility: private)",
    r"나이대": "연령대 (the privacy page's word, as 참여자 번호 and 행정동)",
    r"(?<!전자)소통 서비스": "전자소통 서비스 (the service's name on the sign-up form, the emails and the privacy page)",
}


def catalog_matches(patterns: dict) -> list[str]:
    """Each Korean message a pattern of ``patterns`` finds, with what to write instead."""
    return [f"{m.string!r}: {instead}" for m in read_catalog() if m.id and isinstance(m.string, str)
            for pattern, instead in patterns.items() if re.search(pattern, m.string)]


def test_the_catalog_says_each_thing_with_one_word():
    wrong = catalog_matches(OTHER_TERMS)
    assert not wrong, "Korean with another word than the staff guide's:\n" + "\n".join(wrong)


# Where another word than the glossary's is meant: the staff guide's gloss
# of 누리집, the residents' own word for the site in an email or a text (and
# its quote in a message), the word alone (what staff may write for a
# channel: homepage), a web page's "address that cannot be opened this way",
# and the consent text as residents agreed to it (subscriptions.rules.CONSENT,
# changed only with a new CONSENT_VERSION).
KOREAN_ELSEWHERE_ALLOWED = ("누리집(홈페이지)", "홈페이지에서 보세요", "홈페이지에서 확인하세요", '"홈페이지"',
                            "열 수 없는 주소", "수신을 그만두실 때까지 보관하며")


def korean_outside_the_catalog():
    """Korean that staff or residents read that does not go through _():
    templates, the staff guide, the pages, and the code's strings."""
    import io
    import tokenize

    for path in sorted([*REPO.glob("themes/**/*.html"), *REPO.glob("themes/**/*.txt"), *REPO.glob("plugins/*/templates/*"),
                        *REPO.glob("plugins/*/email_templates/*"), REPO / "docs" / "staff-guide-ko.md",
                        *REPO.glob("content/pages/*.md")]):
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            yield f"{path.relative_to(REPO)}:{number}", line
    for path in sorted([*REPO.glob("sotong/**/*.py"), *REPO.glob("plugins/*/*.py")]):
        for token in tokenize.generate_tokens(io.StringIO(path.read_text(encoding="utf-8")).readline):
            if token.type == tokenize.STRING:
                yield f"{path.relative_to(REPO)}:{token.start[0]}", token.string


def test_the_korean_outside_the_catalog_says_each_thing_with_one_word():
    wrong = []
    for where, text in korean_outside_the_catalog():
        for allowed in KOREAN_ELSEWHERE_ALLOWED:
            text = text.replace(allowed, "")
        wrong += [f"{where}: {re.search(pattern, text).group(0)!r}: {instead}"
                  for pattern, instead in {**OTHER_TERMS, **SPACING}.items() if re.search(pattern, text)]
    assert not wrong, "Korean with another word than the staff guide's:\n" + "\n".join(wrong)


def test_the_staff_guide_quotes_the_messages_as_they_are():
    """A message the staff guide quotes (`...니다`, "..." for what varies, N
    for a number) is said so by the catalog, so that staff find in the guide
    the line they meet."""
    guide = (REPO / "docs" / "staff-guide-ko.md").read_text(encoding="utf-8")
    said = [text for m in read_catalog() if m.id for text in (m.string if isinstance(m.string, tuple) else (m.string,))]

    def in_order(pieces, text):
        at = 0
        for piece in pieces:
            at = text.find(piece, at)
            if at < 0:
                return False
            at += len(piece)
        return True

    wrong = []
    prose = re.sub(r"```.*?```", "", guide, flags=re.S)  # the commands to type
    for quote in [span for span in re.findall(r"`([^`]+)`", prose) if "니다" in span and "\n" not in span]:
        pieces = [piece for piece in re.split(r"\.\.\.|(?<![A-Za-z])N(?![A-Za-z])", quote) if piece]
        pieces[0] = re.sub(r"^[^가-힣]*(?=[가-힣])", "", pieces[0])  # the file or address it names: the message's placeholder
        if not any(in_order(pieces, text) for text in said):
            wrong.append(quote)
    assert not wrong, "the staff guide quotes messages the catalog does not say:\n" + "\n".join(wrong)


# Spacing a copy editor mends, in the catalog and outside it: what a reader
# would stumble on, and what to write instead.
SPACING = {
    r"(?<![가-힣])이 분(?:[이가은는을를께]|에게)": "이분 (one word, as 그분)",
    r"(?<![가-힣])이 날(?!씨)": "이날 (one word, as 그날)",
    r"못해서": "지원하지 않아서, 하지 못해서 (못 하다, two words, for 'cannot do')",
    r"미리보기": "미리 보기 (as the preview's own pages and messages write it)",
}
# And in the catalog's messages to staff:
SLIPS = {
    **SPACING,
    r"예: [^.]*처럼": '"예:" and "처럼" both say "for example": write "다음처럼 쓰세요: ..." or "...처럼 쓰세요"',
    r"[\u4e00-\u9fff]": "plain Korean without Chinese characters (초 단위의 수, not 초(秒) 수)",
    r"돌고 있": "실행 중",
    r"(?:이|그|새로운) 소통(?![가-힣])": "sotong, the program (이 소통 reads as 'this communication')",
    r"빈칸": "띄어쓰기 for a space, as every other message (빈 칸 is an empty cell of a CSV)",
    r'(?<!["「])수신거부(?! 일시)(?!["」])': '수신 거부, but the reply "수신거부" and the privacy page\'s 수신거부 일시',
    r"^\{\w+!r\}입니다": "값이 {...}입니다, as every other setting's message",
}


def test_the_catalog_has_no_copy_editing_slips():
    wrong = catalog_matches(SLIPS)
    assert not wrong, "Korean a reader would stumble on:\n" + "\n".join(wrong)


def as_table(catalog) -> dict:
    def hashable(text):
        return tuple(text) if isinstance(text, (tuple, list)) else text

    return {hashable(message.id): hashable(message.string) for message in catalog if message.id and translated(message)}


def test_compiled_catalog_is_the_po():
    mo_path = CATALOG.with_suffix(".mo")
    assert mo_path.exists(), f"{mo_path.relative_to(REPO)} is missing: run `make setup`"
    with open(mo_path, "rb") as mo:
        compiled = as_table(read_mo(mo))
    written = as_table(read_catalog())
    assert compiled == written, "the .mo is older than the .po: run `make setup`"


def test_make_catalogs_leaves_the_po_as_it_is(tmp_path):
    """The .po is kept as `make catalogs` writes it (Babel's extract and
    update, sorted): running it on a copy changes nothing, so that a
    developer's next run shows only the messages they added."""
    copy = tmp_path / "ko" / "LC_MESSAGES" / "sotong.po"
    copy.parent.mkdir(parents=True)
    copy.write_bytes(CATALOG.with_suffix(".po").read_bytes())
    venv = Path(sys.executable).parent.parent
    subprocess.run(["make", "--silent", "catalogs", f"VENV={venv}", f"LOCALE={tmp_path}",
                    f"CATALOG={tmp_path}/ko/LC_MESSAGES/sotong"], cwd=REPO, check=True, capture_output=True)
    remade = copy.read_text(encoding="utf-8").splitlines()
    written = CATALOG.with_suffix(".po").read_text(encoding="utf-8").splitlines()
    assert remade == written, "the .po is not as `make catalogs` leaves it: run `make catalogs` and commit the .po:\n" + (
        "\n".join(difflib.unified_diff(written, remade, "written", "remade", lineterm="", n=1)))[:3000]


@pytest.mark.parametrize("chosen, expected", [
    ("", "문제 {count}건."), ("ko", "문제 {count}건."), ("ko_KR.UTF-8", "문제 {count}건."),
    ("en", "{count} problems."), ("en_US.UTF-8", "{count} problems."), ("fr", "{count} problems."),
])
def test_language_is_chosen_by_sotong_lang(monkeypatch, chosen, expected):
    from sotong.i18n import ngettext

    monkeypatch.setenv("SOTONG_LANG", chosen)
    assert ngettext("{count} problem.", "{count} problems.", 2) == expected


def test_language_is_korean_when_sotong_lang_is_unset(monkeypatch):
    from sotong.i18n import _

    monkeypatch.delenv("SOTONG_LANG")
    assert _('; did you mean "{suggestion}"?') == ' (혹시 "{suggestion}"인가요?)'


BAD_NOTICE = """---
title: 잘못된 공지
date: 2026-11-20
department: 문화체육과
category: culture
sumary: 짧은 요약
---
본문.
"""


@pytest.mark.parametrize("chosen, expected", [
    ("", ['(혹시 "summary"인가요?)', "문제 2건."]),
    ("en", ['did you mean "summary"?', "2 problems."]),
])
def test_check_speaks_the_chosen_language(sotong, empty_project_dir, chosen, expected):
    for name in ("a", "b"):
        (empty_project_dir / "content" / "notices" / f"{name}.md").write_text(BAD_NOTICE, encoding="utf-8")
    result = sotong(empty_project_dir, "check", env={"SOTONG_LANG": chosen})
    assert result.code == 1
    for text in expected:
        assert text in result.stderr


def test_clicks_own_messages_speak_the_chosen_language(sotong):
    """--help's headings and click's command-line errors come from the same catalog."""
    helped = sotong(REPO, "check", "--help", env={"SOTONG_LANG": "ko"})
    assert helped.stdout.startswith("사용법: sotong check [OPTIONS]")
    assert "옵션:" in helped.stdout and "이 도움말을 보여 주고 끝냅니다." in helped.stdout
    required = sotong(REPO, "subscribers", "unsubscribe", "--help", env={"SOTONG_LANG": "ko"})
    assert "[필수]" in required.stdout and "required" not in required.stdout  # click 8.2 names it through a variable
    wrong = sotong(REPO, "newsletter", "next", "--nope", env={"SOTONG_LANG": "ko"})
    assert wrong.code == 2
    assert wrong.stderr.startswith("오류: sotong newsletter next에는 --nope 옵션이 없습니다. 쓸 수 있는 옵션은 --after")
    wrong = sotong(REPO, "subscribers", "generate", "--count", "many", "x.csv", env={"SOTONG_LANG": "ko"})
    assert wrong.code == 2 and wrong.stderr == ('오류: --count "many"은(는) 쓸 수 없습니다(0부터 10,000,000까지의 정수만 '
                                                '됩니다). 예: --count 82400\n')
    english = sotong(REPO, "check", "--help", env={"SOTONG_LANG": "en"})
    assert english.stdout.startswith("Usage: sotong check [OPTIONS]") and "Show this message and exit." in english.stdout


def test_the_machines_reasons_are_the_c_librarys_words_in_english():
    """With SOTONG_LANG=en a reason reads as it did before it was translated: os.strerror's words."""
    import os

    from sotong.problems import _OS_REASONS, os_reason

    for number, words in _OS_REASONS.items():
        assert words == os.strerror(number)
        assert os_reason(OSError(number, "something else")) == words
    assert os_reason(ValueError("not an OSError")) == "not an OSError"
