"""Phone codes with several collectors on one store (SPEC §13, §15), over
real HTTP on SQLite and on PostgreSQL, each collector a ``sotong serve``
with a ``PRIVATE_PATH`` of its own, as on machines of their own: a code is
queued in the store with the change that asks for it, and one collector's
text thread claims it and hands it to the SMS transport (here the code
file under its ``PRIVATE_PATH``). Every code is handed over exactly once
whichever collector took the change; a collector killed while handing one
over leaves it claimed, and another sends it once the claim lapsed, while
a collector kept past its claim (its file held) then writes none of it; a code
that expired before any collector sent it is never sent. With
``SMS_CODES_BY = "command"`` the collectors only queue the codes, and
``sotong subscribers codes`` on one machine writes them to its file, each
once (two such commands at once too), ``--follow`` as they come; codes it
cannot write wait in the store."""

from __future__ import annotations

import fcntl
import re
import subprocess
import sys
import time
from contextlib import ExitStack, contextmanager
from pathlib import Path
from urllib.parse import urlencode

from delivery_support import add_subscribers, run_cli
from project_support import project_on, store_of, store_query
from test_collectors import post, race, started
from test_hostile_collector import SAVE

from sotong.tokens import make_token

MACHINES = ("a", "b", "c")


def machine(project: Path, name: str) -> Path:
    """The settings of a collector on machine ``name``: the project's, with
    its own private folder (``private-NAME``); the store is the same."""
    settings = project / f"machine-{name}.py"
    settings.write_text((project / "pelicanconf.py").read_text(encoding="utf-8") + f"\nPRIVATE_PATH = 'private-{name}'\n",
                        encoding="utf-8")
    return settings


def code_file(project: Path, name: str) -> Path:
    return project / f"private-{name}" / "subscriptions" / "sms-codes.csv"


def texts_in(project: Path) -> dict[str, list[tuple[str, str]]]:
    """The (phone, code) of every text each machine's code file holds, by machine."""
    found = {}
    for name in MACHINES:
        path = code_file(project, name)
        text = path.read_text(encoding="utf-8") if path.exists() else ""
        found[name] = re.findall(r"^[^,]+,([0-9-]+),.*인증번호 (\d{6})", text, re.M)
    return found


def readers(project: Path, count: int) -> list[tuple[str, dict]]:
    """``count`` readers on the store: the path of each one's preferences and
    the form that saves a new number (``010-7000-NNNN``) on it."""
    ids = add_subscribers(store_of(project), count)
    store_query(project, "UPDATE subscribers SET email = lower(id) || '@example.com'")
    return [(f"/p/{make_token('preferences', reader)}", {**SAVE, "email": f"{reader.lower()}@example.com",
                                                         "phone": f"010-7000-{n:04d}"}) for n, reader in enumerate(ids, 1)]


def wait_until(condition, seconds: float = 20) -> None:
    deadline = time.time() + seconds
    while not condition():
        assert time.time() < deadline, "waited in vain"
        time.sleep(0.05)


def queued(project: Path) -> list[tuple]:
    """(phone, 1 when a collector's claim on it holds, else 0) of each text queued."""
    return store_query(project, "SELECT phone, CASE WHEN claimed_until > ? THEN 1 ELSE 0 END FROM subscriptions_texts "
                       "ORDER BY phone", (time.time(),))


@contextmanager
def file_held(path: Path):
    """The code file's lock held, as ``sotong subscribers forget`` holds it
    while it rewrites the file: a collector handing a code over waits."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(f"{path}.lock", "a") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        yield


def test_codes_racing_at_three_collectors_are_each_handed_over_once(tmp_path, store_location):
    """Thirty readers save a new number at once, by turns at three
    collectors, whose transports are slow (their files held a moment, so
    that every thread is handing over while the others look): each code
    reaches exactly one machine's code file, once, and is the one its
    reader types back."""
    project = project_on(store_location, tmp_path, "SUBSCRIBE_RATE = '1000/hour'\n")
    forms = readers(project, 30)
    with ExitStack() as stack:
        ports = [stack.enter_context(started(machine(project, name)))[1] for name in MACHINES]
        with ExitStack() as held:
            for name in MACHINES:
                held.enter_context(file_held(code_file(project, name)))
            answers = race(ports, forms)
            assert sorted(status for _, status in answers) == [303] * 30
            wait_until(lambda: any(claimed for _, claimed in queued(project)))
            time.sleep(1)  # every thread that woke has looked, and waits for its file with its claim
        wait_until(lambda: sum(map(len, texts_in(project).values())) >= 30 and not queued(project))
        time.sleep(1)  # a second hand-over would be on its way by now
        sent = texts_in(project)
        handed = [phone for texts in sent.values() for phone, _code in texts]
        assert sorted(handed) == sorted(form["phone"] for _, form in forms), sent
        codes = {phone: code for texts in sent.values() for phone, code in texts}
        for n, (path, form) in enumerate(forms):  # typed back at any collector, each code confirms its number
            body = urlencode({"code": codes[form["phone"]]}).encode()
            assert post(ports[n % 3], path + "/phone", body) == 200
    assert sorted(store_query(project, "SELECT phone FROM subscribers")) == sorted((form["phone"],) for _, form in forms)


def test_a_code_claimed_by_a_collector_killed_while_handing_it_over_is_sent_by_another(tmp_path, store_location):
    """Machine a is killed while it hands a code over (its file's lock held):
    the code stays claimed, and machine b, started after, sends none of it
    while the claim holds (a may be sending it still), then sends it once
    the claim lapsed, once; a's file holds nothing."""
    from subscriptions import storage

    project = project_on(store_location, tmp_path)
    (path, form), (other_path, other_form) = readers(project, 2)
    with file_held(code_file(project, "a")):
        with started(machine(project, "a")) as (process, port):
            assert post(port, path, urlencode(form, doseq=True).encode()) == 303
            wait_until(lambda: queued(project) == [(form["phone"], 1)])  # claimed by a, which waits for the file
            time.sleep(0.3)
            process.kill()
            process.wait(10)
    with started(machine(project, "b")) as (_process, port):
        assert post(port, other_path, urlencode(other_form, doseq=True).encode()) == 303  # wakes b's thread
        wait_until(lambda: [phone for phone, _ in texts_in(project)["b"]] == [other_form["phone"]])
        time.sleep(1)  # a's code would be on its way by now
        assert queued(project) == [(form["phone"], 1)] and len(texts_in(project)["b"]) == 1
        store_query(project, "UPDATE subscriptions_texts SET claimed_until = claimed_until - ?", (storage.TEXT_CLAIM_SECONDS,))
        third = {**other_form, "phone": "010-7000-9999"}
        assert post(port, other_path, urlencode(third, doseq=True).encode()) == 303  # wakes b's thread again
        wait_until(lambda: not queued(project))
        time.sleep(0.5)
        sent = texts_in(project)
        assert sorted(phone for phone, _ in sent["b"]) == sorted([form["phone"], other_form["phone"], third["phone"]])
        assert sent["a"] == []
        code = dict(sent["b"])[form["phone"]]
        assert post(port, path + "/phone", urlencode({"code": code}).encode()) == 200  # a's code, sent by b, confirms
    assert store_query(project, "SELECT phone FROM subscribers WHERE id = 'S00001'") == [(form["phone"],)]


def test_a_collector_kept_past_its_claim_hands_over_nothing_another_claimed_since(tmp_path, store_location):
    """Machine a claims a code and waits for its file (held, as sotong
    subscribers forget holds it) longer than its claim: machine b claims the
    code once the claim lapsed and hands it over; when a's file is free
    again, a finds its claim no longer its own (the claim's token, compared
    as the code is taken) and writes nothing: the reader gets the code once.
    a's thread then goes on: the next code it claims it hands over."""
    from subscriptions import storage

    project = project_on(store_location, tmp_path)
    (path, form), (other_path, other_form) = readers(project, 2)
    with started(machine(project, "a")) as (_process_a, port_a):
        with file_held(code_file(project, "a")):
            assert post(port_a, path, urlencode(form, doseq=True).encode()) == 303
            wait_until(lambda: queued(project) == [(form["phone"], 1)])  # claimed by a, which waits for its file
            store_query(project, "UPDATE subscriptions_texts SET claimed_until = claimed_until - ?", (storage.TEXT_CLAIM_SECONDS,))
            with started(machine(project, "b")) as (_process_b, port_b):
                assert post(port_b, other_path, urlencode(other_form, doseq=True).encode()) == 303  # wakes b's thread
                wait_until(lambda: sorted(phone for phone, _ in texts_in(project)["b"]) == sorted([form["phone"], other_form["phone"]]))
                wait_until(lambda: not queued(project))
        time.sleep(1)  # a's file is free: a's hand-over would be written by now
        assert texts_in(project)["a"] == []
        third = {**form, "phone": "010-7000-9999"}
        assert post(port_a, path, urlencode(third, doseq=True).encode()) == 303
        wait_until(lambda: texts_in(project)["a"] != [])
    sent = texts_in(project)
    assert [phone for phone, _ in sent["a"]] == [third["phone"]] and len(sent["b"]) == 2, sent


def test_a_code_that_expired_before_any_collector_sent_it_is_never_sent(tmp_path, store_location):
    """Machine a is killed while it hands a code over; by the time its
    claim lapses the code has expired: machine b sends the codes still
    valid and never that one, which the daily purge destroys."""
    project = project_on(store_location, tmp_path)
    (path, form), (other_path, other_form) = readers(project, 2)
    with file_held(code_file(project, "a")):
        with started(machine(project, "a")) as (process, port):
            assert post(port, path, urlencode(form, doseq=True).encode()) == 303
            wait_until(lambda: queued(project) == [(form["phone"], 1)])
            process.kill()
            process.wait(10)
    third = {**other_form, "phone": "010-7000-9999"}
    with started(machine(project, "b")) as (_process, port):
        assert post(port, other_path, urlencode(other_form, doseq=True).encode()) == 303  # wakes b's thread
        wait_until(lambda: texts_in(project)["b"] != [])  # b has looked (and cleaned up): a's code was valid then
        gone = time.time() - 1
        store_query(project, "UPDATE subscriptions_texts SET claimed_until = ?, expires_at = ? WHERE phone = ?",
                    (gone, gone, form["phone"]))
        store_query(project, "UPDATE subscriptions_pending SET expires_at = ? WHERE data LIKE ?", (gone, f"%{form['phone']}%"))
        assert post(port, other_path, urlencode(third, doseq=True).encode()) == 303  # wakes b's thread again
        wait_until(lambda: len(texts_in(project)["b"]) == 2)
        time.sleep(1)  # the expired one would be on its way by now
        assert queued(project) == [(form["phone"], 0)]  # not taken (the clean-up, a minute on, drops it)
    sent = texts_in(project)
    assert [phone for phone, _ in sent["b"]] == [other_form["phone"], third["phone"]] and sent["a"] == sent["c"] == []
    result = run_cli(project / "pelicanconf.py", "subscribers", "purge")
    assert result.code == 0 and "1 phone codes never sent destroyed" in result.output, result.output
    assert queued(project) == []


def by_command(tmp_path: Path, store_location: str, count: int) -> tuple[Path, list[tuple[str, dict]]]:
    """A project with SMS_CODES_BY = "command" and ``count`` readers (:func:`readers`)."""
    project = project_on(store_location, tmp_path, "SUBSCRIBE_RATE = '1000/hour'\nSMS_CODES_BY = 'command'\n")
    return project, readers(project, count)


def test_with_codes_by_command_the_collectors_queue_them_and_two_commands_write_each_once(tmp_path, store_location):
    """SMS_CODES_BY = "command": racing changes at three collectors write no
    machine's file; ``sotong subscribers codes`` run at once on two machines
    writes each code once, to one of their files, and none expired; run
    again it hands nothing more."""
    project, forms = by_command(tmp_path, store_location, 12)
    with ExitStack() as stack:
        ports = [stack.enter_context(started(machine(project, name)))[1] for name in MACHINES]
        assert sorted(status for _, status in race(ports, forms)) == [303] * 12
        time.sleep(1)  # a collector's text thread would have written them by now
        assert texts_in(project) == {name: [] for name in MACHINES}
        assert queued(project) == sorted((form["phone"], 0) for _, form in forms)
        store_query(project, "UPDATE subscriptions_texts SET expires_at = ? WHERE phone = ?", (time.time() - 1, forms[0][1]["phone"]))
        commands = [subprocess.Popen([sys.executable, "-m", "sotong", "subscribers", "codes", "-s", str(project / f"machine-{name}.py")],
                                     stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True) for name in ("b", "c")]
        outputs = [command.communicate(timeout=60) for command in commands]
        assert [command.returncode for command in commands] == [0, 0], outputs
        sent = texts_in(project)
        handed = sorted(phone for texts in sent.values() for phone, _ in texts)
        assert handed == sorted(form["phone"] for _, form in forms[1:]) and sent["a"] == [], sent  # the expired one: never
        said = sum(int(re.search(r"(\d+) phone codes handed to private-[bc]/subscriptions/sms-codes\.csv\.", out)[1])
                   for out, _err in outputs)
        assert said == 11 and not any("010-" in out + err for out, err in outputs)  # counts, no number
        codes = {phone: code for texts in sent.values() for phone, code in texts}
        path, form = forms[5]
        assert post(ports[0], path + "/phone", urlencode({"code": codes[form["phone"]]}).encode()) == 200
    again = run_cli(project / "machine-c.py", "subscribers", "codes")
    assert again.code == 0 and "0 phone codes handed" in again.output, again.output
    assert texts_in(project) == sent


def test_codes_follow_writes_each_code_as_it_comes_until_stopped(tmp_path, store_location):
    """``sotong subscribers codes --follow`` on machine c, as a service: a
    change taken by machine a's collector reaches c's file within seconds;
    systemctl stop (SIGTERM) ends it as Ctrl+C, exit 143."""
    project, [(path, form)] = by_command(tmp_path, store_location, 1)
    follower = subprocess.Popen([sys.executable, "-m", "sotong", "subscribers", "codes", "--follow", "-s",
                                 str(machine(project, "c"))], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        with started(machine(project, "a")) as (_process, port):
            assert post(port, path, urlencode(form, doseq=True).encode()) == 303
            wait_until(lambda: texts_in(project)["c"] != [])
    finally:
        follower.terminate()
        out, err = follower.communicate(timeout=30)
    assert [phone for phone, _ in texts_in(project)["c"]] == [form["phone"]] and texts_in(project)["a"] == []
    assert follower.returncode == 143 and "1 phone codes handed to private-c/subscriptions/sms-codes.csv." in out, (out, err)
    assert not queued(project)


def test_codes_that_cannot_be_written_wait_in_the_store_for_the_next_run(tmp_path, store_location):
    """The code file cannot be written (a folder stands in its place): the
    command says which file and exits 1, the codes stay queued and free,
    and the next run, the file writable again, hands each over once."""
    project, forms = by_command(tmp_path, store_location, 2)
    with started(machine(project, "a")) as (_process, port):
        for path, form in forms:
            assert post(port, path, urlencode(form, doseq=True).encode()) == 303
    code_file(project, "c").mkdir(parents=True)
    blocked = run_cli(machine(project, "c"), "subscribers", "codes")
    assert blocked.code == 1 and "private-c/subscriptions/sms-codes.csv: the phone codes could not be written there" in blocked.output
    assert "010-" not in blocked.output and queued(project) == sorted((form["phone"], 0) for _, form in forms)
    code_file(project, "c").rmdir()
    result = run_cli(project / "machine-c.py", "subscribers", "codes")
    assert result.code == 0 and "2 phone codes handed" in result.output, result.output
    assert sorted(phone for phone, _ in texts_in(project)["c"]) == sorted(form["phone"] for _, form in forms)
    assert not queued(project)


def test_forget_takes_the_persons_codes_out_of_the_queue_too(tmp_path, store_location):
    """A code still queued (SMS_CODES_BY = "command", not handed over yet)
    names a number: ``sotong subscribers forget`` deletes it with the rest
    of the person, and the command then hands over only the others'."""
    project, [(path, form), (other_path, other_form)] = by_command(tmp_path, store_location, 2)
    with started(machine(project, "a")) as (_process, port):
        for path_of, form_of in ((path, form), (other_path, other_form)):
            assert post(port, path_of, urlencode(form_of, doseq=True).encode()) == 303
    forgotten = run_cli(project / "pelicanconf.py", "subscribers", "forget", "S00001")
    assert forgotten.code == 0 and "_mail and _texts (by address) 2" in forgotten.output, forgotten.output  # its code, its change
    assert queued(project) == [(other_form["phone"], 0)]
    assert run_cli(machine(project, "c"), "subscribers", "codes").code == 0
    assert [phone for phone, _ in texts_in(project)["c"]] == [other_form["phone"]]
