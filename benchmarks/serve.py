"""Benchmark: one-click unsubscribes (POST /u/TOKEN) against `sotong serve`.

Generates N subscribers (default 20,000) with sotong.population into a
temporary project, starts `sotong serve --port 0` on 127.0.0.1 as the operator
runs it, and sends R unsubscribes (default 10,000; each POST unsubscribes a
different subscriber) from 20 concurrent clients (threads with keep-alive
connections sending prepared bytes, see LeanConnection): half paced at the target rate, whose latency percentiles decide
the target, half as fast as the server answers (its capacity). The baseline:
GET /healthz, the same server doing no work, as fast as it answers.
Target (issue "Delivery"): 500 unsubscribes per second with p99 under 50 ms.
Against the floor (issue #16): PAIRS alternating rounds (default 5) of
unsubscribes as fast as they are answered and of the same number of POSTs to
a bare waitress app (same threads) doing one SQLite INSERT and commit (WAL)
each; printed: each one's rate, the ratio (median, min-max) and the p99s.
Target: at least 0.8 x the floor's rate, p99 under 20 ms. Also printed: the
server processes' CPU per POST, the floor's over ours (the same ratio as far
as CPU is the limit, and steadier when other work shares the cores).
Then (issue #13) sign-ups (POST /subscribe, each queueing its confirmation
mail, which the collector's mail thread hands to a real aiosmtpd sink) and
preferences changes (POST /p/TOKEN), R/4 of each, paced at 300 per second;
then how long the mail queue takes to empty. Target: 300/s with p99 under
50 ms. Then (issue #15) the same subscribers in a new database on a real
PostgreSQL (tests/postgres_server.py: initdb in a temporary folder, stopped at
the end; skipped when the server is not installed) and two `sotong serve`
processes on it: PAIRS alternating rounds of R/(2 PAIRS) unsubscribes with the
clients split between the two collectors and with all of them on one (the
baseline), with the collectors' and the database's CPU per POST; target:
two collectors at least 1,000 per second with p99 under 50 ms. Loopback
only; bounded by R.

With ``--only subscriptions --store postgresql``, issue #13's rounds on a
new database on the tests' PostgreSQL server holding the same readers (the
sign-up's rate counted there, as every collector on it counts it). With
``--apart``, each client sends from a loopback address of its own, as
residents' phones do (without it every request is from 127.0.0.1, one
Wi-Fi: the sign-ups of one client toward SUBSCRIBE_RATE wait for each
other's count).

With ``--only unsubscribes``, only the rounds against the floor, all R
POSTs in them (``--threads N``: the collector's threads, the floor keeping
8); besides each one's CPU per POST, its context switches per POST (a
thread that waits for the GIL or a lock is one).

    .venv/bin/python benchmarks/serve.py [--count 20000] [--requests 10000] [--clients 20] [--pairs 5]
        [--only sqlite|postgresql|subscriptions|unsubscribes] [--threads 8] [--store sqlite|postgresql] [--apart]
"""

from __future__ import annotations

import argparse
import contextlib
import glob
import multiprocessing
import os
import re
import socket
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
# sotong's lines are read below: the English ones (the language costs nothing measurable)
os.environ["SOTONG_LANG"] = "en"
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(REPO / "benchmarks"))

from sotong.audiences import load_audiences  # noqa: E402
from sotong.tokens import make_token, unsubscribe_token  # noqa: E402
from synthetic import copy_settings_and_code, import_population  # noqa: E402
from urllib.parse import urlencode  # noqa: E402

TARGET_RATE, TARGET_P99_MS = 500.0, 50.0
FLOOR_RATIO, FLOOR_P99_MS = 0.8, 20.0
FLOOR_THREADS = 8  # `sotong serve`'s default
FLOOR_APP = """
import sqlite3, sys, threading, waitress
db = sqlite3.connect(sys.argv[1], check_same_thread=False, isolation_level=None)
db.execute("PRAGMA journal_mode = WAL")
db.execute("PRAGMA synchronous = NORMAL")
db.execute("CREATE TABLE IF NOT EXISTS taken (path TEXT, body BLOB)")
lock = threading.Lock()

def app(environ, start_response):
    body = environ["wsgi.input"].read(int(environ.get("CONTENT_LENGTH") or 0))
    with lock:
        db.execute("BEGIN IMMEDIATE")
        db.execute("INSERT INTO taken VALUES (?, ?)", (environ["PATH_INFO"], body))
        db.execute("COMMIT")
    start_response("200 OK", [("Content-Type", "text/plain"), ("Content-Length", "2")])
    return [b"ok"]

server = waitress.create_server(app, host="127.0.0.1", port=0, threads=int(sys.argv[2]))
print(f"Serving on http://127.0.0.1:{server.effective_port}", file=sys.stderr, flush=True)
server.run()
"""
SUBSCRIPTIONS_RATE = 300.0
PG_TARGET_RATE = 1000.0
FORM = {"Content-Type": "application/x-www-form-urlencoded"}


def make_project(root: Path, count: int, smtp_port: int) -> list[str]:
    copy_settings_and_code(root, f'SMTP_PORT = {smtp_port}\nSUBSCRIBE_RATE = "1000000/hour"')
    (root / "content" / "notices").mkdir(parents=True)
    store = import_population(root, count, load_audiences(root / "audiences.yaml"), seed=3, year=2026)
    ids = [s.id for s in store.subscribers(only_subscribed=True)]
    store.close()
    return ids


class MailSink:
    """A real aiosmtpd server on loopback that counts what it accepts, in a
    process of its own (so that its work does not hold up the clients)."""

    def __init__(self):
        with socket.socket() as probe:  # a free port (aiosmtpd's controller checks the one it is given)
            probe.bind(("127.0.0.1", 0))
            self.port = probe.getsockname()[1]
        self._accepted = multiprocessing.Value("i", 0)
        self._stop = multiprocessing.Event()
        self._process = multiprocessing.Process(target=_run_sink, args=(self.port, self._accepted, self._stop))

    @property
    def accepted(self) -> int:
        return self._accepted.value

    def __enter__(self):
        self._process.start()
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", self.port), timeout=1):
                return self
            time.sleep(0.05)
        raise SystemExit("the SMTP sink did not start")

    def __exit__(self, *exc):
        self._stop.set()
        self._process.join(10)


def _run_sink(port: int, accepted, stop) -> None:
    from aiosmtpd.controller import Controller

    class Counting:
        async def handle_DATA(self, server, session, envelope):
            with accepted.get_lock():
                accepted.value += 1
            return "250 2.0.0 OK"

    controller = Controller(Counting(), hostname="127.0.0.1", port=port)
    controller.start()
    stop.wait()
    controller.stop()


def subscription_posts(emails: dict[str, str], count: int) -> tuple[list, list]:
    """``count`` sign-ups (each a new address) and ``count`` preferences
    changes of the readers ``emails`` (id -> their address, kept)."""
    ids = list(emails)
    signups = [("POST", "/subscribe", urlencode({
        "email": f"bench{n}@example.com", "fields": ["health", "culture"], "channels": "email", "birth_year": "1950",
        "dong": "majang", "consent": "yes", "consent_version": "2026-12-v1/3600s", "website": ""}, doseq=True).encode())
        for n in range(count)]
    changes = [("POST", f"/p/{make_token('preferences', ids[n % len(ids)])}", urlencode({
        "email": emails[ids[n % len(ids)]], "fields": ["health", "library"], "channels": "email",
        "birth_year": "1960", "dong": "yongdap", "action": "save"}, doseq=True).encode()) for n in range(count)]
    return signups, changes


def served_port(server: subprocess.Popen) -> int:
    """The port ``server`` says it serves on; its later stderr is drained
    from then on by a thread, since a full pipe would block the server."""
    for line in server.stderr:
        found = re.search(r"Serving on http://127\.0\.0\.1:(\d+)", line)
        if found:
            threading.Thread(target=_drain, args=(server.stderr,), daemon=True).start()
            return int(found.group(1))
        print(line, end="", file=sys.stderr)
    sys.exit("sotong serve stopped before it served")


def _drain(stream) -> None:
    """Read a server's stderr to its end, so that its logging never waits on
    a full pipe (waitress warns of its task queue's depth under 20 clients:
    an undrained pipe had both servers stall with the machine idle)."""
    for _line in stream:
        pass


class LeanConnection:
    """One client's keep-alive HTTP/1.1 connection: sends a request's bytes as
    made once, reads the answer's status line and its body by Content-Length.
    http.client parses every answer's headers with the email package: about
    three times this client's CPU per request, on the cores the server runs
    on, so that it capped the floor and the collector alike. Not for HEAD
    requests nor chunked answers (the collector sends neither here)."""

    LENGTH = re.compile(rb"\r\ncontent-length:[ \t]*(\d+)", re.IGNORECASE)

    def __init__(self, port: int, timeout: float = 30, source: str = ""):
        self.port, self.timeout, self.source = port, timeout, source
        self.sock: socket.socket | None = None
        self.unread = b""

    def exchange(self, request: bytes) -> int:
        """Send ``request``; its answer's status once the whole answer is read."""
        if self.sock is None:
            self.sock = socket.create_connection(("127.0.0.1", self.port), timeout=self.timeout,
                                                 source_address=(self.source, 0) if self.source else None)
            self.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
            self.unread = b""
        self.sock.sendall(request)
        received = self.unread
        while (head_end := received.find(b"\r\n\r\n")) < 0:
            received += self._more()
        head = received[:head_end]
        length = self.LENGTH.search(head)
        end = head_end + 4 + (int(length.group(1)) if length else 0)
        while len(received) < end:
            received += self._more()
        self.unread = received[end:]
        return int(head[9:12])

    def _more(self) -> bytes:
        data = self.sock.recv(65536)
        if not data:
            raise ConnectionError("the server closed the connection")
        return data

    def close(self) -> None:
        if self.sock is not None:
            self.sock.close()
            self.sock = None


def request_bytes(method: str, path: str, body: bytes | None) -> bytes:
    """The request as http.client sent it here: Host, and for a form its type and length."""
    head = f"{method} {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nAccept-Encoding: identity\r\n"
    if body is not None:
        head += f"Content-Type: {FORM['Content-Type']}\r\nContent-Length: {len(body)}\r\n"
    return head.encode() + b"\r\n" + (body or b"")


def hammer(port: int | list[int], requests: list, clients: int, rate: float | None = None,
           apart: bool = False) -> tuple[float, list[float], list[int]]:
    """Send every request from ``clients`` threads with keep-alive connections
    (to ``port``, or client N to the Nth of several ports in turn, a round
    robin), each from 127.0.0.1 or (``apart``) client N from 127.0.0.N+2, an
    address of its own: as fast as they answer, or at ``rate`` requests per second in all. A paced
    request's latency counts from when it was due, so a slow answer that
    delays the next ones is not hidden (no coordinated omission)."""
    latencies, statuses, lock = [], [], threading.Lock()
    shares = [[request_bytes(*request) for request in requests[n::clients]] for n in range(clients)]
    started = time.perf_counter()

    ports = port if isinstance(port, list) else [port]

    def client(index, share):
        connection = LeanConnection(ports[index % len(ports)], source=f"127.0.0.{index + 2}" if apart else "")
        mine, codes = [], []
        for k, request in enumerate(share):
            due = started + (k * clients + index) / rate if rate else time.perf_counter()
            if rate:
                time.sleep(max(0.0, due - time.perf_counter()))
            sent = time.perf_counter()
            try:
                status = connection.exchange(request)
            except (OSError, ValueError):  # a time-out is a figure too, status 0
                connection.close()
                status = 0
            done = time.perf_counter()
            mine.append((done - due, done - sent))
            codes.append(status)
        connection.close()
        with lock:
            latencies.extend(mine)
            statuses.extend(codes)

    threads = [threading.Thread(target=client, args=(n, share)) for n, share in enumerate(shares)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return time.perf_counter() - started, latencies, statuses


def wait_for_mail_queue(location: Path | str, seconds: float) -> float:
    """Seconds until the collector's mail queue in the store at ``location``
    (a SQLite file or a PostgreSQL URL) is empty (at most ``seconds``)."""
    from sotong.store import Store

    started = time.perf_counter()
    store = Store.open(location)
    try:
        while store.db.execute("SELECT count(*) FROM subscriptions_mail").fetchone()[0] and \
                time.perf_counter() - started < seconds:
            time.sleep(0.1)
    finally:
        store.close()
    return time.perf_counter() - started


def percentile(sorted_values: list[float], share: float) -> float:
    return sorted_values[min(len(sorted_values) - 1, int(share * len(sorted_values)))]


def report(name: str, wall: float, latencies: list[tuple[float, float]], paced: bool = False) -> tuple[float, float]:
    """Print and return (requests/s, p99 ms from sending, as load tools such as
    ab and hey measure it); for paced runs also the p99 from when each request
    was due, which counts the client's own lateness on a busy machine too."""
    from_due = sorted(due for due, _ in latencies)
    from_send = sorted(sent for _, sent in latencies)
    rate, p99 = len(latencies) / wall, percentile(from_send, 0.99) * 1000
    late = f"; from when due: p99 {percentile(from_due, 0.99) * 1000:.1f} ms" if paced else ""
    print(f"{name}: {rate:,.0f} requests/s; latency p50 {percentile(from_send, 0.5) * 1000:.1f} ms, "
          f"p99 {p99:.1f} ms, max {from_send[-1] * 1000:.1f} ms{late}")
    return rate, p99


def against_floor(servers: tuple[subprocess.Popen, subprocess.Popen], ports: tuple[int, int], posts: list,
                  clients: int, pairs: int) -> list[int]:
    """Alternating rounds of unsubscribes and of the floor's INSERT/commit
    POSTs, as fast as each is answered; prints the ratio with its spread,
    and the server processes' CPU per POST (steadier than rates when other
    work shares the cores)."""
    rounds = {"ours": [], "floor": []}  # (rate, p99, CPU seconds per POST) of each round
    statuses = []
    for round_ in range(pairs):
        mine = posts[round_::pairs]
        for name, server, port in (("ours", servers[0], ports[0]), ("floor", servers[1], ports[1])):
            cpu_before, switches_before = cpu_seconds(server.pid), context_switches(server.pid)
            wall, latencies, codes = hammer(port, mine, clients)
            cpu = (cpu_seconds(server.pid) - cpu_before) / len(mine)
            switches = (context_switches(server.pid) - switches_before) / len(mine)
            statuses += codes if name == "ours" else []
            label = "POST /u/TOKEN" if name == "ours" else "floor, waitress + INSERT/commit"
            rounds[name].append((*report(f"  round {round_ + 1}: {label} as fast as it answers", wall, latencies),
                                 cpu, switches))
    ours, floor = rounds["ours"], rounds["floor"]
    ratios = sorted(mine[0] / base[0] for mine, base in zip(ours, floor))
    cpu_ratios = sorted(base[2] / mine[2] for mine, base in zip(ours, floor))
    ratio, p99 = statistics.median(ratios), statistics.median(figures[1] for figures in ours)
    verdict = "met" if ratio >= FLOOR_RATIO and p99 < FLOOR_P99_MS else "MISSED"
    for name, figures in rounds.items():
        print(f"{pairs} alternating pairs, {name}: median {statistics.median(f[0] for f in figures):,.0f}/s, "
              f"p99 median {statistics.median(f[1] for f in figures):.1f} ms "
              f"({min(f[1] for f in figures):.1f}-{max(f[1] for f in figures):.1f}), "
              f"server CPU per POST {statistics.median(f[2] for f in figures) * 1e6:.0f} us, "
              f"context switches per POST {statistics.median(f[3] for f in figures):.1f}")
    print(f"target >= {FLOOR_RATIO} x the floor with p99 < {FLOOR_P99_MS:.0f} ms: {verdict} "
          f"({ratio:.2f} x, spread {ratios[0]:.2f}-{ratios[-1]:.2f}); by CPU per POST: "
          f"{statistics.median(cpu_ratios):.2f} x ({cpu_ratios[0]:.2f}-{cpu_ratios[-1]:.2f})")
    return statuses


def context_switches(pid: int) -> int:
    """Context switches of process ``pid``'s threads so far (Linux): a thread
    waiting for the GIL or a lock is one; a thread that exited is not counted."""
    total = 0
    for status in glob.glob(f"/proc/{pid}/task/*/status"):
        with contextlib.suppress(OSError):
            total += sum(int(line.split()[1]) for line in Path(status).read_text().splitlines()
                         if "ctxt_switches:" in line)
    return total


def cpu_seconds(pid: int) -> float:
    """User and system CPU seconds of process ``pid`` so far (Linux)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def two_collectors_on_postgresql(root: Path, ids: list[str], clients: int, pairs: int) -> None:
    """Alternating rounds: unsubscribes split between two collectors on one
    PostgreSQL database, and all of them to one; prints medians and spreads."""
    if not glob.glob("/usr/lib/postgresql/*/bin/initdb"):
        print("PostgreSQL: not measured, the server is not installed (sudo apt-get install postgresql)")
        return
    sys.path.insert(0, str(REPO / "tests"))  # the tests' PostgreSQL server (tests/postgres_server.py)
    from scale import postgresql_settings

    settings = postgresql_settings(root)
    url = re.findall(r"^SOTONG_DB = '(.+)'$", (root / settings).read_text(encoding="utf-8"), re.M)[-1]
    servers = [subprocess.Popen([str(Path(sys.executable).parent / "sotong"), "serve", "--port", "0", "-s", settings],
                                cwd=root, stderr=subprocess.PIPE, text=True) for _ in range(2)]
    try:
        ports = [served_port(server) for server in servers]
        posts = [("POST", f"/u/{unsubscribe_token(i)}", b"List-Unsubscribe=One-Click") for i in ids]
        two, one = [], []
        for round_ in range(pairs):
            for turn, (name, targets, figures) in enumerate((("two collectors", ports, two),
                                                             ("one collector", ports[:1], one))):
                mine = posts[2 * round_ + turn::2 * pairs]
                busy = [server.pid for server in servers[:len(targets)]]
                figures.append(postgresql_round(f"round {round_ + 1}: PostgreSQL, {name}", targets, mine, clients,
                                                busy, url))
    finally:
        for server in servers:
            server.terminate()
            server.wait(10)
    for name, figures in (("two collectors", two), ("one collector", one)):
        rates, p99s = sorted(f[0] for f in figures), sorted(f[1] for f in figures)
        print(f"PostgreSQL, {name}: median {statistics.median(rates):,.0f}/s ({rates[0]:,.0f}-{rates[-1]:,.0f}), "
              f"p99 median {statistics.median(p99s):.1f} ms ({p99s[0]:.1f}-{p99s[-1]:.1f}); CPU per POST: "
              f"collectors {statistics.median(f[2] for f in figures) * 1e6:.0f} us, "
              f"database {statistics.median(f[3] for f in figures) * 1e6:.0f} us")
    rate, p99 = statistics.median(f[0] for f in two), statistics.median(f[1] for f in two)
    verdict = "met" if rate >= PG_TARGET_RATE and p99 < TARGET_P99_MS else "MISSED"
    print(f"two collectors on PostgreSQL: target {PG_TARGET_RATE:,.0f}/s with p99 < {TARGET_P99_MS:.0f} ms: {verdict}")


def postgresql_round(name: str, ports: list[int], posts: list, clients: int, collectors: list[int],
                     url: str) -> tuple[float, float, float, float]:
    """One round of unsubscribes to ``ports``: (requests/s, p99 ms, CPU seconds
    per POST of the ``collectors`` processes, and of the database's server
    processes serving ``url``, those that came during the round included)."""
    before = {pid: cpu_seconds(pid) for pid in collectors + database_processes(url)}
    wall, latencies, codes = hammer(ports, posts, clients)
    assert set(codes) == {200}, f"{name}: answers {set(codes)}"
    after = {pid: _cpu_if_running(pid) for pid in collectors + database_processes(url)}
    spent = {pid: after[pid] - before.get(pid, 0.0) for pid in after}
    rate, p99 = report(f"  {name}, as fast as they answer", wall, latencies)
    return (rate, p99, sum(spent[pid] for pid in collectors) / len(posts),
            sum(cpu for pid, cpu in spent.items() if pid not in collectors) / len(posts))


def database_processes(url: str) -> list[int]:
    """The PostgreSQL server processes serving connections to ``url``'s database."""
    import psycopg

    with psycopg.connect(url, autocommit=True) as connection:
        return [row[0] for row in connection.execute(
            "SELECT pid FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid()")]


def _cpu_if_running(pid: int) -> float:
    try:
        return cpu_seconds(pid)
    except FileNotFoundError:  # a backend that ended with its connection
        return 0.0


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=20_000)
    parser.add_argument("--requests", type=int, default=10_000)
    parser.add_argument("--clients", type=int, default=20)
    parser.add_argument("--pairs", type=int, default=5)
    parser.add_argument("--only", choices=("sqlite", "postgresql", "subscriptions", "unsubscribes"),
                        help="measure one store's part only, only the sign-ups and preferences (issue #13), "
                             "or only the unsubscribes against the floor (issue #16)")
    parser.add_argument("--threads", type=int, default=8, help="the collector's threads (the floor keeps 8)")
    parser.add_argument("--store", choices=("sqlite", "postgresql"), default="sqlite",
                        help="the store of --only subscriptions (PostgreSQL: the tests' server)")
    parser.add_argument("--apart", action="store_true",
                        help="--only subscriptions: each client from a loopback address of its own")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp, MailSink() as sink:
        root = Path(tmp)
        ids = make_project(root, args.count, sink.port)[: args.requests]
        print(f"setup: {args.count:,} subscribers; {len(ids):,} unsubscribes from {args.clients} clients")
        if args.only == "subscriptions":
            subscriptions_against_healthz(root, sink, args)
        if args.only in (None, "sqlite"):
            collector_on_sqlite(root, ids, sink, args)
        if args.only == "unsubscribes":
            unsubscribes_against_floor(root, ids, args)
        if args.only in (None, "postgresql"):
            two_collectors_on_postgresql(root, ids, args.clients, args.pairs)
        print(f"load average during the run: {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores")


def start_collector_and_floor(root: Path, threads: int) -> tuple[subprocess.Popen, subprocess.Popen]:
    """`sotong serve` on the project's SQLite store with ``threads``, and the floor's bare waitress app."""
    server = subprocess.Popen([str(Path(sys.executable).parent / "sotong"), "serve", "--port", "0",
                               "--threads", str(threads)], cwd=root, stderr=subprocess.PIPE, text=True)
    floor = subprocess.Popen([sys.executable, "-c", FLOOR_APP, str(root / "floor.db"), str(FLOOR_THREADS)],
                             stderr=subprocess.PIPE, text=True)
    return server, floor


def unsubscribes_against_floor(root: Path, ids: list[str], args) -> None:
    """Issue #16's figure alone: the alternating rounds against the floor."""
    server, floor = start_collector_and_floor(root, args.threads)
    try:
        posts = [("POST", f"/u/{unsubscribe_token(i)}", b"List-Unsubscribe=One-Click") for i in ids]
        statuses = against_floor((server, floor), (served_port(server), served_port(floor)), posts,
                                 args.clients, args.pairs)
    finally:
        for process in (server, floor):
            process.terminate()
            process.wait(10)
    assert statuses.count(200) == len(ids), f"not every answer was 200: {set(statuses)}"


def collector_on_sqlite(root: Path, ids: list[str], sink: MailSink, args) -> None:
    """Issue #16's and #13's figures, on the project's SQLite store."""
    server, floor = start_collector_and_floor(root, args.threads)
    try:
        port, floor_port = served_port(server), served_port(floor)
        half = len(ids) // 2
        wall, latencies, _ = hammer(port, [("GET", "/healthz", None)] * half, args.clients, rate=TARGET_RATE)
        report(f"baseline, GET /healthz at {TARGET_RATE:.0f}/s", wall, latencies, paced=True)
        wall, latencies, _ = hammer(port, [("GET", "/healthz", None)] * half, args.clients)
        report("baseline, GET /healthz as fast as it answers", wall, latencies)
        posts = [("POST", f"/u/{unsubscribe_token(i)}", b"List-Unsubscribe=One-Click") for i in ids]
        wall, latencies, statuses = hammer(port, posts[:half], args.clients, rate=TARGET_RATE)
        paced_rate, p99 = report(f"POST /u/TOKEN at {TARGET_RATE:.0f}/s", wall, latencies, paced=True)
        statuses += against_floor((server, floor), (port, floor_port), posts[half:], args.clients, args.pairs)
        db = sqlite3.connect(root / "private" / "sotong.db")
        emails = dict(db.execute("SELECT id, email FROM subscribers WHERE email IS NOT NULL AND unsubscribed_at "
                                 "IS NULL ORDER BY id LIMIT ?", (args.requests,)))
        db.close()
        signups, changes = subscription_posts(emails, args.requests // 4)
        figures = []
        for name, posts_of_kind, expected in (("POST /subscribe", signups, 303), ("POST /p/TOKEN", changes, 303)):
            wall, latencies, codes = hammer(port, posts_of_kind, args.clients, rate=SUBSCRIPTIONS_RATE)
            figures.append(report(f"{name} at {SUBSCRIPTIONS_RATE:.0f}/s", wall, latencies, paced=True))
            assert set(codes) == {expected}, f"{name}: answers {set(codes)}"
        drained = wait_for_mail_queue(root / "private" / "sotong.db", seconds=60)
        print(f"confirmation mail queue (subscriptions_mail) empty {drained:.1f} s after the last sign-up")
    finally:
        for process in (server, floor):
            process.terminate()
            process.wait(10)
    assert statuses.count(200) == len(ids), f"not every answer was 200: {set(statuses)}"
    db = sqlite3.connect(root / "private" / "sotong.db")
    done = db.execute("SELECT count(*) FROM subscribers WHERE unsubscribed_at IS NOT NULL AND id IN (%s)"
                      % ",".join("?" * len(ids)), ids).fetchone()[0]
    assert done == len(ids), f"{done} of {len(ids)} unsubscribed in the store"
    print(f"confirmation mails accepted by the SMTP sink: {sink.accepted:,} of {len(signups):,}")
    print(f"target {TARGET_RATE:.0f}/s with p99 < {TARGET_P99_MS:.0f} ms: "
          f"{'met' if paced_rate >= TARGET_RATE * 0.98 and p99 < TARGET_P99_MS else 'MISSED'}")
    met = all(rate >= SUBSCRIPTIONS_RATE * 0.98 and p99 < TARGET_P99_MS for rate, p99 in figures)
    print(f"sign-ups and preferences: target {SUBSCRIPTIONS_RATE:.0f}/s with p99 < {TARGET_P99_MS:.0f} ms: "
          f"{'met' if met else 'MISSED'}")


def subscriptions_against_healthz(root: Path, sink: MailSink, args) -> None:
    """Issue #13 alone: PAIRS rounds, each of GET /healthz, sign-ups and
    preferences changes (R/(4 PAIRS) of each) paced at 300/s; a round's
    sign-ups count until their confirmation mails are all handed to the
    sink, so that the server's CPU per sign-up includes its mail. On
    ``--store postgresql``, a new database holding the same readers."""
    settings, location = "pelicanconf.py", root / "private" / "sotong.db"
    if args.store == "postgresql":
        sys.path.insert(0, str(REPO / "tests"))  # the tests' PostgreSQL server (tests/postgres_server.py)
        from scale import postgresql_settings

        settings = postgresql_settings(root, copy=True)
        location = re.findall(r"^SOTONG_DB = '(.+)'$", (root / settings).read_text(encoding="utf-8"), re.M)[-1]
    server = subprocess.Popen([str(Path(sys.executable).parent / "sotong"), "serve", "--port", "0", "-s", settings],
                              cwd=root, stderr=subprocess.PIPE, text=True)
    try:
        port = served_port(server)
        db = sqlite3.connect(root / "private" / "sotong.db")
        emails = dict(db.execute("SELECT id, email FROM subscribers WHERE email IS NOT NULL AND unsubscribed_at "
                                 "IS NULL ORDER BY id LIMIT ?", (args.requests,)))
        db.close()
        signups, changes = subscription_posts(emails, args.requests // 4)
        health = [("GET", "/healthz", None)] * (len(signups) // args.pairs)
        rounds: dict[str, list] = {"GET /healthz": [], "POST /subscribe": [], "POST /p/TOKEN": []}
        for round_ in range(args.pairs):
            for name, posts, expected in (("GET /healthz", health, 200),
                                          ("POST /subscribe", signups[round_::args.pairs], 303),
                                          ("POST /p/TOKEN", changes[round_::args.pairs], 303)):
                cpu_before = cpu_seconds(server.pid)
                wall, latencies, codes = hammer(port, posts, args.clients, rate=SUBSCRIPTIONS_RATE, apart=args.apart)
                drained = wait_for_mail_queue(location, seconds=60)
                cpu = (cpu_seconds(server.pid) - cpu_before) / len(posts)
                assert set(codes) == {expected}, f"{name}: answers {set(codes)}"
                figures = report(f"  round {round_ + 1}: {name} at {SUBSCRIPTIONS_RATE:.0f}/s", wall, latencies, True)
                print(f"    server CPU {cpu * 1e3:.2f} ms per request; mail queue empty {drained:.1f} s after")
                rounds[name].append((*figures, cpu))
    finally:
        server.terminate()
        server.wait(10)
    print(f"confirmation mails accepted by the SMTP sink: {sink.accepted:,} of {len(signups):,}")
    for name, figures in rounds.items():
        rates, p99s, cpus = (sorted(f[k] for f in figures) for k in range(3))
        print(f"{args.pairs} rounds, {name}: median {statistics.median(rates):,.0f}/s ({rates[0]:,.0f}-{rates[-1]:,.0f}), "
              f"p99 median {statistics.median(p99s):.1f} ms ({p99s[0]:.1f}-{p99s[-1]:.1f}), server CPU per request "
              f"{statistics.median(cpus) * 1e3:.2f} ms ({cpus[0] * 1e3:.2f}-{cpus[-1] * 1e3:.2f})")
    met = all(statistics.median(f[0] for f in rounds[name]) >= SUBSCRIPTIONS_RATE * 0.98 and
              statistics.median(f[1] for f in rounds[name]) < TARGET_P99_MS for name in ("POST /subscribe", "POST /p/TOKEN"))
    print(f"sign-ups and preferences: target {SUBSCRIPTIONS_RATE:.0f}/s with p99 < {TARGET_P99_MS:.0f} ms "
          f"(medians of the rounds): {'met' if met else 'MISSED'}")


if __name__ == "__main__":
    main()
