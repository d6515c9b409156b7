"""`sotong subscribers shared`: the subscribed ids that share an email
address or a phone number (a family, or a paper form typed in again under a
new id), by id, so that staff can drop an id entered twice; never the
address."""

from __future__ import annotations

import test_subscribers
from test_subscribers import GOOD, csv_text, load, write

store = test_subscribers.store  # the fixture: a fresh store on each backend

ROWS = (
    dict(GOOD, id="S1", email="Kim@example.com", phone="010-1111-2222"),
    dict(GOOD, id="S2", email="kim@example.com", phone="010-3333-4444"),  # the same address, in other case
    dict(GOOD, id="S3", email="lee@example.com", phone="010-3333-4444"),  # S2's number
    dict(GOOD, id="S4", email="lee@example.com", phone="010-1111-2222", unsubscribed_at="2025-01-02"),
    dict(GOOD, id="S5", email="park@example.com", phone="010-5555-6666"),
    dict(GOOD, id="S6", email="park@example.com", phone="010-5555-6666"),
)


def test_shared_addresses_and_numbers_of_subscribed_ids_are_grouped(tmp_path, store):  # noqa: F811
    """S4 has unsubscribed: the address and number it shares get it no message."""
    load(store, write(tmp_path / "s.csv", csv_text(*ROWS)))
    assert store.shared_contacts("email") == [("S1", "S2"), ("S5", "S6")]
    assert store.shared_contacts("phone") == [("S2", "S3"), ("S5", "S6")]
    load(store, write(tmp_path / "s.csv", csv_text(ROWS[0], dict(ROWS[1], unsubscribed_at="2025-02-03"))))
    assert store.shared_contacts("email") == [("S5", "S6")]


def test_the_command_names_the_ids_and_never_the_address(project_dir, sotong):
    write(project_dir / "s.csv", csv_text(*ROWS[:3]))
    assert sotong(project_dir, "subscribers", "import", "s.csv").code == 0
    result = sotong(project_dir, "subscribers", "shared")
    assert result.code == 0, result.output
    assert result.stdout.splitlines() == [
        "email: S1·S2", "phone: S2·S3",
        "Shared: 1 email addresses, 1 phone numbers. If one person was entered twice, write today's date under "
        "unsubscribed_at in the row of the id to drop, and import the file again; a family may keep theirs."]
    assert "example.com" not in result.output and "3333" not in result.output
    write(project_dir / "s.csv", csv_text(ROWS[0], dict(ROWS[1], unsubscribed_at="2025-02-03"), dict(ROWS[2], phone="010-7777-8888")))
    assert sotong(project_dir, "subscribers", "import", "s.csv").code == 0
    assert sotong(project_dir, "subscribers", "shared").stdout.splitlines() == [
        "No subscribed ids share an email address or a phone number."]
