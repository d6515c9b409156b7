"""Cheaper texts (issue #12, SPEC §6 amended): the composed text is the
cheapest legal form, against a brute-force reading of SPEC §6; a one-notice
message of a 30-byte text is one SMS; counts and costs by type; the SMS
settings read with one-line problems."""

from __future__ import annotations

from fractions import Fraction

import pytest
from hypothesis import given, settings, strategies as st

from sotong.sms import (
    LMS_MAX_BYTES, SMS_MAX_BYTES, MessageCounts, Prices, compose_sms, count_messages, notice_line, read_sms_settings,
)

PRICES = Prices(sms=9, lms=27)
FOOTER = "수신거부 02-2286-5114"  # the office's opt-out line, 21 bytes
MORE = "https://sd.go.kr/n/2026-11-26/"
hangul = st.characters(min_codepoint=0xAC00, max_codepoint=0xD7A3)
ascii_printable = st.characters(min_codepoint=0x21, max_codepoint=0x7E)
short_text = st.text(st.one_of(hangul, ascii_printable), min_size=1, max_size=24)


def cp949(text: str) -> int:
    return len(text.encode("cp949"))


def legal_forms(header: str, short_header: str, lines: list[str], footer: str):
    """SPEC §6 read directly: a header (the office's, with or without the
    date), the notice lines, the count of the dropped ones, the footer; a
    notice is dropped (from the end) only when the text would pass 2,000 bytes."""
    for head in (header, short_header):
        for kept in range(len(lines), -1, -1):
            rest = len(lines) - kept
            body = [head, *lines[:kept]] + ([f"외 {rest}건은 홈페이지에서 확인하세요 {MORE}"] if rest else [])
            text = "\n".join([*body, footer])
            if cp949(text) <= LMS_MAX_BYTES or kept == 0:
                yield text, kept
                break


def cheapest(header, short_header, lines, footer):
    """The cheapest legal form; among equally cheap ones the first (the dated header)."""
    forms = list(legal_forms(header, short_header, lines, footer))
    return min(forms, key=lambda form: PRICES.of("SMS" if cp949(form[0]) <= SMS_MAX_BYTES else "LMS"))


@settings(max_examples=150, deadline=None)
@given(day=st.sampled_from(["1/8", "11/26", "12/10"]), texts=st.lists(short_text, max_size=3),
       codes=st.lists(st.text("abc123", min_size=1, max_size=5), min_size=3, max_size=3),
       base=st.sampled_from(["https://sd.go.kr/s/", "https://www.sd.go.kr/sotong/n/"]),
       long_lines=st.lists(st.text(hangul, min_size=250, max_size=400), max_size=6))
def test_the_composed_text_is_the_cheapest_legal_form(day, texts, codes, base, long_lines):
    lines = [notice_line(text, base + code) for text, code in zip(texts, codes)] + long_lines
    composed = compose_sms(f"[성동구] {day}", lines, FOOTER, MORE, short_header="[성동구]")
    text, kept = cheapest(f"[성동구] {day}", "[성동구]", lines, FOOTER)
    assert (composed.text, composed.shown) == (text, kept)
    assert composed.type == ("SMS" if cp949(text) <= SMS_MAX_BYTES else "LMS")
    assert composed.bytes == cp949(text) <= LMS_MAX_BYTES


@settings(max_examples=200, deadline=None)
@given(text=st.text(st.one_of(hangul, ascii_printable), min_size=1, max_size=30).filter(lambda t: cp949(t) <= 30),
       code=st.text("0123456789abcdefghijkmnpqrstuvwxyz", min_size=1, max_size=5),
       day=st.sampled_from(["1/1", "11/26", "12/31"]))
def test_one_notice_of_at_most_30_bytes_is_one_sms_with_the_default_header_and_footer(text, code, day):
    line = notice_line(text, f"https://sd.go.kr/s/{code}")
    composed = compose_sms(f"[성동구] {day}", [line], FOOTER, MORE, short_header="[성동구]")
    assert composed.type == "SMS" and composed.bytes <= 90 and composed.shown == 1
    assert composed.text.endswith(f"\n{line}\n{FOOTER}")


def test_the_exact_30_byte_case():
    text = "한파주의보 발령 동파 주의 당부"  # 30 bytes
    assert cp949(text) == 30
    composed = compose_sms("[성동구] 11/26", [notice_line(text, "https://sd.go.kr/s/k7a")], FOOTER, MORE,
                           short_header="[성동구]")
    assert composed.text == f"[성동구] 11/26\n{text} https://sd.go.kr/s/k7a\n{FOOTER}"
    assert (composed.type, composed.bytes) == ("SMS", 14 + 1 + 30 + 1 + 22 + 1 + 21)
    longer = compose_sms("[성동구] 11/26", [notice_line(text, "https://sd.go.kr/s/k7abc")], FOOTER, MORE,
                         short_header="[성동구]")
    assert longer.text.startswith("[성동구]\n") and (longer.type, longer.bytes) == ("SMS", 86)  # the date gave way


def test_without_a_short_header_the_header_is_kept_as_given():
    line = notice_line("가" * 20, "https://www.sd.go.kr/sotong/n/k7")
    assert compose_sms("[성동구] 11/26", [line], FOOTER, MORE).type == "LMS"


def test_counts_and_costs_by_type():
    counts = count_messages(["email", "SMS", "sms", "LMS", "EMAIL", "email"])
    assert counts == MessageCounts(email=3, sms=2, lms=1)
    assert counts.cost(PRICES) == 2 * 9 + 27
    assert (counts + MessageCounts(sms=1)).cost(Prices(sms=8.4, lms=26)) == pytest.approx(3 * 8.4 + 26)
    assert counts.cost_line(PRICES) == "45 won (SMS 2 × 9 won, LMS 1 × 27 won)"
    assert MessageCounts(sms=100_000).cost_line(Prices(8.4, 26)) == "840,000 won (SMS 100,000 × 8.4 won, LMS 0 × 26 won)"
    assert PRICES.of("EMAIL") == 0 and PRICES.of("LMS") == 27


@pytest.mark.parametrize("name, value, expected", [
    ("SMS_PRICE", '"9"', "SMS_PRICE: is '9'; write the price of one message in won, a number, e.g. SMS_PRICE = 9"),
    ("LMS_PRICE", "-1", "LMS_PRICE: is -1; write the price of one message in won, a number, e.g. LMS_PRICE = 27"),
    ("SMS_POLICY", '"email_first"', "SMS_POLICY: is 'email_first'; write \"all\" (every SMS reader gets an SMS) or "
     "\"email-first\" (readers who get the issue by email get an SMS only for urgent notices)"),
    ("SHORT_LINK_BASE", '"sd.go.kr/s"', "SHORT_LINK_BASE: is 'sd.go.kr/s'; write the short address the office points "
     "at the site's n/ folder, ending in /, e.g. SHORT_LINK_BASE = \"https://sd.go.kr/s/\""),
    ("SMS_OPTOUT_FOOTER", "None", "SMS_OPTOUT_FOOTER: is None; write the opt-out line that ends every SMS, "
     "e.g. SMS_OPTOUT_FOOTER = \"수신거부 02-2286-5114\""),
])
def test_a_bad_sms_setting_is_one_line_at_its_assignment(tmp_path, name, value, expected):
    path = tmp_path / "pelicanconf.py"
    path.write_text(f'SITENAME = "x"\n{name} = {value}\n', encoding="utf-8")
    loaded = {"SOTONG_SETTINGS_FILE": str(path), name: eval(value)}
    config, problems = read_sms_settings(loaded)
    assert config is None and [str(p) for p in problems] == [f"pelicanconf.py:2: {expected}"]


def test_good_sms_settings_are_read():
    config, problems = read_sms_settings({"SMS_PRICE": 8.4, "LMS_PRICE": 26, "SMS_POLICY": "email-first",
                                          "SHORT_LINK_BASE": "https://sd.go.kr/s/"})
    assert problems == [] and config.prices == Prices(8.4, 26) and config.policy == "email-first"
    assert read_sms_settings({})[0].prices == Prices(9, 27)
    assert read_sms_settings({"SMS_OPTOUT_FOOTER": "수신거부 080-000-0000"})[0].optout_footer == "수신거부 080-000-0000"


@settings(max_examples=200, deadline=None)
@given(sms=st.integers(0, 200_000), lms=st.integers(0, 200_000),
       sms_tenths=st.integers(0, 99_999), lms_tenths=st.integers(0, 99_999))
def test_a_cost_is_the_won_a_clerk_would_work_out_from_the_prices_as_written(sms, lms, sms_tenths, lms_tenths):
    """With SMS_PRICE = 8.4, three SMS cost 25.200000000000003 won: a budget
    of 25.2 (the cost sotong reach printed) was refused as passed, the
    message saying the texts would cost 25.2 won."""
    prices = Prices(sms=sms_tenths / 10, lms=lms_tenths / 10)
    exact = Fraction(sms * sms_tenths + lms * lms_tenths, 10)
    counts = MessageCounts(sms=sms, lms=lms)
    assert counts.cost(prices) == float(exact)  # the float the operator's budget of that many won is read as


def test_a_budget_of_exactly_the_cost_pays_for_it():
    from bundles.budget import readers_within

    assert MessageCounts(sms=3).cost(Prices(8.4, 26)) <= 25.2
    assert readers_within([8.4, 8.4, 8.4], 25.2) == 3
    assert readers_within([8.4, 8.4, 8.4], 25.1) == 2 and readers_within([], 0) == 0


@pytest.mark.parametrize("setting, expected", [
    ('SMS_OPTOUT_FOOTER = "수신거부 📞 02-2286-5114"',
     "SMS_OPTOUT_FOOTER: is '수신거부 📞 02-2286-5114', and phones cannot show \"📞\" in a text message; write it "
     "in plain Korean, e.g. SMS_OPTOUT_FOOTER = \"수신거부 02-2286-5114\""),
    ('BUNDLES = {"sms_header": "[성동구 📢]"}',
     "BUNDLES: \"sms_header\" is '[성동구 📢]'; write text phones can show in a text message (plain Korean, "
     "no emoji), e.g. BUNDLES = {\"sms_header\": \"[성동구]\"}"),
    # every text starts with the header; sms.csv would write each with a ' in front, which the agency sends
    ('BUNDLES = {"sms_header": "-성동구-"}',
     "BUNDLES: \"sms_header\" is '-성동구-'; write text that starts with something other than =, +, - or @ (or ＝, ＋, "
     "－ or ＠, or one of them after spaces), or sms.csv puts a ' before every text (as before anything a spreadsheet "
     "would run as a formula) and the SMS agency sends it, e.g. BUNDLES = {\"sms_header\": \"[성동구]\"}"),
    ('BUNDLES = {"sms_header": "＠성동구"}',
     "BUNDLES: \"sms_header\" is '＠성동구'; write text that starts with something other than =, +, - or @ (or ＝, ＋, "
     "－ or ＠, or one of them after spaces), or sms.csv puts a ' before every text (as before anything a spreadsheet "
     "would run as a formula) and the SMS agency sends it, e.g. BUNDLES = {\"sms_header\": \"[성동구]\"}"),
])
def test_a_header_or_footer_phones_cannot_show_is_refused_at_its_line(tmp_path, setting, expected):
    """Every text of every issue went out with "?" for the emoji, and nothing said so."""
    from bundles.config import read_bundles_settings
    from project_support import copy_project, run_sotong

    project = copy_project(tmp_path, notices=False, extra_settings=setting)
    line = (project / "pelicanconf.py").read_text(encoding="utf-8").splitlines().index(setting) + 1
    result = run_sotong(project, "check")
    assert result.code == 1 and result.stderr.splitlines() == [f"pelicanconf.py:{line}: {expected}"], result.output
    name, value = setting.split(" = ")
    assert read_bundles_settings({name: eval(value)})[0] is None


@settings(max_examples=300, deadline=None)
@given(tenths=st.lists(st.sampled_from([0, 84, 90, 260, 270]), max_size=40), budget_tenths=st.integers(0, 12_000))
def test_the_readers_a_budget_pays_for_are_the_longest_run_from_the_first(tenths, budget_tenths):
    """SPEC §6 "saying what would fit", read directly: the first k readers
    (in the store's order) whose texts together cost at most the budget."""
    from bundles.budget import readers_within

    budget = Fraction(budget_tenths, 10)
    expected = max(k for k in range(len(tenths) + 1) if Fraction(sum(tenths[:k]), 10) <= budget)
    assert readers_within([t / 10 for t in tenths], budget_tenths / 10) == expected
