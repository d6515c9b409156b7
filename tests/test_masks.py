"""The preferences page's masks of a stored address and number
(plugins/subscriptions/masks.py), against a brute-force reading: what the
mask shows is the kept characters and stars, nothing else of the address
or number; two addresses or numbers alike in what is kept show alike; the
mask is never the address or number itself."""

from __future__ import annotations

from hypothesis import example, given
from hypothesis import strategies as st
from subscriptions.masks import masked_email, masked_phone

from sotong.markup import MASKED_NUMBER, text_with_whole_numbers

# local parts as residents have them: letters, digits, dots, + tags, Korean (SMTPUTF8), stars and quoted @s
LOCAL = st.text(st.sampled_from("abcdhong019.+_-*@홍길동ㅎ"), min_size=1, max_size=20)
DOMAIN = st.one_of(st.sampled_from(["example.com", "naver.com", "성동.kr", "xn--2e0b15ma.kr", "한국.한국", "sd.go.kr"]),
                   st.from_regex(r"[a-z0-9가-힣]{1,10}\.[a-z가-힣]{2,5}", fullmatch=True))


def brute_kept(local: str) -> str:
    """The first characters of ``local`` a reader is shown: none of one
    character, one of two or three, two of four or more."""
    for length, kept in ((1, 0), (3, 1)):
        if len(local) <= length:
            return local[:kept]
    return local[:2]


@given(LOCAL, DOMAIN)
@example("h", "example.com")
@example("ho***", "example.com")
@example("hong+news", "성동.kr")
@example('"a@b"', "example.com")
def test_an_address_shows_its_first_characters_and_domain_and_stars_only(local, domain):
    address = f"{local}@{domain}"
    masked = masked_email(address)
    kept = brute_kept(local)
    assert masked.endswith("@" + domain)
    shown_local = masked[: -len(domain) - 1]
    assert shown_local.startswith(kept) and set(shown_local[len(kept):]) == {"*"}, masked
    assert len(kept) < len(local) and masked != address


@given(LOCAL, LOCAL, DOMAIN)
def test_addresses_alike_in_what_is_kept_are_masked_alike(first, second, domain):
    """Nothing of the hidden part shows, not its length either (but for a
    hidden part that is itself ***, shown with four stars: never the address)."""
    if brute_kept(first) == brute_kept(second) and "***" not in (first[len(brute_kept(first)):],
                                                                  second[len(brute_kept(second)):]):
        assert masked_email(f"{first}@{domain}") == masked_email(f"{second}@{domain}")


def test_examples_of_addresses():
    assert [masked_email(address) for address in ("hong@example.com", "h@example.com", "hg@naver.com",
                                                  "hong+news@성동.kr", "길동이네@한국.한국", "ho***@example.com")] == [
        "ho***@example.com", "***@example.com", "h***@naver.com", "ho***@성동.kr", "길동***@한국.한국", "ho****@example.com"]


MOBILE = st.tuples(st.sampled_from(["010", "011", "016", "017", "018", "019"]),
                   st.from_regex(r"[0-9]{3,4}", fullmatch=True), st.from_regex(r"[0-9]{4}", fullmatch=True))


def brute_digits(phone: str) -> str:
    """The digits a reader is shown: the carrier's three and the last four
    of a number of ten digits or more, the last four of eight or nine, none of fewer."""
    digits = [c for c in phone if c in "0123456789"]
    if len(digits) >= 10:
        return "".join(digits[:3] + digits[-4:])
    return "".join(digits[-4:]) if len(digits) >= 8 else ""


@given(st.one_of(MOBILE.map("-".join), MOBILE.map("".join), st.text(st.sampled_from("0123456789- +"), max_size=16)))
@example("010-1234-5678")
@example("011-123-4567")
def test_a_number_shows_its_kept_digits_and_stars_only_and_stays_whole_on_its_line(phone):
    masked = masked_phone(phone)
    assert "".join(c for c in masked if c.isdigit()) == brute_digits(phone)
    assert set(masked) <= set("0123456789-*") and MASKED_NUMBER.fullmatch(masked), masked
    assert str(text_with_whole_numbers(masked)) == f'<span style="display:inline-block">{masked}</span>'
    if sum(c.isdigit() for c in phone) >= 8:
        assert masked != phone


@given(MOBILE, MOBILE)
def test_numbers_alike_in_what_is_kept_are_masked_alike(first, second):
    """The middle's length (three digits or four) does not show either."""
    if (first[0], first[2]) == (second[0], second[2]):
        assert masked_phone("-".join(first)) == masked_phone("-".join(second))


def test_examples_of_numbers():
    assert [masked_phone(phone) for phone in ("010-1234-5678", "011-123-4567", "")] == [
        "010-****-5678", "011-****-4567", "***-****-****"]
