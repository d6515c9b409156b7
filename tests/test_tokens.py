"""Tokens (sotong/tokens.py): only the exact string make_token makes is
genuine; every other spelling of it (padding, stray or re-encoded
characters) is refused, so one invitation cannot be answered twice. When
the office changes its key, links signed with the one before still read
while SOTONG_PREVIOUS_SECRET holds it, and new links are signed with the new."""

from __future__ import annotations

import string

import pytest
from hypothesis import given, settings, strategies as st

from sotong.tokens import make_token, read_token, short_tag, tag_matches

KEY = b"a test key"
URLSAFE = string.ascii_uppercase + string.ascii_lowercase + string.digits + "-_"
ALPHABET = string.ascii_letters + string.digits + "-_=.+/% \n"
payloads = st.text(min_size=1, max_size=20)


@given(payloads)
def test_a_genuine_token_reads_back(payload):
    assert read_token("survey", make_token("survey", payload, KEY), KEY) == payload


def edited(token: str, position: int, character: str, kind: str) -> str:
    position %= len(token) + 1
    if kind == "insert":
        return token[:position] + character + token[position:]
    if kind == "replace":
        return token[:position] + character + token[position + 1:]
    return token[:position] + token[position + 1:]


@settings(max_examples=300)
@given(payloads, st.integers(min_value=0), st.sampled_from(ALPHABET), st.sampled_from(["insert", "replace", "delete"]))
def test_every_other_spelling_is_refused(payload, position, character, kind):
    """Brute-force reading of the rule: a string is genuine iff it is make_token's."""
    token = make_token("survey", payload, KEY)
    other = edited(token, position, character, kind)
    genuine = {make_token("survey", p, KEY) for p in {payload, read_token("survey", other, KEY) or payload}}
    assert (read_token("survey", other, KEY) is not None) == (other in genuine)


def test_padding_and_spare_bits_do_not_make_new_tokens():
    token = make_token("survey", "budget-2027:S00001", KEY)
    body, mac = token.split(".")
    spare_bit = URLSAFE[URLSAFE.index(mac[-1]) ^ 1]  # a 16-byte MAC leaves 4 unused bits in its last character
    respelled = [token + "=", token + "==", f"{body}=.{mac}", f"{body}.{mac}=", token + "\n", f"{body}.{mac[:-1]}{spare_bit}"]
    assert all(read_token("survey", other, KEY) is None for other in respelled)
    assert read_token("unsubscribe", token, KEY) is None  # bound to its purpose


@given(payloads, st.sampled_from(["unsubscribe", "survey", "preferences"]))
def test_the_mac_is_hmac_sha256_of_the_purpose_and_payload_so_tokens_already_sent_still_read(payload, purpose):
    """The MAC is made with OpenSSL's one-shot HMAC (issue #16): the same
    bytes as hmac.new's, so every link in a mail already sent stays genuine."""
    import base64
    import hashlib
    import hmac

    mac = hmac.new(KEY, f"{purpose}\0{payload}".encode(), hashlib.sha256).digest()[:16]
    assert make_token(purpose, payload, KEY).split(".")[1] == base64.urlsafe_b64encode(mac).rstrip(b"=").decode()
    assert make_token("unsubscribe", "S000123", KEY) == "UzAwMDEyMw.-nnjyhoxNeqR7oIEnwrJJg"  # made before the change
    assert short_tag("click", "2026-11-26/abc", KEY) == "d7edfs3f"


OLD, NEW = "the office's key before the change, 32+", "the office's key after the change, 32+"


@settings(max_examples=60)
@given(payloads, st.sampled_from([OLD, NEW, "a key nobody was given, long enough"]), st.booleans())
def test_links_read_with_the_key_or_the_previous_one_and_no_other(payload, signer, previous_set):
    """Brute-force reading of the rule: a link reads iff one of the reading keys signed it."""
    readers = {NEW, OLD} if previous_set else {NEW}
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("SOTONG_SECRET", NEW)
        if previous_set:
            patch.setenv("SOTONG_PREVIOUS_SECRET", OLD)
        else:
            patch.delenv("SOTONG_PREVIOUS_SECRET", raising=False)
        token = make_token("unsubscribe", payload, signer.encode())
        assert (read_token("unsubscribe", token) == payload) == (signer in readers)
        tag = short_tag("bounce", payload, signer.encode())
        assert tag_matches("bounce", payload, tag.upper()) == (signer in readers)
        assert make_token("unsubscribe", payload) == make_token("unsubscribe", payload, NEW.encode())  # signed with the new

