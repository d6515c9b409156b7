"""Addresses of notices: short link codes (shortest, collision-free, stable
as new notices come), short URLs, the site's absolute address, and links in
ASCII for plain text (checked against the standard library's reading back)."""

from __future__ import annotations

import datetime as dt
from itertools import islice
from types import SimpleNamespace
from urllib.parse import unquote, urlsplit

from hypothesis import given, settings, strategies as st

from sotong.links import (SENT_CODES_FILE, _ALPHABET, _code_digits, absolute_site_url, ascii_url, former_codes, sent_codes,
                          short_codes, short_url, texted_codes)


def notice(slug: str, day: int):
    return SimpleNamespace(slug=slug, date=dt.datetime(2026, 1, 1) + dt.timedelta(days=day))


slugs = st.text(alphabet="abc-1", min_size=1, max_size=4)
notice_sets = st.lists(st.tuples(slugs, st.integers(0, 30)), max_size=60, unique_by=lambda pair: pair[0]).map(
    lambda pairs: [notice(slug, day) for slug, day in pairs])


@settings(max_examples=100, deadline=None)
@given(notice_sets, st.randoms(use_true_random=False))
def test_codes_are_the_shortest_prefixes_not_taken_by_an_earlier_notice(notices, random):
    codes = short_codes(notices)
    ordered = sorted(notices, key=lambda n: (n.date, n.slug))
    assert list(codes) == [n.slug for n in ordered]
    assert len(set(codes.values())) == len(notices)  # collision-free
    for index, current in enumerate(ordered):  # brute force: the rule read directly
        earlier = {codes[n.slug] for n in ordered[:index]}
        stream = "".join(islice(_code_digits(current.slug), 80))
        expected = next(stream[:k] for k in range(1, 81) if stream[:k] not in earlier)
        assert codes[current.slug] == expected
        assert set(expected) <= set(_ALPHABET) and not set(expected) & {"l", "o"}
    shuffled = list(notices)
    random.shuffle(shuffled)
    assert short_codes(shuffled) == codes  # the order of the files does not matter


@settings(max_examples=100, deadline=None)
@given(notice_sets, notice_sets)
def test_notices_dated_later_never_change_the_codes_of_earlier_ones(before, added):
    last = max((n.date for n in before), default=dt.datetime(2026, 1, 1))
    taken = {n.slug for n in before}
    later = [notice(n.slug + "+", 0) for n in added if n.slug + "+" not in taken]
    for extra in later:
        extra.date = last + (extra.date - dt.datetime(2026, 1, 1)) + dt.timedelta(minutes=1)
    codes = short_codes(before)
    grown = short_codes(before + later)
    assert {slug: grown[slug] for slug in codes} == codes


@settings(max_examples=100, deadline=None)
@given(notice_sets, st.data())
def test_a_code_that_got_shorter_keeps_its_former_one_where_no_notice_holds_it(notices, data):
    """Removing a notice dated before others moves their codes shorter; the
    texts sent before carry the codes of then (SPEC §6: the site holds a
    redirect page for each)."""
    if not notices:
        return
    removed = data.draw(st.sampled_from(notices))
    before = short_codes(notices)
    after = short_codes([n for n in notices if n is not removed])
    former = former_codes(after)
    assert len(set(former.values())) == len(former) and not set(former.values()) & set(after.values())
    for slug, code in after.items():
        assert former.get(slug, code + "?")[:len(code)] == code  # a longer code of its own
        if len(before[slug]) == len(code) + 1 and before[slug] not in after.values():
            assert former[slug] == before[slug]


@settings(max_examples=100, deadline=None)
@given(notice_sets, notice_sets)
def test_codes_sent_stay_with_their_notices_whatever_is_published_around_them(sent, added):
    """Notices published later with any date (dated before those texted,
    too): the codes texts carry stay their notices', and every code is one
    notice's; without them kept (the rule alone), a notice dated before
    took a code a text carried for another."""
    codes = short_codes(sent)
    after = short_codes([*sent, *(n for n in added if n.slug not in codes)], codes)
    assert {slug: after[slug] for slug in codes} == codes
    assert len(set(after.values())) == len(after)


def test_a_notice_dated_before_one_already_texted_takes_none_of_its_code():
    texted = notice("2026-11-21-cold-wave-warning", 20)
    late = next(notice(f"2026-11-20-late-{n}", 19) for n in range(10_000)
                if short_codes([texted, notice(f"2026-11-20-late-{n}", 19)])[f"2026-11-20-late-{n}"] == short_codes([texted])[texted.slug])
    assert short_codes([texted, late])[texted.slug] != short_codes([texted])[texted.slug]  # the rule alone moves it
    kept = short_codes([texted, late], short_codes([texted]))
    assert kept[texted.slug] == short_codes([texted])[texted.slug] and kept[late.slug] != kept[texted.slug]


@settings(max_examples=100, deadline=None)
@given(notice_sets, st.lists(st.text(alphabet=_ALPHABET[:6], min_size=1, max_size=2), max_size=8))
def test_a_code_held_is_given_to_no_notice(notices, held):
    """Codes texted for notices since made drafts or removed (the ledger's) are held."""
    codes = short_codes(notices, held=held)
    assert not set(codes.values()) & set(held)
    for index, current in enumerate(sorted(notices, key=lambda n: (n.date, n.slug))):  # brute force
        taken = {codes[n.slug] for n in sorted(notices, key=lambda n: (n.date, n.slug))[:index]} | set(held)
        stream = "".join(islice(_code_digits(current.slug), 80))
        assert codes[current.slug] == next(stream[:k] for k in range(1, 81) if stream[:k] not in taken)


def test_the_ledger_adds_its_codes_to_the_outboxes_and_wins_where_they_disagree(tmp_path):
    import json

    from sotong.code_ledger import TextedCode, record_texted

    (tmp_path / "outbox" / "2026-11-12").mkdir(parents=True)
    (tmp_path / "outbox" / "2026-11-12" / SENT_CODES_FILE).write_text(json.dumps({"a-notice": "k", "b": "q"}), encoding="utf-8")
    settings = {"OUTBOX_PATH": str(tmp_path / "outbox"), "PRIVATE_PATH": str(tmp_path / "private")}
    record_texted(settings, {"k": TextedCode("c-notice", "notices/c-notice.md", "씨", "2026-11-26"),
                             "z": TextedCode("a-notice", "notices/a-notice.md", "에이", "2026-11-26")})
    record_texted(settings, {"k": TextedCode("c-notice", "notices/c.md", "고친 씨", "2026-12-10")})
    assert json.loads((tmp_path / "private" / "texted-codes.json").read_text(encoding="utf-8"))["k"] == {
        "slug": "c-notice", "source": "notices/c.md", "title": "고친 씨", "day": "2026-11-26"}  # its first day kept
    assert texted_codes(settings)["q"] == TextedCode("b", "", "", "")
    assert sent_codes(settings) == {"b": "q", "c-notice": "k", "a-notice": "z"}


def test_the_codes_sent_are_read_from_every_outbox_the_newest_last(tmp_path):
    import json
    import os

    for name, codes, when in (("2026-11-12", {"a-notice": "k", "moved": "x"}, 1), ("2026-11-26", {"b-notice": "k"}, 2),
                              ("urgent", {"a-notice": "k3"}, 3), (".2026-12-10.writing-1", {"c": "q"}, 4)):
        (tmp_path / name).mkdir()
        (tmp_path / name / SENT_CODES_FILE).write_text(json.dumps(codes), encoding="utf-8")
        os.utime(tmp_path / name / SENT_CODES_FILE, (when, when))
    (tmp_path / "mangled").mkdir()
    (tmp_path / "mangled" / SENT_CODES_FILE).write_text("{", encoding="utf-8")
    assert sent_codes({"OUTBOX_PATH": str(tmp_path)}) == {"a-notice": "k3", "b-notice": "k", "moved": "x"}
    assert sent_codes({"OUTBOX_PATH": str(tmp_path / "none")}) == {}


def test_a_late_notice_built_and_bundled_leaves_the_texted_notice_its_short_link(tmp_path):
    """The issue of 11-26 is bundled (its texts carry 2026-11-21-cold-wave-warning's
    short link); then a notice dated 11-20 whose code would be that one is
    published: the site's redirect page of the code still leads to the
    notice texted, and the issue bundled again carries the same link."""
    import re

    from test_clicks import ISSUE, bundled, sms_texts

    from delivery_support import run_cli

    outbox = bundled(tmp_path, counting=False)
    texted = "2026-11-21-cold-wave-warning"
    code = json_of(outbox / SENT_CODES_FILE)[texted]
    links = sorted(set(re.findall(r"https://\S+/n/\w+", " ".join(sms_texts(outbox).values()))))
    assert f"https://www.sd.go.kr/sotong/n/{code}" in links
    slug = write_late_notice(tmp_path, texted, code)
    assert run_cli(tmp_path / "pelicanconf.py", "build").code == 0
    page = (tmp_path / "output" / "n" / code / "index.html").read_text(encoding="utf-8")
    assert f"/notices/{texted}/" in page and slug not in page
    assert run_cli(tmp_path / "pelicanconf.py", "bundles", "--issue", ISSUE).code == 0
    again = set(re.findall(r"https://\S+/n/\w+", " ".join(sms_texts(outbox).values())))
    assert set(links) <= again and json_of(outbox / SENT_CODES_FILE)[texted] == code


def write_late_notice(project, texted: str, code: str) -> str:
    """An SMS notice dated the day before ``texted`` (of the sample) whose
    code, by the rule alone, would be ``code``, ``texted``'s: its slug."""
    from sotong.project import Project

    published = [n for n in Project(project / "pelicanconf.py").published_notices if n.has("sms")]
    day = next(n.date for n in published if n.slug == texted) - dt.timedelta(days=1)
    slug = next(f"2026-11-20-late-{n}" for n in range(10_000)
                if short_codes([*published, SimpleNamespace(slug=f"2026-11-20-late-{n}", date=day)])[f"2026-11-20-late-{n}"] == code)
    (project / "content" / "notices" / f"{slug}.md").write_text(
        "---\ntitle: 늦게 쓴 공지\ndate: 2026-11-20 09:00\ndepartment: 안전재난과\ncategory: living\n"
        "channels: [homepage, sms]\nsms: 늦게 쓴 공지\n---\n본문\n", encoding="utf-8")
    return slug


def json_of(path):
    import json

    return json.loads(path.read_text(encoding="utf-8"))


def test_codes_stay_short_on_a_large_site():
    notices = [notice(f"2026-notice-{i}", i // 3) for i in range(5000)]
    lengths = [len(code) for code in short_codes(notices).values()]
    # five characters at most: with SHORT_LINK_BASE = "https://sd.go.kr/s/" (19 bytes) a one-notice
    # message of a 30-byte text is 8 + 1 + 30 + 1 + 24 + 1 + 21 = 86 bytes, one SMS
    assert max(lengths) <= 5 and sum(lengths) / len(lengths) < 3.1
    assert lengths.count(1) > 30


def test_short_url_uses_short_link_base_or_the_site():
    assert short_url({"SHORT_LINK_BASE": "https://sd.go.kr/s/", "SITEURL": "https://x"}, "k7") == "https://sd.go.kr/s/k7"
    assert short_url({"SHORT_LINK_BASE": None, "SITEURL": "https://www.sd.go.kr/sotong"}, "k7") == \
        "https://www.sd.go.kr/sotong/n/k7"


def test_absolute_site_url_prefers_siteurl_then_feed_domain():
    assert absolute_site_url({"SITEURL": "https://sd.go.kr/s/", "FEED_DOMAIN": "https://f"}) == "https://sd.go.kr/s"
    assert absolute_site_url({"SITEURL": "", "FEED_DOMAIN": "https://f/"}) == "https://f"
    assert absolute_site_url({"SITEURL": "/relative", "FEED_DOMAIN": None}) is None


URL_TEXT = st.text(st.one_of(st.characters(min_codepoint=0xAC00, max_codepoint=0xD7A3),
                             st.sampled_from(list("abc019-_.~!$&'()*+,;=:@/% "))), max_size=20)


@given(st.sampled_from(["https://www.sd.go.kr", "http://127.0.0.1:8080", "https://성동구청.kr"]),
       URL_TEXT, URL_TEXT, URL_TEXT)
def test_a_link_in_ascii_reads_back_as_the_same_address(base, path, query, fragment):
    url = f"{base}/{path.replace('?', '').replace('#', '')}?{query.replace('#', '')}#{fragment}"
    made = ascii_url(url)
    assert made.isascii() and " " not in made
    assert ascii_url(made) == made  # escapes already there are kept
    original, back = urlsplit(url), urlsplit(made)
    assert back.hostname == original.hostname.encode("idna").decode("ascii") and back.port == original.port
    assert (unquote(back.path), unquote(back.query), unquote(back.fragment)) == \
        (unquote(original.path), unquote(original.query), unquote(original.fragment))


def test_links_in_ascii():
    assert ascii_url("https://www.sd.go.kr/sotong/notices/김장-나눔/") == \
        "https://www.sd.go.kr/sotong/notices/%EA%B9%80%EC%9E%A5-%EB%82%98%EB%88%94/"
    assert ascii_url("https://성동구청.kr:8080/a?b=가") == "https://xn--2e0bw5j1qmcgl.kr:8080/a?b=%EA%B0%80"
    assert ascii_url("https://a.kr/x?y=1&z=%20") == "https://a.kr/x?y=1&z=%20"
