"""Benchmark: bundling past one core and one SQLite file (issue 15).

Makes the project of benchmarks/bundles.py (N readers, default 1,000,000;
14 synthetic notices) and measures, in the same run, as the operator runs it
(process start included; the best of --runs):
  1. `sotong bundles --jobs 1` and `--jobs 2` on SQLite: wall time, and the
     peak RSS of the largest process (GNU time: sotong and its workers);
  2. the floor of the disk: the same bytes written to the same files from
     two processes (each half of the files, read into memory first);
  3. `sotong bundles --jobs 1` on PostgreSQL (the tests' server:
     tests/postgres_server.py, started here and stopped at the end) against
     the same on SQLite.
Targets: --jobs 2 in at most 0.6 x --jobs 1, or within 1.1 x the two-process
floor when the disk is the limit (it says which bound holds); under 500 MB
per process; PostgreSQL within 1.3 x SQLite.

    .venv/bin/python benchmarks/scale.py [--readers 1000000] [--runs 2]

--readers 20000 is a quick run. Send workers and collectors on PostgreSQL
are not measured here yet (see README).
"""

from __future__ import annotations

import argparse
import importlib.util
import multiprocessing
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(REPO / "tests"))

from sotong.audiences import load_audiences  # noqa: E402
from sotong.store import Store  # noqa: E402
from sotong.subscribers import import_csv  # noqa: E402

_spec = importlib.util.spec_from_file_location("bundles_benchmark", REPO / "benchmarks" / "bundles.py")
bundles_benchmark = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(bundles_benchmark)
ISSUE, GNU_TIME = bundles_benchmark.ISSUE, bundles_benchmark.GNU_TIME
TARGET_JOBS_RATIO, TARGET_FLOOR_RATIO, TARGET_RSS_MB, TARGET_PG_RATIO = 0.6, 1.1, 500, 1.3


def bundle(root: Path, jobs: int, settings: str = "pelicanconf.py") -> tuple[float, float]:
    """One `sotong bundles` run: (wall seconds, peak RSS MB of its largest process)."""
    outbox = root / "private" / "outbox" / ISSUE.isoformat()
    if outbox.exists():  # moved aside, not deleted (deleting many files slows this disk for a while)
        outbox.rename(root / f"outbox-{time.monotonic_ns()}")
    os.sync()
    sotong = str(Path(sys.executable).parent / "sotong")
    started = time.perf_counter()
    completed = subprocess.run([GNU_TIME, "-f", "%M", sotong, "bundles", "--issue", ISSUE.isoformat(),
                                "--jobs", str(jobs), "-s", settings], cwd=root, capture_output=True, text=True)
    wall = time.perf_counter() - started
    if completed.returncode != 0:
        sys.exit(f"sotong bundles failed:\n{completed.stdout}\n{completed.stderr}")
    return wall, int(completed.stderr.strip().splitlines()[-1]) / 1024


def _write_files(files: list[tuple[Path, bytes]]) -> None:
    for target, data in files:
        with open(target, "wb") as file:
            file.write(data)


def two_process_floor(outbox: Path, scratch: Path) -> float:
    """Seconds to write every file of ``outbox`` again from two processes."""
    files = [(scratch / p.relative_to(outbox), p.read_bytes()) for p in outbox.rglob("*") if p.is_file()]
    for folder in {target.parent for target, _ in files}:
        folder.mkdir(parents=True, exist_ok=True)
    os.sync()
    halves = [files[0::2], files[1::2]]
    context = multiprocessing.get_context("fork")
    started = time.perf_counter()
    workers = [context.Process(target=_write_files, args=(half,)) for half in halves]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()
    return time.perf_counter() - started


def postgresql_settings(root: Path) -> str:
    """A second settings file whose store is a new database on the tests'
    PostgreSQL server, holding the same readers."""
    from postgres_server import new_database

    url = new_database()
    (root / "pelicanconf_pg.py").write_text((root / "pelicanconf.py").read_text(encoding="utf-8")
                                            + f"\nSOTONG_DB = {url!r}\n", encoding="utf-8")
    store = Store.open(url)
    import_csv(store, root / "subscribers.csv", load_audiences(root / "audiences.yaml"), ISSUE.year)
    store.close()
    return "pelicanconf_pg.py"


def best(measures: list[tuple[float, float]]) -> tuple[float, float]:
    return min(m[0] for m in measures), max(m[1] for m in measures)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--readers", type=int, default=1_000_000)
    parser.add_argument("--runs", type=int, default=2)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        started = time.perf_counter()
        bundles_benchmark.make_project(root, args.readers)
        pg_settings = postgresql_settings(root)
        print(f"setup: {args.readers:,} readers on SQLite and PostgreSQL in {time.perf_counter() - started:.0f} s "
              f"({os.cpu_count()} cores, load {os.getloadavg()[0]:.1f})")
        one, two, floors, pg = [], [], [], []
        for run in range(1, args.runs + 1):
            one.append(bundle(root, 1))
            two.append(bundle(root, 2))
            floors.append(two_process_floor(root / "private" / "outbox" / ISSUE.isoformat(), root / f"floor-{run}"))
            pg.append(bundle(root, 1, pg_settings))
            print(f"run {run}: --jobs 1 {one[-1][0]:.1f} s, --jobs 2 {two[-1][0]:.1f} s, "
                  f"two-process floor {floors[-1]:.1f} s, PostgreSQL --jobs 1 {pg[-1][0]:.1f} s")
        report(best(one), best(two), min(floors), best(pg))


def report(one, two, floor, pg) -> None:
    jobs_ratio, floor_ratio, pg_ratio = two[0] / one[0], two[0] / floor, pg[0] / one[0]
    peak = max(one[1], two[1], pg[1])
    print(f"\n--jobs 1: {one[0]:.1f} s (peak {one[1]:.0f} MB); --jobs 2: {two[0]:.1f} s (peak {two[1]:.0f} MB "
          f"per process); {jobs_ratio:.2f} x one process")
    print(f"two-process floor: {floor:.1f} s; --jobs 2 is {floor_ratio:.2f} x the floor")
    print(f"PostgreSQL --jobs 1: {pg[0]:.1f} s (peak {pg[1]:.0f} MB); {pg_ratio:.2f} x SQLite")
    cores = "met" if jobs_ratio <= TARGET_JOBS_RATIO else "MISSED"
    disk = "met" if floor_ratio <= TARGET_FLOOR_RATIO else "MISSED"
    print(f"targets: --jobs 2 <= {TARGET_JOBS_RATIO} x one process: {cores}; "
          f"or <= {TARGET_FLOOR_RATIO} x the floor (disk-bound): {disk}; "
          f"peak <= {TARGET_RSS_MB} MB: {'met' if peak <= TARGET_RSS_MB else 'MISSED'}; "
          f"PostgreSQL <= {TARGET_PG_RATIO} x SQLite: {'met' if pg_ratio <= TARGET_PG_RATIO else 'MISSED'}")


if __name__ == "__main__":
    main()
