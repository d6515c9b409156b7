"""Subscriber import error lines: the row and the column, never the email
address or phone number that was rejected, and always one line."""

from __future__ import annotations

from hypothesis import assume, example, given, settings, strategies as st

from sotong.subscribers import normalize_phone

from test_subscribers import GOOD, csv_text, errors_of, load, store, write  # noqa: F401 (store: a fixture)


def test_a_birth_year_in_other_digits_is_refused():
    assert errors_of(birth_year="١٩٨٥") == [
        'birth_year "١٩٨٥" is not a 4-digit year; write the whole year of birth, e.g. 1985']
    assert errors_of(subscribed_at="٢٠٢٤-٠٣-٠٥")[0].startswith('subscribed_at "٢٠٢٤-٠٣-٠٥" is not')


def test_a_line_break_in_a_cell_stays_in_one_line_of_output(tmp_path, store):  # noqa: F811
    path = write(tmp_path / "s.csv", csv_text(dict(GOOD, dong="seongsu9\r\nx"), dict(GOOD, id="S2")))
    report = load(store, path)
    assert [str(p) for p in report.problems] == [
        r's.csv:2: dong "seongsu9\r\nx" is not a dong in audiences.yaml; did you mean "seongsu2ga3"?']


bad_emails = st.text(st.characters(codec="utf-8", exclude_categories=("Cs",)), min_size=3, max_size=30).filter(
    lambda text: text.strip() and "@" not in text.strip()[1:-1]) | st.builds("{}@@{}.kr".format, st.text("abc", min_size=1), st.text("xyz", min_size=1))
bad_phones = st.text("0123456789-+ ", min_size=5, max_size=16).filter(
    lambda text: text.strip() and normalize_phone(text) is None)


@settings(max_examples=150, deadline=None)
@given(email=bad_emails, phone=bad_phones)
@example(email="abc", phone="010-1 ")
def test_rejected_addresses_and_phones_are_never_echoed(email, phone):
    for column, value in (("email", email), ("phone", phone)):
        # a value that the fixed text itself holds ("010-1" in its example 010-1234-5678) proves nothing
        assume(all(value.strip() not in message for message in errors_of(**{column: "@@@"})))
        errors = errors_of(**{column: value})
        assert errors, value
        assert all(value.strip() not in message for message in errors), errors
        assert any(message.startswith(f"{column} is not a") for message in errors) or value.strip() == ""


def test_a_control_character_in_a_cell_rejects_its_row_on_both_backends(tmp_path, store):  # noqa: F811
    """PostgreSQL's text cannot hold NUL: the row is a FILE:LINE problem, never a traceback, and the other rows stay."""
    path = write(tmp_path / "s.csv", csv_text(dict(GOOD, id="S1", name="홍\x00길동"), dict(GOOD, id="S2"),
                                              dict(GOOD, id="S3", dong="majang\x07"), dict(GOOD, id="S4", name="탭\t있음")))
    report = load(store, path)
    assert [str(p) for p in report.problems] == [
        "s.csv:2: the cell under name holds the invisible control character U+0000, which cannot be stored; delete it from the cell",
        "s.csv:4: the cell under dong holds the invisible control character U+0007, which cannot be stored; delete it from the cell"]
    assert report.rejected == 2
    assert sorted(s.id for s in store.subscribers()) == ["S2", "S4"]
