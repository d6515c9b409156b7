"""``sotong subscribers unsubscribe --phones FILE``: "수신거부" replies
unsubscribe those numbers from SMS only, in any number format."""

from __future__ import annotations

import sqlite3

from project_support import copy_project
from delivery.phones import mask_phone, read_phone_list
from delivery_support import add_subscribers, run_cli
from hypothesis import given
from hypothesis import strategies as st


@given(st.sampled_from(["010", "011", "016"]), st.integers(100, 9999), st.integers(0, 9999))
def test_masking_keeps_the_prefix_and_the_last_four_digits_only(prefix, middle, last):
    phone = f"{prefix}-{middle}-{last:04d}"
    masked = mask_phone(phone)
    assert masked == f"{prefix}-{'*' * len(str(middle))}-{last:04d}"
    assert str(middle) not in masked.split("-")[1]


def test_numbers_in_any_format_are_read_once_and_bad_lines_are_named():
    text = "010-1000-0001\n01010000001\n\n# 11월 수신거부\n+82 10 1000 0002\n수신거부\n010-1000-0003 \n010-1234-567\n"
    numbers, problems = read_phone_list(text, "optout.txt")
    assert numbers == ["010-1000-0001", "010-1000-0002", "010-1000-0003"]
    # the line is named, never repeated: a mistyped number is still someone's
    assert [str(p) for p in problems] == [
        "optout.txt:6: this line is not a Korean mobile number; write one number a line, like 010-1234-5678",
        "optout.txt:8: this line is not a Korean mobile number; write one number a line, like 010-1234-5678"]


def test_command_unsubscribes_matching_numbers_from_sms_only(tmp_path):
    project = copy_project(tmp_path)
    add_subscribers(project / "private" / "sotong.db", 3)
    phones = project / "optout.txt"
    phones.write_bytes("01010000001\n+82-10-1000-0003\n010 9999 5678\n".encode("cp949"))
    settings = project / "pelicanconf.py"
    result = run_cli(settings, "subscribers", "unsubscribe", "--phones", str(phones))
    assert result.code == 0, result.output
    assert "2 numbers matched: 2 subscribers unsubscribed from SMS now" in result.output
    assert "1 numbers belong to no subscriber: 010-****-5678" in result.output and "9999" not in result.output
    db = sqlite3.connect(project / "private" / "sotong.db")
    rows = {r[0]: r[1:] for r in db.execute("SELECT id, sms_unsubscribed_at, unsubscribed_at FROM subscribers")}
    assert rows["S00002"] == (None, None)
    assert rows["S00001"][0] is not None and rows["S00003"][0] is not None
    assert rows["S00001"][1] is None  # email goes on
    again = run_cli(settings, "subscribers", "unsubscribe", "--phones", str(phones))
    assert "2 numbers matched: 0 subscribers unsubscribed from SMS now" in again.output
    assert [r[1] for r in db.execute("SELECT id, sms_unsubscribed_at FROM subscribers ORDER BY id")] == \
        [rows["S00001"][0], None, rows["S00003"][0]]

    phones.write_text("010-1000-0002\n전화번호 아님\n", encoding="utf-8")
    bad = run_cli(settings, "subscribers", "unsubscribe", "--phones", str(phones))
    assert bad.code == 1
    assert 'optout.txt:2: this line is not a Korean mobile number' in bad.output
    assert "1 numbers matched: 1 subscribers unsubscribed from SMS now" in bad.output
    assert run_cli(settings, "subscribers", "unsubscribe", "--phones", str(project / "none.txt")).code == 1
    assert run_cli(settings, "subscribers", "unsubscribe").code == 2


def test_numbers_pasted_from_excel_or_typed_full_width_are_read():
    """A "수신거부" list pasted from a spreadsheet column Excel took for
    numbers (its 0 dropped), or typed in a Korean keyboard's full-width mode."""
    numbers, problems = read_phone_list("1010000001\n０１０－１０００－０００２\n111000003\n", "optout.txt")
    assert (numbers, problems) == (["010-1000-0001", "010-1000-0002", "011-100-0003"], [])
