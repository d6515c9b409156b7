"""Benchmark: bundling past one core and one SQLite file (issue 15).

Makes the project of benchmarks/bundles.py (N readers, default 1,000,000;
14 synthetic notices) and measures, in the same run, as the operator runs it
(process start included), --runs times in alternating order:
  1. `sotong bundles --jobs 1` and `--jobs 2` on SQLite: wall time, CPU
     (user, system) and the peak RSS of the largest process (GNU time:
     sotong and its workers);
  2. the floor of the disk: files of the same sizes at the same paths
     written from two processes (each half of the files), and the same with
     the email files sharded into 256 folders (email/AB/ID.eml), to weigh one
     folder of 400,000 files against many small ones (issue 16);
  3. `sotong bundles --jobs 1` on PostgreSQL (the tests' server:
     tests/postgres_server.py, started here and stopped at the end) against
     the same on SQLite.
Each outbox is deleted before the next measure (not timed; a sync follows),
so the disk holds one at a time: about 14 GB at 1,000,000 readers.
Targets: --jobs 2 in at most 0.6 x --jobs 1, or within 1.1 x the two-process
floor when the disk is the limit (it says which bound holds); under 500 MB
per process; PostgreSQL within 1.3 x SQLite.

    .venv/bin/python benchmarks/scale.py [--readers 1000000] [--runs 2]
    .venv/bin/python benchmarks/scale.py --pg-pairs [--readers 100000] [--runs 5]

--pg-pairs measures only PostgreSQL against SQLite, at --jobs 1 and at
--jobs 2, in --runs alternating pairs (wall, and the CPU of sotong and its
workers: the server's own is not counted), without the floors.

--readers 20000 is a quick run. Setting up a million readers takes a while
(the import into both stores); --project DIR runs again in a project an
earlier run left (stopped once its SQLite store was filled), copying the
rows to a new PostgreSQL database. --reading URL measures only the memory of
reading every subscriber of a PostgreSQL store, streamed (as Store.subscribers
does) and fetched at once (as it did before). Two send workers against one:
benchmarks/send.py --workers.
"""

from __future__ import annotations

import argparse
import hashlib
import multiprocessing
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(REPO / "tests"))
sys.path.insert(0, str(REPO / "benchmarks"))

from sotong.audiences import load_audiences  # noqa: E402
from sotong.store import Store  # noqa: E402
from sotong.subscribers import import_csv  # noqa: E402
from synthetic import load_benchmark  # noqa: E402

bundles_benchmark = load_benchmark("bundles")
ISSUE, GNU_TIME = bundles_benchmark.ISSUE, bundles_benchmark.GNU_TIME
TARGET_JOBS_RATIO, TARGET_FLOOR_RATIO, TARGET_RSS_MB, TARGET_PG_RATIO = 0.6, 1.1, 500, 1.3


def outbox_of(root: Path) -> Path:
    return root / "private" / "outbox" / ISSUE.isoformat()


def clear(folder: Path) -> None:
    """Delete ``folder`` and wait until the disk has it done (not timed)."""
    shutil.rmtree(folder, ignore_errors=True)
    os.sync()


def bundle(root: Path, jobs: int, settings: str = "pelicanconf.py") -> dict:
    """One `sotong bundles` run: wall, user and system seconds, peak RSS MB of its largest process."""
    clear(outbox_of(root))
    sotong = str(Path(sys.executable).parent / "sotong")
    started = time.perf_counter()
    completed = subprocess.run([GNU_TIME, "-f", "%U %S %M", sotong, "bundles", "--issue", ISSUE.isoformat(),
                                "--jobs", str(jobs), "-s", settings], cwd=root, capture_output=True, text=True)
    wall = time.perf_counter() - started
    if completed.returncode != 0:
        sys.exit(f"sotong bundles failed:\n{completed.stdout}\n{completed.stderr}")
    user, system, peak_kb = completed.stderr.strip().splitlines()[-1].split()
    return {"wall": wall, "user": float(user), "sys": float(system), "peak": int(peak_kb) / 1024}


def file_sizes(outbox: Path) -> list[tuple[str, int]]:
    """(path relative to the outbox, size) of every file in it."""
    return [(str(p.relative_to(outbox)), p.stat().st_size) for p in outbox.rglob("*") if p.is_file()]


def sharded(relative: str) -> str:
    """email/ID.eml as email/AB/ID.eml (AB: the first byte of a hash of the name)."""
    folder, _, name = relative.rpartition("/")
    if folder != "email":
        return relative
    return f"email/{hashlib.blake2b(name.encode(), digest_size=1).hexdigest()}/{name}"


def _write_files(scratch: str, files: list[tuple[str, int]], blob: bytes) -> None:
    for relative, size in files:
        with open(os.path.join(scratch, relative), "wb") as file:
            file.write(blob[:size])


def two_process_floor(sizes: list[tuple[str, int]], scratch: Path) -> dict:
    """Wall and CPU seconds to write files of these sizes at these paths
    under ``scratch`` from two processes (the folders made first)."""
    blob = os.urandom(max(size for _, size in sizes))
    for folder in {os.path.dirname(relative) for relative, _ in sizes}:
        (scratch / folder).mkdir(parents=True, exist_ok=True)
    os.sync()
    context = multiprocessing.get_context("fork")
    before = os.times()
    started = time.perf_counter()
    workers = [context.Process(target=_write_files, args=(str(scratch), sizes[k::2], blob)) for k in (0, 1)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()
    wall, after = time.perf_counter() - started, os.times()
    clear(scratch)
    return {"wall": wall, "user": after.children_user - before.children_user,
            "sys": after.children_system - before.children_system}


def postgresql_settings(root: Path, copy: bool = False) -> str:
    """A second settings file whose store is a new database on the tests'
    PostgreSQL server, holding the same readers: imported from the CSV as the
    operator does, or (``copy``) their rows copied from the SQLite store."""
    from postgres_server import new_database

    url = new_database()
    (root / "pelicanconf_pg.py").write_text((root / "pelicanconf.py").read_text(encoding="utf-8")
                                            + f"\nSOTONG_DB = {url!r}\n", encoding="utf-8")
    store = Store.open(url)
    if copy:
        copy_subscribers(Store.open(root / "private" / "sotong.db"), store)
    else:
        import_csv(store, root / "subscribers.csv", load_audiences(root / "audiences.yaml"), ISSUE.year)
    store.close()
    return "pelicanconf_pg.py"


def copy_subscribers(source: Store, target: Store) -> None:
    """Every subscriber row of ``source`` into PostgreSQL ``target`` with COPY,
    the consent log's trigger off (bundling does not read the log; firing it
    for a million rows takes longer than the copy)."""
    target.db.execute("SET session_replication_role = replica")
    rows = source.db.execute("SELECT * FROM subscribers")
    columns = ", ".join(column[0] for column in rows.description)
    with target.db.connection.cursor().copy(f"COPY subscribers ({columns}) FROM STDIN") as copy:
        for row in rows:
            copy.write_row(tuple(row))


def one_run(root: Path, pg_settings: str, run: int, sizes: list | None) -> tuple[dict, list]:
    """--jobs 1 and --jobs 2, the flat and the sharded floor (each pair in turn
    first), PostgreSQL: each one's figures."""
    measured = {}
    for jobs in ((1, 2) if run % 2 else (2, 1)):
        measured[f"jobs{jobs}"] = bundle(root, jobs)
    sizes = sizes or file_sizes(outbox_of(root))
    clear(outbox_of(root))
    layouts = {"floor": sizes, "sharded": [(sharded(relative), size) for relative, size in sizes]}
    for name in (("floor", "sharded") if run % 2 else ("sharded", "floor")):
        measured[name] = two_process_floor(layouts[name], root / "floor")
    measured["pg"] = bundle(root, 1, pg_settings)
    clear(outbox_of(root))
    print(f"run {run} (load {os.getloadavg()[0]:.1f}): " + "; ".join(
        f"{name} {m['wall']:.1f} s wall ({m['user']:.0f} s user, {m['sys']:.0f} s sys"
        + (f", peak {m['peak']:.0f} MB)" if "peak" in m else ")") for name, m in measured.items()), flush=True)
    return measured, sizes


READERS_STREAMED = "for subscriber in store.subscribers(): pass"
READERS_FETCHED = ("from sotong.store import _from_row\n"  # Store.subscribers() on PostgreSQL before it streamed
                   "for row in store.db.execute('SELECT * FROM subscribers ORDER BY id'): _from_row(row)")


def reading_peaks(url: str) -> None:
    """Peak RSS of a process reading every subscriber of the store at ``url``
    (one that an earlier run made): streamed, and fetched all at once."""
    for name, loop in (("streamed (server-side cursor)", READERS_STREAMED), ("fetched at once (before)", READERS_FETCHED)):
        code = f"from sotong.store import Store\nstore = Store.open({url!r})\n{loop}\n"
        started = time.perf_counter()
        completed = subprocess.run([GNU_TIME, "-f", "%M", sys.executable, "-c", code], capture_output=True, text=True,
                                   check=True)
        peak = int(completed.stderr.strip().splitlines()[-1]) / 1024
        print(f"reading every subscriber, {name}: {time.perf_counter() - started:.1f} s, peak {peak:.0f} MB")


def backend_pairs(root: Path, pg_settings: str, runs: int) -> None:
    """PostgreSQL against SQLite at --jobs 1 and --jobs 2, each pair in turn first."""
    ratios: dict = {(jobs, kind): [] for jobs in (1, 2) for kind in ("wall", "cpu")}
    for run in range(1, runs + 1):
        for jobs in (1, 2):
            measured = {}
            for settings in (("pelicanconf.py", pg_settings) if run % 2 else (pg_settings, "pelicanconf.py")):
                measured[settings] = bundle(root, jobs, settings)
            sqlite, pg = measured["pelicanconf.py"], measured[pg_settings]
            ratios[(jobs, "wall")].append(pg["wall"] / sqlite["wall"])
            ratios[(jobs, "cpu")].append((pg["user"] + pg["sys"]) / (sqlite["user"] + sqlite["sys"]))
            print(f"run {run}, --jobs {jobs} (load {os.getloadavg()[0]:.1f}): " + "; ".join(
                f"{name} {m['wall']:.1f} s wall, {m['user'] + m['sys']:.1f} s CPU, peak {m['peak']:.0f} MB"
                for name, m in (("SQLite", sqlite), ("PostgreSQL", pg))), flush=True)
    clear(outbox_of(root))
    for (jobs, kind), values in ratios.items():
        print(f"PostgreSQL / SQLite, --jobs {jobs}, {kind}: {statistics.median(values):.2f} "
              f"({min(values):.2f}-{max(values):.2f}); target <= {TARGET_PG_RATIO}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--readers", type=int, default=1_000_000)
    parser.add_argument("--runs", "--pairs", type=int, default=2, help="alternating runs (each in turn first)")
    parser.add_argument("--project", type=Path, help="a project an earlier run made (its SQLite store "
                        "filled): its rows are copied to PostgreSQL instead of imported again")
    parser.add_argument("--pg-pairs", action="store_true", help="only PostgreSQL against SQLite, --jobs 1 and 2")
    parser.add_argument("--reading", metavar="URL", help="only the peak RSS of reading every subscriber of this "
                        "PostgreSQL store, streamed and fetched at once")
    args = parser.parse_args()
    if args.reading:
        return reading_peaks(args.reading)
    with tempfile.TemporaryDirectory() as tmp:
        root = args.project or Path(tmp)
        started = time.perf_counter()
        if not args.project:
            bundles_benchmark.make_project(root, args.readers)
        pg_settings = postgresql_settings(root, copy=bool(args.project) or args.pg_pairs)
        print(f"setup: {args.readers:,} readers on SQLite and PostgreSQL in {time.perf_counter() - started:.0f} s "
              f"({os.cpu_count()} cores, load {os.getloadavg()[0]:.1f}, {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())})",
              flush=True)
        if args.pg_pairs:
            return backend_pairs(root, pg_settings, args.runs)
        runs, sizes = [], None
        for run in range(1, args.runs + 1):
            measured, sizes = one_run(root, pg_settings, run, sizes)
            runs.append(measured)
        emails = sum(1 for relative, _ in sizes if relative.startswith("email/"))
        print(f"\n{len(sizes):,} files ({emails:,} emails), {sum(s for _, s in sizes) / 1e9:.1f} GB; "
              f"medians of {args.runs} runs (min-max)")
        report(runs)


def spread(runs: list[dict], value) -> str:
    values = [value(run) for run in runs]
    return f"{statistics.median(values):.2f} ({min(values):.2f}-{max(values):.2f})"


def report(runs: list[dict]) -> None:
    wall = lambda name: lambda run: run[name]["wall"]  # noqa: E731
    ratio = lambda a, b: lambda run: run[a]["wall"] / run[b]["wall"]  # noqa: E731
    for name in ("jobs1", "jobs2", "floor", "sharded", "pg"):
        print(f"{name}: {spread(runs, wall(name))} s wall; sys {spread(runs, lambda r: r[name]['sys'])} s")
    peak = max(run[name]["peak"] for run in runs for name in ("jobs1", "jobs2", "pg"))
    jobs_ratio = statistics.median(ratio("jobs2", "jobs1")(run) for run in runs)
    floor_ratio = statistics.median(ratio("jobs2", "floor")(run) for run in runs)
    pg_ratio = statistics.median(ratio("pg", "jobs1")(run) for run in runs)
    print(f"--jobs 2 / --jobs 1: {spread(runs, ratio('jobs2', 'jobs1'))}")
    print(f"--jobs 2 / two-process floor: {spread(runs, ratio('jobs2', 'floor'))}")
    print(f"sharded floor / flat floor: {spread(runs, ratio('sharded', 'floor'))}")
    print(f"PostgreSQL / SQLite, --jobs 1: {spread(runs, ratio('pg', 'jobs1'))}")
    print(f"peak RSS of the largest process: {peak:.0f} MB")
    print(f"targets: --jobs 2 <= {TARGET_JOBS_RATIO} x one process: {'met' if jobs_ratio <= TARGET_JOBS_RATIO else 'MISSED'}; "
          f"or <= {TARGET_FLOOR_RATIO} x the floor (disk-bound): {'met' if floor_ratio <= TARGET_FLOOR_RATIO else 'MISSED'}; "
          f"peak <= {TARGET_RSS_MB} MB: {'met' if peak <= TARGET_RSS_MB else 'MISSED'}; "
          f"PostgreSQL <= {TARGET_PG_RATIO} x SQLite: {'met' if pg_ratio <= TARGET_PG_RATIO else 'MISSED'}")


if __name__ == "__main__":
    main()
