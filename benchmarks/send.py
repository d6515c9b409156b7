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
Target (issue "Delivery"): >= 300 messages per second. Loopback only; the run
is bounded by N.

    .venv/bin/python benchmarks/send.py [--count 20000] [--profile]

--profile runs the send under pyinstrument instead and prints where the time goes.
"""

from __future__ import annotations

import argparse
import os
import re
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
# sotong's lines are read below: the English ones (the language costs nothing measurable)
os.environ["SOTONG_LANG"] = "en"
sys.path.insert(0, str(REPO / "benchmarks"))
sys.path.insert(0, str(REPO / "tests"))

TARGET = 300.0


def sink() -> None:
    """Serve until stdin closes, then print how many messages were accepted."""
    from delivery_support import ScriptedHandler, SMTPServer

    handler = ScriptedHandler(keep=False)
    with SMTPServer(handler) as server:
        print(server.port, flush=True)
        sys.stdin.read()
    print(len(handler.accepted), flush=True)


def cpu_seconds(pid: int) -> float:
    """CPU time (user + system) a running process has used, from /proc."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


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
    parser.add_argument("--count", type=int, default=20_000)
    parser.add_argument("--profile", action="store_true")
    parser.add_argument("--sink", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.sink:
        return sink()
    sys.path.append(str(REPO / "plugins"))  # for delivery.outbox; benchmarks/bundles.py stays first
    from bundles import ISSUE, make_project  # benchmarks/bundles.py

    sotong = str(Path(sys.executable).parent / "sotong")
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        started = time.perf_counter()
        make_project(root, args.count)
        bundled = subprocess.run([sotong, "bundles", "--issue", ISSUE.isoformat()], cwd=root,
                                 capture_output=True, text=True, check=True)
        emails = int(re.search(r"email: (\d+)", bundled.stdout).group(1))
        outbox = root / "private" / "outbox" / ISSUE.isoformat()
        size = sum(p.stat().st_size for p in (outbox / "email").glob("*.eml")) / emails
        print(f"setup: {args.count:,} subscribers, {emails:,} emails of {size / 1000:.0f} KB on average, "
              f"in {time.perf_counter() - started:.1f} s")
        server = subprocess.Popen([sys.executable, __file__, "--sink"], stdin=subprocess.PIPE,
                                  stdout=subprocess.PIPE, text=True)
        port = int(server.stdout.readline())
        command = ["send", "--issue", ISSUE.isoformat(), "--host", "127.0.0.1", "--port", str(port),
                   "--rate", "1000000"]
        try:
            if args.profile:
                subprocess.run([sys.executable, "-m", "pyinstrument", "-r", "text", "-m", "sotong", *command],
                               cwd=root, check=True)
                return
            base_count, base_seconds = baseline(outbox, port)
            cpu_before = resource.getrusage(resource.RUSAGE_CHILDREN)
            sink_before = cpu_seconds(server.pid)
            started = time.perf_counter()
            completed = subprocess.run([sotong, *command], cwd=root, capture_output=True, text=True)
            wall = time.perf_counter() - started
            sink_busy = (cpu_seconds(server.pid) - sink_before) / wall
            cpu_after = resource.getrusage(resource.RUSAGE_CHILDREN)
        finally:
            server.stdin.close()
            accepted = int(server.stdout.readline() or 0)
            server.wait(30)
        if completed.returncode != 0:
            sys.exit(f"sotong send failed:\n{completed.stdout}\n{completed.stderr}")
        print(completed.stdout.rstrip())
        assert accepted == base_count + emails, f"the sink took {accepted} messages, not {base_count + emails}"
        loop_seconds = float(re.search(r"in ([\d.]+) s", completed.stdout).group(1))
        cpu = (cpu_after.ru_utime + cpu_after.ru_stime) - (cpu_before.ru_utime + cpu_before.ru_stime)
        command_rate = emails / wall
        print(f"\nbaseline, bare smtplib into the same sink: {base_count / base_seconds:,.0f} messages/s")
        print(f"sotong send, sending loop:  {emails / loop_seconds:,.0f} messages/s ({emails:,} in {loop_seconds:.1f} s)")
        print(f"sotong send, whole command: {command_rate:,.0f} messages/s ({wall:.1f} s wall, process start included)")
        print(f"sotong send CPU: {cpu * 1000 / emails:.2f} ms per email (room for {emails / cpu:,.0f} messages/s of one core)")
        print(f"the sink was busy {sink_busy:.0%} of one core meanwhile (aiosmtpd reads DATA line by line)")
        print(f"load average during the run: {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores")
        print(f"target >= {TARGET:.0f} messages/s: {'met' if command_rate >= TARGET else 'MISSED'}")


if __name__ == "__main__":
    main()
