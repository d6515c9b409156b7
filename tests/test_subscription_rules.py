"""The pure rules of residents' own subscriptions (SPEC §13) against
brute-force readings: SUBSCRIBE_RATE's limit per client address (at most N
requests within any period; a refused one counts nothing) and when it lets
a client in again, read from the requests taken so far, not from the
store's own bookkeeping (on SQLite and PostgreSQL); who is one client (an
IPv6 address's /64 network, read from its first eight bytes); and what a
save of the preferences page changes
(what the reader changed on it, and nothing that changed elsewhere since),
read from a model of the page and the browser, not from the page's hidden
fields."""

from __future__ import annotations

import ipaddress
from pathlib import Path

import pytest
from hypothesis import HealthCheck, example, given, settings, strategies as st

from sotong.audiences import load_audiences
from sotong.store import Store, Subscriber
from subscriptions.preferences import CONTACTS, _chosen
from subscriptions import storage
from subscriptions.rules import client_key, parse_rate, read_choices, try_again_in

CLIENTS = (A, B, C, NO_ADDRESS) = ("203.0.113.9", "2001:db8::1", "reader W0000000001", "")


def brute_allows(taken: list[float], now: float, limit: int, seconds: int) -> bool:
    """SPEC §13 read directly: a request is taken when fewer than ``limit``
    of the client's requests taken so far fall within the ``seconds`` up to
    now (one exactly ``seconds`` ago has left it)."""
    return sum(1 for at in taken if now - seconds < at <= now) < limit


def brute_wait(taken: list[float], now: float, limit: int, seconds: int) -> float:
    """The least wait after which a request would be taken: none, or until
    one of the requests taken leaves the window (the first moment that does)."""
    waits = sorted({0.0, *(at + seconds - now for at in taken)})
    return next(wait for wait in waits if wait >= 0 and brute_allows(taken, now + wait, limit, seconds))


@st.composite
def requests(draw):
    """(limit, seconds, requests as (client, time, whether the minute's
    clean-up runs first)): times in order, with gaps of nothing, of the
    window exactly, and just inside and outside it."""
    limit, seconds = draw(st.integers(1, 4)), draw(st.sampled_from([1, 60, 3600]))
    gaps = st.one_of(st.sampled_from([0, 0, 1, seconds // 2, seconds - 1, seconds, seconds + 1]), st.integers(0, 2 * seconds))
    now, made = 0.0, []
    for client, gap, cleanup in draw(st.lists(st.tuples(st.sampled_from(CLIENTS), gaps, st.booleans()), max_size=40)):
        now += gap
        made.append((client, now, cleanup))
    return limit, seconds, made


@pytest.fixture
def rate_store(store_location):
    """A store with the plugin's tables, on each backend."""
    store = storage.ensure(Store.open(store_location))
    yield store
    store.close()


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(drawn=requests())
def test_the_store_takes_what_a_sliding_window_per_client_takes_and_says_when_to_come_back(rate_store, drawn):
    """The count every collector shares (storage.count_request): a request
    is taken exactly when the brute-force reading takes it, counted only
    then, and a refused one is told the least wait after which it would be
    taken; the clean-up of what has expired changes no answer."""
    limit, seconds, made = drawn
    rate_store.db.execute("DELETE FROM subscriptions_rate")
    taken: dict[str, list[float]] = {client: [] for client in CLIENTS}
    for client, now, cleanup in made:
        with rate_store.transaction():
            if cleanup:
                storage.drop_expired(rate_store, now)
            wait = storage.count_request(rate_store, client, limit, seconds, now)
        expected = brute_allows(taken[client], now, limit, seconds)
        assert (wait == 0) == expected, (client, now, taken[client])
        if expected:
            taken[client].append(now)
        else:  # what the refused are told: press again after this
            assert wait == brute_wait(taken[client], now, limit, seconds), (client, now, taken[client])


@given(st.one_of(st.integers(1, 3 * 86400), st.sampled_from([1, 59, 60, 61, 7140, 7199, 7200, 7201, 86400])))
def test_the_429_page_names_a_wait_no_shorter_than_the_rate_asks_and_at_most_a_unit_longer(seconds):
    """A resident who presses again when the page says gets in: the wait it
    names ("N분", from two hours on "N시간") is never shorter than the one
    Retry-After gives, and longer by less than one of its units."""
    said = try_again_in(seconds)
    unit = 60 if said.endswith("분") else 3600
    count = int(said[:-1] if unit == 60 else said[:-2])
    assert said == f"{count}{'분' if unit == 60 else '시간'}" and (unit == 60) == (seconds <= 119 * 60)
    assert seconds <= count * unit < seconds + unit or (count == 1 and unit == 60)


ADDRESSES = st.one_of(st.ip_addresses(v=6), st.ip_addresses(v=4).map(lambda ip: ipaddress.IPv6Address(f"::ffff:{ip}")),
                      st.ip_addresses(v=4))


def brute_same_client(first: str, second: str) -> bool:
    """Two addresses are one client when they are one IPv4 address (also
    written as IPv6, ::ffff:a.b.c.d), or IPv6 addresses whose first eight
    bytes (the /64 network a home or a phone holds whole) are the same."""
    a, b = ipaddress.ip_address(first), ipaddress.ip_address(second)
    a, b = (ip.ipv4_mapped or ip if ip.version == 6 else ip for ip in (a, b))
    if a.version != b.version:
        return False
    return a == b if a.version == 4 else a.packed[:8] == b.packed[:8]


@given(ADDRESSES, st.one_of(ADDRESSES, st.binary(min_size=8, max_size=8)))
@example(ipaddress.ip_address("2001:db8:1:2::1"), ipaddress.ip_address("2001:db8:1:2:ffff::9"))
@example(ipaddress.ip_address("2001:db8:1:2::1"), ipaddress.ip_address("2001:db8:1:3::1"))
@example(ipaddress.ip_address("203.0.113.9"), ipaddress.ip_address("::ffff:203.0.113.9"))
def test_one_client_is_one_ipv4_address_or_one_ipv6_network_of_64_bits(first, second):
    """Who has one IPv6 address has its /64 (2**64 of them): one request
    from each would otherwise be as many clients, and the rate nothing."""
    if isinstance(second, bytes):  # an address of the same /64, drawn
        second = ipaddress.IPv6Address(first.packed[:8] + second) if first.version == 6 else first
    assert (client_key(str(first)) == client_key(str(second))) == brute_same_client(str(first), str(second))


@pytest.mark.parametrize("key", [C, NO_ADDRESS, "not an address"])
def test_what_is_not_an_address_is_its_own_client(key):
    assert client_key(key) == key


def test_subscribe_rate_reads_a_count_per_second_minute_hour_or_day():
    assert [parse_rate(text) for text in ("10/hour", " 3 / minute ", "1/second", "200/day")] == [
        (10, 3600), (3, 60), (1, 1), (200, 86400)]
    assert [parse_rate(text) for text in ("0/hour", "10/hours", "10 per hour", "", "-1/day", "10/")] == [None] * 6


# --- the preferences page saves what the reader changed on it -------------------------------

ONE_VALUE = {"name": ["", "홍길동", "ＫＩＭ　영희", "\u3164"], "email": ["", "a@example.com", "B@example.com"],
             "phone": ["", "010-1234-5678", "010 2222 3333"], "birth_year": ["", "1950", "１９９０"],
             "dong": ["", "majang", "oksu"], "business_type": ["", "food-service"]}
RADIOS = {"gender": ["F", "M"], "kind": ["person", "business"]}  # once one is chosen, none can be un-chosen
CHECKBOXES = {"fields": ["culture", "health", "survey"], "channels": ["email", "sms"]}


@st.composite
def readers(draw):
    def one(key, values):
        value = draw(st.sampled_from(values))
        return int(value) if key == "birth_year" and value else value or None

    return Subscriber(
        id="W0000000001", **{key: one(key, values) for key, values in ONE_VALUE.items()},
        gender=draw(st.sampled_from([None, *RADIOS["gender"]])), kind=draw(st.sampled_from(RADIOS["kind"])),
        fields=draw(st.frozensets(st.sampled_from(CHECKBOXES["fields"]))),
        channels=draw(st.frozensets(st.sampled_from(CHECKBOXES["channels"]))),
        sms_unsubscribed_at=draw(st.sampled_from([None, "2026-11-20T09:00:00+09:00"])))


def page_answers(reader: Subscriber) -> dict[str, list[str]]:
    """What the preferences page shows (SPEC §13: fields, channels, dong,
    birth year, email, phone...): SMS not ticked after a 수신거부 reply."""
    sent_by = reader.channels - ({"sms"} if reader.sms_unsubscribed_at else set())
    shown = {key: [str(getattr(reader, key) or "")] for key in [*ONE_VALUE, *RADIOS]}
    return {**shown, "fields": sorted(reader.fields), "channels": sorted(sent_by)}


@settings(max_examples=100)
@given(readers(), readers(), st.data())
def test_a_save_changes_what_the_reader_changed_on_the_page_and_keeps_what_changed_elsewhere(shown, now, data):
    """SPEC §13 ("POST /p/TOKEN takes effect at once"), read as a reader
    means it: the page showed ``shown``; meanwhile the store came to hold
    ``now`` (another tab, an import, the first of a double tap); the reader
    changed some answers and pressed 저장. What they changed is saved; what
    they left as the page showed it stays as the store holds it now. A
    browser leaves out an unticked box and a radio button none of which is chosen.
    The email and phone boxes are empty on the page (the stored ones are said
    masked): what is typed in them replaces what is stored now, an empty
    one keeps it, and the phone's is taken out by ticking 「번호 지우기」."""
    page = {**page_answers(shown), **{key: [""] for key in CONTACTS}}
    edited, forget = {}, data.draw(st.booleans())
    for key in data.draw(st.sets(st.sampled_from([*ONE_VALUE, *RADIOS, *CHECKBOXES]), max_size=4)):
        if key in CHECKBOXES:
            edited[key] = data.draw(st.lists(st.sampled_from(CHECKBOXES[key]), unique=True))
        else:
            edited[key] = [data.draw(st.sampled_from(ONE_VALUE.get(key) or RADIOS[key]))]
    typed = {**page, **edited}
    posted = {key: values for key, values in typed.items() if values not in ([], [""]) or key in ONE_VALUE}
    posted.update({f"shown-{key}": [";".join(values)] for key, values in page.items() if key not in CONTACTS})
    posted.update({"shown-subscribed": ["yes"], **({"forget_phone": ["yes"]} if forget else {})})
    saved = _chosen(posted, now, None)
    for key in page:
        changed = key in edited and sorted(edited[key]) != sorted(page[key])
        expected = edited[key] if changed else page_answers(now)[key]
        if key == "phone" and forget and not changed:
            expected = [""]
        assert sorted(saved[key]) == sorted(expected), (key, page[key], edited.get(key), page_answers(now)[key])


def test_an_empty_email_or_phone_box_keeps_what_is_stored_and_the_tick_takes_the_number_out():
    reader = Subscriber(id="W0000000001", email="hong@example.com", phone="010-2222-3333",
                        fields=frozenset({"culture"}), channels=frozenset({"email", "sms"}))
    for blank in ([""], [" \u200b"], None):
        saved = _chosen({"email": blank, "phone": blank} if blank else {}, reader, None)
        assert (saved["email"], saved["phone"]) == (["hong@example.com"], ["010-2222-3333"])
    assert _chosen({"phone": [""], "forget_phone": ["yes"]}, reader, None)["phone"] == [""]
    assert _chosen({"phone": ["010-7777-8888"], "forget_phone": ["yes"]}, reader, None)["phone"] == ["010-7777-8888"]
    assert _chosen({"email": ["new@example.com"]}, reader, None)["email"] == ["new@example.com"]
    assert _chosen({"phone": [""]}, Subscriber(id="W1", phone=None), "010-4444-5555")["phone"] == ["010-4444-5555"]


def test_a_page_from_before_the_shown_fields_saves_what_it_posts():
    reader = Subscriber(id="W0000000001", name="홍길동", fields=frozenset({"culture"}), channels=frozenset({"email"}))
    saved = _chosen({"name": ["김영희"], "channels": ["email"]}, reader, None)
    assert saved["name"] == ["김영희"] and saved["fields"] == ["culture"]  # boxes it did not post stay as stored


# --- a form's answers with what shows nothing around them ----------------------------------

AUDIENCES = load_audiences(Path(__file__).resolve().parent.parent / "audiences.yaml")
# what a phone pastes or types that nobody sees: spaces (a full-width one too), a zero-width space, a
# BOM, a word joiner, the Hangul filler of a blank name (the collector takes out direction marks itself)
NOTHING = st.text(st.sampled_from([" ", "\t", "\u00a0", "\u3000", "\u200b", "\ufeff", "\u2060", "\u3164"]), max_size=3)
SIGN_UP = {"name": ["", "홍길순", "\u3164"], "email": ["", "hong@example.com", "ｈｏｎｇ＠ｅｘａｍｐｌｅ．ｃｏｍ", "hong@", "ㅗㅐㅜㅎ@naver.com"],
           "phone": ["", "010-2222-3333", "01022223333", "02-2286-5114"], "birth_year": ["", "1946", "１９４６", "1899", "2027"],
           "gender": ["", "F", "M"], "dong": ["", "yongdap", "nowhere"], "kind": ["", "person", "business"],
           "business_type": ["", "food-service"], "consent": ["", "yes"]}
TYPED = ("name", "email", "phone", "birth_year")  # the boxes typed in; the others send their values as the page wrote them


@settings(max_examples=100)
@given(st.fixed_dictionaries({key: st.sampled_from(values) for key, values in SIGN_UP.items()}),
       st.fixed_dictionaries({key: st.tuples(NOTHING, NOTHING) for key in TYPED}),
       st.lists(st.sampled_from(["health", "culture", "survey", "nope"]), max_size=3),
       st.lists(st.sampled_from(["email", "sms", "fax"]), max_size=2), st.booleans())
def test_an_answer_reads_the_same_with_what_shows_nothing_around_it(answers, around, fields, channels, signing_up):
    """A sign-up or a save reads as the answers a resident sees: what shows
    nothing at the ends of a typed one changes neither what is kept nor the errors."""
    def form(pad: bool) -> dict:
        typed = {key: [f"{around[key][0]}{value}{around[key][1]}" if pad and key in TYPED else value]
                 for key, value in answers.items()}
        return {**typed, "fields": fields, "channels": channels}

    assert read_choices(form(True), AUDIENCES, 2026, signing_up) == read_choices(form(False), AUDIENCES, 2026, signing_up)


@settings(max_examples=100)
@given(st.fixed_dictionaries({key: st.sampled_from(values) for key, values in SIGN_UP.items()}), st.booleans())
def test_a_business_keeps_no_birth_year_or_gender_and_a_person_the_ones_typed(answers, signing_up):
    """SPEC §3: a business has no birth year (so no age segment takes it);
    the CSV import refuses one. Signed up online as 사업자 with the owner's
    birth year typed (the box is above the choice), it was kept, and the
    business got the notices of its owner's age (seniors' vaccinations)."""
    form = {key: [value] for key, value in answers.items()}
    choices, errors = read_choices({**form, "fields": ["health"], "channels": ["email"]}, AUDIENCES, 2026, signing_up)
    if answers["kind"] == "business":
        assert (choices.kind, choices.birth_year, choices.gender) == ("business", None, None) and "birth_year" not in errors
    else:
        typed_year = int(answers["birth_year"].translate(str.maketrans("０１２３４５６７８９", "0123456789")) or 0)
        assert choices.birth_year == (typed_year if 1900 <= typed_year <= 2026 else None)
        assert choices.gender == (answers["gender"] or None)
        assert ("birth_year" in errors) == (answers["birth_year"] != "" and choices.birth_year is None)
