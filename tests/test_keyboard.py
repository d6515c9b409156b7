"""A name typed with the keyboard left in Hangul (the 한/영 key not
pressed): sotong.keyboard gives back the keys, checked against a
brute-force two-set (두벌식) input method composing what the keys type;
a front-matter key, a command and an option typed so are named, with the
key to press."""

from __future__ import annotations

import pytest
from hypothesis import example, given
from hypothesis import strategies as st
from project_support import run_sotong
from test_notices import GOOD, only_problem

from sotong.keyboard import FINALS, INITIALS, MEDIALS, has_hangul, latin_keys

JAMO_OF_KEY = dict(zip("rRseEfaqQtTdwWczxvgkoiOjpuPhynbml", "ㄱㄲㄴㄷㄸㄹㅁㅂㅃㅅㅆㅇㅈㅉㅊㅋㅌㅍㅎㅏㅐㅑㅒㅓㅔㅕㅖㅗㅛㅜㅠㅡㅣ"))
VOWELS = set("ㅏㅐㅑㅒㅓㅔㅕㅖㅗㅛㅜㅠㅡㅣ")
PAIRS = {"ㅗㅏ": "ㅘ", "ㅗㅐ": "ㅙ", "ㅗㅣ": "ㅚ", "ㅜㅓ": "ㅝ", "ㅜㅔ": "ㅞ", "ㅜㅣ": "ㅟ", "ㅡㅣ": "ㅢ",
         "ㄱㅅ": "ㄳ", "ㄴㅈ": "ㄵ", "ㄴㅎ": "ㄶ", "ㄹㄱ": "ㄺ", "ㄹㅁ": "ㄻ", "ㄹㅂ": "ㄼ", "ㄹㅅ": "ㄽ",
         "ㄹㅌ": "ㄾ", "ㄹㅍ": "ㄿ", "ㄹㅎ": "ㅀ", "ㅂㅅ": "ㅄ"}


def composed(initial: str, medial: str, final: str) -> str:
    """The syllable of its parts, or its lone jamo when it has no initial or no medial."""
    if initial and medial:
        return chr(0xAC00 + (INITIALS.index(initial) * 21 + MEDIALS.index(medial)) * 28 + FINALS.index(final))
    return initial + medial


def input_method(keys: str) -> str:
    """What a two-set input method shows for ``keys`` typed in Hangul mode:
    a consonant after a vowel closes the syllable when it can end one (and
    joins its final when they pair), a vowel takes the final before it as
    its own initial (the second of a pair), two vowels that pair join."""
    out, initial, medial, final = [], "", "", ""
    for key in keys:
        jamo = JAMO_OF_KEY.get(key)
        if jamo is None:
            out.append(composed(initial, medial, final) + key)
            initial = medial = final = ""
        elif jamo not in VOWELS:
            if initial and medial and not final and jamo in FINALS:
                final = jamo
            elif final and final + jamo in PAIRS:
                final = PAIRS[final + jamo]
            else:
                out.append(composed(initial, medial, final))
                initial, medial, final = jamo, "", ""
        elif final:
            pair = next((pair for pair, joined in PAIRS.items() if joined == final), None)
            kept, moved = (pair[0], pair[1]) if pair else ("", final)
            out.append(composed(initial, medial, kept))
            initial, medial, final = moved, jamo, ""
        elif medial and medial + jamo in PAIRS:
            medial = PAIRS[medial + jamo]
        elif medial or not initial:
            out.append(composed(initial, medial, final))
            initial, medial, final = "", jamo, ""
        else:
            medial = jamo
    return "".join(out) + composed(initial, medial, final)


@given(st.text(alphabet="rRseEfaqQtTdwWczxvgkoiOjpuPhynbml-_ 0", max_size=16))
@example("title")
@example("--issue")
@example("rtk")
@example("dkssud")
def test_the_keys_typed_in_hangul_come_back(keys):
    assert latin_keys(input_method(keys)) == keys


@pytest.mark.parametrize("keys, shown", [("title", "샤싣"), ("--issue", "--ㅑㄴ녇"), ("check", "촏차"),
                                         ("dkssud", "안녕"), ("channels", "초무ㅜ딘")])
def test_the_input_method_is_the_one_staff_see(keys, shown):
    """The brute-force input method itself, on words seen typed so."""
    assert input_method(keys) == shown and has_hangul(shown)


def test_a_front_matter_key_typed_in_hangul_is_named_once_with_the_key_to_press(tmp_path):
    message = only_problem(tmp_path, GOOD.replace("title:", "샤싣:", 1))
    assert message.startswith("notice.md:2: ") and '"title"' in message and "한/영" in message, message


def test_a_korean_word_not_a_key_is_no_slip(tmp_path):
    message = only_problem(tmp_path, GOOD.replace("---\n", "---\n축제: 예\n", 1))
    assert "한/영" not in message and 'unknown key "축제"' in message, message


@pytest.mark.parametrize("args, said", [
    (("촏차",), "sotong에는 촏차 명령이 없습니다. 키보드가 한글 상태로 쳐졌습니다. 한/영 키를 누르고 이렇게 쓰세요: sotong check"),
    (("send", "--ㅑㄴ녇", "2026-11-26"), "sotong send에는 --ㅑㄴ녇 옵션이 없습니다. 키보드가 한글 상태로 쳐졌습니다. "
                                           "한/영 키를 누르고 이렇게 쓰세요: --issue"),
])
def test_a_command_or_option_typed_in_hangul_says_to_press_the_key(project_dir, args, said):
    result = run_sotong(project_dir, *args, env={"SOTONG_LANG": "ko"})
    assert result.code == 2 and said in result.stderr and len(result.stderr.splitlines()) == 1, result.stderr
