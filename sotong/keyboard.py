"""What a Korean keyboard left in Hangul (the 한/영 key not pressed) makes
of Latin letters typed on it, and the keys pressed given back: ``title``
typed so arrives as 샤싣, ``--issue`` as --ㅑㄴ녇, ``check`` as 촏차. The
input method composes the letters of the standard two-set layout (두벌식,
KS X 5002) into syllables; :func:`latin_keys` takes them apart again, so
that a key, option or command typed so can be matched to the name meant.
"""

from __future__ import annotations

# The two-set layout: the jamo each key types (a capital: with Shift, where Shift types another jamo).
_KEYS = {"r": "ㄱ", "R": "ㄲ", "s": "ㄴ", "e": "ㄷ", "E": "ㄸ", "f": "ㄹ", "a": "ㅁ", "q": "ㅂ", "Q": "ㅃ",
         "t": "ㅅ", "T": "ㅆ", "d": "ㅇ", "w": "ㅈ", "W": "ㅉ", "c": "ㅊ", "z": "ㅋ", "x": "ㅌ", "v": "ㅍ",
         "g": "ㅎ", "k": "ㅏ", "o": "ㅐ", "i": "ㅑ", "O": "ㅒ", "j": "ㅓ", "p": "ㅔ", "u": "ㅕ", "P": "ㅖ",
         "h": "ㅗ", "y": "ㅛ", "n": "ㅜ", "b": "ㅠ", "m": "ㅡ", "l": "ㅣ"}
# The jamo typed with two keys: compound vowels, and the final consonants made of two.
_TWO_KEYS = {"ㅘ": "hk", "ㅙ": "ho", "ㅚ": "hl", "ㅝ": "nj", "ㅞ": "np", "ㅟ": "nl", "ㅢ": "ml",
             "ㄳ": "rt", "ㄵ": "sw", "ㄶ": "sg", "ㄺ": "fr", "ㄻ": "fa", "ㄼ": "fq", "ㄽ": "ft", "ㄾ": "fx",
             "ㄿ": "fv", "ㅀ": "fg", "ㅄ": "qt"}
KEYS_OF = {jamo: key for key, jamo in _KEYS.items()} | _TWO_KEYS  # a compatibility jamo (ㄱ, U+3131) -> its keys

# A syllable's parts in Unicode's order (U+AC00 + (initial * 21 + medial) * 28 + final).
INITIALS = "ㄱㄲㄴㄷㄸㄹㅁㅂㅃㅅㅆㅇㅈㅉㅊㅋㅌㅍㅎ"
MEDIALS = "ㅏㅐㅑㅒㅓㅔㅕㅖㅗㅘㅙㅚㅛㅜㅝㅞㅟㅠㅡㅢㅣ"
FINALS = ("", *"ㄱㄲㄳㄴㄵㄶㄷㄹㄺㄻㄼㄽㄾㄿㅀㅁㅂㅄㅅㅆㅇㅈㅊㅋㅌㅍㅎ")
_FIRST_SYLLABLE, _SYLLABLES = 0xAC00, 11_172


def syllable_parts(character: str) -> str:
    """A Hangul syllable's jamo (강: ㄱㅏㅇ), any other character as it is."""
    index = ord(character) - _FIRST_SYLLABLE
    if not 0 <= index < _SYLLABLES:
        return character
    return INITIALS[index // 588] + MEDIALS[index // 28 % 21] + FINALS[index % 28]


def latin_keys(text: str) -> str:
    """The keys pressed to type ``text`` with the keyboard in Hangul: its
    syllables and jamo as the Latin letters of their keys (샤싣: title,
    ㅑㄴ녀ㄷ: issue), every other character as it is."""
    return "".join(KEYS_OF.get(jamo, jamo) for character in text for jamo in syllable_parts(character))


def has_hangul(text: str) -> bool:
    """Whether ``text`` holds a Hangul syllable or a jamo the keyboard types."""
    return any(character in KEYS_OF or syllable_parts(character) != character for character in text)
