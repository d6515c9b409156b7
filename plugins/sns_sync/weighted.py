"""X's weighted length of a post (twitter-text v3) and the fitting of a
notice's text into it.

The rules, as X counts them after normalizing the text to NFC:

- a code point in U+0000–U+10FF, U+2000–U+200D, U+2010–U+201F or
  U+2032–U+2037 weighs 1; every other (Hangul, other CJK, "…") weighs 2;
- an emoji sequence (flags, skin tones, ZWJ families, keycaps) weighs 2 as a
  whole;
- a link weighs 23 whatever its length, since X shortens it.

What counts as a link is where X's own extractor (with its list of TLDs) and
this module can differ, so the link rule errs on the side of a longer count.
``http://`` and ``https://`` links end where X's do: a path ends in a letter,
a digit or balanced parentheses, so in "(https://x.kr/a)." the link is
"https://x.kr/a". A bare domain (``www.sd.go.kr``, ``blog.naver.com/x``)
ending in a TLD that X surely knows (``COMMON_TLDS``) weighs 23 with its
path, like X's; any other may be a link on X as a whole, or only up to a TLD
inside it (``www.gov`` in ``www.gov.krb``), or not at all, so it weighs the
most of these: its own characters, or 23 plus the characters after its first
two labels. Checked against twitter-text 3.1 on random text.
"""

from __future__ import annotations

import re
import unicodedata

import emoji

MAX_WEIGHT = 280
LINK_WEIGHT = 23
EMOJI_WEIGHT = 2
HEAVY_WEIGHT = 2
LIGHT_RANGES = ((0x0000, 0x10FF), (0x2000, 0x200D), (0x2010, 0x201F), (0x2032, 0x2037))
ELLIPSIS = "…"
COMMON_TLDS = frozenset(
    "kr com net org edu gov io co me be ly tv info biz jp cn us uk de fr eu".split())

# A link's parts, as X's extractor reads them: a path or query may hold
# balanced parentheses and must end in a letter, digit or one of a few signs,
# so that a link followed by ")" or "." ends before it.
_LABEL = r"[A-Za-z0-9_](?:[A-Za-z0-9_-]*[A-Za-z0-9_])?"
_PATH_CHAR = r"[A-Za-z0-9!*';:=+,.$/%#\[\]\-_~|&@]"
_PARENS = rf"\({_PATH_CHAR}+\)"
_PATH = rf"/(?:(?:{_PATH_CHAR}|{_PARENS})*(?:[A-Za-z0-9=_#/+\-]|{_PARENS}))?"
_QUERY = r"\?(?:[A-Za-z0-9!?*'@();:&=+$/%#\[\]\-_.,~|]*[A-Za-z0-9\-_&=#/])?"
_LINK = re.compile(
    rf"(?P<scheme>https?://)(?:{_LABEL}\.)+[A-Za-z]{{2,}}(?![A-Za-z0-9-])(?::[0-9]+)?(?:{_PATH})?(?:{_QUERY})?"
    r"|(?<![A-Za-z0-9@_/])(?<![A-Za-z0-9@_/-]\.)(?:[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?\.)+(?:[A-Za-z]{2,}|xn--[A-Za-z0-9-]+)(?![A-Za-z0-9-])"
    rf"(?:{_PATH})?(?:{_QUERY})?",
    re.IGNORECASE,
)


_HEAVY = re.compile("[^" + "".join(f"{chr(low)}-{chr(high)}" for low, high in LIGHT_RANGES) + "]")
# Every emoji sequence holds a non-ASCII character of this set: text without
# one needs no (slow) emoji search.
_EMOJI_CHARS = frozenset(char for key in emoji.EMOJI_DATA for char in key if ord(char) > 0x7F)


def char_weight(char: str) -> int:
    return HEAVY_WEIGHT if _HEAVY.match(char) else 1


def _text_weight(text: str) -> int:
    """The weight of text without links or emoji."""
    return len(text) + (HEAVY_WEIGHT - 1) * len(_HEAVY.findall(text))


def _links(text: str) -> list[tuple[int, int, int]]:
    """(start, end, weight) of each link."""
    found = []
    for match in _LINK.finditer(text):
        link = match.group()
        start, end = match.span()
        weight = LINK_WEIGHT if match.group("scheme") else _bare_domain_weight(link)
        found.append((start, end, weight))
    return found


def _bare_domain_weight(link: str) -> int:
    """The most X can count for a bare domain (see the module docstring)."""
    labels = re.split(r"[/?]", link, maxsplit=1)[0].split(".")
    if labels[-1].lower() in COMMON_TLDS:
        return LINK_WEIGHT
    after_shortest_link = link[len(".".join(labels[:2])):]
    return max(_text_weight(link), LINK_WEIGHT + _text_weight(after_shortest_link))


def _wholes(text: str) -> list[tuple[int, int, int]]:
    """(start, end, weight) of the links and emoji sequences of an NFC
    ``text``, in order: the pieces weighed, and kept or cut, as a whole."""
    wholes = []
    position = 0
    for start, end, weight in [*_links(text), (len(text), len(text), 0)]:
        gap = text[position:start]
        if not _EMOJI_CHARS.isdisjoint(gap):
            wholes.extend((position + found["match_start"], position + found["match_end"], EMOJI_WEIGHT)
                          for found in emoji.emoji_list(gap))
        if start < len(text):
            wholes.append((start, end, weight))
        position = end
    return wholes


def weighted_length(text: str) -> int:
    """The length X counts for ``text`` (at most 280 to be postable)."""
    text = unicodedata.normalize("NFC", text)
    total, position = 0, 0
    for start, end, weight in _wholes(text):
        total += _text_weight(text[position:start]) + weight
        position = end
    return total + _text_weight(text[position:])


def _cuts(text: str) -> list[tuple[int, int]]:
    """(index, weight of text[:index]) for every place a cut may fall: between
    code points, never inside a link or an emoji sequence."""
    cuts, total, position = [], 0, 0
    for start, end, weight in [*_wholes(text), (len(text), len(text), 0)]:
        for index in range(position, start):
            cuts.append((index, total))
            total += char_weight(text[index])
        cuts.append((start, total))
        total += weight
        position = end
    return cuts


def fit_post(text: str, url: str, limit: int = MAX_WEIGHT) -> str:
    """``text``, a space and ``url``, within ``limit``: the whole text when it
    fits, else the longest cut of it (between code points, never inside a link
    or an emoji sequence; trailing spaces dropped) followed by "…". When not
    even "… URL" fits, the URL alone.

    Cuts are tried from the longest down; the running weight of the text
    skips those that cannot fit. Each remaining candidate is weighed as a
    whole, since a cut can turn the end of the text into a link (a domain that
    was followed by letters), which only weighs more.
    """
    text = unicodedata.normalize("NFC", text)
    whole = f"{text} {url}" if text else url
    if weighted_length(whole) <= limit:
        return whole
    tail = f"{ELLIPSIS} {url}"
    room = limit - weighted_length(tail)
    for index, weight in reversed(_cuts(text)[:-1]):
        kept = text[:index].rstrip()
        if weight - _text_weight(text[len(kept):index]) > room:
            continue
        if weighted_length(kept + tail) <= limit:
            return kept + tail
    return url
