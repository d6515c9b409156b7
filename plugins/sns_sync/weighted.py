"""X's weighted length of a post (twitter-text v3) and the fitting of a
notice's text into it.

The counting is twitter-text's own, by the ``twitter-text-parser`` package
(its Python port, which passes twitter-text's conformance cases): after the
text is normalized to NFC with line ends as "\\n",

- a link weighs 23 whatever its length: with or without a scheme, as
  twitter-text's extractor finds it with its list of TLDs (``sd.go.kr?x=1``
  is a link; a host label over 63 characters is not);
- an emoji sequence (flags, skin tones, ZWJ families, keycaps) weighs 2;
- a code point in U+0000–U+10FF, U+2000–U+200D, U+2010–U+201F or
  U+2032–U+2037 weighs 1, every other (Hangul, other CJK, "…") 2.

X refuses a post holding one of twitter-text's invalid characters (U+FFFE,
U+FEFF, U+FFFF) whatever its length: ``fit_post`` leaves them out.
"""

from __future__ import annotations

import unicodedata

from sotong.text_links import without_pkg_resources

with without_pkg_resources():
    from twitter_text import extract_emojis_with_indices, extract_urls_with_indices, parse_tweet
    from twitter_text.config import config as _twitter_text_config
    from twitter_text.get_character_weight import get_character_weight
    from twitter_text.parse_tweet import convert_line_ending
    from twitter_text.regexp.invalid_chars import invalid_chars

V3 = _twitter_text_config["version3"]
_SCALE = V3["scale"]
MAX_WEIGHT = V3["max_weighted_tweet_length"]
LINK_WEIGHT = V3["transformed_url_length"]
EMOJI_WEIGHT = V3["default_weight"] // _SCALE
ELLIPSIS = "…"


def postable_text(text: str) -> str:
    """``text`` as X counts and keeps it: without the characters X refuses,
    in NFC, line ends "\\n"."""
    return convert_line_ending(unicodedata.normalize("NFC", invalid_chars.sub("", text)))


def char_weight(char: str) -> int:
    return get_character_weight(char, V3) // _SCALE


def weighted_length(text: str) -> int:
    """The length X counts for ``text`` (at most 280 to be postable)."""
    return parse_tweet(text, V3).weightedLength


def is_postable(text: str) -> bool:
    """Whether X takes ``text`` as a post: 1 to 280 long, no invalid character."""
    return parse_tweet(text, V3).valid


def _cuts(text: str) -> list[tuple[int, int]]:
    """(index, weight of text[:index]) for every place a cut may fall in a
    normalized ``text``: between code points, never inside a link or an emoji
    sequence. The pieces are taken as twitter-text takes them: a link first,
    else an emoji sequence, else one code point."""
    links = {found["indices"][0]: found["indices"][1] for found in extract_urls_with_indices(text)}
    emojis = {found["indices"][0]: found["indices"][1] for found in extract_emojis_with_indices(text)}
    cuts, total, index = [], 0, 0
    while index < len(text):
        cuts.append((index, total))
        if index in links:
            index, total = links[index], total + LINK_WEIGHT
        elif index in emojis:
            index, total = emojis[index], total + EMOJI_WEIGHT
        else:
            index, total = index + 1, total + char_weight(text[index])
    cuts.append((len(text), total))
    return cuts


def fit_post(text: str, url: str, limit: int = MAX_WEIGHT) -> str:
    """``text``, a space and ``url``, within ``limit``: the whole text when it
    fits, else the longest cut of it (between code points, never inside a link
    or an emoji sequence; trailing spaces dropped) followed by "…". When not
    even "… URL" fits, the URL alone. The text is taken as ``postable_text``.

    Cuts are tried from the longest down; the running weight of the text
    skips those that cannot fit. Each remaining candidate is weighed as a
    whole, since a cut can turn the end of the text into a link (a domain that
    was followed by letters), which only weighs more.
    """
    text = postable_text(text)
    whole = f"{text} {url}" if text else url
    if weighted_length(whole) <= limit:
        return whole
    tail = f"{ELLIPSIS} {url}"
    room = limit - weighted_length(tail)
    cuts = _cuts(text)
    weight_before = dict(cuts)
    for index, _ in reversed(cuts[:-1]):
        kept = text[:index].rstrip()
        if weight_before[len(kept)] > room:
            continue
        if weighted_length(kept + tail) <= limit:
            return kept + tail
    return url
