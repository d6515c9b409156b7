"""Benchmark: `sotong subscribers import` and `export` on a synthetic population.

Generates N subscribers (default 100,000) with sotong.population, writes them
as the e-communication CSV (UTF-8 with BOM), then times, on this machine:
  1. the import into an empty store (every row added);
  2. the same file again (every row unchanged);
  3. a file where every row changed (every row updated);
  4. the export of the whole store.
Each figure is the command as the operator runs it (`sotong ...`, process
start included), and the import's own time in-process, without it.
Target (issue "Newsletter issues and personalized email and SMS bundles"):
100,000 rows import in a few seconds, i.e. 1 <= 5 s.

Then, against its floor (issue #16): PAIRS alternating runs (default 5) of
import 1 into a fresh store and of a bare csv.DictReader + executemany of the
same file into a table of the same columns (one transaction), each in a
process of its own: wall and CPU time, their ratios to the floor of the
same round (median, min-max) and each one's peak memory (max RSS of its
largest process); the import runs with `--jobs N` for each N of --jobs
(default: the machine's cores) and `-v`, whose log gives the peak of each of
its processes, printed with their sum, and the wall time of its phases
(the slowest part's checking, the writing, the rest). Target: at most 2 x
the floor, under 100 MB. Beside them, the floor followed by the
consent log's rows the import must write (SPEC §13) in one INSERT ... SELECT,
in the log's former layout (a row per changed column, about nine per new
subscriber) and in today's (a row per change): the part that is the log's.

    .venv/bin/python benchmarks/import.py [--count 100000] [--pairs 5] [--jobs 1,2] [--against-floor | --floors-only]
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(REPO), str(REPO / "benchmarks")]

from sotong.audiences import load_audiences  # noqa: E402
from sotong.population import generate_population, write_csv  # noqa: E402
from sotong.store import Store  # noqa: E402
from sotong.subscribers import import_csv  # noqa: E402
from synthetic import timed  # noqa: E402

YEAR = 2026
TARGET_SECONDS = 5.0
TARGET_RATIO, TARGET_MEGABYTES = 2.0, 100
FLOOR = """
import csv, sqlite3, sys
from sotong.store import SUBSCRIBER_COLUMNS
db = sqlite3.connect(sys.argv[2])
db.execute(f"CREATE TABLE subscribers ({', '.join(SUBSCRIBER_COLUMNS)})")
with open(sys.argv[1], encoding="utf-8-sig", newline="") as file, db:
    rows = csv.DictReader(file)
    db.executemany(f"INSERT INTO subscribers ({', '.join(rows.fieldnames)}) VALUES "
                   f"({', '.join('?' * len(rows.fieldnames))})", (tuple(row.values()) for row in rows))
"""
# The floor, then the consent log's rows (SPEC §13) that an import of the
# same rows must write, by one INSERT ... SELECT: what no import can skip, to
# tell the log's share from the import's own. PER_COLUMN: the log's former
# layout, one row per changed column (about nine per new subscriber);
# PER_CHANGE: today's, one row per subscriber and change, what changed as a
# JSON object {column: [old, new]}.
PER_COLUMN_FLOOR = FLOOR + """
from sotong.store import LOGGED_COLUMNS
db.execute("CREATE TABLE consent_log (id INTEGER PRIMARY KEY, subscriber_id TEXT NOT NULL, changed_at TEXT NOT NULL, "
           "source TEXT NOT NULL, field TEXT NOT NULL, old_value TEXT, new_value TEXT)")
db.execute("CREATE INDEX consent_log_by_time ON consent_log (changed_at)")
db.execute("CREATE INDEX consent_log_by_subscriber ON consent_log (subscriber_id)")
changes = " UNION ALL ".join(f"SELECT rowid AS n, {k} AS k, id, '{c}' AS field, {c} AS new FROM subscribers "
                             f"WHERE {c} != ''" for k, c in enumerate(LOGGED_COLUMNS) if c in SUBSCRIBER_COLUMNS)
with db:
    db.execute("INSERT INTO consent_log (subscriber_id, changed_at, source, field, new_value) "
               f"SELECT id, '2026-11-30T09:00:00+09:00', 'csv-import', field, new FROM ({changes}) ORDER BY n, k")
"""
PER_CHANGE_FLOOR = FLOOR + """
from sotong.store import LOGGED_COLUMNS
db.execute("CREATE TABLE consent_log (id INTEGER PRIMARY KEY, subscriber_id TEXT NOT NULL, changed_at TEXT NOT NULL, "
           "source TEXT NOT NULL, changes TEXT NOT NULL)")
db.execute("CREATE INDEX consent_log_by_time ON consent_log (changed_at)")
db.execute("CREATE INDEX consent_log_by_subscriber ON consent_log (subscriber_id)")
pairs = ", ".join(f"'{c}', json_array(NULL, {c})" for c in LOGGED_COLUMNS if c in SUBSCRIBER_COLUMNS)
with db:
    db.execute("INSERT INTO consent_log (subscriber_id, changed_at, source, changes) "
               f"SELECT id, '2026-11-30T09:00:00+09:00', 'csv-import', json_object({pairs}) FROM subscribers")
"""


# As installed: a shell with PYTHONDONTWRITEBYTECODE set would compile sotong's
# own modules at every start (benchmarks/startup.py does the same).
ENVIRONMENT = {name: value for name, value in os.environ.items() if name != "PYTHONDONTWRITEBYTECODE"}
ENVIRONMENT["SOTONG_LANG"] = "en"  # the import's -v lines, read for each process's peak (PROCESS_PEAK)
# `sotong -v subscribers import` logs the peak memory of each of its processes
PROCESS_PEAK = re.compile(r"process (\d+),? (?:its peak )?(\d+) MB")
# ... and the wall time of each part's checking and of the writing
CHECKED_IN = re.compile(r"checked and staged in ([\d.]+) s")
WRITTEN_IN = re.compile(r"written in ([\d.]+) s")
# a small process starts the command: a child forked from this one (which holds
# the generated rows) would count their pages in its peak memory
PEAK_OF = """
import resource, subprocess, sys
done = subprocess.run(sys.argv[1:], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
if done.returncode:
    sys.exit(done.stderr)
sys.stderr.write(done.stderr)
usage = resource.getrusage(resource.RUSAGE_CHILDREN)  # of every process it waited for (ru_maxrss: the largest)
print(usage.ru_maxrss, usage.ru_utime + usage.ru_stime)
"""


@dataclass(frozen=True)
class Run:
    wall: float  # seconds
    cpu: float  # seconds, user + system
    megabytes: float  # peak resident memory (of its largest process)
    peaks: tuple[int, ...] = ()  # the import's processes' own peaks (MB), as it logs them
    checking: float = 0.0  # seconds: the import's slowest part, read, checked and staged (side by side)
    writing: float = 0.0  # seconds: its writing that follows, one process


def measured(command: list[str], cwd: Path) -> Run:
    """Wall and CPU seconds and peak memory of ``command``'s process."""
    started = time.perf_counter()
    done = subprocess.run([sys.executable, "-c", PEAK_OF, *command], cwd=cwd, capture_output=True, text=True,
                          env=ENVIRONMENT)
    elapsed = time.perf_counter() - started
    if done.returncode != 0:
        sys.exit(f"{' '.join(command)} failed:\n{done.stderr}")
    peak, cpu = done.stdout.split()
    peaks: dict[str, int] = {}
    for process, megabytes in PROCESS_PEAK.findall(done.stderr):
        peaks[process] = max(peaks.get(process, 0), int(megabytes))
    checking = max((float(seconds) for seconds in CHECKED_IN.findall(done.stderr)), default=0.0)
    writing = sum(float(seconds) for seconds in WRITTEN_IN.findall(done.stderr))
    return Run(elapsed, float(cpu), int(peak) / 1024, tuple(peaks.values()), checking, writing)


def spread(values: list[float]) -> str:
    return f"{statistics.median(values):.2f} x ({min(values):.2f}-{max(values):.2f})"


def against_floor(sotong: str, root: Path, pairs: int, floors_only: bool = False, jobs: tuple[int, ...] = ()) -> None:
    """Alternating runs of the import, its floor and the floor with the
    consent log's rows in either layout, printed with the spread (wall and
    CPU ratios to the floor of the same round)."""
    commands = {"floor": [sys.executable, "-c", FLOOR, "subscribers.csv", "floor.db"],
                "floor + log, a row per column": [sys.executable, "-c", PER_COLUMN_FLOOR, "subscribers.csv", "c.db"],
                "floor + log, a row per change": [sys.executable, "-c", PER_CHANGE_FLOOR, "subscribers.csv", "e.db"]}
    for count in () if floors_only else jobs:
        commands[_import_name(count)] = [sotong, "-v", "subscribers", "import", "subscribers.csv", "--jobs", str(count)]
    runs: dict[str, list[Run]] = {name: [] for name in commands}
    for _round in range(pairs):
        for name, command in commands.items():
            for database in ("private/sotong.db", "floor.db", "c.db", "e.db"):  # each into a new store
                for suffix in ("", "-wal", "-shm"):
                    (root / (database + suffix)).unlink(missing_ok=True)
            runs[name].append(measured(command, root))
    floor = runs["floor"]
    print(f"{pairs} alternating rounds ({time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}):")
    for name, done in runs.items():
        print(f"  {name}: median {statistics.median(r.wall for r in done):.2f} s wall, "
              f"{statistics.median(r.cpu for r in done):.2f} s CPU, peak {max(r.megabytes for r in done):.0f} MB; "
              f"wall {spread([r.wall / f.wall for r, f in zip(done, floor)])}, "
              f"CPU {spread([r.cpu / f.cpu for r, f in zip(done, floor)])} the floor")
        if done[0].peaks:
            largest = max(done, key=lambda r: sum(r.peaks))
            print(f"    its processes' peaks: {' + '.join(f'{p} MB' for p in largest.peaks)} = {sum(largest.peaks)} MB "
                  "(each counts the pages it shares with the others since the fork)")
            print(f"    where its wall time goes (medians): checking, the slowest part {_median(done, 'checking')}; "
                  f"writing, one process {_median(done, 'writing')}; the rest (start-up, reading the header, "
                  f"cutting, exit) {statistics.median(r.wall - r.checking - r.writing for r in done):.2f} s")
    for count in () if floors_only else jobs:
        name = _import_name(count)
        ratios = [r.wall / f.wall for r, f in zip(runs[name], floor)]
        ratio, peak = statistics.median(ratios), max(r.megabytes for r in runs[name])
        print(f"{name}: ", end="")
        verdict = "met" if ratio <= TARGET_RATIO and peak < TARGET_MEGABYTES else "MISSED"
        print(f"Target: <= {TARGET_RATIO:.0f} x the floor and < {TARGET_MEGABYTES} MB ({verdict}: {ratio:.2f} x, "
              f"spread {min(ratios):.2f}-{max(ratios):.2f}; {peak:.0f} MB)")


def _median(runs: list[Run], phase: str) -> str:
    return f"{statistics.median(getattr(run, phase) for run in runs):.2f} s"


def _import_name(jobs: int) -> str:
    return f"import --jobs {jobs}" + (" (the machine's cores)" if jobs == os.cpu_count() else "")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=100_000)
    parser.add_argument("--pairs", type=int, default=5)
    parser.add_argument("--jobs", default=str(os.cpu_count() or 1),
                        help="the import's --jobs, or several (e.g. 1,2): each in every round (default: the cores)")
    parser.add_argument("--floors-only", action="store_true",
                        help="only the alternating rounds of the floor, the floor with the log, and the import")
    parser.add_argument("--against-floor", action="store_true",
                        help="only the alternating rounds against the floor (not the timings 1-4)")
    args = parser.parse_args()
    jobs = tuple(int(count) for count in args.jobs.split(","))
    sotong = str(Path(sys.executable).parent / "sotong")

    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        for name in ("pelicanconf.py", "audiences.yaml"):
            shutil.copy(REPO / name, root / name)
        with open(root / "pelicanconf.py", "a", encoding="utf-8") as settings:  # no content, no other plugins
            settings.write(f'\nPLUGINS = ["sotong.pelican_plugin"]\nSOTONG_TODAY = "{YEAR}-11-23"\n')
        (root / "content" / "notices").mkdir(parents=True)
        shutil.copytree(REPO / "themes", root / "themes")
        audiences = load_audiences(root / "audiences.yaml")
        rows = generate_population(args.count, audiences, seed=1, year=YEAR)
        write_csv(root / "subscribers.csv", rows)
        for row in rows:
            row["fields"] = "bulletin" if row["fields"] != "bulletin" else "culture"
        write_csv(root / "changed.csv", rows)
        megabytes = (root / "subscribers.csv").stat().st_size / 1e6

        if args.floors_only or args.against_floor:
            against_floor(sotong, root, args.pairs, args.floors_only, jobs)
            return
        timings(sotong, root, audiences, args.count)
        against_floor(sotong, root, args.pairs, jobs=jobs)
    print(f"{args.count:,} subscribers, CSV {megabytes:.1f} MB (UTF-8 with BOM)")


def timings(sotong: str, root: Path, audiences, count: int) -> None:
    """The four commands as the operator runs them, and the import in-process."""
    added = timed([sotong, "subscribers", "import", "subscribers.csv"], root)
    unchanged = timed([sotong, "subscribers", "import", "subscribers.csv"], root)
    updated = timed([sotong, "subscribers", "import", "changed.csv"], root)
    exported = timed([sotong, "subscribers", "export", "out.csv"], root)
    startup = timed([sotong, "subscribers", "--help"], root)
    store = Store.open(root / "fresh.db")
    started = time.perf_counter()
    report = import_csv(store, root / "subscribers.csv", audiences, YEAR)
    in_process = time.perf_counter() - started
    assert report.added == count and report.rejected == 0
    store.close()
    print(f"  sotong start-up (subscribers --help): {startup:6.2f} s")
    print(f"  1. import, all added:                 {added:6.2f} s   (in-process: {in_process:.2f} s)")
    print(f"  2. import, all unchanged:             {unchanged:6.2f} s")
    print(f"  3. import, all updated:               {updated:6.2f} s")
    print(f"  4. export:                            {exported:6.2f} s")
    verdict = "met" if added <= TARGET_SECONDS else "MISSED"
    print(f"Target: 1 <= {TARGET_SECONDS:.0f} s ({verdict}: {added:.2f} s, {count / added:,.0f} rows/s)")


if __name__ == "__main__":
    main()
