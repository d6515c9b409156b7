"""DKIM (SPEC §14): with DKIM_DOMAIN, DKIM_SELECTOR and DKIM_KEY_PATH set,
``sotong send`` signs every email as it hands it to the mail server, once
its Date is the moment of sending (rsa-sha256 or ed25519-sha256, keys made
here in a temporary folder); dkimpy verifies what a real aiosmtpd server
received against a public key served by a local DNS function, and refuses
it once a signed header is changed. The outbox's files stay as bundled."""

from __future__ import annotations

import base64
import codecs
import datetime as dt
import re
import subprocess
import time
from email.utils import parsedate_to_datetime
from pathlib import Path
from typing import NamedTuple
from urllib.parse import urlencode

import dkim
import nacl.signing
import pytest
from project_support import copy_project, serving
from delivery_support import SMTPServer, run_cli, store_rows
from test_serve import request

from bundles.outbox import issue_bundle, write_bundle
from sotong.mail import seal_for, seal_size, size_label
from sotong.project import Project
from sotong.store import Store, Subscriber
from sotong.web import make_app

FORM = {"Content-Type": "application/x-www-form-urlencoded"}

ISSUE = "2026-11-26"
SELECTOR, DOMAIN = "sotong2026", "sd.go.kr"
MUST_BE_SIGNED = {"from", "to", "subject", "date", "message-id", "list-unsubscribe", "list-unsubscribe-post"}
BUNDLED_AT = dt.datetime(2026, 11, 23, 9, 0, tzinfo=dt.timezone(dt.timedelta(hours=9)))  # Monday, days before the send


def rsa_key(folder: Path) -> tuple[Path, str]:
    key = folder / "dkim-rsa.key"
    subprocess.run(["openssl", "genrsa", "-out", str(key), "2048"], check=True, capture_output=True)
    public = subprocess.run(["openssl", "rsa", "-in", str(key), "-pubout", "-outform", "DER"],
                            check=True, capture_output=True).stdout
    return key, f"v=DKIM1; k=rsa; p={base64.b64encode(public).decode()}"


def ed25519_key(folder: Path) -> tuple[Path, str]:
    signing = nacl.signing.SigningKey.generate()
    key = folder / "dkim-ed25519.key"
    key.write_bytes(base64.b64encode(bytes(signing)))
    return key, f"v=DKIM1; k=ed25519; p={base64.b64encode(bytes(signing.verify_key)).decode()}"


class Sent(NamedTuple):
    received: list[bytes]  # the emails as the server received them
    dns: object  # the DNS function that serves the key
    bundled: dict  # the outbox's files, as bundled: name -> bytes
    files: Path  # the outbox's email folder
    between: tuple[float, float]  # the send's start and end, seconds since the epoch


def project_signing_with(tmp_path: Path, make_key) -> tuple[Path, str]:
    """A copy of the sample project under ``tmp_path`` whose settings sign
    with a key ``make_key`` made: the project and the key's DNS record."""
    keys = tmp_path / "keys"
    keys.mkdir()
    key, record = make_key(keys)
    (tmp_path / "project").mkdir()
    project = copy_project(tmp_path / "project",
                           extra_settings=f'DKIM_DOMAIN = "{DOMAIN}"\nDKIM_SELECTOR = "{SELECTOR}"\nDKIM_KEY_PATH = "{key}"\n')
    return project, record


def bundled_with_dkim(tmp_path: Path, make_key) -> tuple[Path, object, Path]:
    """A project whose settings sign with a key ``make_key`` made, with two
    email readers, and ISSUE bundled at BUNDLED_AT: the project, the
    outbox's email folder, and the DNS function that serves the key."""
    project, record = project_signing_with(tmp_path, make_key)
    store = Store.open(project / "private" / "sotong.db")
    for number, fields in enumerate(({"health", "culture", "living"}, {"bulletin", "library"}), 1):
        store.put_subscriber(Subscriber(id=f"A{number}", name="김민서", email=f"a{number}@example.com", birth_year=1985,
                                        dong="seongsu1ga1", fields=frozenset(fields), channels=frozenset({"email"})))
    store.close()
    bundling = Project(project / "pelicanconf.py")
    write_bundle(bundling, issue_bundle(bundling, dt.date.fromisoformat(ISSUE), "성동구 소식"), now=BUNDLED_AT)
    bundling.close_store()

    def dns(name, timeout=5):
        return record.encode() if name == f"{SELECTOR}._domainkey.{DOMAIN}.".encode() else None

    return project, project / "private" / "outbox" / ISSUE / "email", dns


def send(project: Path, files: Path, dns) -> Sent:
    """``sotong send --issue ISSUE`` to a real aiosmtpd server."""
    bundled = {path.name: path.read_bytes() for path in sorted(files.glob("*.eml"))}
    inbox = RawInbox()
    with SMTPServer(inbox) as smtp:
        started = time.time()
        ran = run_cli(project / "pelicanconf.py", "send", "--issue", ISSUE, "--host", "127.0.0.1", "--port", str(smtp.port))
        ended = time.time()
    assert ran.code == 0 and "Emails: 2 sent" in ran.output, ran.output
    return Sent(inbox.wait_for(2), dns, bundled, files, (started, ended))


def sent(tmp_path: Path, make_key) -> Sent:
    """The emails of ISSUE bundled at BUNDLED_AT with DKIM on, then sent."""
    return send(*bundled_with_dkim(tmp_path, make_key))


def date_of(data: bytes) -> dt.datetime:
    [value] = re.findall(rb"^Date: ([^\r\n]*)\r\n", data.split(b"\r\n\r\n", 1)[0], re.MULTILINE)
    return parsedate_to_datetime(value.decode())


@pytest.mark.parametrize("make_key, algorithm", [(rsa_key, "rsa-sha256"), (ed25519_key, "ed25519-sha256")])
def test_every_sent_email_is_dated_when_it_is_sent_and_signed_so(tmp_path, make_key, algorithm):
    """An issue bundled on Monday and sent on Thursday showed as Monday's in
    the readers' mail apps: the Date is the send's, in Seoul's time, and the
    signature, made then, covers it; the outbox's files stay as bundled
    (dated at bundling, unsigned)."""
    emails = sent(tmp_path, make_key)
    assert len(emails.received) == 2
    for data in emails.received:
        assert data.startswith(b"DKIM-Signature: ") and data.count(b"DKIM-Signature: ") == 1
        assert dkim.verify(data, dnsfunc=emails.dns)
        signature = data.split(b"\r\n\r\n", 1)[0].decode()
        assert f"a={algorithm}" in signature and f"d={DOMAIN}" in signature and f"s={SELECTOR}" in signature
        signed = {h.strip().lower() for h in re.search(r"h=([^;]+)", re.sub(r"\r\n\s+", "", signature)).group(1).split(":")}
        assert MUST_BE_SIGNED <= signed
        when = date_of(data)
        assert when.utcoffset() == dt.timedelta(hours=9)
        assert emails.between[0] - 1 <= when.timestamp() <= emails.between[1]
    files = {path.name: path.read_bytes() for path in sorted(emails.files.glob("*.eml"))}
    assert files == emails.bundled and len(files) == 2
    assert all(date_of(data) == BUNDLED_AT and b"DKIM-Signature" not in data for data in files.values())
    unsigned = [data[data.index(b"\r\nFrom: ") + 2:] for data in emails.received]
    assert sorted(re.sub(rb"(?m)^Date: .*$", b"", data) for data in unsigned) == sorted(
        re.sub(rb"(?m)^Date: .*$", b"", data) for data in files.values()), "only the Date changed"


@pytest.mark.parametrize("change", [
    (b"\r\nSubject: ", b"\r\nSubject: Re: "),
    (b"List-Unsubscribe-Post: List-Unsubscribe=One-Click", b"List-Unsubscribe-Post: List-Unsubscribe=Nothing"),
    (b"\r\nTo: ", b"\r\nTo: someone-else@example.com, "),
    (b"\r\nDate: ", b"\r\nDate: Sun, 1 Jan 2023 00:00:00 +0900\r\nX-Old-Date: "),
    (b"\r\nMessage-ID: <", b"\r\nMessage-ID: <x"),
])
def test_a_changed_header_breaks_the_signature(tmp_path, change):
    emails = sent(tmp_path, ed25519_key)
    changed = emails.received[0].replace(*change)
    assert changed != emails.received[0]
    assert not dkim.verify(changed, dnsfunc=emails.dns)


def signed_as_bundled_before(settings: Path, files: Path) -> None:
    """The outbox's emails with a signature on top (its key Ed25519), as an
    earlier version, which signed as it bundled, wrote them."""
    key = Path(re.search(r'DKIM_KEY_PATH = "([^"]+)"', settings.read_text())[1])
    for path in files.glob("*.eml"):
        data = path.read_bytes()
        path.write_bytes(dkim.sign(data, SELECTOR.encode(), DOMAIN.encode(), key.read_bytes(),
                                   signature_algorithm=b"ed25519-sha256") + data)


def test_an_outbox_signed_as_it_was_bundled_goes_with_the_sends_signature_only(tmp_path):
    """An outbox bundled by an earlier version, which signed as it bundled:
    that signature, which the new Date breaks, is taken off."""
    project, files, dns = bundled_with_dkim(tmp_path, ed25519_key)
    signed_as_bundled_before(project / "pelicanconf.py", files)
    assert all(dkim.verify(path.read_bytes(), dnsfunc=dns) for path in files.glob("*.eml"))
    emails = send(project, files, dns)
    for data in emails.received:
        assert data.count(b"DKIM-Signature: ") == 1 and dkim.verify(data, dnsfunc=dns)
        assert emails.between[0] - 1 <= date_of(data).timestamp() <= emails.between[1]


def test_a_staff_members_test_copy_is_signed_as_it_is_sent(tmp_path):
    """``send --to``: the copy is composed unsigned, as the bundles are, and signed as it goes."""
    project, _files, dns = bundled_with_dkim(tmp_path, ed25519_key)
    inbox = RawInbox()
    with SMTPServer(inbox) as smtp:
        ran = run_cli(project / "pelicanconf.py", "send", "--issue", ISSUE, "--to", "hong@sd.go.kr", "--as", "A1",
                      "--host", "127.0.0.1", "--port", str(smtp.port))
    assert ran.code == 0, ran.output
    [data] = inbox.wait_for(1)
    assert data.count(b"DKIM-Signature: ") == 1 and dkim.verify(data, dnsfunc=dns) and b"hong@sd.go.kr" in data


COMMITTEE_NOTICE = "2026-12-09-budget-committee-review"  # the sample's private notice, its PDF in its emails


def committee_outbox(tmp_path: Path, make_key) -> tuple[Path, Path]:
    """The outbox of COMMITTEE_NOTICE for two readers, each email about 1MB
    (the least SMTP_SIZE_LIMIT takes), its settings signing with a key
    ``make_key`` made: the settings and the outbox's email folder."""
    project, _record = project_signing_with(tmp_path, make_key)
    with open(project / "content" / "files" / "2027-후보사업-검토의견.pdf", "r+b") as pdf:
        pdf.truncate(760_000)
    store = Store.open(project / "private" / "sotong.db")
    for number in (1, 2):
        store.put_subscriber(Subscriber(id=f"C{number}", name="김민서", email=f"c{number}@example.com", birth_year=1970,
                                        dong="seongsu1ga1", channels=frozenset({"email"}),
                                        groups=frozenset({"committee-budget"})))
    store.close()
    settings = project / "pelicanconf.py"
    assert run_cli(settings, "bundles", "--notice", COMMITTEE_NOTICE, "--jobs", "1").code == 0
    return settings, project / "private" / "outbox" / COMMITTEE_NOTICE / "email"


def test_bundles_and_a_dry_run_count_the_emails_their_signature_makes_too_large_as_the_send_does(tmp_path):
    """Emails within SMTP_SIZE_LIMIT as bundled, over it once signed (the
    DKIM-Signature header, about 650 bytes with RSA-2048): bundles and send
    --dry-run measured the unsigned files and counted none too large, and the
    send then failed every one for size. Now the three count the same ones."""
    settings, files = committee_outbox(tmp_path, rsa_key)
    limit = max(path.stat().st_size for path in files.glob("*.eml")) + 100  # every file within it
    with open(settings, "a", encoding="utf-8") as more:
        more.write(f"SMTP_SIZE_LIMIT = {limit}\n")
    bundled = run_cli(settings, "bundles", "--notice", COMMITTEE_NOTICE, "--jobs", "1")
    assert all(path.stat().st_size <= limit for path in files.glob("*.eml"))
    dry = run_cli(settings, "send", "--notice", COMMITTEE_NOTICE, "--dry-run")
    with SMTPServer(RawInbox(), data_size_limit=limit) as smtp:
        ran = run_cli(settings, "send", "--notice", COMMITTEE_NOTICE, "--host", "127.0.0.1", "--port", str(smtp.port))
    said = f"larger than the {size_label(limit)} the mail server takes"
    assert ran.code == 1 and f"2 emails were not sent: each is {said} (SIZE)" in ran.output, ran.output
    assert bundled.code == 0 and f"  {said} (SMTP_SIZE_LIMIT): 2 emails, which sotong send would not send" \
        in bundled.output, bundled.output
    assert dry.code == 1 and "Would send 0 emails" in dry.output and \
        f"2 more emails would not be sent: each is {said} (SMTP_SIZE_LIMIT)" in dry.output, dry.output


def test_a_dry_run_counts_an_email_signed_as_it_was_bundled_with_the_sends_signature_only(tmp_path):
    """An outbox bundled by an earlier version carries a signature on top,
    which the send takes off before it signs: send --dry-run counted both
    signatures and called emails too large that the send sends. Now one
    that fits with the send's signature is counted to send, and one that
    does not is still counted too large."""
    settings, files = committee_outbox(tmp_path, ed25519_key)
    bundled = {path: path.stat().st_size for path in files.glob("*.eml")}
    unsigned = sorted(bundled.values())
    signed_as_bundled_before(settings, files)
    project_signing = Project(settings)
    project_signing.activate_plugins()
    seal = seal_size(seal_for(project_signing.settings))
    assert seal > 0 and all(path.stat().st_size > size + 300 for path, size in bundled.items())  # signed on top

    def dry_run(limit: int):
        with open(settings, "a", encoding="utf-8") as more:
            more.write(f"SMTP_SIZE_LIMIT = {limit}\n")
        return run_cli(settings, "send", "--notice", COMMITTEE_NOTICE, "--dry-run")

    fits = dry_run(unsigned[-1] + seal)
    assert fits.code == 0 and "Would send 2 emails" in fits.output and "would not be sent" not in fits.output, fits.output
    largest = unsigned.count(unsigned[-1])
    too_big = dry_run(unsigned[-1] + seal - 1)
    assert too_big.code == 1 and f"Would send {2 - largest} emails" in too_big.output, too_big.output
    assert f"{largest} more email" in too_big.output and "would not be sent" in too_big.output, too_big.output


def test_dkim_settings_must_come_together_and_name_a_key(tmp_path):
    project = copy_project(tmp_path, extra_settings=f'DKIM_DOMAIN = "{DOMAIN}"\nDKIM_KEY_PATH = "{tmp_path}/none.key"\n')
    ran = run_cli(project / "pelicanconf.py", "check")
    assert ran.code == 1
    assert 'DKIM_SELECTOR: must be the DNS selector, e.g. DKIM_SELECTOR = "sotong2026" (DKIM needs all of DKIM_DOMAIN, DKIM_SELECTOR, DKIM_KEY_PATH)' in ran.output
    (tmp_path / "pelicanconf.py").write_text((tmp_path / "pelicanconf.py").read_text() + 'DKIM_SELECTOR = "s1"\n')
    store = Store.open(project / "private" / "sotong.db")  # a store to bundle from (bundles refuses a path where none
    with store.transaction():                               # is, and a store that holds no reader)
        store.put_subscriber(Subscriber(id="S1", email="s1@mail.test", phone="", birth_year=1970, dong="yongdap",
                                        fields=frozenset({"culture"}), channels=frozenset({"email"})))
    store.close()
    ran = run_cli(project / "pelicanconf.py", "bundles", "--issue", ISSUE)
    assert ran.code == 1
    assert f"DKIM_KEY_PATH: {tmp_path}/none.key is not a file; give the private key's path" in ran.output


def test_a_key_path_that_is_not_text_is_a_settings_line_not_a_traceback(tmp_path):
    project = copy_project(tmp_path, extra_settings=f'DKIM_DOMAIN = "{DOMAIN}"\nDKIM_SELECTOR = "{SELECTOR}"\nDKIM_KEY_PATH = 5\n')
    ran = run_cli(project / "pelicanconf.py", "check")
    assert ran.code == 1 and "Traceback" not in ran.output
    assert 'DKIM_KEY_PATH: must be the private key file, e.g. DKIM_KEY_PATH = "/etc/sotong/dkim.key" (DKIM needs all of' in ran.output


def public_key_pem(folder: Path) -> Path:
    """A public key given in place of the private one (its PEM base64 is sound, its ASN.1 no private key)."""
    key, _record = rsa_key(folder)
    public = folder / "dkim-public.pem"
    subprocess.run(["openssl", "rsa", "-in", str(key), "-pubout", "-out", str(public)], check=True, capture_output=True)
    return public


def text_key(text: bytes):
    def make(folder: Path) -> Path:
        (folder / "dkim.key").write_bytes(text)
        return folder / "dkim.key"
    return make


@pytest.mark.parametrize("make_key, said", [
    (text_key(b"hello\n"), "Invalid base64-encoded string"),  # binascii.Error from dkimpy: was a traceback
    (text_key(b"-----BEGIN RSA PRIVATE KEY-----\nMIIEowIBAAK\n-----END RSA PRIVATE KEY-----\n"), "Incorrect padding"),
    (public_key_pem, "Unparsable private key"),  # dkimpy's message holds a line break
    (lambda _folder: Path("/proc/self/mem"), "cannot read /proc/self/mem: Input/output error"),
])
def test_a_key_dkimpy_cannot_use_is_one_line_at_check_and_nothing_is_bundled(tmp_path, make_key, said):
    keys = tmp_path / "keys"
    keys.mkdir()
    key = make_key(keys)
    (tmp_path / "project").mkdir()
    project = copy_project(tmp_path / "project",
                           extra_settings=f'DKIM_DOMAIN = "{DOMAIN}"\nDKIM_SELECTOR = "{SELECTOR}"\nDKIM_KEY_PATH = "{key}"\n')
    store = Store.open(project / "private" / "sotong.db")
    store.put_subscriber(Subscriber(id="A1", name="김민서", email="a1@example.com", birth_year=1985, dong="seongsu1ga1",
                                    fields=frozenset({"health", "culture", "living"}), channels=frozenset({"email"})))
    store.close()
    for command in (["check"], ["bundles", "--issue", ISSUE]):
        ran = run_cli(project / "pelicanconf.py", *command)
        assert ran.code == 1 and "Traceback" not in ran.output, ran.output
        [line] = [line for line in ran.output.splitlines() if "DKIM_KEY_PATH" in line]
        assert line.startswith("pelicanconf.py:") and "DKIM_KEY_PATH: " in line and str(key) in line and said in line
        assert "Unexpected tag" not in ran.output.replace(line, "")  # the rest of dkimpy's message is on that line
    assert not list((project / "private" / "outbox").glob(f"{ISSUE}/email/*.eml"))


def windows_saved_rsa_key(folder: Path) -> tuple[Path, str]:
    """An RSA key saved by a Windows editor: a BOM, CRLF line ends (dkimpy finds no key in those)."""
    key, record = rsa_key(folder)
    key.write_bytes(codecs.BOM_UTF8 + key.read_bytes().replace(b"\n", b"\r\n"))
    return key, record


def test_a_key_saved_on_windows_signs(tmp_path):
    emails = sent(tmp_path, windows_saved_rsa_key)
    assert all(dkim.verify(data, dnsfunc=emails.dns) and b"a=rsa-sha256" in data for data in emails.received)


class RawInbox:
    """An aiosmtpd handler keeping each message's bytes as they came."""

    def __init__(self):
        self.messages: list[bytes] = []

    async def handle_DATA(self, server, session, envelope):
        self.messages.append(envelope.original_content)
        return "250 2.0.0 OK"

    def wait_for(self, count: int) -> list[bytes]:
        deadline = time.monotonic() + 10
        while len(self.messages) < count and time.monotonic() < deadline:
            time.sleep(0.05)
        assert len(self.messages) >= count, f"{count} mails expected, {len(self.messages)} came"
        return list(self.messages)


@pytest.fixture
def signing_collector(tmp_path):
    """A collector whose settings sign with an Ed25519 key, mailing to a
    local server: (project, port, inbox, key file, DNS record of the key)."""
    key, record = ed25519_key(tmp_path)
    inbox = RawInbox()
    with SMTPServer(inbox) as smtp:
        project = copy_project(tmp_path, extra_settings=(
            f'SMTP_PORT = {smtp.port}\nDKIM_DOMAIN = "{DOMAIN}"\nDKIM_SELECTOR = "{SELECTOR}"\nDKIM_KEY_PATH = "{key}"\n'))
        with serving(make_app(Project(project / "pelicanconf.py"))) as port:
            yield project, port, inbox, key, record


def test_the_collectors_own_mails_are_signed_too(signing_collector):
    """SPEC §14 "every email is signed": the mail with the link that confirms a
    sign-up, and the one with a reader's preferences link, went out without a
    signature, where a domain that publishes a strict DMARC policy has them
    refused or put among spam; they are signed as the bundles' emails are."""
    project, port, inbox, _key, record = signing_collector
    assert request(port, "POST", "/subscribe", urlencode({
        "email": "hong@example.com", "fields": "health", "channels": "email", "birth_year": "1950",
        "dong": "majang", "consent": "yes", "website": ""}).encode(), FORM)[0] == 303
    store = Store.open(project / "private" / "sotong.db")
    store.put_subscriber(Subscriber(id="S1", email="kim@example.com", fields=frozenset({"health"}),
                                    channels=frozenset({"email"})))
    store.close()
    assert request(port, "POST", "/p/link", b"email=kim%40example.com", FORM)[0] == 303
    for data in inbox.wait_for(2):
        assert_signed(data, record)


def assert_signed(data: bytes, record: str) -> None:
    """``data`` verifies against the public key ``record`` (served as DNS
    would) and its signature covers the headers every mail has."""
    def dns(name, timeout=5):
        return record.encode() if name == f"{SELECTOR}._domainkey.{DOMAIN}.".encode() else None

    assert data.startswith(b"DKIM-Signature: ") and dkim.verify(data, dnsfunc=dns), data[:400]
    signed = re.search(rb"h=([^;]+)", re.sub(rb"\r\n\s+", b"", data.split(b"\r\n\r\n", 1)[0]))[1]
    assert {b"from", b"to", b"subject", b"date", b"message-id"} <= {h.strip().lower() for h in signed.split(b":")}


def test_a_dkim_key_gone_while_the_collector_runs_keeps_its_mails_queued_and_says_why(signing_collector, caplog):
    """Not sent unsigned: they wait in the store, unclaimed (and go, signed, once the key is back)."""
    project, port, inbox, key, _record = signing_collector
    key.unlink()
    store = Store.open(project / "private" / "sotong.db")
    store.put_subscriber(Subscriber(id="S1", email="kim@example.com", channels=frozenset({"email"})))
    store.close()
    assert request(port, "POST", "/p/link", b"email=kim%40example.com", FORM)[0] == 303
    deadline = time.monotonic() + 10
    while "confirmation mails wait" not in caplog.text and time.monotonic() < deadline:
        time.sleep(0.05)
    assert re.search(rf"1 confirmation mails wait: pelicanconf\.py:\d+: DKIM_KEY_PATH: {re.escape(str(key))} is not a file",
                     caplog.text), caplog.text
    assert inbox.messages == [] and "kim@example.com" not in caplog.text
    assert store_rows(project, "SELECT count(*) FROM subscriptions_mail") == [(1,)]
    free = "SELECT count(*) FROM subscriptions_mail WHERE claimed_until IS NULL"  # the next try's, any collector's
    while store_rows(project, free) != [(1,)] and time.monotonic() < deadline:
        time.sleep(0.05)
    assert store_rows(project, free) == [(1,)], "claimed for CLAIM_SECONDS, it would wait ten minutes"
