"""Benchmark: `sotong send --issue D` into a local SMTP sink.

Generates N subscribers (default 20,000: about 8,400 emails of 33 KB) with
sotong.population and a fortnight of synthetic notices (benchmarks/bundles.py's
project), bundles issue 2026-11-26 with `sotong bundles`, starts an aiosmtpd
server on 127.0.0.1 in its own process that accepts and discards every
message, and measures:
  1. the baseline: bare smtplib handing the same files to the same sink over
     one connection, nothing recorded;
  2. `sotong send --issue 2026-11-26 --rate 1000000` as the operator runs it:
     emails per second of its sending loop (its own figure) and of the whole
     command (process start, outbox check and journal sync included), and its
     CPU time per email.
1 and 2 run in --pairs alternating pairs (default 5; the store put back as
it was before each send, not timed); printed: each one's rate and the ratio,
as median (min-max), with the time and the load at start and end.
Target (issue "Delivery"): >= 300 messages per second (median). Loopback
only; the run is bounded by N.

--workers (issue 15): the same outbox bundled on PostgreSQL (the tests'
server, tests/postgres_server.py), sent into a tiny asyncio sink (it finds
the end of DATA with bytes.find, so it costs far less than aiosmtpd) by one
`sotong send` and by two started at once, sharing the outbox, in --pairs
alternating pairs (the journal emptied before each); emails per second of
the whole commands, the CPU an email of the workers, of PostgreSQL and of the
sink, the share of the machine's cores busy meanwhile, and the sink alone fed
the same files by one bare smtplib client and by two (client processes); the
median ratio and its spread, and which limit held: the sink (two bare clients
no faster than one) or the machine (its cores busy, and the most they could
send at the CPU an email measured, against one worker). Target: two workers
>= 1.5 x one where the sink is not the limit. The sotong processes keep their compiled modules, as installed,
whatever PYTHONDONTWRITEBYTECODE says; a worker's start-up is measured apart
(the CPU of a dry run). --before-too measures the plugins of --before REV the same
way, in the same pairs.

    .venv/bin/python benchmarks/send.py [--count 20000] [--pairs 5] [--profile]
    .venv/bin/python benchmarks/send.py --workers [--count 60000] [--pairs 5] [--before-too --before REV]

--memory (issue 15): the peak RSS of `sotong send --issue D --dry-run` (the
outbox read and recorded, then rolled back; nothing sent) on a store of N
readers (default 1,000,000, written straight into SQLite) with an outbox of
an email for each reader who has an address (5 in 12, tiny files), by the
delivery plugin as it is and as it was at --before REV (the plugin copied
from git: it held every subscriber in a dict), in --pairs alternating pairs.

    .venv/bin/python benchmarks/send.py --memory [--readers 1000000] [--before REV] [--pairs 1]

--profile runs the send under pyinstrument instead and prints where the time goes.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import re
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
# sotong's lines are read below: the English ones (the language costs nothing measurable)
os.environ["SOTONG_LANG"] = "en"
# As installed: a shell with PYTHONDONTWRITEBYTECODE set would have every worker compile sotong's
# modules and the plugins again (benchmarks/startup.py and build.py do the same).
os.environ.pop("PYTHONDONTWRITEBYTECODE", None)
sys.path.insert(0, str(REPO / "benchmarks"))
sys.path.insert(0, str(REPO / "tests"))

TARGET = 300.0
TARGET_WORKERS_RATIO = 1.5
# --workers: an issue's size (about 25,000 emails; Seongdong has 77,000 readers), where the
# journal's cost per email showed its growth with the outbox (at 6,000 readers it did not)
WORKERS_COUNT = 60_000
EHLO_ANSWER = b"250-sink\r\n250-PIPELINING\r\n250-CHUNKING\r\n250-8BITMIME\r\n250-SMTPUTF8\r\n250 HELP\r\n"


def sink() -> None:
    """Serve until stdin closes, then print how many messages were accepted."""
    from delivery_support import ScriptedHandler, SMTPServer

    handler = ScriptedHandler(keep=False)
    with SMTPServer(handler) as server:
        print(server.port, flush=True)
        sys.stdin.read()
    print(len(handler.accepted), flush=True)


class FastSink(asyncio.Protocol):
    """An SMTP server that accepts and discards every message, with as little
    work per message as the protocol allows (one bytes.find per chunk of DATA;
    a BDAT chunk's octets counted off); it offers PIPELINING (RFC 2920) and
    CHUNKING (RFC 3030), as Postfix does, and answers the commands of one
    read with one write."""

    accepted = 0

    def connection_made(self, transport) -> None:
        self.transport, self.buffer, self.in_data, self.scanned = transport, bytearray(), False, 0
        self.chunk_left, self.last_chunk = 0, False
        transport.write(b"220 sink ESMTP\r\n")

    def data_received(self, data: bytes) -> None:
        self.buffer += data
        answers = []
        while self.buffer:
            if self.chunk_left:
                taken = min(self.chunk_left, len(self.buffer))
                del self.buffer[:taken]
                self.chunk_left -= taken
                if not self.chunk_left:
                    FastSink.accepted += self.last_chunk
                    answers.append(b"250 2.0.0 accepted\r\n")
                continue
            if self.in_data:
                end = self.buffer.find(b"\r\n.\r\n", self.scanned)
                if end < 0:
                    self.scanned = max(0, len(self.buffer) - 4)
                    break
                del self.buffer[:end + 5]
                self.in_data, self.scanned = False, 0
                FastSink.accepted += 1
                answers.append(b"250 2.0.0 accepted\r\n")
                continue
            end = self.buffer.find(b"\r\n")
            if end < 0:
                break
            verb = bytes(self.buffer[:4]).upper()
            if verb == b"BDAT":  # BDAT size [LAST]
                size, *last = bytes(self.buffer[5:end]).split()
                self.chunk_left, self.last_chunk = int(size), bool(last)
                del self.buffer[:end + 2]
                continue
            del self.buffer[:end + 2]
            answers.append(self.answer(verb))
        if answers:
            self.transport.write(b"".join(answers))
        if b"221 bye\r\n" in answers:
            self.transport.close()

    def answer(self, verb: bytes) -> bytes:
        if verb in (b"EHLO", b"HELO"):
            return EHLO_ANSWER if verb == b"EHLO" else b"250 sink\r\n"
        if verb == b"DATA":
            self.in_data = True
            return b"354 go ahead\r\n"
        if verb == b"QUIT":
            return b"221 bye\r\n"
        return b"250 OK\r\n"


def fast_sink() -> None:
    """Serve FastSink on 127.0.0.1; print the port, and each time a line comes
    in on stdin, the messages accepted so far; stop when stdin closes."""
    async def serve() -> None:
        loop = asyncio.get_running_loop()
        server = await loop.create_server(FastSink, "127.0.0.1", 0)
        print(server.sockets[0].getsockname()[1], flush=True)
        reader = asyncio.StreamReader()
        await loop.connect_read_pipe(lambda: asyncio.StreamReaderProtocol(reader), sys.stdin)
        while await reader.readline():
            print(FastSink.accepted, flush=True)
        server.close()

    asyncio.run(serve())


def cpu_seconds(pid: int) -> float:
    """CPU time (user + system) a running process has used, from /proc."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def machine_ticks() -> tuple[int, int]:
    """The whole machine's CPU ticks so far, all cores: (busy, all); busy is
    all but idle and waiting for the disk (/proc/stat's first line)."""
    ticks = [int(field) for field in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]]
    return sum(ticks) - ticks[3] - ticks[4], sum(ticks)


def baseline(outbox: Path, port: int) -> tuple[int, float]:
    """Bare smtplib: the same files, one connection, no journal."""
    import smtplib

    from delivery.outbox import recipient_of

    files = sorted((outbox / "email").glob("*.eml"))
    connection = smtplib.SMTP("127.0.0.1", port)
    started = time.perf_counter()
    for path in files:
        data = re.sub(rb"\r?\n", b"\r\n", path.read_bytes())
        connection.sendmail("sotong@sd.go.kr", [recipient_of(data)], data)
    seconds = time.perf_counter() - started
    connection.quit()
    return len(files), seconds


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, help="subscribers (default 20,000; --workers 60,000)")
    parser.add_argument("--profile", action="store_true")
    parser.add_argument("--workers", action="store_true", help="one sotong send against two, on PostgreSQL")
    parser.add_argument("--pairs", type=int, default=5)
    parser.add_argument("--connections", type=int, help="--workers: SMTP connections of each worker "
                        "(DELIVERY's connections; default: the setting's default)")
    parser.add_argument("--memory", action="store_true", help="peak RSS of send --dry-run, now and before")
    parser.add_argument("--readers", type=int, default=1_000_000)
    parser.add_argument("--before", default="3b463dd", help="the commit whose delivery plugin is the baseline")
    parser.add_argument("--before-too", action="store_true", help="--workers: the plugins of --before measured too")
    parser.add_argument("--sink", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--fast-sink", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.sink:
        return sink()
    if args.fast_sink:
        return fast_sink()
    if args.workers:
        return workers(args.count or WORKERS_COUNT, args.pairs, args.before if args.before_too else None,
                       args.connections)
    if args.memory:
        return memory(args.readers, args.before, args.pairs)
    return one_worker(args.count or 20_000, args.pairs, args.profile)


def one_worker(count: int, pairs: int, profile: bool) -> None:
    """The default measure: bare smtplib against `sotong send` into aiosmtpd, in alternating pairs."""
    sys.path.append(str(REPO / "plugins"))  # for delivery.outbox; benchmarks/bundles.py stays first
    from bundles import ISSUE, make_project  # benchmarks/bundles.py
    from synthetic import alternating, measuring  # benchmarks/synthetic.py

    with tempfile.TemporaryDirectory() as tmp, measuring(f"benchmarks/send.py: {count:,} subscribers, "
                                                         f"{pairs} alternating pairs"):
        root = Path(tmp)
        started = time.perf_counter()
        make_project(root, count)
        bundled = subprocess.run([str(Path(sys.executable).parent / "sotong"), "bundles", "--issue", ISSUE.isoformat()],
                                 cwd=root, capture_output=True, text=True, check=True)
        emails = int(re.search(r"email: ([\d,]+)", bundled.stdout).group(1).replace(",", ""))
        outbox = root / "private" / "outbox" / ISSUE.isoformat()
        size = sum(p.stat().st_size for p in (outbox / "email").glob("*.eml")) / emails
        print(f"setup: {count:,} subscribers, {emails:,} emails of {size / 1000:.0f} KB on average, "
              f"in {time.perf_counter() - started:.1f} s", flush=True)
        (root / "pristine").mkdir()
        for path in (root / "private").glob("sotong.db*"):  # the store before any send, put back before each
            shutil.copy(path, root / "pristine" / path.name)
        server = subprocess.Popen([sys.executable, __file__, "--sink"], stdin=subprocess.PIPE,
                                  stdout=subprocess.PIPE, text=True)
        port = int(server.stdout.readline())
        try:
            if profile:
                return subprocess.run([sys.executable, "-m", "pyinstrument", "-r", "text", "-m", "sotong",
                                       *send_command(ISSUE, port)], cwd=root, check=True)
            bases, sends = alternating(pairs, lambda: baseline(outbox, port),
                                       lambda: send_once(root, ISSUE, (server, port)))
        finally:
            server.stdin.close()
            accepted = int(server.stdout.readline() or 0)
            server.wait(30)
        expected = sum(sent for sent, _ in bases) + sum(run["emails"] for run in sends)
        assert accepted == expected, f"the sink took {accepted} messages, not {expected}"
        report_one_worker(bases, sends)


def send_command(issue, port: int) -> list[str]:
    return ["send", "--issue", issue.isoformat(), "--host", "127.0.0.1", "--port", str(port), "--rate", "1000000"]


def send_once(root: Path, issue, sink: tuple) -> dict:
    """`sotong send` of the whole outbox, the store put back as it was before any send (not timed)."""
    (server, port) = sink
    for path in (root / "private").glob("sotong.db*"):
        path.unlink()
    for path in (root / "pristine").glob("sotong.db*"):
        shutil.copy(path, root / "private" / path.name)
    cpu_before = resource.getrusage(resource.RUSAGE_CHILDREN)
    sink_before = cpu_seconds(server.pid)
    started = time.perf_counter()
    completed = subprocess.run([str(Path(sys.executable).parent / "sotong"), *send_command(issue, port)], cwd=root,
                               capture_output=True, text=True)
    wall = time.perf_counter() - started
    sink_busy = (cpu_seconds(server.pid) - sink_before) / wall
    cpu_after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if completed.returncode != 0:
        sys.exit(f"sotong send failed:\n{completed.stdout}\n{completed.stderr}")
    emails = int(re.search(r"Emails: ([\d,]+) sent", completed.stdout).group(1).replace(",", ""))
    cpu = (cpu_after.ru_utime + cpu_after.ru_stime) - (cpu_before.ru_utime + cpu_before.ru_stime)
    print(re.search(r"^Emails: .*$", completed.stdout, re.M).group(0), flush=True)
    return {"wall": wall, "loop": float(re.search(r"in ([\d.]+) s", completed.stdout).group(1)), "cpu": cpu,
            "sink": sink_busy, "emails": emails}


def report_one_worker(bases: list[tuple[int, float]], sends: list[dict]) -> None:
    from synthetic import compared, spread  # benchmarks/synthetic.py

    base_rates = [sent / seconds for sent, seconds in bases]
    command_rates = [run["emails"] / run["wall"] for run in sends]
    print(compared("sotong send, whole command (process start, outbox check and journal sync included)",
                   command_rates, base_rates, "bare smtplib into the same sink", unit="messages/s", digits=0))
    print(compared("sotong send, sending loop (its own figure)", [run["emails"] / run["loop"] for run in sends],
                   base_rates, "bare smtplib", unit="messages/s", digits=0))
    print(f"sotong send CPU: {spread([run['cpu'] * 1000 / run['emails'] for run in sends])} ms per email; "
          f"the sink was busy {spread([run['sink'] * 100 for run in sends], 0)} % of one core meanwhile "
          "(aiosmtpd reads DATA line by line)")
    rate = statistics.median(command_rates)
    print(f"target >= {TARGET:.0f} messages/s: {'met' if rate >= TARGET else 'MISSED'} ({rate:,.0f}/s, median)")


def empty_journal(url: str) -> None:
    """Forget every send of the outbox: the next `sotong send` starts afresh,
    on vacuumed tables (else the run after the dry runs paid for vacuuming
    their rolled-back rows: 2.5 ms of PostgreSQL an email against 0.5)."""
    import psycopg

    with psycopg.connect(url, autocommit=True) as connection:
        for table in ("delivery_notices", "delivery_messages", "delivery_outboxes"):
            connection.execute(f"DELETE FROM {table}")
            connection.execute(f"VACUUM ANALYZE {table}")


def send_together(root: Path, settings: str, port: int, processes: int, *more: str) -> tuple[float, int, float, float]:
    """``processes`` `sotong send` started at once on one outbox: (wall
    seconds, emails they sent, their CPU seconds, and the seconds of the
    longest sending loop, each command's own figure: the wall less the
    start-up, in which a joining worker waits for the recording)."""
    sotong = str(Path(sys.executable).parent / "sotong")
    command = [sotong, "send", "--issue", "2026-11-26", "--host", "127.0.0.1", "--port", str(port),
               "--rate", "1000000", "-s", settings, *more]
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.perf_counter()
    running = [subprocess.Popen(command, cwd=root, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
               for _ in range(processes)]
    outputs = [process.communicate() for process in running]
    wall = time.perf_counter() - started
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    for process, (out, err) in zip(running, outputs):
        if process.returncode != 0:
            sys.exit(f"sotong send failed:\n{out}\n{err}")
    cpu = after.ru_utime + after.ru_stime - before.ru_utime - before.ru_stime
    sent = [re.search(r"Emails: ([\d,]+) sent.* in ([\d.]+) s", out) for out, _ in outputs]
    loop = max((float(found.group(2)) for found in sent if found), default=0.0)
    return wall, sum(int(found.group(1).replace(",", "")) for found in sent if found), cpu, loop


def _bare_client(files: list[Path], port: int) -> None:
    import smtplib

    from delivery.outbox import recipient_of

    connection = smtplib.SMTP("127.0.0.1", port)
    for path in files:
        data = re.sub(rb"\r?\n", b"\r\n", path.read_bytes())
        connection.sendmail("sotong@sd.go.kr", [recipient_of(data)], data)
    connection.quit()


def bare_clients(outbox: Path, port: int, processes: int) -> float:
    """Messages per second the sink takes from ``processes`` bare smtplib
    clients (processes, one connection each) sharing the outbox's files."""
    import multiprocessing

    files = sorted((outbox / "email").glob("*.eml"))
    clients = [multiprocessing.get_context("fork").Process(target=_bare_client, args=(files[k::processes], port))
               for k in range(processes)]
    started = time.perf_counter()
    for client in clients:
        client.start()
    for client in clients:
        client.join()
    return len(files) / (time.perf_counter() - started)


def _signal(server) -> int:
    """The messages the sink has accepted so far."""
    server.stdin.write("\n")
    server.stdin.flush()
    return int(server.stdout.readline())


def plugins_of(root: Path, settings: str, before: str) -> str:
    """A settings file like ``settings`` whose plugins are those of commit ``before``."""
    (root / "before").mkdir()
    subprocess.run(f"git -C {REPO} archive {before} plugins | tar -x -C {root / 'before'}", shell=True, check=True)
    (root / "pelicanconf_before.py").write_text((root / settings).read_text(encoding="utf-8")
                                                + '\nPLUGIN_PATHS = ["before/plugins"]\n', encoding="utf-8")
    return "pelicanconf_before.py"


def workers(count: int, pairs: int, before: str | None, connections: int | None) -> None:
    """One `sotong send` against two sharing the outbox, on PostgreSQL, into
    FastSink, with this tree's plugins (and those of ``before``), each with
    ``connections`` SMTP connections (None: the setting's default); and the
    sink alone, fed by one bare client against two."""
    from bundles import ISSUE, make_project  # benchmarks/bundles.py
    from scale import postgresql_settings  # benchmarks/scale.py

    sys.path.append(str(REPO / "plugins"))  # for delivery.outbox; benchmarks/bundles.py stays first
    print(f"{time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}, load {os.getloadavg()[0]:.1f} on "
          f"{os.cpu_count()} cores; SMTP connections a worker: {connections or 'the default'}", flush=True)
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        make_project(root, count)
        settings = postgresql_settings(root)
        if connections:
            with open(root / settings, "a", encoding="utf-8") as extra:
                extra.write(f"DELIVERY = {{'connections': {connections}}}\n")
        url = re.search(r"SOTONG_DB = '(.+)'", (root / settings).read_text()).group(1)
        trees = {"now": settings} | ({f"before ({before})": plugins_of(root, settings, before)} if before else {})
        for command in (["bundles", "--issue", ISSUE.isoformat()], ["db", "upgrade"]):  # the journal's tables too
            subprocess.run([str(Path(sys.executable).parent / "sotong"), *command, "-s", settings], cwd=root,
                           capture_output=True, check=True)
        server = subprocess.Popen([sys.executable, __file__, "--fast-sink"], stdin=subprocess.PIPE,
                                  stdout=subprocess.PIPE, text=True)
        port = int(server.stdout.readline())
        for name, tree in trees.items():
            send_together(root, tree, port, 1, "--dry-run")  # Python compiles the send's modules once
            starts = [send_together(root, tree, port, 1, "--dry-run")[2] for _ in range(2)]
            print(f"{name}: one worker's start-up (a dry run: the outbox read, checked and recorded, then rolled "
                  f"back): {min(starts):.2f} s of CPU", flush=True)
        figures = {name: WorkersFigures() for name in trees}
        try:
            for pair in range(pairs):
                for name, tree in trees.items():
                    for processes in ((1, 2) if pair % 2 == 0 else (2, 1)):
                        measure_workers(root, tree, url, (server, port), processes, figures[name])
                        print(f"pair {pair + 1}, {name}: {figures[name].last(processes)} "
                              f"(load {os.getloadavg()[0]:.1f})", flush=True)
        finally:
            server.stdin.close()
            server.wait(30)
        for name in trees:
            print(f"--- {name}")
            report_workers(figures[name])


@dataclass
class WorkersFigures:
    """The runs of one tree's workers, by the number of workers (1 or 2):
    emails a second; CPU an email (ms) of the workers, of PostgreSQL and of
    the sink; the machine's share of its cores busy; the sink's rate from as
    many bare clients."""

    rates: dict = field(default_factory=lambda: {1: [], 2: []})
    loops: dict = field(default_factory=lambda: {1: [], 2: []})
    cpu: dict = field(default_factory=lambda: {1: [], 2: []})
    database: dict = field(default_factory=lambda: {1: [], 2: []})
    sink: dict = field(default_factory=lambda: {1: [], 2: []})
    machine: dict = field(default_factory=lambda: {1: [], 2: []})
    bare: dict = field(default_factory=lambda: {1: [], 2: []})

    def last(self, processes: int) -> str:
        """The last run of ``processes`` workers, in words."""
        return (f"{processes} worker(s): {self.rates[processes][-1]:,.0f}/s (sending loop "
                f"{self.loops[processes][-1]:,.0f}/s), CPU {self.cpu[processes][-1]:.2f} ms "
                f"an email (PostgreSQL {self.database[processes][-1]:.2f} ms, the sink {self.sink[processes][-1]:.2f}"
                f" ms); the machine {self.machine[processes][-1]:.0%} busy; the sink from {processes} bare "
                f"client(s): {self.bare[processes][-1]:,.0f}/s")

    def ceiling(self) -> float:
        """Emails a second the machine's cores could send at most, were they
        all busy with the two workers' runs' CPU an email (workers,
        PostgreSQL and the sink; medians)."""
        per_email = sum(statistics.median(kind[2]) for kind in (self.cpu, self.database, self.sink))
        return os.cpu_count() * 1000 / per_email


def measure_workers(root: Path, settings: str, url: str, sink: tuple, processes: int,
                    figures: WorkersFigures) -> None:
    """One run of ``processes`` workers on an emptied journal, and of as many
    bare clients, into ``sink`` (the process and its port), added to ``figures``."""
    from bundles import ISSUE  # benchmarks/bundles.py

    server, port = sink
    empty_journal(url)
    accepted_before, sink_before, database_before = _signal(server), cpu_seconds(server.pid), database_cpu(url)
    machine_before = machine_ticks()
    wall, emails, seconds, loop = send_together(root, settings, port, processes)
    figures.loops[processes].append(emails / loop)
    (busy_after, all_after), (busy_before, all_before) = machine_ticks(), machine_before
    figures.machine[processes].append((busy_after - busy_before) / (all_after - all_before))
    figures.sink[processes].append((cpu_seconds(server.pid) - sink_before) * 1000 / emails)
    figures.database[processes].append((database_cpu(url) - database_before) * 1000 / emails)
    accepted = _signal(server) - accepted_before
    assert accepted == emails, f"the sink took {accepted} messages, sotong send says {emails}"
    figures.rates[processes].append(emails / wall)
    figures.cpu[processes].append(seconds * 1000 / emails)
    figures.bare[processes].append(bare_clients(root / "private" / "outbox" / ISSUE.isoformat(), port, processes))


def database_cpu(url: str) -> float:
    """CPU seconds the tests' PostgreSQL server has used: its postmaster with
    the backends it has reaped (a connection's ends with it), and the
    processes still running under it."""
    data = Path(re.search(r"host=([^&]+)", url).group(1)) / "data"
    postmaster = int((data / "postmaster.pid").read_text().split()[0])
    fields = Path(f"/proc/{postmaster}/stat").read_text().rsplit(")", 1)[1].split()
    reaped = (int(fields[13]) + int(fields[14])) / os.sysconf("SC_CLK_TCK")
    children = Path(f"/proc/{postmaster}/task/{postmaster}/children").read_text().split()
    return cpu_seconds(postmaster) + reaped + sum(_cpu_while_running(int(pid)) for pid in children)


def _cpu_while_running(pid: int) -> float:
    try:
        return cpu_seconds(pid)
    except FileNotFoundError:  # ended meanwhile: the postmaster's reaped time counts it next time
        return 0.0


def report_workers(figures: WorkersFigures) -> None:
    """Medians and spreads of the runs, the ratio against the target (whole
    commands; and their sending loops, start-up left out), and which limit
    held: the sink (two bare clients no faster than one) or the machine's
    cores (busy in the two workers' runs, and the ceiling their CPU an email
    leaves, against one worker's sending loop)."""
    rates, loops = figures.rates, figures.loops
    ratios = [two / one for one, two in zip(rates[1], rates[2])]
    loop_ratios = [two / one for one, two in zip(loops[1], loops[2])]
    ratio = statistics.median(ratios)
    for processes in (1, 2):
        print(f"{processes} worker(s): median {statistics.median(rates[processes]):,.0f} emails/s "
              f"({min(rates[processes]):,.0f}-{max(rates[processes]):,.0f}), sending loop "
              f"{statistics.median(loops[processes]):,.0f}/s; CPU an email: the workers "
              f"{_spread(figures.cpu[processes])} ms, PostgreSQL {_spread(figures.database[processes])} ms, "
              f"the sink {_spread(figures.sink[processes])} ms; the machine busy "
              f"{statistics.median(figures.machine[processes]):.0%}; the sink from {processes} bare client(s): "
              f"median {statistics.median(figures.bare[processes]):,.0f}/s")
    ceiling, one_loop, two_loop = figures.ceiling(), statistics.median(loops[1]), statistics.median(loops[2])
    bare_ratio = statistics.median(figures.bare[2]) / statistics.median(figures.bare[1])
    print(f"two workers / one: {ratio:.2f} x ({min(ratios):.2f}-{max(ratios):.2f}); their sending loops: "
          f"{statistics.median(loop_ratios):.2f} x ({min(loop_ratios):.2f}-{max(loop_ratios):.2f}); target >= "
          f"{TARGET_WORKERS_RATIO} x: {'met' if ratio >= TARGET_WORKERS_RATIO else 'MISSED'}")
    print(f"limits: the sink takes {bare_ratio:.2f} x from two bare clients what it takes from one "
          f"({'not ' if bare_ratio >= TARGET_WORKERS_RATIO else ''}the limit); the machine's {os.cpu_count()} "
          f"cores, all busy at the two workers' CPU an email (start-up included), send at most {ceiling:,.0f}/s "
          f"= {ceiling / statistics.median(rates[1]):.2f} x one worker's whole command; two workers kept them "
          f"{statistics.median(figures.machine[2]):.0%} busy: what is left idle is the start-up and the end, "
          f"where one worker records or hands over and the other waits (their sending loops: {two_loop:,.0f}/s "
          f"against one worker's {one_loop:,.0f}/s); load average {os.getloadavg()[0]:.1f}")


def _spread(values: list[float]) -> str:
    return f"{statistics.median(values):.2f} ({min(values):.2f}-{max(values):.2f})"


def fill_store(root: Path, readers: int) -> list[str]:
    """``readers`` subscribers of typical sizes written straight into the
    project's SQLite store (no import checks); the ids of those with an email."""
    from sotong.store import Store

    store = Store.open(root / "private" / "sotong.db")
    rows = ((f"R{n:07d}", "김성동", f"reader{n}@example.com" if n % 12 < 5 else None, f"010-{n // 10000:04d}-{n % 10000:04d}",
             1950 + n % 50, "F" if n % 2 else "M", "왕십리도선동", "health;culture;welfare",
             "email;sms" if n % 12 < 5 else "sms", "2026-01-05T09:00:00+09:00") for n in range(readers))
    with store.transaction():
        store.db.executemany("INSERT INTO subscribers (id, name, email, phone, birth_year, gender, dong, fields, channels,"
                             " subscribed_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", rows)
    store.close()
    return [f"R{n:07d}" for n in range(readers) if n % 12 < 5]


def write_email_outbox(folder: Path, ids: list[str], slug: str) -> None:
    """manifest.jsonl and a tiny email/ID.eml for each of ``ids``."""
    import json

    (folder / "email").mkdir(parents=True)
    with open(folder / "manifest.jsonl", "w", encoding="utf-8") as manifest:
        for subscriber_id in ids:
            (folder / "email" / f"{subscriber_id}.eml").write_bytes(b"To: <r@example.com>\n\nx\n")
            manifest.write(json.dumps({"id": subscriber_id, "channel": "email", "notices": [slug], "banner": None,
                                       "file": f"email/{subscriber_id}.eml"}) + "\n")


def peak_of_send(root: Path, settings: str) -> tuple[float, float, float]:
    """`sotong send --issue D --dry-run`: (peak RSS MB, wall seconds, CPU seconds)."""
    from bundles import GNU_TIME, ISSUE

    started = time.perf_counter()
    completed = subprocess.run([GNU_TIME, "-f", "%M %U %S", str(Path(sys.executable).parent / "sotong"), "send",
                                "--issue", ISSUE.isoformat(), "--dry-run", "-s", settings], cwd=root,
                               capture_output=True, text=True)
    wall = time.perf_counter() - started
    if completed.returncode != 0 or "Dry run" not in completed.stdout:
        sys.exit(f"sotong send --dry-run failed:\n{completed.stdout}\n{completed.stderr}")
    peak, user, system = completed.stderr.strip().splitlines()[-1].split()
    return int(peak) / 1024, wall, float(user) + float(system)


def memory(readers: int, before: str, pairs: int) -> None:
    """Peak RSS of send --dry-run with the delivery plugin as it is and as it was at ``before``."""
    from bundles import ISSUE, WINDOW_START
    from synthetic import copy_settings_and_code, write_notices

    from sotong.audiences import load_audiences

    print(f"{time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}, load {os.getloadavg()[0]:.1f}", flush=True)
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        copy_settings_and_code(root, f'SOTONG_TODAY = "{ISSUE}"')
        notices = write_notices(root / "content" / "notices", 2, load_audiences(root / "audiences.yaml"),
                                seed=7, start=WINDOW_START)
        started = time.perf_counter()
        ids = fill_store(root, readers)
        write_email_outbox(root / "private" / "outbox" / ISSUE.isoformat(), ids, notices[0].stem)
        (root / "before").mkdir()
        subprocess.run(f"git -C {REPO} archive {before} plugins | tar -x -C {root / 'before'}", shell=True, check=True)
        (root / "pelicanconf_before.py").write_text((root / "pelicanconf.py").read_text(encoding="utf-8")
                                                    + '\nPLUGIN_PATHS = ["before/plugins"]\n', encoding="utf-8")
        print(f"setup: {readers:,} readers, {len(ids):,} emails in the outbox, {time.perf_counter() - started:.0f} s",
              flush=True)
        figures = {"before": [], "now": []}
        for pair in range(pairs):
            for name in (("before", "now") if pair % 2 == 0 else ("now", "before")):
                figures[name].append(peak_of_send(root, "pelicanconf_before.py" if name == "before" else "pelicanconf.py"))
                peak, wall, cpu = figures[name][-1]
                print(f"pair {pair + 1}: {name} ({before if name == 'before' else 'this tree'}): peak {peak:,.0f} MB, "
                      f"{wall:.0f} s wall, {cpu:.0f} s CPU (load {os.getloadavg()[0]:.1f})", flush=True)
    for name, values in figures.items():
        print(f"{name}: peak RSS median {statistics.median(v[0] for v in values):,.0f} MB "
              f"({min(v[0] for v in values):,.0f}-{max(v[0] for v in values):,.0f}); CPU median "
              f"{statistics.median(v[2] for v in values):.0f} s")


if __name__ == "__main__":
    main()
