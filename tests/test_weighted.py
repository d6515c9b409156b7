"""X's weighted length and the fitting of a post into 280 (sns_sync.weighted),
checked against a brute-force reading of the twitter-text v3 rules in the
brief: each code point weighs 1 in U+0000–U+10FF, U+2000–U+200D,
U+2010–U+201F and U+2032–U+2037, else 2; a link weighs 23; an emoji sequence 2.
"""

from __future__ import annotations

import unicodedata

from hypothesis import given, settings, strategies as st

from sns_sync.weighted import ELLIPSIS, MAX_WEIGHT, fit_post, weighted_length

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


@NO_DEADLINE
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
    assert weighted_length("file.txt and x.kr1") == 23 + 5 + 5


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
