"""Benchmark: how long `sotong send` keeps the collector waiting for SQLite's
write lock while it records a large outbox.

A resident's unsubscribe or click at the collector writes to the store; on
SQLite it waits while another program holds the write lock (and gets a 503
after 30 s). This measures the longest such wait during a real send: a store
of N readers written straight into SQLite (default 200,000: 83,334 emails,
tiny files; benchmarks/send.py --memory's setup), the outbox sent into
benchmarks/send.py's fast sink, while a prober in this process takes the
write lock (``BEGIN IMMEDIATE``, then rolls back) every 5 ms and times each
wait. Printed: the longest wait and the number of waits over 100 ms, of the
delivery plugin as it is and as it was at --before REV, in --pairs
alternating pairs, with the time and the load. With --dry-run, of
``sotong send --dry-run`` (which records nothing, and on SQLite takes no
write lock: Journal._begin_apart).

    .venv/bin/python benchmarks/send_lock.py [--readers 200000] [--before REV] [--pairs 2] [--dry-run]
"""

from __future__ import annotations

import argparse
import os
import shutil
import sqlite3
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(REPO / "benchmarks"))
sys.path.insert(0, str(REPO / "tests"))

from bundles import ISSUE, WINDOW_START  # noqa: E402
from send import fill_store, send_command, write_email_outbox  # noqa: E402
from synthetic import copy_settings_and_code, write_notices  # noqa: E402

from sotong.audiences import load_audiences  # noqa: E402

SENDER = Path(sys.executable).parent / "sotong"
PROBE_EVERY = 0.005  # seconds between two takes of the write lock


def lock_waits(store: Path, stop: threading.Event, waits: list[float]) -> None:
    """Take and give back the store's write lock until ``stop``, each wait appended to ``waits``."""
    db = sqlite3.connect(store, timeout=120, isolation_level=None)
    while not stop.is_set():
        started = time.perf_counter()
        db.execute("BEGIN IMMEDIATE")
        waits.append(time.perf_counter() - started)
        db.execute("ROLLBACK")
        time.sleep(PROBE_EVERY)
    db.close()


def send_probed(root: Path, settings: str, port: int, dry_run: bool) -> tuple[float, int, float]:
    """One send of the whole outbox from a fresh copy of the store: (longest
    wait for the write lock, waits over 100 ms, wall seconds of the send)."""
    for path in (root / "private").glob("sotong.db*"):
        path.unlink()
    shutil.copy(root / "pristine.db", root / "private" / "sotong.db")
    waits: list[float] = []
    stop = threading.Event()
    prober = threading.Thread(target=lock_waits, args=(root / "private" / "sotong.db", stop, waits))
    prober.start()
    started = time.perf_counter()
    completed = subprocess.run([str(SENDER), *send_command(ISSUE, port), *(["--dry-run"] if dry_run else []), "-s", settings], cwd=root,
                               capture_output=True, text=True)
    wall = time.perf_counter() - started
    stop.set()
    prober.join()
    if completed.returncode != 0:
        sys.exit(f"sotong send failed:\n{completed.stdout}\n{completed.stderr}")
    return max(waits), sum(wait > 0.1 for wait in waits), wall


def set_up(root: Path, readers: int, before: str) -> None:
    """The project, its store of ``readers`` (kept as pristine.db), the outbox, and the plugins of ``before``."""
    copy_settings_and_code(root, f'SOTONG_TODAY = "{ISSUE}"')
    notices = write_notices(root / "content" / "notices", 2, load_audiences(root / "audiences.yaml"),
                            seed=7, start=WINDOW_START)
    ids = fill_store(root, readers)
    write_email_outbox(root / "private" / "outbox" / ISSUE.isoformat(), ids, notices[0].stem)
    shutil.copy(root / "private" / "sotong.db", root / "pristine.db")
    (root / "before").mkdir()
    subprocess.run(f"git -C {REPO} archive {before} plugins | tar -x -C {root / 'before'}", shell=True, check=True)
    (root / "pelicanconf_before.py").write_text((root / "pelicanconf.py").read_text(encoding="utf-8")
                                                + '\nPLUGIN_PATHS = ["before/plugins"]\n', encoding="utf-8")
    print(f"setup: {readers:,} readers, {len(ids):,} emails in the outbox", flush=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--readers", type=int, default=200_000)
    parser.add_argument("--before", default="HEAD", help="the commit whose delivery plugin is the baseline")
    parser.add_argument("--pairs", type=int, default=2)
    parser.add_argument("--dry-run", action="store_true", help="time `sotong send --dry-run` instead of a send")
    args = parser.parse_args()
    print(f"started {time.strftime('%Y-%m-%d %H:%M:%S UTC', time.gmtime())}, load {os.getloadavg()[0]:.1f}", flush=True)
    server = subprocess.Popen([sys.executable, str(REPO / "benchmarks" / "send.py"), "--fast-sink"],
                              stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    port = int(server.stdout.readline())
    try:
        with tempfile.TemporaryDirectory() as tmp:
            root = Path(tmp)
            set_up(root, args.readers, args.before)
            for pair in range(args.pairs):
                for name in (("before", "now") if pair % 2 == 0 else ("now", "before")):
                    longest, long_waits, wall = send_probed(
                        root, "pelicanconf_before.py" if name == "before" else "pelicanconf.py", port, args.dry_run)
                    print(f"pair {pair + 1}: {name} ({args.before if name == 'before' else 'this tree'}): longest wait "
                          f"for the write lock {longest:.3f} s, {long_waits} waits over 0.1 s, send {wall:.1f} s "
                          f"(load {os.getloadavg()[0]:.1f})", flush=True)
    finally:
        server.stdin.close()
        server.wait()
    print(f"ended {time.strftime('%Y-%m-%d %H:%M:%S UTC', time.gmtime())}, load {os.getloadavg()[0]:.1f}", flush=True)


if __name__ == "__main__":
    main()
