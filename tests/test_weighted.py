"""X's weighted length and the fitting of a post into 280 (sns_sync.weighted),
checked against

- twitter-text's own conformance cases for v3 counting
  (tests/data/twitter_text_validate_v3.yml, from its validate.yml);
- the ``twitter-text-parser`` package as the oracle on random text made of
  links (with and without a scheme, IDN hosts, labels over 63 characters,
  trailing "?"), emoji, invalid characters, Hangul and ASCII: every fitted
  post is one X takes, and no longer cut would have been;
- a brute-force reading of the v3 rules for text without links or emoji:
  each code point weighs 1 in U+0000–U+10FF, U+2000–U+200D, U+2010–U+201F
  and U+2032–U+2037, else 2 (reference weights at each range's edges).
"""

from __future__ import annotations

import unicodedata
from pathlib import Path

import pytest
import yaml
from hypothesis import given, settings, strategies as st
from twitter_text import extract_emojis_with_indices, extract_urls_with_indices, parse_tweet

from sns_sync.weighted import (
    ELLIPSIS, MAX_WEIGHT, char_weight, fit_post, is_postable, postable_text, weighted_length,
)

CONFORMANCE = yaml.safe_load((Path(__file__).parent / "data" / "twitter_text_validate_v3.yml")
                             .read_text(encoding="utf-8"))["tests"]

LIGHT = set(range(0x0000, 0x10FF + 1)) | set(range(0x2000, 0x200D + 1)) | set(range(0x2010, 0x201F + 1)) \
    | set(range(0x2032, 0x2037 + 1))


def brute_weight(text: str) -> int:
    """The spec read literally, for text without links or emoji."""
    return sum(1 if ord(char) in LIGHT else 2 for char in unicodedata.normalize("NFC", text))


def brute_post_weight(body: str) -> int:
    """A post is body, a space and one link (23)."""
    return brute_weight(body) + 1 + 23


# The machine is shared by parallel work: time is not what these tests check.
NO_DEADLINE = settings(deadline=None)

# Text without links or emoji: no "." or ":" (so no domain or scheme), no © or ®.
HANGUL = st.characters(min_codepoint=0xAC00, max_codepoint=0xD7A3)
ASCII = st.sampled_from([chr(c) for c in range(0x20, 0x7F) if chr(c) not in ".:"])
PUNCTUATION = st.sampled_from(list("‐‑‒–—―‘’‚‛“”„‟ ′″‴‵‶‷…※·「」『』〈〉・、。") + ["\u3000", "\u200b"])
CJK = st.characters(min_codepoint=0x4E00, max_codepoint=0x9FFF)
LATIN = st.characters(min_codepoint=0xC0, max_codepoint=0x24F)
PLAIN = st.text(st.one_of(HANGUL, ASCII, ASCII, PUNCTUATION, CJK, LATIN), max_size=320)
SLUGS = st.text(st.sampled_from("abcdefghijkmnpqrstuvwxyz0123456789-"), min_size=1, max_size=80)
URLS = st.builds(lambda host, slug: f"https://{host}/notices/{slug}/",
                 st.sampled_from(["www.sd.go.kr/sotong", "example.org", "a.kr"]), SLUGS)


@NO_DEADLINE
@given(PLAIN)
def test_weight_is_the_sum_of_code_point_weights(text):
    assert weighted_length(text) == brute_weight(text)


@NO_DEADLINE
@given(PLAIN, URLS, PLAIN)
def test_a_link_weighs_23_whatever_its_length(before, url, after):
    text = f"{before} {url} {after}"
    assert weighted_length(text) == brute_weight(before) + 1 + 23 + 1 + brute_weight(after)


@settings(max_examples=300, deadline=None)
@given(PLAIN, URLS)
def test_fitted_post_is_the_longest_cut_that_fits(text, url):
    post = fit_post(text, url)
    text = unicodedata.normalize("NFC", text)
    if not text:
        assert post == url
        return
    assert post.endswith(f" {url}")
    assert weighted_length(post) <= MAX_WEIGHT
    assert weighted_length(post) == brute_post_weight(post[: -len(url) - 1])
    body = post[: -len(url) - 1]
    if body == text:
        assert brute_post_weight(text) <= MAX_WEIGHT
        return
    assert brute_post_weight(text) > MAX_WEIGHT, "cut although the whole text fits"
    assert body.endswith(ELLIPSIS)
    kept = body[: -len(ELLIPSIS)]
    assert text.startswith(kept), "not a prefix of the original"
    assert kept == kept.rstrip()
    longer_cuts = {text[:end].rstrip() for end in range(len(text))} - {kept}
    for cut in longer_cuts:
        if len(cut) > len(kept):
            assert brute_post_weight(cut + ELLIPSIS) > MAX_WEIGHT, f"a longer cut fits: {cut!r}"


@settings(max_examples=30, deadline=None)
@given(st.text(HANGUL, min_size=100, max_size=100), st.text(HANGUL, min_size=200, max_size=200), URLS)
def test_a_full_korean_title_and_summary_fit(title, summary, url):
    post = fit_post(f"[긴급] {title}\n{summary}", url)
    assert weighted_length(post) <= MAX_WEIGHT
    assert post.startswith(f"[긴급] {title}\n")
    assert post.endswith(f"{ELLIPSIS} {url}")
    assert weighted_length(post) >= MAX_WEIGHT - 1  # a Hangul syllable weighs 2


EMOJI = st.sampled_from(["👍", "👍🏽", "👨\u200d👩\u200d👧", "🇰🇷", "1\ufe0f\u20e3", "❤\ufe0f", "🎉"])


@NO_DEADLINE
@given(st.lists(st.one_of(PLAIN, EMOJI), max_size=12))
def test_each_emoji_sequence_weighs_two_among_any_text(pieces):
    emoji_count = sum(1 for piece in pieces if piece in EMOJI.elements)
    plain = "".join(piece for piece in pieces if piece not in EMOJI.elements)
    assert weighted_length("".join(pieces)) == brute_weight(plain) + 2 * emoji_count


@NO_DEADLINE
@given(st.lists(st.one_of(PLAIN, URLS, EMOJI), max_size=12))
def test_korean_links_and_emoji_mixed_weigh_what_the_rules_add_up_to(pieces):
    """Hangul 2, a link 23 whatever its length, an emoji sequence 2, each space 1."""
    expected = max(len(pieces) - 1, 0) + sum(
        23 if piece.startswith("https://")  # plain text holds no ":"
        else 2 if piece in EMOJI.elements else brute_weight(piece) for piece in pieces)
    assert weighted_length(" ".join(pieces)) == expected


def test_emoji_sequences_weigh_two_each():
    assert weighted_length("👍") == 2
    assert weighted_length("👍🏽") == 2  # with a skin tone
    assert weighted_length("👨\u200d👩\u200d👧") == 2  # a family (ZWJ sequence)
    assert weighted_length("🇰🇷") == 2  # a flag
    assert weighted_length("1\ufe0f\u20e3") == 2  # a keycap
    assert weighted_length("가👍나!") == 2 + 2 + 2 + 1


def test_general_punctuation_ranges():
    assert weighted_length("\u2010\u201f\u2032\u2037\u2000\u200d") == 6
    assert weighted_length("\u200e\u2020\u2026\u2038") == 8  # just outside the light ranges
    assert weighted_length("\u10ff\u1100") == 1 + 2  # Georgian is light, Hangul Jamo is not


def test_text_is_weighed_after_nfc_normalization():
    decomposed = unicodedata.normalize("NFD", "한글")  # six jamo
    assert weighted_length(decomposed) == 4
    assert fit_post(decomposed, "https://a.kr/") == "한글 https://a.kr/"


def test_link_rules():
    assert weighted_length("https://www.sd.go.kr/" + "a" * 200) == 23
    assert weighted_length("(https://www.sd.go.kr/sotong).") == 1 + 23 + 2  # trailing punctuation is text
    assert weighted_length("https://a.kr/가나") == 23 + 4  # a link ends at non-ASCII text
    # A bare domain with a TLD X surely knows is a link, path and all.
    assert weighted_length("정부24(www.gov.kr)") == 2 + 2 + 2 + 1 + 23 + 1
    assert weighted_length("blog.naver.com/seongdong_gu") == 23
    assert weighted_length("메일 sotong@sd.go.kr") == 4 + 1 + 15  # an address is not a link
    # Any other may be a link as a whole, up to a TLD inside it, or not at all: the most.
    long_domain = "seongdong-district-office-homepage.seoul"
    assert weighted_length(long_domain) == len(long_domain)
    assert weighted_length("www.gov.krb") == 23 + len(".krb")  # X links "www.gov"
    assert weighted_length("file.txt and x.kr1") == 18  # neither is a link


def test_a_cut_never_breaks_a_link_or_an_emoji():
    url = "https://www.sd.go.kr/sotong/notices/x/"
    for pad in range(120, 140):
        text = "가" * pad + " https://www.gov.kr/portal/service " + "나" * 50
        post = fit_post(text, url)
        body = post[: -len(url) - 1]
        assert "https://www.gov.kr/portal/service" in body or "https:" not in body
        assert weighted_length(post) <= MAX_WEIGHT
        emoji_text = "가" * pad + "👨\u200d👩\u200d👧" * 20
        post = fit_post(emoji_text, url)
        assert post.count("\u200d") % 2 == 0 and weighted_length(post) <= MAX_WEIGHT


def test_short_text_is_kept_whole():
    assert fit_post("제목\n요약", "https://a.kr/n/") == "제목\n요약 https://a.kr/n/"
    assert fit_post("", "https://a.kr/n/") == "https://a.kr/n/"


# --- against twitter-text itself ---------------------------------------------------------

@pytest.mark.parametrize("case", [case for cases in CONFORMANCE.values() for case in cases],
                         ids=lambda case: case["description"])
def test_twitter_text_conformance_cases(case):
    assert weighted_length(case["text"]) == case["expected"]["weightedLength"]
    assert is_postable(case["text"]) == case["expected"]["valid"]


def test_the_links_x_counts_that_a_hand_written_rule_missed():
    assert weighted_length("sd.go.kr?x=1") == 23 + 4  # a link without a scheme; its query is text
    assert weighted_length("https://sd.go.kr/a?") == 23 + 1  # a trailing "?" is text
    assert weighted_length("https://성동구청.kr/a") == 23  # an IDN host
    assert weighted_length("안내: 성동구청.kr") == 2 * 2 + 2 + 4 * 2 + 3  # without a scheme, not a link
    label = "a" * 64
    assert weighted_length(f"https://{label}.com/x") == len(f"https://{label}.com/x")  # a label over 63
    assert weighted_length(f"{label[:63]}.com") == 23


def test_a_post_drops_the_characters_x_refuses():
    assert not is_postable("가\ufeff나")
    for invalid in ("\ufeff", "\ufffe", "\uffff"):
        post = fit_post(f"가{invalid}나", "https://a.kr/n/")
        assert post == "가나 https://a.kr/n/" and is_postable(post)


# Random text as X sees it: links with and without a scheme, ASCII and Hangul
# (IDN) hosts, labels up to 70 characters, paths, queries and a trailing "?",
# emoji, invalid characters, Korean and ASCII text, CRLF line ends.
LABEL = st.one_of(st.text(st.sampled_from("abcdefghijklmnopqrstuvwxyz0123456789-"), min_size=1, max_size=70),
                  st.text(HANGUL, min_size=1, max_size=6))
HOST = st.builds(lambda labels, tld: ".".join([*labels, tld]), st.lists(LABEL, min_size=1, max_size=3),
                 st.sampled_from(["kr", "go.kr", "com", "seoul", "한국", "xn--3e0b707e", "txt", "krb", "co"]))
LINKISH = st.builds(lambda scheme, host, path, end: f"{scheme}{host}{path}{end}",
                    st.sampled_from(["", "", "http://", "https://", "HTTPS://"]), HOST,
                    st.sampled_from(["", "/", "/notices/x", "/a(b)", "/가나", "?x=1", "/p?q=1&r=가"]),
                    st.sampled_from(["", "?", ".", ")", "!", ":"]))
NOISE = st.sampled_from(["\ufeff", "\ufffe", "\uffff", "\u202a", "\u200d", "@", "#", "\r\n", "\n", " ", "…"])
X_TEXT = st.lists(st.one_of(PLAIN, LINKISH, LINKISH, EMOJI, NOISE), max_size=10).map(" ".join)


@settings(max_examples=100, deadline=None)
@given(X_TEXT)
def test_weighted_length_agrees_with_twitter_text(text):
    assert weighted_length(text) == parse_tweet(text).weightedLength


def _oracle_cuts(text: str) -> list[int]:
    """Every place a cut may fall: not inside a link or an emoji sequence, as
    twitter-text finds them."""
    inside = {index for found in extract_urls_with_indices(text) + extract_emojis_with_indices(text)
              for index in range(found["indices"][0] + 1, found["indices"][1])}
    return [index for index in range(len(text) + 1) if index not in inside]


@settings(max_examples=80, deadline=None)
@given(X_TEXT, URLS)
def test_a_fitted_post_is_one_x_takes_and_the_longest(text, url):
    post = fit_post(text, url)
    assert parse_tweet(post).valid, post
    text = postable_text(text)
    whole = f"{text} {url}" if text else url
    if parse_tweet(whole).weightedLength <= MAX_WEIGHT:
        assert post == whole
        return
    assert post.endswith(f"{ELLIPSIS} {url}")
    kept = post[: -len(f"{ELLIPSIS} {url}")]
    assert text.startswith(kept) and kept == kept.rstrip()
    longer = [cut for cut in dict.fromkeys(text[:index].rstrip() for index in _oracle_cuts(text)[:-1])
              if len(cut) > len(kept)]
    for cut in longer[:4]:
        assert parse_tweet(f"{cut}{ELLIPSIS} {url}").weightedLength > MAX_WEIGHT, f"a longer cut fits: {cut!r}"


# Reference weights at both sides of every edge of the light ranges.
RANGE_EDGES = [
    ("\u0000", 1), ("\u007f", 1), ("\u00ff", 1), ("\u10ff", 1), ("\u1100", 2),
    ("\u1fff", 2), ("\u2000", 1), ("\u200d", 1), ("\u200e", 2),
    ("\u200f", 2), ("\u2010", 1), ("\u201f", 1), ("\u2020", 2),
    ("\u2031", 2), ("\u2032", 1), ("\u2037", 1), ("\u2038", 2),
]


@pytest.mark.parametrize("char, weight", RANGE_EDGES, ids=lambda value: f"U+{ord(value):04X}" if isinstance(value, str) else str(value))
def test_reference_weights_at_the_edges_of_the_light_ranges(char, weight):
    assert char_weight(char) == weight
    assert weighted_length("x" + char * 10) == 1 + 10 * weight
    if not char.isspace() and char != "\u0000":
        url = "https://a.kr/n/"
        kept = fit_post("x" + char * 300, url)[: -len(f"{ELLIPSIS} {url}")]
        room = MAX_WEIGHT - (2 + 1 + 23)
        assert kept == "x" + char * ((room - 1) // weight)


def test_ascii_weighs_one_each():
    assert weighted_length("abc XYZ 123 !?") == 14
    assert char_weight("a") == 1 and char_weight("가") == 2


def test_a_post_of_exactly_280_is_kept_and_a_cut_fills_exactly_280():
    url = "https://a.kr/n/"  # 23
    whole = "a" * (MAX_WEIGHT - 1 - 23)
    assert fit_post(whole, url) == f"{whole} {url}"
    assert weighted_length(f"{whole} {url}") == MAX_WEIGHT
    assert fit_post(whole + "b", url) == "a" * (MAX_WEIGHT - 26) + f"{ELLIPSIS} {url}"
    assert weighted_length(fit_post(whole + "b", url)) == MAX_WEIGHT
    assert fit_post("a" * 300, url, limit=26) == f"{ELLIPSIS} {url}"
    assert fit_post("a" * 300, url, limit=25) == url


def test_the_longest_cut_after_a_link_or_an_emoji_fills_exactly_280():
    url = "https://a.kr/n/"
    room = MAX_WEIGHT - (2 + 1 + 23)  # the text before "… URL"
    for whole, weight in (("👍", 2), ("👨\u200d👩\u200d👧", 2), (" https://www.sd.go.kr/x ", 25)):
        head = "a" * 10 + whole
        post = fit_post(head + "b" * 300, url)
        assert post == head + "b" * (room - 10 - weight) + f"{ELLIPSIS} {url}"
        assert weighted_length(post) == MAX_WEIGHT


def test_the_emoji_list_read_without_pkg_resources_is_the_one_pkg_resources_reads():
    """weighted.py imports twitter-text without setuptools' pkg_resources (half a
    second per build): the emoji pattern it builds is the same, and a later
    ``import pkg_resources`` gets the real module."""
    import subprocess
    import sys

    from twitter_text.regexp import emoji as loaded_with_pkg_resources

    code = ("import sys; import sns_sync.weighted; from twitter_text.regexp import emoji; "
            "print('pkg_resources' in sys.modules); sys.stdout.write(emoji.emoji.pattern[-2000:]); "
            "import pkg_resources; print(); print(hasattr(pkg_resources, 'working_set'))")
    repo = Path(__file__).resolve().parent.parent
    done = subprocess.run([sys.executable, "-c", code], cwd=repo, capture_output=True, text=True, check=True,
                          env={"PYTHONPATH": str(repo / "plugins"), "PATH": "/usr/bin:/bin"})
    first, *pattern, last = done.stdout.rstrip("\n").split("\n")
    assert first == "False"
    assert "\n".join(pattern) == loaded_with_pkg_resources.emoji.pattern[-2000:]
    assert last == "True"
